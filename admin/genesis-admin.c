/*
 * genesis-admin: the operator's command line.  It reads the same
 * configuration file as the workers.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "bounds.h"
#include "client_policy.h"
#include "clients.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "jsonw.h"
#include "log.h"
#include "jwt.h"
#include "mfa.h"
#include "migrate.h"
#include "policy.h"
#include "pwhash.h"
#include "ratelimit.h"
#include "sessions.h"
#include "shm.h"
#include "users.h"

#define PROG	"genesis-admin"

#ifndef MIGRATIONSDIR
#define MIGRATIONSDIR	"/usr/local/share/genesis/migrations"
#endif

static void
usage(void)
{
	fprintf(stderr,
	    "usage: %s [-c config] command [args]\n"
	    "\n"
	    "commands:\n"
	    "  migrate          apply pending migrations (as migrate_db_user)\n"
	    "  migrate --check  exit 1 if migrations are pending (as db_user)\n"
	    "  create-admin [--root] USERNAME EMAIL\n"
	    "                   create an admin (with --root, a root: the\n"
	    "                   role that manages admins); the password is read\n"
	    "                   from standard input (one line), never from argv\n"
	    "  unlock USER      clear USER's login lockouts (all addresses)\n"
	    "  disable USER     disable USER and end every session of theirs\n"
	    "  revoke-sessions USER\n"
	    "                   end every session of USER\n"
	    "  mfa-reset USER   remove USER's second factor (TOTP and recovery\n"
	    "                   codes) and end every session of theirs\n"
	    "  purge-sessions [DAYS]\n"
	    "                   delete sessions that ended (revoked or expired)\n"
	    "                   more than DAYS ago (default 30); audit rows stay\n"
	    "  audit [--since YYYY-MM-DD[THH:MM:SS]] [--user USER]\n"
	    "                   print audit_log rows, oldest first (at most 10000)\n"
	    "  client add NAME [--redirect-uri URI]... [--post-logout-uri URI]...\n"
	    "             [--scope S]... [--audience A]... [--grant G]...\n"
	    "             [--auth-method M] [--require-pkce] [--require-consent]\n"
	    "             [--inactive]\n"
	    "                   register an OpenID Connect client; prints its id\n"
	    "                   and, for a confidential client, its secret (once)\n"
	    "  client list      every client, one per line\n"
	    "  client show ID   one client as JSON (never its secret)\n"
	    "  client rotate-secret ID [GRACE_SECONDS]\n"
	    "                   a new secret, printed once; the old one stays\n"
	    "                   valid for GRACE_SECONDS (0..86400, default 0)\n"
	    "  client remove ID delete a client; its grants and sessions end\n"
	    "  new-key PATH [BITS]\n"
	    "                   write a new RSA signing key (mode 0600) and\n"
	    "                   print how to roll it in without logging anyone out\n"
	    "\n"
	    "USER is a user id, an email or a username.\n"
	    "The configuration is -c, else $GENESIS_CONFIG.\n", PROG);
	exit(64);
}

static void
die_config(const char *why)
{
	fprintf(stderr, "%s: %s\n", PROG, why);
	exit(EX_CONFIG);
}

/* Connect as the schema owner (migrate) or as the service account. */
static struct db *
open_db(const struct config *c, bool owner)
{
	char		 err[512];
	char		*pw;
	struct db	*db;
	const char	*user = owner ? c->migrate_db_user : c->db_user;

	if (user == NULL)
		die_config(owner ? "migrate_db_user: not set" : "db_user: not set");
	pw = owner ?
	    config_read_secret("migrate_db_password_file",
	    c->migrate_db_password_file, "migrate_db_password", err, sizeof(err)) :
	    config_read_secret("db_password_file", c->db_password_file,
	    "db_password", err, sizeof(err));
	if (pw == NULL)
		die_config(err);
	if ((db = db_new(c, user, pw)) == NULL)
		die_config("out of memory");
	secret_free(pw);
	return db;
}

