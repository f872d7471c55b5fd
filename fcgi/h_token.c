/*
 * Login, refresh, validation, logout and the JWKS: the token routes.
 */
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "form.h"
#include "handlers.h"
#include "jwt.h"
#include "login.h"
#include "metrics.h"
#include "req.h"
#include "sessions.h"
#include "worker.h"

static enum ierr
password_grant(struct req *r, const struct form *f)
{
	struct login_user	 u;
	struct refresh_token	 rt;
	char			 sid[37];
	const char		*name, *pw, *method;
	size_t			 namelen, pwlen;
	enum ierr		 e;

	name = form_get(f, "username", &namelen);
	pw = form_get(f, "password", &pwlen);
	if (name == NULL)
		verr_add(&r->errs, "body", "username", "Field required", "missing");
	if (pw == NULL)
		verr_add(&r->errs, "body", "password", "Field required", "missing");
	if (r->errs.n > 0)
		return IERR_INVALID;
	if ((e = login_check(r, name, namelen, pw, pwlen, &u)) != IERR_OK ||
	    (e = login_second_factor(r, &u, f, &method)) != IERR_OK)
		return e;
	if ((e = login_start_session(r, &u, method, NULL, sid,
	    &rt)) == IERR_OK)
		e = login_write_pair(r, u.id, u.username, u.role, sid, method,
		    &rt);
	refresh_clear(&rt);
	return e;
}

/* The refresh token of a request: Authorization: Bearer, else the form. */
static enum ierr
presented_refresh(struct req *r, const struct form *f, const char **tok,
    size_t *len)
{
	enum ierr	 e;

	if ((e = auth_bearer(r, tok, len)) != IERR_OK)
		return e;
	if (*tok == NULL && f != NULL)
		*tok = form_get(f, "refresh_token", len);
	if (*tok == NULL) {
		r->detail = "Not authenticated";
		return IERR_UNAUTHENTICATED;
	}
	return IERR_OK;
}

static enum ierr
invalid_refresh(struct req *r)
{
	r->detail = "Invalid refresh token";
	return IERR_UNAUTHENTICATED;
}

static enum ierr
refresh_grant(struct req *r, const struct form *f)
{
	const struct config	*cfg = r->w->cfg;
	struct session_ref	 s;
	struct refresh_token	 rt;
	uint8_t			 hash[SHA256_LEN];
	const char		*tok;
	size_t			 len;
	bool			 won;
	enum ierr		 e;

	if ((e = presented_refresh(r, f, &tok, &len)) != IERR_OK)
		return e;
	if (len != REFRESH_LEN || memcmp(tok, "rt_", 3) != 0)
		return invalid_refresh(r);
	crypto_sha256(tok, len, hash);
	if ((e = sessions_find_refresh(r->w->db, hash, &s)) == IERR_NOT_FOUND)
		return invalid_refresh(r);
	if (e != IERR_OK)
		return e;
	/* A client's refresh token is good only at /oauth/token, for it. */
	if (!s.active || s.client_id[0] != '\0')
		return invalid_refresh(r);
	if (!s.is_current) {
		/*
		 * A retired token again: stolen, or a client that lost a race
		 * with itself (several tabs); the grace covers only the latter.
		 */
		if (s.is_previous &&
		    s.since_rotation < cfg->refresh_reuse_grace_seconds)
			return invalid_refresh(r);
		if ((e = sessions_revoke(r->w->db, s.id, "replay")) != IERR_OK)
			return e;
		(void)req_audit(r, "refresh_replay", "denied", s.user_id, s.id,
		    "session_revoked");
		metrics_inc(r->w, M_REFRESH_REPLAY);
		r->detail = "Refresh token has been rotated. Session revoked "
		    "for security.";
		return IERR_UNAUTHENTICATED;
	}
	if (s.user_disabled) {
		(void)sessions_revoke(r->w->db, s.id, "user_disabled");
		return invalid_refresh(r);
	}
	if (refresh_new(&rt) == -1)
		return IERR_INTERNAL;
	if ((e = sessions_rotate(r->w->db, s.id, s.generation, rt.hash,
	    r->client, cfg->refresh_token_ttl, &won)) != IERR_OK)
		goto out;
	if (!won) {		/* a concurrent refresh got there first */
		e = invalid_refresh(r);
		goto out;
	}
	{
		/* Its row came with the rotation (sessions_rotate). */
		struct audit_event	 a = { .event = "token_refresh",
		    .outcome = "success", .user_id = s.user_id,
		    .client = r->client, .session_id = s.id };

		audit_log_line(&a, true);
	}
	/* The new access token says how the session's login was made. */
	e = login_write_pair(r, s.user_id, s.username, s.role, s.id,
	    s.login_method, &rt);
out:
	refresh_clear(&rt);
	return e;
}

static enum ierr
parse_form(struct req *r, struct form *f)
{
	if (form_parse(f, r->body != NULL ? r->body : "", r->bodylen) == -1) {
		verr_add(&r->errs, "body", NULL, "Malformed form body "
		    "(bad escape, repeated field, or invalid UTF-8)",
		    "value_error");
		return IERR_INVALID;
	}
	return IERR_OK;
}

enum ierr
h_token(struct req *r)
{
	struct form	 f;
	const char	*grant;
	enum ierr	 e;

	if ((e = parse_form(r, &f)) != IERR_OK)
		return e;
	grant = form_get(&f, "grant_type", NULL);
	if (grant == NULL || strcmp(grant, "password") == 0)
		e = password_grant(r, &f);
	else if (strcmp(grant, "refresh_token") == 0)
		e = refresh_grant(r, &f);
	else {
		/* RFC 6749 §5.2's shape, as API.md asks. */
		r->status = 400;
		jsonw_obj_open(&r->out);
		jsonw_kv_str(&r->out, "error", "unsupported_grant_type");
		jsonw_obj_close(&r->out);
		e = IERR_OK;
	}
	form_clear(&f);
	return e;
}

enum ierr
h_refresh(struct req *r)
{
	struct form	 f;
	enum ierr	 e;

	if ((e = parse_form(r, &f)) != IERR_OK)
		return e;
	e = refresh_grant(r, &f);
	form_clear(&f);
	return e;
}

enum ierr
h_validate(struct req *r)
{
	const struct principal	*p = &r->who;

	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "user_id", p->uid[0] != '\0' ? p->uid : NULL);
	jsonw_kv_str(&r->out, "username", p->uid[0] != '\0' ? p->username :
	    NULL);
	/* A relying party's token says whose it is (docs/OIDC.md). */
	if (p->client_id[0] != '\0') {
		jsonw_kv_str(&r->out, "client_id", p->client_id);
		jsonw_kv_str(&r->out, "scope", p->scope);
	}
	jsonw_obj_close(&r->out);
	return IERR_OK;
}

enum ierr
h_logout(struct req *r)
{
	enum ierr	 e;

	if ((e = sessions_revoke(r->w->db, r->who.sid, "logout")) != IERR_OK)
		return e;
	(void)req_audit(r, "logout", "success", r->who.uid, r->who.sid, NULL);
	req_message(r, "Logged out");
	return IERR_OK;
}

enum ierr
h_jwks(struct req *r)
{
	jwt_keys_jwks(r->w->keys, &r->out);
	r->cache_control = "public, max-age=300";
	return IERR_OK;
}
