/*
 * Discovery, UserInfo, RP-initiated logout and the users' own grants
 * (docs/OIDC.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "auth.h"
#include "clients.h"
#include "config.h"
#include "cookie.h"
#include "crypto.h"
#include "csrf.h"
#include "db.h"
#include "form.h"
#include "handlers.h"
#include "jwt.h"
#include "jwt_memo.h"
#include "oauth.h"
#include "oidc_tokens.h"
#include "op.h"
#include "page.h"
#include "req.h"
#include "sessions.h"
#include "userinfo.h"
#include "worker.h"

static void
kv_url(struct jsonw *w, const char *key, const char *iss, const char *path)
{
	char	 url[1024];

	snprintf(url, sizeof(url), "%s%s", iss, path);
	jsonw_kv_str(w, key, url);
}

static void
str_array(struct jsonw *w, const char *key, const char *const *v, size_t n)
{
	size_t	 i;

	jsonw_key(w, key);
	jsonw_arr_open(w);
	for (i = 0; i < n; i++)
		jsonw_str(w, v[i]);
	jsonw_arr_close(w);
}

#define ARRAY(w, key, ...) do {						\
	static const char *const v_[] = { __VA_ARGS__ };		\
	str_array((w), (key), v_, sizeof(v_) / sizeof(v_[0]));		\
} while (0)

/* One document for both well-known names (OpenID Discovery, RFC 8414). */
enum ierr
h_discovery(struct req *r)
{
	const char	*iss = r->w->cfg->jwt_issuer;
	struct jsonw	*w = &r->out;

	jsonw_obj_open(w);
	jsonw_kv_str(w, "issuer", iss);
	kv_url(w, "authorization_endpoint", iss, "/oauth/authorize");
	kv_url(w, "token_endpoint", iss, "/oauth/token");
	kv_url(w, "userinfo_endpoint", iss, "/oauth/userinfo");
	kv_url(w, "jwks_uri", iss, "/.well-known/jwks.json");
	kv_url(w, "end_session_endpoint", iss, "/oauth/logout");
	kv_url(w, "revocation_endpoint", iss, "/oauth/revoke");
	kv_url(w, "introspection_endpoint", iss, "/oauth/introspect");
	ARRAY(w, "scopes_supported", "openid", "profile", "email",
	    "offline_access");
	ARRAY(w, "response_types_supported", "code");
	ARRAY(w, "response_modes_supported", "query");
	ARRAY(w, "grant_types_supported", "authorization_code",
	    "refresh_token", "client_credentials");
	ARRAY(w, "subject_types_supported", "public");
	ARRAY(w, "id_token_signing_alg_values_supported", "RS256");
	ARRAY(w, "token_endpoint_auth_methods_supported",
	    "client_secret_basic", "client_secret_post", "none");
	ARRAY(w, "revocation_endpoint_auth_methods_supported",
	    "client_secret_basic", "client_secret_post", "none");
	ARRAY(w, "introspection_endpoint_auth_methods_supported",
	    "client_secret_basic", "client_secret_post", "none");
	ARRAY(w, "code_challenge_methods_supported", "S256");
	ARRAY(w, "prompt_values_supported", "none", "login", "consent");
	ARRAY(w, "claims_supported", "iss", "sub", "aud", "exp", "iat",
	    "auth_time", "nonce", "at_hash", "sid", "amr", "email",
	    "email_verified", "name", "given_name", "family_name", "nickname",
	    "preferred_username", "picture", "birthdate", "locale",
	    "zoneinfo", "updated_at");
	jsonw_kv_bool(w, "claims_parameter_supported", false);
	jsonw_kv_bool(w, "request_parameter_supported", false);
	jsonw_kv_bool(w, "request_uri_parameter_supported", false);
	jsonw_kv_bool(w, "authorization_response_iss_parameter_supported", true);
	jsonw_kv_bool(w, "frontchannel_logout_supported", false);
	jsonw_kv_bool(w, "backchannel_logout_supported", false);
	jsonw_obj_close(w);
	r->cache_control = "public, max-age=300";
	return IERR_OK;
}

/* RFC 6750 §3: the Bearer challenge of UserInfo. */
static enum ierr
bearer_error(struct req *r, int status, const char *error)
{
	char	 h[128];

	if (error == NULL)
		snprintf(h, sizeof(h), "Bearer realm=\"genesis\"");
	else
		snprintf(h, sizeof(h), "Bearer realm=\"genesis\", error=\"%s\"",
		    error);
	req_add_header(r, "WWW-Authenticate", h);
	jsonw_clear(&r->out);
	jsonw_init(&r->out);
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "error", error != NULL ? error :
	    "invalid_request");
	jsonw_kv_str(&r->out, "error_description", error == NULL ?
	    "no access token" : strcmp(error, "insufficient_scope") == 0 ?
	    "the token has no openid scope" : "the token is not valid");
	jsonw_obj_close(&r->out);
	r->status = status;
	return IERR_OK;
}

