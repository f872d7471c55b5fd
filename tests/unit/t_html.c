#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "jsonw.h"
#include "tap.h"

static const struct html_var vars[] = {
	{ "name", "<script>alert(\"x\")</script>&'" },
	{ "plain", "Ada" },
	{ "item", "one" }, { "item", "<two>" }, { "item", "" },
	{ "empty", "" }, { "nothing", NULL },
};

/* Render t with vars (body for {{>body}}); the caller frees. */
static char *
render(const char *t, const char *body)
{
	struct jsonw	 w;
	char		*s;

	jsonw_init(&w);
	html_render_text(t, strlen(t), vars, sizeof(vars) / sizeof(vars[0]),
	    body, &w);
	s = strdup(jsonw_text(&w));
	jsonw_clear(&w);
	return s;
}

int
main(void)
{
	static const struct {
		int		 line;
		const char	*tpl;
		const char	*want;
	} r[] = {
		{ __LINE__, "<p>{{plain}}</p>", "<p>Ada</p>" },
		{ __LINE__, "<p>{{name}}</p>", "<p>&lt;script&gt;alert(&quot;x"
		    "&quot;)&lt;/script&gt;&amp;&#39;</p>" },
		{ __LINE__, "<a title=\"{{name}}\">", "<a title=\"&lt;script&gt;"
		    "alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;\">" },
		{ __LINE__, "[{{nothing}}][{{empty}}][{{unknown}}]", "[][][]" },
		{ __LINE__, "{{#item}}<li>{{.}}</li>{{/item}}",
		    "<li>one</li><li>&lt;two&gt;</li>" },
		{ __LINE__, "{{#plain}}yes {{plain}}{{/plain}}{{^plain}}no"
		    "{{/plain}}", "yes Ada" },
		{ __LINE__, "{{#empty}}shown{{/empty}}{{^empty}}hidden{{/empty}}",
		    "hidden" },
		{ __LINE__, "{{^nothing}}{{#item}}{{.}},{{/item}}{{/nothing}}",
		    "one,&lt;two&gt;," },
		{ __LINE__, "<main>{{>body}}</main>", "<main><b>raw</b></main>" },
		{ __LINE__, "{ not a tag } {{", NULL },
	};
	static const char *const bad[] = {
		"{{", "{{}}", "{{ name }}", "{{#a}}", "{{/a}}", "{{#a}}{{/b}}",
		"{{.}}", "{{>other}}", "{{Name}}", "{{#a}}{{#b}}{{#c}}{{#d}}"
		"{{#e}}{{/e}}{{/d}}{{/c}}{{/b}}{{/a}}", "x{{name",
	};
	char		 err[128];
	size_t		 i;
	char		*out;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		if (r[i].want == NULL) {
			ok(html_check(r[i].tpl, strlen(r[i].tpl), err,
			    sizeof(err)) == -1, "row %d refused", r[i].line);
			continue;
		}
		ok(html_check(r[i].tpl, strlen(r[i].tpl), err,
		    sizeof(err)) == 0, "row %d accepted", r[i].line);
		out = render(r[i].tpl, "<b>raw</b>");
		ok(strcmp(out, r[i].want) == 0, "row %d renders: %s",
		    r[i].line, out);
		free(out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(html_check(bad[i], strlen(bad[i]), err, sizeof(err)) == -1,
		    "malformed template %zu refused (%s)", i, err);
	ok(html_check("a\0b", 3, err, sizeof(err)) == -1, "a NUL byte refused");
	return done();
}
