#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"

#include "clients.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "jsonw.h"

/* Qualified, so that a statement may join sessions and users. */
#define CLIENT_COLUMNS \
	"c.id, c.name, c.is_public, COALESCE(c.auth_method, ''), " \
	"c.secret_hash IS NOT NULL, COALESCE(c.secret_hash, ''), " \
	"c.prev_secret_hash IS NOT NULL AND " \
	"c.prev_secret_expires_at > UTC_TIMESTAMP(), " \
	"COALESCE(c.prev_secret_hash, ''), c.redirect_uris, " \
	"c.post_logout_redirect_uris, c.allowed_scopes, " \
	"c.allowed_audiences, c.grant_types, c.require_pkce, " \
	"c.require_consent, c.is_active, " \
	"DATE_FORMAT(c.created_at, '%Y-%m-%dT%H:%i:%sZ'), " \
	"DATE_FORMAT(c.updated_at, '%Y-%m-%dT%H:%i:%sZ')"

/*
 * CLIENT_COLUMNS with only what client authentication and introspection
 * read: the others are empty ('' or 0), which the statement need not
 * read, format or send.
 */
#define CLIENT_AUTH_COLUMNS \
	"c.id, '', c.is_public, COALESCE(c.auth_method, ''), " \
	"c.secret_hash IS NOT NULL, COALESCE(c.secret_hash, ''), " \
	"c.prev_secret_hash IS NOT NULL AND " \
	"c.prev_secret_expires_at > UTC_TIMESTAMP(), " \
	"COALESCE(c.prev_secret_hash, ''), '', '', '', " \
	"c.allowed_audiences, '', 0, 0, c.is_active, '', ''"

/* The columns of CLIENT_COLUMNS for one row, and what they fill. */
struct client_row {
	struct client	*c;
	char		 secret[SHA256_LEN + 1];
	char		 prev[SHA256_LEN + 1];
	struct db_col	 col[19];	/* CLIENT_COLUMNS, and one more */
};

static void
client_row_bind(struct client_row *w, struct client *c)
{
	struct db_col	 col[] = {
		DBC_STR(c->id), DBC_STR(c->name), DBC_INT,
		DBC_STR(c->auth_method), DBC_INT, DBC_STR(w->secret), DBC_INT,
		DBC_STR(w->prev), DBC_STR(c->redirect_uris),
		DBC_STR(c->post_logout_redirect_uris),
		DBC_STR(c->allowed_scopes), DBC_STR(c->allowed_audiences),
		DBC_STR(c->grant_types), DBC_INT, DBC_INT, DBC_INT,
		DBC_STR(c->created_at), DBC_STR(c->updated_at),
	};

	w->c = c;
	memcpy(w->col, col, sizeof(col));
}

/* After a row was read into w's columns: the flags and hashes. */
static void
client_row_finish(struct client_row *w)
{
	struct client	*c = w->c;
	struct db_col	*col = w->col;

	c->is_public = col[2].i != 0;
	c->has_secret = col[4].i != 0 && col[5].len == SHA256_LEN;
	if (c->has_secret)
		memcpy(c->secret_hash, w->secret, SHA256_LEN);
	c->has_prev_secret = col[6].i != 0 && col[7].len == SHA256_LEN;
	if (c->has_prev_secret)
		memcpy(c->prev_secret_hash, w->prev, SHA256_LEN);
	c->require_pkce = col[13].i != 0 || c->is_public;
	c->require_consent = col[14].i != 0;
	c->is_active = col[15].i != 0;
	crypto_wipe(w->secret, sizeof(w->secret));
	crypto_wipe(w->prev, sizeof(w->prev));
}

