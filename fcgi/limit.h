/*
 * The limit stage: per client address (FastCGI REMOTE_ADDR, never a
 * forwarded header), a bucket for every route and a tighter one for the
 * routes that may hash a password or mint tokens.  It runs before the
 * body is read and before any database work or hashing.
 */
#ifndef IDENT_LIMIT_H
#define IDENT_LIMIT_H

#include "ierr.h"

struct req;

enum ierr	limit_check(struct req *);

#endif
