/*
 * The client registry's routes (docs/OIDC.md "Clients"): admin only,
 * every change audited with the client id as the reason.  A secret is
 * in an answer twice at most in a client's life: when it is created and
 * when it is rotated; only its keyed hash is stored.
 */
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "bounds.h"
#include "client_policy.h"
#include "clients.h"
#include "crypto.h"
#include "form.h"
#include "handlers.h"
#include "json.h"
#include "req.h"
#include "worker.h"

static enum ierr
client_not_found(struct req *r)
{
	r->detail = "Client not found";
	return IERR_NOT_FOUND;
}

/* The client named by {id}; a malformed id names none. */
static enum ierr
load_target(struct req *r, struct client *c)
{
	enum ierr	 e;

	if (!uuid_syntax_ok(r->target, strlen(r->target)))
		return client_not_found(r);
	if ((e = clients_get(r->w->db, r->target, c)) == IERR_NOT_FOUND)
		return client_not_found(r);
	return e;
}

/* A fresh secret for c; its text into secret, which the caller wipes. */
static enum ierr
new_secret(struct req *r, struct client *c, char secret[CLIENT_SECRET_LEN + 1])
{
	if (clients_new_secret(r->w->client_mac, secret, c->secret_hash) == -1)
		return IERR_INTERNAL;
	c->has_secret = true;
	return IERR_OK;
}

enum ierr
h_clients_create(struct req *r)
{
	struct client	 c;
	char		 secret[CLIENT_SECRET_LEN + 1] = "";
	char		 id[37];
	enum ierr	 e;

	memset(&c, 0, sizeof(c));
	client_policy_defaults(&c);
	if ((e = client_policy_apply(r->json, true, &c, &r->errs)) != IERR_OK)
		return e;
	if (crypto_uuid4(c.id) == -1)
		return IERR_INTERNAL;
	if (!c.is_public && (e = new_secret(r, &c, secret)) != IERR_OK)
		goto out;
	memcpy(id, c.id, sizeof(id));
	if ((e = clients_insert(r->w->db, &c)) != IERR_OK ||
	    (e = clients_get(r->w->db, id, &c)) != IERR_OK) {
		if (e == IERR_NOT_FOUND || e == IERR_DUPLICATE)
			e = IERR_UNAVAILABLE;
		goto out;
	}
	(void)req_audit(r, "client_create", "success", NULL, NULL, c.id);
	clients_write_json(&r->out, &c, c.is_public ? NULL : secret);
out:
	crypto_wipe(secret, sizeof(secret));
	crypto_wipe(&c, sizeof(c));
	return e;
}

enum ierr
h_clients_get(struct req *r)
{
	struct client	 c;
	enum ierr	 e;

	if ((e = load_target(r, &c)) != IERR_OK)
		return e;
	clients_write_json(&r->out, &c, NULL);
	return IERR_OK;
}

/*
 * PUT replaces the fields it names and keeps the others; one that
 * changes nothing writes nothing, so updated_at stays.
 */
enum ierr
h_clients_update(struct req *r)
{
	struct client	 before, c;
	enum ierr	 e;

	if ((e = load_target(r, &c)) != IERR_OK)
		return e;
	before = c;
	if ((e = client_policy_apply(r->json, false, &c, &r->errs)) != IERR_OK)
		return e;
	if (clients_same_settings(&before, &c))
		e = IERR_OK;
	else if ((e = clients_update(r->w->db, &c, NULL)) == IERR_OK)
		e = clients_get(r->w->db, r->target, &c);
	if (e == IERR_NOT_FOUND)
		return client_not_found(r);	/* deleted meanwhile */
	if (e != IERR_OK)
		return e;
	(void)req_audit(r, "client_update", "success", NULL, NULL, c.id);
	clients_write_json(&r->out, &c, NULL);
	return IERR_OK;
}

enum ierr
h_clients_delete(struct req *r)
{
	enum ierr	 e;

	if (!uuid_syntax_ok(r->target, strlen(r->target)))
		return client_not_found(r);
	if ((e = clients_delete(r->w->db, r->target, NULL)) == IERR_NOT_FOUND)
		return client_not_found(r);
	if (e != IERR_OK)
		return e;
	(void)req_audit(r, "client_delete", "success", NULL, NULL, r->target);
	req_message(r, "Client deleted");
	return IERR_OK;
}

