#include <sys/mman.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ratelimit.h"
#include "shm.h"
#include "tap.h"

static char	 name[64];

/* Children take tokens at once; the parent counts the grants. */
static unsigned
concurrent_grants(struct shm *s, const char *key, const struct rl_rule *rule,
    int procs, int each)
{
	_Atomic unsigned	*granted;
	unsigned		 retry, total;
	int			 i, k;

	granted = mmap(NULL, sizeof(*granted), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	atomic_store(granted, 0);
	for (i = 0; i < procs; i++)
		if (fork() == 0) {
			for (k = 0; k < each; k++)
				if (rl_take(s, SHM_RATE_TOKEN, key, strlen(key),
				    rule, &retry))
					atomic_fetch_add(granted, 1);
			_exit(0);
		}
	while (wait(NULL) > 0)
		continue;
	total = atomic_load(granted);
	munmap(granted, sizeof(*granted));
	return total;
}

int
main(void)
{
	struct rl_rule		 per_min = { 6000000, 20 };	/* 10/min, burst 20 */
	struct lockout_rule	 lock = { 5, 60, 900 };
	struct shm		*s, *again;
	char			 err[256], key[64];
	unsigned		 retry = 0, secs, i, got;
	pid_t			 pid;
	int			 n;

	snprintf(name, sizeof(name), "/genesis-t-%d", (int)getpid());
	s = shm_attach(name, 1024, true, err, sizeof(err));
	ok(s != NULL, "create the segment: %s", err);
	again = shm_attach(name, 1024, true, err, sizeof(err));
	ok(again != NULL, "a second worker maps the same segment");
	ok(shm_attach("/genesis-t-none", 1024, false, err, sizeof(err)) == NULL,
	    "without create, a missing segment is not made");
	ok(shm_attach(name, 2048, true, err, sizeof(err)) == NULL &&
	    strstr(err, "another size") != NULL,
	    "another size is refused: %s", err);
	ok(shm_attach(name, 1000, true, err, sizeof(err)) == NULL &&
	    strstr(err, "rate_limit_slots") != NULL, "not a power of two");
	ok(shm_attach("no-slash", 1024, true, err, sizeof(err)) == NULL &&
	    strstr(err, "shm_name") != NULL, "a bad name");

	/* GCRA: exactly burst grants at once, then an honest Retry-After. */
	for (i = 0, got = 0; i < 30; i++)
		got += rl_take(s, SHM_RATE_TOKEN, "10.0.0.1", 8, &per_min, &retry);
	ok(got == 20, "burst of 20 out of 30 at once (%u)", got);
	ok(retry == 6, "Retry-After 6 s at 10/min (%u)", retry);
	ok(rl_take(again, SHM_RATE_TOKEN, "10.0.0.2", 8, &per_min, &retry),
	    "another address has its own bucket");
	ok(!rl_take(again, SHM_RATE_TOKEN, "10.0.0.1", 8, &per_min, &retry),
	    "the bucket is shared through the other mapping");
	ok(rl_take(s, SHM_RATE_ALL, "10.0.0.1", 8, &per_min, &retry),
	    "kinds do not share buckets");

	/* Exact across processes taking at the same time. */
	got = concurrent_grants(s, "10.0.0.3", &per_min, 8, 10);
	ok(got == 20, "8 processes x 10 tries: exactly 20 granted (%u)", got);

	/* A process killed while hammering the table leaves it usable. */
	for (n = 0; n < 20; n++) {
		if ((pid = fork()) == 0) {
			for (;;) {
				snprintf(key, sizeof(key), "k%u", (unsigned)rand());
				(void)rl_take(s, SHM_RATE_ALL, key, strlen(key),
				    &per_min, &retry);
			}
		}
		usleep(2000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	got = concurrent_grants(s, "10.0.0.4", &per_min, 4, 10);
	ok(got == 20, "after 20 SIGKILLs mid-update: still exactly 20 (%u)", got);

	/* Many keys: the table evicts, it never grows or refuses. */
	for (i = 0; i < 20000; i++) {
		n = snprintf(key, sizeof(key), "flood-%u", i);
		if (!rl_take(s, SHM_RATE_ALL, key, (size_t)n, &per_min, &retry))
			break;
	}
	ok(i == 20000, "20000 new keys in 1024 slots all served (%u)", i);

	/* Lockout: 5 failures lock 60 s, then 120, ... capped at 900. */
	for (i = 1; i <= 4; i++)
		ok(lockout_fail(s, "acct|ip", 7, &lock) == 0, "failure %u: no lock", i);
	ok(lockout_remaining(s, "acct|ip", 7) == 0, "not locked after 4");
	secs = lockout_fail(s, "acct|ip", 7, &lock);
	ok(secs == 60 && lockout_remaining(again, "acct|ip", 7) == 60,
	    "5th failure locks 60 s (%u)", secs);
	ok(lockout_fail(s, "acct|ip", 7, &lock) == 0,
	    "failures while locked are not counted");
	ok(lockout_remaining(s, "acct|other", 10) == 0,
	    "another address is not locked");
	lockout_reset(s, "acct|ip", 7);
	ok(lockout_remaining(s, "acct|ip", 7) == 0, "a success resets");
	{
		struct lockout_rule	 quick = { 2, 1, 4 };
		unsigned		 want[] = { 0, 1, 2, 4, 4 };

		for (i = 0; i < 5; i++) {
			secs = lockout_fail(s, "q|ip", 4, &quick);
			ok(secs == want[i], "doubling step %u: %u s", i, secs);
			if (secs > 0)
				sleep(secs);
		}
	}
	ok(lockout_epoch(s, "acct", 4) == 0, "epoch starts at 0");
	lockout_unlock_all(s, "acct", 4);
	ok(lockout_epoch(again, "acct", 4) == 1, "unlock bumps the epoch");

	{
		char	 k1[64], k2[64];

		rl_client_key("2001:db8:1:2:3:4:5:6", k1, sizeof(k1));
		rl_client_key("2001:db8:1:2:ffff:4:5:7", k2, sizeof(k2));
		ok(strcmp(k1, k2) == 0 && strcmp(k1, "2001:db8:1:2::/64") == 0,
		    "IPv6 keyed by /64: %s", k1);
		rl_client_key("192.0.2.7", k1, sizeof(k1));
		ok(strcmp(k1, "192.0.2.7") == 0, "IPv4 whole");
		rl_client_key("::ffff:192.0.2.7", k1, sizeof(k1));
		ok(strcmp(k1, "::ffff:192.0.2.7") == 0, "IPv4-mapped whole");
	}

	shm_detach(again);
	shm_detach(s);
	shm_unlink(name);
	return done();
}
