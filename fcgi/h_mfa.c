/*
 * Second factors (SECURITY.md C-T25): the caller's own TOTP enrolment,
 * activation, removal and recovery codes, and an admin's reset of
 * someone else's.  The secret, the codes and the QR code go only to the
 * client that asked, never to a log or an audit row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounds.h"
#include "config.h"
#include "crypto.h"
#include "handlers.h"
#include "json.h"
#include "login.h"
#include "mfa.h"
#include "qr.h"
#include "req.h"
#include "sessions.h"
#include "totp.h"
#include "users.h"
#include "worker.h"

#define MFA_ISSUER	"Genesis IAM"
#define MAX_CODE_CHARS	MFA_RECOVERY_MAX_INPUT
#define URI_CAP		(64 + 3 * 400 + TOTP_SECRET_B32_LEN + 128)

static enum ierr
not_enabled(struct req *r)
{
	r->detail = "Two-factor authentication is not enabled";
	return IERR_CONFLICT;
}

static enum ierr
already_enabled(struct req *r)
{
	r->detail = "Two-factor authentication is already enabled";
	return IERR_CONFLICT;
}

/* Percent-encode s (RFC 3986: all but the unreserved characters). */
static void
pct_append(char *out, size_t cap, size_t *n, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 ch;

	for (; *s != '\0' && *n + 4 < cap; s++) {
		ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~')
			out[(*n)++] = (char)ch;
		else {
			out[(*n)++] = '%';
			out[(*n)++] = hex[ch >> 4];
			out[(*n)++] = hex[ch & 15];
		}
	}
	out[*n] = '\0';
}

/*
 * The key URI of Google Authenticator's format, which every app reads:
 * otpauth://totp/ISSUER:USER?secret=...&issuer=ISSUER&...
 */
static void
otpauth_uri(const char *username, const char *b32, char out[URI_CAP])
{
	size_t	 n = 0;

	n = (size_t)snprintf(out, URI_CAP, "otpauth://totp/");
	pct_append(out, URI_CAP, &n, MFA_ISSUER);
	out[n++] = ':';
	pct_append(out, URI_CAP, &n, username);
	snprintf(out + n, URI_CAP - n, "?secret=%s&issuer=", b32);
	n += strlen(out + n);
	pct_append(out, URI_CAP, &n, MFA_ISSUER);
	snprintf(out + n, URI_CAP - n, "&algorithm=SHA1&digits=%d&period=%d",
	    TOTP_DIGITS, TOTP_STEP);
}

/* The password and the code of the body, those asked for (each required). */
static enum ierr
body_fields(struct req *r, struct jstr *pw, struct jstr *code)
{
	if (pw != NULL) {
		json_get_str(r->json, "password", MAX_PASSWORD_BYTES, false, pw,
		    &r->errs);
		json_require(pw, "password", &r->errs);
	}
	if (code != NULL) {
		json_get_str(r->json, "code", MAX_CODE_CHARS, false, code,
		    &r->errs);
		json_require(code, "code", &r->errs);
	}
	return r->errs.n > 0 ? IERR_INVALID : IERR_OK;
}

static bool
is_totp_code(const char *s, size_t len)
{
	size_t	 i;

	if (len != TOTP_DIGITS)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * The caller's second factor again: a current TOTP code, or one of the
 * unused recovery codes (then spent), for a user who lost the device.
 * A wrong one counts as a failed login (login_reauth_failed).
 */
static enum ierr
second_factor_ok(struct req *r, const struct jstr *code)
{
	uint8_t		 hash[SHA256_LEN];
	bool		 ok = false;
	enum ierr	 e;

	if (is_totp_code(code->s, code->len)) {
		if ((e = login_totp_ok(r, r->who.uid, code->s, code->len,
		    &ok)) != IERR_OK)
			return e;
		if (ok)
			return IERR_OK;
		return login_reauth_failed(r, "bad_otp");
	}
	if (mfa_recovery_hash(code->s, code->len, hash) == 0 &&
	    (e = mfa_recovery_use(r->w->db, r->who.uid, hash, &ok)) != IERR_OK)
		return e;
	if (!ok)
		return login_reauth_failed(r, "bad_recovery_code");
	(void)req_audit(r, "mfa_recovery_code_used", "success", r->who.uid,
	    r->who.sid, "reauth");
	return IERR_OK;
}

/* New recovery codes for the caller, written as "recovery_codes": [..]. */
static enum ierr
new_recovery_codes(struct req *r)
{
	char		 text[MFA_RECOVERY_CODES][MFA_RECOVERY_TEXT + 1];
	uint8_t		 hash[MFA_RECOVERY_CODES][SHA256_LEN];
	size_t		 i;
	enum ierr	 e = IERR_OK;

	for (i = 0; i < MFA_RECOVERY_CODES && e == IERR_OK; i++)
		if (mfa_recovery_new(text[i], hash[i]) == -1)
			e = IERR_INTERNAL;
	if (e == IERR_OK &&
	    (e = mfa_recovery_replace(r->w->db, r->who.uid, hash)) == IERR_OK) {
		jsonw_key(&r->out, "recovery_codes");
		jsonw_arr_open(&r->out);
		for (i = 0; i < MFA_RECOVERY_CODES; i++)
			jsonw_str(&r->out, text[i]);
		jsonw_arr_close(&r->out);
	}
	crypto_wipe(text, sizeof(text));
	return e;
}

enum ierr
h_mfa_status(struct req *r)
{
	struct mfa_totp	 t;
	unsigned	 left = 0;
	enum ierr	 e;
	bool		 found;

	e = mfa_totp_get(r->w->db, r->who.uid, &t);
	if (e != IERR_OK && e != IERR_NOT_FOUND)
		return e;
	found = e == IERR_OK;
	if (found && t.active &&
	    (e = mfa_recovery_left(r->w->db, r->who.uid, &left)) != IERR_OK)
		return e;
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "totp", !found ? "none" : t.active ? "active" :
	    "pending");
	jsonw_key(&r->out, "totp_activated_at");
	jsonw_str_or_null(&r->out, found && t.active ? t.activated_at : NULL);
	jsonw_kv_int(&r->out, "recovery_codes_left", left);
	jsonw_kv_bool(&r->out, "required",
	    config_mfa_required(r->w->cfg, r->who.role));
	jsonw_obj_close(&r->out);
	crypto_wipe(&t, sizeof(t));
	return IERR_OK;
}

