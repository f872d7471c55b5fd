#include <string.h>

#include "admin_op.h"
#include "bounds.h"
#include "req.h"
#include "sessions.h"
#include "users.h"
#include "worker.h"

static const char *const op_event[USERS_OP__MAX] = {
	[USERS_MAKE_ADMIN] = "role_change",
	[USERS_MAKE_USER] = "role_change",
	[USERS_MAKE_ROOT] = "role_change",
	[USERS_DISABLE] = "disable",
	[USERS_ENABLE] = "enable",
	[USERS_TOGGLE] = "disable",
	[USERS_DELETE] = "user_delete",
};

static const char *const op_reason[USERS_OP__MAX] = {
	[USERS_MAKE_ADMIN] = "admin",
	[USERS_MAKE_USER] = "user",
	[USERS_MAKE_ROOT] = "root",
	[USERS_DISABLE] = "sessions_revoked",
};

static const char *const denial_reason[] = {
	[USERS_DENY_NONE] = NULL,
	[USERS_DENY_ACTOR] = "not_admin",
	[USERS_DENY_RANK] = "root_required",
	[USERS_DENY_OWN_ROLE] = "own_role",
	[USERS_DENY_LAST_ROOT] = "last_root",
	[USERS_DENY_LAST_ADMIN] = "last_admin",
};

static const char *
denial_detail(enum users_denial why, enum users_admin_op op)
{
	switch (why) {
	case USERS_DENY_OWN_ROLE:
		return "Cannot change your own role";
	case USERS_DENY_LAST_ROOT:
		/* API.md keeps the original's words for a delete. */
		return op == USERS_DELETE ? "Cannot delete ROOT user" :
		    "Cannot remove the last active root";
	case USERS_DENY_LAST_ADMIN:
		return op == USERS_DELETE ? "Cannot delete the last active "
		    "admin" : "Cannot remove the last active admin";
	case USERS_DENY_NONE:
	case USERS_DENY_ACTOR:
	case USERS_DENY_RANK:
		break;
	}
	return "Not enough permissions";
}

enum ierr
admin_op_run(struct req *r, const char *id, enum users_admin_op *op)
{
	enum users_denial	 why = USERS_DENY_NONE;
	enum ierr		 e;

	if (!uuid_syntax_ok(id, strlen(id)))
		e = IERR_NOT_FOUND;
	else
		e = users_admin(r->w->db, r->authenticated ? r->who.uid : NULL,
		    id, op, &why);
	if (e == IERR_OK && *op == USERS_DISABLE)
		e = sessions_revoke_user(r->w->db, id, NULL, "disabled", NULL);
	if (e == IERR_OK)
		(void)req_audit(r, op_event[*op], "success", id, NULL,
		    op_reason[*op]);
	else if (why != USERS_DENY_NONE) {
		(void)req_audit(r, op_event[*op], "denied", id, NULL,
		    denial_reason[why]);
		r->detail = denial_detail(why, *op);
	} else if (e == IERR_NOT_FOUND)
		r->detail = "User not found";
	return e;
}
