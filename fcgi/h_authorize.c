/*
 * The authorization endpoint and the hosted login and consent pages
 * (docs/OIDC.md "Authorization endpoint", "Hosted pages").  A request
 * is checked in OIDC.md's order: the client and its redirect_uri first,
 * whose failures get our page and never a redirect, then everything
 * else as redirect errors.  Then who the user is, consent, and a code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "auth.h"
#include "b64.h"
#include "bounds.h"
#include "clients.h"
#include "config.h"
#include "cookie.h"
#include "crypto.h"
#include "csrf.h"
#include "form.h"
#include "handlers.h"
#include "jwt_memo.h"
#include "login.h"
#include "mfa.h"
#include "oauth.h"
#include "op.h"
#include "page.h"
#include "req.h"
#include "sessions.h"
#include "users.h"
#include "worker.h"

#define REQ_ID_LEN	43

/* The user behind the request: a browser session, or a Bearer token. */
struct who {
	bool		 known;
	bool		 by_bearer;	/* no browser session: no consent page */
	char		 uid[37];
	char		 sid[37];	/* the browser session, if any */
	char		 username[401];
	long long	 auth_time;
	char		 amr[33];
};

static enum ierr
bad_client_page(struct req *r, const char *message)
{
	return page_error(r, 400, "This sign-in link does not work", message);
}

static bool
b64url_only(const char *s, size_t len)
{
	uint8_t	 buf[64];

	return len > 0 && len <= 86 && b64_decode(B64_URL, s, len, buf,
	    sizeof(buf)) > 0;
}

/* Copy a parameter into dst[cap]; false if it is longer. */
static bool
take(const struct form *f, const char *name, char *dst, size_t cap)
{
	size_t		 len = 0;
	const char	*v = form_get(f, name, &len);

	dst[0] = '\0';
	if (v == NULL)
		return true;
	if (len >= cap)
		return false;
	memcpy(dst, v, len + 1);
	return true;
}

/*
 * OIDC.md rule 1: the client and the redirect URI.  On failure the page
 * is written and *e says so; returns false.
 */
static bool
check_client(struct req *r, const struct form *f, struct client *c,
    struct oauth_request *q, enum ierr *e)
{
	const char	*id = form_get(f, "client_id", NULL);
	size_t		 len = 0;
	const char	*uri = form_get(f, "redirect_uri", &len);
	enum ierr	 ce;

	if (id == NULL || !uuid_syntax_ok(id, strlen(id)) ||
	    (ce = clients_get(r->w->db, id, c)) == IERR_NOT_FOUND ||
	    (ce == IERR_OK && !c->is_active)) {
		*e = bad_client_page(r, "The application that sent you here is "
		    "not known to Genesis.");
		return false;
	}
	if (ce != IERR_OK) {
		*e = ce;
		return false;
	}
	if (uri == NULL && strchr(c->redirect_uris, '\n') == NULL &&
	    c->redirect_uris[0] != '\0')
		uri = c->redirect_uris;
	else if (uri == NULL || !clients_list_has(c->redirect_uris, '\n', uri,
	    len))
		uri = NULL;
	if (uri == NULL || strlen(uri) > OAUTH_MAX_REDIRECT) {
		*e = bad_client_page(r, "The application asked to send you "
		    "back to an address it has not registered.");
		return false;
	}
	snprintf(q->client_id, sizeof(q->client_id), "%s", c->id);
	r->audit_client = q->client_id;
	snprintf(q->redirect_uri, sizeof(q->redirect_uri), "%s", uri);
	return true;
}

/* Every scope word is known and allowed to the client. */
static bool
scope_ok(const struct client *c, const char *scope)
{
	char	 kept[256], all[256];

	if (!op_has_word(scope, "openid"))
		return false;
	/* The registry lets only known scopes into allowed_scopes. */
	op_scope_within(scope, c->allowed_scopes, kept, sizeof(kept));
	op_scope_within(scope, scope, all, sizeof(all));
	return strcmp(kept, all) == 0;
}