/*
 * The live session's user of an access token c, with the claims its
 * scope asks for (none beyond sub: validation's lighter query); NULL and
 * *e on failure.
 */
static struct userinfo *
token_user(struct req *r, const struct jwt_claims *c, enum ierr *e)
{
	struct userinfo		*ui;
	struct principal	 p;

	if ((ui = calloc(1, sizeof(*ui))) == NULL) {
		*e = IERR_INTERNAL;
		return NULL;
	}
	if (oidc_scope_has_claims(c->scope))
		*e = userinfo_get(r->w->db, c->sid, c->sub, ui);
	else if ((*e = sessions_principal(r->w->db, c->sid, c->sub, &p)) ==
	    IERR_OK)
		ui->disabled = p.disabled;
	if (*e == IERR_OK && ui->disabled)
		*e = IERR_NOT_FOUND;
	if (*e != IERR_OK) {
		free(ui);
		return NULL;
	}
	return ui;
}

enum ierr
h_userinfo(struct req *r)
{
	struct jwt_claims	 c;
	struct userinfo		*ui;
	struct form		 f;
	const char		*tok = NULL;
	size_t			 len = 0;
	enum ierr		 e;

	memset(&f, 0, sizeof(f));
	if (auth_bearer(r, &tok, &len) != IERR_OK) {
		r->detail = NULL;
		return bearer_error(r, 401, "invalid_token");
	}
	/* RFC 6750 §2.2: or in a form body. */
	if (tok == NULL && r->body != NULL && r->bodylen > 0 &&
	    form_parse(&f, r->body, r->bodylen) == 0)
		tok = form_get(&f, "access_token", &len);
	if (tok == NULL) {
		form_clear(&f);
		return bearer_error(r, 401, NULL);
	}
	e = jwt_memo_verify(r->w->verified, tok, len, (long long)time(NULL), &c);
	form_clear(&f);
	if (e != IERR_OK || c.sid[0] == '\0')
		return bearer_error(r, 401, "invalid_token");
	if ((ui = token_user(r, &c, &e)) == NULL)
		return e == IERR_NOT_FOUND ?
		    bearer_error(r, 401, "invalid_token") : e;
	if (!op_has_word(c.scope, "openid"))
		e = bearer_error(r, 403, "insufficient_scope");
	else {
		jsonw_obj_open(&r->out);
		oidc_claims(&r->out, c.sub, c.scope, ui);
		jsonw_obj_close(&r->out);
	}
	free(ui);
	return e;
}

/* The logout request's parameters: its query, or its form. */
struct logout_in {
	struct form	 f;
	const char	*hint, *client_id, *post_uri, *state, *csrf;
	size_t		 hintlen, csrflen;
};

static int
logout_parse(struct req *r, struct logout_in *in)
{
	bool	 post = strcmp(r->method, "POST") == 0;

	memset(in, 0, sizeof(*in));
	if (form_parse(&in->f, post ? (r->body != NULL ? r->body : "") :
	    r->query, post ? r->bodylen : strlen(r->query)) == -1)
		return -1;
	in->hint = form_get(&in->f, "id_token_hint", &in->hintlen);
	in->client_id = form_get(&in->f, "client_id", NULL);
	in->post_uri = form_get(&in->f, "post_logout_redirect_uri", NULL);
	in->state = form_get(&in->f, "state", NULL);
	in->csrf = form_get(&in->f, "csrf", &in->csrflen);
	return 0;
}

/*
 * Where to send the browser after logging out: the registered
 * post_logout_redirect_uri of the client (from the hint or client_id),
 * with state; NULL for our own page.
 */
