#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "sessions.h"
#include "users.h"

/* The times come as "YYYY-MM-DD HH:MM:SS" (UTC): see iso_time(). */
#define USER_COLUMNS \
	"id, username, email, disabled, is_active, email_verified, " \
	"auth_provider, is_native, role, last_login_at, " \
	"last_login_method, created_at, last_modified"

/* USER_COLUMNS of the table called t in the query. */
#define USER_COLUMNS_OF(t) \
	t ".id, " t ".username, " t ".email, " t ".disabled, " t ".is_active, " \
	t ".email_verified, " t ".auth_provider, " t ".is_native, " t ".role, " \
	t ".last_login_at, " t ".last_login_method, " t ".created_at, " \
	t ".last_modified"

/* The result columns of USER_COLUMNS, bound to u. */
static void
user_cols(struct user *u, struct db_col c[13])
{
	c[0] = DBC_STR(u->id);
	c[1] = DBC_STR(u->username);
	c[2] = DBC_STR(u->email);
	c[3] = DBC_INT;
	c[4] = DBC_INT;
	c[5] = DBC_INT;
	c[6] = DBC_STR(u->auth_provider);
	c[7] = DBC_INT;
	c[8] = DBC_STR(u->role);
	c[9] = DBC_STR(u->last_login_at);
	c[10] = DBC_STR(u->last_login_method);
	c[11] = DBC_STR(u->created_at);
	c[12] = DBC_STR(u->last_modified);
}

/*
 * A DATETIME as the client library spells it, "2026-11-28 15:27:50", in
 * place as API.md's "2026-11-28T15:27:50Z" (every time is stored in
 * UTC): formatted here, the server's DATE_FORMAT() was a sixth of the
 * cost of the query behind GET /users/me/.
 */
static void
iso_time(char ts[TS_LEN + 1])
{
	if (strlen(ts) != TS_LEN - 1 || ts[10] != ' ')
		return;
	ts[10] = 'T';
	ts[TS_LEN - 1] = 'Z';
	ts[TS_LEN] = '\0';
}

static void
user_flags(struct user *u, const struct db_col c[13])
{
	u->disabled = c[3].i != 0;
	u->is_active = c[4].i != 0;
	u->email_verified = c[5].i != 0;
	u->is_native = c[7].i != 0;
	iso_time(u->last_login_at);
	iso_time(u->created_at);
	iso_time(u->last_modified);
}

/* The user of the statement sql, with its parameters. */
static enum ierr
user_by(struct db *db, const char *sql, const struct db_param *p, size_t np,
    struct user *u)
{
	struct db_col		 c[13];
	size_t			 rows;
	enum ierr		 e;

	memset(u, 0, sizeof(*u));
	user_cols(u, c);
	if ((e = db_query(db, sql, p, np, c, 13, NULL, NULL, &rows)) != IERR_OK)
		return e;
	if (rows == 0)
		return IERR_NOT_FOUND;
	user_flags(u, c);
	return IERR_OK;
}

enum ierr
users_get(struct db *db, const char *id, struct user *u)
{
	static const char	 sql[] =
	    "SELECT " USER_COLUMNS " FROM users WHERE id = ?";
	struct db_param		 p[] = { DBP_CSTR(id) };

	return user_by(db, sql, p, 1, u);
}

enum ierr
users_get_in_session(struct db *db, const char *id, const char *sid,
    struct user *u)
{
	/* Kept by the query cache as sessions_principal's (which see). */
	static const char	 sql[] =
	    "SELECT " KEEP_ANSWER USER_COLUMNS_OF("u") ", "
	    SESSION_EXPIRES_EPOCH " FROM users u JOIN sessions s "
	    "ON s.user_id = u.id WHERE u.id = ? AND s.id = ? AND "
	    "s.revoked_at IS NULL";
	struct db_param		 p[] = { DBP_CSTR(id), DBP_CSTR(sid) };
	struct db_col		 c[14];
	size_t			 rows;
	enum ierr		 e;

