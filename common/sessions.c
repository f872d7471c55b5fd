#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "sessions.h"

#define ACTIVE	"revoked_at IS NULL AND expires_at > UTC_TIMESTAMP()"
#define TS(col)	"DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"

enum ierr
sessions_create(struct db *db, const struct session_new *s)
{
	static const char	 sql[] =
	    "INSERT INTO sessions (id, user_id, refresh_hash, generation, "
	    "ip_address, last_client_address, user_agent, device_name, "
	    "login_method, created_at, last_activity_at, expires_at, "
	    "absolute_expires_at, kind, browser_hash, auth_time, amr, "
	    "client_id, parent_id, scope) VALUES "
	    "(?, ?, ?, 1, ?, ?, ?, ?, ?, UTC_TIMESTAMP(), "
	    "UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL ? SECOND, "
	    "UTC_TIMESTAMP() + INTERVAL ? SECOND, COALESCE(?, 'api'), ?, "
	    "IF(? = 0, UTC_TIMESTAMP(), FROM_UNIXTIME(?)), ?, ?, ?, ?)";
	struct db_param		 p[] = {
		DBP_CSTR(s->id), DBP_CSTR(s->user_id),
		DBP_STR((const char *)s->hash, SHA256_LEN), DBP_CSTR(s->ip),
		DBP_CSTR(s->ip), DBP_CSTR(s->user_agent), DBP_CSTR(s->device_name),
		DBP_CSTR(s->method), DBP_INT(s->ttl), DBP_INT(s->max_lifetime),
		DBP_CSTR(s->kind), s->browser_hash == NULL ? DBP_NUL :
		DBP_STR((const char *)s->browser_hash, SHA256_LEN),
		DBP_INT(s->auth_time), DBP_INT(s->auth_time), DBP_CSTR(s->amr),
		DBP_CSTR(s->client_id), DBP_CSTR(s->parent_id),
		DBP_CSTR(s->scope),
	};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL);
}

enum ierr
sessions_count_active(struct db *db, const char *uid, long long *count)
{
	static const char	 sql[] = "SELECT COUNT(*) FROM sessions "
	    "WHERE user_id = ? AND " ACTIVE;
	struct db_param		 p[] = { DBP_CSTR(uid) };
	struct db_col		 c[] = { DBC_INT };
	enum ierr		 e;

	if ((e = db_query(db, sql, p, 1, c, 1, NULL, NULL, NULL)) != IERR_OK)
		return e;
	*count = c[0].i;
	return IERR_OK;
}

/* The columns of struct session_ref, of sessions s joined to users u. */
#define REFRESH_COLUMNS \
	"SELECT s.id, s.user_id, s.generation, " \
	"COALESCE(s.prev_refresh_hash = ?, 0), " \
	"s.revoked_at IS NULL AND s.expires_at > UTC_TIMESTAMP() AND " \
	"s.absolute_expires_at > UTC_TIMESTAMP(), u.disabled, " \
	"COALESCE(TIMESTAMPDIFF(SECOND, s.rotated_at, UTC_TIMESTAMP()), " \
	"999999), u.username, u.role, COALESCE(s.client_id, ''), " \
	"COALESCE(s.scope, ''), COALESCE(s.parent_id, ''), " \
	"COALESCE(s.amr, 'pwd'), COALESCE(UNIX_TIMESTAMP(s.auth_time), 0), " \
	"s.login_method " \
	"FROM sessions s JOIN users u ON u.id = s.user_id "

static enum ierr
find_refresh(struct db *db, const char *sql, const uint8_t hash[SHA256_LEN],
    struct session_ref *out)
{
	struct db_param		 h = DBP_STR((const char *)hash, SHA256_LEN);
	struct db_param		 p[] = { h, h };
	struct db_col		 c[] = {
		DBC_STR(out->id), DBC_STR(out->user_id), DBC_INT, DBC_INT,
		DBC_INT, DBC_INT, DBC_INT, DBC_STR(out->username),
		DBC_STR(out->role), DBC_STR(out->client_id),
		DBC_STR(out->scope), DBC_STR(out->parent_id),
		DBC_STR(out->amr), DBC_INT, DBC_STR(out->login_method),
	};
	size_t			 rows;
	enum ierr		 e;

