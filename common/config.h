/*
 * The configuration file: "key = value" lines, '#' comments, blank lines.
 * Every key is known (an unknown one is an error), every value checked.
 * Credentials have no default: they come from files named here or from
 * systemd's $CREDENTIALS_DIRECTORY.  deploy/genesis.conf.example documents
 * each key.
 */
#ifndef IDENT_CONFIG_H
#define IDENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

#define EX_CONFIG	78	/* sysexits.h */

struct config {
	/* database */
	char		*db_socket;
	char		*db_host;
	unsigned	 db_port;
	char		*db_name;
	char		*db_user;
	char		*db_password_file;
	unsigned	 db_connect_timeout;	/* seconds */
	unsigned	 db_rw_timeout;		/* seconds */
	bool		 db_causal_reads;	/* Galera: wsrep_sync_wait = 1 */
	/* genesis-admin migrate: the schema owner's account */
	char		*migrate_db_user;
	char		*migrate_db_password_file;
	char		*db_service_account;	/* 'user'@'host' the migrations grant to */
	char		*migrations_dir;
	/* passwords */
	unsigned	 argon2_memory_kib;
	unsigned	 argon2_iterations;
	unsigned	 argon2_parallelism;
	/* tokens */
	char		*signing_key_file;	/* PEM RSA private key */
	char		*client_secret_key_file;	/* HMAC key of client secrets */
	/* the OpenID Provider's pages */
	char		*templates_dir;
	bool		 op_cookie_secure;	/* __Host- prefix and Secure */
	char		*verify_key_files;	/* more PEM keys, comma-separated */
	char		*jwt_issuer;
	char		*jwt_audience;
	unsigned	 access_token_ttl;	/* seconds */
	unsigned	 refresh_token_ttl;	/* seconds, sliding */
	unsigned	 session_max_lifetime;	/* seconds, absolute */
	unsigned	 refresh_reuse_grace_seconds;
	/* abuse resistance (SECURITY.md C-T2, C-T7) */
	char		*shm_name;
	unsigned	 rate_limit_slots;
	unsigned	 rate_all_per_second;
	unsigned	 rate_all_burst;
	unsigned	 rate_token_per_minute;
	unsigned	 rate_token_burst;
	unsigned	 lockout_threshold;
	unsigned	 lockout_base_seconds;
	unsigned	 lockout_max_seconds;
	unsigned	 account_lockout_threshold;
	unsigned	 account_lockout_seconds;
	char		*cors_origins;		/* comma-separated, exact */
	char		*metrics_allow;		/* comma-separated addresses */
	/* second factors (SECURITY.md C-T25) */
	char		*mfa_key_file;		/* seals TOTP secrets at rest */
	char		*mfa_required_roles;	/* NULL: MFA_REQUIRED_DEFAULT */
	/* behaviour */
	bool		 registration;
	enum log_level	 log_level;
	unsigned	 max_requests;		/* per worker, 0 = no limit */
};

/*
 * Load path into *c (after config_init).  Returns 0, or -1 with a
 * one-line reason naming the key in err.
 */
void	config_init(struct config *);
int	config_load(struct config *, const char *path, char *err, size_t errsz);
/* Parse one buffer of config text; used by config_load and the tests. */
int	config_parse(struct config *, const char *text, size_t len,
	    char *err, size_t errsz);
/* Check the token settings are coherent.  Returns 0 or -1 with err. */
int	config_check_tokens(const struct config *, char *err, size_t errsz);
/* Check the rate limits and lockout settings agree.  0 or -1 with err. */
int	config_check_limits(const struct config *, char *err, size_t errsz);
/* Check the keys a worker needs are set.  Returns 0 or -1 with err. */
int	config_check_db(const struct config *, char *err, size_t errsz);
void	config_clear(struct config *);

#define MFA_REQUIRED_DEFAULT	"admin root"

/*
 * Whether role must enrol a second factor before using anything else:
 * it is in mfa_required_roles (roles separated by spaces or commas;
 * "none" names none).
 */
bool	config_mfa_required(const struct config *, const char *role);

/*
 * Call fn(arg, item) for each item of a comma-separated list, blanks
 * around it removed, empty items skipped.  Stops at the first fn that
 * returns -1 and returns -1; 0 otherwise (also -1 without memory).
 */
int	config_list_each(const char *list, int (*fn)(void *, const char *),
	    void *arg);

/*
 * Read a secret: the file named by the key file_key (value path), or,
 * when path is NULL, $CREDENTIALS_DIRECTORY/cred.  A single trailing
 * newline is removed.  Returns a NUL-terminated copy the caller wipes and
 * frees (secret_free), or NULL with the reason, naming file_key, in err.
 */
char	*config_read_secret(const char *file_key, const char *path,
	    const char *cred, char *err, size_t errsz);
void	 secret_free(char *);

#endif