static int
cmd_migrate(const struct config *c, int argc, char *argv[])
{
	struct db	*db;
	bool		 check = false;
	int		 rc;

	if (argc == 2 && strcmp(argv[1], "--check") == 0)
		check = true;
	else if (argc != 1)
		usage();
	db = open_db(c, !check);
	if (db_ping(db) != IERR_OK) {
		fprintf(stderr, "%s: cannot connect to the database\n", PROG);
		db_free(db);
		return 69;	/* EX_UNAVAILABLE */
	}
	rc = migrate_run(db, c->migrations_dir != NULL ? c->migrations_dir :
	    MIGRATIONSDIR, c->db_service_account, check, stdout);
	db_free(db);
	return rc == -1 ? 1 : rc;
}

/* One line of standard input, without its newline; NULL if none. */
static char *
read_password(size_t *len)
{
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;

	if ((n = getline(&line, &cap, stdin)) <= 0) {
		free(line);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	*len = (size_t)n;
	return line;
}

static int
cmd_create_admin(const struct config *c, int argc, char *argv[])
{
	struct pwhash_params	 pp = { c->argon2_memory_kib,
	    c->argon2_iterations, c->argon2_parallelism };
	const char		*why;
	char			 id[37], *pw, *hash = NULL;
	size_t			 pwlen = 0;
	struct db		*db;
	bool			 email_clash = false, root = false;
	enum ierr		 e;

	if (argc == 4 && strcmp(argv[1], "--root") == 0) {
		root = true;
		argc--;
		argv++;
	}
	if (argc != 3)
		usage();
	if ((why = policy_username(argv[1], strlen(argv[1]))) != NULL ||
	    (why = policy_email(argv[2], strlen(argv[2]))) != NULL) {
		fprintf(stderr, "%s: %s\n", PROG, why);
		return 65;	/* EX_DATAERR */
	}
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "Password for %s: ", argv[1]);
	if ((pw = read_password(&pwlen)) == NULL) {
		fprintf(stderr, "%s: no password on standard input\n", PROG);
		return 65;
	}
	if ((why = policy_password(pw, pwlen, argv[1], argv[2])) != NULL ||
	    strlen(pw) != pwlen || !utf8_valid(pw, pwlen)) {
		fprintf(stderr, "%s: %s\n", PROG, why != NULL ? why :
		    "password must be UTF-8 text");
		crypto_wipe(pw, pwlen);
		free(pw);
		return 65;
	}
	if (pwhash_init(&pp) == -1 || crypto_uuid4(id) == -1 ||
	    (hash = pwhash_make(pw, pwlen)) == NULL) {
		crypto_wipe(pw, pwlen);
		free(pw);
		fprintf(stderr, "%s: cannot hash the password\n", PROG);
		return 70;	/* EX_SOFTWARE */
	}
	crypto_wipe(pw, pwlen);
	free(pw);
	db = open_db(c, false);
	e = users_insert_admin(db, id, argv[1], argv[2], hash, root,
	    &email_clash);
	crypto_wipe(hash, strlen(hash));
	free(hash);
	pwhash_cleanup();
	db_free(db);
	if (e == IERR_DUPLICATE) {
		fprintf(stderr, "%s: %s\n", PROG, email_clash ?
		    "Email already registered" : "Username already taken");
		return 1;
	}
	if (e != IERR_OK) {
		fprintf(stderr, "%s: cannot reach the database\n", PROG);
		return 69;
	}
	printf("created %s %s (%s)\n", root ? "root" : "admin", argv[1], id);
	return 0;
}

