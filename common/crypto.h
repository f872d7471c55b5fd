/*
 * Small cryptographic helpers over OpenSSL (the only module besides
 * jwt.c that includes it): randomness, wiping, constant-time compare,
 * SHA-256, base64url, random UUIDs, and AES-256-GCM sealing of small
 * secrets at rest.
 */
#ifndef IDENT_CRYPTO_H
#define IDENT_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32

/* Fill buf with n random bytes.  Returns 0 or -1 (already logged). */
int	crypto_random(void *buf, size_t n);
/* Overwrite n bytes at p so the compiler cannot drop it; p may be NULL. */
void	crypto_wipe(void *p, size_t n);
/* Constant-time equality of two n-byte buffers. */
bool	crypto_equal(const void *a, const void *b, size_t n);
void	crypto_sha256(const void *data, size_t n, uint8_t out[SHA256_LEN]);
/*
 * HMAC-SHA-256 under one key, set up once: the key's inner and outer
 * blocks are hashed at crypto_mac_new, so a message costs its own
 * hashing only.  NULL on failure (out of memory, or keylen > INT_MAX).
 */
struct crypto_mac;
struct crypto_mac *crypto_mac_new(const void *key, size_t keylen);
/* HMAC-SHA-256 of data[0..n) under m's key. */
void	crypto_mac_sha256(struct crypto_mac *m, const void *data, size_t n,
	    uint8_t out[SHA256_LEN]);
void	crypto_mac_free(struct crypto_mac *m);
/*
 * nbytes (at most 64) random bytes as base64url into out, which holds
 * B64_ENCODED_SIZE(nbytes) bytes: codes, secrets, cookies.  0 or -1.
 */
int	crypto_random_token(char *out, size_t nbytes);
/*
 * A random (version 4) UUID, lowercase, into out[37] with its NUL.
 * Returns 0 or -1.
 */
int	crypto_uuid4(char out[37]);

#define SEAL_KEY_LEN	32	/* AES-256 */
#define SEAL_NONCE_LEN	12	/* 96 bits, random per seal (SP 800-38D §8.2.2) */
#define SEAL_TAG_LEN	16
#define SEAL_OVERHEAD	(SEAL_NONCE_LEN + SEAL_TAG_LEN)

/*
 * Seal plain[0..n) with AES-256-GCM under key, binding aad[0..aadlen)
 * (who the secret belongs to, so a sealed value moved to another row
 * does not open).  Writes nonce || ciphertext || tag, n + SEAL_OVERHEAD
 * bytes, to out.  Returns 0 or -1 (logged).
 */
int	crypto_seal(const uint8_t key[SEAL_KEY_LEN], const void *aad,
	    size_t aadlen, const uint8_t *plain, size_t n, uint8_t *out);
/*
 * Open what crypto_seal wrote (sealed[0..n), n >= SEAL_OVERHEAD) into
 * out[n - SEAL_OVERHEAD].  Returns 0, or -1 when the key, the aad or any
 * byte differs (out is then wiped).
 */
int	crypto_open(const uint8_t key[SEAL_KEY_LEN], const void *aad,
	    size_t aadlen, const uint8_t *sealed, size_t n, uint8_t *out);

#endif
