#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_op.h"
#include "b64.h"
#include "bounds.h"
#include "config.h"
#include "crypto.h"
#include "form.h"
#include "json.h"
#include "policy.h"
#include "pwhash.h"
#include "handlers.h"
#include "req.h"
#include "sessions.h"
#include "users.h"
#include "view.h"
#include "worker.h"

struct user_new {
	struct jstr	 username;
	struct jstr	 email;
	struct jstr	 password;
};

/* Read and check the body of POST /users/; only these fields are used. */
static enum ierr
user_new_parse(struct req *r, struct user_new *u)
{
	struct verrs	*v = &r->errs;
	const char	*why;

	json_get_str(r->json, "username", MAX_USERNAME_CHARS, false,
	    &u->username, v);
	json_get_str(r->json, "email", MAX_EMAIL_BYTES, false, &u->email, v);
	json_get_str(r->json, "password", MAX_PASSWORD_BYTES, false,
	    &u->password, v);
	json_require(&u->username, "username", v);
	json_require(&u->email, "email", v);
	json_require(&u->password, "password", v);
	if (u->username.s != NULL &&
	    (why = policy_username(u->username.s, u->username.len)) != NULL)
		verr_add(v, "body", "username", why, "value_error");
	if (u->email.s != NULL &&
	    (why = policy_email(u->email.s, u->email.len)) != NULL)
		verr_add(v, "body", "email", why, "value_error");
	if (u->password.s != NULL && (why = policy_password(u->password.s,
	    u->password.len, u->username.s, u->email.s)) != NULL)
		verr_add(v, "body", "password", why, "value_error");
	return v->n == 0 ? IERR_OK : IERR_INVALID;
}

static enum ierr
duplicate(struct req *r, bool email)
{
	r->detail = email ? "Email already registered" : "Username already taken";
	return IERR_DUPLICATE;
}

enum ierr
h_users_create(struct req *r)
{
	struct user_new	 u;
	struct user	 created;
	char		 id[37];
	char		*hash = NULL;
	bool		 email_taken, name_taken;
	enum ierr	 e;

	if (!r->w->cfg->registration) {
		r->detail = "Self-registration is disabled";
		return IERR_FORBIDDEN;
	}
	if ((e = user_new_parse(r, &u)) != IERR_OK)
		return e;
	/* Check before hashing: a taken name should not cost an argon2id. */
	if ((e = users_taken(r->w->db, u.email.s, u.email.len, u.username.s,
	    u.username.len, &email_taken, &name_taken)) != IERR_OK)
		return e;
	if (email_taken || name_taken)
		return duplicate(r, email_taken);
	if (crypto_uuid4(id) == -1 ||
	    (hash = pwhash_make(u.password.s, u.password.len)) == NULL)
		return IERR_INTERNAL;
	e = users_insert(r->w->db, id, u.username.s, u.username.len,
	    u.email.s, u.email.len, hash, &email_taken);
	crypto_wipe(hash, strlen(hash));
	free(hash);
	if (e == IERR_DUPLICATE)
		return duplicate(r, email_taken);
	if (e != IERR_OK || (e = users_get(r->w->db, id, &created)) != IERR_OK)
		return e == IERR_NOT_FOUND ? IERR_UNAVAILABLE : e;
	(void)req_audit(r, "user_create", "success", id, NULL, "registration");
	view_user(&r->out, &created);
	return IERR_OK;
}

static enum ierr
user_not_found(struct req *r)
{
	r->detail = "User not found";
	return IERR_NOT_FOUND;
}

/* Load r->target (the {id} of an owner-or-admin route). */
static enum ierr
load_target(struct req *r, struct user *u)
{
	enum ierr	 e;

	if (!uuid_syntax_ok(r->target, strlen(r->target)))
		return user_not_found(r);
	if ((e = users_get(r->w->db, r->target, u)) == IERR_NOT_FOUND)
		return user_not_found(r);
	return e;
}

/* The row came with the authentication (AUTH_ACCOUNT). */
enum ierr
h_users_me(struct req *r)
{
	view_user(&r->out, &r->account);
	return IERR_OK;
}

enum ierr
h_users_get(struct req *r)
{
	struct user	 u;
	enum ierr	 e;

	if ((e = load_target(r, &u)) != IERR_OK)
		return e;
	view_user(&r->out, &u);
	return IERR_OK;
}

/* --- GET /users/: keyset pages ------------------------------------------ */

#define CURSOR_RAW	(19 + 1 + UUID_LEN)	/* "sort|id" */

static void
cursor_encode(const struct user_cursor *c, char *out, size_t cap)
{
	char	 raw[CURSOR_RAW + 1];

	snprintf(raw, sizeof(raw), "%.19s|%.36s", c->sort, c->id);
	if (cap >= B64_ENCODED_SIZE(CURSOR_RAW))
		b64_encode(B64_URL, (const uint8_t *)raw, strlen(raw), out);
	else
		out[0] = '\0';
}

