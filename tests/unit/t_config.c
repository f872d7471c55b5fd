#include <sys/stat.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

/* Parse text; returns 0/-1 and leaves the message in err. */
static int
parse(const char *text, struct config *c, char *err, size_t errsz)
{
	config_clear(c);
	err[0] = '\0';
	return config_parse(c, text, strlen(text), err, errsz);
}

static char *
write_file(const char *dir, const char *name, const char *content)
{
	static char	 path[512];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return NULL;
	fputs(content, f);
	fclose(f);
	return path;
}

int
main(void)
{
	/* Every error path names its key (or line). */
	static const struct {
		const char	*text;
		const char	*err;	/* a substring of the message */
	} bad[] = {
		{ "frobnicate = 1\n", "frobnicate: unknown key" },
		{ "db_port = 0\n", "db_port: malformed" },
		{ "db_port = 65536\n", "db_port: malformed" },
		{ "db_port = -1\n", "db_port: malformed" },
		{ "db_port = 12x\n", "db_port: malformed" },
		{ "db_port = \n", "db_port: malformed" },
		{ "db_port = 99999999999999999999999\n", "db_port: malformed" },
		{ "registration = maybe\n", "registration: malformed" },
		{ "log_level = loud\n", "log_level: malformed" },
		{ "db_name =\n", "db_name: empty value" },
		{ "db_name = a\ndb_name = b\n", "db_name: set twice" },
		{ "just some words\n", "line 1: expected" },
		{ "# ok\n\nno equals here\n", "line 3: expected" },
		{ "argon2_memory_kib = 4\n", "argon2_memory_kib: malformed" },
		{ "argon2_iterations = 0\n", "argon2_iterations: malformed" },
		{ "db_connect_timeout = 61\n", "db_connect_timeout: malformed" },
	};
	struct config	 c;
	char		 err[512], dir[] = "/tmp/t_config.XXXXXX";
	char		*s, *path;
	size_t		 i;

	config_init(&c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(parse(bad[i].text, &c, err, sizeof(err)) == -1 &&
		    strstr(err, bad[i].err) != NULL, "refuse row %zu: %s", i, err);

	ok(parse("# comment\n  db_name = genesis  \n\tdb_user=svc\n"
	    "db_socket = /run/x.sock\nregistration = no\nlog_level = debug\r\n"
	    "db_port = 3307\n", &c, err, sizeof(err)) == 0, "good file: %s", err);
	ok(strcmp(c.db_name, "genesis") == 0 && strcmp(c.db_user, "svc") == 0,
	    "strings trimmed");
	ok(c.db_port == 3307 && !c.registration && c.log_level == LOG_LVL_DEBUG,
	    "number, bool and level");
	ok(c.argon2_memory_kib == 19456 && c.argon2_iterations == 2 &&
	    c.argon2_parallelism == 1, "argon2 defaults are OWASP's");
	ok(config_check_db(&c, err, sizeof(err)) == 0, "database keys set");
	ok(parse("db_name = g\n", &c, err, sizeof(err)) == 0 &&
	    config_check_db(&c, err, sizeof(err)) == -1 &&
	    strstr(err, "db_user") != NULL, "missing db_user named: %s", err);
	ok(parse("db_name = g\ndb_user = u\n", &c, err, sizeof(err)) == 0 &&
	    config_check_db(&c, err, sizeof(err)) == -1 &&
	    strstr(err, "db_socket") != NULL, "no server named: %s", err);

	/* mfa_required_roles: the default, lists, and "none". */
	{
		static const struct {
			const char	*value;	/* NULL: the key is absent */
			const char	*role;
			bool		 required;
		} roles[] = {
			{ NULL, "admin", true },
			{ NULL, "root", true },
			{ NULL, "user", false },
			{ NULL, "adm", false },
			{ "none", "admin", false },
			{ "none", "none", false },
			{ "admin", "admin", true },
			{ "admin", "root", false },
			{ "admin,root", "root", true },
			{ " root ,  admin ", "admin", true },
			{ "user admin", "user", true },
			{ "administrator", "admin", false },
			{ "admin", "administrator", false },
		};
		char	 text[128];

		for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
			config_clear(&c);
			snprintf(text, sizeof(text), "mfa_required_roles = %s\n",
			    roles[i].value != NULL ? roles[i].value : "");
			ok((roles[i].value == NULL || parse(text, &c, err,
			    sizeof(err)) == 0) && config_mfa_required(&c,
			    roles[i].role) == roles[i].required,
			    "mfa_required_roles '%s': %s %s", roles[i].value !=
			    NULL ? roles[i].value : "(default)", roles[i].role,
			    roles[i].required ? "must enrol" : "need not");
		}
		config_clear(&c);
		ok(parse("mfa_key_file = /etc/genesis/mfa_key\n", &c, err,
		    sizeof(err)) == 0 && strcmp(c.mfa_key_file,
		    "/etc/genesis/mfa_key") == 0, "mfa_key_file");
		ok(parse("mfa_required_roles =\n", &c, err, sizeof(err)) ==
		    -1 && strstr(err, "mfa_required_roles: empty") != NULL,
		    "an empty mfa_required_roles is refused: %s", err);
	}

	/* Secrets: no default, no silent fallback. */
	ok(mkdtemp(dir) != NULL, "temporary folder");
	unsetenv("CREDENTIALS_DIRECTORY");
	s = config_read_secret("db_password_file", NULL, "db_password", err,
	    sizeof(err));
	ok(s == NULL && strstr(err, "db_password_file: not set") != NULL,
	    "no file and no credentials: %s", err);
	s = config_read_secret("db_password_file", "/nonexistent/x",
	    "db_password", err, sizeof(err));
	ok(s == NULL && strstr(err, "db_password_file: cannot read") != NULL,
	    "missing file: %s", err);
	path = write_file(dir, "empty", "");
	s = config_read_secret("db_password_file", path, "db_password", err,
	    sizeof(err));
	ok(s == NULL && strstr(err, "db_password_file:") != NULL,
	    "empty file: %s", err);
	path = write_file(dir, "pw", "s3cret\n");
	s = config_read_secret("db_password_file", path, "db_password", err,
	    sizeof(err));
	ok(s != NULL && strcmp(s, "s3cret") == 0, "file, newline removed");
	secret_free(s);
	(void)write_file(dir, "db_password", "from-credentials");
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	s = config_read_secret("db_password_file", NULL, "db_password", err,
	    sizeof(err));
	ok(s != NULL && strcmp(s, "from-credentials") == 0,
	    "$CREDENTIALS_DIRECTORY");
	secret_free(s);
	ok(config_load(&c, "/nonexistent/genesis.conf", err, sizeof(err)) ==
	    -1 && strstr(err, "cannot read") != NULL, "missing config file");
	path = write_file(dir, "genesis.conf", "db_name = g\n");
	config_clear(&c);
	ok(config_load(&c, path, err, sizeof(err)) == 0 &&
	    strcmp(c.db_name, "g") == 0, "config file loads");

	/* The documented example holds only known keys and good values. */
	if (getenv("srcdir") != NULL) {
		char	 ex[1024];

		snprintf(ex, sizeof(ex), "%s/deploy/genesis.conf.example",
		    getenv("srcdir"));
		config_clear(&c);
		ok(config_load(&c, ex, err, sizeof(err)) == 0 &&
		    config_check_db(&c, err, sizeof(err)) == 0 &&
		    config_check_tokens(&c, err, sizeof(err)) == 0,
		    "deploy/genesis.conf.example loads: %s", err);
	}
	unlink(write_file(dir, "empty", ""));
	unlink(write_file(dir, "pw", ""));
	unlink(write_file(dir, "db_password", ""));
	unlink(write_file(dir, "genesis.conf", ""));
	rmdir(dir);
	config_clear(&c);
	return done();
}
