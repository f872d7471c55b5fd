/*
 * The OpenID Provider's browser cookies (docs/OIDC.md), each named
 * __Host-<name> with Secure, or <name> without it where the
 * configuration says the stack runs over plain http (op_cookie_secure =
 * no); always HttpOnly, SameSite=Lax, Path=/, no Domain.  Values are 256
 * random bits in base64url, and only their SHA-256 is stored.
 *
 * COOKIE_SESSION (genesis_op) names the browser's session.
 * COOKIE_BROWSER (genesis_op_b) names the browser itself: the pending
 * requests it starts are bound to it, so a form posted to our pages from
 * another site (whose POST carries no Lax cookie) is refused even with
 * a request's CSRF token (login CSRF, SECURITY.md C-T22).
 */
#ifndef IDENT_COOKIE_H
#define IDENT_COOKIE_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto.h"

struct req;

#define COOKIE_VALUE_LEN	43

enum cookie_kind {
	COOKIE_SESSION,
	COOKIE_BROWSER,
};

/*
 * The request's browser cookie into out, and its hash; false when there
 * is none or it is not of our shape (then it names no session).
 */
bool	cookie_get(const struct req *, enum cookie_kind,
	    char out[COOKIE_VALUE_LEN + 1], uint8_t hash[SHA256_LEN]);
/* A new cookie value and its hash.  0 or -1. */
int	cookie_new(char out[COOKIE_VALUE_LEN + 1], uint8_t hash[SHA256_LEN]);
/* Send it with the response (a new browser session). */
void	cookie_set(struct req *, enum cookie_kind, const char *value);
/* Tell the browser to forget it. */
void	cookie_clear(struct req *, enum cookie_kind);
/*
 * The hash of the browser's COOKIE_BROWSER cookie; a browser without
 * one gets a new one with this response.  0 or -1.
 */
int	cookie_browser(struct req *, uint8_t hash[SHA256_LEN]);

#endif