	memset(out, 0, sizeof(*out));
	if ((e = db_query(db, sql, p, 2, c, 15, NULL, NULL, &rows)) != IERR_OK)
		return e;
	out->auth_time = c[13].i;
	if (rows == 0)
		return IERR_NOT_FOUND;
	out->generation = c[2].i;
	out->is_previous = c[3].i != 0;
	out->active = c[4].i != 0;
	out->user_disabled = c[5].i != 0;
	out->since_rotation = c[6].i;
	return IERR_OK;
}

enum ierr
sessions_find_refresh(struct db *db, const uint8_t hash[SHA256_LEN],
    struct session_ref *out)
{
	/* The current token (every refresh but a replay), else a retired one. */
	static const char	 current[] = REFRESH_COLUMNS
	    "WHERE s.refresh_hash = ?";
	static const char	 retired[] = REFRESH_COLUMNS
	    "WHERE s.id = (SELECT session_id FROM retired_refresh_tokens "
	    "WHERE hash = ?)";
	enum ierr		 e;

	if ((e = find_refresh(db, current, hash, out)) == IERR_OK)
		out->is_current = true;
	else if (e == IERR_NOT_FOUND)
		e = find_refresh(db, retired, hash, out);
	return e;
}

enum ierr
sessions_rotate(struct db *db, const char *id, long long gen,
    const uint8_t newhash[SHA256_LEN], const char *client, unsigned ttl,
    bool *won)
{
	/*
	 * The guarded UPDATE decides the race.  Its trigger (migration 0009)
	 * retires the old token and writes the audit row in the same
	 * statement; the loser changes nothing.
	 */
	static const char	 sql[] =
	    "UPDATE sessions SET prev_refresh_hash = refresh_hash, "
	    "refresh_hash = ?, generation = generation + 1, "
	    "last_client_address = LEFT(?, 45), "
	    "rotated_at = UTC_TIMESTAMP(), last_activity_at = UTC_TIMESTAMP(), "
	    "expires_at = LEAST(UTC_TIMESTAMP() + INTERVAL ? SECOND, "
	    "absolute_expires_at) "
	    "WHERE id = ? AND generation = ? AND revoked_at IS NULL";
	struct db_param		 p[] = {
		DBP_STR((const char *)newhash, SHA256_LEN), DBP_CSTR(client),
		DBP_INT(ttl), DBP_CSTR(id), DBP_INT(gen),
	};
	unsigned long long	 n = 0;
	enum ierr		 e;

	e = db_exec(db, sql, p, 5, &n);
	*won = e == IERR_OK && n == 1;
	return e;
}

enum ierr
sessions_revoke(struct db *db, const char *id, const char *reason)
{
	static const char	 sql[] =
	    "UPDATE sessions SET revoked_at = UTC_TIMESTAMP(), "
	    "revoked_reason = ? WHERE id = ? AND revoked_at IS NULL";
	struct db_param		 p[] = { DBP_CSTR(reason), DBP_CSTR(id) };

	return db_exec(db, sql, p, 2, NULL);
}

enum ierr
sessions_revoke_family(struct db *db, const char *id, const char *reason)
{
	static const char	 sql[] =
	    "UPDATE sessions SET revoked_at = UTC_TIMESTAMP(), "
	    "revoked_reason = ? WHERE (id = ? OR parent_id = ?) AND "
	    "revoked_at IS NULL";
	struct db_param		 p[] = {
		DBP_CSTR(reason), DBP_CSTR(id), DBP_CSTR(id),
	};

	return db_exec(db, sql, p, 3, NULL);
}

enum ierr
sessions_revoke_client(struct db *db, const char *uid, const char *cid,
    const char *reason)
{
	static const char	 sql[] =
	    "UPDATE sessions SET revoked_at = UTC_TIMESTAMP(), "
	    "revoked_reason = ? WHERE user_id = ? AND client_id = ? AND "
	    "revoked_at IS NULL";
	struct db_param		 p[] = {
		DBP_CSTR(reason), DBP_CSTR(uid), DBP_CSTR(cid),
	};

	return db_exec(db, sql, p, 3, NULL);
}

