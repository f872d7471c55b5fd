/*
 * The OpenID Provider's own tables (migration 0011): pending
 * authorization requests, authorization codes and users' grants to
 * clients.  Request ids, browser cookies and codes are stored as SHA-256
 * only; the caller hashes them.  A request's csrf_hash column holds the
 * hash of the browser cookie it is bound to.  Text fields hold "" for
 * SQL NULL.
 */
#ifndef IDENT_OAUTH_H
#define IDENT_OAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "ierr.h"

struct db;

#define OAUTH_MAX_STATE		2048	/* bytes; OIDC.md asks for >= 512 */
#define OAUTH_MAX_NONCE		512
#define OAUTH_MAX_CHALLENGE	128
#define OAUTH_MAX_REDIRECT	2000
#define OAUTH_MAX_HINT		255	/* characters */

struct oauth_request {
	uint8_t		 id_hash[SHA256_LEN];
	uint8_t		 browser_hash[SHA256_LEN];	/* its browser */
	char		 client_id[37];
	char		 redirect_uri[OAUTH_MAX_REDIRECT + 1];
	char		 scope[256];
	char		 state[OAUTH_MAX_STATE + 1];
	char		 nonce[OAUTH_MAX_NONCE + 1];
	char		 code_challenge[OAUTH_MAX_CHALLENGE + 1];
	char		 prompt[65];
	long long	 max_age;	/* -1: none */
	char		 login_hint[OAUTH_MAX_HINT * 4 + 1];
	char		 user_id[37];	/* once signed in on the page */
	char		 session_id[37];
};

struct oauth_code {
	uint8_t		 hash[SHA256_LEN];
	char		 client_id[37];
	char		 user_id[37];
	char		 session_id[37];	/* the browser session */
	char		 redirect_uri[OAUTH_MAX_REDIRECT + 1];
	char		 scope[256];
	char		 nonce[OAUTH_MAX_NONCE + 1];
	char		 code_challenge[OAUTH_MAX_CHALLENGE + 1];
	char		 amr[33];
	long long	 auth_time;	/* Unix time */
	bool		 expired;
	char		 issued_session_id[37];
};

/* Store r for ttl seconds. */
enum ierr	oauth_request_put(struct db *, const struct oauth_request *r,
		    unsigned ttl);
/* The live request with this id hash; IERR_NOT_FOUND if none. */
enum ierr	oauth_request_get(struct db *, const uint8_t id_hash[SHA256_LEN],
		    struct oauth_request *out);
/* The user has signed in for the request, in browser session sid. */
enum ierr	oauth_request_bind(struct db *, const uint8_t id_hash[SHA256_LEN],
		    const char *uid, const char *sid);
/*
 * The password of uid was right and a second factor is due: the request
 * remembers the half-done login, and lives at most 5 more minutes.
 */
enum ierr	oauth_request_half(struct db *, const uint8_t id_hash[SHA256_LEN],
		    const char *uid);
enum ierr	oauth_request_drop(struct db *, const uint8_t id_hash[SHA256_LEN]);

/* Store code c for ttl seconds. */
enum ierr	oauth_code_put(struct db *, const struct oauth_code *c,
		    unsigned ttl);
/*
 * Consume the code with this hash in one statement, naming issue_sid as
 * the session its tokens will belong to.  *first is true for the one
 * call that consumed it, false for a code used before (then *out holds
 * the session issued from it).  IERR_NOT_FOUND for no such code.  Run
 * it in the caller's transaction, which also creates issue_sid.
 */
enum ierr	oauth_code_consume(struct db *, const uint8_t hash[SHA256_LEN],
		    const char *issue_sid, struct oauth_code *out, bool *first);

/* The scope uid granted client cid; IERR_NOT_FOUND if none. */
enum ierr	oauth_grant_scope(struct db *, const char *uid, const char *cid,
		    char scope[256]);
/* Remember (or widen) what uid granted cid. */
enum ierr	oauth_grant_put(struct db *, const char *uid, const char *cid,
		    const char *scope);
/* Forget it; *found false if there was none. */
enum ierr	oauth_grant_delete(struct db *, const char *uid, const char *cid,
		    bool *found);

struct oauth_grant_view {
	char	 client_id[37];
	char	 client_name[801];
	char	 scope[256];
	char	 created_at[21];
	char	 updated_at[21];
};

/* uid's grants (at most 100), fn per row. */
enum ierr	oauth_grants_list(struct db *, const char *uid,
		    int (*fn)(void *, const struct oauth_grant_view *),
		    void *arg);

#endif