static int
cmd_new_key(int argc, char *argv[])
{
	char		 err[512];
	uint64_t	 bits = 2048;

	if (argc < 2 || argc > 3 ||
	    (argc == 3 && parse_u64(argv[2], 2048, 16384, &bits) == -1))
		usage();
	if (jwt_new_key(argv[1], (unsigned)bits, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return 1;
	}
	printf("wrote %s (RSA %u bits, mode 0600: chown it to the workers' user)\n"
	    "To roll it in without logging anyone out:\n"
	    "  1. add it as a verifier on every host, restart the workers:\n"
	    "       verify_key_files = %s\n"
	    "  2. after that, make it the signer and keep the old key verifying\n"
	    "     until the last token it signed has expired (access_token_ttl):\n"
	    "       signing_key_file = %s\n"
	    "       verify_key_files = <the old signing key>\n",
	    argv[1], (unsigned)bits, argv[1], argv[1]);
	return 0;
}

/* A user named by id, email or username.  Exits 1 if there is none. */
static void
resolve_user(struct db *db, const char *who, struct user *u)
{
	size_t		 n = strlen(who);
	enum ierr	 e;

	if (uuid_syntax_ok(who, n))
		e = users_get(db, who, u);
	else
		e = users_find(db, strchr(who, '@') != NULL, who, n, u);
	if (e == IERR_NOT_FOUND) {
		fprintf(stderr, "%s: no user '%s'\n", PROG, who);
		exit(1);
	}
	if (e != IERR_OK) {
		fprintf(stderr, "%s: cannot reach the database\n", PROG);
		exit(69);
	}
}

static void
cli_audit(struct db *db, const char *event, const char *uid)
{
	struct audit_event	 a = {
		.event = event, .outcome = "success", .user_id = uid,
		.client = "", .reason = "genesis-admin",
	};

	if (audit_write(db, &a) != IERR_OK)
		fprintf(stderr, "%s: warning: the audit row was not written\n",
		    PROG);
}

/* Run one user command: resolve USER, act, audit, report. */
static int
cmd_user(const struct config *c, int argc, char *argv[])
{
	struct db		*db;
	struct user		 u;
	struct shm		*shm;
	unsigned long long	 n = 0;
	enum users_admin_op	 op = USERS_DISABLE;
	enum users_denial	 why;
	char			 err[256];
	enum ierr		 e;

	if (argc != 2)
		usage();
	db = open_db(c, false);
	resolve_user(db, argv[1], &u);
	if (strcmp(argv[0], "unlock") == 0) {
		if ((e = users_unlock(db, u.id)) == IERR_OK &&
		    (shm = shm_attach(c->shm_name != NULL ? c->shm_name :
		    "/genesis", c->rate_limit_slots, false, err,
		    sizeof(err))) != NULL) {
			/* No segment: no worker ran, so no address is locked. */
			lockout_unlock_all(shm, u.id, strlen(u.id));
			shm_detach(shm);
		}
	} else if (strcmp(argv[0], "mfa-reset") == 0) {
		bool	 found;

		if ((e = mfa_remove(db, u.id, &found)) == IERR_OK)
			e = sessions_revoke_user(db, u.id, NULL, "mfa_reset", &n);
	} else if (strcmp(argv[0], "disable") == 0) {
		if ((e = users_admin(db, NULL, u.id, &op, &why)) == IERR_OK)
			e = sessions_revoke_user(db, u.id, NULL, "disabled", &n);
	} else
		e = sessions_revoke_user(db, u.id, NULL, "revoked", &n);
	if (e == IERR_OK)
		cli_audit(db, strcmp(argv[0], "revoke-sessions") == 0 ?
		    "session_revoke" : strcmp(argv[0], "mfa-reset") == 0 ?
		    "mfa_reset" : argv[0], u.id);
	db_free(db);
	if (e == IERR_CONFLICT) {
		fprintf(stderr, "%s: %s is the last active %s\n", PROG,
		    u.username, why == USERS_DENY_LAST_ROOT ? "root" : "admin");
		return 1;
	}
	if (e != IERR_OK) {
		fprintf(stderr, "%s: cannot reach the database\n", PROG);
		return 69;
	}
	printf("%s: %s (%s)", argv[0], u.username, u.id);
	if (strcmp(argv[0], "unlock") != 0)
		printf(", %llu session(s) ended", n);
	printf("\n");
	return 0;
}

#define PURGE_DAYS	30	/* a month to look into an ended session */

static int
cmd_purge_sessions(const struct config *c, int argc, char *argv[])
{
	struct db		*db;
	uint64_t		 days = PURGE_DAYS;
	unsigned long long	 n = 0;
	enum ierr		 e;

	if (argc > 2 || (argc == 2 && parse_u64(argv[1], 0, 36500, &days) == -1))
		usage();
	db = open_db(c, false);
	e = sessions_purge(db, (unsigned)days, &n);
	/* Also when it stopped half-way: what went is gone. */
	if (n > 0)
		cli_audit(db, "sessions_purge", NULL);
	db_free(db);
	printf("%s: %llu session(s) deleted that ended more than %u day(s) "
	    "ago\n", argv[0], n, (unsigned)days);
	if (e != IERR_OK) {
		fprintf(stderr, "%s: cannot reach the database\n", PROG);
		return 69;
	}
	return 0;
}

struct audit_row {
	char	 at[32], event[41], outcome[17], uid[37], client[46], sid[37];
	char	 details[1024];
};

static int
print_audit_row(void *arg)
{
	struct audit_row	*a = arg;

	printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a->at, a->event, a->outcome,
	    a->uid, a->client, a->sid, a->details);
	return 0;
}

