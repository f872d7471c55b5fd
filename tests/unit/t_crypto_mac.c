/*
 * common/crypto.c's keyed HMAC-SHA-256: RFC 4231's vectors (a short key,
 * and a key longer than the block, which HMAC hashes first), the same
 * answer on every reuse of one set-up, and keys kept apart.
 */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "tap.h"

static void
hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static int
mac_is(struct crypto_mac *m, const char *msg, const char *want)
{
	uint8_t	 h[SHA256_LEN];
	char	 got[2 * SHA256_LEN + 1];

	crypto_mac_sha256(m, msg, strlen(msg), h);
	hex(h, sizeof(h), got);
	return strcmp(got, want) == 0;
}

int
main(void)
{
	/* RFC 4231 §4.3 (test case 2) and §4.7 (test case 6). */
	static const char jefe_msg[] = "what do ya want for nothing?";
	static const char jefe[] =
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
	static const char long_msg[] =
	    "Test Using Larger Than Block-Size Key - Hash Key First";
	static const char long_mac[] =
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
	uint8_t			 long_key[131];
	struct crypto_mac	*a, *b;

	memset(long_key, 0xaa, sizeof(long_key));
	a = crypto_mac_new("Jefe", 4);
	b = crypto_mac_new(long_key, sizeof(long_key));
	ok(a != NULL && b != NULL, "set up");
	ok(mac_is(a, jefe_msg, jefe), "RFC 4231 test case 2");
	ok(mac_is(b, long_msg, long_mac), "RFC 4231 test case 6 (long key)");
	ok(mac_is(a, jefe_msg, jefe) && mac_is(a, jefe_msg, jefe),
	    "the same answer on every reuse");
	ok(mac_is(b, long_msg, long_mac), "one key's use leaves the other's");
	ok(!mac_is(b, jefe_msg, jefe), "another key, another MAC");
	crypto_mac_free(a);
	crypto_mac_free(b);
	crypto_mac_free(NULL);
	return done();
}
