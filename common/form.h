/*
 * application/x-www-form-urlencoded bodies and query strings (the POST
 * /token form, ?limit=&cursor=).  Names and values are percent-decoded
 * ('+' is a space) into one buffer owned by the form; a malformed escape,
 * a decoded NUL or invalid UTF-8, a repeated name, or more than
 * FORM_MAX_PAIRS pairs makes the whole input invalid.
 */
#ifndef IDENT_FORM_H
#define IDENT_FORM_H

#include <stdbool.h>
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
	bool		 repeated;	/* form_parse_repeats saw a name again */
};

/* Parse s[0..len) into f.  Returns 0, or -1 (f is then empty). */
int		 form_parse(struct form *f, const char *s, size_t len);
/*
 * As form_parse, but a repeated name is not an error: its first value
 * is kept and f->repeated is set (OAuth 2.0's authorization request must
 * find client_id and redirect_uri before it may answer a repetition).
 * Repeated pairs still count toward FORM_MAX_PAIRS.
 */
int		 form_parse_repeats(struct form *f, const char *s, size_t len);
/* The decoded value of name (NUL-terminated, *len set), or NULL. */
const char	*form_get(const struct form *f, const char *name, size_t *len);
/* Wipe (values may be passwords) and free; accepts an unparsed form. */
void		 form_clear(struct form *f);

#endif
