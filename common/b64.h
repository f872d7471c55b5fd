/*
 * Base64 without padding, in the standard alphabet (argon2's PHC strings)
 * or the URL-safe one (RFC 4648 §5: JWTs, refresh tokens).  Decoding is
 * strict: no padding, no white space, no stray characters, and no
 * non-zero bits left over in the last character (so every string has one
 * decoding and one encoding).
 */
#ifndef IDENT_B64_H
#define IDENT_B64_H

#include <stddef.h>
#include <stdint.h>

enum b64_alphabet {
	B64_STD,
	B64_URL,
};

/* Bytes needed to encode n bytes, with the NUL. */
#define B64_ENCODED_SIZE(n)	((((n) + 2) / 3) * 4 + 1)
/* Upper bound of the decoded size of n characters. */
#define B64_DECODED_MAX(n)	(((n) / 4) * 3 + 3)

/* Encode in[0..n) into out (B64_ENCODED_SIZE(n) bytes).  Returns length. */
size_t	b64_encode(enum b64_alphabet, const uint8_t *in, size_t n, char *out);
/*
 * Decode in[0..n) into out (cap bytes).  Returns the decoded length, or
 * -1 if the input is not strict base64 of that alphabet or does not fit.
 */
long	b64_decode(enum b64_alphabet, const char *in, size_t n,
	    uint8_t *out, size_t cap);

#endif
