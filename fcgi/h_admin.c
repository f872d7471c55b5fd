/*
 * Admin routes: role, disable/enable, unlock.  The role rules of API.md
 * are users_admin's (through admin_op.c).
 */
#include <string.h>

#include "admin_op.h"
#include "bounds.h"
#include "handlers.h"
#include "json.h"
#include "ratelimit.h"
#include "req.h"
#include "sessions.h"
#include "users.h"
#include "view.h"
#include "worker.h"

/* Run op on {id} and answer with the user as it is afterwards. */
static enum ierr
admin_apply(struct req *r, enum users_admin_op op)
{
	struct user	 u;
	enum ierr	 e;

	if ((e = admin_op_run(r, r->target, &op)) != IERR_OK)
		return e;
	if ((e = users_get(r->w->db, r->target, &u)) == IERR_NOT_FOUND)
		r->detail = "User not found";	/* deleted meanwhile */
	if (e != IERR_OK)
		return e;
	view_user(&r->out, &u);
	return IERR_OK;
}

enum ierr
h_admin_role(struct req *r)
{
	static const struct {
		const char		*name;
		enum users_admin_op	 op;
	} roles[] = {
		{ "user", USERS_MAKE_USER },
		{ "admin", USERS_MAKE_ADMIN },
		{ "root", USERS_MAKE_ROOT },
	};
	struct jstr	 role;
	size_t		 i;

	json_get_str(r->json, "role", 16, false, &role, &r->errs);
	json_require(&role, "role", &r->errs);
	for (i = 0; role.s != NULL && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(role.s, roles[i].name) == 0)
			break;
	if (role.s != NULL && i == sizeof(roles) / sizeof(roles[0]))
		verr_add(&r->errs, "body", "role", "Input should be 'user', "
		    "'admin' or 'root'", "enum");
	if (r->errs.n > 0)
		return IERR_INVALID;
	return admin_apply(r, roles[i].op);
}

/* With no body at all it toggles, as the original's console does. */
enum ierr
h_admin_disable(struct req *r)
{
	struct jbool	 disabled;

	if (r->json == NULL)
		return admin_apply(r, USERS_TOGGLE);
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