/* The body is optional: {"grace_seconds": 0..86400}, default 0. */
enum ierr
h_clients_rotate_secret(struct req *r)
{
	static const char *const	 members[] = { "grace_seconds" };
	struct client			 c;
	struct jint			 grace;
	char				 secret[CLIENT_SECRET_LEN + 1] = "";
	enum ierr			 e;

	if (r->json != NULL && !json_doc_only(r->json, members, 1))
		verr_add(&r->errs, "body", NULL, "Extra inputs are not "
		    "permitted", "extra_forbidden");
	json_get_int(r->json, "grace_seconds", 0, CLIENT_GRACE_MAX, &grace,
	    &r->errs);
	if ((e = load_target(r, &c)) != IERR_OK)
		return e;
	if (r->errs.n > 0)
		return IERR_INVALID;
	if (c.is_public) {
		r->detail = "A public client has no secret";
		return IERR_BAD_REQUEST;
	}
	if ((e = new_secret(r, &c, secret)) != IERR_OK ||
	    (e = clients_set_secret(r->w->db, c.id, c.secret_hash,
	    grace.present ? (unsigned)grace.v : 0)) != IERR_OK ||
	    (e = clients_get(r->w->db, r->target, &c)) != IERR_OK) {
		if (e == IERR_NOT_FOUND)
			e = client_not_found(r);
		goto out;
	}
	(void)req_audit(r, "client_rotate_secret", "success", NULL, NULL, c.id);
	clients_write_json(&r->out, &c, secret);
out:
	crypto_wipe(secret, sizeof(secret));
	crypto_wipe(&c, sizeof(c));
	return e;
}

/* --- GET /admin/clients: keyset pages, as GET /users/ -------------------- */

#define CURSOR_RAW	(19 + 1 + UUID_LEN)	/* "sort|id" */

static void
cursor_encode(const struct client_cursor *c, char out[B64_ENCODED_SIZE(CURSOR_RAW)])
{
	char	 raw[CURSOR_RAW + 1];

	snprintf(raw, sizeof(raw), "%.19s|%.36s", c->sort, c->id);
	b64_encode(B64_URL, (const uint8_t *)raw, strlen(raw), out);
}

static int
cursor_decode(const char *s, size_t len, struct client_cursor *c)
{
	static const char	 shape[] = "dddd-dd-dd dd:dd:dd";
	uint8_t			 raw[CURSOR_RAW + 3];
	long			 n;

	n = b64_decode(B64_URL, s, len, raw, sizeof(raw));
	if (n != CURSOR_RAW || raw[19] != '|' ||
	    !uuid_syntax_ok((const char *)raw + 20, UUID_LEN))
		return -1;
	for (n = 0; n < 19; n++)
		if (shape[n] == 'd' ? raw[n] < '0' || raw[n] > '9' :
		    raw[n] != (uint8_t)shape[n])
			return -1;
	memcpy(c->sort, raw, 19);
	c->sort[19] = '\0';
	memcpy(c->id, raw + 20, UUID_LEN);
	c->id[UUID_LEN] = '\0';
	return 0;
}

struct page_out {
	struct req		*r;
	struct client_cursor	 last;
};

static int
write_page_client(void *arg, const struct client *c)
{
	struct page_out	*p = arg;

	clients_write_json(&p->r->out, c, NULL);
	clients_cursor_of(c, &p->last);
	return 0;
}

/* limit (1..100, default 50) and cursor; 422 with loc ["query", ...]. */
static enum ierr
page_query(struct req *r, uint64_t *limit, struct client_cursor *after,
    bool *has_after)
{
	struct form	 q;
	const char	*v;
	size_t		 len;

	*limit = 50;
	*has_after = false;
	if (form_parse(&q, r->query, strlen(r->query)) == -1) {
		verr_add(&r->errs, "query", NULL, "Malformed query string",
		    "value_error");
		return IERR_INVALID;
	}
	if ((v = form_get(&q, "limit", NULL)) != NULL &&
	    parse_u64(v, 1, 100, limit) == -1)
		verr_add(&r->errs, "query", "limit", "Input should be an "
		    "integer from 1 to 100", "int_range");
	if ((v = form_get(&q, "cursor", &len)) != NULL) {
		if (cursor_decode(v, len, after) == -1)
			verr_add(&r->errs, "query", "cursor", "Invalid cursor",
			    "value_error");
		else
			*has_after = true;
	}
	form_clear(&q);
	return r->errs.n == 0 ? IERR_OK : IERR_INVALID;
}

enum ierr
h_clients_list(struct req *r)
{
	struct page_out		 p = { r, { "", "" } };
	struct client_cursor	 after;
	uint64_t		 limit;
	bool			 has_after, more = false;
	char			 cur[B64_ENCODED_SIZE(CURSOR_RAW)], link[256];
	enum ierr		 e;

	if ((e = page_query(r, &limit, &after, &has_after)) != IERR_OK)
		return e;
	jsonw_arr_open(&r->out);
	if ((e = clients_page(r->w->db, has_after ? &after : NULL,
	    (unsigned)limit, write_page_client, &p, &more)) != IERR_OK)
		return e;
	jsonw_arr_close(&r->out);
	if (more) {
		cursor_encode(&p.last, cur);
		snprintf(link, sizeof(link), "</admin/clients?limit=%llu&"
		    "cursor=%s>; rel=\"next\"", (unsigned long long)limit, cur);
		req_add_header(r, "Link", link);
	}
	return IERR_OK;
}
