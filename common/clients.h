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
 * What client authentication and introspection read of client id (its
 * id, type, auth_method, secrets, allowed_audiences, is_active; the rest
 * left empty), and in the same statement (one round trip) whether
 * session sid of user uid is live (neither revoked nor expired) with its
 * user enabled, as sessions_principal and !disabled would say.
 */
enum ierr	clients_get_with_session(struct db *, const char *id,
		    const char *sid, const char *uid, struct client *out,
		    bool *session_live);

/*
 * Is s[0..len) exactly (byte for byte) one item of list, whose items are
 * separated by sep ('\n' for URIs, ' ' for the others)?
 */
bool		clients_list_has(const char *list, char sep, const char *s,
		    size_t len);

/*
 * Does secret[0..len) match the client's current secret, or its previous
 * one while that is in its grace?  key is client_secret_key's MAC.
 * Constant time in the secret.
 */
bool		clients_secret_ok(const struct client *, struct crypto_mac *key,
		    const char *secret, size_t len);

struct config;
/*
 * client_secret_key (its file or credential) of c, at least 32 bytes, as
 * the MAC that clients_secret_ok and clients_new_secret take.  NULL with
 * one line in err when it is missing, short or cannot be set up.
 */
struct crypto_mac *clients_key_load(const struct config *c, char *err,
		    size_t errlen);

/* --- the registry's writes (POST/PUT/DELETE /admin/clients, genesis-admin) */

struct jsonw;

#define CLIENT_GRANT_TYPES	"authorization_code refresh_token client_credentials"
#define CLIENT_AUTH_METHODS	"client_secret_basic client_secret_post none"

/*
 * A new secret: CLIENT_SECRET_LEN base64url characters of 32 random
 * bytes into secret (with its NUL), and its HMAC-SHA-256 under
 * key (client_secret_key's MAC) into hash.  Returns 0 or -1 (already
 * logged); the caller wipes secret once it is shown.
 */
int		clients_new_secret(struct crypto_mac *key,
		    char secret[CLIENT_SECRET_LEN + 1], uint8_t hash[SHA256_LEN]);

/*
 * Insert c as a new client, with c->secret_hash if c->has_secret;
 * created_at and updated_at are now (c's are ignored).
 */
enum ierr	clients_insert(struct db *, const struct client *);

/*
 * Whether a and b hold the same settings (everything a PUT may change),
 * so that an update which changes nothing keeps updated_at.
 */
bool		clients_same_settings(const struct client *a,
		    const struct client *b);
/*
 * Write c's fields over the row of c->id (IERR_NOT_FOUND if none).  A
 * client without a secret (public) loses any it had.  An inactive one
 * loses its grants, pending requests and codes, and every session of
 * it is revoked ('client_removed'), in the same transaction; *revoked
 * (may be NULL) gets how many sessions.
 */
enum ierr	clients_update(struct db *, const struct client *,
		    unsigned long long *revoked);

/*
 * Delete client id with its grants, requests and codes, and revoke its
 * sessions, in one transaction.  IERR_NOT_FOUND if there is none.
 */
enum ierr	clients_delete(struct db *, const char *id,
		    unsigned long long *revoked);

/*
 * Make hash the secret of client id.  With grace > 0 the current one
 * stays valid for grace seconds (prev_secret_hash), else it ends now.
 * IERR_NOT_FOUND if there is no such client.
 */
enum ierr	clients_set_secret(struct db *, const char *id,
		    const uint8_t hash[SHA256_LEN], unsigned grace);

/* Where a page of clients starts: after (created_at, id). */
struct client_cursor {
	char	 sort[TS_LEN + 1];	/* "2026-11-28 15:27:50" */
	char	 id[37];
};

/*
 * One page of at most limit clients in (created_at, id) order after
 * the cursor (NULL for the first page): fn gets each (a non-zero return
 * stops the walk); *more tells whether another page follows.
 */
enum ierr	clients_page(struct db *, const struct client_cursor *after,
		    unsigned limit, int (*fn)(void *arg, const struct client *),
		    void *arg, bool *more);

/* The cursor that follows c in a page. */
void		clients_cursor_of(const struct client *,
		    struct client_cursor *out);

/*
 * The Client object of docs/OIDC.md, with "client_secret" only when
 * secret is not NULL (create and rotate-secret answers).
 */
void		clients_write_json(struct jsonw *, const struct client *,
		    const char *secret);

#endif