/*
 * OIDC.md rule 2: the rest, as redirect errors.  Returns NULL and fills
 * q, or the error code with *desc.
 */
static const char *
check_params(const struct form *f, const struct client *c,
    struct oauth_request *q, const char **desc)
{
	const char	*rt = form_get(f, "response_type", NULL);
	const char	*method = form_get(f, "code_challenge_method", NULL);
	const char	*max_age = form_get(f, "max_age", NULL);
	size_t		 hintlen = 0;
	const char	*hint = form_get(f, "login_hint", &hintlen);
	uint64_t	 n;

	/* The state comes back even with an error about something else. */
	if (!take(f, "state", q->state, sizeof(q->state))) {
		*desc = "state is too long";
		return "invalid_request";
	}
	if (f->repeated) {
		*desc = "a parameter is repeated";
		return "invalid_request";
	}
	if (form_get(f, "request", NULL) != NULL) {
		*desc = "request objects are not supported";
		return "request_not_supported";
	}
	if (form_get(f, "request_uri", NULL) != NULL) {
		*desc = "request_uri is not supported";
		return "request_uri_not_supported";
	}
	if (rt == NULL || strcmp(rt, "code") != 0) {
		*desc = "only response_type=code is supported";
		return "unsupported_response_type";
	}
	if (!op_has_word(c->grant_types, "authorization_code")) {
		*desc = "the client may not use the authorization code grant";
		return "unauthorized_client";
	}
	if (!take(f, "scope", q->scope, sizeof(q->scope)) ||
	    !scope_ok(c, q->scope)) {
		*desc = "scope must hold openid and only scopes of the client";
		return "invalid_scope";
	}
	if (!take(f, "code_challenge", q->code_challenge,
	    sizeof(q->code_challenge))) {
		*desc = "code_challenge is too long";
		return "invalid_request";
	}
	/* RFC 7636 §4.3: an absent method means plain, which we refuse. */
	if (q->code_challenge[0] != '\0' &&
	    (method == NULL || strcmp(method, "S256") != 0)) {
		*desc = "code_challenge_method must be S256";
		return "invalid_request";
	}
	if (q->code_challenge[0] == '\0' && method != NULL) {
		*desc = "code_challenge_method without code_challenge";
		return "invalid_request";
	}
	if (q->code_challenge[0] != '\0' &&
	    (strlen(q->code_challenge) != 43 ||
	    !b64url_only(q->code_challenge, 43))) {
		*desc = "code_challenge is not a base64url SHA-256";
		return "invalid_request";
	}
	if (q->code_challenge[0] == '\0' && c->require_pkce) {
		*desc = "this client must use PKCE (S256)";
		return "invalid_request";
	}
	if (!take(f, "nonce", q->nonce, sizeof(q->nonce))) {
		*desc = "nonce is too long";
		return "invalid_request";
	}
	if (!take(f, "prompt", q->prompt, sizeof(q->prompt)) ||
	    (op_has_word(q->prompt, "none") && strcmp(q->prompt, "none") != 0)) {
		*desc = "prompt=none cannot be combined";
		return "invalid_request";
	}
	q->max_age = -1;
	if (max_age != NULL) {
		if (parse_u64(max_age, 0, 1000000000, &n) == -1) {
			*desc = "max_age must be a number of seconds";
			return "invalid_request";
		}
		q->max_age = (long long)n;
	}
	if (hint != NULL && (utf8_chars(hint, hintlen) > OAUTH_MAX_HINT ||
	    !take(f, "login_hint", q->login_hint, sizeof(q->login_hint)))) {
		*desc = "login_hint is too long";
		return "invalid_request";
	}
	return NULL;
}