/* The client row of a statement whose parameters are p[0..np). */
static enum ierr
client_read(struct db *db, const char *sql, const struct db_param *p,
    size_t np, struct client *c, struct db_col *extra)
{
	struct client_row	 w;
	size_t			 rows, nc = 18;
	enum ierr		 e;

	memset(c, 0, sizeof(*c));
	client_row_bind(&w, c);
	if (extra != NULL)
		w.col[nc++] = *extra;
	e = db_query(db, sql, p, np, w.col, nc, NULL, NULL, &rows);
	if (e == IERR_OK && rows == 0)
		e = IERR_NOT_FOUND;
	if (e == IERR_OK) {
		client_row_finish(&w);
		if (extra != NULL)
			*extra = w.col[18];
	}
	crypto_wipe(w.secret, sizeof(w.secret));
	crypto_wipe(w.prev, sizeof(w.prev));
	return e;
}

enum ierr
clients_get(struct db *db, const char *id, struct client *c)
{
	static const char	 sql[] = "SELECT " CLIENT_COLUMNS
	    " FROM oauth_clients c WHERE c.id = ?";
	struct db_param		 p[] = { DBP_CSTR(id) };

	return client_read(db, sql, p, 1, c, NULL);
}

enum ierr
clients_get_with_session(struct db *db, const char *id, const char *sid,
    const char *uid, struct client *c, bool *session_live)
{
	/*
	 * sessions_principal's conditions, and the user enabled.  Joined,
	 * not a subquery: all three rows are found by primary key while
	 * the statement is optimised.
	 */
	static const char	 sql[] = "SELECT " CLIENT_AUTH_COLUMNS ", "
	    "u.id IS NOT NULL AND u.disabled = 0 FROM oauth_clients c "
	    "LEFT JOIN sessions s ON s.id = ? AND s.user_id = ? AND "
	    "s.revoked_at IS NULL AND s.expires_at > UTC_TIMESTAMP() "
	    "LEFT JOIN users u ON u.id = s.user_id "
	    "WHERE c.id = ?";
	struct db_param		 p[] = {
		DBP_CSTR(sid), DBP_CSTR(uid), DBP_CSTR(id),
	};
	struct db_col		 live = DBC_INT;
	enum ierr		 e;

	*session_live = false;
	if ((e = client_read(db, sql, p, 3, c, &live)) == IERR_OK)
		*session_live = live.i != 0;
	return e;
}

bool
clients_list_has(const char *list, char sep, const char *s, size_t len)
{
	const char	*p = list, *end;

	if (len == 0)
		return false;
	while (*p != '\0') {
		if ((end = strchr(p, sep)) == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) == len && memcmp(p, s, len) == 0)
			return true;
		p = *end == '\0' ? end : end + 1;
	}
	return false;
}

bool
clients_secret_ok(const struct client *c, struct crypto_mac *key,
    const char *secret, size_t len)
{
	uint8_t	 h[SHA256_LEN];
	bool	 ok;

	if (!c->has_secret)
		return false;
	crypto_mac_sha256(key, secret, len, h);
	/* Both compared every time: the answer's timing tells neither. */
	ok = crypto_equal(h, c->secret_hash, SHA256_LEN);
	if (c->has_prev_secret)
		ok = crypto_equal(h, c->prev_secret_hash, SHA256_LEN) || ok;
	crypto_wipe(h, sizeof(h));
	return ok;
}

struct crypto_mac *
clients_key_load(const struct config *c, char *err, size_t errlen)
{
	struct crypto_mac	*m;
	char			*key;
	size_t			 len;

	if ((key = config_read_secret("client_secret_key_file",
	    c->client_secret_key_file, "client_secret_key", err,
	    errlen)) == NULL)
		return NULL;
	if ((len = strlen(key)) < 32) {
		secret_free(key);
		snprintf(err, errlen, "client_secret_key_file: the key is "
		    "shorter than 32 bytes");
		return NULL;
	}
	if ((m = crypto_mac_new(key, len)) == NULL)
		snprintf(err, errlen, "client_secret_key: out of memory");
	secret_free(key);
	return m;
}

int
clients_new_secret(struct crypto_mac *key, char secret[CLIENT_SECRET_LEN + 1],
    uint8_t hash[SHA256_LEN])
{
	char	 buf[B64_ENCODED_SIZE(32)];

	if (crypto_random_token(buf, 32) == -1 ||
	    strlen(buf) != CLIENT_SECRET_LEN) {
		crypto_wipe(buf, sizeof(buf));
		return -1;
	}
	memcpy(secret, buf, CLIENT_SECRET_LEN + 1);
	crypto_wipe(buf, sizeof(buf));
	crypto_mac_sha256(key, secret, CLIENT_SECRET_LEN, hash);
	return 0;
}

