#include <string.h>

#include "router.h"
#include "tap.h"

static enum ierr h(struct req *r) { (void)r; return IERR_OK; }

static const struct route table[] = {
	{ "GET",    "/health",		h, BODY_NONE, 0, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "POST",   "/users",		h, BODY_JSON, 1, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/users",		h, BODY_NONE, 0, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/users/me",	h, BODY_NONE, 0, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/users/{id}",	h, BODY_NONE, 0, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "PUT",    "/users/{id}",	h, BODY_JSON, 1, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "DELETE", "/users/{id}",	h, BODY_NONE, 0, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "POST",   "/admin/users/{id}/role", h, BODY_JSON, 1, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
};

int
main(void)
{
	static const struct {
		const char		*method, *path;
		enum router_result	 want;
		int			 row;		/* for FOUND */
		const char		*param;		/* first {id} */
		const char		*allow;		/* for METHOD */
	} rows[] = {
		{ "GET", "/health", ROUTER_FOUND, 0, NULL, NULL },
		{ "GET", "/health/", ROUTER_FOUND, 0, NULL, NULL },
		{ "GET", "/health//", ROUTER_NOT_FOUND, 0, NULL, NULL },
		{ "GET", "/healthz", ROUTER_NOT_FOUND, 0, NULL, NULL },
		{ "GET", "/", ROUTER_NOT_FOUND, 0, NULL, NULL },
		{ "POST", "/users/", ROUTER_FOUND, 1, NULL, NULL },
		{ "POST", "/users", ROUTER_FOUND, 1, NULL, NULL },
		{ "GET", "/users/me/", ROUTER_FOUND, 3, NULL, NULL },
		{ "GET", "/users/abc", ROUTER_FOUND, 4, "abc", NULL },
		{ "DELETE", "/users/abc/", ROUTER_FOUND, 6, "abc", NULL },
		{ "GET", "/users/abc/def", ROUTER_NOT_FOUND, 0, NULL, NULL },
		{ "GET", "/users//", ROUTER_NOT_FOUND, 0, NULL, NULL },
		{ "POST", "/admin/users/x1/role", ROUTER_FOUND, 7, "x1", NULL },
		{ "POST", "/admin/users//role", ROUTER_NOT_FOUND, 0, NULL, NULL },
		{ "DELETE", "/health", ROUTER_METHOD, 0, NULL, "GET" },
		{ "PATCH", "/users/", ROUTER_METHOD, 0, NULL, "POST, GET" },
		{ "POST", "/users/me", ROUTER_METHOD, 0, NULL, "GET, PUT, DELETE" },
	};
	const struct route	*r;
	struct route_params	 p;
	char			 allow[64];
	enum router_result	 got;
	size_t			 i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		got = router_match(table, sizeof(table) / sizeof(table[0]),
		    rows[i].method, rows[i].path, &r, &p, allow, sizeof(allow));
		if (got != rows[i].want) {
			ok(0, "%s %s: result %d", rows[i].method, rows[i].path,
			    got);
			continue;
		}
		if (got == ROUTER_FOUND)
			ok(r == &table[rows[i].row] && (rows[i].param == NULL ||
			    (p.n == 1 && p.v[0].len == strlen(rows[i].param) &&
			    memcmp(p.v[0].s, rows[i].param, p.v[0].len) == 0)),
			    "%s %s", rows[i].method, rows[i].path);
		else if (got == ROUTER_METHOD)
			ok(strcmp(allow, rows[i].allow) == 0, "%s %s: Allow %s",
			    rows[i].method, rows[i].path, allow);
		else
			ok(1, "%s %s: not found", rows[i].method, rows[i].path);
	}
	return done();
}