	memset(u, 0, sizeof(*u));
	user_cols(u, c);
	c[13] = DBC_INT;
	if ((e = db_query(db, sql, p, 2, c, 14, NULL, NULL, &rows)) != IERR_OK)
		return e;
	if (rows == 0 || !SESSION_LIVE(c[13].i))
		return IERR_NOT_FOUND;
	user_flags(u, c);
	return IERR_OK;
}

enum ierr
users_taken(struct db *db, const char *email, size_t emaillen,
    const char *username, size_t userlen, bool *email_taken,
    bool *username_taken)
{
	static const char	 sql[] =
	    "SELECT (SELECT COUNT(*) FROM users WHERE email = ?), "
	    "(SELECT COUNT(*) FROM users WHERE username = ?)";
	struct db_param		 p[] = {
		DBP_STR(email, emaillen), DBP_STR(username, userlen)
	};
	struct db_col		 c[] = { DBC_INT, DBC_INT };
	enum ierr		 e;

	if ((e = db_query(db, sql, p, 2, c, 2, NULL, NULL, NULL)) != IERR_OK)
		return e;
	*email_taken = c[0].i > 0;
	*username_taken = c[1].i > 0;
	return IERR_OK;
}

static enum ierr
insert_user(struct db *db, const char *role, const char *id,
    const char *username, size_t userlen, const char *email, size_t emaillen,
    const char *hash, bool *email_clash)
{
	static const char	 sql[] =
	    "INSERT INTO users (id, username, email, password, disabled, "
	    "is_active, role, created_at, last_modified) VALUES "
	    "(?, ?, ?, ?, 0, 1, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())";
	struct db_param		 p[] = {
		DBP_CSTR(id), DBP_STR(username, userlen),
		DBP_STR(email, emaillen), DBP_CSTR(hash), DBP_CSTR(role),
	};
	enum ierr		 e;

	e = db_exec(db, sql, p, 5, NULL);
	if (e == IERR_DUPLICATE)
		*email_clash = strcmp(db_dup_key(db), "username") != 0;
	return e;
}

enum ierr
users_insert(struct db *db, const char *id, const char *username,
    size_t userlen, const char *email, size_t emaillen, const char *hash,
    bool *email_clash)
{
	return insert_user(db, "user", id, username, userlen, email, emaillen,
	    hash, email_clash);
}

enum ierr
users_insert_admin(struct db *db, const char *id, const char *username,
    const char *email, const char *hash, bool root, bool *email_clash)
{
	return insert_user(db, root ? "root" : "admin", id, username, strlen(username), email,
	    strlen(email), hash, email_clash);
}

enum ierr
users_for_login(struct db *db, const char *name, size_t len,
    struct login_user *u)
{
	static const char	 by_name[] = "SELECT id, username, role, "
	    "password, disabled, COALESCE(locked_until > UTC_TIMESTAMP(), 0) "
	    "FROM users WHERE username = ?";
	static const char	 by_email[] = "SELECT id, username, role, "
	    "password, disabled, COALESCE(locked_until > UTC_TIMESTAMP(), 0) "
	    "FROM users WHERE email = ?";
	struct db_param		 p[] = { DBP_STR(name, len) };
	struct db_col		 c[] = {
		DBC_STR(u->id), DBC_STR(u->username), DBC_STR(u->role),
		DBC_STR(u->hash), DBC_INT, DBC_INT,
	};
	size_t			 rows;
	enum ierr		 e;

	memset(u, 0, sizeof(*u));
	/* Usernames cannot hold '@' and emails must: no ambiguity. */
	e = db_query(db, memchr(name, '@', len) != NULL ? by_email : by_name,
	    p, 1, c, 6, NULL, NULL, &rows);
	if (e == IERR_OK && rows == 0)
		e = IERR_NOT_FOUND;
	u->disabled = c[4].i != 0;
	u->locked = c[5].i != 0;
	return e;
}

