#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "config.h"
#include "crypto.h"
#include "json.h"
#include "policy.h"
#include "pwhash.h"
#include "handlers.h"
#include "req.h"
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
	view_user(&r->out, &created);
	return IERR_OK;
}