static int
cursor_decode(const char *s, size_t len, struct user_cursor *c)
{
	uint8_t	 raw[CURSOR_RAW + 3];
	long	 n;

	n = b64_decode(B64_URL, s, len, raw, sizeof(raw));
	if (n != CURSOR_RAW || raw[19] != '|' ||
	    !uuid_syntax_ok((const char *)raw + 20, UUID_LEN))
		return -1;
	memcpy(c->sort, raw, 19);
	c->sort[19] = '\0';
	memcpy(c->id, raw + 20, UUID_LEN);
	c->id[UUID_LEN] = '\0';
	/* Shape of "YYYY-MM-DD HH:MM:SS": digits where digits belong. */
	for (n = 0; n < 19; n++)
		if ((n == 4 || n == 7) ? c->sort[n] != '-' :
		    n == 10 ? c->sort[n] != ' ' :
		    (n == 13 || n == 16) ? c->sort[n] != ':' :
		    (c->sort[n] < '0' || c->sort[n] > '9'))
			return -1;
	return 0;
}

struct page_out {
	struct req		*r;
	struct user_cursor	 last;
};

static int
write_page_user(void *arg, const struct user *u, const struct user_cursor *c)
{
	struct page_out	*p = arg;

	view_user(&p->r->out, u);
	p->last = *c;
	return 0;
}