enum ierr
users_locked(struct db *db, const char *id, bool *locked)
{
	static const char	 sql[] = "SELECT COALESCE(locked_until > "
	    "UTC_TIMESTAMP(), 0) FROM users WHERE id = ?";
	struct db_param		 p[] = { DBP_CSTR(id) };
	struct db_col		 c[] = { DBC_INT };
	size_t			 rows;
	enum ierr		 e;

	*locked = false;
	if ((e = db_query(db, sql, p, 1, c, 1, NULL, NULL, &rows)) != IERR_OK)
		return e;
	*locked = rows > 0 && c[0].i != 0;
	return IERR_OK;
}

enum ierr
users_hash(struct db *db, const char *id, char *out, size_t cap)
{
	static const char	 sql[] = "SELECT password FROM users WHERE id = ?";
	struct db_param		 p[] = { DBP_CSTR(id) };
	struct db_col		 c[] = { { DB_STR, out, cap, 0, false, 0 } };
	size_t			 rows;
	enum ierr		 e;

	if ((e = db_query(db, sql, p, 1, c, 1, NULL, NULL, &rows)) != IERR_OK)
		return e;
	return rows == 0 ? IERR_NOT_FOUND : IERR_OK;
}

enum ierr
users_set_hash(struct db *db, const char *id, const char *hash)
{
	static const char	 sql[] = "UPDATE users SET password = ? "
	    "WHERE id = ?";
	struct db_param		 p[] = { DBP_CSTR(hash), DBP_CSTR(id) };

	return db_exec(db, sql, p, 2, NULL);
}

enum ierr
users_record_login(struct db *db, const char *id, const char *method)
{
	static const char	 sql[] = "UPDATE users SET last_login_at = "
	    "UTC_TIMESTAMP(), last_login_method = ?, failed_logins = 0, "
	    "locked_until = NULL WHERE id = ?";
	struct db_param		 p[] = { DBP_CSTR(method), DBP_CSTR(id) };

	return db_exec(db, sql, p, 2, NULL);
}

enum ierr
users_login_failed(struct db *db, const char *id, unsigned threshold,
    unsigned lock_seconds, bool *locked)
{
	/* MariaDB assigns left to right: locked_until reads the old count. */
	static const char	 sql[] = "UPDATE users SET "
	    "locked_until = IF(failed_logins + 1 >= ?, UTC_TIMESTAMP() + "
	    "INTERVAL ? SECOND, locked_until), "
	    "failed_logins = IF(failed_logins + 1 >= ?, 0, failed_logins + 1) "
	    "WHERE id = ?";
	static const char	 check[] = "SELECT COALESCE(locked_until > "
	    "UTC_TIMESTAMP(), 0) FROM users WHERE id = ?";
	struct db_param		 p[] = {
		DBP_INT(threshold), DBP_INT(lock_seconds), DBP_INT(threshold),
		DBP_CSTR(id),
	};
	struct db_col		 c[] = { DBC_INT };
	enum ierr		 e;

	*locked = false;
	if ((e = db_exec(db, sql, p, 4, NULL)) != IERR_OK ||
	    (e = db_query(db, check, &p[3], 1, c, 1, NULL, NULL, NULL)) != IERR_OK)
		return e;
	*locked = c[0].i != 0;
	return IERR_OK;
}

enum ierr
users_find(struct db *db, bool by_email, const char *value, size_t len,
    struct user *u)
{
	static const char	 sql_email[] =
	    "SELECT " USER_COLUMNS " FROM users WHERE email = ?";
	static const char	 sql_name[] =
	    "SELECT " USER_COLUMNS " FROM users WHERE username = ?";
	struct db_param		 p[] = { DBP_STR(value, len) };

	return user_by(db, by_email ? sql_email : sql_name, p, 1, u);
}

struct update_tx {
	const char		*id;
	const struct user_change *c;
	bool			*email_clash;
};

