#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "html.h"
#include "jsonw.h"

#define MAX_TEMPLATES	16
#define MAX_NAME	32

struct html_tpl {
	char	*name;
	char	*text;
	size_t	 len;
};

struct html_set {
	struct html_tpl	 t[MAX_TEMPLATES];
	size_t		 n;
};

/* One {{...}} tag: its kind, name and where the text goes on after it. */
struct tag {
	char		 kind;		/* 0 value, '#', '^', '/', '>', '.' */
	char		 name[MAX_NAME + 1];
	const char	*after;
};

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

/* Parse the tag at p ("{{"...).  Returns 0, or -1 if malformed. */
static int
parse_tag(const char *p, const char *end, struct tag *t)
{
	const char	*q = p + 2;
	size_t		 n = 0;

	t->kind = 0;
	if (q < end && (*q == '#' || *q == '^' || *q == '/' || *q == '>'))
		t->kind = *q++;
	if (t->kind == 0 && q < end && *q == '.') {
		t->kind = '.';
		q++;
	} else {
		while (q < end && name_char(*q) && n < MAX_NAME)
			t->name[n++] = *q++;
		if (n == 0)
			return -1;
	}
	t->name[n] = '\0';
	if (end - q < 2 || q[0] != '}' || q[1] != '}')
		return -1;
	if (t->kind == '>' && strcmp(t->name, "body") != 0)
		return -1;
	t->after = q + 2;
	return 0;
}

int
html_check(const char *text, size_t len, char *err, size_t errsz)
{
	const char	*p = text, *end = text + len, *o;
	char		 open[HTML_MAX_DEPTH][MAX_NAME + 1];
	int		 depth = 0;
	struct tag	 t;

	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errsz, "holds a NUL byte");
		return -1;
	}
	while ((o = memmem(p, (size_t)(end - p), "{{", 2)) != NULL) {
		if (parse_tag(o, end, &t) == -1) {
			snprintf(err, errsz, "malformed tag at byte %zu",
			    (size_t)(o - text));
			return -1;
		}
		if (t.kind == '#' || t.kind == '^') {
			if (depth == HTML_MAX_DEPTH) {
				snprintf(err, errsz, "sections nest too deep");
				return -1;
			}
			memcpy(open[depth++], t.name, sizeof(t.name));
		} else if (t.kind == '/') {
			if (depth == 0 || strcmp(open[depth - 1], t.name) != 0) {
				snprintf(err, errsz, "unmatched {{/%s}}", t.name);
				return -1;
			}
			depth--;
		} else if (t.kind == '.' && depth == 0) {
			snprintf(err, errsz, "{{.}} outside a section");
			return -1;
		}
		p = t.after;
	}
	if (depth != 0) {
		snprintf(err, errsz, "unclosed {{#%s}}", open[depth - 1]);
		return -1;
	}
	return 0;
}

void
html_escape(struct jsonw *out, const char *s)
{
	const char	*run = s;
	const char	*rep;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		jsonw_raw(out, run, (size_t)(s - run));
		jsonw_raw(out, rep, strlen(rep));
		run = s + 1;
	}
	jsonw_raw(out, run, (size_t)(s - run));
}

static const char *
var_first(const struct html_var *v, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0 && v[i].value != NULL &&
		    v[i].value[0] != '\0')
			return v[i].value;
	return NULL;
}

/* Where the section opened by a tag ending at p closes, and after it. */
static const char *
section_end(const char *p, const char *end, const char *name,
    const char **after)
{
	const char	*o;
	struct tag	 t;
	int		 depth = 0;

	while ((o = memmem(p, (size_t)(end - p), "{{", 2)) != NULL &&
	    parse_tag(o, end, &t) == 0) {
		if ((t.kind == '#' || t.kind == '^') && strcmp(t.name, name) == 0)
			depth++;
		else if (t.kind == '/' && strcmp(t.name, name) == 0 &&
		    depth-- == 0) {
			*after = t.after;
			return o;
		}
		p = t.after;
	}
	*after = end;
	return end;
}