/* The browser's session, if the cookie names a live one. */
static enum ierr
browser_user(struct req *r, struct who *who)
{
	struct browser_session	 bs;
	char			 cookie[COOKIE_VALUE_LEN + 1];
	uint8_t			 hash[SHA256_LEN];
	enum ierr		 e;

	if (!cookie_get(r, COOKIE_SESSION, cookie, hash))
		return IERR_OK;
	crypto_wipe(cookie, sizeof(cookie));
	if ((e = sessions_find_browser(r->w->db, hash, &bs)) == IERR_NOT_FOUND)
		return IERR_OK;
	if (e != IERR_OK)
		return e;
	if (bs.disabled)
		return IERR_OK;
	who->known = true;
	memcpy(who->uid, bs.user_id, sizeof(who->uid));
	memcpy(who->sid, bs.id, sizeof(who->sid));
	memcpy(who->username, bs.username, sizeof(who->username));
	memcpy(who->amr, bs.amr, sizeof(who->amr));
	who->auth_time = bs.auth_time;
	return IERR_OK;
}

/*
 * The original's first-party front end: a Bearer access token of ours
 * (never a client's).  Its session stands in for a browser session.
 */
static enum ierr
bearer_user(struct req *r, struct who *who)
{
	struct jwt_claims	 c;
	struct principal	 p;
	const char		*tok;
	size_t			 len;
	enum ierr		 e;

	/* A token that does not check out is no user: the login page. */
	if (auth_bearer(r, &tok, &len) != IERR_OK || tok == NULL)
		return IERR_OK;
	if (jwt_memo_verify(r->w->verified, tok, len, (long long)time(NULL),
	    &c) != IERR_OK || c.client_id[0] != '\0')
		return IERR_OK;
	r->detail = NULL;
	if ((e = sessions_principal(r->w->db, c.sid, c.sub, &p)) ==
	    IERR_NOT_FOUND || (e == IERR_OK && p.disabled))
		return IERR_OK;
	if (e != IERR_OK)
		return e;
	who->known = true;
	who->by_bearer = true;
	memcpy(who->uid, p.uid, sizeof(who->uid));
	memcpy(who->sid, p.sid, sizeof(who->sid));
	memcpy(who->username, p.username, sizeof(who->username));
	snprintf(who->amr, sizeof(who->amr), "pwd");
	who->auth_time = c.iat;
	return IERR_OK;
}

/* Store q as a pending request and send the browser to page. */
static enum ierr
to_page(struct req *r, int status, struct oauth_request *q, const char *page)
{
	char		 id[REQ_ID_LEN + 1], loc[128];
	enum ierr	 e;

	if (crypto_random_token(id, 32) == -1 ||
	    cookie_browser(r, q->browser_hash) == -1)
		return IERR_INTERNAL;
	crypto_sha256(id, REQ_ID_LEN, q->id_hash);
	if ((e = oauth_request_put(r->w->db, q, OP_REQUEST_TTL)) != IERR_OK)
		return e;
	snprintf(loc, sizeof(loc), "/oauth/%s?req=%s", page, id);
	return page_redirect(r, status, loc);
}

/* Signed in: consent if needed, else the code. */
static enum ierr
after_login(struct req *r, int status, const struct client *c,
    struct oauth_request *q, const struct who *who)
{
	bool		 consent;
	enum ierr	 e;

	if ((e = op_consent_needed(r, c, q, who->uid, &consent)) != IERR_OK)
		return e;
	if (consent) {
		/* A Bearer token signs in only where no one is asked. */
		if (op_has_word(q->prompt, "none") || who->by_bearer)
			return op_redirect_error(r, status, q,
			    "consent_required", "the user must consent");
		snprintf(q->user_id, sizeof(q->user_id), "%s", who->uid);
		snprintf(q->session_id, sizeof(q->session_id), "%s", who->sid);
		return to_page(r, status, q, "consent");
	}
	return op_issue_code(r, status, q, who->uid, who->sid, who->auth_time,
	    who->amr);
}

