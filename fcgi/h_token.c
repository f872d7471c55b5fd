/*
 * Login, refresh, validation, logout and the JWKS: the token routes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "auth.h"
#include "b64.h"
#include "bounds.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "form.h"
#include "handlers.h"
#include "jwt.h"
#include "log.h"
#include "metrics.h"
#include "pwhash.h"
#include "ratelimit.h"
#include "req.h"
#include "sessions.h"
#include "users.h"
#include "worker.h"

#define REFRESH_RAW	32
#define REFRESH_LEN	(3 + 43)	/* "rt_" + base64url of 32 bytes */
#define SCOPE		"openid profile email"

struct refresh_token {
	char	 text[REFRESH_LEN + 1];
	uint8_t	 hash[SHA256_LEN];
};

static int
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

static void
refresh_clear(struct refresh_token *t)
{
	crypto_wipe(t, sizeof(*t));
}

/* Write the token pair of API.md for this user and session. */
static enum ierr
issue_pair(struct req *r, const char *uid, const char *username,
    const char *role, const char *sid, const struct refresh_token *rt)
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
	    SCOPE, "password")) == NULL)
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

/* A wrong password or unknown name: count it everywhere it counts. */
static enum ierr
login_failed(struct req *r, const struct login_user *u, bool found,
    const char *pair, size_t pairlen)
{
	const struct config	*cfg = r->w->cfg;
	struct lockout_rule	 rule = { cfg->lockout_threshold,
	    cfg->lockout_base_seconds, cfg->lockout_max_seconds };
	unsigned		 secs;
	bool			 account_locked = false;
	enum ierr		 e;

	if ((secs = lockout_fail(r->w->shm, pair, pairlen, &rule)) > 0)
		metrics_inc(r->w, M_LOCKOUT);
	if (!found) {
		(void)req_audit(r, "login", "failure", NULL, NULL, "unknown_user");
		if (secs > 0)
			(void)req_audit(r, "lockout", "address", NULL, NULL,
			    "consecutive_failures");
		return bad_credentials(r);
	}
	/* The count, the lock and their audit rows commit together. */
	if ((e = db_begin(r->w->db)) != IERR_OK)
		return e;
	if ((e = users_login_failed(r->w->db, u->id,
	    cfg->account_lockout_threshold, cfg->account_lockout_seconds,
	    &account_locked)) != IERR_OK ||
	    (e = req_audit(r, "login", "failure", u->id, NULL,
	    "bad_password")) != IERR_OK ||
	    (secs > 0 && (e = req_audit(r, "lockout", "address", u->id, NULL,
	    "consecutive_failures")) != IERR_OK) ||
	    (account_locked && (e = req_audit(r, "lockout", "account", u->id,
	    NULL, "consecutive_failures")) != IERR_OK) ||
	    (e = db_commit(r->w->db)) != IERR_OK) {
		db_rollback(r->w->db);
		return e;
	}
	if (account_locked)
		metrics_inc(r->w, M_LOCKOUT);
	return bad_credentials(r);
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

static enum ierr
start_session(struct req *r, const struct login_user *u)
{
	const struct config	*cfg = r->w->cfg;
	struct refresh_token	 rt;
	struct session_new	 s;
	char			 sid[37], ua[256];
	enum ierr		 e;

	if (crypto_uuid4(sid) == -1 || refresh_new(&rt) == -1)
		return IERR_INTERNAL;
	user_agent(r, ua);
	s.id = sid;
	s.user_id = u->id;
	s.hash = rt.hash;
	s.ip = r->client;
	s.user_agent = ua[0] != '\0' ? ua : NULL;
	s.method = "password";
	s.ttl = cfg->refresh_token_ttl;
	s.max_lifetime = cfg->session_max_lifetime;
	/*
	 * The login record, the session and its audit row: one transaction.
	 * The user's row is updated first: inserting the session takes a
	 * shared lock on it (the foreign key), and two logins that both held
	 * that before asking for the row's write lock would deadlock.
	 */
	if ((e = db_begin(r->w->db)) != IERR_OK)
		goto out;
	if ((e = users_record_login(r->w->db, u->id, "password")) != IERR_OK ||
	    (e = sessions_create(r->w->db, &s)) != IERR_OK ||
	    (e = req_audit(r, "login", "success", u->id, sid, NULL)) != IERR_OK ||
	    (e = db_commit(r->w->db)) != IERR_OK) {
		db_rollback(r->w->db);
		goto out;
	}
	e = issue_pair(r, u->id, u->username, u->role, sid, &rt);
	if (e == IERR_OK)
		metrics_inc(r->w, M_LOGIN_SUCCESS);
out:
	refresh_clear(&rt);
	return e;
}

static enum ierr
password_grant(struct req *r, const struct form *f)
{
	struct login_user	 u;
	enum pwhash_result	 res;
	char			 pair[512];
	const char		*name, *pw;
	size_t			 namelen, pwlen, pairlen;
	bool			 found;
	enum ierr		 e;

	name = form_get(f, "username", &namelen);
	pw = form_get(f, "password", &pwlen);
	if (name == NULL)
		verr_add(&r->errs, "body", "username", "Field required", "missing");
	if (pw == NULL)
		verr_add(&r->errs, "body", "password", "Field required", "missing");
	if (r->errs.n > 0)
		return IERR_INVALID;
	/* Over-long input cannot be a stored account or password. */
	if (namelen == 0 || namelen > MAX_EMAIL_BYTES || pwlen == 0 ||
	    pwlen > MAX_PASSWORD_BYTES) {
		pwhash_dummy(pw, pwlen > 64 ? 64 : pwlen);
		(void)req_audit(r, "login", "failure", NULL, NULL, "malformed");
		return bad_credentials(r);
	}
	e = users_for_login(r->w->db, name, namelen, &u);
	if (e != IERR_OK && e != IERR_NOT_FOUND)
		return e;
	found = e == IERR_OK;
	pairlen = pair_key(r, &u, found, name, namelen, pair, sizeof(pair));
	/* A locked pair or account costs no hash (SECURITY.md C-T2). */
	if (lockout_remaining(r->w->shm, pair, pairlen) > 0 ||
	    (found && u.locked)) {
		(void)req_audit(r, "login", "failure", found ? u.id : NULL,
		    NULL, u.locked ? "account_locked" : "address_locked");
		e = bad_credentials(r);
		goto out;
	}
	if (!found) {
		pwhash_dummy(pw, pwlen);
		e = login_failed(r, &u, false, pair, pairlen);
		goto out;
	}
	res = pwhash_verify(u.hash, pw, pwlen);
	if (res != PWH_MATCH && res != PWH_MATCH_REHASH) {
		e = login_failed(r, &u, true, pair, pairlen);
		goto out;
	}
	if (u.disabled) {
		(void)req_audit(r, "login", "failure", u.id, NULL, "disabled");
		r->detail = "User account is deactivated";
		e = IERR_FORBIDDEN;
		goto out;
	}
	lockout_reset(r->w->shm, pair, pairlen);
	if (res == PWH_MATCH_REHASH)
		rehash(r, u.id, pw, pwlen);
	e = start_session(r, &u);
out:
	crypto_wipe(u.hash, sizeof(u.hash));
	return e;
}

/* The refresh token of a request: Authorization: Bearer, else the form. */
static enum ierr
presented_refresh(struct req *r, const struct form *f, const char **tok,
    size_t *len)
{
	enum ierr	 e;

	if ((e = auth_bearer(r, tok, len)) != IERR_OK)
		return e;
	if (*tok == NULL && f != NULL)
		*tok = form_get(f, "refresh_token", len);
	if (*tok == NULL) {
		r->detail = "Not authenticated";
		return IERR_UNAUTHENTICATED;
	}
	return IERR_OK;
}

static enum ierr
invalid_refresh(struct req *r)
{
	r->detail = "Invalid refresh token";
	return IERR_UNAUTHENTICATED;
}

static enum ierr
refresh_grant(struct req *r, const struct form *f)
{
	const struct config	*cfg = r->w->cfg;
	struct session_ref	 s;
	struct refresh_token	 rt;
	uint8_t			 hash[SHA256_LEN];
	const char		*tok;
	size_t			 len;
	bool			 won;
	enum ierr		 e;

	if ((e = presented_refresh(r, f, &tok, &len)) != IERR_OK)
		return e;
	if (len != REFRESH_LEN || memcmp(tok, "rt_", 3) != 0)
		return invalid_refresh(r);
	crypto_sha256(tok, len, hash);
	if ((e = sessions_find_refresh(r->w->db, hash, &s)) == IERR_NOT_FOUND)
		return invalid_refresh(r);
	if (e != IERR_OK)
		return e;
	if (!s.active)
		return invalid_refresh(r);
	if (!s.is_current) {
		/*
		 * A retired token again: stolen, or a client that lost a race
		 * with itself (several tabs); the grace covers only the latter.
		 */
		if (s.is_previous &&
		    s.since_rotation < cfg->refresh_reuse_grace_seconds)
			return invalid_refresh(r);
		if ((e = sessions_revoke(r->w->db, s.id, "replay")) != IERR_OK)
			return e;
		(void)req_audit(r, "refresh_replay", "denied", s.user_id, s.id,
		    "session_revoked");
		metrics_inc(r->w, M_REFRESH_REPLAY);
		r->detail = "Refresh token has been rotated. Session revoked "
		    "for security.";
		return IERR_UNAUTHENTICATED;
	}
	if (s.user_disabled) {
		(void)sessions_revoke(r->w->db, s.id, "user_disabled");
		return invalid_refresh(r);
	}
	if (refresh_new(&rt) == -1)
		return IERR_INTERNAL;
	if ((e = sessions_rotate(r->w->db, s.id, s.generation, rt.hash,
	    r->client, cfg->refresh_token_ttl, &won)) != IERR_OK)
		goto out;
	if (!won) {		/* a concurrent refresh got there first */
		e = invalid_refresh(r);
		goto out;
	}
	{
		/* Its row came with the rotation (sessions_rotate). */
		struct audit_event	 a = { .event = "token_refresh",
		    .outcome = "success", .user_id = s.user_id,
		    .client = r->client, .session_id = s.id };

		audit_log_line(&a, true);
	}
	e = issue_pair(r, s.user_id, s.username, s.role, s.id, &rt);
out:
	refresh_clear(&rt);
	return e;
}

static enum ierr
parse_form(struct req *r, struct form *f)
{
	if (form_parse(f, r->body != NULL ? r->body : "", r->bodylen) == -1) {
		verr_add(&r->errs, "body", NULL, "Malformed form body "
		    "(bad escape, repeated field, or invalid UTF-8)",
		    "value_error");
		return IERR_INVALID;
	}
	return IERR_OK;
}

enum ierr
h_token(struct req *r)
{
	struct form	 f;
	const char	*grant;
	enum ierr	 e;

	if ((e = parse_form(r, &f)) != IERR_OK)
		return e;
	grant = form_get(&f, "grant_type", NULL);
	if (grant == NULL || strcmp(grant, "password") == 0)
		e = password_grant(r, &f);
	else if (strcmp(grant, "refresh_token") == 0)
		e = refresh_grant(r, &f);
	else {
		/* RFC 6749 §5.2's shape, as API.md asks. */
		r->status = 400;
		jsonw_obj_open(&r->out);
		jsonw_kv_str(&r->out, "error", "unsupported_grant_type");
		jsonw_obj_close(&r->out);
		e = IERR_OK;
	}
	form_clear(&f);
	return e;
}

enum ierr
h_refresh(struct req *r)
{
	struct form	 f;
	enum ierr	 e;

	if ((e = parse_form(r, &f)) != IERR_OK)
		return e;
	e = refresh_grant(r, &f);
	form_clear(&f);
	return e;
}

enum ierr
h_validate(struct req *r)
{
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "user_id", r->who.uid);
	jsonw_kv_str(&r->out, "username", r->who.username);
	jsonw_obj_close(&r->out);
	return IERR_OK;
}

enum ierr
h_logout(struct req *r)
{
	enum ierr	 e;

	if ((e = sessions_revoke(r->w->db, r->who.sid, "logout")) != IERR_OK)
		return e;
	(void)req_audit(r, "logout", "success", r->who.uid, r->who.sid, NULL);
	req_message(r, "Logged out");
	return IERR_OK;
}

enum ierr
h_jwks(struct req *r)
{
	jwt_keys_jwks(r->w->keys, &r->out);
	r->cache_control = "public, max-age=300";
	return IERR_OK;
}