static enum ierr
update_body(struct db *db, void *arg)
{
	/* One fixed statement: IF(changed, new, old) for each column. */
	static const char	 sql[] =
	    "UPDATE users SET username = IF(?, ?, username), "
	    "email = IF(?, ?, email), password = IF(?, ?, password), "
	    "last_modified = UTC_TIMESTAMP() WHERE id = ?";
	static const char	 profile_sql[] =
	    "UPDATE profiles SET email = ? WHERE user_id = ?";
	const struct update_tx	*t = arg;
	const struct user_change *c = t->c;
	struct db_param		 p[] = {
		DBP_INT(c->username != NULL),
		c->username != NULL ? DBP_STR(c->username, c->usernamelen) : DBP_NUL,
		DBP_INT(c->email != NULL),
		c->email != NULL ? DBP_STR(c->email, c->emaillen) : DBP_NUL,
		DBP_INT(c->hash != NULL), DBP_CSTR(c->hash), DBP_CSTR(t->id),
	};
	struct db_param		 pp[] = {
		c->email != NULL ? DBP_STR(c->email, c->emaillen) : DBP_NUL,
		DBP_CSTR(t->id),
	};
	enum ierr		 e;

	e = db_exec(db, sql, p, 7, NULL);
	/* The profile's email is the account's (API.md). */
	if (e == IERR_OK && c->email != NULL)
		e = db_exec(db, profile_sql, pp, 2, NULL);
	if (e == IERR_DUPLICATE)
		*t->email_clash = strcmp(db_dup_key(db), "username") != 0;
	return e;
}

enum ierr
users_update(struct db *db, const char *id, const struct user_change *c,
    bool *email_clash)
{
	struct update_tx	 t = { id, c, email_clash };

	return db_tx(db, update_body, &t);
}

/* The rows users_admin decides on, locked. */
struct admin_scene {
	long long	 roots;		/* active roots */
	long long	 privileged;	/* active admins and roots */
	char		 role[17];	/* the target's */
	bool		 disabled;
	char		 actor_role[17];
	bool		 actor_disabled;
	bool		 self;
};

static bool
privileged(const char *role)
{
	return strcmp(role, "admin") == 0 || strcmp(role, "root") == 0;
}

static const char *
new_role(enum users_admin_op op)
{
	return op == USERS_MAKE_ROOT ? "root" : op == USERS_MAKE_ADMIN ?
	    "admin" : op == USERS_MAKE_USER ? "user" : NULL;
}

/* API.md's rules, in order; the op is already resolved (no toggle). */
static enum ierr
admin_rules(const struct admin_scene *s, bool by_operator,
    enum users_admin_op op, enum users_denial *why)
{
	const char	*role = new_role(op);
	bool		 active = !s->disabled;
	bool		 keeps_role = role == NULL || strcmp(role, s->role) == 0;
	bool		 unprivileges = op == USERS_DISABLE ||
	    op == USERS_DELETE || (role != NULL && !privileged(role));

	if (!by_operator && !s->self &&
	    (!privileged(s->actor_role) || s->actor_disabled))
		*why = USERS_DENY_ACTOR;
	else if (s->self && !keeps_role)
		*why = USERS_DENY_OWN_ROLE;
	else if (!by_operator && !s->self &&
	    strcmp(s->actor_role, "root") != 0 &&
	    (privileged(s->role) || op == USERS_MAKE_ROOT))
		*why = USERS_DENY_RANK;
	else if (strcmp(s->role, "root") == 0 && active && s->roots <= 1 &&
	    (op == USERS_DISABLE || op == USERS_DELETE || !keeps_role))
		*why = USERS_DENY_LAST_ROOT;
	else if (privileged(s->role) && active && s->privileged <= 1 &&
	    unprivileges)
		*why = USERS_DENY_LAST_ADMIN;
	else
		return IERR_OK;
	if (*why == USERS_DENY_LAST_ADMIN ||
	    (*why == USERS_DENY_LAST_ROOT && op != USERS_DELETE))
		return IERR_CONFLICT;
	return IERR_FORBIDDEN;
}

