/*
 * CORS (SECURITY.md C-T7): only origins of the configured allow-list,
 * matched exactly (scheme, host and port), get CORS headers; "*" is
 * refused when the list is loaded.
 */
#ifndef IDENT_CORS_H
#define IDENT_CORS_H

#include <stdbool.h>
#include <stddef.h>

#include "ierr.h"

#define CORS_MAX_ORIGINS	32

struct req;

struct cors {
	size_t	 n;
	char	*origin[CORS_MAX_ORIGINS];
};

/* Parse the comma-separated list (may be NULL).  0, or -1 with err. */
int		cors_init(struct cors *, const char *list, char *err,
		    size_t errsz);
void		cors_clear(struct cors *);
bool		cors_allowed(const struct cors *, const char *origin);

/* Is this request a CORS preflight (OPTIONS with Origin and a method)? */
bool		cors_is_preflight(const struct req *);
/*
 * Answer a preflight on any path: 204 with the headers (the path's
 * methods and the one asked for), or 400 for other origins.
 */
enum ierr	cors_preflight(struct req *);
/* Add the headers of a simple or actual request from an allowed origin. */
void		cors_headers(struct req *);

#endif
