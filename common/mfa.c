/*
 * Second factors in the database (mfa.h).
 */
#include <string.h>

#include "db.h"
#include "log.h"
#include "mfa.h"

#define TS(col)	"DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

int
mfa_seal(const uint8_t key[SEAL_KEY_LEN], const char *uid,
    const uint8_t secret[TOTP_SECRET_LEN], uint8_t out[MFA_SEALED_LEN])
{
	return crypto_seal(key, uid, strlen(uid), secret, TOTP_SECRET_LEN, out);
}

int
mfa_open(const uint8_t key[SEAL_KEY_LEN], const char *uid,
    const struct mfa_totp *t, uint8_t secret[TOTP_SECRET_LEN])
{
	if (t->sealedlen != MFA_SEALED_LEN ||
	    crypto_open(key, uid, strlen(uid), t->sealed, t->sealedlen,
	    secret) == -1) {
		/* A wrong mfa_key, or a row changed behind our back. */
		log_reason(LOG_LVL_ERR, "mfa_unseal_failed",
		    "stored TOTP secret does not open with mfa_key");
		return -1;
	}
	return 0;
}

enum ierr
mfa_totp_get(struct db *db, const char *uid, struct mfa_totp *out)
{
	static const char	 sql[] =
	    "SELECT secret_sealed, active, COALESCE(last_step, -1), "
	    TS("activated_at") " FROM mfa_totp WHERE user_id = ?";
	struct db_param		 p[] = { DBP_CSTR(uid) };
	struct db_col		 c[] = {
		{ DB_STR, (char *)out->sealed, sizeof(out->sealed), 0, false, 0 },
		DBC_INT, DBC_INT, DBC_STR(out->activated_at),
	};
	size_t			 rows;
	enum ierr		 e;

	memset(out, 0, sizeof(*out));
	if ((e = db_query(db, sql, p, 1, c, 4, NULL, NULL, &rows)) != IERR_OK)
		return e;
	if (rows == 0)
		return IERR_NOT_FOUND;
	out->sealedlen = c[0].len;
	out->active = c[1].i != 0;
	out->last_step = c[2].i;
	return IERR_OK;
}

enum ierr
mfa_totp_active(struct db *db, const char *uid, bool *active)
{
	static const char	 sql[] =
	    "SELECT COUNT(*) FROM mfa_totp WHERE user_id = ? AND active = 1";
	struct db_param		 p[] = { DBP_CSTR(uid) };
	struct db_col		 c[] = { DBC_INT };
	enum ierr		 e;

	*active = false;
	if ((e = db_query(db, sql, p, 1, c, 1, NULL, NULL, NULL)) == IERR_OK)
		*active = c[0].i > 0;
	return e;
}

enum ierr
mfa_totp_put_pending(struct db *db, const char *uid,
    const uint8_t sealed[MFA_SEALED_LEN], bool *stored)
{
	/* An active secret stays as it is, whatever raced with us. */
	static const char	 sql[] =
	    "INSERT INTO mfa_totp (user_id, secret_sealed, active, last_step, "
	    "created_at) VALUES (?, ?, 0, NULL, UTC_TIMESTAMP()) "
	    "ON DUPLICATE KEY UPDATE "
	    "secret_sealed = IF(active, secret_sealed, VALUES(secret_sealed)), "
	    "created_at = IF(active, created_at, VALUES(created_at))";
	static const char	 check[] =
	    "SELECT COUNT(*) FROM mfa_totp WHERE user_id = ? AND "
	    "secret_sealed = ? AND active = 0";
	struct db_param		 p[] = {
		DBP_CSTR(uid), DBP_STR((const char *)sealed, MFA_SEALED_LEN),
	};
	struct db_col		 c[] = { DBC_INT };
	enum ierr		 e;

	*stored = false;
	if ((e = db_exec(db, sql, p, 2, NULL)) != IERR_OK ||
	    (e = db_query(db, check, p, 2, c, 1, NULL, NULL, NULL)) != IERR_OK)
		return e;
	*stored = c[0].i > 0;
	return IERR_OK;
}

enum ierr
mfa_totp_activate(struct db *db, const char *uid, long long step, bool *won)
{
	static const char	 sql[] =
	    "UPDATE mfa_totp SET active = 1, activated_at = UTC_TIMESTAMP(), "
	    "last_step = ? WHERE user_id = ? AND active = 0 AND "
	    "(last_step IS NULL OR last_step < ?)";
	struct db_param		 p[] = {
		DBP_INT(step), DBP_CSTR(uid), DBP_INT(step),
	};
	unsigned long long	 n = 0;
	enum ierr		 e;

	e = db_exec(db, sql, p, 3, &n);
	*won = e == IERR_OK && n == 1;
	return e;
}

enum ierr
mfa_totp_use_step(struct db *db, const char *uid, long long step, bool *won)
{
	static const char	 sql[] =
	    "UPDATE mfa_totp SET last_step = ? WHERE user_id = ? AND "
	    "active = 1 AND (last_step IS NULL OR last_step < ?)";
	struct db_param		 p[] = {
		DBP_INT(step), DBP_CSTR(uid), DBP_INT(step),
	};
	unsigned long long	 n = 0;
	enum ierr		 e;

	e = db_exec(db, sql, p, 3, &n);
	*won = e == IERR_OK && n == 1;
	return e;
}

