/*
 * The token endpoint of the OpenID Provider, revocation (RFC 7009) and
 * introspection (RFC 7662): the routes a client calls with its own
 * credentials (docs/OIDC.md "Token endpoint", "Logout, revocation,
 * introspection").  Every answer is JSON; errors are RFC 6749 §5.2's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "b64.h"
#include "clients.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "form.h"
#include "handlers.h"
#include "jwt.h"
#include "jwt_memo.h"
#include "login.h"
#include "oauth.h"
#include "oidc_tokens.h"
#include "op.h"
#include "req.h"
#include "sessions.h"
#include "worker.h"

/* An RFC 6749 §5.2 error, as the success of the handler. */
static enum ierr
oauth_error(struct req *r, int status, const char *error, const char *desc)
{
	jsonw_clear(&r->out);
	jsonw_init(&r->out);
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "error", error);
	jsonw_kv_str(&r->out, "error_description", desc);
	jsonw_obj_close(&r->out);
	r->status = status;
	req_add_header(r, "Pragma", "no-cache");
	return IERR_OK;
}

static enum ierr
invalid_client(struct req *r, bool basic)
{
	if (basic)
		req_add_header(r, "WWW-Authenticate", "Basic realm=\"genesis\"");
	(void)req_audit(r, "client_auth", "failure", NULL, NULL, NULL);
	return oauth_error(r, 401, "invalid_client",
	    "client authentication failed");
}

/*
 * The id and secret of an Authorization: Basic header, each urldecoded
 * (RFC 6749 §2.3.1), into a form of two pairs "i" and "s".  Returns 0,
 * 1 when there is no Basic header, -1 when it is malformed.
 */
static int
basic_credentials(struct req *r, struct form *cred)
{
	const char	*h = req_param(r, "HTTP_AUTHORIZATION");
	char		 b64[512], dec[400], pairs[420];
	size_t		 n;
	long		 len;
	char		*colon;
	int		 rc = -1;

	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		return 1;
	h += 6;
	n = strlen(h);
	/* Padding is allowed here; b64.c's strict decoder takes none. */
	while (n > 0 && h[n - 1] == '=')
		n--;
	if (n == 0 || n >= sizeof(b64))
		return -1;
	memcpy(b64, h, n);
	if ((len = b64_decode(B64_STD, b64, n, (uint8_t *)dec,
	    sizeof(dec) - 1)) <= 0)
		goto out;
	dec[len] = '\0';
	if (memchr(dec, '\0', (size_t)len) != NULL ||
	    (colon = strchr(dec, ':')) == NULL)
		goto out;
	*colon = '\0';
	if (strchr(dec, '&') != NULL || strchr(colon + 1, '&') != NULL ||
	    strchr(dec, '=') != NULL || strchr(colon + 1, '=') != NULL)
		goto out;
	snprintf(pairs, sizeof(pairs), "i=%s&s=%s", dec, colon + 1);
	rc = form_parse(cred, pairs, strlen(pairs)) == 0 ? 0 : -1;
	crypto_wipe(pairs, sizeof(pairs));
out:
	crypto_wipe(dec, sizeof(dec));
	return rc;
}

/*
 * What a presented token is, for revocation and introspection: a
 * refresh token's session, or an access token's claims.  Only tokens of
 * the calling client count; found false otherwise.  An access token is
 * verified before the client is authenticated, so that the client's row
 * and the token's session are read in one statement (session_read).
 */
struct token_info {
	bool			 found;
	bool			 refresh;
	bool			 active;
	bool			 verified;	/* signature and exp checked */
	bool			 session_read;
	bool			 session_live;
	struct jwt_claims	 claims;
	struct session_ref	 s;
};

/* Client id, and with t its token's session if the token is the client's. */
static enum ierr
client_get(struct req *r, const char *id, struct client *c,
    struct token_info *t)
{
	enum ierr	 e;

	if (t == NULL || !t->verified || t->claims.sid[0] == '\0' ||
	    strcmp(t->claims.client_id, id) != 0)
		return clients_get(r->w->db, id, c);
	e = clients_get_with_session(r->w->db, id, t->claims.sid,
	    t->claims.sub, c, &t->session_live);
	t->session_read = e == IERR_OK;
	return e;
}

