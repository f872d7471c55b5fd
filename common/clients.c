#include <string.h>

#include "clients.h"
#include "crypto.h"
#include "db.h"

#define CLIENT_COLUMNS \
	"id, name, is_public, COALESCE(auth_method, ''), " \
	"secret_hash IS NOT NULL, COALESCE(secret_hash, ''), " \
	"prev_secret_hash IS NOT NULL AND " \
	"prev_secret_expires_at > UTC_TIMESTAMP(), " \
	"COALESCE(prev_secret_hash, ''), redirect_uris, " \
	"post_logout_redirect_uris, allowed_scopes, allowed_audiences, " \
	"grant_types, require_pkce, require_consent, is_active, " \
	"DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), " \
	"DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%sZ')"

enum ierr
clients_get(struct db *db, const char *id, struct client *c)
{
	static const char	 sql[] = "SELECT " CLIENT_COLUMNS
	    " FROM oauth_clients WHERE id = ?";
	struct db_param		 p[] = { DBP_CSTR(id) };
	char			 secret[SHA256_LEN + 1], prev[SHA256_LEN + 1];
	struct db_col		 col[] = {
		DBC_STR(c->id), DBC_STR(c->name), DBC_INT,
		DBC_STR(c->auth_method), DBC_INT, DBC_STR(secret), DBC_INT,
		DBC_STR(prev), DBC_STR(c->redirect_uris),
		DBC_STR(c->post_logout_redirect_uris),
		DBC_STR(c->allowed_scopes), DBC_STR(c->allowed_audiences),
		DBC_STR(c->grant_types), DBC_INT, DBC_INT, DBC_INT,
		DBC_STR(c->created_at), DBC_STR(c->updated_at),
	};
	size_t			 rows;
	enum ierr		 e;

	memset(c, 0, sizeof(*c));
	if ((e = db_query(db, sql, p, 1, col, 18, NULL, NULL, &rows)) != IERR_OK)
		return e;
	if (rows == 0)
		return IERR_NOT_FOUND;
	c->is_public = col[2].i != 0;
	c->has_secret = col[4].i != 0 && col[5].len == SHA256_LEN;
	if (c->has_secret)
		memcpy(c->secret_hash, secret, SHA256_LEN);
	c->has_prev_secret = col[6].i != 0 && col[7].len == SHA256_LEN;
	if (c->has_prev_secret)
		memcpy(c->prev_secret_hash, prev, SHA256_LEN);
	c->require_pkce = col[13].i != 0 || c->is_public;
	c->require_consent = col[14].i != 0;
	c->is_active = col[15].i != 0;
	crypto_wipe(secret, sizeof(secret));
	crypto_wipe(prev, sizeof(prev));
	return IERR_OK;
}

bool
clients_list_has(const char *list, char sep, const char *s, size_t len)
{
	const char	*p = list, *end;

	if (len == 0)
		return false;
	while (*p != '\0') {
		if ((end = strchr(p, sep)) == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) == len && memcmp(p, s, len) == 0)
			return true;
		p = *end == '\0' ? end : end + 1;
	}
	return false;
}

bool
clients_secret_ok(const struct client *c, const uint8_t *key, size_t keylen,
    const char *secret, size_t len)
{
	uint8_t	 h[SHA256_LEN];
	bool	 ok;

	if (!c->has_secret)
		return false;
	crypto_hmac_sha256(key, keylen, secret, len, h);
	/* Both compared every time: the answer's timing tells neither. */
	ok = crypto_equal(h, c->secret_hash, SHA256_LEN);
	if (c->has_prev_secret)
		ok = crypto_equal(h, c->prev_secret_hash, SHA256_LEN) || ok;
	crypto_wipe(h, sizeof(h));
	return ok;
}
