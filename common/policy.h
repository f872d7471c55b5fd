/*
 * The field rules of API.md and the password policy of SECURITY.md
 * C-T19.  Each check returns NULL when the value is acceptable, or the
 * message for the 422 list (a literal).
 */
#ifndef IDENT_POLICY_H
#define IDENT_POLICY_H

#include <stddef.h>

const char	*policy_username(const char *s, size_t len);
const char	*policy_email(const char *s, size_t len);
/* username and email may be NULL when unknown. */
const char	*policy_password(const char *pw, size_t len,
		    const char *username, const char *email);

#endif
