/*
 * /account/security: the second factor on a hosted page, for a user
 * signed in through the OpenID Provider's browser session (SECURITY.md
 * C-T25).  The page is a view of the JSON routes of h_mfa.c: each form
 * becomes their body, their answer becomes the page, so the rules
 * (password again, codes once, sessions revoked) live in one place.
 * The forms carry the browser session's CSRF token (csrf.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "cookie.h"
#include "crypto.h"
#include "csrf.h"
#include "form.h"
#include "handlers.h"
#include "json.h"
#include "jsonw.h"
#include "mfa.h"
#include "page.h"
#include "req.h"
#include "sessions.h"
#include "worker.h"

#define QR_URI_MAX	(64 * 1024)

/* What the page shows besides the status. */
struct account_view {
	const char	*error;
	const char	*notice;
	const char	*secret;
	char		*qr;		/* data: URI of the SVG, heap */
	struct jlist	 codes;
};

/* The browser session as the caller (r->who), for h_mfa.c's handlers. */
static enum ierr
signed_in(struct req *r, char cookie[COOKIE_VALUE_LEN + 1], bool *ok)
{
	struct browser_session	 bs;
	uint8_t			 hash[SHA256_LEN];
	enum ierr		 e;

	*ok = false;
	if (!cookie_get(r, COOKIE_SESSION, cookie, hash))
		return IERR_OK;
	if ((e = sessions_find_browser(r->w->db, hash, &bs)) == IERR_NOT_FOUND)
		return IERR_OK;
	if (e != IERR_OK || bs.disabled)
		return e;
	memset(&r->who, 0, sizeof(r->who));
	snprintf(r->who.uid, sizeof(r->who.uid), "%s", bs.user_id);
	snprintf(r->who.sid, sizeof(r->who.sid), "%s", bs.id);
	snprintf(r->who.username, sizeof(r->who.username), "%s", bs.username);
	snprintf(r->who.role, sizeof(r->who.role), "%s", bs.role);
	r->authenticated = true;
	*ok = true;
	return IERR_OK;
}

static enum ierr
not_signed_in(struct req *r)
{
	return page_error(r, 401, "Sign in first",
	    "This page is for people signed in to Genesis. Sign in through an "
	    "application, then come back.");
}

/* "data:image/svg+xml;base64,..." of svg, or NULL. */
static char *
data_uri(const char *svg)
{
	static const char	 head[] = "data:image/svg+xml;base64,";
	size_t			 n = strlen(svg), len;
	char			*out;

	if (n > QR_URI_MAX || (out = malloc(sizeof(head) +
	    B64_ENCODED_SIZE(n) + 2)) == NULL)
		return NULL;
	memcpy(out, head, sizeof(head) - 1);
	len = sizeof(head) - 1 + b64_encode(B64_STD, (const uint8_t *)svg, n,
	    out + sizeof(head) - 1);
	/* data: URIs want base64's padding, which b64.c leaves out. */
	while (len % 4 != (sizeof(head) - 1) % 4)
		out[len++] = '=';
	out[len] = '\0';
	return out;
}

static enum ierr
show(struct req *r, int status, const char *cookie, struct account_view *v)
{
	struct mfa_totp	 t;
	struct html_var	 vars[8 + JLIST_MAX];
	char		 csrf[CSRF_LEN + 1], left[16], codes[JLIST_MAX][64];
	unsigned	 n = 0;
	size_t		 nv = 0, i;
	bool		 on;
	enum ierr	 e;

	e = mfa_totp_get(r->w->db, r->who.uid, &t);
	if (e != IERR_OK && e != IERR_NOT_FOUND)
		return e;
	on = e == IERR_OK && t.active;
	crypto_wipe(&t, sizeof(t));
	if (on && (e = mfa_recovery_left(r->w->db, r->who.uid, &n)) != IERR_OK)
		return e;
	snprintf(left, sizeof(left), "%u", n);
	csrf_for_browser(r, cookie, csrf);
	vars[nv++] = (struct html_var){ "username", r->who.username };
	vars[nv++] = (struct html_var){ "csrf", csrf };
	vars[nv++] = (struct html_var){ "error", v->error };
	vars[nv++] = (struct html_var){ "notice", v->notice };
	vars[nv++] = (struct html_var){ "qr", v->qr };
	vars[nv++] = (struct html_var){ "secret", v->secret };
	vars[nv++] = (struct html_var){ on ? "on" : v->qr == NULL ? "off" :
	    "pending", "1" };
	vars[nv++] = (struct html_var){ "codes_left", left };
	vars[nv++] = (struct html_var){ "has_codes", v->codes.n > 0 ? "1" :
	    NULL };
	for (i = 0; i < v->codes.n && i < JLIST_MAX; i++) {
		snprintf(codes[i], sizeof(codes[i]), "%.*s",
		    (int)v->codes.len[i], v->codes.s[i]);
		vars[nv++] = (struct html_var){ "code", codes[i] };
	}
	e = page_show(r, status, "account.html", "Account security", vars, nv);
	crypto_wipe(codes, sizeof(codes));
	return e;
}

enum ierr
h_account_page(struct req *r)
{
	struct account_view	 v;
	char			 cookie[COOKIE_VALUE_LEN + 1];
	bool			 ok;
	enum ierr		 e;

	memset(&v, 0, sizeof(v));
	if ((e = signed_in(r, cookie, &ok)) != IERR_OK || !ok)
		e = e != IERR_OK ? e : not_signed_in(r);
	else
		e = show(r, 200, cookie, &v);
	crypto_wipe(cookie, sizeof(cookie));
	return e;
}

