#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cors.h"
#include "req.h"
#include "router.h"
#include "worker.h"

#define MAX_AGE		"600"

/* "scheme://host[:port]" with nothing after: what browsers send. */
static bool
origin_syntax_ok(const char *o)
{
	const char	*host;
	size_t		 i;

	if (strncmp(o, "https://", 8) == 0)
		host = o + 8;
	else if (strncmp(o, "http://", 7) == 0)
		host = o + 7;
	else
		return false;
	if (*host == '\0' || strlen(o) > 255)
		return false;
	for (i = 0; host[i] != '\0'; i++)
		if (!((host[i] >= 'a' && host[i] <= 'z') ||
		    (host[i] >= '0' && host[i] <= '9') ||
		    strchr(".-:[]", host[i]) != NULL))
			return false;
	return true;
}

struct cors_add {
	struct cors	*c;
	char		*err;
	size_t		 errsz;
};

static int
add_origin(void *arg, const char *origin)
{
	struct cors_add	*ca = arg;
	struct cors	*c = ca->c;

	if (strchr(origin, '*') != NULL) {
		snprintf(ca->err, ca->errsz, "cors_origins: '*' is refused: "
		    "list each origin");
		return -1;
	}
	if (!origin_syntax_ok(origin)) {
		snprintf(ca->err, ca->errsz, "cors_origins: '%.64s' is not "
		    "scheme://host[:port] in lowercase", origin);
		return -1;
	}
	if (c->n == CORS_MAX_ORIGINS) {
		snprintf(ca->err, ca->errsz, "cors_origins: more than %d",
		    CORS_MAX_ORIGINS);
		return -1;
	}
	if ((c->origin[c->n] = strdup(origin)) == NULL) {
		snprintf(ca->err, ca->errsz, "cors_origins: out of memory");
		return -1;
	}
	c->n++;
	return 0;
}

int
cors_init(struct cors *c, const char *list, char *err, size_t errsz)
{
	struct cors_add	 ca = { c, err, errsz };

	memset(c, 0, sizeof(*c));
	if (list != NULL && config_list_each(list, add_origin, &ca) == -1) {
		cors_clear(c);
		return -1;
	}
	return 0;
}

void
cors_clear(struct cors *c)
{
	size_t	 i;

	for (i = 0; i < c->n; i++)
		free(c->origin[i]);
	memset(c, 0, sizeof(*c));
}

bool
cors_allowed(const struct cors *c, const char *origin)
{
	size_t	 i;

	for (i = 0; origin != NULL && i < c->n; i++)
		if (strcmp(c->origin[i], origin) == 0)
			return true;
	return false;
}

bool
cors_is_preflight(const struct req *r)
{
	return strcmp(r->method, "OPTIONS") == 0 &&
	    req_param(r, "HTTP_ORIGIN") != NULL &&
	    req_param(r, "HTTP_ACCESS_CONTROL_REQUEST_METHOD") != NULL;
}

/* A method name as browsers send it: 1 to 16 upper-case letters. */
static bool
method_token_ok(const char *m)
{
	size_t	 i;

	for (i = 0; m[i] != '\0'; i++)
		if (m[i] < 'A' || m[i] > 'Z' || i == 16)
			return false;
	return i > 0;
}

/*
 * The methods a preflight allows: the path's, and the one asked for
 * even when the path has no such route (or no route at all), as
 * FastAPI's CORS middleware answers on every path: the browser then
 * sends the request and reads our 404 or 405, not "Failed to fetch".
 */
static void
allowed_methods(struct req *r, const char *asked)
{
	const struct route	*rt;
	struct route_params	 p;
	size_t			 n;

	(void)router_match(routes, nroutes, "OPTIONS", r->path, &rt, &p,
	    r->allow, sizeof(r->allow));
	if (!method_token_ok(asked) || strstr(r->allow, asked) != NULL)
		return;
	n = strlen(r->allow);
	snprintf(r->allow + n, sizeof(r->allow) - n, "%s%s", n > 0 ? ", " : "",
	    asked);
}

enum ierr
cors_preflight(struct req *r)
{
	const char		*origin = req_param(r, "HTTP_ORIGIN");
	const char		*asked = req_param(r,
	    "HTTP_ACCESS_CONTROL_REQUEST_METHOD");

	if (!cors_allowed(&r->w->cors, origin)) {
		r->detail = "Disallowed CORS origin";
		return IERR_BAD_REQUEST;
	}
	allowed_methods(r, asked != NULL ? asked : "");
	if (r->allow[0] == '\0')
		return IERR_NOT_FOUND;
	r->status = 204;
	req_add_header(r, "Access-Control-Allow-Origin", origin);
	req_add_header(r, "Access-Control-Allow-Methods", r->allow);
	req_add_header(r, "Access-Control-Allow-Headers",
	    "Authorization, Content-Type");
	req_add_header(r, "Access-Control-Max-Age", MAX_AGE);
	req_add_header(r, "Vary", "Origin");
	return IERR_OK;
}

void
cors_headers(struct req *r)
{
	const char	*origin = req_param(r, "HTTP_ORIGIN");

	if (r->status == 204 || !cors_allowed(&r->w->cors, origin))
		return;
	req_add_header(r, "Access-Control-Allow-Origin", origin);
	req_add_header(r, "Access-Control-Expose-Headers", "Link, Retry-After");
	req_add_header(r, "Vary", "Origin");
}