static enum ierr
apply_admin_op(struct db *db, const char *id, enum users_admin_op op)
{
	static const char	 role_sql[] = "UPDATE users SET role = ?, "
	    "last_modified = UTC_TIMESTAMP() WHERE id = ?";
	static const char	 disable_sql[] = "UPDATE users SET disabled = ?, "
	    "is_active = ?, last_modified = UTC_TIMESTAMP() WHERE id = ?";
	static const char	 del_profile[] =
	    "DELETE FROM profiles WHERE user_id = ?";
	static const char	 del_user[] = "DELETE FROM users WHERE id = ?";
	struct db_param		 role[] = { DBP_CSTR(new_role(op)), DBP_CSTR(id) };
	struct db_param		 dis[] = {
		DBP_INT(op == USERS_DISABLE), DBP_INT(op != USERS_DISABLE),
		DBP_CSTR(id)
	};
	struct db_param		 one[] = { DBP_CSTR(id) };
	enum ierr		 e;

	switch (op) {
	case USERS_MAKE_ADMIN:
	case USERS_MAKE_USER:
	case USERS_MAKE_ROOT:
		return db_exec(db, role_sql, role, 2, NULL);
	case USERS_DISABLE:
	case USERS_ENABLE:
		return db_exec(db, disable_sql, dis, 3, NULL);
	case USERS_DELETE:
		if ((e = db_exec(db, del_profile, one, 1, NULL)) != IERR_OK)
			return e;
		return db_exec(db, del_user, one, 1, NULL);
	case USERS_TOGGLE:
	case USERS_OP__MAX:
		break;
	}
	return IERR_INTERNAL;
}

/* Role and disabled of id, locked; IERR_NOT_FOUND if none. */
static enum ierr
lock_user(struct db *db, const char *id, char role[17], bool *disabled)
{
	static const char	 sql[] = "SELECT role, disabled FROM users "
	    "WHERE id = ? FOR UPDATE";
	struct db_param		 p[] = { DBP_CSTR(id) };
	struct db_col		 c[] = { { DB_STR, role, 17, 0, false, 0 },
	    DBC_INT };
	size_t			 rows;
	enum ierr		 e;

	if ((e = db_query(db, sql, p, 1, c, 2, NULL, NULL, &rows)) != IERR_OK)
		return e;
	*disabled = c[1].i != 0;
	return rows == 0 ? IERR_NOT_FOUND : IERR_OK;
}

/*
 * Every admin and root row first, in one statement (its index range, and
 * the gap after it, so that no admin appears meanwhile): every change
 * that may remove an admin or root waits here for the one before it, so
 * a count read here cannot go stale before the change commits.
 */
static enum ierr
lock_scene(struct db *db, const char *actor, const char *id,
    struct admin_scene *s)
{
	static const char	 counts_sql[] = "SELECT "
	    "COALESCE(SUM(role = 'root' AND disabled = 0), 0), "
	    "COALESCE(SUM(disabled = 0), 0) FROM users "
	    "WHERE role IN ('admin', 'root') FOR UPDATE";
	struct db_col		 c[] = { DBC_INT, DBC_INT };
	enum ierr		 e;

	memset(s, 0, sizeof(*s));
	if ((e = db_query(db, counts_sql, NULL, 0, c, 2, NULL, NULL,
	    NULL)) != IERR_OK)
		return e;
	s->roots = c[0].i;
	s->privileged = c[1].i;
	if ((e = lock_user(db, id, s->role, &s->disabled)) != IERR_OK)
		return e;
	s->self = actor != NULL && strcmp(actor, id) == 0;
	if (actor == NULL || s->self)
		return IERR_OK;
	e = lock_user(db, actor, s->actor_role, &s->actor_disabled);
	if (e == IERR_NOT_FOUND) {	/* deleted meanwhile: no rights */
		s->actor_role[0] = '\0';
		e = IERR_OK;
	}
	return e;
}

struct admin_tx {
	const char		*actor;
	const char		*id;
	enum users_admin_op	 want;
	enum users_admin_op	*op;
	enum users_denial	*why;
};