/* The form's fields as the JSON body of h_mfa.c's routes. */
static enum ierr
as_json(struct req *r, const struct form *f, bool pw, bool code)
{
	struct jsonw	 w;
	struct verrs	 errs = { 0 };
	const char	*s;
	enum ierr	 e;

	jsonw_init(&w);
	jsonw_obj_open(&w);
	if (pw && (s = form_get(f, "password", NULL)) != NULL)
		jsonw_kv_str(&w, "password", s);
	if (code && (s = form_get(f, "code", NULL)) != NULL)
		jsonw_kv_str(&w, "code", s);
	jsonw_obj_close(&w);
	if ((s = jsonw_text(&w)) == NULL)
		e = IERR_INTERNAL;
	else
		e = json_doc_parse(s, w.len, &r->json, &errs);
	crypto_wipe(w.buf, w.cap);
	jsonw_clear(&w);
	return e;
}

/* Run an h_mfa.c route; on success *answer holds its parsed answer. */
static enum ierr
run(struct req *r, enum ierr (*route)(struct req *), struct json_doc **answer)
{
	struct verrs	 errs = { 0 };
	const char	*text;
	enum ierr	 e;

	*answer = NULL;
	if ((e = route(r)) != IERR_OK)
		return e;
	if ((text = jsonw_text(&r->out)) == NULL)
		return IERR_INTERNAL;
	e = json_doc_parse(text, r->out.len, answer, &errs);
	crypto_wipe(r->out.buf, r->out.cap);
	jsonw_clear(&r->out);
	jsonw_init(&r->out);
	r->status = 200;
	return e == IERR_OK ? IERR_OK : IERR_INTERNAL;
}

/* The words of a refused form, for the page. */
static const char *
refusal(struct req *r, enum ierr e)
{
	if (e == IERR_INVALID)
		return "Fill in every field of the form.";
	if (r->detail != NULL && strcmp(r->detail, "Invalid two-factor code") == 0)
		return "That code is not right. Try the newest code.";
	if (r->detail != NULL)
		return r->detail;
	return "That did not work. Try again.";
}

static enum ierr
act(struct req *r, const char *action, const struct form *f,
    struct account_view *v, struct json_doc **answer)
{
	struct jstr	 s;
	struct verrs	 errs = { 0 };
	enum ierr	 e;

	if (strcmp(action, "begin") == 0) {
		if ((e = as_json(r, f, true, false)) != IERR_OK ||
		    (e = run(r, h_mfa_totp_begin, answer)) != IERR_OK)
			return e;
		json_get_str(*answer, "secret", 128, false, &s, &errs);
		v->secret = s.s;
		json_get_str(*answer, "qr_svg", QR_URI_MAX, false, &s, &errs);
		if (s.s == NULL || (v->qr = data_uri(s.s)) == NULL)
			return IERR_INTERNAL;
		return IERR_OK;
	}
	if (strcmp(action, "activate") == 0) {
		if ((e = as_json(r, f, false, true)) != IERR_OK ||
		    (e = run(r, h_mfa_totp_activate, answer)) != IERR_OK)
			return e;
		v->notice = "Two-step verification is on. Your other sessions "
		    "were signed out.";
	} else if (strcmp(action, "recovery") == 0) {
		if ((e = as_json(r, f, true, true)) != IERR_OK ||
		    (e = run(r, h_mfa_recovery_codes, answer)) != IERR_OK)
			return e;
		v->notice = "New recovery codes: the old ones no longer work.";
	} else if (strcmp(action, "remove") == 0) {
		if ((e = as_json(r, f, true, true)) != IERR_OK ||
		    (e = run(r, h_mfa_totp_remove, answer)) != IERR_OK)
			return e;
		v->notice = "Two-step verification is off. Your other sessions "
		    "were signed out.";
		return IERR_OK;
	} else
		return IERR_INVALID;
	json_get_str_list(*answer, "recovery_codes", JLIST_MAX, 64, &v->codes,
	    &errs);
	return IERR_OK;
}

enum ierr
h_account_submit(struct req *r)
{
	struct account_view	 v;
	struct json_doc		*answer = NULL;
	struct form		 f;
	char			 cookie[COOKIE_VALUE_LEN + 1];
	const char		*csrf, *action;
	size_t			 csrflen = 0;
	bool			 ok;
	enum ierr		 e;

	memset(&v, 0, sizeof(v));
	memset(&f, 0, sizeof(f));
	if ((e = signed_in(r, cookie, &ok)) != IERR_OK || !ok) {
		e = e != IERR_OK ? e : not_signed_in(r);
		goto out;
	}
	if (form_parse(&f, r->body != NULL ? r->body : "", r->bodylen) == -1 ||
	    (action = form_get(&f, "action", NULL)) == NULL) {
		e = page_error(r, 400, "Something went wrong",
		    "The form could not be read. Go back and try again.");
		goto out;
	}
	csrf = form_get(&f, "csrf", &csrflen);
	if (!csrf_browser_ok(r, cookie, csrf, csrflen)) {
		(void)req_audit(r, "csrf", "denied", r->who.uid, r->who.sid,
		    "bad_csrf_token");
		e = page_error(r, 400, "This form has expired",
		    "The form was not sent from this page. Go back and try "
		    "again.");
		goto out;
	}
	e = act(r, action, &f, &v, &answer);
	if (e == IERR_UNAVAILABLE || e == IERR_INTERNAL ||
	    e == IERR_RATE_LIMITED)
		goto out;
	if (e != IERR_OK) {
		v.error = refusal(r, e);
		r->detail = NULL;
		r->errs.n = 0;
	}
	e = show(r, v.error != NULL ? 400 : 200, cookie, &v);
out:
	json_doc_free(answer);
	if (v.qr != NULL)
		crypto_wipe(v.qr, strlen(v.qr));
	free(v.qr);
	form_clear(&f);
	crypto_wipe(cookie, sizeof(cookie));
	return e;
}
