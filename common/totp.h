/*
 * Time-based one-time passwords (RFC 6238) over the OATH Toolkit's
 * liboath, the only module that includes <liboath/oath.h>.  The service
 * uses what every authenticator app supports: HMAC-SHA-1, 6 digits,
 * 30-second steps from the Unix epoch (TOTP_*); the other algorithms and
 * lengths are here for RFC 6238's test vectors.
 */
#ifndef IDENT_TOTP_H
#define IDENT_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_LEN		20	/* 160 bits, RFC 4226 §4 R6 */
#define TOTP_SECRET_B32_LEN	32	/* base32 of 20 bytes, no padding */
#define TOTP_DIGITS		6
#define TOTP_STEP		30	/* seconds */
#define TOTP_WINDOW		1	/* steps either side (RFC 6238 §5.2) */
#define TOTP_MAX_DIGITS		8

enum totp_alg {
	TOTP_SHA1,
	TOTP_SHA256,
	TOTP_SHA512,
};

/* Library set-up for a process; 0 or -1. */
int	totp_init(void);
void	totp_done(void);

/* The time step of now (floor(now / TOTP_STEP)). */
long long totp_step(long long now);

/*
 * The code of key[0..keylen) at time now (seconds since the epoch), with
 * steps of step seconds, digits (6..8) digits and alg, into out[digits
 * + 1] with its NUL.  Returns 0 or -1.
 */
int	totp_generate(const uint8_t *key, size_t keylen, long long now,
	    unsigned step, unsigned digits, enum totp_alg alg, char *out);

/*
 * Whether code[0..len) is the service's code (SHA-1, TOTP_DIGITS, 30 s)
 * of key at one of the steps of now +- TOTP_WINDOW that is later than
 * after (-1: any).  The match's step goes to *step.  Every candidate is
 * compared, in constant time, whatever matched first.
 */
bool	totp_check(const uint8_t *key, size_t keylen, long long now,
	    long long after, const char *code, size_t len, long long *step);

/*
 * The base32 text (RFC 4648, no padding) of a TOTP_SECRET_LEN secret,
 * what authenticator apps take, into out[TOTP_SECRET_B32_LEN + 1].
 * Returns 0 or -1.
 */
int	totp_base32(const uint8_t key[TOTP_SECRET_LEN],
	    char out[TOTP_SECRET_B32_LEN + 1]);

#endif
