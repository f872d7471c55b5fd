/*
 * libFuzzer harness for fcgi/router.c's router_match, over a copy of
 * fcgi/routes.c's table (same methods, patterns and order; no handlers).
 *
 * Input: the first byte picks the method (low 3 bits) and a small size
 * for the Allow buffer (high 5 bits); the rest, cut to MAX_PATH_IN bytes
 * and NUL-terminated, is the path.
 *
 * Checks beyond the sanitizers: the result, route and {id} parameters
 * equal those of a reference matcher written here from router.h's
 * description (segments are literals or "{id}"; one trailing slash is
 * optional; first matching row wins); the Allow list is the row order's
 * distinct methods of the rows whose pattern matched, comma-separated,
 * always NUL-terminated inside the buffer, whatever its size.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "router.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"fuzz_router: check failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

#define MAX_PATH_IN	2048

#define J	BODY_JSON, MAX_BODY
#define F	BODY_FORM, MAX_BODY_PREAUTH
#define NB	BODY_NONE, 0

/* fcgi/routes.c's rows, in its order. */
static const struct route table[] = {
	{ "GET",    "/health",			NULL, NB, AUTH_NONE, AUTHZ_ANY },
	{ "GET",    "/health/ready",		NULL, NB, AUTH_NONE, AUTHZ_ANY },
	{ "GET",    "/.well-known/jwks.json",	NULL, NB, AUTH_NONE, AUTHZ_ANY },

	{ "POST",   "/token",			NULL, F,  AUTH_NONE, AUTHZ_ANY },
	{ "POST",   "/refresh_token",		NULL, F,  AUTH_NONE, AUTHZ_ANY },
	{ "POST",   "/token/validate",		NULL, NB, AUTH_VALIDATE, AUTHZ_ANY },
	{ "POST",   "/logout",			NULL, NB, AUTH_BEARER, AUTHZ_ENROL },

	{ "GET",    "/auth/sessions",		NULL, NB, AUTH_BEARER, AUTHZ_ANY },
	{ "DELETE", "/auth/sessions",		NULL, NB, AUTH_BEARER, AUTHZ_ANY },
	{ "DELETE", "/auth/sessions/{id}",	NULL, NB, AUTH_BEARER, AUTHZ_ANY },

	{ "GET",    "/auth/mfa",		NULL, NB, AUTH_BEARER, AUTHZ_ENROL },
	{ "POST",   "/auth/mfa/totp",		NULL, J, AUTH_BEARER, AUTHZ_ENROL },
	{ "DELETE", "/auth/mfa/totp",		NULL, J, AUTH_BEARER, AUTHZ_ENROL },
	{ "POST",   "/auth/mfa/totp/activate",	NULL, J, AUTH_BEARER, AUTHZ_ENROL },
	{ "POST",   "/auth/mfa/recovery-codes",	NULL, J, AUTH_BEARER, AUTHZ_ENROL },

	{ "POST",   "/users",			NULL, J,  AUTH_NONE, AUTHZ_ANY },
	{ "GET",    "/users",			NULL, NB, AUTH_BEARER, AUTHZ_ADMIN },
	{ "POST",   "/users/search",		NULL, J,  AUTH_BEARER, AUTHZ_ADMIN },
	{ "GET",    "/users/me",		NULL, NB, AUTH_ACCOUNT, AUTHZ_ANY },
	{ "GET",    "/users/{id}",		NULL, NB, AUTH_BEARER, AUTHZ_OWNER },
	{ "PUT",    "/users/{id}",		NULL, J,  AUTH_BEARER, AUTHZ_OWNER },
	{ "DELETE", "/users/{id}",		NULL, NB, AUTH_BEARER, AUTHZ_OWNER },

	{ "POST",   "/admin/users/{id}/role",	NULL, J,  AUTH_BEARER, AUTHZ_ADMIN },
	{ "POST",   "/admin/users/{id}/disable", NULL, J, AUTH_BEARER, AUTHZ_ADMIN },
	{ "POST",   "/admin/users/{id}/unlock",	NULL, NB, AUTH_BEARER, AUTHZ_ADMIN },
	{ "POST",   "/admin/users/{id}/mfa/reset", NULL, NB, AUTH_BEARER, AUTHZ_ADMIN },

	{ "POST",   "/profile",			NULL, J, AUTH_BEARER, AUTHZ_ANY },
	{ "GET",    "/profile/me",		NULL, NB, AUTH_BEARER, AUTHZ_ANY },
	{ "PUT",    "/profile/me",		NULL, J, AUTH_BEARER, AUTHZ_ANY },
	{ "DELETE", "/profile/me",		NULL, NB, AUTH_BEARER, AUTHZ_ANY },
};
#define NTABLE	(sizeof(table) / sizeof(table[0]))

static const char *const methods[8] = {
	"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "get", "",
};

/* --- the reference ------------------------------------------------------ */

