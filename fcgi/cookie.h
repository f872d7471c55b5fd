/*
 * The OpenID Provider's browser cookie (docs/OIDC.md): named
 * __Host-genesis_op with Secure, or genesis_op without it where the
 * configuration says the stack runs over plain http (op_cookie_secure =
 * no); always HttpOnly, SameSite=Lax, Path=/, no Domain.  Its value is
 * 256 random bits in base64url, and only its SHA-256 is stored.
 */
#ifndef IDENT_COOKIE_H
#define IDENT_COOKIE_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto.h"

struct req;

#define COOKIE_VALUE_LEN	43

/*
 * The request's browser cookie into out, and its hash; false when there
 * is none or it is not of our shape (then it names no session).
 */
bool	cookie_get(const struct req *, char out[COOKIE_VALUE_LEN + 1],
	    uint8_t hash[SHA256_LEN]);
/* A new cookie value and its hash.  0 or -1. */
int	cookie_new(char out[COOKIE_VALUE_LEN + 1], uint8_t hash[SHA256_LEN]);
/* Send it with the response (a new browser session). */
void	cookie_set(struct req *, const char *value);
/* Tell the browser to forget it. */
void	cookie_clear(struct req *);

#endif