/*
 * Client authentication (docs/OIDC.md): one method per request, and one
 * the client is registered for.  IERR_OK with *c; otherwise the answer
 * is written (401 invalid_client, or 400 invalid_request) and *done set.
 * With t (introspection, revocation), the session of t's verified
 * access token, if it is the client's, is read along with the client.
 */
static enum ierr
authenticate_client(struct req *r, const struct form *f, struct client *c,
    struct token_info *t, bool *done)
{
	struct form	 cred;
	const char	*id, *secret, *method;
	size_t		 idlen = 0, slen = 0;
	int		 basic;
	enum ierr	 e;

	*done = true;
	memset(&cred, 0, sizeof(cred));
	if ((basic = basic_credentials(r, &cred)) == -1)
		return invalid_client(r, true);
	if (basic == 0) {
		if (form_get(f, "client_secret", NULL) != NULL) {
			form_clear(&cred);
			return oauth_error(r, 400, "invalid_request",
			    "use one client authentication method");
		}
		id = form_get(&cred, "i", &idlen);
		secret = form_get(&cred, "s", &slen);
		method = "client_secret_basic";
	} else {
		id = form_get(f, "client_id", &idlen);
		secret = form_get(f, "client_secret", &slen);
		method = secret != NULL ? "client_secret_post" : "none";
	}
	e = IERR_OK;
	if (id == NULL || !uuid_syntax_ok(id, idlen) ||
	    (e = client_get(r, id, c, t)) != IERR_OK || !c->is_active) {
		form_clear(&cred);
		if (e != IERR_OK && e != IERR_NOT_FOUND)
			return e;
		return invalid_client(r, basic == 0);
	}
	if (basic == 0 && form_get(f, "client_id", NULL) != NULL &&
	    strcmp(form_get(f, "client_id", NULL), c->id) != 0) {
		form_clear(&cred);
		return invalid_client(r, true);
	}
	if (c->is_public ? strcmp(method, "none") != 0 :
	    (strcmp(method, "none") == 0 || (c->auth_method[0] != '\0' &&
	    strcmp(c->auth_method, method) != 0) ||
	    !clients_secret_ok(c, r->w->client_mac, secret, slen))) {
		form_clear(&cred);
		return invalid_client(r, basic == 0);
	}
	form_clear(&cred);
	r->audit_client = c->id;
	*done = false;
	return IERR_OK;
}

/* The answer of a successful grant (docs/OIDC.md "Response"). */
static enum ierr
token_answer(struct req *r, const struct client *c,
    const struct oidc_subject *s, const char *nonce,
    const struct refresh_token *rt)
{
	char		*at, *idt = NULL;
	enum ierr	 e = IERR_INTERNAL;

	if ((at = oidc_access_token(r, c, s)) == NULL)
		return IERR_INTERNAL;
	if (s->uid != NULL && op_has_word(s->scope, "openid") &&
	    (idt = oidc_id_token(r, c, s, at, nonce)) == NULL)
		goto out;
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "access_token", at);
	jsonw_kv_str(&r->out, "token_type", "Bearer");
	jsonw_kv_int(&r->out, "expires_in", r->w->cfg->access_token_ttl);
	jsonw_kv_str(&r->out, "scope", s->scope);
	if (idt != NULL)
		jsonw_kv_str(&r->out, "id_token", idt);
	if (rt != NULL)
		jsonw_kv_str(&r->out, "refresh_token", rt->text);
	jsonw_obj_close(&r->out);
	req_add_header(r, "Pragma", "no-cache");
	e = IERR_OK;
out:
	if (idt != NULL)
		crypto_wipe(idt, strlen(idt));
	crypto_wipe(at, strlen(at));
	free(idt);
	free(at);
	return e;
}

