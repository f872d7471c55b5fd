/*
 * The hosted pages' templates (STYLE.md §12): HTML files loaded and
 * checked once at start, rendered with every value escaped.
 *
 * Syntax, all of it:
 *   {{name}}            the value of name, HTML-escaped (& < > " '), so
 *                       it is inert in text and in quoted attributes
 *   {{#name}}..{{/name}} the part once per non-empty value of name (a
 *                       name given several times is a list), where
 *                       {{.}} is that value, escaped
 *   {{^name}}..{{/name}} the part when name has no non-empty value
 *   {{>body}}           the rendered page inside the layout: the one
 *                       way to emit markup unescaped, and it only takes
 *                       what html_render made of our own templates
 * Names are [a-z_]; sections nest up to HTML_MAX_DEPTH deep.
 */
#ifndef IDENT_HTML_H
#define IDENT_HTML_H

#include <stddef.h>

struct jsonw;
struct html_set;

#define HTML_MAX_DEPTH		4
#define HTML_MAX_TEMPLATE	(64 * 1024)

struct html_var {
	const char	*name;
	const char	*value;		/* NULL or "": absent */
};

/*
 * Load dir/NAME.html for each of names[0..n) (and nothing else).  A
 * missing, unreadable, over-long or malformed template is an error:
 * NULL with a one-line reason naming the file in err.
 */
struct html_set	*html_load(const char *dir, const char *const *names,
		    size_t n, char *err, size_t errsz);
void		 html_free(struct html_set *);

/*
 * Check a template's text; 0, or -1 with the reason in err.  (html_load
 * runs it on every file; the fuzz harness on anything.)
 */
int		 html_check(const char *text, size_t len, char *err,
		    size_t errsz);

/*
 * Render text[0..len) with vars[0..n) into out; body is what {{>body}}
 * stands for (NULL: nothing).  The text must have passed html_check.
 */
void		 html_render_text(const char *text, size_t len,
		    const struct html_var *vars, size_t n, const char *body,
		    struct jsonw *out);

/* Render template name of the set.  Returns 0, or -1 if there is none. */
int		 html_render(const struct html_set *, const char *name,
		    const struct html_var *vars, size_t n, const char *body,
		    struct jsonw *out);

/* Append s escaped for HTML text and quoted attributes. */
void		 html_escape(struct jsonw *out, const char *s);

#endif