static enum ierr
authorize(struct req *r, const char *params, size_t len)
{
	struct form		 f;
	struct client		*c;
	struct oauth_request	*q;
	struct who		 who;
	const char		*err, *desc;
	bool			 fresh;
	enum ierr		 e;

	if (form_parse_repeats(&f, params, len) == -1)
		return bad_client_page(r, "The sign-in request is malformed.");
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (q = calloc(1, sizeof(*q))) == NULL) {
		free(c);
		form_clear(&f);
		return IERR_INTERNAL;
	}
	memset(&who, 0, sizeof(who));
	if (!check_client(r, &f, c, q, &e))
		goto out;
	if ((err = check_params(&f, c, q, &desc)) != NULL) {
		e = op_redirect_error(r, 302, q, err, desc);
		goto out;
	}
	if ((e = browser_user(r, &who)) != IERR_OK)
		goto out;
	if (!who.known && (e = bearer_user(r, &who)) != IERR_OK)
		goto out;
	fresh = !op_has_word(q->prompt, "login") && (q->max_age < 0 ||
	    (long long)time(NULL) - who.auth_time <= q->max_age);
	if (!who.known || !fresh) {
		if (op_has_word(q->prompt, "none")) {
			e = op_redirect_error(r, 302, q, "login_required",
			    "the user is not signed in");
			goto out;
		}
		e = to_page(r, 302, q, "login");
		goto out;
	}
	e = after_login(r, 302, c, q, &who);
out:
	form_clear(&f);
	crypto_wipe(q, sizeof(*q));
	r->audit_client = NULL;
	free(q);
	free(c);
	return e;
}

enum ierr
h_authorize(struct req *r)
{
	if (strcmp(r->method, "POST") == 0)
		return authorize(r, r->body != NULL ? r->body : "", r->bodylen);
	return authorize(r, r->query, strlen(r->query));
}

/*
 * The pending request a page's req parameter names.  On failure the
 * error page is written and *e says so; returns false.
 */
static bool
pending(struct req *r, const char *id, struct oauth_request *q,
    struct client *c, enum ierr *e)
{
	uint8_t		 hash[SHA256_LEN];
	enum ierr	 ge;

	if (id == NULL || strlen(id) != REQ_ID_LEN) {
		*e = page_error(r, 400, "This sign-in link has expired",
		    "Go back to the application and sign in again.");
		return false;
	}
	crypto_sha256(id, REQ_ID_LEN, hash);
	if ((ge = oauth_request_get(r->w->db, hash, q)) == IERR_OK &&
	    (ge = clients_get(r->w->db, q->client_id, c)) == IERR_OK &&
	    c->is_active) {
		r->audit_client = q->client_id;
		return true;
	}
	if (ge == IERR_OK || ge == IERR_NOT_FOUND)
		*e = page_error(r, 400, "This sign-in link has expired",
		    "Go back to the application and sign in again.");
	else
		*e = ge;
	return false;
}

static enum ierr
show_login(struct req *r, int status, const char *id, const struct client *c,
    const struct oauth_request *q, const char *error)
{
	char		 csrf[CSRF_LEN + 1];
	struct html_var	 v[] = {
		{ "req", id }, { "csrf", csrf }, { "client_name", c->name },
		{ "login_hint", q->login_hint }, { "error", error },
	};

	csrf_for_request(r, id, csrf);
	return page_show(r, status, "login.html", "Sign in", v, 5);
}

/* Both pages parse the same way: their query or form, then req. */
static enum ierr
page_form(struct req *r, struct form *f)
{
	const char	*s = strcmp(r->method, "POST") == 0 ?
	    (r->body != NULL ? r->body : "") : r->query;
	size_t		 len = strcmp(r->method, "POST") == 0 ? r->bodylen :
	    strlen(r->query);

	if (form_parse(f, s, len) == -1)
		return page_error(r, 400, "Something went wrong",
		    "The form could not be read. Go back and try again.");
	return IERR_OK;
}

