#include <string.h>

#include "b64.h"
#include "tap.h"

/* All 256 byte values round-trip; every byte outside the alphabet fails. */
static void
every_byte(enum b64_alphabet a, const char *last2)
{
	static const char	 abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	uint8_t			 raw[256], dec[256];
	char			 enc[B64_ENCODED_SIZE(256)], group[5];
	size_t			 i, rejected = 0, accepted = 0;
	long			 n;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)i;
	b64_encode(a, raw, sizeof(raw), enc);
	n = b64_decode(a, enc, strlen(enc), dec, sizeof(dec));
	ok(n == 256 && memcmp(raw, dec, sizeof(raw)) == 0,
	    "every byte value round-trips (%s)", last2);
	for (i = 1; i < 256; i++) {
		memcpy(group, "AAAA", 5);
		group[3] = (char)i;
		n = b64_decode(a, group, 4, dec, sizeof(dec));
		if (strchr(abc, (int)i) != NULL || strchr(last2, (int)i) != NULL)
			accepted += n == 3;
		else
			rejected += n == -1;
	}
	ok(accepted == 64 && rejected == 255 - 64,
	    "exactly the 64 characters of the alphabet decode (%s)", last2);
}

int
main(void)
{
	static const struct {
		enum b64_alphabet a;
		const char	*raw;
		const char	*enc;
	} rows[] = {	/* RFC 4648 §10, without padding */
		{ B64_STD, "", "" },
		{ B64_STD, "f", "Zg" },
		{ B64_STD, "fo", "Zm8" },
		{ B64_STD, "foo", "Zm9v" },
		{ B64_STD, "foob", "Zm9vYg" },
		{ B64_STD, "fooba", "Zm9vYmE" },
		{ B64_STD, "foobar", "Zm9vYmFy" },
		{ B64_URL, "\xfb\xff", "-_8" },
		{ B64_STD, "\xfb\xff", "+/8" },
	};
	static const struct {
		enum b64_alphabet a;
		const char	*bad;
	} bad[] = {
		{ B64_URL, "Zg==" },	/* padding */
		{ B64_URL, "Z" },	/* impossible length */
		{ B64_URL, "Zm9v\n" },	/* white space */
		{ B64_URL, "+/8" },	/* standard alphabet in a URL string */
		{ B64_STD, "-_8" },
		{ B64_URL, "Zh" },	/* non-zero spare bits */
		{ B64_URL, "Zm9=" },
		{ B64_URL, "Zm 9v" },
	};
	char	 out[64];
	uint8_t	 dec[64];
	long	 n;
	size_t	 i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		b64_encode(rows[i].a, (const uint8_t *)rows[i].raw,
		    strlen(rows[i].raw), out);
		ok(strcmp(out, rows[i].enc) == 0, "encode row %zu", i);
		n = b64_decode(rows[i].a, rows[i].enc, strlen(rows[i].enc),
		    dec, sizeof(dec));
		ok(n == (long)strlen(rows[i].raw) &&
		    memcmp(dec, rows[i].raw, (size_t)n) == 0, "decode row %zu", i);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(b64_decode(bad[i].a, bad[i].bad, strlen(bad[i].bad), dec,
		    sizeof(dec)) == -1, "reject '%s'", bad[i].bad);
	ok(b64_decode(B64_URL, "Zm9vYmFy", 8, dec, 5) == -1,
	    "reject output that does not fit");
	every_byte(B64_STD, "+/");
	every_byte(B64_URL, "-_");
	return done();
}
