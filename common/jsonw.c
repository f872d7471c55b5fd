#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

void
jsonw_init(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
}

void
jsonw_clear(struct jsonw *w)
{
	if (w == NULL)
		return;
	free(w->buf);
	jsonw_init(w);
}

void
jsonw_raw(struct jsonw *w, const char *s, size_t n)
{
	size_t	 ncap;
	char	*nbuf;

	if (w->failed)
		return;
	if (n >= w->cap - w->len || w->buf == NULL) {
		ncap = w->cap == 0 ? 512 : w->cap;
		while (ncap - w->len <= n) {
			if (ncap > (size_t)1 << 30) {
				w->failed = true;
				return;
			}
			ncap *= 2;
		}
		if ((nbuf = realloc(w->buf, ncap)) == NULL) {
			w->failed = true;
			return;
		}
		w->buf = nbuf;
		w->cap = ncap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

const char *
jsonw_text(struct jsonw *w)
{
	if (w->failed)
		return NULL;
	if (w->buf == NULL)
		jsonw_raw(w, "", 0);
	return w->failed ? NULL : w->buf;
}

/* A value is about to be written: separate it from its predecessor. */
static void
value_start(struct jsonw *w)
{
	if (w->after_key) {		/* the value of a member: no comma */
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (w->need_comma[w->depth - 1])
			jsonw_raw(w, ",", 1);
		w->need_comma[w->depth - 1] = true;
	}
}

static void
open_container(struct jsonw *w, const char *c)
{
	value_start(w);
	jsonw_raw(w, c, 1);
	if (w->depth >= JSONW_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	w->need_comma[w->depth++] = false;
}

static void
close_container(struct jsonw *w, const char *c)
{
	if (w->depth > 0)
		w->depth--;
	jsonw_raw(w, c, 1);
}

void jsonw_obj_open(struct jsonw *w) { open_container(w, "{"); }
void jsonw_obj_close(struct jsonw *w) { close_container(w, "}"); }
void jsonw_arr_open(struct jsonw *w) { open_container(w, "["); }
void jsonw_arr_close(struct jsonw *w) { close_container(w, "]"); }

static void
escaped(struct jsonw *w, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	char			 u[6] = { '\\', 'u', '0', '0', 0, 0 };
	size_t			 i, run = 0;
	unsigned char		 c;

	jsonw_raw(w, "\"", 1);
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		jsonw_raw(w, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':  jsonw_raw(w, "\\\"", 2); break;
		case '\\': jsonw_raw(w, "\\\\", 2); break;
		case '\n': jsonw_raw(w, "\\n", 2); break;
		case '\r': jsonw_raw(w, "\\r", 2); break;
		case '\t': jsonw_raw(w, "\\t", 2); break;
		default:
			u[4] = hex[c >> 4];
			u[5] = hex[c & 0xf];
			jsonw_raw(w, u, sizeof(u));
		}
	}
	jsonw_raw(w, s + run, n - run);
	jsonw_raw(w, "\"", 1);
}

void
jsonw_key(struct jsonw *w, const char *key)
{
	value_start(w);
	escaped(w, key, strlen(key));
	jsonw_raw(w, ":", 1);
	w->after_key = true;
}

void jsonw_strn(struct jsonw *w, const char *s, size_t n) { value_start(w); escaped(w, s, n); }
void jsonw_str(struct jsonw *w, const char *s) { jsonw_strn(w, s, strlen(s)); }
void jsonw_null(struct jsonw *w) { value_start(w); jsonw_raw(w, "null", 4); }
void jsonw_bool(struct jsonw *w, bool b) { value_start(w); b ? jsonw_raw(w, "true", 4) : jsonw_raw(w, "false", 5); }

void
jsonw_str_or_null(struct jsonw *w, const char *s)
{
	if (s == NULL)
		jsonw_null(w);
	else
		jsonw_str(w, s);
}

void
jsonw_int(struct jsonw *w, long long v)
{
	char	 num[32];
	int	 n;

	value_start(w);
	n = snprintf(num, sizeof(num), "%lld", v);
	jsonw_raw(w, num, (size_t)n);
}

void jsonw_kv_str(struct jsonw *w, const char *k, const char *s) { jsonw_key(w, k); jsonw_str_or_null(w, s); }
void jsonw_kv_int(struct jsonw *w, const char *k, long long v) { jsonw_key(w, k); jsonw_int(w, v); }
void jsonw_kv_bool(struct jsonw *w, const char *k, bool b) { jsonw_key(w, k); jsonw_bool(w, b); }
