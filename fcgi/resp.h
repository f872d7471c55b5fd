/*
 * The end of every request: the only place an enum ierr becomes an HTTP
 * status, a body and headers, and where the access line is logged.
 */
#ifndef IDENT_RESP_H
#define IDENT_RESP_H

#include "ierr.h"

struct req;

void		 resp_finish(struct req *, enum ierr);
/* The name of an ierr for logs ("IERR_NOT_FOUND" -> "not_found"). */
const char	*resp_ierr_name(enum ierr);

#endif
