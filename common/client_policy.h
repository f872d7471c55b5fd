/*
 * What a registered client's fields may hold (docs/OIDC.md "Clients",
 * SECURITY.md C-T20), and how the body of POST or PUT /admin/clients
 * becomes a struct client.  No database here: the worker, genesis-admin,
 * the unit tests and the fuzzer call the same checks.
 */
#ifndef IDENT_CLIENT_POLICY_H
#define IDENT_CLIENT_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "ierr.h"
#include "verr.h"

struct client;
struct json_doc;

#define CLIENT_MAX_NAME_CHARS	200
#define CLIENT_GRACE_MAX	86400	/* rotate-secret's grace_seconds */

/*
 * Is s[0..len) a redirect (or post-logout redirect) URI we accept:
 * absolute, printable ASCII, at most CLIENT_MAX_URI_BYTES, no fragment,
 * no '*', no userinfo, a valid host and port, https, or http on a
 * loopback host (127.0.0.1, [::1], localhost)?  Returns NULL, or why
 * not (a literal).
 */
const char	*client_policy_uri(const char *s, size_t len);

/* A client_name: 1..200 characters, not blank, no control characters. */
const char	*client_policy_name(const char *s, size_t len);

/* An audience: 1..255 bytes of printable ASCII without spaces. */
const char	*client_policy_audience(const char *s, size_t len);

/* A new client's defaults (every field but the id, name and times). */
void		 client_policy_defaults(struct client *);

/*
 * Apply the members of doc to c: all of them for a new client (create:
 * client_name required), only those present for an update.  Then the
 * rules between fields (a public client has no client_credentials and
 * always PKCE; authorization_code needs a redirect URI and openid;
 * refresh_token needs authorization_code).  A client that becomes
 * public loses its secret.  Returns IERR_OK, or IERR_INVALID with every
 * problem in errs (loc ["body", field]); c is then partly changed and
 * must not be stored.
 */
enum ierr	 client_policy_apply(struct json_doc *, bool create,
		    struct client *, struct verrs *);

#endif
