#include <string.h>

#include "db.h"
#include "oauth.h"

#define TS(col)	"DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"
#define HASH(h)	DBP_STR((const char *)(h), SHA256_LEN)
#define OPT(s)	((s)[0] == '\0' ? DBP_NUL : DBP_CSTR(s))

enum ierr
oauth_request_put(struct db *db, const struct oauth_request *r, unsigned ttl)
{
	static const char	 sql[] =
	    "INSERT INTO oauth_requests (id_hash, csrf_hash, client_id, "
	    "redirect_uri, scope, state, nonce, code_challenge, prompt, "
	    "max_age, login_hint, user_id, session_id, created_at, expires_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(), "
	    "UTC_TIMESTAMP() + INTERVAL ? SECOND)";
	struct db_param		 p[] = {
		HASH(r->id_hash), HASH(r->browser_hash), DBP_CSTR(r->client_id),
		DBP_CSTR(r->redirect_uri), DBP_CSTR(r->scope), OPT(r->state),
		OPT(r->nonce), OPT(r->code_challenge), OPT(r->prompt),
		r->max_age < 0 ? DBP_NUL : DBP_INT(r->max_age),
		OPT(r->login_hint), OPT(r->user_id), OPT(r->session_id),
		DBP_INT(ttl),
	};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL);
}

enum ierr
oauth_request_get(struct db *db, const uint8_t id_hash[SHA256_LEN],
    struct oauth_request *r)
{
	static const char	 sql[] =
	    "SELECT csrf_hash, client_id, redirect_uri, scope, "
	    "COALESCE(state, ''), COALESCE(nonce, ''), "
	    "COALESCE(code_challenge, ''), COALESCE(prompt, ''), "
	    "COALESCE(max_age, -1), COALESCE(login_hint, ''), "
	    "COALESCE(user_id, ''), COALESCE(session_id, '') "
	    "FROM oauth_requests WHERE id_hash = ? AND "
	    "expires_at > UTC_TIMESTAMP()";
	struct db_param		 p[] = { HASH(id_hash) };
	char			 browser[SHA256_LEN + 1];
	struct db_col		 c[] = {
		DBC_STR(browser), DBC_STR(r->client_id), DBC_STR(r->redirect_uri),
		DBC_STR(r->scope), DBC_STR(r->state), DBC_STR(r->nonce),
		DBC_STR(r->code_challenge), DBC_STR(r->prompt), DBC_INT,
		DBC_STR(r->login_hint), DBC_STR(r->user_id),
		DBC_STR(r->session_id),
	};
	size_t			 rows;
	enum ierr		 e;

	memset(r, 0, sizeof(*r));
	if ((e = db_query(db, sql, p, 1, c, 12, NULL, NULL, &rows)) != IERR_OK)
		return e;
	if (rows == 0 || c[0].len != SHA256_LEN)
		return IERR_NOT_FOUND;
	memcpy(r->id_hash, id_hash, SHA256_LEN);
	memcpy(r->browser_hash, browser, SHA256_LEN);
	r->max_age = c[8].i;
	return IERR_OK;
}

enum ierr
oauth_request_bind(struct db *db, const uint8_t id_hash[SHA256_LEN],
    const char *uid, const char *sid)
{
	static const char	 sql[] = "UPDATE oauth_requests SET user_id = ?, "
	    "session_id = ? WHERE id_hash = ?";
	struct db_param		 p[] = {
		DBP_CSTR(uid), DBP_CSTR(sid), HASH(id_hash),
	};

	return db_exec(db, sql, p, 3, NULL);
}

enum ierr
oauth_request_half(struct db *db, const uint8_t id_hash[SHA256_LEN],
    const char *uid)
{
	static const char	 sql[] = "UPDATE oauth_requests SET user_id = ?, "
	    "session_id = NULL, expires_at = LEAST(expires_at, "
	    "UTC_TIMESTAMP() + INTERVAL 300 SECOND) WHERE id_hash = ?";
	struct db_param		 p[] = { DBP_CSTR(uid), HASH(id_hash) };

	return db_exec(db, sql, p, 2, NULL);
}

enum ierr
oauth_request_drop(struct db *db, const uint8_t id_hash[SHA256_LEN])
{
	static const char	 sql[] =
	    "DELETE FROM oauth_requests WHERE id_hash = ? OR "
	    "expires_at < UTC_TIMESTAMP() - INTERVAL 1 DAY";
	struct db_param		 p[] = { HASH(id_hash) };

	return db_exec(db, sql, p, 1, NULL);
}

enum ierr
oauth_code_put(struct db *db, const struct oauth_code *c, unsigned ttl)
{
	static const char	 sql[] =
	    "INSERT INTO oauth_codes (hash, client_id, user_id, session_id, "
	    "redirect_uri, scope, nonce, code_challenge, auth_time, amr, "
	    "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "FROM_UNIXTIME(?), ?, UTC_TIMESTAMP(), "
	    "UTC_TIMESTAMP() + INTERVAL ? SECOND)";
	struct db_param		 p[] = {
		HASH(c->hash), DBP_CSTR(c->client_id), DBP_CSTR(c->user_id),
		DBP_CSTR(c->session_id), DBP_CSTR(c->redirect_uri),
		DBP_CSTR(c->scope), OPT(c->nonce), OPT(c->code_challenge),
		DBP_INT(c->auth_time), DBP_CSTR(c->amr), DBP_INT(ttl),
	};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL);
}

