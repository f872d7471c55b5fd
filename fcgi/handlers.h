/*
 * Route handlers, one h_<name>.c per group.  Each fills r->out (and
 * r->status if not 200) and returns IERR_OK, or returns the error for
 * resp_finish to answer.
 */
#ifndef IDENT_HANDLERS_H
#define IDENT_HANDLERS_H

#include "ierr.h"

struct req;

enum ierr	h_health(struct req *);
enum ierr	h_health_ready(struct req *);
enum ierr	h_users_create(struct req *);

#endif
