/*
 * The admin console of the original's later web client (API.md "Admin
 * console"): its login, its figures, its paged and searchable list of
 * users, a user's detail and the delete.  The password login is
 * login.c's, with one more check (the role) before the session starts.
 */
#include <stdio.h>
#include <string.h>

#include "admin_op.h"
#include "bounds.h"
#include "form.h"
#include "handlers.h"
#include "login.h"
#include "profiles.h"
#include "req.h"
#include "sessions.h"
#include "users.h"
#include "view.h"
#include "worker.h"

#define PER_PAGE_DEFAULT	20
#define PER_PAGE_MAX		100
#define CONSOLE_MAX_ROWS	10000	/* page * per_page reaches no further */

static bool
is_privileged(const char *role)
{
	return strcmp(role, "admin") == 0 || strcmp(role, "root") == 0;
}

enum ierr
h_console_login(struct req *r)
{
	struct form		 f;
	struct login_user	 u;
	struct refresh_token	 rt;
	char			 sid[37];
	const char		*name, *pw;
	const char		*method;
	size_t			 namelen, pwlen;
	enum ierr		 e;

	if (form_parse(&f, r->body != NULL ? r->body : "", r->bodylen) == -1) {
		verr_add(&r->errs, "body", NULL, "Malformed form body "
		    "(bad escape, repeated field, or invalid UTF-8)",
		    "value_error");
		return IERR_INVALID;
	}
	name = form_get(&f, "username", &namelen);
	pw = form_get(&f, "password", &pwlen);
	if (name == NULL)
		verr_add(&r->errs, "body", "username", "Field required", "missing");
	if (pw == NULL)
		verr_add(&r->errs, "body", "password", "Field required", "missing");
	if (r->errs.n > 0) {
		e = IERR_INVALID;
		goto out;
	}
	if ((e = login_check(r, name, namelen, pw, pwlen, &u)) != IERR_OK)
		goto out;
	/*
	 * The password was right: a plain user is refused, and that is no
	 * failed guess (it counts toward no lockout).
	 */
	if (!is_privileged(u.role)) {
		(void)req_audit(r, "admin_login", "denied", u.id, NULL,
		    "not_admin");
		r->detail = "Admin access required";
		e = IERR_FORBIDDEN;
		goto out;
	}
	/* The second factor, as at POST /token (SECURITY.md C-T25). */
	if ((e = login_second_factor(r, &u, &f, &method)) != IERR_OK)
		goto out;
	if ((e = login_start_session(r, &u, method, "admin_login", sid,
	    &rt)) == IERR_OK)
		e = login_write_pair(r, u.id, u.username, u.role, sid, method,
		    &rt);
	refresh_clear(&rt);
out:
	form_clear(&f);
	return e;
}

enum ierr
h_console_analytics(struct req *r)
{
	struct user_totals	 t;
	enum ierr		 e;

	if ((e = users_totals(r->w->db, true, &t)) != IERR_OK)
		return e;
	jsonw_obj_open(&r->out);
	jsonw_kv_int(&r->out, "total_users", t.total);
	jsonw_kv_int(&r->out, "active_users", t.active);
	jsonw_kv_int(&r->out, "native_count", t.native);
	jsonw_kv_int(&r->out, "sso_count", t.total - t.native);
	jsonw_key(&r->out, "provider_breakdown");
	jsonw_obj_open(&r->out);
	jsonw_kv_int(&r->out, "native", t.native);
	jsonw_obj_close(&r->out);
	jsonw_kv_int(&r->out, "new_this_week", t.new_this_week);
	jsonw_kv_int(&r->out, "admin_count", t.privileged);
	jsonw_obj_close(&r->out);
	return IERR_OK;
}

struct console_query {
	uint64_t	 page, per_page;
	const char	*search;	/* NULL: every user */
	size_t		 searchlen;
};

