/*
 * Rate limits and login lockouts over the shared-memory table (shm.c).
 *
 * Rate limits are token buckets kept as GCRA's one number per key, the
 * theoretical arrival time: a request is allowed when it does not push
 * that time more than burst intervals ahead of now.  Lockouts count
 * consecutive failed logins per (account, client address) and lock the
 * pair for base seconds after threshold failures, doubling with each
 * further failure up to max (SECURITY.md C-T2).  Both are one
 * compare-and-swap on one word: exact across workers, safe when a worker
 * dies mid-update.
 */
#ifndef IDENT_RATELIMIT_H
#define IDENT_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shm.h"

struct rl_rule {
	uint64_t	 interval_us;	/* one token every interval */
	uint32_t	 burst;		/* bucket size */
};

struct lockout_rule {
	unsigned	 threshold;	/* failures before the first lock */
	unsigned	 base_s;	/* first lock */
	unsigned	 max_s;		/* longest lock */
};

/* The client address as a rate-limit key: IPv6 by its /64 network. */
size_t	rl_client_key(const char *addr, char *out, size_t cap);

/*
 * Take one token for key.  Returns true if the request may go on; if not,
 * *retry_after is the whole seconds until it would be allowed.
 */
bool	rl_take(struct shm *, enum shm_kind, const void *key, size_t len,
	    const struct rl_rule *, unsigned *retry_after);

/* Seconds the pair stays locked, 0 when it is not. */
unsigned lockout_remaining(struct shm *, const void *key, size_t len);
/* Count one failure; returns the seconds of the lock it starts, or 0. */
unsigned lockout_fail(struct shm *, const void *key, size_t len,
	    const struct lockout_rule *);
/*
 * An account's pairs cannot be listed (they are hashed), so an unlock
 * bumps the account's epoch instead, and pair keys include it: every
 * pair of the account starts afresh.  lockout_epoch reads it.
 */
uint64_t lockout_epoch(struct shm *, const void *account, size_t len);
void	lockout_unlock_all(struct shm *, const void *account, size_t len);
/* A success: forget the pair's failures. */
void	lockout_reset(struct shm *, const void *key, size_t len);

#endif