/*
 * The form's token is the request's, and the browser that posts it is
 * the one that started the request (its COOKIE_BROWSER).
 */
static bool
csrf_ok(struct req *r, const struct form *f, const struct oauth_request *q)
{
	char		 b[COOKIE_VALUE_LEN + 1], want[CSRF_LEN + 1];
	uint8_t		 bh[SHA256_LEN];
	size_t		 len = 0;
	const char	*tok = form_get(f, "csrf", &len);
	const char	*id = form_get(f, "req", NULL);
	bool		 same_browser;

	same_browser = cookie_get(r, COOKIE_BROWSER, b, bh) &&
	    crypto_equal(bh, q->browser_hash, SHA256_LEN);
	crypto_wipe(b, sizeof(b));
	if (id == NULL || tok == NULL || len != CSRF_LEN)
		return false;
	csrf_for_request(r, id, want);
	return crypto_equal(want, tok, CSRF_LEN) && same_browser;
}

static enum ierr
forged(struct req *r)
{
	(void)req_audit(r, "csrf", "denied", NULL, NULL, "bad_csrf_token");
	return page_error(r, 400, "This form has expired",
	    "The form was not sent from this page or is too old. Go back to "
	    "the application and sign in again.");
}

enum ierr
h_login_page(struct req *r)
{
	struct form		 f;
	struct client		*c = calloc(1, sizeof(*c));
	struct oauth_request	*q = calloc(1, sizeof(*q));
	enum ierr		 e = IERR_OK;

	if (c == NULL || q == NULL) {
		e = IERR_INTERNAL;
		goto done;
	}
	if ((e = page_form(r, &f)) != IERR_OK || r->status != 200)
		goto done;
	if (pending(r, form_get(&f, "req", NULL), q, c, &e))
		e = show_login(r, 200, form_get(&f, "req", NULL), c, q, NULL);
	form_clear(&f);
done:
	free(c);
	r->audit_client = NULL;
	free(q);
	return e;
}

/* A new browser session for u; the old one, if any, ends (C-T22). */
static enum ierr
start_browser(struct req *r, const struct login_user *u, const char *method,
    const char *amr, struct who *who)
{
	char		 cookie[COOKIE_VALUE_LEN + 1], old[COOKIE_VALUE_LEN + 1];
	uint8_t		 hash[SHA256_LEN], oldhash[SHA256_LEN];
	struct browser_session bs;
	enum ierr	 e;

	if (cookie_get(r, COOKIE_SESSION, old, oldhash) &&
	    sessions_find_browser(r->w->db, oldhash, &bs) == IERR_OK)
		(void)sessions_revoke(r->w->db, bs.id, "new_login");
	if (cookie_new(cookie, hash) == -1)
		return IERR_INTERNAL;
	if ((e = login_start_browser(r, u, method, amr, hash,
	    who->sid)) != IERR_OK) {
		crypto_wipe(cookie, sizeof(cookie));
		return e;
	}
	cookie_set(r, COOKIE_SESSION, cookie);
	crypto_wipe(cookie, sizeof(cookie));
	who->known = true;
	memcpy(who->uid, u->id, sizeof(who->uid));
	memcpy(who->username, u->username, sizeof(who->username));
	snprintf(who->amr, sizeof(who->amr), "%s", amr);
	who->auth_time = (long long)time(NULL);
	return IERR_OK;
}

/* The right credentials: a new browser session, then consent or code. */
static enum ierr
finish_login(struct req *r, const struct client *c, struct oauth_request *q,
    const struct login_user *u, const char *method, const char *amr)
{
	struct who	 who;
	enum ierr	 e;

	memset(&who, 0, sizeof(who));
	if ((e = start_browser(r, u, method, amr, &who)) != IERR_OK)
		return e;
	(void)oauth_request_drop(r->w->db, q->id_hash);
	/* The request was for a fresh login: this was it. */
	snprintf(q->prompt, sizeof(q->prompt), "%s",
	    op_has_word(q->prompt, "consent") ? "consent" : "");
	return after_login(r, 303, c, q, &who);
}

