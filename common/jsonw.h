/*
 * A growable byte buffer and a small JSON writer on top of it.  Output
 * never goes through json-c: writing is simple, and this keeps json-c in
 * json.c (input) only.  Callers write keys and values in order; the
 * writer adds commas.  On allocation failure the buffer is marked failed
 * and every later call is a no-op, so callers check once, at the end.
 */
#ifndef IDENT_JSONW_H
#define IDENT_JSONW_H

#include <stdbool.h>
#include <stddef.h>

#define JSONW_MAX_DEPTH	16

struct jsonw {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	bool	 failed;
	int	 depth;
	bool	 need_comma[JSONW_MAX_DEPTH];
	bool	 after_key;
};

void	jsonw_init(struct jsonw *);
void	jsonw_clear(struct jsonw *);	/* frees the buffer; accepts NULL */
/* Returns the NUL-terminated text, or NULL if any step failed. */
const char *jsonw_text(struct jsonw *);

void	jsonw_raw(struct jsonw *, const char *, size_t);
void	jsonw_obj_open(struct jsonw *);
void	jsonw_obj_close(struct jsonw *);
void	jsonw_arr_open(struct jsonw *);
void	jsonw_arr_close(struct jsonw *);
void	jsonw_key(struct jsonw *, const char *key);
void	jsonw_str(struct jsonw *, const char *s);
void	jsonw_strn(struct jsonw *, const char *s, size_t len);
void	jsonw_str_or_null(struct jsonw *, const char *s);	/* NULL -> null */
void	jsonw_int(struct jsonw *, long long);
void	jsonw_bool(struct jsonw *, bool);
void	jsonw_null(struct jsonw *);

/* Shorthands for one member. */
void	jsonw_kv_str(struct jsonw *, const char *key, const char *s);
void	jsonw_kv_int(struct jsonw *, const char *key, long long);
void	jsonw_kv_bool(struct jsonw *, const char *key, bool);

#endif
