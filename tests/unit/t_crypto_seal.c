/*
 * common/crypto.c's AES-256-GCM sealing: a round trip, and every change
 * (of the key, the associated data, any byte, the length) detected.
 */
#include <string.h>

#include "crypto.h"
#include "tap.h"

#define PLAIN_LEN	20

int
main(void)
{
	uint8_t		 key[SEAL_KEY_LEN], key2[SEAL_KEY_LEN];
	uint8_t		 plain[PLAIN_LEN], back[PLAIN_LEN];
	uint8_t		 s1[PLAIN_LEN + SEAL_OVERHEAD], s2[sizeof(s1)];
	uint8_t		 bad[sizeof(s1)];
	const char	*uid = "0b7f3a52-1c1e-4a8e-9a53-4f1f7a0e9d11";
	const char	*other = "0b7f3a52-1c1e-4a8e-9a53-4f1f7a0e9d12";
	size_t		 i, caught = 0;

	memset(key, 0x42, sizeof(key));
	memcpy(key2, key, sizeof(key));
	key2[31] ^= 1;
	memcpy(plain, "12345678901234567890", PLAIN_LEN);

	ok(crypto_seal(key, uid, strlen(uid), plain, PLAIN_LEN, s1) == 0,
	    "seal");
	ok(memcmp(s1 + SEAL_NONCE_LEN, plain, PLAIN_LEN) != 0,
	    "the sealed bytes are not the plain text");
	ok(crypto_open(key, uid, strlen(uid), s1, sizeof(s1), back) == 0 &&
	    memcmp(back, plain, PLAIN_LEN) == 0, "round trip");
	ok(crypto_seal(key, uid, strlen(uid), plain, PLAIN_LEN, s2) == 0 &&
	    memcmp(s1, s2, SEAL_NONCE_LEN) != 0 && memcmp(s1, s2,
	    sizeof(s1)) != 0, "a new random nonce each time");
	ok(crypto_open(key2, uid, strlen(uid), s1, sizeof(s1), back) == -1,
	    "another key does not open it");
	memset(back, 0x55, sizeof(back));
	ok(crypto_open(key, other, strlen(other), s1, sizeof(s1), back) == -1,
	    "another user id (associated data) does not open it");
	for (i = 0; i < PLAIN_LEN && back[i] == 0; i++)
		continue;
	ok(i == PLAIN_LEN, "a failed open leaves nothing of the plain text");
	for (i = 0; i < sizeof(s1); i++) {
		memcpy(bad, s1, sizeof(s1));
		bad[i] ^= 0x01;
		caught += crypto_open(key, uid, strlen(uid), bad, sizeof(bad),
		    back) == -1;
	}
	ok(caught == sizeof(s1), "a flipped bit anywhere (nonce, text, tag) "
	    "is detected: %zu of %zu", caught, sizeof(s1));
	ok(crypto_open(key, uid, strlen(uid), s1, sizeof(s1) - 1, back) == -1,
	    "a truncated value is refused");
	ok(crypto_open(key, uid, strlen(uid), s1, SEAL_OVERHEAD - 1, back) ==
	    -1, "shorter than nonce and tag is refused");
	return done();
}
