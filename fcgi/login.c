/*
 * The password login shared by every way in (login.h).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "bounds.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "form.h"
#include "jwt.h"
#include "log.h"
#include "login.h"
#include "metrics.h"
#include "mfa.h"
#include "pwhash.h"
#include "ratelimit.h"
#include "req.h"
#include "sessions.h"
#include "totp.h"
#include "useragent.h"
#include "users.h"
#include "worker.h"

#define REFRESH_RAW	32
#define SCOPE		"openid profile email"

int
refresh_new(struct refresh_token *t)
{
	uint8_t	 raw[REFRESH_RAW];

	if (crypto_random(raw, sizeof(raw)) == -1)
		return -1;
	memcpy(t->text, "rt_", 3);
	b64_encode(B64_URL, raw, sizeof(raw), t->text + 3);
	crypto_wipe(raw, sizeof(raw));
	crypto_sha256(t->text, REFRESH_LEN, t->hash);
	return 0;
}

void
refresh_clear(struct refresh_token *t)
{
	crypto_wipe(t, sizeof(*t));
}

enum ierr
login_write_pair(struct req *r, const char *uid, const char *username,
    const char *role, const char *sid, const char *method,
    const struct refresh_token *rt)
{
	const struct config	*cfg = r->w->cfg;
	struct jwt_claims	 c;
	char			*at;
	long long		 now = (long long)time(NULL);

	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s", uid);
	snprintf(c.sid, sizeof(c.sid), "%s", sid);
	snprintf(c.username, sizeof(c.username), "%s", username);
	snprintf(c.role, sizeof(c.role), "%s", role);
	if (crypto_uuid4(c.jti) == -1)
		return IERR_INTERNAL;
	c.iat = c.nbf = now;
	c.exp = now + cfg->access_token_ttl;
	if ((at = jwt_sign(r->w->keys, cfg->jwt_issuer, cfg->jwt_audience, &c,
	    SCOPE, method)) == NULL)
		return IERR_INTERNAL;
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "access_token", at);
	jsonw_kv_str(&r->out, "refresh_token", rt->text);
	jsonw_kv_str(&r->out, "token_type", "bearer");
	jsonw_kv_int(&r->out, "expires_in", cfg->access_token_ttl);
	jsonw_obj_close(&r->out);
	crypto_wipe(at, strlen(at));
	free(at);
	return IERR_OK;
}

/* User-Agent for the sessions list: printable ASCII, at most 255 bytes. */
static void
user_agent(const struct req *r, char out[256])
{
	const char	*ua = req_param(r, "HTTP_USER_AGENT");
	size_t		 i;

	for (i = 0; ua != NULL && ua[i] != '\0' && i < 255; i++)
		out[i] = (ua[i] >= 0x20 && ua[i] < 0x7f) ? ua[i] : '?';
	out[i] = '\0';
}

static enum ierr
bad_credentials(struct req *r)
{
	metrics_inc(r->w, M_LOGIN_FAILURE);
	r->detail = "Incorrect username or password";
	return IERR_UNAUTHENTICATED;
}

/*
 * The key of an (account, client address) pair: the user id when the
 * account exists, else the name as typed (lowercased), so that unknown
 * names lock the same way and cost the same.
 */
static size_t
pair_key(const struct req *r, const struct login_user *u, bool found,
    const char *name, size_t namelen, char *out, size_t cap)
{
	char	 client[64];
	size_t	 i, n;

	rl_client_key(r->client, client, sizeof(client));
	if (found)
		return (size_t)snprintf(out, cap, "u:%s#%llu|%s", u->id,
		    (unsigned long long)lockout_epoch(r->w->shm, u->id,
		    strlen(u->id)), client);
	n = (size_t)snprintf(out, cap, "n:");
	for (i = 0; i < namelen && n + 1 < cap; i++)
		out[n++] = (char)tolower((unsigned char)name[i]);
	return n + (size_t)snprintf(out + n, cap - n, "|%s", client);
}

struct failure_tx {
	struct req		*r;
	const struct login_user	*u;
	const char		*reason;
	bool			 pair_locked;
	bool			 account_locked;
};

static enum ierr
failure_body(struct db *db, void *arg)
{
	struct failure_tx	*t = arg;
	struct req		*r = t->r;
	const struct config	*cfg = r->w->cfg;
	const char		*uid = t->u->id;
	enum ierr		 e;

	if ((e = users_login_failed(db, uid, cfg->account_lockout_threshold,
	    cfg->account_lockout_seconds, &t->account_locked)) != IERR_OK ||
	    (e = req_audit(r, "login", "failure", uid, NULL,
	    t->reason)) != IERR_OK ||
	    (t->pair_locked && (e = req_audit(r, "lockout", "address", uid,
	    NULL, "consecutive_failures")) != IERR_OK))
		return e;
	if (t->account_locked)
		e = req_audit(r, "lockout", "account", uid, NULL,
		    "consecutive_failures");
	return e;
}

