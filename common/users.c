#include <string.h>

#include "db.h"
#include "users.h"

#define TS(col)	"DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"

#define USER_COLUMNS \
	"id, username, email, disabled, is_active, email_verified, " \
	"auth_provider, is_native, role, " TS("last_login_at") ", " \
	"last_login_method, " TS("created_at") ", " TS("last_modified")

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

static void
user_flags(struct user *u, const struct db_col c[13])
{
	u->disabled = c[3].i != 0;
	u->is_active = c[4].i != 0;
	u->email_verified = c[5].i != 0;
	u->is_native = c[7].i != 0;
}

enum ierr
users_get(struct db *db, const char *id, struct user *u)
{
	static const char	 sql[] =
	    "SELECT " USER_COLUMNS " FROM users WHERE id = ?";
	struct db_param		 p[] = { DBP_CSTR(id) };
	struct db_col		 c[13];
	size_t			 rows;
	enum ierr		 e;

	memset(u, 0, sizeof(*u));
	user_cols(u, c);
	if ((e = db_query(db, sql, p, 1, c, 13, NULL, NULL, &rows)) != IERR_OK)
		return e;
	if (rows == 0)
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

enum ierr
users_insert(struct db *db, const char *id, const char *username,
    size_t userlen, const char *email, size_t emaillen, const char *hash,
    bool *email_clash)
{
	static const char	 sql[] =
	    "INSERT INTO users (id, username, email, password, disabled, "
	    "is_active, role, created_at, last_modified) "
	    "VALUES (?, ?, ?, ?, 0, 1, 'user', UTC_TIMESTAMP(), UTC_TIMESTAMP())";
	struct db_param		 p[] = {
		DBP_CSTR(id), DBP_STR(username, userlen),
		DBP_STR(email, emaillen), DBP_CSTR(hash)
	};
	enum ierr		 e;

	e = db_exec(db, sql, p, 4, NULL);
	if (e == IERR_DUPLICATE)
		*email_clash = strcmp(db_dup_key(db), "username") != 0;
	return e;
}
