#ifndef GENESIS_USERINFO_H
#define GENESIS_USERINFO_H

#include <stdbool.h>

#include "db.h"
#include "ierr.h"
#include "profiles.h"

/*
 * What UserInfo answers for one access token: the user of a live
 * session and the profile claims, read in one statement so that the
 * route costs one round trip like /token/validate.
 */
struct userinfo {
	char		 username[401];
	char		 email[1021];
	bool		 email_verified;
	bool		 disabled;
	bool		 has_profile;
	struct profile	 pr;	/* only the fields OpenID claims name */
};

/*
 * The user uid of session sid with its first profile; IERR_NOT_FOUND if
 * the session is revoked, expired or not uid's.
 */
enum ierr	userinfo_get(struct db *, const char *sid, const char *uid,
		    struct userinfo *out);

#endif
