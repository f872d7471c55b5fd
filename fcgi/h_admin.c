/*
 * Admin routes: role, disable/enable, unlock.  Each keeps one active
 * admin (users_admin refuses with 409 otherwise).
 */
#include <string.h>

#include "bounds.h"
#include "handlers.h"
#include "json.h"
#include "ratelimit.h"
#include "req.h"
#include "sessions.h"
#include "users.h"
#include "view.h"
#include "worker.h"

static const char *const op_event[] = {
	[USERS_MAKE_ADMIN] = "role_change",
	[USERS_MAKE_USER] = "role_change",
	[USERS_DISABLE] = "disable",
	[USERS_ENABLE] = "enable",
	[USERS_DELETE] = "user_delete",
};

static const char *const op_reason[] = {
	[USERS_MAKE_ADMIN] = "admin",
	[USERS_MAKE_USER] = "user",
	[USERS_DISABLE] = "sessions_revoked",
	[USERS_ENABLE] = NULL,
	[USERS_DELETE] = NULL,
};

/* Run op on {id} and answer with the user as it is afterwards. */
static enum ierr
admin_apply(struct req *r, enum users_admin_op op)
{
	struct user	 u;
	enum ierr	 e;

	if (!uuid_syntax_ok(r->target, strlen(r->target)))
		e = IERR_NOT_FOUND;
	else
		e = users_admin(r->w->db, r->target, op);
	if (e == IERR_OK && op == USERS_DISABLE)
		e = sessions_revoke_user(r->w->db, r->target, NULL, "disabled",
		    NULL);
	if (e == IERR_OK)
		(void)req_audit(r, op_event[op], "success", r->target, NULL,
		    op_reason[op]);
	if (e == IERR_CONFLICT)
		(void)req_audit(r, op_event[op], "denied", r->target, NULL,
		    "last_admin");
	if (e == IERR_OK)
		e = users_get(r->w->db, r->target, &u);
	if (e == IERR_NOT_FOUND)
		r->detail = "User not found";
	if (e == IERR_CONFLICT)
		r->detail = "Cannot remove the last active admin";
	if (e != IERR_OK)
		return e;
	view_user(&r->out, &u);
	return IERR_OK;
}

enum ierr
h_admin_role(struct req *r)
{
	struct jstr	 role;

	json_get_str(r->json, "role", 16, false, &role, &r->errs);
	json_require(&role, "role", &r->errs);
	if (role.s != NULL && strcmp(role.s, "admin") != 0 &&
	    strcmp(role.s, "user") != 0)
		verr_add(&r->errs, "body", "role", "Input should be 'admin' or "
		    "'user'", "enum");
	if (r->errs.n > 0)
		return IERR_INVALID;
	return admin_apply(r, strcmp(role.s, "admin") == 0 ?
	    USERS_MAKE_ADMIN : USERS_MAKE_USER);
}

enum ierr
h_admin_disable(struct req *r)
{
	struct jbool	 disabled;

	json_get_bool(r->json, "disabled", &disabled, &r->errs);
	if (!disabled.present && r->errs.n == 0)
		verr_add(&r->errs, "body", "disabled", "Field required",
		    "missing");
	if (r->errs.n > 0)
		return IERR_INVALID;
	return admin_apply(r, disabled.v ? USERS_DISABLE : USERS_ENABLE);
}

/* The pairs of every address at once (ratelimit.h: the epoch). */
static void
unlock_pairs(struct req *r, const char *uid)
{
	lockout_unlock_all(r->w->shm, uid, strlen(uid));
}

enum ierr
h_admin_unlock(struct req *r)
{
	struct user	 u;
	enum ierr	 e;

	if (!uuid_syntax_ok(r->target, strlen(r->target)) ||
	    (e = users_get(r->w->db, r->target, &u)) == IERR_NOT_FOUND) {
		r->detail = "User not found";
		return IERR_NOT_FOUND;
	}
	if (e != IERR_OK || (e = users_unlock(r->w->db, u.id)) != IERR_OK)
		return e;
	unlock_pairs(r, u.id);
	(void)req_audit(r, "unlock", "success", u.id, NULL, NULL);
	req_message(r, "Account unlocked");
	return IERR_OK;
}
