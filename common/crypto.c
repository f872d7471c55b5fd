#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto.h"
#include "log.h"

int
crypto_random(void *buf, size_t n)
{
	if (n > INT32_MAX || RAND_bytes(buf, (int)n) != 1) {
		log_reason(LOG_LVL_ERR, "crypto_error", "RAND_bytes failed");
		return -1;
	}
	return 0;
}

void
crypto_wipe(void *p, size_t n)
{
	if (p != NULL)
		OPENSSL_cleanse(p, n);
}

bool
crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

/*
 * EVP_sha256() makes OpenSSL 3 look the algorithm up (and EVP_Digest a
 * context) on every call: 5-7 us a digest here, against 2-3 us with the
 * algorithm fetched once and one context reused, and every validation
 * hashes its token (jwt_memo.c).  Both are kept for the life of the
 * process.
 */
void
crypto_sha256(const void *data, size_t n, uint8_t out[SHA256_LEN])
{
	static EVP_MD		*md;
	static EVP_MD_CTX	*ctx;
	unsigned int		 len = SHA256_LEN;

	if (md == NULL && (md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		abort();
	if (ctx == NULL && (ctx = EVP_MD_CTX_new()) == NULL)
		abort();
	/* SHA-256 cannot fail short of memory corruption. */
	if (EVP_DigestInit_ex2(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, data, n) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &len) != 1)
		abort();
}

int
crypto_uuid4(char out[37])
{
	uint8_t	 b[16];

	if (crypto_random(b, sizeof(b)) == -1)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;	/* RFC 9562 §5.4: version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* variant 10 */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}