/* YYYY-MM-DD, optionally THH:MM:SS and Z. */
static bool
timestamp_ok(const char *s)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t			 i, n = strlen(s);

	if (n > 0 && s[n - 1] == 'Z')
		n--;
	if (n != 10 && n != 19)
		return false;
	for (i = 0; i < n; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
		    (s[i] != shape[i] && !(shape[i] == 'T' && s[i] == ' ')))
			return false;
	return true;
}

static int
cmd_audit(const struct config *c, int argc, char *argv[])
{
	static const char	 sql[] = "SELECT DATE_FORMAT(at, "
	    "'%Y-%m-%dT%H:%i:%s.%fZ'), event, outcome, COALESCE(user_id, ''), "
	    "client_address, COALESCE(session_id, ''), COALESCE(details, '') "
	    "FROM audit_log WHERE at >= ? AND (? = '' OR user_id = ?) "
	    "ORDER BY id LIMIT 10000";
	struct audit_row	 a;
	struct db		*db;
	struct user		 u;
	char			 since[32] = "1970-01-01";
	const char		*who = NULL, *uid = "";
	int			 i;
	enum ierr		 e;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--since") == 0 && i + 1 < argc &&
		    timestamp_ok(argv[i + 1])) {
			snprintf(since, sizeof(since), "%.19s", argv[++i]);
			if (since[10] == 'T')
				since[10] = ' ';
		} else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			who = argv[++i];
		else
			usage();
	}
	db = open_db(c, false);
	if (who != NULL) {
		resolve_user(db, who, &u);
		uid = u.id;
	}
	{
		struct db_param	 p[] = { DBP_CSTR(since), DBP_CSTR(uid),
		    DBP_CSTR(uid) };
		struct db_col	 cols[] = {
			DBC_STR(a.at), DBC_STR(a.event), DBC_STR(a.outcome),
			DBC_STR(a.uid), DBC_STR(a.client), DBC_STR(a.sid),
			DBC_STR(a.details),
		};

		printf("at\tevent\toutcome\tuser_id\tclient\tsession_id\t"
		    "details\n");
		e = db_query(db, sql, p, 3, cols, 7, print_audit_row, &a, NULL);
	}
	db_free(db);
	if (e != IERR_OK) {
		fprintf(stderr, "%s: cannot read audit_log\n", PROG);
		return 69;
	}
	return 0;
}

/* --- client: the registry of OpenID Connect clients ------------------- */

static void
client_audit(struct db *db, const char *event, const char *id)
{
	struct audit_event	 a = {
		.event = event, .outcome = "success", .client = "",
		.reason = id,
	};

	if (audit_write(db, &a) != IERR_OK)
		fprintf(stderr, "%s: warning: the audit row was not written\n",
		    PROG);
}

/* client_secret_key, as the workers read it.  Exits 78 if unusable. */
static struct crypto_mac *
client_key(const struct config *c)
{
	char			 err[512];
	struct crypto_mac	*key;

	if ((key = clients_key_load(c, err, sizeof(err))) == NULL)
		die_config(err);
	return key;
}