/* RFC 7636 §4.6: BASE64URL(SHA256(verifier)) == challenge. */
static bool
verifier_ok(const char *challenge, const char *v, size_t len)
{
	uint8_t	 h[SHA256_LEN];
	char	 enc[B64_ENCODED_SIZE(SHA256_LEN)];
	size_t	 i;

	if (v == NULL || len < 43 || len > 128)
		return false;
	for (i = 0; i < len; i++)
		if (!((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= 'a' &&
		    v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') ||
		    v[i] == '-' || v[i] == '.' || v[i] == '_' || v[i] == '~'))
			return false;
	crypto_sha256(v, len, h);
	b64_encode(B64_URL, h, sizeof(h), enc);
	return strlen(challenge) == 43 && crypto_equal(enc, challenge, 43);
}

/* Does the consumed code c fit this request?  NULL, or why not. */
static const char *
code_mismatch(const struct oauth_code *code, const struct client *c,
    const struct form *f)
{
	size_t		 ulen = 0, vlen = 0;
	const char	*uri = form_get(f, "redirect_uri", &ulen);
	const char	*v = form_get(f, "code_verifier", &vlen);

	if (code->expired)
		return "the code has expired";
	if (strcmp(code->client_id, c->id) != 0)
		return "the code was issued to another client";
	if (uri == NULL || strcmp(uri, code->redirect_uri) != 0)
		return "redirect_uri differs from the authorization request's";
	if (code->code_challenge[0] == '\0')
		return v != NULL ? "code_verifier for a code issued without "
		    "a challenge" : NULL;
	if (!verifier_ok(code->code_challenge, v, vlen))
		return "code_verifier does not match the challenge";
	return NULL;
}

/* The client's session of a redeemed code, with its refresh token. */
static enum ierr
client_session(struct req *r, const struct oauth_code *code,
    const char *sid, const struct refresh_token *rt)
{
	const struct config	*cfg = r->w->cfg;
	struct session_new	 s;

	memset(&s, 0, sizeof(s));
	s.id = sid;
	s.user_id = code->user_id;
	s.hash = rt->hash;
	s.ip = r->client;
	s.method = "authorization_code";
	s.ttl = cfg->refresh_token_ttl;
	s.max_lifetime = cfg->session_max_lifetime;
	s.kind = "client";
	s.auth_time = code->auth_time;
	s.amr = code->amr;
	s.client_id = code->client_id;
	s.parent_id = code->session_id;
	s.scope = code->scope;
	return sessions_create(r->w->db, &s);
}

static enum ierr
code_grant(struct req *r, const struct form *f, const struct client *c)
{
	struct oauth_code	 code;
	struct refresh_token	 rt;
	struct principal	 p;
	struct oidc_subject	 s;
	uint8_t			 hash[SHA256_LEN];
	char			 sid[37];
	const char		*text, *why;
	size_t			 len = 0;
	bool			 first, refresh;
	enum ierr		 e;

	if ((text = form_get(f, "code", &len)) == NULL || len == 0 || len > 256)
		return oauth_error(r, 400, "invalid_request", "code is missing");
	crypto_sha256(text, len, hash);
	if (crypto_uuid4(sid) == -1 || refresh_new(&rt) == -1)
		return IERR_INTERNAL;
	/* Consumed even when a later check fails (docs/OIDC.md). */
	if ((e = db_begin(r->w->db)) != IERR_OK)
		goto out;
	e = oauth_code_consume(r->w->db, hash, sid, &code, &first);
	if (e == IERR_NOT_FOUND) {
		db_rollback(r->w->db);
		e = oauth_error(r, 400, "invalid_grant", "unknown code");
		goto out;
	}
	if (e == IERR_OK && !first) {
		/* A replay: whatever the code issued is revoked (C-T20). */
		if (code.issued_session_id[0] != '\0')
			e = sessions_revoke_family(r->w->db,
			    code.issued_session_id, "code_replay");
		if (e == IERR_OK)
			e = req_audit(r, "code_replayed", "denied", code.user_id,
			    code.issued_session_id, "issued_session_revoked");
		if (e == IERR_OK && (e = db_commit(r->w->db)) == IERR_OK)
			e = oauth_error(r, 400, "invalid_grant",
			    "the code was used before");
		goto fail;
	}
	if (e != IERR_OK)
		goto fail;
	why = code_mismatch(&code, c, f);
	if (why == NULL && (e = sessions_principal(r->w->db, code.session_id,
	    code.user_id, &p)) != IERR_OK && e != IERR_NOT_FOUND)
		goto fail;
	if (why == NULL && (e == IERR_NOT_FOUND || p.disabled))
		why = "the user's session has ended";
	if (why != NULL) {
		if ((e = db_commit(r->w->db)) == IERR_OK)
			e = oauth_error(r, 400, "invalid_grant", why);
		goto out;
	}
	if ((e = client_session(r, &code, sid, &rt)) != IERR_OK ||
	    (e = req_audit(r, "token_issued", "success", code.user_id, sid,
	    "authorization_code")) != IERR_OK || (e = db_commit(r->w->db)) != IERR_OK)
		goto fail;
	refresh = op_has_word(code.scope, "offline_access") &&
	    op_has_word(c->grant_types, "refresh_token");
	s = (struct oidc_subject){ code.user_id, p.username, p.role, sid,
	    code.session_id, code.scope, code.amr, code.auth_time };
	e = token_answer(r, c, &s, code.nonce, refresh ? &rt : NULL);
	goto out;
fail:
	if (e != IERR_OK)
		db_rollback(r->w->db);
out:
	refresh_clear(&rt);
	crypto_wipe(&code, sizeof(code));
	return e;
}

static enum ierr
refresh_grant(struct req *r, const struct form *f, const struct client *c)
{
	const struct config	*cfg = r->w->cfg;
	struct session_ref	 s;
	struct refresh_token	 rt;
	struct oidc_subject	 sub;
	uint8_t			 hash[SHA256_LEN];
	char			 scope[256];
	const char		*tok, *want;
	size_t			 len = 0;
	bool			 won;
	enum ierr		 e;

	tok = form_get(f, "refresh_token", &len);
	if (tok == NULL)
		return oauth_error(r, 400, "invalid_request",
		    "refresh_token is missing");
	if (len != REFRESH_LEN || memcmp(tok, "rt_", 3) != 0)
		return oauth_error(r, 400, "invalid_grant", "unknown token");
	crypto_sha256(tok, len, hash);
	e = sessions_find_refresh(r->w->db, hash, &s);
	if (e != IERR_OK && e != IERR_NOT_FOUND)
		return e;
	/* Bound to its client: another's is as good as unknown. */
	if (e == IERR_NOT_FOUND || strcmp(s.client_id, c->id) != 0 || !s.active)
		return oauth_error(r, 400, "invalid_grant", "unknown token");
	if (!s.is_current) {
		if (!(s.is_previous &&
		    s.since_rotation < cfg->refresh_reuse_grace_seconds)) {
			if ((e = sessions_revoke(r->w->db, s.id, "replay")) !=
			    IERR_OK)
				return e;
			(void)req_audit(r, "refresh_replay", "denied", s.user_id,
			    s.id, "session_revoked");
		}
		return oauth_error(r, 400, "invalid_grant",
		    "the token was used before");
	}
	if (s.user_disabled) {
		(void)sessions_revoke(r->w->db, s.id, "user_disabled");
		return oauth_error(r, 400, "invalid_grant", "unknown token");
	}
	/* RFC 6749 §6: the scope may narrow, never widen. */
	snprintf(scope, sizeof(scope), "%s", s.scope);
	if ((want = form_get(f, "scope", NULL)) != NULL) {
		op_scope_within(want, s.scope, scope, sizeof(scope));
		{
			char	 all[256];

			op_scope_within(want, want, all, sizeof(all));
			if (strcmp(all, scope) != 0 || scope[0] == '\0')
				return oauth_error(r, 400, "invalid_scope",
				    "the scope may only narrow");
		}
	}
	if (refresh_new(&rt) == -1)
		return IERR_INTERNAL;
	if ((e = sessions_rotate(r->w->db, s.id, s.generation, rt.hash,
	    r->client, cfg->refresh_token_ttl, &won)) != IERR_OK)
		goto out;
	if (!won) {
		e = oauth_error(r, 400, "invalid_grant",
		    "the token was used before");
		goto out;
	}
	{
		/* Its row came with the rotation (sessions_rotate). */
		struct audit_event	 a = { .event = "token_refresh",
		    .outcome = "success", .user_id = s.user_id,
		    .client = r->client, .session_id = s.id,
		    .client_id = c->id };

		audit_log_line(&a, true);
	}
	sub = (struct oidc_subject){ s.user_id, s.username, s.role, s.id,
	    s.parent_id, scope, s.amr, s.auth_time };
	e = token_answer(r, c, &sub, NULL, &rt);
out:
	refresh_clear(&rt);
	return e;
}

static enum ierr
credentials_grant(struct req *r, const struct form *f, const struct client *c)
{
	struct oidc_subject	 s;
	char			 scope[256];
	const char		*want = form_get(f, "scope", NULL);

	if (c->is_public)
		return oauth_error(r, 400, "unauthorized_client",
		    "a public client has no credentials");
	scope[0] = '\0';
	if (want != NULL) {
		char	 all[256];

		op_scope_within(want, c->allowed_scopes, scope, sizeof(scope));
		op_scope_within(want, want, all, sizeof(all));
		if (strcmp(all, scope) != 0 || op_has_word(scope, "openid") ||
		    op_has_word(scope, "offline_access"))
			return oauth_error(r, 400, "invalid_scope",
			    "scope beyond the client's");
	}
	memset(&s, 0, sizeof(s));
	s.scope = scope;
	(void)req_audit(r, "token_issued", "success", NULL, NULL,
	    "client_credentials");
	return token_answer(r, c, &s, NULL, NULL);
}

static enum ierr
parse(struct req *r, struct form *f)
{
	if (form_parse(f, r->body != NULL ? r->body : "", r->bodylen) == -1)
		return oauth_error(r, 400, "invalid_request",
		    "the form is malformed or repeats a parameter");
	return IERR_OK;
}

enum ierr
h_oauth_token(struct req *r)
{
	struct form	 f;
	struct client	*c;
	const char	*grant;
	bool		 done;
	enum ierr	 e;

	if ((e = parse(r, &f)) != IERR_OK || r->status != 200)
		return e;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		form_clear(&f);
		return IERR_INTERNAL;
	}
	grant = form_get(&f, "grant_type", NULL);
	if (grant == NULL)
		e = oauth_error(r, 400, "invalid_request",
		    "grant_type is missing");
	else if (strcmp(grant, "authorization_code") != 0 &&
	    strcmp(grant, "refresh_token") != 0 &&
	    strcmp(grant, "client_credentials") != 0)
		e = oauth_error(r, 400, "unsupported_grant_type",
		    "unknown grant_type");
	else if ((e = authenticate_client(r, &f, c, NULL, &done)) !=
	    IERR_OK || done)
		;
	else if (!op_has_word(c->grant_types, grant))
		e = oauth_error(r, 400, "unauthorized_client",
		    "the client may not use this grant");
	else if (strcmp(grant, "authorization_code") == 0)
		e = code_grant(r, &f, c);
	else if (strcmp(grant, "refresh_token") == 0)
		e = refresh_grant(r, &f, c);
	else
		e = credentials_grant(r, &f, c);
	form_clear(&f);
	r->audit_client = NULL;
	free(c);
	return e;
}

