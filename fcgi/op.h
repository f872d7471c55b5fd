/*
 * The steps of the authorization code flow that the authorization
 * endpoint and the hosted pages share (docs/OIDC.md): answering the
 * client with a code or an error at its redirect_uri, and deciding
 * whether the user must be asked for consent.
 */
#ifndef IDENT_OP_H
#define IDENT_OP_H

#include <stdbool.h>

#include "clients.h"
#include "ierr.h"
#include "oauth.h"

struct req;
struct jsonw;

#define OP_CODE_TTL	60	/* seconds (docs/OIDC.md) */
#define OP_REQUEST_TTL	600

/* Append "name=value" percent-encoded (RFC 3986 unreserved kept) to w. */
void		op_query_add(struct jsonw *w, bool *first, const char *name,
		    const char *value);

/*
 * A redirect error (RFC 6749 §4.1.2.1, RFC 9207): status (302, or 303
 * after a POST) to q's redirect_uri with error, error_description, the
 * exact state and iss.
 */
enum ierr	op_redirect_error(struct req *, int status,
		    const struct oauth_request *q, const char *error,
		    const char *description);

/*
 * Issue a code for q to user uid of browser session sid (signed in at
 * auth_time with amr), and send the browser back with it (status 302
 * or 303).
 */
enum ierr	op_issue_code(struct req *, int status,
		    const struct oauth_request *q, const char *uid,
		    const char *sid, long long auth_time, const char *amr);

/*
 * Must uid be asked before c gets q's scope?  Yes for prompt=consent,
 * and for a require_consent client unless a grant covers the scope.
 */
enum ierr	op_consent_needed(struct req *, const struct client *c,
		    const struct oauth_request *q, const char *uid,
		    bool *needed);

/* Is word one of the space-separated words of list? */
bool		op_has_word(const char *list, const char *word);

/* The scope's words that are in allowed, into out (a space list). */
void		op_scope_within(const char *scope, const char *allowed,
		    char *out, size_t cap);

#endif
