#include <stddef.h>

#include "audit.h"
#include "db.h"
#include "jsonw.h"
#include "log.h"

void
audit_log_line(const struct audit_event *a, bool stored)
{
	struct log_field f[] = {
		LF_STR(LK_EVENT_NAME, a->event),
		LF_STR(LK_OUTCOME, a->outcome),
		LF_STR(LK_UID, a->user_id != NULL ? a->user_id : ""),
		LF_STR(LK_CLIENT, a->client != NULL ? a->client : ""),
		LF_STR(LK_SID, a->session_id != NULL ? a->session_id : ""),
		LF_STR(LK_REASON, a->reason != NULL ? a->reason : ""),
		LF_STR(LK_ACTOR, a->actor_id != NULL ? a->actor_id : ""),
		LF_STR(LK_CLIENT_ID, a->client_id != NULL ? a->client_id : ""),
		LF_NUM(LK_STORED, stored),
	};

	log_event(LOG_LVL_INFO, "audit", LOG_FIELDS(f));
}

enum ierr
audit_write(struct db *db, const struct audit_event *a)
{
	static const char	 sql[] = "INSERT INTO audit_log (at, event, "
	    "outcome, user_id, client_address, session_id, details) VALUES "
	    "(UTC_TIMESTAMP(3), ?, ?, ?, LEFT(?, 45), ?, ?)";
	struct jsonw		 d;
	const char		*details;
	enum ierr		 e;

	jsonw_init(&d);
	jsonw_obj_open(&d);
	if (a->reason != NULL)
		jsonw_kv_str(&d, "reason", a->reason);
	if (a->actor_id != NULL)
		jsonw_kv_str(&d, "actor", a->actor_id);
	if (a->client_id != NULL)
		jsonw_kv_str(&d, "client_id", a->client_id);
	jsonw_obj_close(&d);
	details = jsonw_text(&d);
	{
		struct db_param	 p[] = {
			DBP_CSTR(a->event), DBP_CSTR(a->outcome),
			DBP_CSTR(a->user_id),
			DBP_CSTR(a->client != NULL ? a->client : ""),
			DBP_CSTR(a->session_id), DBP_CSTR(details),
		};

		e = db_exec(db, sql, p, 6, NULL);
	}
	jsonw_clear(&d);
	audit_log_line(a, e == IERR_OK);
	return e;
}