/* limit and cursor of the query string; 422 with loc ["query", ...]. */
static enum ierr
page_query(struct req *r, uint64_t *limit, struct user_cursor *after,
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
h_users_list(struct req *r)
{
	struct page_out		 p = { r, { "", "" } };
	struct user_cursor	 after;
	uint64_t		 limit;
	bool			 has_after, more = false;
	char			 cur[B64_ENCODED_SIZE(CURSOR_RAW)], link[256];
	enum ierr		 e;

	if ((e = page_query(r, &limit, &after, &has_after)) != IERR_OK)
		return e;
	jsonw_arr_open(&r->out);
	if ((e = users_page(r->w->db, has_after ? &after : NULL,
	    (unsigned)limit, write_page_user, &p, &more)) != IERR_OK)
		return e;
	jsonw_arr_close(&r->out);
	if (more) {
		cursor_encode(&p.last, cur, sizeof(cur));
		snprintf(link, sizeof(link), "</users/?limit=%llu&cursor=%s>; "
		    "rel=\"next\"", (unsigned long long)limit, cur);
		req_add_header(r, "Link", link);
	}
	return IERR_OK;
}

/* --- PUT /users/{id} ------------------------------------------------------ */

struct user_edit {
	struct jstr	 username, email, password, current;
};

static enum ierr
user_edit_parse(struct req *r, const struct user *u, struct user_edit *ed)
{
	struct verrs	*v = &r->errs;
	const char	*why;

	json_get_str(r->json, "username", MAX_USERNAME_CHARS, false,
	    &ed->username, v);
	json_get_str(r->json, "email", MAX_EMAIL_BYTES, false, &ed->email, v);
	json_get_str(r->json, "password", MAX_PASSWORD_BYTES, false,
	    &ed->password, v);
	json_get_str(r->json, "current_password", MAX_PASSWORD_BYTES, false,
	    &ed->current, v);
	if (ed->username.s != NULL &&
	    (why = policy_username(ed->username.s, ed->username.len)) != NULL)
		verr_add(v, "body", "username", why, "value_error");
	if (ed->email.s != NULL &&
	    (why = policy_email(ed->email.s, ed->email.len)) != NULL)
		verr_add(v, "body", "email", why, "value_error");
	if (ed->password.s != NULL && (why = policy_password(ed->password.s,
	    ed->password.len, ed->username.s != NULL ? ed->username.s :
	    u->username, ed->email.s != NULL ? ed->email.s : u->email)) != NULL)
		verr_add(v, "body", "password", why, "value_error");
	/* Changing one's own password needs the current one (API.md). */
	if (ed->password.s != NULL && strcmp(u->id, r->who.uid) == 0 &&
	    !ed->current.present)
		verr_add(v, "body", "current_password", "Field required",
		    "missing");
	return v->n == 0 ? IERR_OK : IERR_INVALID;
}

static enum ierr
current_password_ok(struct req *r, const struct user_edit *ed)
{
	char			 stored[512];
	enum pwhash_result	 res;
	enum ierr		 e;

	if ((e = users_hash(r->w->db, r->who.uid, stored, sizeof(stored))) !=
	    IERR_OK)
		return e;
	res = pwhash_verify(stored, ed->current.s, ed->current.len);
	crypto_wipe(stored, sizeof(stored));
	if (res == PWH_MATCH || res == PWH_MATCH_REHASH)
		return IERR_OK;
	r->detail = "Current password is incorrect";
	return IERR_BAD_REQUEST;
}

/* Which of the new username and email are taken by someone else. */
static enum ierr
edit_duplicates(struct req *r, const struct user *u, const struct user_edit *ed)
{
	struct user	 other;
	enum ierr	 e;

	if (ed->email.s != NULL) {
		e = users_find(r->w->db, true, ed->email.s, ed->email.len, &other);
		if (e == IERR_OK && strcmp(other.id, u->id) != 0)
			return duplicate(r, true);
		if (e != IERR_OK && e != IERR_NOT_FOUND)
			return e;
	}
	if (ed->username.s != NULL) {
		e = users_find(r->w->db, false, ed->username.s,
		    ed->username.len, &other);
		if (e == IERR_OK && strcmp(other.id, u->id) != 0)
			return duplicate(r, false);
		if (e != IERR_OK && e != IERR_NOT_FOUND)
			return e;
	}
	return IERR_OK;
}

enum ierr
h_users_update(struct req *r)
{
	struct user		 u;
	struct user_edit	 ed;
	struct user_change	 c = { 0 };
	char			 id[37], *hash = NULL;
	bool			 email_clash = false;
	enum ierr		 e;

	if ((e = load_target(r, &u)) != IERR_OK)
		return e;
	/* Only a root acts on admins and roots (API.md "Roles"). */
	if (strcmp(u.id, r->who.uid) != 0 && strcmp(r->who.role, "root") != 0 &&
	    (strcmp(u.role, "admin") == 0 || strcmp(u.role, "root") == 0))
		return IERR_FORBIDDEN;
	if ((e = user_edit_parse(r, &u, &ed)) != IERR_OK ||
	    (e = edit_duplicates(r, &u, &ed)) != IERR_OK)
		return e;
	if (ed.password.s != NULL) {
		if (strcmp(u.id, r->who.uid) == 0 &&
		    (e = current_password_ok(r, &ed)) != IERR_OK)
			return e;
		if ((hash = pwhash_make(ed.password.s, ed.password.len)) == NULL)
			return IERR_INTERNAL;
	}
	c.username = ed.username.s;
	c.usernamelen = ed.username.len;
	c.email = ed.email.s;
	c.emaillen = ed.email.len;
	c.hash = hash;
	memcpy(id, u.id, sizeof(id));
	e = users_update(r->w->db, id, &c, &email_clash);
	if (hash != NULL) {
		crypto_wipe(hash, strlen(hash));
		free(hash);
		/* A new password ends every session, this one included. */
		if (e == IERR_OK)
			e = sessions_revoke_user(r->w->db, id, NULL,
			    "password_change", NULL);
	}
	if (e == IERR_DUPLICATE)
		return duplicate(r, email_clash);
	if (e != IERR_OK || (e = users_get(r->w->db, id, &u)) != IERR_OK)
		return e == IERR_NOT_FOUND ? user_not_found(r) : e;
	if (c.username != NULL || c.email != NULL)
		(void)req_audit(r, "user_update", "success", id, NULL, NULL);
	if (c.hash != NULL)
		(void)req_audit(r, "password_change", "success", id, NULL,
		    "sessions_revoked");
	view_user(&r->out, &u);
	return IERR_OK;
}

enum ierr
h_users_delete(struct req *r)
{
	struct user		 u;
	enum users_admin_op	 op = USERS_DELETE;
	char			 text[128];
	enum ierr		 e;

	if ((e = load_target(r, &u)) != IERR_OK ||
	    (e = admin_op_run(r, u.id, &op)) != IERR_OK)
		return e;
	snprintf(text, sizeof(text), "User with ID %s has been successfully "
	    "deleted", u.id);
	req_message(r, text);
	return IERR_OK;
}

enum ierr
h_users_search(struct req *r)
{
	struct jstr	 email, username;
	struct user	 u;
	enum ierr	 e;

	json_get_str(r->json, "email", MAX_EMAIL_BYTES, true, &email, &r->errs);
	json_get_str(r->json, "username", MAX_USERNAME_CHARS, true, &username,
	    &r->errs);
	if (r->errs.n > 0)
		return IERR_INVALID;
	if (email.s == NULL && username.s == NULL) {
		verr_add(&r->errs, "body", NULL, "Either email or username "
		    "is required", "missing");
		return IERR_INVALID;
	}
	e = email.s != NULL ?
	    users_find(r->w->db, true, email.s, email.len, &u) :
	    users_find(r->w->db, false, username.s, username.len, &u);
	if (e == IERR_NOT_FOUND)
		return user_not_found(r);
	if (e != IERR_OK)
		return e;
	view_user(&r->out, &u);
	return IERR_OK;
}
