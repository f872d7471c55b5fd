/*
 * CSRF tokens of the hosted pages' forms (SECURITY.md C-T22).  A login
 * or consent form carries a token bound to its pending authorization
 * request: HMAC-SHA-256 of the request's id under client_secret_key, so
 * the token of one request is worth nothing for another (and the request
 * itself is bound to the browser that started it: cookie.h).  The logout
 * confirmation, which has no request, carries a token bound to the
 * browser session: the same MAC of its cookie.  Each MAC has a purpose
 * prefix of its own.
 */
#ifndef IDENT_CSRF_H
#define IDENT_CSRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct req;

#define CSRF_LEN	43

/* The token of the request whose id is req_id. */
void	csrf_for_request(const struct req *, const char *req_id,
	    char out[CSRF_LEN + 1]);
/* The logout form's token for the browser cookie value cookie. */
void	csrf_for_browser(const struct req *, const char *cookie,
	    char out[CSRF_LEN + 1]);
bool	csrf_browser_ok(const struct req *, const char *cookie,
	    const char *tok, size_t len);

#endif