/* "" in a fixed buffer stands for SQL NULL. */
static struct db_param
param_opt(const char *s)
{
	return s[0] == '\0' ? DBP_NUL : DBP_CSTR(s);
}

enum ierr
clients_insert(struct db *db, const struct client *c)
{
	static const char	 sql[] = "INSERT INTO oauth_clients (id, name, "
	    "is_public, auth_method, secret_hash, redirect_uris, "
	    "post_logout_redirect_uris, allowed_scopes, allowed_audiences, "
	    "grant_types, require_pkce, require_consent, is_active, "
	    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())";
	struct db_param		 p[] = {
		DBP_CSTR(c->id), DBP_CSTR(c->name), DBP_INT(c->is_public),
		param_opt(c->auth_method),
		c->has_secret ? DBP_STR((const char *)c->secret_hash,
		    SHA256_LEN) : DBP_NUL,
		DBP_CSTR(c->redirect_uris),
		DBP_CSTR(c->post_logout_redirect_uris),
		DBP_CSTR(c->allowed_scopes), DBP_CSTR(c->allowed_audiences),
		DBP_CSTR(c->grant_types), DBP_INT(c->require_pkce),
		DBP_INT(c->require_consent), DBP_INT(c->is_active),
	};

	return db_exec(db, sql, p, 13, NULL);
}

/*
 * What a client that is deleted or deactivated loses: its grants,
 * pending requests and codes, and every live session (so its access
 * and refresh tokens stop working at the next check).
 */
static enum ierr
revoke_client(struct db *db, const char *id, unsigned long long *revoked)
{
	static const char	 grants[] =
	    "DELETE FROM oauth_grants WHERE client_id = ?";
	static const char	 codes[] =
	    "DELETE FROM oauth_codes WHERE client_id = ?";
	static const char	 requests[] =
	    "DELETE FROM oauth_requests WHERE client_id = ?";
	static const char	 sessions[] = "UPDATE sessions SET revoked_at = "
	    "UTC_TIMESTAMP(), revoked_reason = 'client_removed' WHERE "
	    "client_id = ? AND revoked_at IS NULL";
	struct db_param		 p[] = { DBP_CSTR(id) };
	enum ierr		 e;

	if ((e = db_exec(db, grants, p, 1, NULL)) != IERR_OK ||
	    (e = db_exec(db, codes, p, 1, NULL)) != IERR_OK ||
	    (e = db_exec(db, requests, p, 1, NULL)) != IERR_OK)
		return e;
	return db_exec(db, sessions, p, 1, revoked);
}

/* Commit if e is IERR_OK, else roll back; the first error wins. */
static enum ierr
finish_tx(struct db *db, enum ierr e)
{
	if (e == IERR_OK)
		return db_commit(db);
	db_rollback(db);
	return e;
}

bool
clients_same_settings(const struct client *a, const struct client *b)
{
	return strcmp(a->name, b->name) == 0 &&
	    a->is_public == b->is_public &&
	    strcmp(a->auth_method, b->auth_method) == 0 &&
	    strcmp(a->redirect_uris, b->redirect_uris) == 0 &&
	    strcmp(a->post_logout_redirect_uris,
	    b->post_logout_redirect_uris) == 0 &&
	    strcmp(a->allowed_scopes, b->allowed_scopes) == 0 &&
	    strcmp(a->allowed_audiences, b->allowed_audiences) == 0 &&
	    strcmp(a->grant_types, b->grant_types) == 0 &&
	    a->require_pkce == b->require_pkce &&
	    a->require_consent == b->require_consent &&
	    a->is_active == b->is_active;
}

