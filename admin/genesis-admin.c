/*
 * genesis-admin: the operator's command line.  It reads the same
 * configuration file as the workers.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "jwt.h"
#include "migrate.h"
#include "policy.h"
#include "pwhash.h"
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
	    "  create-admin USERNAME EMAIL\n"
	    "                   create an admin; the password is read from\n"
	    "                   standard input (one line), never from argv\n"
	    "  new-key PATH [BITS]\n"
	    "                   write a new RSA signing key (mode 0600) and\n"
	    "                   print how to roll it in without logging anyone out\n"
	    "\n"
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
	bool			 email_clash = false;
	enum ierr		 e;

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
	e = users_insert_admin(db, id, argv[1], argv[2], hash, &email_clash);
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
	printf("created admin %s (%s)\n", argv[1], id);
	return 0;
}

static int
cmd_new_key(int argc, char *argv[])
{
	char		 err[512];
	uint64_t	 bits = 3072;

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
	else
		usage();
	db_library_end();
	config_clear(&cfg);
	return rc;
}
