/*
 * What an admin does to an account (role, disable, enable, delete), as
 * every route that does it needs it: common/users.c applies API.md's
 * role rules in one transaction; this adds what the request owes around
 * it: the audit row (success or denied, with the rule), the sessions a
 * disable revokes, and the detail of a refusal.
 */
#ifndef IDENT_ADMIN_OP_H
#define IDENT_ADMIN_OP_H

#include "ierr.h"
#include "users.h"

struct req;

/*
 * Apply *op to user id on behalf of the request's caller.  A toggle
 * comes back as the op it was.  On refusal returns the error with
 * r->detail set: 404 "User not found", 403 or 409 by the rule.
 */
enum ierr	admin_op_run(struct req *, const char *id,
		    enum users_admin_op *op);

#endif
