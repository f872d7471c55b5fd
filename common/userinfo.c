#include <string.h>

#include "userinfo.h"

/* The profile fields of OpenID Connect Core §5.1 that we have. */
static const enum profile_field claim_fields[] = {
	PF_GIVEN_NAME, PF_FAMILY_NAME, PF_NICK_NAME, PF_PICTURE,
	PF_DATE_OF_BIRTH, PF_LOCALE, PF_TIMEZONE,
};
#define NCLAIM	(sizeof(claim_fields) / sizeof(claim_fields[0]))
#define NFIXED	6

enum ierr
userinfo_get(struct db *db, const char *sid, const char *uid,
    struct userinfo *out)
{
	/* The first profile, as profiles_get reads it. */
	static const char	 sql[] =
	    "SELECT u.username, u.email, u.email_verified, u.disabled, "
	    "p.id IS NOT NULL, "
	    "DATE_FORMAT(p.updated_at, '%Y-%m-%dT%H:%i:%sZ'), "
	    "p.given_name, p.family_name, p.nick_name, p.picture, "
	    "DATE_FORMAT(p.date_of_birth, '%Y-%m-%d'), p.locale, p.timezone "
	    "FROM sessions s JOIN users u ON u.id = s.user_id "
	    "LEFT JOIN profiles p ON p.id = "
	    "(SELECT MIN(id) FROM profiles WHERE user_id = u.id) "
	    "WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND "
	    "s.expires_at > UTC_TIMESTAMP()";
	struct db_param		 p[] = { DBP_CSTR(sid), DBP_CSTR(uid) };
	struct db_col		 c[NFIXED + NCLAIM];
	size_t			 i, rows;
	enum ierr		 e;

	memset(out, 0, sizeof(*out));
	c[0] = DBC_STR(out->username);
	c[1] = DBC_STR(out->email);
	c[2] = DBC_INT;
	c[3] = DBC_INT;
	c[4] = DBC_INT;
	c[5] = DBC_STR(out->pr.updated_at);
	for (i = 0; i < NCLAIM; i++)
		c[NFIXED + i] = DBC_STR(out->pr.f[claim_fields[i]].v);
	if ((e = db_query(db, sql, p, 2, c, NFIXED + NCLAIM, NULL, NULL,
	    &rows)) != IERR_OK)
		return e;
	if (rows == 0)
		return IERR_NOT_FOUND;
	out->email_verified = c[2].i != 0;
	out->disabled = c[3].i != 0;
	out->has_profile = c[4].i != 0;
	for (i = 0; i < PF__MAX; i++)
		out->pr.f[i].null = true;
	for (i = 0; i < NCLAIM; i++)
		out->pr.f[claim_fields[i]].null = c[NFIXED + i].null;
	return IERR_OK;
}
