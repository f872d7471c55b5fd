/*
 * RFC 6238 codes over liboath (totp.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <liboath/oath.h>

#include "crypto.h"
#include "log.h"
#include "totp.h"

int
totp_init(void)
{
	return oath_init() == OATH_OK ? 0 : -1;
}

void
totp_done(void)
{
	(void)oath_done();
}

long long
totp_step(long long now)
{
	return now < 0 ? -1 : now / TOTP_STEP;
}

int
totp_generate(const uint8_t *key, size_t keylen, long long now,
    unsigned step, unsigned digits, enum totp_alg alg, char *out)
{
	int	 flags = 0, rc;

	if (digits < 6 || digits > TOTP_MAX_DIGITS || step == 0 || now < 0)
		return -1;
	if (alg == TOTP_SHA256)
		flags = OATH_TOTP_HMAC_SHA256;
	else if (alg == TOTP_SHA512)
		flags = OATH_TOTP_HMAC_SHA512;
	rc = oath_totp_generate2((const char *)key, keylen, (time_t)now, step,
	    OATH_TOTP_DEFAULT_START_TIME, digits, flags, out);
	if (rc != OATH_OK) {
		log_reason(LOG_LVL_ERR, "totp_error", oath_strerror_name(rc));
		return -1;
	}
	return 0;
}

bool
totp_check(const uint8_t *key, size_t keylen, long long now, long long after,
    const char *code, size_t len, long long *step)
{
	char		 want[TOTP_MAX_DIGITS + 1];
	long long	 cur = totp_step(now), s;
	bool		 found = false;
	int		 d;

	if (len != TOTP_DIGITS || cur < TOTP_WINDOW)
		return false;
	for (d = -TOTP_WINDOW; d <= TOTP_WINDOW; d++) {
		s = cur + d;
		if (totp_generate(key, keylen, s * TOTP_STEP, TOTP_STEP,
		    TOTP_DIGITS, TOTP_SHA1, want) == -1)
			break;
		/* A step at or before the last accepted one is spent. */
		if (crypto_equal(want, code, TOTP_DIGITS) && s > after) {
			found = true;
			*step = s;
		}
	}
	crypto_wipe(want, sizeof(want));
	return found;
}

int
totp_base32(const uint8_t key[TOTP_SECRET_LEN],
    char out[TOTP_SECRET_B32_LEN + 1])
{
	char	*b32 = NULL;
	size_t	 n = 0, i, j;

	if (oath_base32_encode((const char *)key, TOTP_SECRET_LEN, &b32,
	    &n) != OATH_OK)
		return -1;
	for (i = j = 0; i < n && b32[i] != '=' && j < TOTP_SECRET_B32_LEN; i++)
		out[j++] = b32[i];
	out[j] = '\0';
	crypto_wipe(b32, n);
	free(b32);
	return j == TOTP_SECRET_B32_LEN ? 0 : -1;
}