/* page, per_page, search of the query string; 422 with loc ["query", ...]. */
static enum ierr
console_query(struct req *r, struct form *q, struct console_query *cq)
{
	const char	*v;
	uint64_t	 max_page;

	cq->page = 1;
	cq->per_page = PER_PAGE_DEFAULT;
	cq->search = NULL;
	cq->searchlen = 0;
	if (form_parse(q, r->query, strlen(r->query)) == -1) {
		verr_add(&r->errs, "query", NULL, "Malformed query string",
		    "value_error");
		return IERR_INVALID;
	}
	if ((v = form_get(q, "per_page", NULL)) != NULL &&
	    parse_u64(v, 1, PER_PAGE_MAX, &cq->per_page) == -1)
		verr_add(&r->errs, "query", "per_page", "Input should be an "
		    "integer from 1 to 100", "int_range");
	max_page = CONSOLE_MAX_ROWS / cq->per_page;
	/* verr keeps the message's pointer: a constant, not a buffer. */
	if ((v = form_get(q, "page", NULL)) != NULL &&
	    parse_u64(v, 1, max_page, &cq->page) == -1)
		verr_add(&r->errs, "query", "page", "Input should be an integer "
		    "from 1 to 10000 / per_page", "int_range");
	if ((v = form_get(q, "search", &cq->searchlen)) != NULL &&
	    cq->searchlen > MAX_EMAIL_BYTES)
		verr_add(&r->errs, "query", "search", "String should have at "
		    "most 255 characters", "string_too_long");
	else if (v != NULL && cq->searchlen > 0)
		cq->search = v;
	return r->errs.n == 0 ? IERR_OK : IERR_INVALID;
}

static int
write_console_user(void *arg, const struct user *u)
{
	view_user(arg, u);
	return 0;
}

enum ierr
h_console_users(struct req *r)
{
	struct console_query	 cq;
	struct form		 q;
	long long		 total = 0;
	enum ierr		 e;

	if ((e = console_query(r, &q, &cq)) != IERR_OK)
		goto out;
	jsonw_obj_open(&r->out);
	jsonw_key(&r->out, "users");
	jsonw_arr_open(&r->out);
	if ((e = users_console_page(r->w->db, cq.search, cq.searchlen,
	    (unsigned)((cq.page - 1) * cq.per_page), (unsigned)cq.per_page,
	    write_console_user, &r->out, &total)) != IERR_OK)
		goto out;
	jsonw_arr_close(&r->out);
	jsonw_kv_int(&r->out, "total", total);
	jsonw_kv_int(&r->out, "page", (long long)cq.page);
	jsonw_kv_int(&r->out, "per_page", (long long)cq.per_page);
	jsonw_kv_int(&r->out, "total_pages",
	    (total + (long long)cq.per_page - 1) / (long long)cq.per_page);
	jsonw_obj_close(&r->out);
out:
	form_clear(&q);
	return e;
}

static enum ierr
user_not_found(struct req *r)
{
	r->detail = "User not found";
	return IERR_NOT_FOUND;
}

enum ierr
h_console_user(struct req *r)
{
	struct user	 u;
	struct profile	 p;
	long long	 sessions = 0;
	bool		 has_profile;
	enum ierr	 e;

	if (!uuid_syntax_ok(r->target, strlen(r->target)))
		return user_not_found(r);
	if ((e = users_get(r->w->db, r->target, &u)) == IERR_NOT_FOUND)
		return user_not_found(r);
	if (e != IERR_OK)
		return e;
	if ((e = profiles_get(r->w->db, u.id, &p)) != IERR_OK &&
	    e != IERR_NOT_FOUND)
		return e;
	has_profile = e == IERR_OK;
	if ((e = sessions_count_active(r->w->db, u.id, &sessions)) != IERR_OK)
		return e;
	jsonw_obj_open(&r->out);
	view_user_members(&r->out, &u);
	jsonw_key(&r->out, "profile");
	if (has_profile)
		view_profile(&r->out, &p);
	else
		jsonw_null(&r->out);
	jsonw_kv_int(&r->out, "sessions_count", sessions);
	jsonw_obj_close(&r->out);
	return IERR_OK;
}

enum ierr
h_console_delete(struct req *r)
{
	enum users_admin_op	 op = USERS_DELETE;
	enum ierr		 e;

	if ((e = admin_op_run(r, r->target, &op)) != IERR_OK)
		return e;
	req_message(r, "User deleted");
	return IERR_OK;
}