enum ierr
oauth_code_consume(struct db *db, const uint8_t hash[SHA256_LEN],
    const char *issue_sid, struct oauth_code *c, bool *first)
{
	/* The guarded UPDATE decides which presentation is the first. */
	static const char	 use[] = "UPDATE oauth_codes SET used_at = "
	    "UTC_TIMESTAMP(), issued_session_id = ? WHERE hash = ? AND "
	    "used_at IS NULL";
	static const char	 get[] =
	    "SELECT client_id, user_id, session_id, redirect_uri, scope, "
	    "COALESCE(nonce, ''), COALESCE(code_challenge, ''), amr, "
	    "UNIX_TIMESTAMP(auth_time), expires_at <= UTC_TIMESTAMP(), "
	    "COALESCE(issued_session_id, '') FROM oauth_codes "
	    "WHERE hash = ? FOR UPDATE";
	struct db_param		 pu[] = { DBP_CSTR(issue_sid), HASH(hash) };
	struct db_param		 pg[] = { HASH(hash) };
	struct db_col		 col[] = {
		DBC_STR(c->client_id), DBC_STR(c->user_id),
		DBC_STR(c->session_id), DBC_STR(c->redirect_uri),
		DBC_STR(c->scope), DBC_STR(c->nonce),
		DBC_STR(c->code_challenge), DBC_STR(c->amr), DBC_INT, DBC_INT,
		DBC_STR(c->issued_session_id),
	};
	unsigned long long	 n = 0;
	size_t			 rows;
	enum ierr		 e;

	memset(c, 0, sizeof(*c));
	*first = false;
	if ((e = db_exec(db, use, pu, 2, &n)) != IERR_OK ||
	    (e = db_query(db, get, pg, 1, col, 11, NULL, NULL, &rows)) != IERR_OK)
		return e;
	if (rows == 0)
		return IERR_NOT_FOUND;
	memcpy(c->hash, hash, SHA256_LEN);
	c->auth_time = col[8].i;
	c->expired = col[9].i != 0;
	*first = n == 1;
	return IERR_OK;
}

enum ierr
oauth_grant_scope(struct db *db, const char *uid, const char *cid,
    char scope[256])
{
	static const char	 sql[] = "SELECT scope FROM oauth_grants "
	    "WHERE user_id = ? AND client_id = ?";
	struct db_param		 p[] = { DBP_CSTR(uid), DBP_CSTR(cid) };
	struct db_col		 c[] = { { DB_STR, scope, 256, 0, false, 0 } };
	size_t			 rows;
	enum ierr		 e;

	scope[0] = '\0';
	if ((e = db_query(db, sql, p, 2, c, 1, NULL, NULL, &rows)) != IERR_OK)
		return e;
	return rows == 0 ? IERR_NOT_FOUND : IERR_OK;
}

enum ierr
oauth_grant_put(struct db *db, const char *uid, const char *cid,
    const char *scope)
{
	static const char	 sql[] =
	    "INSERT INTO oauth_grants (user_id, client_id, scope, created_at, "
	    "updated_at) VALUES (?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP()) "
	    "ON DUPLICATE KEY UPDATE scope = VALUES(scope), "
	    "updated_at = UTC_TIMESTAMP()";
	struct db_param		 p[] = {
		DBP_CSTR(uid), DBP_CSTR(cid), DBP_CSTR(scope),
	};

	return db_exec(db, sql, p, 3, NULL);
}

enum ierr
oauth_grant_delete(struct db *db, const char *uid, const char *cid,
    bool *found)
{
	static const char	 sql[] = "DELETE FROM oauth_grants "
	    "WHERE user_id = ? AND client_id = ?";
	struct db_param		 p[] = { DBP_CSTR(uid), DBP_CSTR(cid) };
	unsigned long long	 n = 0;
	enum ierr		 e;

	e = db_exec(db, sql, p, 2, &n);
	*found = n > 0;
	return e;
}

struct grant_walk {
	int			(*fn)(void *, const struct oauth_grant_view *);
	void			*arg;
	struct oauth_grant_view	 v;
};

static int
grant_row(void *arg)
{
	struct grant_walk	*w = arg;

	return w->fn(w->arg, &w->v);
}

enum ierr
oauth_grants_list(struct db *db, const char *uid,
    int (*fn)(void *, const struct oauth_grant_view *), void *arg)
{
	static const char	 sql[] =
	    "SELECT g.client_id, c.name, g.scope, " TS("g.created_at") ", "
	    TS("g.updated_at") " FROM oauth_grants g JOIN oauth_clients c "
	    "ON c.id = g.client_id WHERE g.user_id = ? "
	    "ORDER BY g.created_at, g.client_id LIMIT 100";
	struct grant_walk	 w = { .fn = fn, .arg = arg };
	struct db_param		 p[] = { DBP_CSTR(uid) };
	struct db_col		 c[] = {
		DBC_STR(w.v.client_id), DBC_STR(w.v.client_name),
		DBC_STR(w.v.scope), DBC_STR(w.v.created_at),
		DBC_STR(w.v.updated_at),
	};

	return db_query(db, sql, p, 1, c, 5, grant_row, &w, NULL);
}
