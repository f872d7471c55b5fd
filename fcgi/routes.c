/*
 * The routing table: a new endpoint is one row here plus its handler.
 * Order matters where patterns overlap: /users/me before /users/{id}.
 */
#include <stdbool.h>

#include "bounds.h"
#include "handlers.h"
#include "metrics.h"
#include "page.h"
#include "router.h"

#define J	BODY_JSON, MAX_BODY
#define JO	BODY_JSON_OPT, MAX_BODY
#define F	BODY_FORM, MAX_BODY_PREAUTH
#define NB	BODY_NONE, 0

const struct route routes[] = {
	{ "GET",    "/health",			h_health,	NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/health/ready",		h_health_ready,	NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/metrics",			h_metrics,	NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/.well-known/jwks.json",	h_jwks,		NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/.well-known/openid-configuration", h_discovery, NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/.well-known/oauth-authorization-server", h_discovery, NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },

	/* The OpenID Provider (docs/OIDC.md). */
	{ "GET",    "/oauth/authorize",		h_authorize,	NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "POST",   "/oauth/authorize",		h_authorize,	F,  AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/oauth/login",		h_login_page,	NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "POST",   "/oauth/login",		h_login_submit,	F,  AUTH_NONE, AUTHZ_ANY, LIMIT_TOKEN },
	{ "GET",    "/oauth/login/otp",		h_login_otp_page, NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "POST",   "/oauth/login/otp",		h_login_otp_submit, F, AUTH_NONE, AUTHZ_ANY, LIMIT_TOKEN },
	{ "GET",    "/oauth/consent",		h_consent_page,	NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "POST",   "/oauth/consent",		h_consent_submit, F, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "POST",   "/oauth/token",		h_oauth_token,	F,  AUTH_NONE, AUTHZ_ANY, LIMIT_TOKEN },
	{ "GET",    "/oauth/userinfo",		h_userinfo,	NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "POST",   "/oauth/userinfo",		h_userinfo,	F,  AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "POST",   "/oauth/revoke",		h_oauth_revoke,	F,  AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "POST",   "/oauth/introspect",	h_oauth_introspect, F, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/oauth/logout",		h_logout_page,	NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "POST",   "/oauth/logout",		h_logout_page,	F,  AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/account/security",	h_account_page,	NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "POST",   "/account/security",	h_account_submit, F, AUTH_NONE, AUTHZ_ANY, LIMIT_TOKEN },
	{ "GET",    "/oauth/static/genesis.css", page_stylesheet, NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/auth/grants",		h_grants_list,	NB, AUTH_BEARER, AUTHZ_ANY, LIMIT_ALL },
	{ "DELETE", "/auth/grants/{id}",	h_grants_revoke, NB, AUTH_BEARER, AUTHZ_ANY, LIMIT_ALL },

	{ "POST",   "/token",			h_token,	F,  AUTH_NONE, AUTHZ_ANY, LIMIT_TOKEN },
	{ "POST",   "/refresh_token",		h_refresh,	F,  AUTH_NONE, AUTHZ_ANY, LIMIT_TOKEN },
	{ "POST",   "/token/validate",		h_validate,	NB, AUTH_VALIDATE, AUTHZ_ANY, LIMIT_ALL },
	{ "POST",   "/logout",			h_logout,	NB, AUTH_BEARER, AUTHZ_ENROL, LIMIT_ALL },

	{ "GET",    "/auth/sessions",		h_sessions_list, NB, AUTH_BEARER, AUTHZ_ANY, LIMIT_ALL },
	{ "DELETE", "/auth/sessions",		h_sessions_revoke_others, NB, AUTH_BEARER, AUTHZ_ANY, LIMIT_ALL },
	{ "DELETE", "/auth/sessions/{id}",	h_sessions_revoke_one, NB, AUTH_BEARER, AUTHZ_ANY, LIMIT_ALL },

	{ "GET",    "/auth/mfa",		h_mfa_status,	NB, AUTH_BEARER, AUTHZ_ENROL, LIMIT_ALL },
	{ "POST",   "/auth/mfa/totp",		h_mfa_totp_begin, J, AUTH_BEARER, AUTHZ_ENROL, LIMIT_ALL },
	{ "DELETE", "/auth/mfa/totp",		h_mfa_totp_remove, J, AUTH_BEARER, AUTHZ_ENROL, LIMIT_ALL },
	{ "POST",   "/auth/mfa/totp/activate",	h_mfa_totp_activate, J, AUTH_BEARER, AUTHZ_ENROL, LIMIT_ALL },
	{ "POST",   "/auth/mfa/recovery-codes",	h_mfa_recovery_codes, J, AUTH_BEARER, AUTHZ_ENROL, LIMIT_ALL },

	{ "POST",   "/users",			h_users_create,	J,  AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/users",			h_users_list,	NB, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },
	{ "POST",   "/users/search",		h_users_search,	J,  AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },
	{ "GET",    "/users/me",		h_users_me,	NB, AUTH_ACCOUNT, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/users/{id}",		h_users_get,	NB, AUTH_BEARER, AUTHZ_OWNER, LIMIT_ALL },
	{ "PUT",    "/users/{id}",		h_users_update,	J,  AUTH_BEARER, AUTHZ_OWNER, LIMIT_ALL },
	{ "DELETE", "/users/{id}",		h_users_delete,	NB, AUTH_BEARER, AUTHZ_OWNER, LIMIT_ALL },

	{ "POST",   "/admin/users/{id}/role",	h_admin_role,	J,  AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },
	{ "POST",   "/admin/users/{id}/disable", h_admin_disable, JO, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },
	{ "POST",   "/admin/users/{id}/unlock",	h_admin_unlock,	NB, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },
	{ "POST",   "/admin/users/{id}/mfa/reset", h_admin_mfa_reset, NB, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },

	{ "POST",   "/admin/clients",		h_clients_create, J, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },
	{ "GET",    "/admin/clients",		h_clients_list,	NB, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },
	{ "GET",    "/admin/clients/{id}",	h_clients_get,	NB, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },
	{ "PUT",    "/admin/clients/{id}",	h_clients_update, J, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },
	{ "DELETE", "/admin/clients/{id}",	h_clients_delete, NB, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },
	{ "POST",   "/admin/clients/{id}/rotate-secret", h_clients_rotate_secret, JO, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },

	{ "POST",   "/admin/login",		h_console_login, F, AUTH_NONE, AUTHZ_ANY, LIMIT_TOKEN },
	{ "GET",    "/admin/analytics",		h_console_analytics, NB, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },
	{ "GET",    "/admin/users",		h_console_users, NB, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },
	{ "GET",    "/admin/users/{id}",	h_console_user,	NB, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },
	{ "DELETE", "/admin/users/{id}",	h_console_delete, NB, AUTH_BEARER, AUTHZ_ADMIN, LIMIT_ALL },

	{ "GET",    "/auth/sso/providers",	h_sso_providers, NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/auth/sso/linked",		h_sso_linked,	NB, AUTH_BEARER, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/auth/sso/{id}/authorize",	h_sso_authorize, NB, AUTH_NONE, AUTHZ_ANY, LIMIT_ALL },

	{ "POST",   "/profile",			h_profile_create, J, AUTH_BEARER, AUTHZ_ANY, LIMIT_ALL },
	{ "GET",    "/profile/me",		h_profile_get,	NB, AUTH_BEARER, AUTHZ_ANY, LIMIT_ALL },
	{ "PUT",    "/profile/me",		h_profile_update, J, AUTH_BEARER, AUTHZ_ANY, LIMIT_ALL },
	{ "DELETE", "/profile/me",		h_profile_delete, NB, AUTH_BEARER, AUTHZ_ANY, LIMIT_ALL },
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);

/*
 * The routes whose clients speak OAuth 2.0: every error of theirs, those
 * of the stages before the handler too, is RFC 6749 §5.2's
 * {"error","error_description"} (docs/OIDC.md "Every error").
 */
bool
route_oauth_errors(const struct route *r)
{
	return r->handler == h_oauth_token || r->handler == h_oauth_revoke ||
	    r->handler == h_oauth_introspect;
}