enum ierr
clients_update(struct db *db, const struct client *c,
    unsigned long long *revoked)
{
	/* A public client keeps no secret, current or previous. */
	static const char	 sql[] = "UPDATE oauth_clients SET name = ?, "
	    "is_public = ?, auth_method = ?, "
	    "secret_hash = IF(?, secret_hash, NULL), "
	    "prev_secret_hash = IF(?, prev_secret_hash, NULL), "
	    "prev_secret_expires_at = IF(?, prev_secret_expires_at, NULL), "
	    "redirect_uris = ?, post_logout_redirect_uris = ?, "
	    "allowed_scopes = ?, allowed_audiences = ?, grant_types = ?, "
	    "require_pkce = ?, require_consent = ?, is_active = ?, "
	    "updated_at = UTC_TIMESTAMP() WHERE id = ?";
	struct db_param		 p[] = {
		DBP_CSTR(c->name), DBP_INT(c->is_public),
		param_opt(c->auth_method), DBP_INT(!c->is_public),
		DBP_INT(!c->is_public), DBP_INT(!c->is_public),
		DBP_CSTR(c->redirect_uris),
		DBP_CSTR(c->post_logout_redirect_uris),
		DBP_CSTR(c->allowed_scopes), DBP_CSTR(c->allowed_audiences),
		DBP_CSTR(c->grant_types), DBP_INT(c->require_pkce),
		DBP_INT(c->require_consent), DBP_INT(c->is_active),
		DBP_CSTR(c->id),
	};
	unsigned long long	 n = 0;
	enum ierr		 e;

	if (revoked != NULL)
		*revoked = 0;
	if ((e = db_begin(db)) != IERR_OK)
		return e;
	e = db_exec(db, sql, p, 15, &n);
	if (e == IERR_OK && n == 0)
		e = IERR_NOT_FOUND;
	if (e == IERR_OK && !c->is_active)
		e = revoke_client(db, c->id, revoked);
	return finish_tx(db, e);
}

enum ierr
clients_delete(struct db *db, const char *id, unsigned long long *revoked)
{
	/* Grants, requests and codes go with it (ON DELETE CASCADE). */
	static const char	 sql[] = "DELETE FROM oauth_clients WHERE id = ?";
	struct db_param		 p[] = { DBP_CSTR(id) };
	unsigned long long	 n = 0;
	enum ierr		 e;

	if (revoked != NULL)
		*revoked = 0;
	if ((e = db_begin(db)) != IERR_OK)
		return e;
	e = db_exec(db, sql, p, 1, &n);
	if (e == IERR_OK && n == 0)
		e = IERR_NOT_FOUND;
	if (e == IERR_OK)
		e = revoke_client(db, id, revoked);
	return finish_tx(db, e);
}

enum ierr
clients_set_secret(struct db *db, const char *id,
    const uint8_t hash[SHA256_LEN], unsigned grace)
{
	/* MariaDB assigns left to right: prev_* read the old secret_hash. */
	static const char	 sql[] = "UPDATE oauth_clients SET "
	    "prev_secret_hash = IF(? > 0, secret_hash, NULL), "
	    "prev_secret_expires_at = IF(? > 0 AND secret_hash IS NOT NULL, "
	    "UTC_TIMESTAMP() + INTERVAL ? SECOND, NULL), "
	    "secret_hash = ?, updated_at = UTC_TIMESTAMP() WHERE id = ?";
	struct db_param		 p[] = {
		DBP_INT(grace), DBP_INT(grace), DBP_INT(grace),
		DBP_STR((const char *)hash, SHA256_LEN), DBP_CSTR(id),
	};
	unsigned long long	 n = 0;
	enum ierr		 e;

	if ((e = db_exec(db, sql, p, 5, &n)) != IERR_OK)
		return e;
	return n == 0 ? IERR_NOT_FOUND : IERR_OK;
}

void
clients_cursor_of(const struct client *c, struct client_cursor *out)
{
	/* created_at is "YYYY-MM-DDTHH:MM:SSZ"; the column's own spelling. */
	snprintf(out->sort, sizeof(out->sort), "%.10s %.8s", c->created_at,
	    c->created_at + (strlen(c->created_at) >= 19 ? 11 : 0));
	snprintf(out->id, sizeof(out->id), "%s", c->id);
}

