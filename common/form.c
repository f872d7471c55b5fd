#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "crypto.h"
#include "form.h"

static int
hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..n) to out; returns the length or -1. */
static long
decode(const char *s, size_t n, char *out)
{
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%') {
			if (n - i < 3 || (hi = hex_val(s[i + 1])) < 0 ||
			    (lo = hex_val(s[i + 2])) < 0)
				return -1;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	if (memchr(out, '\0', o) != NULL || !utf8_valid(out, o))
		return -1;
	return (long)o;
}

static int
parse_pairs(struct form *f, const char *s, size_t len, bool repeats)
{
	size_t		 i = 0, n, used = 0, k, seen = 0;
	const char	*eq, *amp;
	long		 nl, vl;

	while (i < len) {
		amp = memchr(s + i, '&', len - i);
		n = amp == NULL ? len - i : (size_t)(amp - (s + i));
		if (n == 0) {		/* "a=1&&b=2": tolerated, as browsers do */
			i++;
			continue;
		}
		/* Repeats count too: each pair takes two NULs of the buffer. */
		if (seen++ == FORM_MAX_PAIRS)
			return -1;
		eq = memchr(s + i, '=', n);
		nl = decode(s + i, eq == NULL ? n : (size_t)(eq - (s + i)),
		    f->buf + used);
		if (nl <= 0)
			return -1;
		f->p[f->n].name = f->buf + used;
		used += (size_t)nl + 1;
		vl = eq == NULL ? 0 : decode(eq + 1,
		    n - (size_t)(eq + 1 - (s + i)), f->buf + used);
		if (eq == NULL)
			f->buf[used] = '\0';
		if (vl < 0)
			return -1;
		f->p[f->n].value = f->buf + used;
		f->p[f->n].len = (size_t)vl;
		used += (size_t)vl + 1;
		for (k = 0; k < f->n; k++)
			if (strcmp(f->p[k].name, f->p[f->n].name) == 0)
				break;
		if (k < f->n) {
			if (!repeats)
				return -1;
			/* The first stays; the caller learns of the rest. */
			f->repeated = true;
		} else
			f->n++;
		i += n + 1;
	}
	return 0;
}

static int
parse(struct form *f, const char *s, size_t len, bool repeats)
{
	memset(f, 0, sizeof(*f));
	if (memchr(s, '\0', len) != NULL)
		return -1;
	/* Decoded text is never longer; each pair adds two NULs at most. */
	f->bufsz = len + 2 * FORM_MAX_PAIRS + 2;
	if ((f->buf = malloc(f->bufsz)) == NULL)
		return -1;
	if (parse_pairs(f, s, len, repeats) == -1) {
		form_clear(f);
		return -1;
	}
	return 0;
}

int
form_parse(struct form *f, const char *s, size_t len)
{
	return parse(f, s, len, false);
}

int
form_parse_repeats(struct form *f, const char *s, size_t len)
{
	return parse(f, s, len, true);
}

const char *
form_get(const struct form *f, const char *name, size_t *len)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->p[i].name, name) == 0) {
			if (len != NULL)
				*len = f->p[i].len;
			return f->p[i].value;
		}
	return NULL;
}

void
form_clear(struct form *f)
{
	if (f->buf != NULL) {
		crypto_wipe(f->buf, f->bufsz);
		free(f->buf);
	}
	memset(f, 0, sizeof(*f));
}