/* A failure: count it everywhere it counts. */
static enum ierr
login_failed(struct req *r, const struct login_user *u, bool found,
    const char *pair, size_t pairlen, const char *reason)
{
	const struct config	*cfg = r->w->cfg;
	struct lockout_rule	 rule = { cfg->lockout_threshold,
	    cfg->lockout_base_seconds, cfg->lockout_max_seconds };
	struct failure_tx	 t = { r, u, reason, false, false };
	unsigned		 secs;
	enum ierr		 e;

	if ((secs = lockout_fail(r->w->shm, pair, pairlen, &rule)) > 0)
		metrics_inc(r->w, M_LOCKOUT);
	if (!found) {
		(void)req_audit(r, "login", "failure", NULL, NULL, reason);
		if (secs > 0)
			(void)req_audit(r, "lockout", "address", NULL, NULL,
			    "consecutive_failures");
		return bad_credentials(r);
	}
	/* The count, the lock and their audit rows commit together. */
	t.pair_locked = secs > 0;
	if ((e = db_tx(r->w->db, failure_body, &t)) != IERR_OK)
		return e;
	if (t.account_locked)
		metrics_inc(r->w, M_LOCKOUT);
	return bad_credentials(r);
}

enum ierr
login_failure(struct req *r, const struct login_user *u, const char *reason)
{
	char	 pair[512];
	size_t	 pairlen;

	pairlen = pair_key(r, u, true, NULL, 0, pair, sizeof(pair));
	return login_failed(r, u, true, pair, pairlen, reason);
}

/* bcrypt from the original service, or weaker argon2: upgrade it now. */
static void
rehash(struct req *r, const char *uid, const char *pw, size_t pwlen)
{
	char	*hash;

	if ((hash = pwhash_make(pw, pwlen)) == NULL)
		return;
	if (users_set_hash(r->w->db, uid, hash) != IERR_OK)
		log_reason(LOG_LVL_WARN, "rehash_failed", "kept the old hash");
	crypto_wipe(hash, strlen(hash));
	free(hash);
}

struct session_tx {
	struct req		*r;
	const struct session_new *s;
	const char		*event;
};

static enum ierr
session_body(struct db *db, void *arg)
{
	const struct session_tx	*t = arg;
	enum ierr		 e;

	if ((e = users_record_login(db, t->s->user_id,
	    t->s->method)) != IERR_OK ||
	    (e = sessions_create(db, t->s)) != IERR_OK)
		return e;
	return req_audit(t->r, t->event != NULL ? t->event : "login",
	    "success", t->s->user_id, t->s->id, NULL);
}

/* Record the login, create session s and its audit row: one commit. */
static enum ierr
start(struct req *r, const struct login_user *u, const char *event,
    struct session_new *s)
{
	const struct config	*cfg = r->w->cfg;
	struct session_tx	 t = { r, s, event };
	char			 ua[256], device[UA_NAME_MAX];
	enum ierr		 e;

	user_agent(r, ua);
	s->user_id = u->id;
	s->ip = r->client;
	s->user_agent = ua[0] != '\0' ? ua : NULL;
	ua_device_name(s->user_agent, device, sizeof(device));
	s->device_name = device[0] != '\0' ? device : NULL;
	s->ttl = cfg->refresh_token_ttl;
	s->max_lifetime = cfg->session_max_lifetime;
	/*
	 * The login record, the session and its audit row: one transaction,
	 * run again whole if it loses a conflict (db_tx).  The user's row is
	 * updated first: inserting the session takes a shared lock on it
	 * (the foreign key), and two logins that both held that before
	 * asking for the row's write lock would deadlock.
	 */
	if ((e = db_tx(r->w->db, session_body, &t)) != IERR_OK)
		return e;
	login_succeeded(r, u);
	return IERR_OK;
}

bool
login_locked(struct req *r, const struct login_user *u)
{
	char	 pair[512];
	size_t	 pairlen;

	pairlen = pair_key(r, u, true, NULL, 0, pair, sizeof(pair));
	return u->locked || lockout_remaining(r->w->shm, pair, pairlen) > 0;
}

enum ierr
login_start_session(struct req *r, const struct login_user *u,
    const char *method, const char *event, char sid[37],
    struct refresh_token *rt)
{
	struct session_new	 s;

