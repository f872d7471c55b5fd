/*
 * The sessions table: one row per login, holding the SHA-256 of the
 * current refresh token and of the one before it.  Rotation is one
 * UPDATE guarded by the row's generation counter (SECURITY.md C-T11), so
 * two presentations of one token can never both win.
 */
#ifndef IDENT_SESSIONS_H
#define IDENT_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto.h"
#include "ierr.h"
#include "users.h"

struct db;

struct session_new {
	const char	*id;
	const char	*user_id;
	const uint8_t	*hash;		/* SHA-256 of the refresh token */
	const char	*ip;
	const char	*user_agent;	/* sanitised, may be NULL */
	const char	*device_name;	/* useragent.h's name, may be NULL */
	const char	*method;	/* "password", "password+otp", ... */
	unsigned	 ttl;		/* refresh token lifetime */
	unsigned	 max_lifetime;	/* absolute */
	/* The OpenID Provider's (NULL: a first-party session, kind "api"). */
	const char	*kind;		/* "browser" or "client" */
	const uint8_t	*browser_hash;	/* SHA-256 of a browser's cookie */
	long long	 auth_time;	/* when the password was typed; 0: now */
	const char	*amr;		/* "pwd", "pwd otp" */
	const char	*client_id;
	const char	*parent_id;	/* the browser session of a client's */
	const char	*scope;
};

/* A browser's session with the OpenID Provider, found by its cookie. */
struct browser_session {
	char		 id[37];
	char		 user_id[37];
	char		 username[401];
	char		 role[17];
	char		 amr[33];
	long long	 auth_time;	/* Unix time */
	bool		 disabled;
};

/* A session found by a presented refresh token. */
struct session_ref {
	char		 id[37];
	char		 user_id[37];
	long long	 generation;
	bool		 is_current;	/* the token is the current one */
	bool		 is_previous;	/* the one retired last */
	bool		 active;	/* not revoked, not expired */
	bool		 user_disabled;
	long long	 since_rotation;	/* seconds */
	char		 username[401];	/* of the user, for the new token */
	char		 role[17];
	char		 client_id[37];	/* "" for a first-party session */
	char		 scope[256];	/* a client's session's scope */
	char		 parent_id[37];	/* its browser session, or "" */
	char		 amr[33];
	long long	 auth_time;	/* Unix time, 0 when unknown */
	char		 login_method[33];	/* of the session's login */
};

/* The caller of a request with an access token: session and user. */
struct principal {
	char		 uid[37];	/* "" for a client's own token */
	char		 sid[37];
	char		 username[401];
	char		 role[17];
	bool		 disabled;
	char		 client_id[37];	/* of a token issued to a client */
	char		 scope[256];
};

struct session_view {
	char		 id[37];
	char		 ip_address[46];
	char		 device_name[401];
	char		 login_method[33];
	char		 created_at[TS_LEN + 1];
	char		 last_activity_at[TS_LEN + 1];
};

enum ierr	sessions_create(struct db *, const struct session_new *);
/* How many sessions of uid are active (not revoked, not expired). */
enum ierr	sessions_count_active(struct db *, const char *uid,
		    long long *count);
/* IERR_NOT_FOUND when the hash is no token, current or retired, of a session. */
enum ierr	sessions_find_refresh(struct db *, const uint8_t hash[SHA256_LEN],
		    struct session_ref *out);
/*
 * Rotate if the generation is still gen; *won tells whether it was.  One
 * statement, atomic by itself: the database's trigger (migration 0009)
 * keeps the retired token for replay detection and writes the audit row
 * of the refresh from client.
 */
enum ierr	sessions_rotate(struct db *, const char *id, long long gen,
		    const uint8_t newhash[SHA256_LEN], const char *client,
		    unsigned ttl, bool *won);
enum ierr	sessions_revoke(struct db *, const char *id, const char *reason);
/* Revoke a session and every session that has it as parent. */
enum ierr	sessions_revoke_family(struct db *, const char *id,
		    const char *reason);
/* The live browser session whose cookie hashes to hash; IERR_NOT_FOUND. */
enum ierr	sessions_find_browser(struct db *, const uint8_t hash[SHA256_LEN],
		    struct browser_session *out);
/* Revoke uid's live sessions of client cid (a revoked grant). */
enum ierr	sessions_revoke_client(struct db *, const char *uid,
		    const char *cid, const char *reason);
/* Revoke every active session of a user but keep_sid (may be NULL). */
enum ierr	sessions_revoke_user(struct db *, const char *uid,
		    const char *keep_sid, const char *reason,
		    unsigned long long *count);
/* Revoke one active session of uid; *found false if there is none. */
enum ierr	sessions_revoke_own(struct db *, const char *uid,
		    const char *sid, bool *found);
/*
 * The hint that lets MariaDB's query cache keep a statement's answer
 * (query_cache_type = DEMAND), in a comment only MariaDB reads: MySQL 8
 * has no query cache and would refuse SQL_CACHE.
 */
#define KEEP_ANSWER	"/*M! SQL_CACHE */ "
/*
 * The expires_at of sessions s, in seconds since 1970 (UTC), for a
 * statement the query cache may keep: the worker compares it with its
 * clock (SESSION_LIVE).  TIMESTAMPDIFF, unlike UNIX_TIMESTAMP, goes on
 * past 2038 in MariaDB 10.11.
 */
#define SESSION_EXPIRES_EPOCH \
	"TIMESTAMPDIFF(SECOND, '1970-01-01', s.expires_at)"
#define SESSION_LIVE(expires_epoch) \
	((expires_epoch) > (long long)time(NULL))
/*
 * The one query behind every authenticated request: the session is
 * active and belongs to uid, and the user exists.  IERR_NOT_FOUND if not.
 */
enum ierr	sessions_principal(struct db *, const char *sid, const char *uid,
		    struct principal *out);
/*
 * Delete the sessions that ended (revoked, or expired) more than days
 * days ago, with their retired refresh tokens (ON DELETE CASCADE); the
 * audit rows stay.  *count gets how many went.
 */
enum ierr	sessions_purge(struct db *, unsigned days,
		    unsigned long long *count);
/* Active sessions of uid (at most 100, newest first); fn per row. */
enum ierr	sessions_list(struct db *, const char *uid,
		    int (*fn)(void *arg, const struct session_view *),
		    void *arg, size_t *total);

#endif
