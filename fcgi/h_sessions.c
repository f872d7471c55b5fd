/*
 * The caller's own sessions: list, revoke one, revoke the others.
 */
#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "handlers.h"
#include "req.h"
#include "sessions.h"
#include "worker.h"

static int
write_session(void *arg, const struct session_view *v)
{
	struct req	*r = arg;

	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "id", v->id);
	jsonw_kv_str(&r->out, "ip_address", v->ip_address);
	jsonw_kv_str(&r->out, "device_name",
	    v->device_name[0] == '\0' ? NULL : v->device_name);
	jsonw_kv_str(&r->out, "login_method", v->login_method);
	jsonw_kv_str(&r->out, "created_at", v->created_at);
	jsonw_kv_str(&r->out, "last_activity_at", v->last_activity_at);
	jsonw_kv_bool(&r->out, "is_current", strcmp(v->id, r->who.sid) == 0);
	jsonw_obj_close(&r->out);
	return 0;
}

enum ierr
h_sessions_list(struct req *r)
{
	size_t		 total = 0;
	enum ierr	 e;

	jsonw_obj_open(&r->out);
	jsonw_key(&r->out, "sessions");
	jsonw_arr_open(&r->out);
	if ((e = sessions_list(r->w->db, r->who.uid, write_session, r,
	    &total)) != IERR_OK)
		return e;
	jsonw_arr_close(&r->out);
	jsonw_kv_int(&r->out, "total", (long long)total);
	jsonw_obj_close(&r->out);
	return IERR_OK;
}

enum ierr
h_sessions_revoke_one(struct req *r)
{
	char		 sid[37];
	bool		 found = false;
	enum ierr	 e;
	size_t		 i;

	if (r->params.v[0].len != UUID_LEN ||
	    !uuid_syntax_ok(r->params.v[0].s, UUID_LEN)) {
		r->detail = "Session not found";
		return IERR_NOT_FOUND;
	}
	for (i = 0; i < UUID_LEN; i++)
		sid[i] = (char)(r->params.v[0].s[i] | 0x20);	/* lowercase */
	sid[UUID_LEN] = '\0';
	/* Another user's session is "not found" too: no probing of ids. */
	if ((e = sessions_revoke_own(r->w->db, r->who.uid, sid, &found)) != IERR_OK)
		return e;
	if (!found) {
		r->detail = "Session not found";
		return IERR_NOT_FOUND;
	}
	(void)req_audit(r, "session_revoke", "success", r->who.uid, sid, NULL);
	req_message(r, "Session revoked");
	return IERR_OK;
}

enum ierr
h_sessions_revoke_others(struct req *r)
{
	unsigned long long	 n = 0;
	char			 text[64];
	enum ierr		 e;

	if ((e = sessions_revoke_user(r->w->db, r->who.uid, r->who.sid,
	    "revoked", &n)) != IERR_OK)
		return e;
	(void)req_audit(r, "session_revoke", "success", r->who.uid, r->who.sid,
	    "all_others");
	snprintf(text, sizeof(text), "Revoked %llu other session(s)", n);
	req_message(r, text);
	return IERR_OK;
}
