#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "db.h"
#include "profiles.h"

const struct profile_field_def profile_fields[PF__MAX] = {
	[PF_GIVEN_NAME] =	{ "given_name", 100, true, false },
	[PF_FAMILY_NAME] =	{ "family_name", 100, true, false },
	[PF_NICK_NAME] =	{ "nick_name", 100, false, false },
	[PF_SUB] =		{ "sub", 255, true, false },
	[PF_DATE_OF_BIRTH] =	{ "date_of_birth", 10, false, true },
	[PF_MOBILE_NUMBER] =	{ "mobile_number", 32, false, false },
	[PF_ADDRESS_LINE1] =	{ "address_line1", 255, false, false },
	[PF_ADDRESS_LINE2] =	{ "address_line2", 255, false, false },
	[PF_CITY] =		{ "city", 100, false, false },
	[PF_STATE] =		{ "state", 100, false, false },
	[PF_ZIP_CODE] =		{ "zip_code", 20, false, false },
	[PF_COUNTRY] =		{ "country", 100, false, false },
	[PF_PICTURE] =		{ "picture", 255, false, false },
	[PF_LOCALE] =		{ "locale", 35, false, false },
	[PF_TIMEZONE] =		{ "timezone", 64, false, false },
};

/* The columns of profile_fields, in its order. */
#define FIELD_COLUMNS \
	"given_name, family_name, nick_name, sub, " \
	"DATE_FORMAT(date_of_birth, '%Y-%m-%d'), mobile_number, " \
	"address_line1, address_line2, city, state, zip_code, country, " \
	"picture, locale, timezone"

#define SET(col)	col " = IF(?, ?, " col ")"

bool
profile_date_ok(const char *s, size_t len)
{
	static const int	 mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };
	unsigned		 y, m, d;
	int			 end = 0;
	bool			 leap;
	size_t			 i;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	if (sscanf(s, "%4u-%2u-%2u%n", &y, &m, &d, &end) != 3 || end != 10)
		return false;
	if (y < 1000 || m < 1 || m > 12 || d < 1)
		return false;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= (unsigned)mdays[m - 1] + (m == 2 && leap ? 1 : 0);
}

enum ierr
profiles_get(struct db *db, const char *uid, struct profile *pr)
{
	static const char	 sql[] = "SELECT id, user_id, email, "
	    "phone_verified, DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%sZ'), "
	    FIELD_COLUMNS " FROM profiles WHERE user_id = ? ORDER BY id LIMIT 1";
	struct db_param		 p[] = { DBP_CSTR(uid) };
	struct db_col		 c[5 + PF__MAX];
	size_t			 i, rows;
	enum ierr		 e;

	memset(pr, 0, sizeof(*pr));
	c[0] = DBC_INT;
	c[1] = DBC_STR(pr->user_id);
	c[2] = DBC_STR(pr->email);
	c[3] = DBC_INT;
	c[4] = DBC_STR(pr->updated_at);
	for (i = 0; i < PF__MAX; i++)
		c[5 + i] = DBC_STR(pr->f[i].v);
	if ((e = db_query(db, sql, p, 1, c, 5 + PF__MAX, NULL, NULL,
	    &rows)) != IERR_OK)
		return e;
	if (rows == 0)
		return IERR_NOT_FOUND;
	pr->id = c[0].i;
	pr->phone_verified = c[3].i != 0;
	for (i = 0; i < PF__MAX; i++)
		pr->f[i].null = c[5 + i].null;
	return IERR_OK;
}

static struct db_param
value_param(const struct profile_values *pv, size_t i)
{
	return pv->set[i] && pv->v[i] != NULL ?
	    DBP_STR(pv->v[i], pv->len[i]) : DBP_NUL;
}

enum ierr
profiles_create(struct db *db, const char *uid, const char *email,
    const struct profile_values *pv)
{
	static const char	 sql[] = "INSERT INTO profiles (user_id, email, "
	    "updated_at, given_name, family_name, nick_name, sub, "
	    "date_of_birth, mobile_number, address_line1, address_line2, city, "
	    "state, zip_code, country, picture, locale, timezone) SELECT ?, ?, "
	    "UTC_TIMESTAMP(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
	    "FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM profiles WHERE user_id = ?)";
	struct db_param		 p[3 + PF__MAX];
	unsigned long long	 n = 0;
	size_t			 i;
	enum ierr		 e;

	p[0] = DBP_CSTR(uid);
	p[1] = DBP_CSTR(email);
	for (i = 0; i < PF__MAX; i++)
		p[2 + i] = value_param(pv, i);
	p[2 + PF__MAX] = DBP_CSTR(uid);
	e = db_exec(db, sql, p, 3 + PF__MAX, &n);
	if (e == IERR_OK && n == 0)
		e = IERR_DUPLICATE;
	return e;
}

enum ierr
profiles_update(struct db *db, const char *uid, const struct profile_values *pv)
{
	static const char	 sql[] = "UPDATE profiles SET "
	    SET("given_name") ", " SET("family_name") ", " SET("nick_name") ", "
	    SET("sub") ", " SET("date_of_birth") ", " SET("mobile_number") ", "
	    SET("address_line1") ", " SET("address_line2") ", " SET("city") ", "
	    SET("state") ", " SET("zip_code") ", " SET("country") ", "
	    SET("picture") ", " SET("locale") ", " SET("timezone") ", "
	    "updated_at = UTC_TIMESTAMP() WHERE user_id = ?";
	struct db_param		 p[2 * PF__MAX + 1];
	unsigned long long	 n = 0;
	size_t			 i;
	enum ierr		 e;

	for (i = 0; i < PF__MAX; i++) {
		p[2 * i] = DBP_INT(pv->set[i]);
		p[2 * i + 1] = value_param(pv, i);
	}
	p[2 * PF__MAX] = DBP_CSTR(uid);
	/* Found rows, not changed rows: a no-op update still succeeds. */
	if ((e = db_exec(db, sql, p, 2 * PF__MAX + 1, &n)) != IERR_OK)
		return e;
	return n == 0 ? IERR_NOT_FOUND : IERR_OK;
}

enum ierr
profiles_delete(struct db *db, const char *uid)
{
	static const char	 sql[] = "DELETE FROM profiles WHERE user_id = ?";
	struct db_param		 p[] = { DBP_CSTR(uid) };
	unsigned long long	 n = 0;
	enum ierr		 e;

	if ((e = db_exec(db, sql, p, 1, &n)) != IERR_OK)
		return e;
	return n == 0 ? IERR_NOT_FOUND : IERR_OK;
}
