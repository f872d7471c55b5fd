#include "db.h"
#include "handlers.h"
#include "req.h"
#include "worker.h"

enum ierr
h_health(struct req *r)
{
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "status", "ok");
	jsonw_kv_str(&r->out, "service", "genesis-iam");
	jsonw_obj_close(&r->out);
	return IERR_OK;
}

enum ierr
h_health_ready(struct req *r)
{
	bool	 up = db_ping(r->w->db) == IERR_OK;

	r->status = up ? 200 : 503;
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "status", up ? "ok" : "unavailable");
	jsonw_kv_str(&r->out, "database", up ? "ok" : "unavailable");
	jsonw_obj_close(&r->out);
	return IERR_OK;
}