static const char *
otp_location(const char *id, char loc[128])
{
	snprintf(loc, 128, "/oauth/login/otp?req=%s", id);
	return loc;
}

enum ierr
h_login_submit(struct req *r)
{
	struct form		 f;
	struct client		*c = calloc(1, sizeof(*c));
	struct oauth_request	*q = calloc(1, sizeof(*q));
	struct login_user	 u;
	char			 loc[128];
	const char		*id, *name, *pw;
	size_t			 namelen = 0, pwlen = 0;
	bool			 mfa = false;
	enum ierr		 e = IERR_OK;

	if (c == NULL || q == NULL) {
		e = IERR_INTERNAL;
		goto done;
	}
	if ((e = page_form(r, &f)) != IERR_OK || r->status != 200)
		goto done;
	id = form_get(&f, "req", NULL);
	if (!pending(r, id, q, c, &e))
		goto out;
	if (!csrf_ok(r, &f, q)) {
		e = forged(r);
		goto out;
	}
	name = form_get(&f, "username", &namelen);
	pw = form_get(&f, "password", &pwlen);
	e = login_check(r, name != NULL ? name : "", namelen,
	    pw != NULL ? pw : "", pwlen, &u);
	if (e == IERR_UNAUTHENTICATED || e == IERR_FORBIDDEN) {
		r->detail = NULL;
		e = show_login(r, e == IERR_FORBIDDEN ? 403 : 401, id, c, q,
		    e == IERR_FORBIDDEN ? "This account is deactivated." :
		    "Wrong username or password.");
		goto out;
	}
	if (e != IERR_OK || (e = mfa_totp_active(r->w->db, u.id,
	    &mfa)) != IERR_OK)
		goto out;
	if (mfa) {
		/* The half-done login waits server-side (C-T25). */
		if ((e = oauth_request_half(r->w->db, q->id_hash, u.id)) ==
		    IERR_OK)
			e = page_redirect(r, 303, otp_location(id, loc));
		goto out;
	}
	e = finish_login(r, c, q, &u, "password", "pwd");
out:
	form_clear(&f);
done:
	if (q != NULL)
		crypto_wipe(q, sizeof(*q));
	free(c);
	r->audit_client = NULL;
	free(q);
	return e;
}

static const char *
scope_text(const char *word)
{
	if (strcmp(word, "openid") == 0)
		return "Know who you are on Genesis";
	if (strcmp(word, "profile") == 0)
		return "See your name and profile";
	if (strcmp(word, "email") == 0)
		return "See your email address";
	if (strcmp(word, "offline_access") == 0)
		return "Stay signed in when you are not using it";
	return NULL;
}

/*
 * The consent page's request: it must belong to the browser session
 * that signed in for it.
 */
static bool
consent_pending(struct req *r, const struct form *f, struct oauth_request *q,
    struct client *c, struct who *who, enum ierr *e)
{
	if (!pending(r, form_get(f, "req", NULL), q, c, e))
		return false;
	if ((*e = browser_user(r, who)) != IERR_OK)
		return false;
	if (!who->known || q->session_id[0] == '\0' ||
	    strcmp(who->sid, q->session_id) != 0) {
		*e = page_error(r, 400, "This sign-in link has expired",
		    "Go back to the application and sign in again.");
		return false;
	}
	return true;
}

