#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "b64.h"
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

/*
 * The legacy HMAC() looks both HMAC and SHA-256 up and hashes the key
 * again on every call: a fifth of what introspection cost a worker.
 * EVP_MAC_init with no key resets the context to the key's precomputed
 * state.
 */
struct crypto_mac {
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx;
};

struct crypto_mac *
crypto_mac_new(const void *key, size_t keylen)
{
	struct crypto_mac	*m;
	OSSL_PARAM		 params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
		    (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	if (keylen > INT32_MAX || (m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if ((m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (m->ctx = EVP_MAC_CTX_new(m->mac)) == NULL ||
	    EVP_MAC_init(m->ctx, key, keylen, params) != 1) {
		crypto_mac_free(m);
		return NULL;
	}
	return m;
}

void
crypto_mac_sha256(struct crypto_mac *m, const void *data, size_t n,
    uint8_t out[SHA256_LEN])
{
	size_t	 len = 0;

	/* Cannot fail short of memory corruption. */
	if (EVP_MAC_init(m->ctx, NULL, 0, NULL) != 1 ||
	    EVP_MAC_update(m->ctx, data, n) != 1 ||
	    EVP_MAC_final(m->ctx, out, &len, SHA256_LEN) != 1 ||
	    len != SHA256_LEN)
		abort();
}

void
crypto_mac_free(struct crypto_mac *m)
{
	if (m == NULL)
		return;
	EVP_MAC_CTX_free(m->ctx);	/* cleanses the key's state */
	EVP_MAC_free(m->mac);
	free(m);
}

int
crypto_random_token(char *out, size_t nbytes)
{
	uint8_t	 raw[64];

	if (nbytes > sizeof(raw) || crypto_random(raw, nbytes) == -1)
		return -1;
	b64_encode(B64_URL, raw, nbytes, out);
	crypto_wipe(raw, sizeof(raw));
	return 0;
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

/* One AES-256-GCM operation; enc selects sealing or opening. */
static int
gcm(bool enc, const uint8_t key[SEAL_KEY_LEN], const uint8_t *nonce,
    const void *aad, size_t aadlen, const uint8_t *in, size_t n,
    uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX	*ctx;
	int		 len, ok;

	if (n > INT32_MAX || aadlen > INT32_MAX ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	ok = EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL,
	    enc) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_LEN,
	    NULL) == 1 &&
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) == 1 &&
	    EVP_CipherUpdate(ctx, NULL, &len, aad, (int)aadlen) == 1 &&
	    EVP_CipherUpdate(ctx, out, &len, in, (int)n) == 1 &&
	    (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
	    SEAL_TAG_LEN, tag) == 1) &&
	    EVP_CipherFinal_ex(ctx, out + len, &len) == 1 &&
	    (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
	    SEAL_TAG_LEN, tag) == 1);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int
crypto_seal(const uint8_t key[SEAL_KEY_LEN], const void *aad, size_t aadlen,
    const uint8_t *plain, size_t n, uint8_t *out)
{
	if (crypto_random(out, SEAL_NONCE_LEN) == -1)
		return -1;
	if (gcm(true, key, out, aad, aadlen, plain, n, out + SEAL_NONCE_LEN,
	    out + SEAL_NONCE_LEN + n) == -1) {
		log_reason(LOG_LVL_ERR, "crypto_error", "AES-GCM seal failed");
		return -1;
	}
	return 0;
}

int
crypto_open(const uint8_t key[SEAL_KEY_LEN], const void *aad, size_t aadlen,
    const uint8_t *sealed, size_t n, uint8_t *out)
{
	uint8_t	 tag[SEAL_TAG_LEN];
	size_t	 m;

	if (n < SEAL_OVERHEAD)
		return -1;
	m = n - SEAL_OVERHEAD;
	memcpy(tag, sealed + SEAL_NONCE_LEN + m, SEAL_TAG_LEN);
	if (gcm(false, key, sealed, aad, aadlen, sealed + SEAL_NONCE_LEN, m,
	    out, tag) == -1) {
		crypto_wipe(out, m);
		return -1;
	}
	return 0;
}
