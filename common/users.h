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

/* The user with this id.  IERR_NOT_FOUND if none. */
enum ierr	users_get(struct db *, const char *id, struct user *out);

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

#endif
