/*
 * The users table: every query about users, over db.c.  Timestamps come
 * back as RFC 3339 UTC strings; the password hash is read only by the
 * functions that need it (login) and never by users_get.
 */
#ifndef IDENT_USERS_H
#define IDENT_USERS_H

#include <stdbool.h>
#include <stddef.h>

#include "ierr.h"

struct db;

#define TS_LEN	20	/* "2026-11-28T15:27:50Z" */

struct user {
	char	 id[37];
	char	 username[401];		/* 100 chars of utf8mb4 */
	char	 email[1021];		/* 255 chars of utf8mb4 */
	bool	 disabled;
	bool	 is_active;
	bool	 email_verified;
	char	 auth_provider[33];
	bool	 is_native;
	char	 role[17];
	char	 last_login_at[TS_LEN + 1];	/* "" when never */
	char	 last_login_method[33];		/* "" when never */
	char	 created_at[TS_LEN + 1];
	char	 last_modified[TS_LEN + 1];
};

/* What a login needs: the stored hash is only ever read here. */
struct login_user {
	char	 id[37];
	char	 username[401];
	char	 role[17];
	char	 hash[512];
	bool	 disabled;
	bool	 locked;	/* locked_until is in the future */
};

/* A change of the fields a PUT /users/{id} may set (NULL: unchanged). */
struct user_change {
	const char	*username;
	size_t		 usernamelen;
	const char	*email;
	size_t		 emaillen;
	const char	*hash;
};

/*
 * What an admin may do to a user (API.md "Roles").  USERS_TOGGLE flips
 * disabled; users_admin says which of USERS_DISABLE and USERS_ENABLE it
 * was.
 */
enum users_admin_op {
	USERS_MAKE_ADMIN,
	USERS_MAKE_USER,
	USERS_MAKE_ROOT,
	USERS_DISABLE,
	USERS_ENABLE,
	USERS_TOGGLE,
	USERS_DELETE,
	USERS_OP__MAX
};

/* Why users_admin refused. */
enum users_denial {
	USERS_DENY_NONE,
	USERS_DENY_ACTOR,	/* the actor is no (longer an) active admin */
	USERS_DENY_RANK,	/* only a root acts on admins and roots */
	USERS_DENY_OWN_ROLE,	/* nobody changes their own role */
	USERS_DENY_LAST_ROOT,	/* the last active root stays */
	USERS_DENY_LAST_ADMIN,	/* the last active admin or root stays */
};

/* The user with this id.  IERR_NOT_FOUND if none. */
enum ierr	users_get(struct db *, const char *id, struct user *out);
/*
 * The user id, if session sid of that user is live (not revoked, not
 * expired): the authentication of a route that shows the caller's own
 * row, in one query.  IERR_NOT_FOUND otherwise.
 */
enum ierr	users_get_in_session(struct db *, const char *id,
		    const char *sid, struct user *out);

/*
 * Which of email and username is taken already (case-insensitively).
 * Returns IERR_OK and sets the flags.
 */
enum ierr	users_taken(struct db *, const char *email, size_t emaillen,
		    const char *username, size_t userlen,
		    bool *email_taken, bool *username_taken);

/*
 * Insert a new user with role 'user' and the given id and password hash.
 * IERR_DUPLICATE if the email or username is taken meanwhile: then
 * *email_clash tells which.
 */
enum ierr	users_insert(struct db *, const char *id,
		    const char *username, size_t userlen,
		    const char *email, size_t emaillen,
		    const char *hash, bool *email_clash);

/* The login row of a username, or of an email when name holds '@'. */
enum ierr	users_for_login(struct db *, const char *name, size_t len,
		    struct login_user *out);
/* Whether id's account is locked now (its locked_until is ahead). */
enum ierr	users_locked(struct db *, const char *id, bool *locked);
/* The stored hash of id (for current_password checks). */
enum ierr	users_hash(struct db *, const char *id, char *out, size_t cap);
enum ierr	users_set_hash(struct db *, const char *id, const char *hash);
/* A successful login: its time and method; the failure count restarts. */
enum ierr	users_record_login(struct db *, const char *id,
		    const char *method);
/*
 * A failed login: count it, and at threshold consecutive failures lock
 * the account for lock_seconds (the count then restarts).  *locked tells
 * whether this failure locked it.
 */
enum ierr	users_login_failed(struct db *, const char *id,
		    unsigned threshold, unsigned lock_seconds, bool *locked);
/* Find by email (by_email) or username; IERR_NOT_FOUND if none. */
enum ierr	users_find(struct db *, bool by_email, const char *value,
		    size_t len, struct user *out);
/* Apply c; IERR_DUPLICATE with *email_clash as users_insert. */
enum ierr	users_update(struct db *, const char *id,
		    const struct user_change *c, bool *email_clash);
/*
 * Apply *op to user id on behalf of actor (a user id, or NULL for the
 * operator's command line) under API.md's role rules, checked and
 * applied in one transaction that first locks every admin and root row
 * (so two admins acting on each other at once are serialised) and then
 * the actor's and the target's.  An actor acting on their own account
 * needs no rank (deleting oneself, say) but may not change their role.
 * IERR_FORBIDDEN (*why: ACTOR, RANK, OWN_ROLE, or LAST_ROOT for deleting
 * the last active root) or IERR_CONFLICT (LAST_ROOT, LAST_ADMIN) when
 * refused; IERR_NOT_FOUND if there is no such user.  A USERS_TOGGLE
 * becomes the USERS_DISABLE or USERS_ENABLE it was.  USERS_DELETE
 * removes the profile and (by cascade) the sessions too.
 */
enum ierr	users_admin(struct db *, const char *actor, const char *id,
		    enum users_admin_op *op, enum users_denial *why);
/* Clear the login-failure lockout of id. */
enum ierr	users_unlock(struct db *, const char *id);

/*
 * One page of users in (created_at, id) order after the cursor (NULL
 * for the first page): fn gets each row; *more tells whether another
 * page follows.  The cursor of a row is its sort key and id.
 */
struct user_cursor {
	char	 sort[TS_LEN + 1];	/* "2026-11-28 15:27:50" */
	char	 id[37];
};

enum ierr	users_page(struct db *, const struct user_cursor *after,
		    unsigned limit, int (*fn)(void *arg, const struct user *,
		    const struct user_cursor *), void *arg, bool *more);

/* Insert an admin, or a root (genesis-admin create-admin [--root]). */
enum ierr	users_insert_admin(struct db *, const char *id,
		    const char *username, const char *email, const char *hash,
		    bool root, bool *email_clash);

/*
 * The admin console's figures (GET /admin/analytics).  The totals come
 * from the trigger-kept user_counts (migration 0010), new_this_week
 * from user_days (0014) and, for its first day, the created_sort index.
 */
struct user_totals {
	long long	 total;
	long long	 active;
	long long	 native;
	long long	 privileged;	/* admin and root */
	long long	 new_this_week;
};

enum ierr	users_totals(struct db *, bool with_new, struct user_totals *);

/*
 * The admin console's list: per_page users from offset, in (created_at,
 * id) order; with prefix (NULL: all), only those whose username or email
 * starts with it, case-insensitively.  fn gets each row.  *total is the
 * number of users the list would hold without paging.
 */
enum ierr	users_console_page(struct db *, const char *prefix,
		    size_t prefixlen, unsigned offset, unsigned per_page,
		    int (*fn)(void *arg, const struct user *), void *arg,
		    long long *total);

#endif
