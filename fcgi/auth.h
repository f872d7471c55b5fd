/*
 * The authenticate and authorise stages of the request pipeline.
 *
 * authn_check: for routes that need it, one "Authorization: Bearer"
 * header holding an access token (never a refresh token), verified by
 * jwt.c, then one indexed query confirming that the session is active
 * and the user exists; the role comes from the database, not the token.
 * authz_check: the route's rule (any caller, admin, owner-or-admin).
 */
#ifndef IDENT_AUTH_H
#define IDENT_AUTH_H

#include <stddef.h>

#include "ierr.h"

struct req;

enum ierr	authn_check(struct req *);
enum ierr	authz_check(struct req *);

/*
 * The bearer credential of the request: *tok and *len, or IERR_OK with
 * *tok NULL when there is no Authorization header.  A header that is not
 * exactly "Bearer <one token>" is IERR_UNAUTHENTICATED.
 */
enum ierr	auth_bearer(struct req *, const char **tok, size_t *len);

#endif
