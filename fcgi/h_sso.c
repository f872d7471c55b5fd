/*
 * Sign-in with outside identity providers, discovery only (API.md): the
 * original's later web client asks which providers there are and which
 * the caller has linked.  No provider is configured (federation is a
 * later capability), so the truthful answers are empty lists, and any
 * provider name is unknown.
 */
#include "handlers.h"
#include "req.h"

enum ierr
h_sso_providers(struct req *r)
{
	jsonw_obj_open(&r->out);
	jsonw_key(&r->out, "providers");
	jsonw_arr_open(&r->out);
	jsonw_arr_close(&r->out);
	jsonw_obj_close(&r->out);
	return IERR_OK;
}

enum ierr
h_sso_linked(struct req *r)
{
	jsonw_obj_open(&r->out);
	jsonw_key(&r->out, "linked_providers");
	jsonw_arr_open(&r->out);
	jsonw_arr_close(&r->out);
	jsonw_obj_close(&r->out);
	return IERR_OK;
}

enum ierr
h_sso_authorize(struct req *r)
{
	r->detail = "Invalid SSO provider";
	return IERR_BAD_REQUEST;
}
