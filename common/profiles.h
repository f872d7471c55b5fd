/*
 * The profiles table: at most one profile per user (the original schema's
 * unique email, which is always the account's, guarantees it).  The
 * fields a caller may set are listed once, in profile_fields[]; the SQL
 * of this module names the same columns in the same order.
 */
#ifndef IDENT_PROFILES_H
#define IDENT_PROFILES_H

#include <stdbool.h>
#include <stddef.h>

#include "ierr.h"
#include "users.h"

struct db;

enum profile_field {
	PF_GIVEN_NAME,
	PF_FAMILY_NAME,
	PF_NICK_NAME,
	PF_SUB,
	PF_DATE_OF_BIRTH,
	PF_MOBILE_NUMBER,
	PF_ADDRESS_LINE1,
	PF_ADDRESS_LINE2,
	PF_CITY,
	PF_STATE,
	PF_ZIP_CODE,
	PF_COUNTRY,
	PF_PICTURE,
	PF_LOCALE,
	PF_TIMEZONE,
	PF__MAX
};

struct profile_field_def {
	const char	*name;
	size_t		 max_chars;	/* the column's width */
	bool		 required;	/* on create, and never null */
	bool		 is_date;	/* "YYYY-MM-DD", a real calendar date */
};

extern const struct profile_field_def profile_fields[PF__MAX];

#define PROFILE_VALUE_MAX	1021	/* 255 chars of utf8mb4 */

struct profile {
	long long	 id;
	char		 user_id[37];
	char		 email[1021];
	bool		 phone_verified;
	char		 updated_at[TS_LEN + 1];
	struct {
		char	 v[PROFILE_VALUE_MAX];
		bool	 null;
	}		 f[PF__MAX];
};

/* New values: set[i] says whether field i changes; v NULL sets SQL NULL. */
struct profile_values {
	bool		 set[PF__MAX];
	const char	*v[PF__MAX];
	size_t		 len[PF__MAX];
};

/* Is s a real calendar date written YYYY-MM-DD (years 1000 to 9999)? */
bool		profile_date_ok(const char *s, size_t len);

/* The profile of uid; IERR_NOT_FOUND if none. */
enum ierr	profiles_get(struct db *, const char *uid, struct profile *);
/* Create; IERR_DUPLICATE if the user has one. */
enum ierr	profiles_create(struct db *, const char *uid, const char *email,
		    const struct profile_values *);
/* Change the set fields; IERR_NOT_FOUND if there is no profile. */
enum ierr	profiles_update(struct db *, const char *uid,
		    const struct profile_values *);
enum ierr	profiles_delete(struct db *, const char *uid);

#endif
