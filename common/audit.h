/*
 * The audit trail (SECURITY.md C-T5): each security event is a row of
 * audit_log and one JSON line in the log.  A record holds when, what,
 * the outcome, whose account, from where, which session, and a reason
 * or actor: never a password, token or hash (there is no field for one).
 */
#ifndef IDENT_AUDIT_H
#define IDENT_AUDIT_H

#include <stdbool.h>

#include "ierr.h"

struct db;

struct audit_event {
	const char	*event;		/* "login", "token_refresh", ... */
	const char	*outcome;	/* "success", "failure", "denied" */
	const char	*user_id;	/* the account concerned, or NULL */
	const char	*client;	/* REMOTE_ADDR */
	const char	*session_id;	/* or NULL */
	const char	*reason;	/* our own words, or NULL */
	const char	*actor_id;	/* who acted on user_id, if not the user */
	const char	*client_id;	/* the OpenID Provider's client, or NULL */
};

/*
 * Insert the row (inside the caller's transaction, if one is open) and
 * log the line.  Returns the insert's ierr; the line is logged either way.
 */
enum ierr	audit_write(struct db *, const struct audit_event *);
/*
 * Only the line: for an event whose row the database writes itself (a
 * refresh's, by the trigger of migration 0009), or audit_write's own.
 */
void		audit_log_line(const struct audit_event *, bool stored);

#endif
