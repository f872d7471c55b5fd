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

/*
 * Sextet of each byte per alphabet, -1 for a byte outside it: one load
 * per character (a JWT is decoded on every authenticated request).
 */
#define SEXTETS(c62, c63) { \
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, \
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, \
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, \
	['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, \
	['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, \
	['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, \
	['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, \
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, \
	['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, \
	['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51, \
	['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, \
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, \
	['9'] = 62, [c62] = 63, [c63] = 64 }

/* Stored as sextet + 1, so that the zero of every other byte means -1. */
static const unsigned char sextets[][256] = {
	[B64_STD] = SEXTETS('+', '/'),
	[B64_URL] = SEXTETS('-', '_'),
};

static int
value_of(enum b64_alphabet a, char c)
{
	return (int)sextets[a][(unsigned char)c] - 1;
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