/* A client by id; exits 1 if there is none, 69 without the database. */
static void
resolve_client(struct db *db, const char *arg, struct client *out)
{
	char		 id[37];
	size_t		 i, n = strlen(arg);
	enum ierr	 e = IERR_NOT_FOUND;

	if (uuid_syntax_ok(arg, n)) {
		for (i = 0; i <= n; i++)
			id[i] = (char)(arg[i] >= 'A' && arg[i] <= 'F' ?
			    arg[i] - 'A' + 'a' : arg[i]);
		e = clients_get(db, id, out);
	}
	if (e == IERR_NOT_FOUND) {
		fprintf(stderr, "%s: no client '%s'\n", PROG, arg);
		exit(1);
	}
	if (e != IERR_OK) {
		fprintf(stderr, "%s: cannot reach the database\n", PROG);
		exit(69);
	}
}

/* The flags of client add that make a list, and the member of each. */
static const struct {
	const char	*flag;
	const char	*member;
} client_lists[] = {
	{ "--redirect-uri", "redirect_uris" },
	{ "--post-logout-uri", "post_logout_redirect_uris" },
	{ "--scope", "allowed_scopes" },
	{ "--audience", "allowed_audiences" },
	{ "--grant", "grant_types" },
};
#define NLISTS	(sizeof(client_lists) / sizeof(client_lists[0]))

/*
 * The arguments of client add (NAME, then flags) as the body of POST
 * /admin/clients, so that both go through client_policy_apply.  Every
 * flag that takes a value takes the next argument, whatever it is.
 * Exits 64 on an unknown flag or a missing value.
 */
static void
client_add_body(int argc, char *argv[], struct jsonw *w)
{
	int	*of;	/* of[i]: the list argv[i] is a value of, or -1 */
	size_t	 f;
	int	 i, k;

	if ((of = calloc((size_t)argc, sizeof(*of))) == NULL)
		exit(70);
	jsonw_obj_open(w);
	jsonw_kv_str(w, "client_name", argv[1]);
	for (i = 2; i < argc; i++) {
		of[i] = -1;
		for (f = 0; f < NLISTS; f++)
			if (strcmp(argv[i], client_lists[f].flag) == 0)
				break;
		if (f < NLISTS || strcmp(argv[i], "--auth-method") == 0) {
			if (i + 1 >= argc)
				usage();
			if (f == NLISTS)
				jsonw_kv_str(w, "token_endpoint_auth_method",
				    argv[i + 1]);
			of[++i] = (int)f;
		} else if (strcmp(argv[i], "--require-pkce") == 0)
			jsonw_kv_bool(w, "require_pkce", true);
		else if (strcmp(argv[i], "--require-consent") == 0)
			jsonw_kv_bool(w, "require_consent", true);
		else if (strcmp(argv[i], "--inactive") == 0)
			jsonw_kv_bool(w, "is_active", false);
		else
			usage();
	}
	for (f = 0; f < NLISTS; f++) {
		for (k = 0, i = 2; i < argc; i++) {
			if (of[i] != (int)f)
				continue;
			if (k++ == 0) {
				jsonw_key(w, client_lists[f].member);
				jsonw_arr_open(w);
			}
			jsonw_str(w, argv[i]);
		}
		if (k > 0)
			jsonw_arr_close(w);
	}
	jsonw_obj_close(w);
	free(of);
}

