/*
 * The routing table: a new endpoint is one row here plus its handler.
 */
#include "bounds.h"
#include "handlers.h"
#include "router.h"

const struct route routes[] = {
	{ "GET",  "/health",		h_health,	BODY_NONE, 0 },
	{ "GET",  "/health/ready",	h_health_ready,	BODY_NONE, 0 },
	{ "POST", "/users",		h_users_create,	BODY_JSON, MAX_BODY },
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
