/*
 * The routing table: a new endpoint is one row here plus its handler.
 * Order matters where patterns overlap: /users/me before /users/{id}.
 */
#include "bounds.h"
#include "handlers.h"
#include "router.h"

#define J	BODY_JSON, MAX_BODY
#define F	BODY_FORM, MAX_BODY_PREAUTH
#define NB	BODY_NONE, 0

const struct route routes[] = {
	{ "GET",    "/health",			h_health,	NB, AUTH_NONE, AUTHZ_ANY },
	{ "GET",    "/health/ready",		h_health_ready,	NB, AUTH_NONE, AUTHZ_ANY },
	{ "GET",    "/.well-known/jwks.json",	h_jwks,		NB, AUTH_NONE, AUTHZ_ANY },

	{ "POST",   "/token",			h_token,	F,  AUTH_NONE, AUTHZ_ANY },
	{ "POST",   "/refresh_token",		h_refresh,	F,  AUTH_NONE, AUTHZ_ANY },
	{ "POST",   "/token/validate",		h_validate,	NB, AUTH_VALIDATE, AUTHZ_ANY },
	{ "POST",   "/logout",			h_logout,	NB, AUTH_BEARER, AUTHZ_ANY },

	{ "GET",    "/auth/sessions",		h_sessions_list, NB, AUTH_BEARER, AUTHZ_ANY },
	{ "DELETE", "/auth/sessions",		h_sessions_revoke_others, NB, AUTH_BEARER, AUTHZ_ANY },
	{ "DELETE", "/auth/sessions/{id}",	h_sessions_revoke_one, NB, AUTH_BEARER, AUTHZ_ANY },

	{ "POST",   "/users",			h_users_create,	J,  AUTH_NONE, AUTHZ_ANY },
	{ "GET",    "/users",			h_users_list,	NB, AUTH_BEARER, AUTHZ_ADMIN },
	{ "POST",   "/users/search",		h_users_search,	J,  AUTH_BEARER, AUTHZ_ADMIN },
	{ "GET",    "/users/me",		h_users_me,	NB, AUTH_BEARER, AUTHZ_ANY },
	{ "GET",    "/users/{id}",		h_users_get,	NB, AUTH_BEARER, AUTHZ_OWNER },
	{ "PUT",    "/users/{id}",		h_users_update,	J,  AUTH_BEARER, AUTHZ_OWNER },
	{ "DELETE", "/users/{id}",		h_users_delete,	NB, AUTH_BEARER, AUTHZ_OWNER },

	{ "POST",   "/admin/users/{id}/role",	h_admin_role,	J,  AUTH_BEARER, AUTHZ_ADMIN },
	{ "POST",   "/admin/users/{id}/disable", h_admin_disable, J, AUTH_BEARER, AUTHZ_ADMIN },
	{ "POST",   "/admin/users/{id}/unlock",	h_admin_unlock,	NB, AUTH_BEARER, AUTHZ_ADMIN },

	{ "POST",   "/profile",			h_profile_create, J, AUTH_BEARER, AUTHZ_ANY },
	{ "GET",    "/profile/me",		h_profile_get,	NB, AUTH_BEARER, AUTHZ_ANY },
	{ "PUT",    "/profile/me",		h_profile_update, J, AUTH_BEARER, AUTHZ_ANY },
	{ "DELETE", "/profile/me",		h_profile_delete, NB, AUTH_BEARER, AUTHZ_ANY },
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
