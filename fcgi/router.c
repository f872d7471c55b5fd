#include <stdbool.h>
#include <string.h>

#include "router.h"

/* Length of the path without one trailing slash ("/" stays "/"). */
static size_t
trimmed_len(const char *p)
{
	size_t	 n = strlen(p);

	return (n > 1 && p[n - 1] == '/') ? n - 1 : n;
}

static bool
path_matches(const char *pat, const char *path, size_t pathlen,
    struct route_params *params)
{
	const char	*p = path, *end = path + pathlen, *seg;
	size_t		 plen, slen;

	params->n = 0;
	while (*pat != '\0') {
		if (*pat != '/' || p >= end || *p != '/')
			return false;
		pat++;
		p++;
		plen = strcspn(pat, "/");
		for (seg = p; p < end && *p != '/'; p++)
			continue;
		slen = (size_t)(p - seg);
		if (slen == 0)
			return plen == 0 && p == end && pat[plen] == '\0';
		if (plen == 4 && memcmp(pat, "{id}", 4) == 0) {
			if (params->n == ROUTE_MAX_PARAMS)
				return false;
			params->v[params->n].s = seg;
			params->v[params->n].len = slen;
			params->n++;
		} else if (plen != slen || memcmp(pat, seg, slen) != 0)
			return false;
		pat += plen;
	}
	return p == end;
}

enum router_result
router_match(const struct route *t, size_t n, const char *method,
    const char *path, const struct route **out, struct route_params *params,
    char *allow, size_t allowsz)
{
	struct route_params	 scratch;
	size_t			 i, len = trimmed_len(path), used = 0;
	bool			 path_known = false;

	*out = NULL;
	if (allowsz > 0)
		allow[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!path_matches(t[i].pattern, path, len, &scratch))
			continue;
		if (strcmp(t[i].method, method) == 0) {
			*out = &t[i];
			*params = scratch;
			return ROUTER_FOUND;
		}
		path_known = true;
		if (strstr(allow, t[i].method) == NULL &&
		    used + strlen(t[i].method) + 3 < allowsz) {
			if (used > 0) {
				memcpy(allow + used, ", ", 2);
				used += 2;
			}
			memcpy(allow + used, t[i].method, strlen(t[i].method) + 1);
			used += strlen(t[i].method);
		}
	}
	return path_known ? ROUTER_METHOD : ROUTER_NOT_FOUND;
}
