/*
 * The one logger: JSON lines on stderr (journald or the dev stack's log
 * file collect them).  Secrets cannot reach it by design: an event is a
 * string literal naming what happened, and its fields are typed values
 * whose keys come from a fixed list (enum log_key).  There is no
 * printf-style entry point, so no caller can format a password, token,
 * hash or header into a line.  Text that came from outside (a user agent,
 * a username) is passed as LOG_K_UNTRUSTED-class keys and is escaped and
 * cut to 64 bytes.
 */
#ifndef IDENT_LOG_H
#define IDENT_LOG_H

#include <stddef.h>

enum log_level {
	LOG_LVL_DEBUG,
	LOG_LVL_INFO,
	LOG_LVL_WARN,
	LOG_LVL_ERR,
};

enum log_key {
	LK_ROUTE,	/* route pattern, ours */
	LK_METHOD,	/* request method, checked against the route table */
	LK_STATUS,
	LK_IERR,
	LK_MS,
	LK_UID,		/* a user id: a UUID from our database */
	LK_SID,		/* a session id */
	LK_CLIENT,	/* REMOTE_ADDR */
	LK_REASON,	/* our own words */
	LK_DB_ERRNO,
	LK_DB_ERROR,	/* the server's message; holds no bound values */
	LK_KEY,		/* a configuration key name */
	LK_PATH,	/* a file name from the configuration */
	LK_COUNT,
	LK_USERNAME,	/* untrusted: escaped, cut to 64 bytes */
	LK_USER_AGENT,	/* untrusted: escaped, cut to 64 bytes */
	LK_KID,
	LK_TOKEN_ID,	/* 8 hex chars of a token's SHA-256, never the token */
	LK_EVENT_NAME,	/* an audit event, ours */
	LK_OUTCOME,
	LK_ACTOR,	/* a user id */
	LK_STORED,	/* 1 if the audit row was written */
	LK_RETRY_AFTER,
	LK_CLIENT_ID,	/* an OpenID Provider client: a UUID of ours */
	LK__MAX
};

struct log_field {
	enum log_key	 key;
	const char	*str;	/* NULL: use num */
	long long	 num;
};

#define LF_STR(k, s)	((struct log_field){ (k), (s), 0 })
#define LF_NUM(k, n)	((struct log_field){ (k), NULL, (long long)(n) })

/* prog is kept by reference: pass a literal. */
void	log_init(const char *prog, enum log_level min);
int	log_level_parse(const char *, enum log_level *);

/* Log one event with n fields. */
void	log_event(enum log_level, const char *event,
	    const struct log_field *fields, size_t n);

/* The common case: an event with at most one reason. */
void	log_reason(enum log_level, const char *event, const char *reason);

#define LOG_FIELDS(f)	(f), (sizeof(f) / sizeof((f)[0]))

#endif
