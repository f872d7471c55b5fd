/*
 * libFuzzer harness for common/b64.c: strict, unpadded base64 in the
 * standard and the URL-safe alphabet.
 *
 * Checks beyond the sanitizers (output buffers are exactly as large as
 * the header says they need to be, so ASan sees any write past them):
 *  - decoding is strict, so whatever decodes re-encodes to the very same
 *    text, and decodes again with a buffer of exactly the decoded size
 *    but not with one byte less;
 *  - B64_DECODED_MAX is an upper bound and B64_ENCODED_SIZE is exact;
 *  - any bytes encode and then decode back to themselves;
 *  - a decodable text is decodable in the other alphabet only if it
 *    holds none of the four characters that differ.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"fuzz_b64: check failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

static void
text_roundtrip(enum b64_alphabet a, const char *in, size_t n)
{
	size_t		 cap = B64_DECODED_MAX(n);
	uint8_t		*out = malloc(cap ? cap : 1), *exact;
	char		*enc;
	long		 len, len2;

	CHECK(out != NULL);
	len = b64_decode(a, in, n, out, cap);
	CHECK(len >= -1);
	if (len < 0) {
		free(out);
		return;
	}
	CHECK((size_t)len <= cap);
	CHECK(n % 4 != 1);
	CHECK((size_t)len == n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0));

	/* Re-encoding gives the input back, byte for byte. */
	enc = malloc(B64_ENCODED_SIZE((size_t)len));
	CHECK(enc != NULL);
	CHECK(b64_encode(a, out, (size_t)len, enc) == n);
	CHECK(enc[n] == '\0' && memcmp(enc, in, n) == 0);
	free(enc);

	/* An exact buffer is enough; one byte less is not. */
	exact = malloc(len ? (size_t)len : 1);
	CHECK(exact != NULL);
	len2 = b64_decode(a, in, n, exact, (size_t)len);
	CHECK(len2 == len && memcmp(exact, out, (size_t)len) == 0);
	if (len > 0)
		CHECK(b64_decode(a, in, n, exact, (size_t)len - 1) == -1);
	free(exact);
	free(out);
}

static void
bytes_roundtrip(enum b64_alphabet a, const uint8_t *in, size_t n)
{
	char		*enc = malloc(B64_ENCODED_SIZE(n));
	uint8_t		*dec;
	size_t		 elen, i;
	long		 dlen;

	CHECK(enc != NULL);
	elen = b64_encode(a, in, n, enc);
	/* B64_ENCODED_SIZE counts padding we do not write: at most 2 spare. */
	CHECK(elen + 1 <= B64_ENCODED_SIZE(n) && elen + 3 >= B64_ENCODED_SIZE(n));
	CHECK(enc[elen] == '\0' && strlen(enc) == elen);
	for (i = 0; i < elen; i++)
		CHECK(strchr(a == B64_URL ? "-_" : "+/", enc[i]) != NULL ||
		    (enc[i] >= 'A' && enc[i] <= 'Z') ||
		    (enc[i] >= 'a' && enc[i] <= 'z') ||
		    (enc[i] >= '0' && enc[i] <= '9'));
	dec = malloc(n ? n : 1);
	CHECK(dec != NULL);
	dlen = b64_decode(a, enc, elen, dec, n);
	CHECK(dlen >= 0 && (size_t)dlen == n && memcmp(dec, in, n) == 0);
	free(dec);
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	uint8_t		*tmp;
	size_t		 cap = B64_DECODED_MAX(size);
	long		 std, url;
	bool		 has_std = false, has_url = false;
	size_t		 i;

	text_roundtrip(B64_STD, s, size);
	text_roundtrip(B64_URL, s, size);
	bytes_roundtrip(B64_STD, data, size);
	bytes_roundtrip(B64_URL, data, size);

	if ((tmp = malloc(cap)) == NULL)
		abort();
	std = b64_decode(B64_STD, s, size, tmp, cap);
	url = b64_decode(B64_URL, s, size, tmp, cap);
	for (i = 0; i < size; i++) {
		has_std |= s[i] == '+' || s[i] == '/';
		has_url |= s[i] == '-' || s[i] == '_';
	}
	if (std >= 0 && !has_std)
		CHECK(url == std);
	if (url >= 0 && !has_url)
		CHECK(std == url);
	free(tmp);
	return 0;
}