/* Before the client is known: verify an access token (jwt_memo). */
static void
token_peek(struct req *r, const char *tok, size_t len, struct token_info *t)
{
	memset(t, 0, sizeof(*t));
	if (len == REFRESH_LEN && memcmp(tok, "rt_", 3) == 0)
		t->refresh = true;
	else
		t->verified = jwt_memo_verify(r->w->verified, tok, len,
		    (long long)time(NULL), &t->claims) == IERR_OK;
}

/* Once client c is authenticated: is t one of its tokens, and active? */
static enum ierr
token_lookup(struct req *r, const struct client *c, const char *tok,
    size_t len, struct token_info *t)
{
	struct principal	 p;
	uint8_t			 hash[SHA256_LEN];
	enum ierr		 e;

	if (t->refresh) {
		crypto_sha256(tok, len, hash);
		e = sessions_find_refresh(r->w->db, hash, &t->s);
		if (e == IERR_NOT_FOUND)
			return IERR_OK;
		if (e != IERR_OK)
			return e;
		t->found = strcmp(t->s.client_id, c->id) == 0;
		t->active = t->found && t->s.active && t->s.is_current &&
		    !t->s.user_disabled;
		return IERR_OK;
	}
	if (!t->verified || strcmp(t->claims.client_id, c->id) != 0)
		return IERR_OK;
	t->found = true;
	if (t->claims.sid[0] == '\0') {		/* client_credentials */
		t->active = c->is_active;
		return IERR_OK;
	}
	if (t->session_read) {
		t->active = t->session_live;
		return IERR_OK;
	}
	e = sessions_principal(r->w->db, t->claims.sid, t->claims.sub, &p);
	if (e != IERR_OK && e != IERR_NOT_FOUND)
		return e;
	t->active = e == IERR_OK && !p.disabled;
	return IERR_OK;
}

