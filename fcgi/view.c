#include "jsonw.h"
#include "profiles.h"
#include "users.h"
#include "view.h"

/* "" in a fixed buffer stands for SQL NULL. */
static void
kv_opt(struct jsonw *w, const char *key, const char *s)
{
	jsonw_kv_str(w, key, s[0] == '\0' ? NULL : s);
}

void
view_user(struct jsonw *w, const struct user *u)
{
	jsonw_obj_open(w);
	view_user_members(w, u);
	jsonw_obj_close(w);
}

void
view_user_members(struct jsonw *w, const struct user *u)
{
	jsonw_kv_str(w, "id", u->id);
	jsonw_kv_str(w, "username", u->username);
	jsonw_kv_str(w, "email", u->email);
	jsonw_kv_bool(w, "disabled", u->disabled);
	jsonw_kv_bool(w, "is_active", u->is_active);
	jsonw_kv_bool(w, "email_verified", u->email_verified);
	jsonw_kv_str(w, "auth_provider", u->auth_provider);
	jsonw_kv_bool(w, "is_native", u->is_native);
	jsonw_kv_str(w, "role", u->role);
	kv_opt(w, "last_login_at", u->last_login_at);
	kv_opt(w, "last_login_method", u->last_login_method);
	kv_opt(w, "created_at", u->created_at);
	kv_opt(w, "last_modified", u->last_modified);
}

void
view_profile(struct jsonw *w, const struct profile *p)
{
	size_t	 i;

	jsonw_obj_open(w);
	jsonw_kv_int(w, "id", p->id);
	jsonw_kv_str(w, "user_id", p->user_id);
	for (i = 0; i < PF__MAX; i++)
		jsonw_kv_str(w, profile_fields[i].name,
		    p->f[i].null ? NULL : p->f[i].v);
	jsonw_kv_str(w, "email", p->email);
	jsonw_kv_bool(w, "phone_verified", p->phone_verified);
	jsonw_kv_str(w, "updated_at", p->updated_at[0] != '\0' ?
	    p->updated_at : NULL);
	jsonw_obj_close(w);
}
