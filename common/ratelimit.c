#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "ratelimit.h"

#define UNTIL_BITS	48
#define UNTIL_MASK	((UINT64_C(1) << UNTIL_BITS) - 1)
#define MAX_FAILS	0xffff

size_t
rl_client_key(const char *addr, char *out, size_t cap)
{
	struct in6_addr	 a6;
	char		 net[INET6_ADDRSTRLEN];

	/*
	 * One IPv6 client usually holds a whole /64: counting its addresses
	 * one by one would hand it 2^64 buckets.  IPv4-mapped addresses are
	 * IPv4 clients and keep all their bits.
	 */
	if (strchr(addr, ':') != NULL && inet_pton(AF_INET6, addr, &a6) == 1 &&
	    !IN6_IS_ADDR_V4MAPPED(&a6)) {
		memset(a6.s6_addr + 8, 0, 8);
		if (inet_ntop(AF_INET6, &a6, net, sizeof(net)) != NULL)
			return (size_t)snprintf(out, cap, "%s/64", net);
	}
	return (size_t)snprintf(out, cap, "%s", addr);
}

bool
rl_take(struct shm *s, enum shm_kind kind, const void *key, size_t len,
    const struct rl_rule *rule, unsigned *retry_after)
{
	_Atomic uint64_t	*v;
	uint64_t		 old, now, tat, next, allowance, wait;

	*retry_after = 0;
	/* No slot (the window changed hands twice under us): let it pass. */
	if ((v = shm_slot(s, kind, key, len, true)) == NULL)
		return true;
	allowance = rule->interval_us * rule->burst;
	old = atomic_load(v);
	for (;;) {
		now = shm_now_us();
		tat = old > now ? old : now;
		next = tat + rule->interval_us;
		if (next - now > allowance) {
			wait = next - now - allowance;
			*retry_after = (unsigned)((wait + 999999) / 1000000);
			if (*retry_after == 0)
				*retry_after = 1;
			return false;
		}
		if (atomic_compare_exchange_weak(v, &old, next))
			return true;
	}
}

unsigned
lockout_remaining(struct shm *s, const void *key, size_t len)
{
	_Atomic uint64_t	*v;
	uint64_t		 until, now = shm_now_ms();

	if ((v = shm_slot(s, SHM_LOGIN_PAIR, key, len, false)) == NULL)
		return 0;
	until = atomic_load(v) & UNTIL_MASK;
	return until > now ? (unsigned)((until - now + 999) / 1000) : 0;
}

unsigned
lockout_fail(struct shm *s, const void *key, size_t len,
    const struct lockout_rule *rule)
{
	_Atomic uint64_t	*v;
	uint64_t		 old, fails, until, now, secs;
	unsigned		 shift;

	if ((v = shm_slot(s, SHM_LOGIN_PAIR, key, len, true)) == NULL)
		return 0;
	old = atomic_load(v);
	for (;;) {
		now = shm_now_ms();
		if ((old & UNTIL_MASK) > now)
			return 0;	/* already locked: not a new failure */
		fails = (old >> UNTIL_BITS) + 1;
		if (fails > MAX_FAILS)
			fails = MAX_FAILS;
		secs = 0;
		until = 0;
		if (fails >= rule->threshold) {
			shift = (unsigned)(fails - rule->threshold);
			secs = shift >= 20 ? rule->max_s :
			    (uint64_t)rule->base_s << shift;
			if (secs > rule->max_s)
				secs = rule->max_s;
			until = now + secs * 1000;
		}
		if (atomic_compare_exchange_weak(v, &old,
		    fails << UNTIL_BITS | (until & UNTIL_MASK)))
			return (unsigned)secs;
	}
}

void
lockout_reset(struct shm *s, const void *key, size_t len)
{
	_Atomic uint64_t	*v;

	if ((v = shm_slot(s, SHM_LOGIN_PAIR, key, len, false)) != NULL)
		atomic_store(v, 0);
}

uint64_t
lockout_epoch(struct shm *s, const void *account, size_t len)
{
	_Atomic uint64_t	*v;

	v = shm_slot(s, SHM_UNLOCK_EPOCH, account, len, false);
	return v == NULL ? 0 : atomic_load(v);
}

void
lockout_unlock_all(struct shm *s, const void *account, size_t len)
{
	_Atomic uint64_t	*v;

	if ((v = shm_slot(s, SHM_UNLOCK_EPOCH, account, len, true)) != NULL)
		atomic_fetch_add(v, 1);
}