enum ierr
sessions_find_browser(struct db *db, const uint8_t hash[SHA256_LEN],
    struct browser_session *out)
{
	static const char	 sql[] =
	    "SELECT s.id, s.user_id, u.username, u.role, COALESCE(s.amr, "
	    "'pwd'), COALESCE(UNIX_TIMESTAMP(s.auth_time), 0), u.disabled "
	    "FROM sessions s JOIN users u ON u.id = s.user_id "
	    "WHERE s.browser_hash = ? AND s.kind = 'browser' AND "
	    "s.revoked_at IS NULL AND s.expires_at > UTC_TIMESTAMP()";
	struct db_param		 p[] = {
		DBP_STR((const char *)hash, SHA256_LEN),
	};
	struct db_col		 c[] = {
		DBC_STR(out->id), DBC_STR(out->user_id), DBC_STR(out->username),
		DBC_STR(out->role), DBC_STR(out->amr), DBC_INT, DBC_INT,
	};
	size_t			 rows;
	enum ierr		 e;

	memset(out, 0, sizeof(*out));
	if ((e = db_query(db, sql, p, 1, c, 7, NULL, NULL, &rows)) != IERR_OK)
		return e;
	if (rows == 0)
		return IERR_NOT_FOUND;
	out->auth_time = c[5].i;
	out->disabled = c[6].i != 0;
	return IERR_OK;
}

enum ierr
sessions_revoke_user(struct db *db, const char *uid, const char *keep_sid,
    const char *reason, unsigned long long *count)
{
	static const char	 sql[] =
	    "UPDATE sessions SET revoked_at = UTC_TIMESTAMP(), "
	    "revoked_reason = ? WHERE user_id = ? AND revoked_at IS NULL "
	    "AND expires_at > UTC_TIMESTAMP() AND id <> COALESCE(?, '')";
	struct db_param		 p[] = {
		DBP_CSTR(reason), DBP_CSTR(uid), DBP_CSTR(keep_sid),
	};

	return db_exec(db, sql, p, 3, count);
}

enum ierr
sessions_revoke_own(struct db *db, const char *uid, const char *sid,
    bool *found)
{
	static const char	 sql[] =
	    "UPDATE sessions SET revoked_at = UTC_TIMESTAMP(), "
	    "revoked_reason = 'revoked' WHERE id = ? AND user_id = ? AND "
	    ACTIVE;
	struct db_param		 p[] = { DBP_CSTR(sid), DBP_CSTR(uid) };
	unsigned long long	 n = 0;
	enum ierr		 e;

	e = db_exec(db, sql, p, 2, &n);
	*found = n == 1;
	return e;
}

enum ierr
sessions_principal(struct db *db, const char *sid, const char *uid,
    struct principal *out)
{
	/*
	 * The statement of every authenticated request, so MariaDB may keep
	 * its answer (query_cache_type = DEMAND): a write to either table,
	 * a revocation or a disabled user, drops every kept answer at its
	 * commit.  The clock is read here, not in SQL, because a statement
	 * that reads it is never kept.
	 */
	static const char	 sql[] =
	    "SELECT " KEEP_ANSWER "u.username, u.role, u.disabled, "
	    SESSION_EXPIRES_EPOCH " FROM sessions s "
	    "JOIN users u ON u.id = s.user_id WHERE s.id = ? AND "
	    "s.user_id = ? AND s.revoked_at IS NULL";
	struct db_param		 p[] = { DBP_CSTR(sid), DBP_CSTR(uid) };
	struct db_col		 c[] = {
		DBC_STR(out->username), DBC_STR(out->role), DBC_INT, DBC_INT,
	};
	size_t			 rows;
	enum ierr		 e;

