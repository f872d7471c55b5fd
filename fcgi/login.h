/*
 * The password login that every way in shares: POST /token, and the
 * routes built on it (an admin console's login, a hosted login page).
 * One place decides what a login costs and counts (SECURITY.md C-T2,
 * C-T16): the lockouts are checked before any hash, an unknown name
 * costs a dummy hash, every failure counts toward the per-(account,
 * address) and per-account lockouts and gets its audit row, and every
 * failure answers alike.
 */
#ifndef IDENT_LOGIN_H
#define IDENT_LOGIN_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "ierr.h"
#include "users.h"

struct req;

#define REFRESH_LEN	(3 + 43)	/* "rt_" + base64url of 32 bytes */

/* An opaque refresh token (API.md) and the SHA-256 that is stored. */
struct refresh_token {
	char	 text[REFRESH_LEN + 1];
	uint8_t	 hash[SHA256_LEN];
};

/* A new random token.  Returns 0 or -1 (logged). */
int		 refresh_new(struct refresh_token *);
/* Wipe it. */
void		 refresh_clear(struct refresh_token *);

/*
 * Check name (a username, or an email when it holds '@') and password.
 * IERR_OK: *u is the account, the password is right and the account is
 * enabled; its address's failures are forgotten and an old hash is
 * upgraded.  Every failure is IERR_UNAUTHENTICATED with API.md's one
 * detail ("Incorrect username or password"), whatever the cause;
 * IERR_FORBIDDEN "User account is deactivated" for a disabled account
 * whose password is right; IERR_UNAVAILABLE when the database fails.
 * *u's hash is wiped before it returns.
 */
enum ierr	 login_check(struct req *, const char *name, size_t namelen,
		    const char *pw, size_t pwlen, struct login_user *u);

/*
 * Count a failure of a further check of account u (after its password
 * was right) exactly as a wrong password counts, with reason in the
 * audit row.  Returns the one 401 of a failed login, or the database's
 * error.
 */
enum ierr	 login_failure(struct req *, const struct login_user *u,
		    const char *reason);

/*
 * Start a session for u (audit event "login", or event when not NULL)
 * with method as its login_method.  Writes its id into sid and its
 * refresh token into *rt.  The login record, the session and the audit
 * row commit together.
 */
enum ierr	 login_start_session(struct req *, const struct login_user *u,
		    const char *method, const char *event, char sid[37],
		    struct refresh_token *rt);

/*
 * Start the OpenID Provider's session for a browser whose cookie hashes
 * to cookie_hash (kind "browser", no refresh token), audited as a
 * "login"; its id goes into sid.
 */
enum ierr	 login_start_browser(struct req *, const struct login_user *u,
		    const char *method, const char *amr,
		    const uint8_t cookie_hash[SHA256_LEN], char sid[37]);

/*
 * Write the answer of API.md's POST /token for this user and session:
 * a new access token and the refresh token rt.
 */
enum ierr	 login_write_pair(struct req *, const char *uid,
		    const char *username, const char *role, const char *sid,
		    const struct refresh_token *rt);

#endif