static void
render(const char *p, const char *end, const struct html_var *v, size_t n,
    const char *item, const char *body, struct jsonw *out)
{
	const char	*o, *close, *after;
	const char	*val;
	struct tag	 t;
	size_t		 i;

	while ((o = memmem(p, (size_t)(end - p), "{{", 2)) != NULL &&
	    parse_tag(o, end, &t) == 0) {
		jsonw_raw(out, p, (size_t)(o - p));
		p = t.after;
		switch (t.kind) {
		case 0:
			if ((val = var_first(v, n, t.name)) != NULL)
				html_escape(out, val);
			break;
		case '.':
			if (item != NULL)
				html_escape(out, item);
			break;
		case '>':
			if (body != NULL)
				jsonw_raw(out, body, strlen(body));
			break;
		case '#':
		case '^':
			close = section_end(p, end, t.name, &after);
			if (t.kind == '^') {
				if (var_first(v, n, t.name) == NULL)
					render(p, close, v, n, item, body, out);
			} else
				for (i = 0; i < n; i++)
					if (strcmp(v[i].name, t.name) == 0 &&
					    v[i].value != NULL &&
					    v[i].value[0] != '\0')
						render(p, close, v, n,
						    v[i].value, body, out);
			p = after;
			break;
		default:	/* a stray close: html_check refuses those */
			break;
		}
	}
	jsonw_raw(out, p, (size_t)(end - p));
}

void
html_render_text(const char *text, size_t len, const struct html_var *vars,
    size_t n, const char *body, struct jsonw *out)
{
	render(text, text + len, vars, n, NULL, body, out);
}

int
html_render(const struct html_set *set, const char *name,
    const struct html_var *vars, size_t n, const char *body,
    struct jsonw *out)
{
	size_t	 i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->t[i].name, name) == 0) {
			html_render_text(set->t[i].text, set->t[i].len, vars,
			    n, body, out);
			return 0;
		}
	return -1;
}

static char *
read_file(const char *path, size_t *len, char *err, size_t errsz)
{
	struct stat	 st;
	char		*buf = NULL;
	ssize_t		 got;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errsz, "templates_dir: cannot read '%s': %s",
		    path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > HTML_MAX_TEMPLATE) {
		snprintf(err, errsz, "templates_dir: '%s' is not a file of at "
		    "most %d bytes", path, HTML_MAX_TEMPLATE);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errsz, "templates_dir: out of memory");
		goto out;
	}
	if ((got = read(fd, buf, (size_t)st.st_size)) != st.st_size) {
		snprintf(err, errsz, "templates_dir: short read of '%s'", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[got] = '\0';
	*len = (size_t)got;
out:
	if (fd != -1)
		close(fd);
	return buf;
}

struct html_set *
html_load(const char *dir, const char *const *names, size_t n, char *err,
    size_t errsz)
{
	struct html_set	*set;
	char		 path[4096], why[256];
	size_t		 i;

	if (n > MAX_TEMPLATES || (set = calloc(1, sizeof(*set))) == NULL) {
		snprintf(err, errsz, "templates_dir: out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		struct html_tpl	*t = &set->t[i];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((t->text = read_file(path, &t->len, err, errsz)) == NULL)
			goto fail;
		if ((t->name = strdup(names[i])) == NULL) {
			snprintf(err, errsz, "templates_dir: out of memory");
			free(t->text);
			goto fail;
		}
		set->n++;
		if (html_check(t->text, t->len, why, sizeof(why)) == -1) {
			snprintf(err, errsz, "templates_dir: '%s': %s", path, why);
			goto fail;
		}
	}
	return set;
fail:
	html_free(set);
	return NULL;
}

void
html_free(struct html_set *set)
{
	size_t	 i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		free(set->t[i].name);
		free(set->t[i].text);
	}
	free(set);
}
