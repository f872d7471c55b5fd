/*
 * Validation errors of one request body, written as FastAPI's 422 list:
 * {"detail":[{"loc":["body","<field>"],"msg":"...","type":"..."}]}.
 * Messages and types are our own literals; the list keeps references.
 */
#ifndef IDENT_VERR_H
#define IDENT_VERR_H

#include <stddef.h>

#include "jsonw.h"

#define VERR_MAX	16

struct verr {
	const char	*where;	/* "body", "query" */
	const char	*field;	/* NULL: the body as a whole */
	const char	*msg;
	const char	*type;
};

struct verrs {
	size_t		 n;
	struct verr	 e[VERR_MAX];
};

/* Record one error; past VERR_MAX the rest are dropped. */
void	verr_add(struct verrs *, const char *where, const char *field,
	    const char *msg, const char *type);
/* Write {"detail":[...]} to w. */
void	verr_write(const struct verrs *, struct jsonw *w);

#endif