static enum ierr
admin_body(struct db *db, void *arg)
{
	/*
	 * The guard row makes two of these conflict on a Galera cluster too
	 * (migration 0013), where FOR UPDATE locks only the local node;
	 * lock_scene serialises them on one server.
	 */
	static const char	 guard_sql[] = "UPDATE write_guards SET "
	    "generation = generation + 1 WHERE name = 'admins'";
	const struct admin_tx	*t = arg;
	struct admin_scene	 s;
	enum ierr		 e;

	*t->why = USERS_DENY_NONE;
	*t->op = t->want;
	if ((e = db_exec(db, guard_sql, NULL, 0, NULL)) != IERR_OK ||
	    (e = lock_scene(db, t->actor, t->id, &s)) != IERR_OK)
		return e;
	if (*t->op == USERS_TOGGLE)
		*t->op = s.disabled ? USERS_ENABLE : USERS_DISABLE;
	if ((e = admin_rules(&s, t->actor == NULL, *t->op, t->why)) != IERR_OK)
		return e;
	return apply_admin_op(db, t->id, *t->op);
}

enum ierr
users_admin(struct db *db, const char *actor, const char *id,
    enum users_admin_op *op, enum users_denial *why)
{
	struct admin_tx		 t = { actor, id, *op, op, why };

	return db_tx(db, admin_body, &t);
}

enum ierr
users_unlock(struct db *db, const char *id)
{
	static const char	 sql[] = "UPDATE users SET failed_logins = 0, "
	    "locked_until = NULL WHERE id = ?";
	struct db_param		 p[] = { DBP_CSTR(id) };

	return db_exec(db, sql, p, 1, NULL);
}

struct page_walk {
	int			(*fn)(void *, const struct user *,
				    const struct user_cursor *);
	void			*arg;
	struct user		 u;
	struct user_cursor	 cur;
	struct db_col		 c[15];
	unsigned		 limit, seen;
	bool			 more;
};

static int
page_row(void *arg)
{
	struct page_walk	*w = arg;

	/* The query asks for one row more than the page: it only says "more". */
	if (++w->seen > w->limit) {
		w->more = true;
		return 1;
	}
	user_flags(&w->u, w->c);
	return w->fn(w->arg, &w->u, &w->cur);
}

enum ierr
users_page(struct db *db, const struct user_cursor *after, unsigned limit,
    int (*fn)(void *, const struct user *, const struct user_cursor *),
    void *arg, bool *more)
{
	static const char	 first[] = "SELECT " USER_COLUMNS ", "
	    "DATE_FORMAT(created_sort, '%Y-%m-%d %H:%i:%s'), id FROM users "
	    "ORDER BY created_sort, id LIMIT ?";
	static const char	 next[] = "SELECT " USER_COLUMNS ", "
	    "DATE_FORMAT(created_sort, '%Y-%m-%d %H:%i:%s'), id FROM users "
	    "WHERE created_sort > ? OR (created_sort = ? AND id > ?) "
	    "ORDER BY created_sort, id LIMIT ?";
	struct page_walk	*w;
	enum ierr		 e;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return IERR_INTERNAL;
	w->fn = fn;
	w->arg = arg;
	w->limit = limit;
	user_cols(&w->u, w->c);
	w->c[13] = DBC_STR(w->cur.sort);
	w->c[14] = DBC_STR(w->cur.id);
	if (after == NULL) {
		struct db_param p[] = { DBP_INT(limit + 1) };

		e = db_query(db, first, p, 1, w->c, 15, page_row, w, NULL);
	} else {
		struct db_param p[] = {
			DBP_CSTR(after->sort), DBP_CSTR(after->sort),
			DBP_CSTR(after->id), DBP_INT(limit + 1),
		};

		e = db_query(db, next, p, 4, w->c, 15, page_row, w, NULL);
	}
	*more = w->more;
	free(w);
	return e;
}