	memset(&s, 0, sizeof(s));
	if (crypto_uuid4(sid) == -1 || refresh_new(rt) == -1)
		return IERR_INTERNAL;
	s.id = sid;
	s.hash = rt->hash;
	s.method = method;
	return start(r, u, event, &s);
}

enum ierr
login_start_browser(struct req *r, const struct login_user *u,
    const char *method, const char *amr, const uint8_t cookie_hash[SHA256_LEN],
    char sid[37])
{
	struct refresh_token	 unused;
	struct session_new	 s;
	enum ierr		 e;

	memset(&s, 0, sizeof(s));
	/* A browser session has no refresh token; its column wants a value. */
	if (crypto_uuid4(sid) == -1 || refresh_new(&unused) == -1)
		return IERR_INTERNAL;
	s.id = sid;
	s.hash = unused.hash;
	s.method = method;
	s.kind = "browser";
	s.browser_hash = cookie_hash;
	s.amr = amr;
	e = start(r, u, "login", &s);
	refresh_clear(&unused);
	return e;
}

void
login_succeeded(struct req *r, const struct login_user *u)
{
	char	 pair[512];
	size_t	 pairlen;

	/* Every check passed, the second factor's too. */
	pairlen = pair_key(r, u, true, NULL, 0, pair, sizeof(pair));
	lockout_reset(r->w->shm, pair, pairlen);
	metrics_inc(r->w, M_LOGIN_SUCCESS);
}

enum ierr
login_check(struct req *r, const char *name, size_t namelen, const char *pw,
    size_t pwlen, struct login_user *u)
{
	enum pwhash_result	 res;
	char			 pair[512];
	size_t			 pairlen;
	bool			 found;
	enum ierr		 e;

	memset(u, 0, sizeof(*u));
	/* Over-long input cannot be a stored account or password. */
	if (namelen == 0 || namelen > MAX_EMAIL_BYTES || pwlen == 0 ||
	    pwlen > MAX_PASSWORD_BYTES) {
		pwhash_dummy(pw, pwlen > 64 ? 64 : pwlen);
		(void)req_audit(r, "login", "failure", NULL, NULL, "malformed");
		return bad_credentials(r);
	}
	e = users_for_login(r->w->db, name, namelen, u);
	if (e != IERR_OK && e != IERR_NOT_FOUND)
		return e;
	found = e == IERR_OK;
	pairlen = pair_key(r, u, found, name, namelen, pair, sizeof(pair));
	/* A locked pair or account costs no hash (SECURITY.md C-T2). */
	if (lockout_remaining(r->w->shm, pair, pairlen) > 0 ||
	    (found && u->locked)) {
		(void)req_audit(r, "login", "failure", found ? u->id : NULL,
		    NULL, u->locked ? "account_locked" : "address_locked");
		e = bad_credentials(r);
		goto out;
	}
	if (!found) {
		pwhash_dummy(pw, pwlen);
		e = login_failed(r, u, false, pair, pairlen, "unknown_user");
		goto out;
	}
	res = pwhash_verify(u->hash, pw, pwlen);
	if (res != PWH_MATCH && res != PWH_MATCH_REHASH) {
		e = login_failed(r, u, true, pair, pairlen, "bad_password");
		goto out;
	}
	if (u->disabled) {
		(void)req_audit(r, "login", "failure", u->id, NULL, "disabled");
		r->detail = "User account is deactivated";
		e = IERR_FORBIDDEN;
		goto out;
	}
	if (res == PWH_MATCH_REHASH)
		rehash(r, u->id, pw, pwlen);
	e = IERR_OK;
out:
	crypto_wipe(u->hash, sizeof(u->hash));
	return e;
}

enum ierr
login_totp_ok(struct req *r, const char *uid, const char *code, size_t len,
    bool *ok)
{
	struct mfa_totp	 t;
	uint8_t		 secret[TOTP_SECRET_LEN];
	long long	 step;
	bool		 match;
	enum ierr	 e;

	*ok = false;
	if ((e = mfa_totp_get(r->w->db, uid, &t)) == IERR_NOT_FOUND ||
	    (e == IERR_OK && !t.active))
		return IERR_OK;
	if (e != IERR_OK)
		return e;
	if (mfa_open(r->w->mfa_key, uid, &t, secret) == -1)
		return IERR_INTERNAL;
	match = totp_check(secret, sizeof(secret), (long long)time(NULL),
	    t.last_step, code, len, &step);
	crypto_wipe(secret, sizeof(secret));
	crypto_wipe(&t, sizeof(t));
	if (!match)
		return IERR_OK;
	/* Two requests with one code: the guarded UPDATE lets one win. */
	return mfa_totp_use_step(r->w->db, uid, step, ok);
}