enum ierr
h_consent_page(struct req *r)
{
	struct form		 f;
	struct client		*c = calloc(1, sizeof(*c));
	struct oauth_request	*q = calloc(1, sizeof(*q));
	struct who		 who;
	struct html_var		 v[12];
	char			 csrf[CSRF_LEN + 1], words[256];
	const char		*id, *text;
	char			*w, *save = NULL;
	size_t			 n = 0;
	enum ierr		 e = IERR_OK;

	memset(&who, 0, sizeof(who));
	if (c == NULL || q == NULL) {
		e = IERR_INTERNAL;
		goto done;
	}
	if ((e = page_form(r, &f)) != IERR_OK || r->status != 200)
		goto done;
	if (!consent_pending(r, &f, q, c, &who, &e))
		goto out;
	id = form_get(&f, "req", NULL);
	csrf_for_request(r, id, csrf);
	v[n++] = (struct html_var){ "req", id };
	v[n++] = (struct html_var){ "csrf", csrf };
	v[n++] = (struct html_var){ "client_name", c->name };
	v[n++] = (struct html_var){ "username", who.username };
	snprintf(words, sizeof(words), "%s", q->scope);
	for (w = strtok_r(words, " ", &save); w != NULL && n < 12;
	    w = strtok_r(NULL, " ", &save))
		if ((text = scope_text(w)) != NULL)
			v[n++] = (struct html_var){ "scope_text", text };
	e = page_show(r, 200, "consent.html", "Allow access", v, n);
out:
	form_clear(&f);
done:
	free(c);
	r->audit_client = NULL;
	free(q);
	return e;
}

enum ierr
h_consent_submit(struct req *r)
{
	struct form		 f;
	struct client		*c = calloc(1, sizeof(*c));
	struct oauth_request	*q = calloc(1, sizeof(*q));
	struct who		 who;
	const char		*decision;
	enum ierr		 e = IERR_OK;

	memset(&who, 0, sizeof(who));
	if (c == NULL || q == NULL) {
		e = IERR_INTERNAL;
		goto done;
	}
	if ((e = page_form(r, &f)) != IERR_OK || r->status != 200)
		goto done;
	if (!consent_pending(r, &f, q, c, &who, &e))
		goto out;
	if (!csrf_ok(r, &f, q)) {
		e = forged(r);
		goto out;
	}
	decision = form_get(&f, "decision", NULL);
	(void)oauth_request_drop(r->w->db, q->id_hash);
	if (decision == NULL || strcmp(decision, "allow") != 0) {
		(void)req_audit(r, "consent", "denied", who.uid, who.sid, NULL);
		e = op_redirect_error(r, 303, q, "access_denied",
		    "the user denied the request");
		goto out;
	}
	if ((e = oauth_grant_put(r->w->db, who.uid, c->id, q->scope)) != IERR_OK)
		goto out;
	(void)req_audit(r, "consent", "success", who.uid, who.sid, q->scope);
	e = op_issue_code(r, 303, q, who.uid, who.sid, who.auth_time, who.amr);
out:
	form_clear(&f);
done:
	if (q != NULL)
		crypto_wipe(q, sizeof(*q));
	free(c);
	r->audit_client = NULL;
	free(q);
	return e;
}

static enum ierr
show_otp(struct req *r, int status, const char *id, const struct client *c,
    const char *error)
{
	char		 csrf[CSRF_LEN + 1];
	struct html_var	 v[] = {
		{ "req", id }, { "csrf", csrf }, { "client_name", c->name },
		{ "error", error },
	};

	csrf_for_request(r, id, csrf);
	return page_show(r, status, "otp.html", "Two-step verification", v, 4);
}

/*
 * The request of the second step: its password step passed (user_id
 * set, no session yet), in this browser.
 */
static bool
half_pending(struct req *r, const struct form *f, struct oauth_request *q,
    struct client *c, enum ierr *e)
{
	if (!pending(r, form_get(f, "req", NULL), q, c, e))
		return false;
	if (q->user_id[0] == '\0' || q->session_id[0] != '\0') {
		*e = page_error(r, 400, "This sign-in link has expired",
		    "Go back to the application and sign in again.");
		return false;
	}
	return true;
}

