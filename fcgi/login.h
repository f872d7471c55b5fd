/*
 * The password login that every way in shares: POST /token, and the
 * routes built on it (an admin console's login, a hosted login page).
 * One place decides what a login costs and counts (SECURITY.md C-T2,
 * C-T16): the lockouts are checked before any hash, an unknown name
 * costs a dummy hash, every failure counts toward the per-(account,
 * address) and per-account lockouts and gets its audit row, and every
 * failure answers alike.
 *
 * A login is: parse -> login_check -> login_second_factor ->
 * login_start_session -> login_write_pair, with the method that
 * login_second_factor gives.  The per-(account, address) failures are
 * forgotten only when the session starts, so that a right password
 * followed by wrong codes still locks the pair out.
 */
#ifndef IDENT_LOGIN_H
#define IDENT_LOGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "ierr.h"
#include "users.h"

struct form;
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
 * enabled, and an old hash is upgraded (its address's failures are
 * forgotten by login_start_session).  Every failure is IERR_UNAUTHENTICATED with API.md's one
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
 * The second factor of account u, after login_check passed (SECURITY.md
 * C-T25).  Without an active TOTP: IERR_OK and *method "password" (the
 * form's otp and recovery_code are ignored).  With one, the form must
 * hold "otp" (a code of the authenticator, each time step accepted
 * once) or "recovery_code" (one of the unused ones, then spent):
 * neither is IERR_MFA_REQUIRED (401 "Two-factor code required" with
 * "mfa_required": true, not counted as a failure); a wrong, reused or
 * malformed one is IERR_UNAUTHENTICATED "Invalid two-factor code",
 * counted as login_failure counts; both is IERR_INVALID.  On success
 * *method is "password+otp" or "password+recovery_code", for
 * login_start_session and login_write_pair.
 */
enum ierr	 login_second_factor(struct req *, const struct login_user *u,
		    const struct form *f, const char **method);
/*
 * The same with the two fields given (NULL: absent), for a way in whose
 * code arrives otherwise (a hosted page's second step).
 */
enum ierr	 login_second_factor_codes(struct req *,
		    const struct login_user *u, const char *otp, size_t otplen,
		    const char *rc, size_t rclen, const char **method);

/*
 * Whether code[0..len) is a current TOTP code of uid's active
 * authenticator, and spend its time step.  *ok false for a wrong,
 * reused or malformed code, or when uid has no active TOTP.
 */
enum ierr	 login_totp_ok(struct req *, const char *uid, const char *code,
		    size_t len, bool *ok);

/*
 * The caller's password again (the routes that change a second factor):
 * IERR_OK if pw is the password of r->who; otherwise IERR_BAD_REQUEST
 * "Incorrect password", counted as a failed login of that account from
 * this address (and refused without a hash while the pair is locked).
 */
enum ierr	 login_reauth(struct req *, const char *pw, size_t pwlen);

/*
 * Count a wrong second factor of the caller (the routes that change
 * one) as a failed login, with reason; IERR_BAD_REQUEST "Invalid
 * two-factor code", or the database's error.
 */
enum ierr	 login_reauth_failed(struct req *, const char *reason);

/*
 * Start a session for u (audit event "login", or event when not NULL)
 * with method as its login_method.  Writes its id into sid and its
 * refresh token into *rt.  The login record, the session and the audit
 * row commit together; the failures of u from this address are
 * forgotten.
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
 * Is account u locked for this address or everywhere (the checks
 * login_check makes before a hash)?  A later step of a login that
 * spans requests asks before it checks a code.
 */
bool		 login_locked(struct req *, const struct login_user *u);

/*
 * The end of a successful login (login_start_session calls it): the
 * failures of u from this address are forgotten and the login counted.
 * A way in that makes its session some other way calls it once every
 * check, the second factor included, has passed.
 */
void		 login_succeeded(struct req *, const struct login_user *u);

/*
 * Write the answer of API.md's POST /token for this user and session:
 * a new access token, whose auth_method claim is method (the session's
 * login_method: "password", "password+otp", ...), and the refresh token
 * rt.
 */
enum ierr	 login_write_pair(struct req *, const char *uid,
		    const char *username, const char *role, const char *sid,
		    const char *method, const struct refresh_token *rt);

#endif
