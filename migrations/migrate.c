#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "db.h"
#include "migrate.h"

#define MAX_SCRIPTS	1000
#define MAX_SCRIPT_SIZE	(1024 * 1024)

struct script {
	unsigned	 version;
	char		 name[256];
};

static int
by_version(const void *a, const void *b)
{
	const struct script *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/* "0007_add_refresh_tokens.sql" -> 7.  Returns -1 for other names. */
static int
script_version(const char *name, unsigned *v)
{
	size_t	 n = strlen(name);
	char	 digits[5];
	uint64_t u;

	if (n < 10 || name[4] != '_' || strcmp(name + n - 4, ".sql") != 0)
		return -1;
	memcpy(digits, name, 4);
	digits[4] = '\0';
	if (parse_u64(digits, 1, 9999, &u) == -1)
		return -1;
	*v = (unsigned)u;
	return 0;
}

static int
list_scripts(const char *dir, struct script *s, size_t *n)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 i;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "migrations_dir: cannot open '%s': %s\n", dir,
		    strerror(errno));
		return -1;
	}
	*n = 0;
	while ((de = readdir(d)) != NULL) {
		if (script_version(de->d_name, &s[*n].version) == -1 ||
		    strlen(de->d_name) >= sizeof(s[*n].name))
			continue;
		if (*n == MAX_SCRIPTS) {
			closedir(d);
			fprintf(stderr, "migrations: more than %d scripts\n",
			    MAX_SCRIPTS);
			return -1;
		}
		strcpy(s[*n].name, de->d_name);
		(*n)++;
	}
	closedir(d);
	qsort(s, *n, sizeof(*s), by_version);
	for (i = 1; i < *n; i++)
		if (s[i].version == s[i - 1].version) {
			fprintf(stderr, "migrations: two scripts numbered "
			    "%04u\n", s[i].version);
			return -1;
		}
	return 0;
}

static char *
read_script(const char *dir, const char *name, size_t *len)
{
	char	 path[4096];
	FILE	*f;
	char	*buf;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(MAX_SCRIPT_SIZE + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, MAX_SCRIPT_SIZE + 1, f);
	fclose(f);
	if (*len > MAX_SCRIPT_SIZE) {
		fprintf(stderr, "%s: larger than 1 MiB\n", path);
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

static int
is_applied(struct db *db, unsigned version, bool *applied)
{
	static const char	 sql[] =
	    "SELECT COUNT(*) FROM schema_migrations WHERE version = ?";
	struct db_param		 p[] = { DBP_INT(version) };
	struct db_col		 c[] = { DBC_INT };

	if (db_query(db, sql, p, 1, c, 1, NULL, NULL, NULL) != IERR_OK)
		return -1;
	*applied = c[0].i > 0;
	return 0;
}

/* "user@host" -> the user variable @service_account = 'user'@'host'. */
static int
set_service_account(struct db *db, const char *acct)
{
	static const char	 sql[] =
	    "SET @service_account = CONCAT(QUOTE(?), '@', QUOTE(?))";
	const char		*at;
	struct db_param		 p[2];

	if (acct == NULL || (at = strrchr(acct, '@')) == NULL || at == acct ||
	    at[1] == '\0') {
		fprintf(stderr, "db_service_account: want user@host\n");
		return -1;
	}
	p[0] = DBP_STR(acct, (size_t)(at - acct));
	p[1] = DBP_CSTR(at + 1);
	return db_exec(db, sql, p, 2, NULL) == IERR_OK ? 0 : -1;
}

static int
apply(struct db *db, const char *dir, const struct script *s, FILE *out)
{
	static const char	 sql[] =
	    "INSERT INTO schema_migrations (version, name, applied_at) "
	    "VALUES (?, ?, UTC_TIMESTAMP())";
	struct db_param		 p[] = { DBP_INT(s->version), DBP_CSTR(s->name) };
	char			 err[512];
	char			*text;
	size_t			 len;

	if ((text = read_script(dir, s->name, &len)) == NULL)
		return -1;
	fprintf(out, "applying %s\n", s->name);
	if (db_run_script(db, text, len, err, sizeof(err)) != IERR_OK) {
		fprintf(stderr, "%s: %s\n", s->name, err);
		free(text);
		return -1;
	}
	free(text);
	if (db_exec(db, sql, p, 2, NULL) != IERR_OK) {
		fprintf(stderr, "%s: cannot record it in schema_migrations\n",
		    s->name);
		return -1;
	}
	return 0;
}

int
migrate_run(struct db *db, const char *dir, const char *service_account,
    bool check_only, FILE *out)
{
	static const char	 create[] =
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version int unsigned NOT NULL PRIMARY KEY,"
	    " name varchar(255) NOT NULL,"
	    " applied_at datetime NOT NULL"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci";
	struct script		*s;
	size_t			 n, i, pending = 0;
	bool			 applied;
	int			 rc = -1;

	if ((s = calloc(MAX_SCRIPTS, sizeof(*s))) == NULL)
		return -1;
	if (list_scripts(dir, s, &n) == -1)
		goto out;
	if (!check_only && (db_exec(db, create, NULL, 0, NULL) != IERR_OK ||
	    set_service_account(db, service_account) == -1)) {
		fprintf(stderr, "migrate: cannot prepare the database "
		    "(see the log line above)\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (is_applied(db, s[i].version, &applied) == -1) {
			if (!check_only) {
				fprintf(stderr, "migrate: cannot read "
				    "schema_migrations\n");
				goto out;
			}
			applied = false;
		}
		if (applied)
			continue;
		pending++;
		if (check_only)
			fprintf(out, "pending %s\n", s[i].name);
		else if (apply(db, dir, &s[i], out) == -1)
			goto out;
	}
	if (check_only && pending > 0)
		fprintf(out, "schema is behind: %zu pending\n", pending);
	else if (check_only)
		fprintf(out, "schema is current\n");
	else
		fprintf(out, "%zu applied, schema is current\n", pending);
	rc = check_only && pending > 0 ? 1 : 0;
out:
	free(s);
	return rc;
}