static int
client_add(const struct config *cfg, int argc, char *argv[])
{
	struct client	*c;
	struct jsonw	 w;
	struct json_doc	*doc = NULL;
	struct verrs	 v = { 0 };
	struct db	*db;
	const char	*text;
	char		 secret[CLIENT_SECRET_LEN + 1] = "";
	struct crypto_mac *key = NULL;
	size_t		 i;
	enum ierr	 e;
	int		 rc = 0;

	if (argc < 2)
		usage();
	jsonw_init(&w);
	client_add_body(argc, argv, &w);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (text = jsonw_text(&w)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		exit(70);
	}
	client_policy_defaults(c);
	if (json_doc_parse(text, strlen(text), &doc, &v) != IERR_OK ||
	    client_policy_apply(doc, true, c, &v) != IERR_OK) {
		for (i = 0; i < v.n; i++)
			fprintf(stderr, "%s: %s: %s\n", PROG, v.e[i].field != NULL ?
			    v.e[i].field : "arguments", v.e[i].msg);
		rc = 65;	/* EX_DATAERR */
		goto out;
	}
	if (!c->is_public)
		key = client_key(cfg);
	if (crypto_uuid4(c->id) == -1 || (key != NULL &&
	    clients_new_secret(key, secret, c->secret_hash) == -1)) {
		fprintf(stderr, "%s: no randomness\n", PROG);
		rc = 70;
		goto out;
	}
	c->has_secret = key != NULL;
	db = open_db(cfg, false);
	if ((e = clients_insert(db, c)) == IERR_OK)
		client_audit(db, "client_create", c->id);
	db_free(db);
	if (e != IERR_OK) {
		fprintf(stderr, "%s: cannot reach the database\n", PROG);
		rc = 69;
		goto out;
	}
	printf("client_id\t%s\n", c->id);
	if (c->has_secret)
		printf("client_secret\t%s\n", secret);
out:
	crypto_wipe(secret, sizeof(secret));
	crypto_mac_free(key);
	json_doc_free(doc);
	jsonw_clear(&w);
	crypto_wipe(c, sizeof(*c));
	free(c);
	return rc;
}

struct client_lines {
	struct client_cursor	 last;
	unsigned		 n;
};

static int
print_client_line(void *arg, const struct client *c)
{
	struct client_lines	*l = arg;

	printf("%s\t%s\t%s\t%s\t%s\n", c->id, c->name,
	    c->is_active ? "active" : "inactive",
	    c->is_public ? "public" : "confidential", c->grant_types);
	clients_cursor_of(c, &l->last);
	l->n++;
	return 0;
}

static int
client_list(const struct config *cfg, int argc)
{
	struct client_lines	 l;
	struct db		*db;
	bool			 more = true, first = true;
	enum ierr		 e = IERR_OK;

	if (argc != 1)
		usage();
	db = open_db(cfg, false);
	printf("client_id\tclient_name\tis_active\tkind\tgrant_types\n");
	memset(&l, 0, sizeof(l));
	while (more && e == IERR_OK) {
		e = clients_page(db, first ? NULL : &l.last, 100,
		    print_client_line, &l, &more);
		first = false;
	}
	db_free(db);
	if (e != IERR_OK) {
		fprintf(stderr, "%s: cannot reach the database\n", PROG);
		return 69;
	}
	return 0;
}

static int
client_show(const struct config *cfg, int argc, char *argv[])
{
	struct client	*c;
	struct jsonw	 w;
	struct db	*db;
	const char	*text;

	if (argc != 2)
		usage();
	if ((c = calloc(1, sizeof(*c))) == NULL)
		exit(70);
	db = open_db(cfg, false);
	resolve_client(db, argv[1], c);
	db_free(db);
	jsonw_init(&w);
	clients_write_json(&w, c, NULL);
	if ((text = jsonw_text(&w)) != NULL)
		printf("%s\n", text);
	jsonw_clear(&w);
	free(c);
	return text != NULL ? 0 : 70;
}

static int
client_rotate(const struct config *cfg, int argc, char *argv[])
{
	struct client	*c;
	struct db	*db;
	uint64_t	 grace = 0;
	char		 secret[CLIENT_SECRET_LEN + 1];
	struct crypto_mac *key;
	enum ierr	 e;

	if (argc < 2 || argc > 3 || (argc == 3 &&
	    parse_u64(argv[2], 0, CLIENT_GRACE_MAX, &grace) == -1))
		usage();
	if ((c = calloc(1, sizeof(*c))) == NULL)
		exit(70);
	db = open_db(cfg, false);
	resolve_client(db, argv[1], c);
	if (c->is_public) {
		fprintf(stderr, "%s: %s is a public client: it has no secret\n",
		    PROG, c->id);
		db_free(db);
		free(c);
		return 1;
	}
	key = client_key(cfg);
	if (clients_new_secret(key, secret, c->secret_hash) == -1) {
		fprintf(stderr, "%s: no randomness\n", PROG);
		exit(70);
	}
	crypto_mac_free(key);
	if ((e = clients_set_secret(db, c->id, c->secret_hash,
	    (unsigned)grace)) == IERR_OK)
		client_audit(db, "client_rotate_secret", c->id);
	db_free(db);
	crypto_wipe(c, sizeof(*c));
	free(c);
	if (e == IERR_OK)
		printf("client_secret\t%s\n", secret);
	crypto_wipe(secret, sizeof(secret));
	if (e == IERR_NOT_FOUND) {
		fprintf(stderr, "%s: no client '%s'\n", PROG, argv[1]);
		return 1;
	}
	if (e != IERR_OK) {
		fprintf(stderr, "%s: cannot reach the database\n", PROG);
		return 69;
	}
	return 0;
}

