/*
 * libFuzzer harness for common/html.c, the hosted pages' template
 * renderer (SECURITY.md C-T24: every value escaped for its context).
 *
 * The input is a template.  If html_check accepts it, it is rendered
 * twice with the same names bound: once to the harmless "a", once to
 * markup.  Sections behave alike (both values are non-empty), so if
 * every value is escaped, the two outputs hold exactly as many <, >, "
 * and ' characters: none of them may come from a value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "jsonw.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"fuzz_html: check failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

static size_t
count(const char *s, char c)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

static void
render(const char *t, size_t len, const char *value, struct jsonw *out)
{
	struct html_var	 v[] = {
		{ "a", value }, { "b", value }, { "list", value },
		{ "list", value }, { "error", value }, { "absent", NULL },
	};

	jsonw_init(out);
	html_render_text(t, len, v, sizeof(v) / sizeof(v[0]), "<p>body</p>",
	    out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*t = (const char *)data;
	struct jsonw	 plain, hostile;
	const char	*p, *h;
	char		 err[128];

	if (html_check(t, size, err, sizeof(err)) != 0)
		return 0;
	render(t, size, "a", &plain);
	render(t, size, "<script>\"x'</script>&amp;", &hostile);
	p = jsonw_text(&plain);
	h = jsonw_text(&hostile);
	CHECK(p != NULL && h != NULL);
	CHECK(count(p, '<') == count(h, '<'));
	CHECK(count(p, '>') == count(h, '>'));
	CHECK(count(p, '"') == count(h, '"'));
	CHECK(count(p, '\'') == count(h, '\''));
	jsonw_clear(&plain);
	jsonw_clear(&hostile);
	return 0;
}