enum ierr
h_mfa_totp_begin(struct req *r)
{
	struct jstr	 pw;
	uint8_t		 secret[TOTP_SECRET_LEN], sealed[MFA_SEALED_LEN];
	char		 b32[TOTP_SECRET_B32_LEN + 1], uri[URI_CAP];
	char		*svg = NULL;
	bool		 active, stored;
	enum ierr	 e;

	if ((e = body_fields(r, &pw, NULL)) != IERR_OK ||
	    (e = login_reauth(r, pw.s, pw.len)) != IERR_OK)
		return e;
	if ((e = mfa_totp_active(r->w->db, r->who.uid, &active)) != IERR_OK)
		return e;
	if (active)
		return already_enabled(r);
	if (crypto_random(secret, sizeof(secret)) == -1 ||
	    mfa_seal(r->w->mfa_key, r->who.uid, secret, sealed) == -1 ||
	    totp_base32(secret, b32) == -1) {
		e = IERR_INTERNAL;
		goto out;
	}
	if ((e = mfa_totp_put_pending(r->w->db, r->who.uid, sealed,
	    &stored)) != IERR_OK)
		goto out;
	if (!stored) {
		e = already_enabled(r);
		goto out;
	}
	otpauth_uri(r->who.username, b32, uri);
	if ((svg = qr_svg(uri, strlen(uri))) == NULL) {
		e = IERR_INTERNAL;
		goto out;
	}
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "secret", b32);
	jsonw_kv_str(&r->out, "otpauth_uri", uri);
	jsonw_kv_str(&r->out, "qr_svg", svg);
	jsonw_obj_close(&r->out);
	r->status = 201;
	(void)req_audit(r, "mfa_enrol", "started", r->who.uid, r->who.sid,
	    "totp");
out:
	crypto_wipe(secret, sizeof(secret));
	crypto_wipe(b32, sizeof(b32));
	crypto_wipe(uri, sizeof(uri));
	if (svg != NULL)
		crypto_wipe(svg, strlen(svg));
	free(svg);
	return e;
}

enum ierr
h_mfa_totp_activate(struct req *r)
{
	struct jstr		 code;
	struct mfa_totp		 t;
	uint8_t			 secret[TOTP_SECRET_LEN];
	unsigned long long	 revoked = 0;
	long long		 step;
	bool			 match, won;
	enum ierr		 e;

	if ((e = body_fields(r, NULL, &code)) != IERR_OK)
		return e;
	e = mfa_totp_get(r->w->db, r->who.uid, &t);
	if (e == IERR_NOT_FOUND) {
		r->detail = "No two-factor enrolment is pending";
		return IERR_CONFLICT;
	}
	if (e != IERR_OK)
		return e;
	if (t.active)
		return already_enabled(r);
	if (mfa_open(r->w->mfa_key, r->who.uid, &t, secret) == -1)
		return IERR_INTERNAL;
	match = totp_check(secret, sizeof(secret), (long long)time(NULL), -1,
	    code.s, code.len, &step);
	crypto_wipe(secret, sizeof(secret));
	crypto_wipe(&t, sizeof(t));
	won = false;
	if (match && (e = mfa_totp_activate(r->w->db, r->who.uid, step,
	    &won)) != IERR_OK)
		return e;
	if (!won) {
		(void)req_audit(r, "mfa_enrol", "failure", r->who.uid,
		    r->who.sid, "bad_otp");
		r->detail = "Invalid two-factor code";
		return IERR_BAD_REQUEST;
	}
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "message", "Two-factor authentication enabled");
	if ((e = new_recovery_codes(r)) != IERR_OK)
		return e;
	/* A new factor ends the sessions a thief may hold (C-T25). */
	if ((e = sessions_revoke_user(r->w->db, r->who.uid, r->who.sid,
	    "mfa_enrolled", &revoked)) != IERR_OK)
		return e;
	jsonw_kv_int(&r->out, "sessions_revoked", (long long)revoked);
	jsonw_obj_close(&r->out);
	(void)req_audit(r, "mfa_enrol", "success", r->who.uid, r->who.sid,
	    "totp");
	return IERR_OK;
}

