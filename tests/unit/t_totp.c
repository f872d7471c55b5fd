/*
 * common/totp.c: RFC 6238 Appendix B's test vectors through our module,
 * and the window, replay and format rules of totp_check.
 */
#include <string.h>

#include "tap.h"
#include "totp.h"

/* RFC 6238 Appendix B: the seeds of each algorithm ("1234567890"...). */
static const char seed20[] = "12345678901234567890";
static const char seed32[] = "12345678901234567890123456789012";
static const char seed64[] = "1234567890123456789012345678901234567890"
    "123456789012345678901234";

static const struct {
	long long	 t;
	enum totp_alg	 alg;
	const char	*want;
} vectors[] = {
	{ 59LL, TOTP_SHA1, "94287082" },
	{ 59LL, TOTP_SHA256, "46119246" },
	{ 59LL, TOTP_SHA512, "90693936" },
	{ 1111111109LL, TOTP_SHA1, "07081804" },
	{ 1111111109LL, TOTP_SHA256, "68084774" },
	{ 1111111109LL, TOTP_SHA512, "25091201" },
	{ 1111111111LL, TOTP_SHA1, "14050471" },
	{ 1111111111LL, TOTP_SHA256, "67062674" },
	{ 1111111111LL, TOTP_SHA512, "99943326" },
	{ 1234567890LL, TOTP_SHA1, "89005924" },
	{ 1234567890LL, TOTP_SHA256, "91819424" },
	{ 1234567890LL, TOTP_SHA512, "93441116" },
	{ 2000000000LL, TOTP_SHA1, "69279037" },
	{ 2000000000LL, TOTP_SHA256, "90698825" },
	{ 2000000000LL, TOTP_SHA512, "38618901" },
	{ 20000000000LL, TOTP_SHA1, "65353130" },
	{ 20000000000LL, TOTP_SHA256, "77737706" },
	{ 20000000000LL, TOTP_SHA512, "47863826" },
};

static const char *
seed_of(enum totp_alg a, size_t *len)
{
	const char	*s = a == TOTP_SHA1 ? seed20 : a == TOTP_SHA256 ?
	    seed32 : seed64;

	*len = strlen(s);
	return s;
}

static void
appendix_b(void)
{
	char		 out[TOTP_MAX_DIGITS + 1];
	const char	*seed;
	size_t		 i, len;
	int		 rc;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		seed = seed_of(vectors[i].alg, &len);
		memset(out, 0, sizeof(out));
		rc = totp_generate((const uint8_t *)seed, len, vectors[i].t,
		    30, 8, vectors[i].alg, out);
		ok(rc == 0 && strcmp(out, vectors[i].want) == 0,
		    "RFC 6238 B: T=%lld alg %d -> %s (got %s)", vectors[i].t,
		    (int)vectors[i].alg, vectors[i].want, out);
	}
}

/* The service's codes are the last 6 digits of the SHA-1 vectors. */
static void
check_rules(void)
{
	const uint8_t	*key = (const uint8_t *)seed20;
	long long	 now = 1111111111LL, step = 0, cur = now / 30;
	char		 prev[7], here[7], next[7], far[7];
	const char	*wrong;

	ok(totp_generate(key, 20, now, 30, 6, TOTP_SHA1, here) == 0 &&
	    strcmp(here, "050471") == 0, "6 digits: the low digits of the "
	    "8-digit vector (%s)", here);
	totp_generate(key, 20, now - 30, 30, 6, TOTP_SHA1, prev);
	totp_generate(key, 20, now + 30, 30, 6, TOTP_SHA1, next);
	totp_generate(key, 20, now + 60, 30, 6, TOTP_SHA1, far);
	ok(totp_check(key, 20, now, -1, here, 6, &step) && step == cur,
	    "the current step's code is accepted, with its step");
	ok(totp_check(key, 20, now, -1, prev, 6, &step) && step == cur - 1,
	    "the previous step's code is accepted (window -1)");
	ok(totp_check(key, 20, now, -1, next, 6, &step) && step == cur + 1,
	    "the next step's code is accepted (window +1)");
	ok(!totp_check(key, 20, now, -1, far, 6, &step),
	    "two steps ahead is refused");
	ok(!totp_check(key, 20, now, cur, here, 6, &step),
	    "a code of the last accepted step is refused (replay)");
	ok(!totp_check(key, 20, now, cur, prev, 6, &step),
	    "a code older than the last accepted step is refused");
	ok(totp_check(key, 20, now, cur, next, 6, &step) && step == cur + 1,
	    "the step after the last accepted one is accepted");
	ok(!totp_check(key, 20, now, -1, here, 5, &step) &&
	    !totp_check(key, 20, now, -1, "05047", 5, &step) &&
	    !totp_check(key, 20, now, -1, "0504711", 7, &step),
	    "a code of the wrong length is refused");
	wrong = "000000";
	if (strcmp(prev, wrong) == 0 || strcmp(here, wrong) == 0 ||
	    strcmp(next, wrong) == 0)
		wrong = "999999";
	ok(!totp_check(key, 20, now, -1, wrong, 6, &step),
	    "a wrong code is refused");
	ok(totp_generate(key, 20, now, 30, 5, TOTP_SHA1, here) == -1 &&
	    totp_generate(key, 20, now, 30, 9, TOTP_SHA1, here) == -1,
	    "digits outside 6..8 are refused");
}

static void
base32(void)
{
	/* RFC 4648 §10 extended: 20 bytes of "12345678901234567890". */
	char	 out[TOTP_SECRET_B32_LEN + 1];

	ok(totp_base32((const uint8_t *)seed20, out) == 0 &&
	    strcmp(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") == 0,
	    "base32 of the RFC seed (%s)", out);
}

int
main(void)
{
	if (totp_init() == -1) {
		printf("1..0 # SKIP liboath did not initialise\n");
		return 0;
	}
	appendix_b();
	check_rules();
	base32();
	totp_done();
	return done();
}