enum ierr
h_login_otp_page(struct req *r)
{
	struct form		 f;
	struct client		*c = calloc(1, sizeof(*c));
	struct oauth_request	*q = calloc(1, sizeof(*q));
	enum ierr		 e = IERR_OK;

	if (c == NULL || q == NULL) {
		e = IERR_INTERNAL;
		goto done;
	}
	if ((e = page_form(r, &f)) != IERR_OK || r->status != 200)
		goto done;
	if (half_pending(r, &f, q, c, &e))
		e = show_otp(r, 200, form_get(&f, "req", NULL), c, NULL);
	form_clear(&f);
done:
	r->audit_client = NULL;
	free(c);
	free(q);
	return e;
}

/* The account of a half-done login, as login_check would have read it. */
static enum ierr
half_user(struct req *r, const char *uid, struct login_user *u)
{
	struct user	 acct;
	enum ierr	 e;

	if ((e = users_get(r->w->db, uid, &acct)) != IERR_OK)
		return e;
	e = users_for_login(r->w->db, acct.username, strlen(acct.username), u);
	crypto_wipe(u->hash, sizeof(u->hash));
	if (e == IERR_OK && strcmp(u->id, uid) != 0)
		e = IERR_NOT_FOUND;
	return e;
}

static const char *
field(const struct form *f, const char *name, size_t *len)
{
	const char	*v = form_get(f, name, len);

	return v != NULL && *len > 0 ? v : NULL;
}

enum ierr
h_login_otp_submit(struct req *r)
{
	struct form		 f;
	struct client		*c = calloc(1, sizeof(*c));
	struct oauth_request	*q = calloc(1, sizeof(*q));
	struct login_user	 u;
	const char		*id, *otp, *rc, *method;
	size_t			 otplen = 0, rclen = 0;
	enum ierr		 e = IERR_OK;

	memset(&u, 0, sizeof(u));
	if (c == NULL || q == NULL) {
		e = IERR_INTERNAL;
		goto done;
	}
	if ((e = page_form(r, &f)) != IERR_OK || r->status != 200)
		goto done;
	id = form_get(&f, "req", NULL);
	if (!half_pending(r, &f, q, c, &e))
		goto out;
	if (!csrf_ok(r, &f, q)) {
		e = forged(r);
		goto out;
	}
	e = half_user(r, q->user_id, &u);
	/* Locked meanwhile (wrong codes count): the password step again. */
	if (e == IERR_NOT_FOUND || (e == IERR_OK && (u.disabled ||
	    login_locked(r, &u)))) {
		(void)req_audit(r, "login", "failure", q->user_id, NULL,
		    e == IERR_OK && !u.disabled ? "address_locked" : "gone");
		(void)oauth_request_drop(r->w->db, q->id_hash);
		e = page_error(r, 401, "Sign-in failed", "Too many wrong codes, "
		    "or the account is not available. Go back to the "
		    "application and sign in again later.");
		goto out;
	}
	if (e != IERR_OK)
		goto out;
	otp = field(&f, "otp", &otplen);
	rc = otp == NULL ? field(&f, "recovery_code", &rclen) : NULL;
	e = login_second_factor_codes(r, &u, otp, otplen, rc, rclen, &method);
	if (e == IERR_UNAUTHENTICATED || e == IERR_MFA_REQUIRED ||
	    e == IERR_INVALID) {
		r->detail = NULL;
		r->errs.n = 0;
		e = show_otp(r, 401, id, c, otp == NULL && rc == NULL ?
		    "Enter the code from your authenticator app." :
		    "That code is not right. Try the newest code.");
		goto out;
	}
	/* A recovery code is a one-time password too (RFC 8176 "otp"). */
	if (e == IERR_OK)
		e = finish_login(r, c, q, &u, method, "pwd otp");
out:
	form_clear(&f);
done:
	r->audit_client = NULL;
	if (q != NULL)
		crypto_wipe(q, sizeof(*q));
	free(c);
	free(q);
	return e;
}
