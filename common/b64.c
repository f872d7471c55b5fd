#include "b64.h"

static const char *const alphabets[] = {
	[B64_STD] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
	[B64_URL] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
};

size_t
b64_encode(enum b64_alphabet a, const uint8_t *in, size_t n, char *out)
{
	const char	*abc = alphabets[a];
	size_t		 i, o = 0;
	uint32_t	 v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = abc[(v >> 6) & 63];
		out[o++] = abc[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 63];
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = abc[v >> 18];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = abc[(v >> 6) & 63];
	}
	out[o] = '\0';
	return o;
}

static int
value_of(enum b64_alphabet a, char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (a == B64_URL ? '-' : '+'))
		return 62;
	if (c == (a == B64_URL ? '_' : '/'))
		return 63;
	return -1;
}

long
b64_decode(enum b64_alphabet a, const char *in, size_t n, uint8_t *out,
    size_t cap)
{
	size_t		 i, o = 0, rest = n % 4;
	uint32_t	 v = 0;
	int		 d;

	if (rest == 1 || (n / 4) * 3 + (rest ? rest - 1 : 0) > cap)
		return -1;
	for (i = 0; i < n; i++) {
		if ((d = value_of(a, in[i])) < 0)
			return -1;
		v = (v << 6) | (uint32_t)d;
		if (i % 4 == 3) {
			out[o++] = (uint8_t)(v >> 16);
			out[o++] = (uint8_t)(v >> 8);
			out[o++] = (uint8_t)v;
			v = 0;
		}
	}
	if (rest == 2) {
		if (v & 0x0f)		/* bits that no encoder would set */
			return -1;
		out[o++] = (uint8_t)(v >> 4);
	} else if (rest == 3) {
		if (v & 0x03)
			return -1;
		out[o++] = (uint8_t)(v >> 10);
		out[o++] = (uint8_t)(v >> 2);
	}
	return (long)o;
}
