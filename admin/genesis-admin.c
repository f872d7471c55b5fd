/*
 * genesis-admin: the operator's command line.  It reads the same
 * configuration file as the workers.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "migrate.h"

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
	else
		usage();
	db_library_end();
	config_clear(&cfg);
	return rc;
}
