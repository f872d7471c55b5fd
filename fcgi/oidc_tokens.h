/*
 * What the OpenID Provider signs and says about a user (docs/OIDC.md
 * "Tokens", "UserInfo"): access tokens issued to clients, ID tokens, and
 * the claims of the granted scopes, shared by ID tokens and UserInfo.
 */
#ifndef IDENT_OIDC_TOKENS_H
#define IDENT_OIDC_TOKENS_H

#include <stdbool.h>

#include "ierr.h"

struct client;
struct jsonw;
struct req;
struct userinfo;

/* Who a client's tokens are about, and in which sessions. */
struct oidc_subject {
	const char	*uid;		/* NULL: the client itself */
	const char	*username;
	const char	*role;
	const char	*sid;		/* the client's session */
	const char	*browser_sid;	/* the OP session, for the ID token */
	const char	*scope;
	const char	*amr;		/* "pwd" or "pwd otp" */
	long long	 auth_time;
};

/*
 * An access token (at+jwt) for client c about s; the caller frees it.
 * NULL on failure (logged).
 */
char		*oidc_access_token(struct req *, const struct client *c,
		    const struct oidc_subject *s);
/*
 * An ID token for c about s, bound to access_token (at_hash) and nonce
 * (may be NULL or ""); the caller frees it.
 */
char		*oidc_id_token(struct req *, const struct client *c,
		    const struct oidc_subject *s, const char *access_token,
		    const char *nonce);
/*
 * The claims of scope for user uid (sub first, then email and profile
 * claims of ui; absent values left out), as members of the open object w.
 */
/* Does scope name claims beyond sub (email, profile)? */
bool		 oidc_scope_has_claims(const char *scope);
void		 oidc_claims(struct jsonw *w, const char *uid,
		    const char *scope, const struct userinfo *ui);

#endif
