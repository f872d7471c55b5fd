#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "config.h"
#include "jsonw.h"
#include "log.h"
#include "op.h"
#include "page.h"
#include "req.h"
#include "worker.h"

static bool
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

void
op_query_add(struct jsonw *w, bool *first, const char *name,
    const char *value)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	char			 esc[3];

	jsonw_raw(w, *first ? "" : "&", *first ? 0 : 1);
	*first = false;
	jsonw_raw(w, name, strlen(name));
	jsonw_raw(w, "=", 1);
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (unreserved(*p)) {
			jsonw_raw(w, (const char *)p, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[*p >> 4];
		esc[2] = hex[*p & 15];
		jsonw_raw(w, esc, 3);
	}
}

/* Start the redirect URI: the registered one, then '?' or '&'. */
static void
location_start(struct jsonw *w, const char *uri)
{
	jsonw_raw(w, uri, strlen(uri));
	jsonw_raw(w, strchr(uri, '?') != NULL ? "&" : "?", 1);
}

static enum ierr
send(struct req *r, int status, struct jsonw *w)
{
	const char	*loc = jsonw_text(w);
	enum ierr	 e;

	e = loc == NULL ? IERR_INTERNAL : page_redirect(r, status, loc);
	jsonw_clear(w);
	return e;
}

enum ierr
op_redirect_error(struct req *r, int status, const struct oauth_request *q,
    const char *error, const char *description)
{
	struct jsonw	 w;
	bool		 first = true;

	jsonw_init(&w);
	location_start(&w, q->redirect_uri);
	op_query_add(&w, &first, "error", error);
	op_query_add(&w, &first, "error_description", description);
	if (q->state[0] != '\0')
		op_query_add(&w, &first, "state", q->state);
	op_query_add(&w, &first, "iss", r->w->cfg->jwt_issuer);
	(void)req_audit(r, "authorize", "denied", q->user_id[0] != '\0' ?
	    q->user_id : NULL, NULL, error);
	return send(r, status, &w);
}

enum ierr
op_issue_code(struct req *r, int status, const struct oauth_request *q,
    const char *uid, const char *sid, long long auth_time, const char *amr)
{
	struct oauth_code	 c;
	struct jsonw		 w;
	char			 code[B64_ENCODED_SIZE(32)];
	bool			 first = true;
	enum ierr		 e;

	memset(&c, 0, sizeof(c));
	if (crypto_random_token(code, 32) == -1)
		return IERR_INTERNAL;
	crypto_sha256(code, strlen(code), c.hash);
	snprintf(c.client_id, sizeof(c.client_id), "%s", q->client_id);
	snprintf(c.user_id, sizeof(c.user_id), "%s", uid);
	snprintf(c.session_id, sizeof(c.session_id), "%s", sid);
	snprintf(c.redirect_uri, sizeof(c.redirect_uri), "%s", q->redirect_uri);
	snprintf(c.scope, sizeof(c.scope), "%s", q->scope);
	snprintf(c.nonce, sizeof(c.nonce), "%s", q->nonce);
	snprintf(c.code_challenge, sizeof(c.code_challenge), "%s",
	    q->code_challenge);
	snprintf(c.amr, sizeof(c.amr), "%s", amr);
	c.auth_time = auth_time;
	if ((e = oauth_code_put(r->w->db, &c, OP_CODE_TTL)) != IERR_OK) {
		crypto_wipe(code, sizeof(code));
		return e;
	}
	(void)req_audit(r, "code_issued", "success", uid, sid, NULL);
	jsonw_init(&w);
	location_start(&w, q->redirect_uri);
	op_query_add(&w, &first, "code", code);
	if (q->state[0] != '\0')
		op_query_add(&w, &first, "state", q->state);
	op_query_add(&w, &first, "iss", r->w->cfg->jwt_issuer);
	crypto_wipe(code, sizeof(code));
	return send(r, status, &w);
}

bool
op_has_word(const char *list, const char *word)
{
	return clients_list_has(list, ' ', word, strlen(word));
}

void
op_scope_within(const char *scope, const char *allowed, char *out, size_t cap)
{
	const char	*p = scope, *end;
	size_t		 n = 0, len;

	out[0] = '\0';
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if ((end = strchr(p, ' ')) == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len > 0 && clients_list_has(allowed, ' ', p, len) &&
		    !clients_list_has(out, ' ', p, len) &&
		    n + len + 2 <= cap) {
			if (n > 0)
				out[n++] = ' ';
			memcpy(out + n, p, len);
			n += len;
			out[n] = '\0';
		}
		p = end;
	}
}

enum ierr
op_consent_needed(struct req *r, const struct client *c,
    const struct oauth_request *q, const char *uid, bool *needed)
{
	char		 granted[256], covered[256];
	enum ierr	 e;

	*needed = true;
	if (op_has_word(q->prompt, "consent"))
		return IERR_OK;
	if (!c->require_consent) {
		*needed = false;
		return IERR_OK;
	}
	e = oauth_grant_scope(r->w->db, uid, c->id, granted);
	if (e == IERR_NOT_FOUND)
		return IERR_OK;
	if (e != IERR_OK)
		return e;
	/* Every word asked for was granted before. */
	op_scope_within(q->scope, granted, covered, sizeof(covered));
	op_scope_within(q->scope, q->scope, granted, sizeof(granted));
	*needed = strcmp(covered, granted) != 0;
	return IERR_OK;
}