enum ierr
h_mfa_totp_remove(struct req *r)
{
	struct jstr		 pw, code;
	unsigned long long	 revoked = 0;
	bool			 active, found;
	enum ierr		 e;

	if ((e = body_fields(r, &pw, &code)) != IERR_OK ||
	    (e = login_reauth(r, pw.s, pw.len)) != IERR_OK ||
	    (e = mfa_totp_active(r->w->db, r->who.uid, &active)) != IERR_OK)
		return e;
	if (!active)
		return not_enabled(r);
	if ((e = second_factor_ok(r, &code)) != IERR_OK ||
	    (e = mfa_remove(r->w->db, r->who.uid, &found)) != IERR_OK ||
	    (e = sessions_revoke_user(r->w->db, r->who.uid, r->who.sid,
	    "mfa_removed", &revoked)) != IERR_OK)
		return e;
	(void)req_audit(r, "mfa_remove", "success", r->who.uid, r->who.sid,
	    "totp");
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "message", "Two-factor authentication disabled");
	jsonw_kv_int(&r->out, "sessions_revoked", (long long)revoked);
	jsonw_obj_close(&r->out);
	return IERR_OK;
}

enum ierr
h_mfa_recovery_codes(struct req *r)
{
	struct jstr	 pw, code;
	bool		 active;
	enum ierr	 e;

	if ((e = body_fields(r, &pw, &code)) != IERR_OK ||
	    (e = login_reauth(r, pw.s, pw.len)) != IERR_OK ||
	    (e = mfa_totp_active(r->w->db, r->who.uid, &active)) != IERR_OK)
		return e;
	if (!active)
		return not_enabled(r);
	if ((e = second_factor_ok(r, &code)) != IERR_OK)
		return e;
	jsonw_obj_open(&r->out);
	if ((e = new_recovery_codes(r)) != IERR_OK)
		return e;
	jsonw_obj_close(&r->out);
	(void)req_audit(r, "mfa_recovery_codes", "success", r->who.uid,
	    r->who.sid, "regenerated");
	return IERR_OK;
}

/*
 * Who may reset whose: an admin a user's; only root an admin's or
 * root's (a reset is a way into the account of whoever loses it).
 */
static bool
may_reset(const char *caller_role, const char *target_role)
{
	if (strcmp(target_role, "user") == 0)
		return strcmp(caller_role, "admin") == 0 ||
		    strcmp(caller_role, "root") == 0;
	return strcmp(caller_role, "root") == 0;
}

enum ierr
h_admin_mfa_reset(struct req *r)
{
	struct user		 u;
	unsigned long long	 revoked = 0;
	bool			 found;
	enum ierr		 e;

	if (!uuid_syntax_ok(r->target, strlen(r->target)) ||
	    (e = users_get(r->w->db, r->target, &u)) == IERR_NOT_FOUND) {
		r->detail = "User not found";
		return IERR_NOT_FOUND;
	}
	if (e != IERR_OK)
		return e;
	if (!may_reset(r->who.role, u.role)) {
		(void)req_audit(r, "mfa_reset", "denied", u.id, NULL,
		    "needs_root");
		r->detail = "Only root may reset the second factor of an admin";
		return IERR_FORBIDDEN;
	}
	if ((e = mfa_remove(r->w->db, u.id, &found)) != IERR_OK ||
	    (e = sessions_revoke_user(r->w->db, u.id, NULL, "mfa_reset",
	    &revoked)) != IERR_OK)
		return e;
	(void)req_audit(r, "mfa_reset", "success", u.id, NULL,
	    found ? "totp" : "none_enrolled");
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "message", "Two-factor authentication reset");
	jsonw_kv_bool(&r->out, "had_totp", found);
	jsonw_kv_int(&r->out, "sessions_revoked", (long long)revoked);
	jsonw_obj_close(&r->out);
	return IERR_OK;
}
