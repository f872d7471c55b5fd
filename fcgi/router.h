/*
 * The routing table's types and its matcher.  A pattern is a path whose
 * segments are literals or "{id}"; paths match with or without one
 * trailing slash (API.md).
 */
#ifndef IDENT_ROUTER_H
#define IDENT_ROUTER_H

#include <stddef.h>

#include "ierr.h"

struct req;

enum route_body {
	BODY_NONE,	/* any body is ignored, never read */
	BODY_JSON,
	BODY_JSON_OPT,	/* a JSON object, or no body at all (r->json NULL) */
	BODY_FORM,
};

/* Who may call: checked by fcgi/auth.c before the handler runs. */
enum route_auth {
	AUTH_NONE,	/* anyone */
	AUTH_BEARER,	/* a valid access token of an active session */
	AUTH_VALIDATE,	/* as AUTH_BEARER, every failure a plain 401 */
	AUTH_ACCOUNT,	/* as AUTH_BEARER, the caller's row read with the session */
};

enum route_authz {
	AUTHZ_ANY,	/* any caller that passed authentication */
	AUTHZ_ADMIN,
	AUTHZ_OWNER,	/* the user named by {id} ("me" is the caller), or an admin */
};

/* Which rate-limit buckets a route takes from (fcgi/limit.c). */
enum route_limit {
	LIMIT_ALL,	/* the per-address bucket of every route */
	LIMIT_TOKEN,	/* and the tighter one of /token and /refresh_token */
};

struct route {
	const char	*method;
	const char	*pattern;
	enum ierr	(*handler)(struct req *);
	enum route_body	 body;
	size_t		 max_body;
	enum route_auth	 auth;
	enum route_authz authz;
	enum route_limit limit;
};

#define ROUTE_MAX_PARAMS	2

struct route_params {
	size_t		 n;
	struct {
		const char	*s;	/* points into the matched path */
		size_t		 len;
	} v[ROUTE_MAX_PARAMS];
};

enum router_result {
	ROUTER_FOUND,
	ROUTER_NOT_FOUND,
	ROUTER_METHOD,		/* path known, method not: allow is filled */
};

/*
 * Match method and path (no query string) against table[0..n).  On
 * ROUTER_FOUND sets *out and params; on ROUTER_METHOD writes the allowed
 * methods, comma-separated, into allow[allowsz].
 */
enum router_result router_match(const struct route *table, size_t n,
		    const char *method, const char *path,
		    const struct route **out, struct route_params *params,
		    char *allow, size_t allowsz);

/* The worker's table (routes.c). */
extern const struct route	routes[];
extern const size_t		nroutes;

#endif