static enum ierr
bad_code(struct req *r, const struct login_user *u, const char *reason)
{
	enum ierr	 e;

	if ((e = login_failure(r, u, reason)) == IERR_UNAUTHENTICATED)
		r->detail = "Invalid two-factor code";
	return e;
}

enum ierr
login_second_factor(struct req *r, const struct login_user *u,
    const struct form *f, const char **method)
{
	const char	*otp, *rc;
	size_t		 otplen = 0, rclen = 0;

	otp = form_get(f, "otp", &otplen);
	rc = form_get(f, "recovery_code", &rclen);
	return login_second_factor_codes(r, u, otp, otplen, rc, rclen, method);
}

enum ierr
login_second_factor_codes(struct req *r, const struct login_user *u,
    const char *otp, size_t otplen, const char *rc, size_t rclen,
    const char **method)
{
	uint8_t		 hash[SHA256_LEN];
	bool		 active, ok = false;
	enum ierr	 e;

	*method = "password";
	if ((e = mfa_totp_active(r->w->db, u->id, &active)) != IERR_OK ||
	    !active)
		return e;
	if (otp != NULL && rc != NULL) {
		verr_add(&r->errs, "body", "otp", "Send otp or recovery_code, "
		    "not both", "value_error");
		return IERR_INVALID;
	}
	if (otp == NULL && rc == NULL) {
		(void)req_audit(r, "mfa_challenge", "denied", u->id, NULL,
		    "code_required");
		return IERR_MFA_REQUIRED;
	}
	if (otp != NULL) {
		if ((e = login_totp_ok(r, u->id, otp, otplen, &ok)) != IERR_OK)
			return e;
		if (!ok)
			return bad_code(r, u, "bad_otp");
		*method = "password+otp";
		(void)req_audit(r, "mfa_verify", "success", u->id, NULL, "otp");
		return IERR_OK;
	}
	if (mfa_recovery_hash(rc, rclen, hash) == 0 &&
	    (e = mfa_recovery_use(r->w->db, u->id, hash, &ok)) != IERR_OK)
		return e;
	if (!ok)
		return bad_code(r, u, "bad_recovery_code");
	*method = "password+recovery_code";
	(void)req_audit(r, "mfa_recovery_code_used", "success", u->id, NULL,
	    NULL);
	return IERR_OK;
}

/* The caller as a login_user: what login_failure counts against. */
static void
caller(const struct req *r, struct login_user *u)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->id, sizeof(u->id), "%s", r->who.uid);
	snprintf(u->username, sizeof(u->username), "%s", r->who.username);
	snprintf(u->role, sizeof(u->role), "%s", r->who.role);
}

enum ierr
login_reauth(struct req *r, const char *pw, size_t pwlen)
{
	struct login_user	 u;
	enum pwhash_result	 res;
	char			 stored[512], pair[512];
	const char		*refused = NULL;
	size_t			 pairlen;
	bool			 locked;
	enum ierr		 e;

	caller(r, &u);
	r->detail = "Incorrect password";
	pairlen = pair_key(r, &u, true, NULL, 0, pair, sizeof(pair));
	/* As login_check: a locked pair or account costs no hash. */
	if ((e = users_locked(r->w->db, u.id, &locked)) != IERR_OK)
		return e;
	if (pwlen == 0 || pwlen > MAX_PASSWORD_BYTES)
		refused = "malformed";
	else if (lockout_remaining(r->w->shm, pair, pairlen) > 0)
		refused = "address_locked";
	else if (locked)
		refused = "account_locked";
	if (refused != NULL) {
		(void)req_audit(r, "reauth", "failure", u.id, r->who.sid,
		    refused);
		return IERR_BAD_REQUEST;
	}
	if ((e = users_hash(r->w->db, u.id, stored, sizeof(stored))) != IERR_OK)
		return e;
	res = pwhash_verify(stored, pw, pwlen);
	crypto_wipe(stored, sizeof(stored));
	if (res == PWH_MATCH || res == PWH_MATCH_REHASH) {
		r->detail = NULL;
		return IERR_OK;
	}
	e = login_failed(r, &u, true, pair, pairlen, "reauth_bad_password");
	r->detail = "Incorrect password";
	return e == IERR_UNAUTHENTICATED ? IERR_BAD_REQUEST : e;
}

enum ierr
login_reauth_failed(struct req *r, const char *reason)
{
	struct login_user	 u;
	enum ierr		 e;

	caller(r, &u);
	e = login_failure(r, &u, reason);
	r->detail = "Invalid two-factor code";
	return e == IERR_UNAUTHENTICATED ? IERR_BAD_REQUEST : e;
}