static int
client_remove(const struct config *cfg, int argc, char *argv[])
{
	struct client		*c;
	struct db		*db;
	unsigned long long	 n = 0;
	enum ierr		 e;

	if (argc != 2)
		usage();
	if ((c = calloc(1, sizeof(*c))) == NULL)
		exit(70);
	db = open_db(cfg, false);
	resolve_client(db, argv[1], c);
	if ((e = clients_delete(db, c->id, &n)) == IERR_OK)
		client_audit(db, "client_delete", c->id);
	db_free(db);
	if (e == IERR_OK)
		printf("removed client %s (%s), %llu session(s) revoked\n",
		    c->id, c->name, n);
	free(c);
	if (e == IERR_NOT_FOUND) {
		fprintf(stderr, "%s: no client '%s'\n", PROG, argv[1]);
		return 1;
	}
	if (e != IERR_OK) {
		fprintf(stderr, "%s: cannot reach the database\n", PROG);
		return 69;
	}
	return 0;
}

static int
cmd_client(const struct config *cfg, int argc, char *argv[])
{
	if (argc < 2)
		usage();
	argc--;
	argv++;
	if (strcmp(argv[0], "add") == 0)
		return client_add(cfg, argc, argv);
	if (strcmp(argv[0], "list") == 0)
		return client_list(cfg, argc);
	if (strcmp(argv[0], "show") == 0)
		return client_show(cfg, argc, argv);
	if (strcmp(argv[0], "rotate-secret") == 0)
		return client_rotate(cfg, argc, argv);
	if (strcmp(argv[0], "remove") == 0)
		return client_remove(cfg, argc, argv);
	usage();
	return 64;
}

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	const char	*path = getenv("GENESIS_CONFIG");
	char		 err[512];
	int		 ch, rc;

	while ((ch = getopt(argc, argv, "+c:")) != -1) {
		if (ch != 'c')
			usage();
		path = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc >= 1 && strcmp(argv[0], "new-key") == 0)
		return cmd_new_key(argc, argv);
	if (argc < 1 || path == NULL)
		usage();
	log_init(PROG, LOG_LVL_WARN);
	config_init(&cfg);
	if (config_load(&cfg, path, err, sizeof(err)) == -1 ||
	    config_check_db(&cfg, err, sizeof(err)) == -1)
		die_config(err);
	if (db_library_init() == -1)
		die_config("cannot initialise the database library");
	if (strcmp(argv[0], "migrate") == 0)
		rc = cmd_migrate(&cfg, argc, argv);
	else if (strcmp(argv[0], "create-admin") == 0)
		rc = cmd_create_admin(&cfg, argc, argv);
	else if (strcmp(argv[0], "unlock") == 0 ||
	    strcmp(argv[0], "disable") == 0 ||
	    strcmp(argv[0], "revoke-sessions") == 0 ||
	    strcmp(argv[0], "mfa-reset") == 0)
		rc = cmd_user(&cfg, argc, argv);
	else if (strcmp(argv[0], "purge-sessions") == 0)
		rc = cmd_purge_sessions(&cfg, argc, argv);
	else if (strcmp(argv[0], "audit") == 0)
		rc = cmd_audit(&cfg, argc, argv);
	else if (strcmp(argv[0], "client") == 0)
		rc = cmd_client(&cfg, argc, argv);
	else
		usage();
	db_library_end();
	config_clear(&cfg);
	return rc;
}
