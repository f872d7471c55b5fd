/*
 * Small cryptographic helpers over OpenSSL (the only module besides
 * jwt.c that includes it): randomness, wiping, constant-time compare,
 * SHA-256, base64url and random UUIDs.
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
/* HMAC-SHA-256 of data[0..n) under key[0..keylen). */
void	crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
	    size_t n, uint8_t out[SHA256_LEN]);
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

#endif
