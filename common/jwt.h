/*
 * Access tokens: RS256 JWTs (RFC 7519, typ "at+jwt" per RFC 9068) signed
 * with OpenSSL 3's EVP API.  One key signs; every configured key
 * verifies and is published in the JWKS, so keys rotate without logging
 * anyone out.  A key's kid is its RFC 7638 JWK thumbprint.
 *
 * Verification accepts exactly one shape: three strict base64url parts,
 * a header of only {"alg":"RS256","typ":"at+jwt","kid":<known>}, a valid
 * signature by that key, and iss, aud, exp, nbf, iat, sub, sid, jti
 * present and right.  "none", HS*, jku/x5u/jwk headers, duplicate
 * members and over-long tokens all fail the same way.
 */
#ifndef IDENT_JWT_H
#define IDENT_JWT_H

#include <stdbool.h>
#include <stddef.h>

#include "ierr.h"

struct jsonw;
struct jwt_keys;

#define MAX_TOKEN_LEN	4096	/* an RS256 access token is ~900 bytes */
#define JWT_SKEW	60	/* seconds of clock skew for exp and nbf */
#define KID_LEN		43	/* base64url of a SHA-256 */

struct jwt_claims {
	char		 sub[37];	/* user id, or the client's */
	char		 sid[37];	/* session id ("" for client_credentials) */
	char		 jti[37];
	char		 username[401];
	char		 role[17];
	char		 client_id[37];	/* "" in first-party tokens */
	char		 scope[256];
	char		 auth_method[33];
	long long	 iat, nbf, exp;
};

/* What an ID token given back as id_token_hint (RP-initiated logout) names. */
struct jwt_id_hint {
	char		 sub[37];
	char		 aud[37];	/* the client */
	char		 sid[37];	/* the browser session */
};

#define JWT_TYP_ACCESS	"at+jwt"
#define JWT_TYP_ID	"JWT"

/*
 * Load the signing key (PEM RSA private key at signing_path, or
 * $CREDENTIALS_DIRECTORY/signing_key.pem when NULL) and the verify-only
 * keys (comma-separated PEM paths, public or private; may be NULL).
 * Refuses a missing or unreadable file, a key that is not RSA or under
 * 2048 bits, and a private key file readable by group or others.
 * Returns the key set (free with jwt_keys_free) or NULL with a one-line
 * reason naming the configuration key in err.
 */
struct jwt_keys	*jwt_keys_load(const char *signing_path, const char *verify_list,
		    char *err, size_t errsz);
void		 jwt_keys_free(struct jwt_keys *);
size_t		 jwt_keys_count(const struct jwt_keys *);
/* Write {"keys":[...]} with every key's public half. */
void		 jwt_keys_jwks(const struct jwt_keys *, struct jsonw *);

/*
 * Sign an access token with these claims.  Returns a NUL-terminated JWS
 * the caller frees, or NULL (logged).
 */
char		*jwt_sign(const struct jwt_keys *, const char *iss,
		    const char *aud, const struct jwt_claims *,
		    const char *scope, const char *auth_method);

/*
 * Sign the claims payload[0..len) (a JSON object's text) with the signing
 * key under a header of typ JWT_TYP_ACCESS or JWT_TYP_ID.  Returns a
 * NUL-terminated JWS the caller frees, or NULL (logged).
 */
char		*jwt_sign_payload(const struct jwt_keys *, const char *typ,
		    const char *payload, size_t len);

/*
 * Verify token[0..len) at time now.  A token issued to a client (with a
 * client_id claim) carries the client's own audiences, so aud is not
 * compared for it; every other token's aud must be aud.  IERR_OK fills *out;
 * IERR_UNAUTHENTICATED for anything else (never says which check failed).
 */
enum ierr	 jwt_verify(const struct jwt_keys *, const char *token,
		    size_t len, const char *iss, const char *aud,
		    long long now, struct jwt_claims *out);

/*
 * Verify an ID token of ours given back by a client: signature, header
 * typ JWT, iss; it may have expired (OpenID Connect RP-Initiated Logout
 * §2).  IERR_OK fills *out, IERR_UNAUTHENTICATED otherwise.
 */
enum ierr	 jwt_verify_id_hint(const struct jwt_keys *, const char *token,
		    size_t len, const char *iss, struct jwt_id_hint *out);

/* Whether verified claims are in their time limits (exp, nbf, iat) at now. */
bool		 jwt_claims_current(const struct jwt_claims *, long long now);

/* RFC 7638 thumbprint of an RSA key given as base64url n and e. */
int		 jwt_thumbprint(const char *n_b64, const char *e_b64,
		    char out[KID_LEN + 1]);

/* Write a new RSA key of bits bits to path (created 0600, not replaced). */
int		 jwt_new_key(const char *path, unsigned bits, char *err,
		    size_t errsz);

#endif