struct ref_params {
	size_t		 n;
	const char	*s[ROUTE_MAX_PARAMS];
	size_t		 len[ROUTE_MAX_PARAMS];
};

static bool
ref_path_matches(const char *pat, const char *path, size_t len,
    struct ref_params *rp)
{
	const char	*p = path, *end = path + len, *seg, *pseg;
	size_t		 slen, plen;

	rp->n = 0;
	/* Both are "/seg/seg..." with non-empty path segments. */
	while (*pat != '\0') {
		if (*pat != '/' || p == end || *p != '/')
			return false;
		pseg = ++pat;
		plen = strcspn(pseg, "/");
		pat += plen;
		seg = ++p;
		while (p < end && *p != '/')
			p++;
		slen = (size_t)(p - seg);
		if (slen == 0)
			return false;
		if (plen == 4 && memcmp(pseg, "{id}", 4) == 0) {
			if (rp->n == ROUTE_MAX_PARAMS)
				return false;
			rp->s[rp->n] = seg;
			rp->len[rp->n++] = slen;
		} else if (plen != slen || memcmp(pseg, seg, slen) != 0)
			return false;
	}
	return p == end;
}

static enum router_result
ref_match(const char *method, const char *path, size_t *row,
    struct ref_params *params, char *allow, size_t allowsz)
{
	struct ref_params	 rp;
	const char		*added[NTABLE];
	size_t			 i, k, nadded = 0, len = strlen(path);
	size_t			 used = 0, mlen;
	bool			 known = false, dup;

	if (len > 1 && path[len - 1] == '/')
		len--;
	allow[0] = '\0';
	for (i = 0; i < NTABLE; i++) {
		if (!ref_path_matches(table[i].pattern, path, len, &rp))
			continue;
		if (strcmp(table[i].method, method) == 0) {
			*row = i;
			*params = rp;
			return ROUTER_FOUND;
		}
		known = true;
		for (dup = false, k = 0; k < nadded && !dup; k++)
			dup = strcmp(added[k], table[i].method) == 0;
		mlen = strlen(table[i].method);
		/* A method that does not fit is left out. */
		if (dup || used + mlen + 3 >= allowsz)
			continue;
		if (used > 0) {
			memcpy(allow + used, ", ", 2);
			used += 2;
		}
		memcpy(allow + used, table[i].method, mlen + 1);
		used += mlen;
		added[nadded++] = table[i].method;
	}
	return known ? ROUTER_METHOD : ROUTER_NOT_FOUND;
}

/* ------------------------------------------------------------------------ */

static void
one(const char *method, const char *path, size_t allowsz)
{
	const struct route	*r = (const struct route *)0x1;
	struct route_params	 p;
	struct ref_params	 rp;
	enum router_result	 got, want;
	char			*allow, want_allow[128];
	size_t			 row = 0, i;

	/* Exactly allowsz bytes, so ASan sees any write past the end. */
	if ((allow = malloc(allowsz)) == NULL)
		abort();
	memset(allow, 'X', allowsz);
	memset(&p, 0xa5, sizeof(p));
	got = router_match(table, NTABLE, method, path, &r, &p, allow, allowsz);
	want = ref_match(method, path, &row, &rp, want_allow,
	    allowsz < sizeof(want_allow) ? allowsz : sizeof(want_allow));
	CHECK(got == want);
	CHECK(memchr(allow, '\0', allowsz) != NULL);
	switch (got) {
	case ROUTER_FOUND:
		CHECK(r == &table[row]);
		CHECK(strcmp(r->method, method) == 0);
		CHECK(p.n == rp.n && p.n <= ROUTE_MAX_PARAMS);
		for (i = 0; i < p.n; i++) {
			CHECK(p.v[i].s == rp.s[i] && p.v[i].len == rp.len[i]);
			CHECK(p.v[i].s >= path &&
			    p.v[i].s + p.v[i].len <= path + strlen(path));
			CHECK(memchr(p.v[i].s, '/', p.v[i].len) == NULL);
		}
		break;
	case ROUTER_METHOD:
		CHECK(r == NULL);
		CHECK(strcmp(allow, want_allow) == 0);
		break;
	case ROUTER_NOT_FOUND:
		CHECK(r == NULL);
		CHECK(allow[0] == '\0');
		break;
	default:
		CHECK(!"unknown router_result");
	}
	free(allow);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*path;
	const char	*method;
	size_t		 n, small;

	if (size == 0)
		return 0;
	method = methods[data[0] & 7];
	small = 1 + (data[0] >> 3);		/* 1..32 */
	n = size - 1 < MAX_PATH_IN ? size - 1 : MAX_PATH_IN;
	if ((path = malloc(n + 1)) == NULL)
		abort();
	memcpy(path, data + 1, n);
	path[n] = '\0';

	one(method, path, 64);			/* as fcgi/req.c does */
	one(method, path, small);
	free(path);
	return 0;
}
