/*
 * The access tokens a worker has verified already.  A client sends the
 * same access token with every request for its whole lifetime, and the
 * RS256 check of its signature is the largest part of the work for a
 * request that needs only that and one indexed query.  The memo
 * remembers a verified token by the SHA-256 of all its bytes, so only the
 * very same token hits, and keeps its claims; their time limits (exp,
 * nbf, iat) are checked again on every use.
 *
 * What a hit skips cannot change in a running worker: the keys, iss and
 * aud are loaded at start.  What can change (the session, the user, the
 * role) is never taken from the memo: auth.c reads it from the database
 * for every request, so logout, disabling and deletion still act at once.
 */
#ifndef IDENT_JWT_MEMO_H
#define IDENT_JWT_MEMO_H

#include <stddef.h>

#include "ierr.h"
#include "jwt.h"

#define JWT_MEMO_SLOTS	1024	/* ~600 KiB at most, touched as it fills */

struct jwt_memo;

/*
 * A memo for tokens verified with ks, iss and aud, which must outlive it.
 * NULL when out of memory.
 */
struct jwt_memo	*jwt_memo_new(const struct jwt_keys *ks, const char *iss,
		    const char *aud);
void		 jwt_memo_free(struct jwt_memo *);

/* jwt_verify() for the memo's keys, iss and aud, remembering successes. */
enum ierr	 jwt_memo_verify(struct jwt_memo *, const char *token,
		    size_t len, long long now, struct jwt_claims *out);

/* How many verifications the memo answered (the unit test reads it). */
unsigned long	 jwt_memo_hits(const struct jwt_memo *);

#endif