enum ierr
mfa_remove(struct db *db, const char *uid, bool *found)
{
	static const char	 totp[] = "DELETE FROM mfa_totp WHERE user_id = ?";
	static const char	 codes[] =
	    "DELETE FROM mfa_recovery_codes WHERE user_id = ?";
	struct db_param		 p[] = { DBP_CSTR(uid) };
	unsigned long long	 n = 0;
	enum ierr		 e;

	*found = false;
	if ((e = db_begin(db)) != IERR_OK)
		return e;
	if ((e = db_exec(db, totp, p, 1, &n)) != IERR_OK ||
	    (e = db_exec(db, codes, p, 1, NULL)) != IERR_OK ||
	    (e = db_commit(db)) != IERR_OK) {
		db_rollback(db);
		return e;
	}
	*found = n > 0;
	return IERR_OK;
}

int
mfa_recovery_new(char text[MFA_RECOVERY_TEXT + 1], uint8_t hash[SHA256_LEN])
{
	uint8_t	 raw[MFA_RECOVERY_CHARS];
	size_t	 i, j;

	if (crypto_random(raw, sizeof(raw)) == -1)
		return -1;
	for (i = j = 0; i < MFA_RECOVERY_CHARS; i++) {
		if (i > 0 && i % 4 == 0)
			text[j++] = '-';
		text[j++] = b32[raw[i] & 31];	/* 256 is a multiple of 32 */
	}
	text[j] = '\0';
	crypto_wipe(raw, sizeof(raw));
	return mfa_recovery_hash(text, j, hash);
}

int
mfa_recovery_hash(const char *in, size_t len, uint8_t hash[SHA256_LEN])
{
	char	 norm[MFA_RECOVERY_CHARS];
	size_t	 i, n = 0;
	char	 ch;

	if (len > MFA_RECOVERY_MAX_INPUT)
		return -1;
	for (i = 0; i < len; i++) {
		ch = in[i];
		if (ch == '-' || ch == ' ')
			continue;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (strchr(b32, ch) == NULL || ch == '\0' ||
		    n == MFA_RECOVERY_CHARS)
			return -1;
		norm[n++] = ch;
	}
	if (n != MFA_RECOVERY_CHARS)
		return -1;
	crypto_sha256(norm, n, hash);
	crypto_wipe(norm, sizeof(norm));
	return 0;
}

enum ierr
mfa_recovery_replace(struct db *db, const char *uid,
    const uint8_t hashes[MFA_RECOVERY_CODES][SHA256_LEN])
{
	static const char	 del[] =
	    "DELETE FROM mfa_recovery_codes WHERE user_id = ?";
	static const char	 ins[] =
	    "INSERT INTO mfa_recovery_codes (user_id, code_hash, created_at) "
	    "VALUES (?, ?, UTC_TIMESTAMP())";
	struct db_param		 p[2] = { DBP_CSTR(uid) };
	size_t			 i;
	enum ierr		 e;

	if ((e = db_begin(db)) != IERR_OK)
		return e;
	if ((e = db_exec(db, del, p, 1, NULL)) != IERR_OK)
		goto fail;
	for (i = 0; i < MFA_RECOVERY_CODES; i++) {
		p[1] = DBP_STR((const char *)hashes[i], SHA256_LEN);
		if ((e = db_exec(db, ins, p, 2, NULL)) != IERR_OK)
			goto fail;
	}
	if ((e = db_commit(db)) == IERR_OK)
		return IERR_OK;
fail:
	db_rollback(db);
	/* Two equal codes of 80 random bits: our bug, not the client's. */
	return e == IERR_DUPLICATE ? IERR_INTERNAL : e;
}

enum ierr
mfa_recovery_use(struct db *db, const char *uid,
    const uint8_t hash[SHA256_LEN], bool *won)
{
	static const char	 sql[] =
	    "UPDATE mfa_recovery_codes SET used_at = UTC_TIMESTAMP() "
	    "WHERE user_id = ? AND code_hash = ? AND used_at IS NULL";
	struct db_param		 p[] = {
		DBP_CSTR(uid), DBP_STR((const char *)hash, SHA256_LEN),
	};
	unsigned long long	 n = 0;
	enum ierr		 e;

	e = db_exec(db, sql, p, 2, &n);
	*won = e == IERR_OK && n == 1;
	return e;
}

enum ierr
mfa_recovery_left(struct db *db, const char *uid, unsigned *n)
{
	static const char	 sql[] =
	    "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = ? AND "
	    "used_at IS NULL";
	struct db_param		 p[] = { DBP_CSTR(uid) };
	struct db_col		 c[] = { DBC_INT };
	enum ierr		 e;

	*n = 0;
	if ((e = db_query(db, sql, p, 1, c, 1, NULL, NULL, NULL)) == IERR_OK)
		*n = (unsigned)c[0].i;
	return e;
}