static char *
logout_target(struct req *r, const struct logout_in *in, const char *aud)
{
	struct client	*c;
	struct jsonw	 w;
	const char	*cid = aud != NULL ? aud : in->client_id;
	char		*loc = NULL;
	bool		 first = true;

	if (in->post_uri == NULL || cid == NULL ||
	    !uuid_syntax_ok(cid, strlen(cid)) ||
	    (in->client_id != NULL && aud != NULL &&
	    strcmp(in->client_id, aud) != 0) ||
	    (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (clients_get(r->w->db, cid, c) == IERR_OK && c->is_active &&
	    clients_list_has(c->post_logout_redirect_uris, '\n', in->post_uri,
	    strlen(in->post_uri))) {
		jsonw_init(&w);
		jsonw_raw(&w, in->post_uri, strlen(in->post_uri));
		if (in->state != NULL && in->state[0] != '\0') {
			jsonw_raw(&w, strchr(in->post_uri, '?') != NULL ? "&" :
			    "?", 1);
			op_query_add(&w, &first, "state", in->state);
		}
		if (jsonw_text(&w) != NULL)
			loc = strdup(w.buf);
		jsonw_clear(&w);
	}
	free(c);
	return loc;
}

/* End the browser's session (and its clients' sessions with it). */
static enum ierr
end_browser(struct req *r, const struct browser_session *bs)
{
	enum ierr	 e;

	e = sessions_revoke_family(r->w->db, bs->id, "logout");
	if (e == IERR_OK)
		(void)req_audit(r, "logout", "success", bs->user_id, bs->id,
		    "op_session");
	cookie_clear(r, COOKIE_SESSION);
	return e;
}

static enum ierr
signed_out(struct req *r, const struct logout_in *in, const char *aud)
{
	char		*loc = logout_target(r, in, aud);
	enum ierr	 e;

	if (loc == NULL)
		return page_show(r, 200, "signed_out.html", "Signed out", NULL,
		    0);
	e = page_redirect(r, strcmp(r->method, "POST") == 0 ? 303 : 302, loc);
	free(loc);
	return e;
}

enum ierr
h_logout_page(struct req *r)
{
	struct logout_in	 in;
	struct browser_session	 bs;
	struct jwt_id_hint	 hint;
	char			 cookie[COOKIE_VALUE_LEN + 1];
	char			 csrf[CSRF_LEN + 1];
	uint8_t			 hash[SHA256_LEN];
	bool			 have, hint_ok;
	enum ierr		 e;

	if (logout_parse(r, &in) == -1)
		return page_error(r, 400, "Something went wrong",
		    "The sign-out request is malformed.");
	have = cookie_get(r, COOKIE_SESSION, cookie, hash) &&
	    (e = sessions_find_browser(r->w->db, hash, &bs)) == IERR_OK;
	hint_ok = in.hint != NULL && jwt_verify_id_hint(r->w->keys, in.hint,
	    in.hintlen, r->w->cfg->jwt_issuer, &hint) == IERR_OK;
	/* A hint of another user's session does not end this one. */
	if (have && hint_ok && strcmp(hint.sub, bs.user_id) != 0)
		hint_ok = false;
	if (!have) {
		e = signed_out(r, &in, hint_ok ? hint.aud : NULL);
		goto out;
	}
	if (hint_ok || (strcmp(r->method, "POST") == 0 &&
	    csrf_browser_ok(r, cookie, in.csrf, in.csrflen))) {
		if ((e = end_browser(r, &bs)) == IERR_OK)
			e = signed_out(r, &in, hint_ok ? hint.aud : NULL);
		goto out;
	}
	if (strcmp(r->method, "POST") == 0) {
		(void)req_audit(r, "csrf", "denied", bs.user_id, bs.id,
		    "bad_csrf_token");
		e = page_error(r, 400, "This form has expired",
		    "The sign-out form was not sent from this page. Try again.");
		goto out;
	}
	csrf_for_browser(r, cookie, csrf);
	{
		struct html_var	 v[] = {
			{ "csrf", csrf }, { "client_id", in.client_id },
			{ "post_logout_redirect_uri", in.post_uri },
			{ "state", in.state },
		};

		e = page_show(r, 200, "logout.html", "Sign out", v, 4);
	}
out:
	crypto_wipe(cookie, sizeof(cookie));
	form_clear(&in.f);
	return e;
}

static int
grant_row(void *arg, const struct oauth_grant_view *g)
{
	struct jsonw	*w = arg;

	jsonw_obj_open(w);
	jsonw_kv_str(w, "client_id", g->client_id);
	jsonw_kv_str(w, "client_name", g->client_name);
	jsonw_kv_str(w, "scope", g->scope);
	jsonw_kv_str(w, "created_at", g->created_at);
	jsonw_kv_str(w, "updated_at", g->updated_at);
	jsonw_obj_close(w);
	return 0;
}

enum ierr
h_grants_list(struct req *r)
{
	enum ierr	 e;

	jsonw_obj_open(&r->out);
	jsonw_key(&r->out, "grants");
	jsonw_arr_open(&r->out);
	if ((e = oauth_grants_list(r->w->db, r->who.uid, grant_row,
	    &r->out)) != IERR_OK)
		return e;
	jsonw_arr_close(&r->out);
	jsonw_obj_close(&r->out);
	return IERR_OK;
}

enum ierr
h_grants_revoke(struct req *r)
{
	bool		 found = false;
	enum ierr	 e;

	if (!uuid_syntax_ok(r->target, strlen(r->target))) {
		r->detail = "Grant not found";
		return IERR_NOT_FOUND;
	}
	if ((e = db_begin(r->w->db)) != IERR_OK)
		return e;
	if ((e = oauth_grant_delete(r->w->db, r->who.uid, r->target,
	    &found)) != IERR_OK || !found ||
	    (e = sessions_revoke_client(r->w->db, r->who.uid, r->target,
	    "grant_revoked")) != IERR_OK ||
	    (e = req_audit(r, "consent_revoked", "success", r->who.uid, NULL,
	    r->target)) != IERR_OK || (e = db_commit(r->w->db)) != IERR_OK) {
		db_rollback(r->w->db);
		if (e == IERR_OK) {
			r->detail = "Grant not found";
			e = IERR_NOT_FOUND;
		}
		return e;
	}
	req_message(r, "Grant revoked");
	return IERR_OK;
}