struct page_walk {
	struct client		 c;
	struct client_row	 w;
	int			(*fn)(void *, const struct client *);
	void			*arg;
	unsigned		 limit, seen;
	bool			 more;
};

static int
page_row(void *arg)
{
	struct page_walk	*pw = arg;

	if (++pw->seen > pw->limit) {
		pw->more = true;
		return 1;
	}
	client_row_finish(&pw->w);
	return pw->fn(pw->arg, &pw->c);
}

enum ierr
clients_page(struct db *db, const struct client_cursor *after,
    unsigned limit, int (*fn)(void *, const struct client *), void *arg,
    bool *more)
{
	static const char	 first[] = "SELECT " CLIENT_COLUMNS
	    " FROM oauth_clients c ORDER BY c.created_at, c.id LIMIT ?";
	static const char	 next[] = "SELECT " CLIENT_COLUMNS
	    " FROM oauth_clients c WHERE c.created_at > ? OR "
	    "(c.created_at = ? AND c.id > ?) ORDER BY c.created_at, c.id "
	    "LIMIT ?";
	struct page_walk	*pw;
	enum ierr		 e;

	/* Two clients' worth of buffers: too big for a worker's stack. */
	if ((pw = calloc(1, sizeof(*pw))) == NULL)
		return IERR_INTERNAL;
	pw->fn = fn;
	pw->arg = arg;
	pw->limit = limit;
	client_row_bind(&pw->w, &pw->c);
	if (after == NULL) {
		struct db_param	 p[] = { DBP_INT(limit + 1) };

		e = db_query(db, first, p, 1, pw->w.col, 18, page_row, pw,
		    NULL);
	} else {
		struct db_param	 p[] = {
			DBP_CSTR(after->sort), DBP_CSTR(after->sort),
			DBP_CSTR(after->id), DBP_INT(limit + 1),
		};

		e = db_query(db, next, p, 4, pw->w.col, 18, page_row, pw,
		    NULL);
	}
	*more = pw->more;
	crypto_wipe(pw, sizeof(*pw));
	free(pw);
	return e;
}

/* The items of list (separated by sep) as a JSON array. */
static void
write_list(struct jsonw *j, const char *key, const char *list, char sep)
{
	const char	*p = list, *end;

	jsonw_key(j, key);
	jsonw_arr_open(j);
	while (*p != '\0') {
		if ((end = strchr(p, sep)) == NULL)
			end = p + strlen(p);
		if (end > p)
			jsonw_strn(j, p, (size_t)(end - p));
		p = *end == '\0' ? end : end + 1;
	}
	jsonw_arr_close(j);
}

void
clients_write_json(struct jsonw *j, const struct client *c,
    const char *secret)
{
	jsonw_obj_open(j);
	jsonw_kv_str(j, "id", c->id);
	jsonw_kv_str(j, "client_id", c->id);
	jsonw_kv_str(j, "client_name", c->name);
	if (secret != NULL)
		jsonw_kv_str(j, "client_secret", secret);
	write_list(j, "redirect_uris", c->redirect_uris, '\n');
	write_list(j, "post_logout_redirect_uris",
	    c->post_logout_redirect_uris, '\n');
	write_list(j, "allowed_scopes", c->allowed_scopes, ' ');
	write_list(j, "allowed_audiences", c->allowed_audiences, ' ');
	write_list(j, "grant_types", c->grant_types, ' ');
	jsonw_key(j, "token_endpoint_auth_method");
	jsonw_str_or_null(j, c->auth_method[0] == '\0' ? NULL :
	    c->auth_method);
	jsonw_kv_bool(j, "is_public", c->is_public);
	jsonw_kv_bool(j, "require_pkce", c->require_pkce);
	jsonw_kv_bool(j, "require_consent", c->require_consent);
	jsonw_kv_bool(j, "is_active", c->is_active);
	jsonw_kv_str(j, "created_at", c->created_at);
	jsonw_kv_str(j, "updated_at", c->updated_at);
	jsonw_obj_close(j);
}
