/*
 * libFuzzer harness for what a second factor parses: the recovery code
 * and the TOTP code a client types (POST /token's recovery_code and otp,
 * the enrolment routes' "code"), and the text the QR code is drawn from.
 *
 * Checks beyond the sanitizers:
 *  - mfa_recovery_hash accepts exactly what a reference normaliser
 *    (drop '-' and ' ', lowercase, then 16 of a-z2-7) accepts, and
 *    gives the SHA-256 of the normalised text;
 *  - totp_check accepts only 6 bytes that equal one of the codes of the
 *    window (computed by totp_generate) at a step later than "after",
 *    and reports that step;
 *  - qr_svg of at most QR_MAX_INPUT bytes without NUL is NULL or one
 *    closed SVG document of bounded size; anything else is NULL.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "mfa.h"
#include "qr.h"
#include "totp.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"fuzz_mfa: check failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

static const uint8_t	 key[TOTP_SECRET_LEN] = "12345678901234567890";

static bool
ref_normalise(const char *s, size_t n, char out[MFA_RECOVERY_CHARS])
{
	size_t	 i, k = 0;
	char	 ch;

	if (n > MFA_RECOVERY_MAX_INPUT)
		return false;
	for (i = 0; i < n; i++) {
		ch = s[i];
		if (ch == '-' || ch == ' ')
			continue;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch + 32);
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '2' && ch <= '7')))
			return false;
		if (k == MFA_RECOVERY_CHARS)
			return false;
		out[k++] = ch;
	}
	return k == MFA_RECOVERY_CHARS;
}

static void
recovery(const char *s, size_t n)
{
	uint8_t	 got[SHA256_LEN], want[SHA256_LEN];
	char	 norm[MFA_RECOVERY_CHARS];
	bool	 ok = ref_normalise(s, n, norm);

	CHECK((mfa_recovery_hash(s, n, got) == 0) == ok);
	if (ok) {
		crypto_sha256(norm, sizeof(norm), want);
		CHECK(memcmp(got, want, SHA256_LEN) == 0);
	}
}

static void
totp(const char *s, size_t n, long long now, long long after)
{
	char		 want[3][TOTP_DIGITS + 1];
	long long	 cur = totp_step(now), step = -7;
	bool		 got, any = false;
	int		 d;

	for (d = -1; d <= 1; d++)
		CHECK(totp_generate(key, sizeof(key), (cur + d) * TOTP_STEP,
		    TOTP_STEP, TOTP_DIGITS, TOTP_SHA1, want[d + 1]) == 0);
	got = totp_check(key, sizeof(key), now, after, s, n, &step);
	for (d = -1; d <= 1; d++)
		if (n == TOTP_DIGITS && memcmp(s, want[d + 1], n) == 0 &&
		    cur + d > after)
			any = true;
	CHECK(got == any);
	if (got)
		CHECK(step >= cur - 1 && step <= cur + 1 && step > after &&
		    memcmp(s, want[step - cur + 1], n) == 0);
}

static void
qr(const char *s, size_t n)
{
	char	*svg = qr_svg(s, n);
	size_t	 len;

	if (n == 0 || n > QR_MAX_INPUT || memchr(s, '\0', n) != NULL)
		CHECK(svg == NULL);
	if (svg == NULL)
		return;
	len = strlen(svg);
	CHECK(len < 4 * 1024 * 1024);
	CHECK(strncmp(svg, "<svg ", 5) == 0);
	CHECK(len > 6 && strcmp(svg + len - 6, "</svg>") == 0);
	free(svg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	long long	 now = 1111111111LL;

	recovery(s, size);
	/* One in-window moment and a replay guard taken from the input. */
	totp(s, size, now, size > 0 ? totp_step(now) - 2 + data[0] % 4 : -1);
	totp(s, size, now + 29, -1);
	if (size <= 128)		/* drawing is slow; inputs of a form field */
		qr(s, size);
	return 0;
}