enum ierr
users_totals(struct db *db, bool with_new, struct user_totals *t)
{
	static const char	 sums[] = "SELECT COALESCE(SUM(total), 0), "
	    "COALESCE(SUM(active), 0), COALESCE(SUM(native), 0), "
	    "COALESCE(SUM(privileged), 0) FROM user_counts";
	/*
	 * The users made since this time a week ago: the whole days after
	 * its day from user_days (migration 0014), that first day's part
	 * from the index.
	 */
	static const char	 recent[] = "SELECT "
	    "COALESCE((SELECT SUM(n) FROM user_days WHERE day > "
	    "DATE(UTC_TIMESTAMP() - INTERVAL 7 DAY)), 0) + "
	    "(SELECT COUNT(*) FROM users FORCE INDEX (users_created_sort_id) "
	    "WHERE created_sort >= UTC_TIMESTAMP() - INTERVAL 7 DAY AND "
	    "created_sort < DATE(UTC_TIMESTAMP() - INTERVAL 7 DAY) + "
	    "INTERVAL 1 DAY)";
	struct db_col		 c[] = { DBC_INT, DBC_INT, DBC_INT, DBC_INT };
	struct db_col		 n[] = { DBC_INT };
	enum ierr		 e;

	memset(t, 0, sizeof(*t));
	if ((e = db_query(db, sums, NULL, 0, c, 4, NULL, NULL, NULL)) != IERR_OK)
		return e;
	t->total = c[0].i;
	t->active = c[1].i;
	t->native = c[2].i;
	t->privileged = c[3].i;
	if (with_new && (e = db_query(db, recent, NULL, 0, n, 1, NULL, NULL,
	    NULL)) != IERR_OK)
		return e;
	t->new_this_week = n[0].i;
	return IERR_OK;
}

struct console_walk {
	int		(*fn)(void *, const struct user *);
	void		*arg;
	struct user	 u;
	struct db_col	 c[13];
};

static int
console_row(void *arg)
{
	struct console_walk	*w = arg;

	user_flags(&w->u, w->c);
	return w->fn(w->arg, &w->u);
}

/*
 * prefix as a LIKE pattern: its '%', '_' and '!' escaped with '!' (not
 * the backslash, whose meaning depends on the SQL mode), then '%'.
 */
static char *
like_prefix(const char *s, size_t len, size_t *outlen)
{
	char	*p;
	size_t	 i, n = 0;

	if (len > (SIZE_MAX - 2) / 2 || (p = malloc(2 * len + 2)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '%' || s[i] == '_' || s[i] == '!')
			p[n++] = '!';
		p[n++] = s[i];
	}
	p[n++] = '%';
	p[n] = '\0';
	*outlen = n;
	return p;
}

/* More matches than this in either index make a search broad. */
#define SEARCH_NARROW_MAX	10000
#define SEARCH_PROBE_LIMIT	10001	/* SEARCH_NARROW_MAX + 1 */
#define STR(x)			#x
#define XSTR(x)			STR(x)
#define MATCHES	"(username LIKE ? ESCAPE '!' OR email LIKE ? ESCAPE '!')"
/*
 * A page of the console's list: the ids of the page found with the
 * given index hint and condition ("a deferred join": users_console_page),
 * then only their rows read whole.  Parameters: the condition's, LIMIT,
 * OFFSET.
 */
#define DEFERRED_PAGE(hint_and_where) "SELECT " USER_COLUMNS_OF("u") \
	" FROM users u JOIN (SELECT id FROM users " hint_and_where \
	" ORDER BY created_sort, id LIMIT ? OFFSET ?) page USING (id) " \
	"ORDER BY u.created_sort, u.id"

/*
 * A search's total and page.  A narrow one reads the username and email
 * indexes (index_merge) and sorts only the matches.  A broad one (say a
 * single letter on a million users) would collect and sort a million
 * row ids that way, 8 s a page and as much again for the count: its page
 * walks the (created_sort, id) index instead and stops at the page's last
 * match, and its count is one scan of the table (1.1 s on a million).
 * Which it is, two probes bounded to SEARCH_NARROW_MAX + 1 index entries
 * each tell.
 */
