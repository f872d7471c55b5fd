/*
 * libFuzzer harness for common/form.c: application/x-www-form-urlencoded
 * bodies (POST /token) and query strings (?limit=&cursor=).
 *
 * Checks beyond the sanitizers: a parsed form keeps the header's
 * promises (at most FORM_MAX_PAIRS pairs, unique names, values
 * NUL-terminated with the right length, valid UTF-8 without NULs, all
 * inside the form's buffer) and form_get agrees with the pair list; a
 * failed parse leaves the form empty.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "form.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"fuzz_form: check failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

static bool
inside(const struct form *f, const char *p, size_t n)
{
	return p >= f->buf && p + n < f->buf + f->bufsz;	/* + its NUL */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"grant_type", "username", "password", "refresh_token", "scope",
		"limit", "cursor", "client_id", "", "a",
	};
	const char	*s = (const char *)data, *v, *w;
	struct form	 f;
	size_t		 i, k, len, len2;

	if (form_parse(&f, s, size) != 0) {
		CHECK(f.n == 0 && f.buf == NULL);
		form_clear(&f);		/* must accept an unparsed form */
		return 0;
	}
	CHECK(f.n <= FORM_MAX_PAIRS);
	CHECK(memchr(s, '\0', size) == NULL);
	for (i = 0; i < f.n; i++) {
		CHECK(f.p[i].name != NULL && f.p[i].value != NULL);
		len = strlen(f.p[i].name);
		CHECK(inside(&f, f.p[i].name, len));
		CHECK(utf8_valid(f.p[i].name, len));
		CHECK(strlen(f.p[i].value) == f.p[i].len);
		CHECK(inside(&f, f.p[i].value, f.p[i].len));
		CHECK(utf8_valid(f.p[i].value, f.p[i].len));
		/* Decoding never makes text longer. */
		CHECK(len + f.p[i].len <= size);
		for (k = 0; k < i; k++)
			CHECK(strcmp(f.p[k].name, f.p[i].name) != 0);
		v = form_get(&f, f.p[i].name, &len2);
		CHECK(v == f.p[i].value && len2 == f.p[i].len);
		CHECK(form_get(&f, f.p[i].name, NULL) == v);
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		w = form_get(&f, names[i], &len);
		if (w != NULL)
			CHECK(strlen(w) == len);
	}
	form_clear(&f);
	CHECK(f.n == 0 && f.buf == NULL);
	form_clear(&f);			/* twice is harmless */
	return 0;
}
