/*
 * How many argon2id hashes one core does with given parameters: hashes a
 * fixed password with libargon2's argon2id_hash_raw in a loop for the
 * given number of seconds, then prints "COUNT SECONDS" (hashes done, time
 * they took).  bench/run-auth runs one copy per core at once and adds the
 * rates up: the ceiling of POST /token on this machine.
 *
 *   cc -O2 -o argon2_rate bench/argon2_rate.c -largon2
 *   ./argon2_rate M_KIB T P SECONDS       e.g. 19456 2 1 5
 *
 * argon2id_hash_raw runs P lanes in P threads and allocates its memory
 * afresh for each hash; genesis-fcgi runs the lanes in turn on one thread
 * and reuses one memory area, so with P = 1 a worker may do slightly
 * better than this.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <argon2.h>

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
arg(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
main(int argc, char *argv[])
{
	static const char	 pw[] = "Bench-Passw0rd!";
	uint8_t			 salt[16], hash[32];
	unsigned long		 m, t, p, secs, count = 0;
	double			 start, end, elapsed;
	int			 rc;

	if (argc != 5 || arg(argv[1], 8, 4194304, &m) == -1 ||
	    arg(argv[2], 1, 64, &t) == -1 || arg(argv[3], 1, 64, &p) == -1 ||
	    arg(argv[4], 1, 3600, &secs) == -1) {
		fputs("usage: argon2_rate M_KIB T P SECONDS\n", stderr);
		return 2;
	}
	memset(salt, 0x5a, sizeof(salt));
	start = now();
	end = start + (double)secs;
	do {
		/* A different salt each time, as logins of different users. */
		memcpy(salt, &count, sizeof(count));
		rc = argon2id_hash_raw((uint32_t)t, (uint32_t)m, (uint32_t)p,
		    pw, sizeof(pw) - 1, salt, sizeof(salt), hash, sizeof(hash));
		if (rc != ARGON2_OK) {
			fprintf(stderr, "argon2_rate: %s\n",
			    argon2_error_message(rc));
			return 1;
		}
		count++;
	} while ((elapsed = now()) < end);
	printf("%lu %.6f\n", count, elapsed - start);
	return 0;
}