static enum ierr
search_page(struct db *db, const char *like, size_t likelen, unsigned offset,
    unsigned per_page, struct console_walk *w, long long *total)
{
	static const char	 probe[] = "SELECT "
	    "(SELECT COUNT(*) FROM (SELECT 1 FROM users FORCE INDEX (username) "
	    "WHERE username LIKE ? ESCAPE '!' LIMIT "
	    XSTR(SEARCH_PROBE_LIMIT) ") a) > " XSTR(SEARCH_NARROW_MAX) " OR "
	    "(SELECT COUNT(*) FROM (SELECT 1 FROM users FORCE INDEX (email) "
	    "WHERE email LIKE ? ESCAPE '!' LIMIT "
	    XSTR(SEARCH_PROBE_LIMIT) ") b) > " XSTR(SEARCH_NARROW_MAX);
	static const char	 narrow_count[] = "SELECT COUNT(*) FROM users "
	    "FORCE INDEX (username, email) WHERE " MATCHES;
	static const char	 narrow[] = DEFERRED_PAGE(
	    "FORCE INDEX (username, email) WHERE " MATCHES);
	static const char	 broad_count[] = "SELECT COUNT(*) FROM users "
	    "IGNORE INDEX (username, email) WHERE " MATCHES;
	static const char	 broad[] = DEFERRED_PAGE(
	    "FORCE INDEX (users_created_sort_id) WHERE " MATCHES);
	struct db_param		 p[] = {
		DBP_STR(like, likelen), DBP_STR(like, likelen),
		DBP_INT(per_page), DBP_INT(offset),
	};
	struct db_col		 n[] = { DBC_INT };
	enum ierr		 e;
	bool			 wide;

	if ((e = db_query(db, probe, p, 2, n, 1, NULL, NULL, NULL)) !=
	    IERR_OK)
		return e;
	wide = n[0].i != 0;
	if ((e = db_query(db, wide ? broad_count : narrow_count, p, 2, n, 1,
	    NULL, NULL, NULL)) != IERR_OK)
		return e;
	*total = n[0].i;
	return db_query(db, wide ? broad : narrow, p, 4, w->c, 13,
	    console_row, w, NULL);
}

/*
 * The page is found on the (created_sort, id) index alone and only its
 * rows are read whole (a "deferred join"): an OFFSET of up to 10 000
 * then skips index entries, not rows.  The indexes are forced: a
 * prepared statement executed again (each worker keeps its statements)
 * was seen to switch the page to a full scan and a sort of the table,
 * seconds on a million users, for LIMIT and OFFSET values whose first
 * execution had used the index.  Searches: search_page.
 */
enum ierr
users_console_page(struct db *db, const char *prefix, size_t prefixlen,
    unsigned offset, unsigned per_page,
    int (*fn)(void *, const struct user *), void *arg, long long *total)
{
	static const char	 all[] = DEFERRED_PAGE(
	    "FORCE INDEX (users_created_sort_id)");
	struct console_walk	*w;
	struct user_totals	 t;
	char			*like = NULL;
	size_t			 likelen = 0;
	enum ierr		 e;

	*total = 0;
	if (prefix != NULL &&
	    (like = like_prefix(prefix, prefixlen, &likelen)) == NULL)
		return IERR_INTERNAL;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		free(like);
		return IERR_INTERNAL;
	}
	w->fn = fn;
	w->arg = arg;
	user_cols(&w->u, w->c);
	if (like != NULL)
		e = search_page(db, like, likelen, offset, per_page, w, total);
	else {
		struct db_param	 p[] = { DBP_INT(per_page), DBP_INT(offset) };

		if ((e = users_totals(db, false, &t)) == IERR_OK) {
			*total = t.total;
			e = db_query(db, all, p, 2, w->c, 13, console_row, w,
			    NULL);
		}
	}
	free(w);
	free(like);
	return e;
}
