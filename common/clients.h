/*
 * The registry of OpenID Connect / OAuth 2.0 clients (docs/OIDC.md
 * "Clients"): table oauth_clients of migration 0011.  A client's id is
 * its client_id (a UUID).  A confidential client's secret is 256 random
 * bits, shown once; only its HMAC-SHA-256 under the server's
 * client_secret_key is stored.  Lists are kept as the table keeps them:
 * URIs one per line, scopes, grant types and audiences separated by
 * single spaces.
 */
#ifndef IDENT_CLIENTS_H
#define IDENT_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "ierr.h"
#include "users.h"

struct db;

#define CLIENT_MAX_URIS		10	/* per list */
#define CLIENT_MAX_URI_BYTES	2000
#define CLIENT_URIS_CAP		(CLIENT_MAX_URIS * (CLIENT_MAX_URI_BYTES + 1) + 1)
#define CLIENT_MAX_AUDIENCES	10
#define CLIENT_MAX_AUDIENCE_BYTES 255
#define CLIENT_AUDIENCES_CAP	(CLIENT_MAX_AUDIENCES * (CLIENT_MAX_AUDIENCE_BYTES + 1) + 1)
#define CLIENT_SECRET_LEN	43	/* base64url of 32 random bytes */

/* The scopes the provider knows (OIDC.md, discovery's scopes_supported). */
#define CLIENT_KNOWN_SCOPES	"openid profile email offline_access"

struct client {
	char	 id[37];
	char	 name[801];		/* 200 chars of utf8mb4 */
	bool	 is_public;		/* token_endpoint_auth_method none */
	char	 auth_method[33];	/* "" = either secret method */
	bool	 has_secret;
	uint8_t	 secret_hash[SHA256_LEN];
	bool	 has_prev_secret;	/* rotated, still in its grace */
	uint8_t	 prev_secret_hash[SHA256_LEN];
	char	 redirect_uris[CLIENT_URIS_CAP];		/* '\n' */
	char	 post_logout_redirect_uris[CLIENT_URIS_CAP];	/* '\n' */
	char	 allowed_scopes[256];				/* ' ' */
	char	 allowed_audiences[CLIENT_AUDIENCES_CAP];	/* ' ' */
	char	 grant_types[101];				/* ' ' */
	bool	 require_pkce;		/* always true for a public client */
	bool	 require_consent;
	bool	 is_active;
	char	 created_at[TS_LEN + 1];
	char	 updated_at[TS_LEN + 1];
};

/* The client with this id, active or not.  IERR_NOT_FOUND if none. */
enum ierr	clients_get(struct db *, const char *id, struct client *out);

/*
 * Is s[0..len) exactly (byte for byte) one item of list, whose items are
 * separated by sep ('\n' for URIs, ' ' for the others)?
 */
bool		clients_list_has(const char *list, char sep, const char *s,
		    size_t len);

/*
 * Does secret[0..len) match the client's current secret, or its previous
 * one while that is in its grace?  key[0..keylen) is client_secret_key.
 * Constant time in the secret.
 */
bool		clients_secret_ok(const struct client *, const uint8_t *key,
		    size_t keylen, const char *secret, size_t len);

#endif