/*
 * The form, the client and the token of revocation and introspection;
 * t as token_lookup leaves it.
 */
static enum ierr
client_call(struct req *r, struct form *f, struct client **c,
    struct token_info *t, bool *done)
{
	const char	*tok;
	size_t		 len = 0;
	enum ierr	 e;

	*done = true;
	*c = NULL;
	if ((e = parse(r, f)) != IERR_OK || r->status != 200)
		return e;
	if ((*c = calloc(1, sizeof(**c))) == NULL)
		return IERR_INTERNAL;
	if ((tok = form_get(f, "token", &len)) != NULL)
		token_peek(r, tok, len, t);
	if ((e = authenticate_client(r, f, *c, tok != NULL ? t : NULL,
	    done)) != IERR_OK || *done)
		return e;
	if (tok == NULL) {
		*done = true;
		return oauth_error(r, 400, "invalid_request",
		    "token is missing");
	}
	return token_lookup(r, *c, tok, len, t);
}

enum ierr
h_oauth_revoke(struct req *r)
{
	struct form		 f;
	struct client		*c;
	struct token_info	 t;
	bool			 done;
	enum ierr		 e;

	memset(&f, 0, sizeof(f));
	memset(&t, 0, sizeof(t));
	if ((e = client_call(r, &f, &c, &t, &done)) != IERR_OK || done)
		goto out;
	/* RFC 7009 §2.2: unknown or another client's: 200 all the same. */
	if (t.found && (t.refresh || t.claims.sid[0] != '\0')) {
		const char	*sid = t.refresh ? t.s.id : t.claims.sid;

		if ((e = sessions_revoke(r->w->db, sid, "revoked")) != IERR_OK)
			goto out;
		(void)req_audit(r, "revocation", "success", t.refresh ?
		    t.s.user_id : t.claims.sub, sid, t.refresh ? "refresh_token" :
		    "access_token");
	}
	jsonw_obj_open(&r->out);
	jsonw_obj_close(&r->out);
out:
	form_clear(&f);
	r->audit_client = NULL;
	free(c);
	return e;
}

