/*
 * The shared-memory segment every worker of a host maps (both pools):
 * a fixed table of 64-bit slots keyed by a keyed hash, plus counters for
 * /metrics.  See the layout comment at the top of shm.c.
 */
#ifndef IDENT_SHM_H
#define IDENT_SHM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shm;

/* What a slot counts; part of the hashed key, so kinds never collide. */
enum shm_kind {
	SHM_RATE_ALL = 1,	/* per client address, every route */
	SHM_RATE_TOKEN,		/* per client address, /token and /refresh_token */
	SHM_LOGIN_PAIR,		/* per (account, client address): failures */
	SHM_UNLOCK_EPOCH,	/* per account: bumped by an admin unlock */
};

#define SHM_METRICS	2048	/* counters for /metrics (fcgi/metrics.c) */

/*
 * Map the segment name with nslots slots (a power of two), creating it
 * if create is set (a missing segment is otherwise an error with errno
 * ENOENT).  Workers started at the same moment agree on one segment: it
 * is created exclusively and marked ready last; a segment of another
 * layout or size is refused.  Returns NULL with the reason, naming the
 * configuration key, in err.
 */
struct shm	*shm_attach(const char *name, uint32_t nslots, bool create,
		    char *err, size_t errsz);
void		 shm_detach(struct shm *);

/*
 * The value word of (kind, key), or NULL when create is false and there
 * is none.  With create, a missing key takes an empty slot of its probe
 * window or, when the window is full, the least recently used one (so
 * many keys cannot grow the table or slow it down).  A new slot's value
 * is 0.
 */
_Atomic uint64_t *shm_slot(struct shm *, enum shm_kind, const void *key,
		    size_t keylen, bool create);

/* Counter i of the metrics block (i < SHM_METRICS). */
_Atomic uint64_t *shm_metric(struct shm *, unsigned i);

/* Milliseconds and microseconds of CLOCK_MONOTONIC. */
uint64_t	 shm_now_ms(void);
uint64_t	 shm_now_us(void);

#endif