	if ((e = db_query(db, sql, p, 2, c, 4, NULL, NULL, &rows)) != IERR_OK)
		return e;
	if (rows == 0 || !SESSION_LIVE(c[3].i))
		return IERR_NOT_FOUND;
	out->disabled = c[2].i != 0;
	memcpy(out->uid, uid, sizeof(out->uid) - 1);
	out->uid[sizeof(out->uid) - 1] = '\0';
	memcpy(out->sid, sid, sizeof(out->sid) - 1);
	out->sid[sizeof(out->sid) - 1] = '\0';
	return IERR_OK;
}

struct list_walk {
	int			(*fn)(void *, const struct session_view *);
	void			*arg;
	struct session_view	 v;
};

static int
list_row(void *arg)
{
	struct list_walk	*w = arg;

	return w->fn(w->arg, &w->v);
}

enum ierr
sessions_list(struct db *db, const char *uid,
    int (*fn)(void *, const struct session_view *), void *arg, size_t *total)
{
	static const char	 sql[] =
	    "SELECT id, ip_address, COALESCE(device_name, ''), login_method, "
	    TS("created_at") ", " TS("last_activity_at") " FROM sessions "
	    "WHERE user_id = ? AND " ACTIVE
	    " ORDER BY created_at DESC, id LIMIT 100";
	struct list_walk	 w = { .fn = fn, .arg = arg };
	struct db_param		 p[] = { DBP_CSTR(uid) };
	struct db_col		 c[] = {
		DBC_STR(w.v.id), DBC_STR(w.v.ip_address),
		DBC_STR(w.v.device_name), DBC_STR(w.v.login_method),
		DBC_STR(w.v.created_at), DBC_STR(w.v.last_activity_at),
	};

	return db_query(db, sql, p, 1, c, 6, list_row, &w, total);
}

#define ENDED_BEFORE "(revoked_at < UTC_TIMESTAMP() - INTERVAL ? DAY OR " \
	"expires_at < UTC_TIMESTAMP() - INTERVAL ? DAY)"
#define PURGE_BATCH	500
#define TEXT(n)		#n
#define NUMBER(n)	TEXT(n)

struct purge_batch {
	char	 id[37];
	char	 ids[PURGE_BATCH][37];
	size_t	 n;
};

static int
purge_row(void *arg)
{
	struct purge_batch	*b = arg;

	memcpy(b->ids[b->n++], b->id, sizeof(b->id));
	return 0;
}

/*
 * Batches found by a plain (non-locking) read in key order, then deleted
 * one by one by key: a single DELETE would have to scan the table and,
 * under REPEATABLE READ, lock every row it passes, live sessions too.
 */
enum ierr
sessions_purge(struct db *db, unsigned days, unsigned long long *count)
{
	static const char	 find[] = "SELECT id FROM sessions WHERE "
	    "id > ? AND " ENDED_BEFORE " ORDER BY id LIMIT " NUMBER(PURGE_BATCH);
	static const char	 del[] = "DELETE FROM sessions WHERE id = ? AND "
	    ENDED_BEFORE;
	struct purge_batch	*b;
	char			 after[37] = "";
	unsigned long long	 n;
	enum ierr		 e = IERR_OK;
	size_t			 i;

	*count = 0;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return IERR_INTERNAL;
	do {
		struct db_param	 p[] = {
			DBP_CSTR(after), DBP_INT(days), DBP_INT(days),
		};
		struct db_col	 c[] = { DBC_STR(b->id) };

		b->n = 0;
		if ((e = db_query(db, find, p, 3, c, 1, purge_row, b,
		    NULL)) != IERR_OK)
			break;
		for (i = 0; i < b->n && e == IERR_OK; i++) {
			struct db_param	 q[] = {
				DBP_CSTR(b->ids[i]), DBP_INT(days),
				DBP_INT(days),
			};

			n = 0;
			e = db_exec(db, del, q, 3, &n);
			*count += n;
		}
		if (b->n > 0)
			memcpy(after, b->ids[b->n - 1], sizeof(after));
	} while (e == IERR_OK && b->n == PURGE_BATCH);
	free(b);
	return e;
}
