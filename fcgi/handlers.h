/*
 * Route handlers, one h_<name>.c per group.  Each fills r->out (and
 * r->status if not 200) and returns IERR_OK, or returns the error for
 * resp_finish to answer.  By the time one runs, the route's
 * authentication and authorisation have passed.
 */
#ifndef IDENT_HANDLERS_H
#define IDENT_HANDLERS_H

#include "ierr.h"

struct req;

/* h_health.c */
enum ierr	h_health(struct req *);
enum ierr	h_health_ready(struct req *);
/* h_token.c */
enum ierr	h_token(struct req *);
enum ierr	h_refresh(struct req *);
enum ierr	h_validate(struct req *);
enum ierr	h_logout(struct req *);
enum ierr	h_jwks(struct req *);
/* h_sessions.c */
enum ierr	h_sessions_list(struct req *);
enum ierr	h_sessions_revoke_one(struct req *);
enum ierr	h_sessions_revoke_others(struct req *);
/* h_users.c */
enum ierr	h_users_create(struct req *);
enum ierr	h_users_me(struct req *);
enum ierr	h_users_list(struct req *);
enum ierr	h_users_get(struct req *);
enum ierr	h_users_update(struct req *);
enum ierr	h_users_delete(struct req *);
enum ierr	h_users_search(struct req *);
/* h_admin.c */
enum ierr	h_admin_role(struct req *);
enum ierr	h_admin_disable(struct req *);
enum ierr	h_admin_unlock(struct req *);
/* h_clients.c */
enum ierr	h_clients_create(struct req *);
enum ierr	h_clients_list(struct req *);
enum ierr	h_clients_get(struct req *);
enum ierr	h_clients_update(struct req *);
enum ierr	h_clients_delete(struct req *);
enum ierr	h_clients_rotate_secret(struct req *);
/* h_account.c */
enum ierr	h_account_page(struct req *);
enum ierr	h_account_submit(struct req *);
/* h_authorize.c */
enum ierr	h_authorize(struct req *);
enum ierr	h_login_page(struct req *);
enum ierr	h_login_submit(struct req *);
enum ierr	h_login_otp_page(struct req *);
enum ierr	h_login_otp_submit(struct req *);
enum ierr	h_consent_page(struct req *);
enum ierr	h_consent_submit(struct req *);
/* h_oauth_token.c */
enum ierr	h_oauth_token(struct req *);
enum ierr	h_oauth_revoke(struct req *);
enum ierr	h_oauth_introspect(struct req *);
/* h_oidc.c */
enum ierr	h_discovery(struct req *);
enum ierr	h_userinfo(struct req *);
enum ierr	h_logout_page(struct req *);
enum ierr	h_grants_list(struct req *);
enum ierr	h_grants_revoke(struct req *);
/* h_mfa.c */
enum ierr	h_mfa_status(struct req *);
enum ierr	h_mfa_totp_begin(struct req *);
enum ierr	h_mfa_totp_activate(struct req *);
enum ierr	h_mfa_totp_remove(struct req *);
enum ierr	h_mfa_recovery_codes(struct req *);
enum ierr	h_admin_mfa_reset(struct req *);
/* h_console.c */
enum ierr	h_console_login(struct req *);
enum ierr	h_console_analytics(struct req *);
enum ierr	h_console_users(struct req *);
enum ierr	h_console_user(struct req *);
enum ierr	h_console_delete(struct req *);
/* h_sso.c */
enum ierr	h_sso_providers(struct req *);
enum ierr	h_sso_linked(struct req *);
enum ierr	h_sso_authorize(struct req *);
/* h_profile.c */
enum ierr	h_profile_create(struct req *);
enum ierr	h_profile_get(struct req *);
enum ierr	h_profile_update(struct req *);
enum ierr	h_profile_delete(struct req *);

#endif
