#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "clients.h"
#include "config.h"
#include "jwt_memo.h"
#include "mfa.h"
#include "req.h"
#include "sessions.h"
#include "users.h"
#include "worker.h"

static enum ierr
unauthenticated(struct req *r, const char *detail)
{
	r->detail = detail;
	return IERR_UNAUTHENTICATED;
}

enum ierr
auth_bearer(struct req *r, const char **tok, size_t *len)
{
	const char	*h = req_param(r, "HTTP_AUTHORIZATION");
	size_t		 n;

	*tok = NULL;
	*len = 0;
	if (h == NULL || *h == '\0')
		return IERR_OK;
	n = strlen(h);
	/*
	 * One scheme, one token: a second header joined with a comma, white
	 * space or control bytes inside, or an over-long value all fail.
	 */
	if (n <= 7 || n > 7 + MAX_TOKEN_LEN || strncasecmp(h, "Bearer ", 7) != 0 ||
	    strcspn(h + 7, " ,\t\r\n") != n - 7)
		return unauthenticated(r, "Could not validate credentials");
	*tok = h + 7;
	*len = n - 7;
	return IERR_OK;
}

/*
 * The session and its user, in one query: for AUTH_ACCOUNT routes the
 * whole row of the user (r->account), which their handler shows.
 */
static enum ierr
load_principal(struct req *r, const struct jwt_claims *c)
{
	struct principal	*p = &r->who;
	enum ierr		 e;

	if (r->route->auth != AUTH_ACCOUNT)
		return sessions_principal(r->w->db, c->sid, c->sub, p);
	if ((e = users_get_in_session(r->w->db, c->sub, c->sid,
	    &r->account)) != IERR_OK)
		return e;
	snprintf(p->uid, sizeof(p->uid), "%s", r->account.id);
	snprintf(p->sid, sizeof(p->sid), "%s", c->sid);
	snprintf(p->username, sizeof(p->username), "%s", r->account.username);
	snprintf(p->role, sizeof(p->role), "%s", r->account.role);
	p->disabled = r->account.disabled;
	return IERR_OK;
}

/* A client's own token (client_credentials): the client must be live. */
static enum ierr
client_principal(struct req *r, const struct jwt_claims *c)
{
	struct client	*cl;
	enum ierr	 e;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return IERR_INTERNAL;
	e = clients_get(r->w->db, c->client_id, cl);
	if (e == IERR_OK && !cl->is_active)
		e = IERR_NOT_FOUND;
	free(cl);
	if (e == IERR_NOT_FOUND)
		return unauthenticated(r, "Could not validate credentials");
	if (e != IERR_OK)
		return e;
	memset(&r->who, 0, sizeof(r->who));
	snprintf(r->who.client_id, sizeof(r->who.client_id), "%s", c->client_id);
	snprintf(r->who.scope, sizeof(r->who.scope), "%s", c->scope);
	r->authenticated = true;
	return IERR_OK;
}

enum ierr
authn_check(struct req *r)
{
	struct jwt_claims	 c;
	const char		*tok;
	size_t			 len;
	enum ierr		 e;

	if (r->route->auth == AUTH_NONE)
		return IERR_OK;
	if ((e = auth_bearer(r, &tok, &len)) != IERR_OK)
		return e;
	if (tok == NULL)
		return unauthenticated(r, "Not authenticated");
	if (len >= 3 && memcmp(tok, "rt_", 3) == 0)
		return unauthenticated(r, "Refresh token cannot be used as "
		    "access token");
	if (jwt_memo_verify(r->w->verified, tok, len, (long long)time(NULL),
	    &c) != IERR_OK)
		return unauthenticated(r, "Could not validate credentials");
	/*
	 * A relying party's token never drives our own management routes
	 * (SECURITY.md C-T23); only validation serves other services.
	 */
	if (c.client_id[0] != '\0' && r->route->auth != AUTH_VALIDATE)
		return IERR_FORBIDDEN;
	if (c.sid[0] == '\0')
		return client_principal(r, &c);
	/* The token alone is not enough: its session and user must live. */
	e = load_principal(r, &c);
	if (e == IERR_NOT_FOUND)
		return unauthenticated(r, "Could not validate credentials");
	if (e != IERR_OK)
		return e;
	snprintf(r->who.client_id, sizeof(r->who.client_id), "%s", c.client_id);
	snprintf(r->who.scope, sizeof(r->who.scope), "%s", c.scope);
	if (r->who.disabled) {
		if (r->route->auth == AUTH_VALIDATE)
			return unauthenticated(r, "Could not validate credentials");
		r->detail = "User account is deactivated";
		return IERR_FORBIDDEN;
	}
	r->authenticated = true;
	return IERR_OK;
}

/*
 * mfa_required_roles (SECURITY.md C-T25): a caller of such a role with
 * no active TOTP may only enrol (AUTHZ_ENROL routes).  One primary-key
 * lookup, for those roles only.
 */
static enum ierr
mfa_enrolled(struct req *r)
{
	bool		 active;
	enum ierr	 e;

	if (r->route->authz == AUTHZ_ENROL ||
	    !config_mfa_required(r->w->cfg, r->who.role))
		return IERR_OK;
	if ((e = mfa_totp_active(r->w->db, r->who.uid, &active)) != IERR_OK ||
	    active)
		return e;
	if (r->route->auth == AUTH_VALIDATE)
		return unauthenticated(r, "Could not validate credentials");
	r->detail = "Two-factor enrolment required";
	return IERR_FORBIDDEN;
}

enum ierr
authz_check(struct req *r)
{
	const struct route_params	*p = &r->params;
	bool				 admin;
	enum ierr			 e;

	if (r->route->auth == AUTH_NONE)
		return IERR_OK;
	if ((e = mfa_enrolled(r)) != IERR_OK)
		return e;
	/* API.md: wherever "admin" is required, root qualifies. */
	admin = strcmp(r->who.role, "admin") == 0 ||
	    strcmp(r->who.role, "root") == 0;
	if (p->n == 1 && p->v[0].len == 2 && memcmp(p->v[0].s, "me", 2) == 0)
		memcpy(r->target, r->who.uid, sizeof(r->target));
	else if (p->n == 1 && p->v[0].len < sizeof(r->target)) {
		memcpy(r->target, p->v[0].s, p->v[0].len);
		r->target[p->v[0].len] = '\0';
	}
	/* Ids are lowercase (API.md); a longer one names nobody. */
	for (char *t = r->target; *t != '\0'; t++)
		*t = (char)tolower((unsigned char)*t);
	switch (r->route->authz) {
	case AUTHZ_ANY:
	case AUTHZ_ENROL:
		return IERR_OK;
	case AUTHZ_ADMIN:
		return admin ? IERR_OK : IERR_FORBIDDEN;
	case AUTHZ_OWNER:
		if (admin || strcmp(r->target, r->who.uid) == 0)
			return IERR_OK;
		return IERR_FORBIDDEN;
	}
	return IERR_FORBIDDEN;
}
