/*
 * The caller's own profile.  user_id and email come from the account;
 * phone_verified, like email_verified, is not the caller's to set.
 */
#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "handlers.h"
#include "json.h"
#include "profiles.h"
#include "req.h"
#include "users.h"
#include "view.h"
#include "worker.h"

static enum ierr
profile_not_found(struct req *r)
{
	r->detail = "Profile not found";
	return IERR_NOT_FOUND;
}

/*
 * Read the profile fields of the body into pv.  creating: required
 * fields must be there.  Optional fields may be null (cleared).
 */
static enum ierr
profile_values_parse(struct req *r, bool creating, struct profile_values *pv)
{
	const struct profile_field_def	*d;
	struct jstr			 s;
	size_t				 i;

	memset(pv, 0, sizeof(*pv));
	for (i = 0; i < PF__MAX; i++) {
		d = &profile_fields[i];
		json_get_str(r->json, d->name, d->max_chars, !d->required, &s,
		    &r->errs);
		if (creating && d->required)
			json_require(&s, d->name, &r->errs);
		if (s.s != NULL && d->required && s.len == 0)
			verr_add(&r->errs, "body", d->name, "String should "
			    "have at least 1 character", "string_too_short");
		if (s.s != NULL && d->is_date && !profile_date_ok(s.s, s.len))
			verr_add(&r->errs, "body", d->name, "Input should be a "
			    "valid date (YYYY-MM-DD)", "date_from_datetime_parsing");
		if (!s.present || (s.s == NULL && !s.null))
			continue;
		pv->set[i] = true;
		pv->v[i] = s.s;
		pv->len[i] = s.len;
	}
	return r->errs.n == 0 ? IERR_OK : IERR_INVALID;
}

static enum ierr
answer_profile(struct req *r)
{
	struct profile	 p;
	enum ierr	 e;

	if ((e = profiles_get(r->w->db, r->who.uid, &p)) == IERR_NOT_FOUND)
		return profile_not_found(r);
	if (e != IERR_OK)
		return e;
	view_profile(&r->out, &p);
	return IERR_OK;
}

enum ierr
h_profile_create(struct req *r)
{
	struct profile_values	 pv;
	struct user		 u;
	enum ierr		 e;

	if ((e = profile_values_parse(r, true, &pv)) != IERR_OK)
		return e;
	if ((e = users_get(r->w->db, r->who.uid, &u)) != IERR_OK)
		return e == IERR_NOT_FOUND ? IERR_UNAUTHENTICATED : e;
	e = profiles_create(r->w->db, u.id, u.email, &pv);
	if (e == IERR_DUPLICATE)
		r->detail = "Profile already exists for this user";
	if (e != IERR_OK)
		return e;
	return answer_profile(r);
}

enum ierr
h_profile_get(struct req *r)
{
	return answer_profile(r);
}

enum ierr
h_profile_update(struct req *r)
{
	struct profile_values	 pv;
	enum ierr		 e;

	if ((e = profile_values_parse(r, false, &pv)) != IERR_OK)
		return e;
	if ((e = profiles_update(r->w->db, r->who.uid, &pv)) == IERR_NOT_FOUND)
		return profile_not_found(r);
	if (e != IERR_OK)
		return e;
	return answer_profile(r);
}

enum ierr
h_profile_delete(struct req *r)
{
	char		 text[128];
	enum ierr	 e;

	if ((e = profiles_delete(r->w->db, r->who.uid)) == IERR_NOT_FOUND)
		return profile_not_found(r);
	if (e != IERR_OK)
		return e;
	snprintf(text, sizeof(text), "Profile with user ID %s has been "
	    "successfully deleted", r->who.uid);
	req_message(r, text);
	return IERR_OK;
}