enum ierr
h_oauth_introspect(struct req *r)
{
	const struct config	*cfg = r->w->cfg;
	struct form		 f;
	struct client		*c;
	struct token_info	 t;
	bool			 done;
	enum ierr		 e;

	memset(&f, 0, sizeof(f));
	memset(&t, 0, sizeof(t));
	if ((e = client_call(r, &f, &c, &t, &done)) != IERR_OK || done)
		goto out;
	jsonw_obj_open(&r->out);
	jsonw_kv_bool(&r->out, "active", t.active);
	if (t.active && !t.refresh) {
		jsonw_kv_str(&r->out, "scope", t.claims.scope);
		jsonw_kv_str(&r->out, "client_id", t.claims.client_id);
		jsonw_kv_str(&r->out, "sub", t.claims.sub);
		if (t.claims.username[0] != '\0')
			jsonw_kv_str(&r->out, "username", t.claims.username);
		jsonw_kv_str(&r->out, "token_type", "Bearer");
		jsonw_kv_int(&r->out, "exp", t.claims.exp);
		jsonw_kv_int(&r->out, "iat", t.claims.iat);
		jsonw_kv_str(&r->out, "iss", cfg->jwt_issuer);
		jsonw_kv_str(&r->out, "aud", c->allowed_audiences[0] != '\0' &&
		    strchr(c->allowed_audiences, ' ') == NULL ?
		    c->allowed_audiences : c->id);
		jsonw_kv_str(&r->out, "jti", t.claims.jti);
		if (t.claims.sid[0] != '\0')
			jsonw_kv_str(&r->out, "sid", t.claims.sid);
	} else if (t.active) {
		jsonw_kv_str(&r->out, "scope", t.s.scope);
		jsonw_kv_str(&r->out, "client_id", t.s.client_id);
		jsonw_kv_str(&r->out, "sub", t.s.user_id);
		jsonw_kv_str(&r->out, "username", t.s.username);
		jsonw_kv_str(&r->out, "token_type", "refresh_token");
		jsonw_kv_str(&r->out, "iss", cfg->jwt_issuer);
		jsonw_kv_str(&r->out, "sid", t.s.id);
	}
	jsonw_obj_close(&r->out);
out:
	form_clear(&f);
	r->audit_client = NULL;
	free(c);
	return e;
}
