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
#include "jwt.h"
#include "log.h"
#include "login.h"
#include "metrics.h"
#include "pwhash.h"
#include "ratelimit.h"
#include "req.h"
#include "sessions.h"
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

/* A failure: count it everywhere it counts. */
static enum ierr
login_failed(struct req *r, const struct login_user *u, bool found,
    const char *pair, size_t pairlen, const char *reason)
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
		(void)req_audit(r, "login", "failure", NULL, NULL, reason);
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
	    reason)) != IERR_OK ||
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

enum ierr
login_start_session(struct req *r, const struct login_user *u,
    const char *method, const char *event, char sid[37],
    struct refresh_token *rt)
{
	const struct config	*cfg = r->w->cfg;
	struct session_new	 s;
	char			 ua[256], device[UA_NAME_MAX];
	enum ierr		 e;

	if (crypto_uuid4(sid) == -1 || refresh_new(rt) == -1)
		return IERR_INTERNAL;
	user_agent(r, ua);
	s.id = sid;
	s.user_id = u->id;
	s.hash = rt->hash;
	s.ip = r->client;
	s.user_agent = ua[0] != '\0' ? ua : NULL;
	ua_device_name(s.user_agent, device, sizeof(device));
	s.device_name = device[0] != '\0' ? device : NULL;
	s.method = method;
	s.ttl = cfg->refresh_token_ttl;
	s.max_lifetime = cfg->session_max_lifetime;
	/*
	 * The login record, the session and its audit row: one transaction.
	 * The user's row is updated first: inserting the session takes a
	 * shared lock on it (the foreign key), and two logins that both held
	 * that before asking for the row's write lock would deadlock.
	 */
	if ((e = db_begin(r->w->db)) != IERR_OK)
		return e;
	if ((e = users_record_login(r->w->db, u->id, method)) != IERR_OK ||
	    (e = sessions_create(r->w->db, &s)) != IERR_OK ||
	    (e = req_audit(r, event != NULL ? event : "login", "success",
	    u->id, sid, NULL)) != IERR_OK ||
	    (e = db_commit(r->w->db)) != IERR_OK) {
		db_rollback(r->w->db);
		return e;
	}
	metrics_inc(r->w, M_LOGIN_SUCCESS);
	return IERR_OK;
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
	lockout_reset(r->w->shm, pair, pairlen);
	if (res == PWH_MATCH_REHASH)
		rehash(r, u->id, pw, pwlen);
	e = IERR_OK;
out:
	crypto_wipe(u->hash, sizeof(u->hash));
	return e;
}
