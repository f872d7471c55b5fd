/*
 * argon2id is memory-bound: four workers hashing on two cores finish a
 * fifth fewer hashes per second than two do (bench/argon2_rate.c run as
 * four processes), and meanwhile hold the CPUs from every other request.
 * So a hash first takes one of n slots shared by every worker of the
 * host, n being the number of CPUs unless configured (hash_concurrency).
 *
 * A slot is the value word of (SHM_HASH_GATE, slot number) in the
 * shared-memory table: 0 when free, else the holder's pid and the second
 * (CLOCK_MONOTONIC) it took the slot, set and cleared by compare-and-swap.
 * A slot whose holder is dead (SIGKILL) or that has been held for longer
 * than HOLD_MAX_S is taken over.  A worker that has waited WAIT_MAX_MS
 * hashes without a slot: the gate shapes throughput, it never turns a
 * login away.  If the table evicts a slot's word, the gate lets one more
 * hash through for a while (the holder's release then finds another
 * value there and leaves it alone).
 */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "hashgate.h"
#include "shm.h"

#define HOLD_MAX_S	30	/* longer than any hash */
#define WAIT_MAX_MS	5000
#define NAP_NS		1000000	/* 1 ms between looks */

void
hashgate_init(struct hashgate *g, struct shm *shm, unsigned n)
{
	long	 cpus;

	if (n == 0)
		n = (cpus = sysconf(_SC_NPROCESSORS_ONLN)) > 0 ? (unsigned)cpus : 1;
	g->shm = shm;
	g->n = n > HASHGATE_MAX ? HASHGATE_MAX : n;
	g->held = -1;
	g->mine = 0;
}

static _Atomic uint64_t *
slot_word(struct hashgate *g, unsigned i)
{
	uint32_t	 key = i;

	return shm_slot(g->shm, SHM_HASH_GATE, &key, sizeof(key), true);
}

/* The holder recorded in word v is gone or has held it too long. */
static int
stale(uint64_t v, uint64_t now_s)
{
	pid_t	 pid = (pid_t)(v >> 32);

	if (((now_s - v) & 0xffffffff) > HOLD_MAX_S)
		return 1;
	return pid > 0 && kill(pid, 0) == -1 && errno == ESRCH;
}

/* Take a free or stale slot: 1 when taken. */
static int
try_take(struct hashgate *g, uint64_t now_s)
{
	_Atomic uint64_t	*w;
	uint64_t		 v, mine;
	unsigned		 i;

	mine = (uint64_t)getpid() << 32 | (now_s & 0xffffffff);
	for (i = 0; i < g->n; i++) {
		if ((w = slot_word(g, i)) == NULL)
			continue;
		v = atomic_load(w);
		if ((v == 0 || stale(v, now_s)) &&
		    atomic_compare_exchange_strong(w, &v, mine)) {
			g->held = (int)i;
			g->mine = mine;
			return 1;
		}
	}
	return 0;
}

void
hashgate_enter(void *arg)
{
	struct hashgate		*g = arg;
	struct timespec		 nap = { 0, NAP_NS };
	uint64_t		 start = shm_now_ms(), now;

	g->held = -1;
	if (g->shm == NULL)
		return;
	for (;;) {
		now = shm_now_ms();
		if (try_take(g, now / 1000) || now - start >= WAIT_MAX_MS)
			return;
		nanosleep(&nap, NULL);
	}
}

void
hashgate_leave(void *arg)
{
	struct hashgate		*g = arg;
	_Atomic uint64_t	*w;
	uint64_t		 v = g->mine;

	if (g->held < 0)
		return;
	if ((w = slot_word(g, (unsigned)g->held)) != NULL)
		(void)atomic_compare_exchange_strong(w, &v, 0);
	g->held = -1;
}
