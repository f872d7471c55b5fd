/*
 * application/x-www-form-urlencoded bodies and query strings (the POST
 * /token form, ?limit=&cursor=).  Names and values are percent-decoded
 * ('+' is a space) into one buffer owned by the form; a malformed escape,
 * a decoded NUL or invalid UTF-8, a repeated name, or more than
 * FORM_MAX_PAIRS pairs makes the whole input invalid.
 */
#ifndef IDENT_FORM_H
#define IDENT_FORM_H

#include <stddef.h>

#define FORM_MAX_PAIRS	16

struct form {
	size_t		 n;
	struct {
		const char	*name;
		const char	*value;
		size_t		 len;
	}		 p[FORM_MAX_PAIRS];
	char		*buf;
	size_t		 bufsz;
};

/* Parse s[0..len) into f.  Returns 0, or -1 (f is then empty). */
int		 form_parse(struct form *f, const char *s, size_t len);
/* The decoded value of name (NUL-terminated, *len set), or NULL. */
const char	*form_get(const struct form *f, const char *name, size_t *len);
/* Wipe (values may be passwords) and free; accepts an unparsed form. */
void		 form_clear(struct form *f);

#endif
