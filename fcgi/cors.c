#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
cors_init(struct cors *c, const char *list, char *err, size_t errsz)
{
	char	*copy, *tok, *save;
	size_t	 n;

	memset(c, 0, sizeof(*c));
	if (list == NULL)
		return 0;
	if ((copy = strdup(list)) == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ' || *tok == '\t')
			tok++;
		n = strlen(tok);
		while (n > 0 && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
			tok[--n] = '\0';
		if (strcmp(tok, "*") == 0 || strchr(tok, '*') != NULL) {
			snprintf(err, errsz, "cors_origins: '*' is refused: "
			    "list each origin");
			goto fail;
		}
		if (!origin_syntax_ok(tok)) {
			snprintf(err, errsz, "cors_origins: '%.64s' is not "
			    "scheme://host[:port] in lowercase", tok);
			goto fail;
		}
		if (c->n == CORS_MAX_ORIGINS) {
			snprintf(err, errsz, "cors_origins: more than %d",
			    CORS_MAX_ORIGINS);
			goto fail;
		}
		if ((c->origin[c->n++] = strdup(tok)) == NULL)
			goto fail;
	}
	free(copy);
	return 0;
fail:
	free(copy);
	cors_clear(c);
	return -1;
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

enum ierr
cors_preflight(struct req *r)
{
	const char		*origin = req_param(r, "HTTP_ORIGIN");
	const struct route	*rt;
	struct route_params	 p;

	if (router_match(routes, nroutes, "OPTIONS", r->path, &rt, &p, r->allow,
	    sizeof(r->allow)) != ROUTER_METHOD)
		return IERR_NOT_FOUND;
	if (!cors_allowed(&r->w->cors, origin)) {
		r->detail = "Disallowed CORS origin";
		return IERR_BAD_REQUEST;
	}
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
