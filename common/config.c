#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "config.h"
#include "crypto.h"

enum key_type {
	KT_STR,
	KT_UINT,
	KT_BOOL,
	KT_LEVEL,
};

struct key_def {
	const char	*name;
	enum key_type	 type;
	size_t		 off;
	unsigned	 min, max;
};

#define K_STR(n)		{ #n, KT_STR, offsetof(struct config, n), 0, 0 }
#define K_UINT(n, lo, hi)	{ #n, KT_UINT, offsetof(struct config, n), lo, hi }
#define K_BOOL(n)		{ #n, KT_BOOL, offsetof(struct config, n), 0, 0 }

static const struct key_def keys[] = {
	K_STR(db_socket),
	K_STR(db_host),
	K_UINT(db_port, 1, 65535),
	K_STR(db_name),
	K_STR(db_user),
	K_STR(db_password_file),
	K_UINT(db_connect_timeout, 1, 60),
	K_UINT(db_rw_timeout, 1, 600),
	K_BOOL(db_causal_reads),
	K_STR(migrate_db_user),
	K_STR(migrate_db_password_file),
	K_STR(db_service_account),
	K_STR(migrations_dir),
	K_UINT(argon2_memory_kib, 8, 4194304),
	K_UINT(argon2_iterations, 1, 64),
	K_UINT(argon2_parallelism, 1, 64),
	K_STR(signing_key_file),
	K_STR(client_secret_key_file),
	K_STR(templates_dir),
	K_BOOL(op_cookie_secure),
	K_STR(verify_key_files),
	K_STR(jwt_issuer),
	K_STR(jwt_audience),
	K_UINT(access_token_ttl, 60, 86400),
	K_UINT(refresh_token_ttl, 300, 31536000),
	K_UINT(session_max_lifetime, 300, 31536000),
	K_UINT(refresh_reuse_grace_seconds, 0, 60),
	K_STR(shm_name),
	K_UINT(rate_limit_slots, 1024, 4194304),
	K_UINT(rate_all_per_second, 1, 1000000),
	K_UINT(rate_all_burst, 1, 1000000),
	K_UINT(rate_token_per_minute, 1, 1000000),
	K_UINT(rate_token_burst, 1, 1000000),
	K_UINT(lockout_threshold, 1, 1000),
	K_UINT(lockout_base_seconds, 1, 86400),
	K_UINT(lockout_max_seconds, 1, 86400),
	K_UINT(account_lockout_threshold, 1, 100000),
	K_UINT(account_lockout_seconds, 1, 86400),
	K_STR(cors_origins),
	K_STR(metrics_allow),
	K_STR(mfa_key_file),
	K_STR(mfa_required_roles),
	K_BOOL(registration),
	{ "log_level", KT_LEVEL, offsetof(struct config, log_level), 0, 0 },
	K_UINT(max_requests, 0, 100000000),
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->db_port = 3306;
	c->db_connect_timeout = 2;
	c->db_rw_timeout = 10;
	c->argon2_memory_kib = 19456;	/* OWASP: m=19 MiB, t=2, p=1 */
	c->argon2_iterations = 2;
	c->argon2_parallelism = 1;
	c->access_token_ttl = 15 * 60;
	c->refresh_token_ttl = 7 * 86400;
	c->session_max_lifetime = 30 * 86400;
	c->rate_limit_slots = 65536;
	c->rate_all_per_second = 100;
	c->rate_all_burst = 200;
	c->rate_token_per_minute = 10;
	c->rate_token_burst = 20;
	c->lockout_threshold = 5;
	c->lockout_base_seconds = 60;
	c->lockout_max_seconds = 900;
	c->account_lockout_threshold = 100;	/* NIST SP 800-63B */
	c->account_lockout_seconds = 900;
	c->registration = true;
	c->op_cookie_secure = true;
	c->log_level = LOG_LVL_INFO;
}

void
config_clear(struct config *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < NKEYS; i++)
		if (keys[i].type == KT_STR)
			free(*(char **)((char *)c + keys[i].off));
	config_init(c);
}

static const struct key_def *
key_find(const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == len &&
		    memcmp(keys[i].name, name, len) == 0)
			return &keys[i];
	return NULL;
}

static int
set_value(struct config *c, const struct key_def *k, const char *v,
    char *err, size_t errsz)
{
	void		*field = (char *)c + k->off;
	uint64_t	 n;

	switch (k->type) {
	case KT_STR:
		if (*v == '\0') {
			snprintf(err, errsz, "%s: empty value", k->name);
			return -1;
		}
		free(*(char **)field);
		if ((*(char **)field = strdup(v)) == NULL) {
			snprintf(err, errsz, "%s: out of memory", k->name);
			return -1;
		}
		return 0;
	case KT_UINT:
		if (parse_u64(v, k->min, k->max, &n) == -1) {
			snprintf(err, errsz, "%s: malformed value (want an "
			    "integer from %u to %u)", k->name, k->min, k->max);
			return -1;
		}
		*(unsigned *)field = (unsigned)n;
		return 0;
	case KT_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
		    strcmp(v, "on") == 0)
			*(bool *)field = true;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
		    strcmp(v, "off") == 0)
			*(bool *)field = false;
		else {
			snprintf(err, errsz, "%s: malformed value (want yes "
			    "or no)", k->name);
			return -1;
		}
		return 0;
	case KT_LEVEL:
		if (log_level_parse(v, (enum log_level *)field) == -1) {
			snprintf(err, errsz, "%s: malformed value (want debug, "
			    "info, warn or error)", k->name);
			return -1;
		}
		return 0;
	}
	return -1;
}

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Parse one line (without its newline).  Returns 0 or -1 with err. */
static int
parse_line(struct config *c, char *line, unsigned lineno, bool *seen,
    char *err, size_t errsz)
{
	char			*key, *eq, *val, *end;
	const struct key_def	*k;

	for (key = line; is_space(*key); key++)
		continue;
	if (*key == '\0' || *key == '#')
		return 0;
	if ((eq = strchr(key, '=')) == NULL) {
		snprintf(err, errsz, "line %u: expected 'key = value'", lineno);
		return -1;
	}
	for (end = eq; end > key && is_space(end[-1]); end--)
		continue;
	if ((k = key_find(key, (size_t)(end - key))) == NULL) {
		*end = '\0';
		snprintf(err, errsz, "%.64s: unknown key (line %u)", key, lineno);
		return -1;
	}
	if (seen[k - keys]) {
		snprintf(err, errsz, "%s: set twice (line %u)", k->name, lineno);
		return -1;
	}
	seen[k - keys] = true;
	for (val = eq + 1; is_space(*val); val++)
		continue;
	for (end = val + strlen(val); end > val && is_space(end[-1]); end--)
		continue;
	*end = '\0';
	return set_value(c, k, val, err, errsz);
}

int
config_parse(struct config *c, const char *text, size_t len,
    char *err, size_t errsz)
{
	bool		 seen[NKEYS] = { false };
	char		 line[MAX_CONFIG_LINE];
	size_t		 i = 0, n;
	unsigned	 lineno = 0;

	while (i < len) {
		lineno++;
		for (n = 0; i + n < len && text[i + n] != '\n'; n++)
			continue;
		if (n >= sizeof(line)) {
			snprintf(err, errsz, "line %u: longer than %d bytes",
			    lineno, MAX_CONFIG_LINE - 1);
			return -1;
		}
		if (memchr(text + i, '\0', n) != NULL) {
			snprintf(err, errsz, "line %u: NUL byte", lineno);
			return -1;
		}
		memcpy(line, text + i, n);
		line[n] = '\0';
		if (parse_line(c, line, lineno, seen, err, errsz) == -1)
			return -1;
		i += n + 1;
	}
	return 0;
}

/* Read a whole small file.  Returns a malloc'd NUL-terminated buffer. */
static char *
read_small_file(const char *path, size_t max, size_t *lenp, int *errnop)
{
	char	*buf;
	ssize_t	 r;
	size_t	 len = 0;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*errnop = errno;
		return NULL;
	}
	if ((buf = malloc(max + 1)) == NULL) {
		*errnop = ENOMEM;
		close(fd);
		return NULL;
	}
	while (len <= max && (r = read(fd, buf + len, max + 1 - len)) > 0)
		len += (size_t)r;
	*errnop = (r == -1) ? errno : (len > max ? EFBIG : 0);
	close(fd);
	if (*errnop != 0) {
		crypto_wipe(buf, max + 1);
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

int
config_load(struct config *c, const char *path, char *err, size_t errsz)
{
	char	*text;
	size_t	 len;
	int	 e, rc;

	if ((text = read_small_file(path, 1 << 20, &len, &e)) == NULL) {
		snprintf(err, errsz, "config: cannot read '%s': %s", path,
		    strerror(e));
		return -1;
	}
	rc = config_parse(c, text, len, err, errsz);
	free(text);
	return rc;
}

int
config_check_db(const struct config *c, char *err, size_t errsz)
{
	if (c->db_name == NULL)
		snprintf(err, errsz, "db_name: not set");
	else if (c->db_user == NULL)
		snprintf(err, errsz, "db_user: not set");
	else if (c->db_socket == NULL && c->db_host == NULL)
		snprintf(err, errsz, "db_socket: neither db_socket nor db_host "
		    "is set");
	else
		return 0;
	return -1;
}

int
config_check_tokens(const struct config *c, char *err, size_t errsz)
{
	if (c->jwt_issuer == NULL)
		snprintf(err, errsz, "jwt_issuer: not set");
	else if (c->jwt_audience == NULL)
		snprintf(err, errsz, "jwt_audience: not set");
	else if (c->refresh_token_ttl > c->session_max_lifetime)
		snprintf(err, errsz, "refresh_token_ttl: longer than "
		    "session_max_lifetime");
	else
		return 0;
	return -1;
}

int
config_list_each(const char *list, int (*fn)(void *, const char *), void *arg)
{
	char	*copy, *tok, *save;
	size_t	 n;
	int	 rc = 0;

	if ((copy = strdup(list)) == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		while (is_space(*tok))
			tok++;
		n = strlen(tok);
		while (n > 0 && is_space(tok[n - 1]))
			tok[--n] = '\0';
		if (n > 0)
			rc = fn(arg, tok);
	}
	free(copy);
	return rc;
}

int
config_check_limits(const struct config *c, char *err, size_t errsz)
{
	if (c->lockout_base_seconds > c->lockout_max_seconds)
		snprintf(err, errsz, "lockout_base_seconds: longer than "
		    "lockout_max_seconds");
	else if (c->rate_all_per_second > 1000000)
		snprintf(err, errsz, "rate_all_per_second: too high");
	else
		return 0;
	return -1;
}

bool
config_mfa_required(const struct config *c, const char *role)
{
	const char	*list = c->mfa_required_roles != NULL ?
	    c->mfa_required_roles : MFA_REQUIRED_DEFAULT;
	const char	*p = list;
	size_t		 n, rlen = strlen(role);

	while (*p != '\0') {
		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n > 0 && n == rlen && memcmp(p, role, n) == 0 &&
		    strcmp(role, "none") != 0)
			return true;
		p += n;
	}
	return false;
}

char *
config_read_secret(const char *file_key, const char *path, const char *cred,
    char *err, size_t errsz)
{
	char		 credpath[PATH_MAX];
	const char	*dir;
	char		*s;
	size_t		 len;
	int		 e;

	if (path == NULL) {
		if ((dir = getenv("CREDENTIALS_DIRECTORY")) == NULL) {
			snprintf(err, errsz, "%s: not set (and no "
			    "$CREDENTIALS_DIRECTORY/%s)", file_key, cred);
			return NULL;
		}
		if ((size_t)snprintf(credpath, sizeof(credpath), "%s/%s",
		    dir, cred) >= sizeof(credpath)) {
			snprintf(err, errsz, "%s: credential path too long",
			    file_key);
			return NULL;
		}
		path = credpath;
	}
	if ((s = read_small_file(path, MAX_SECRET_FILE, &len, &e)) == NULL) {
		snprintf(err, errsz, "%s: cannot read '%s': %s", file_key,
		    path, e == EFBIG ? "file too large" : strerror(e));
		return NULL;
	}
	if (len > 0 && s[len - 1] == '\n')
		s[--len] = '\0';
	if (len > 0 && s[len - 1] == '\r')
		s[--len] = '\0';
	if (len == 0 || strlen(s) != len || strchr(s, '\n') != NULL) {
		snprintf(err, errsz, "%s: '%s' must hold one non-empty line",
		    file_key, path);
		secret_free(s);
		return NULL;
	}
	return s;
}

void
secret_free(char *s)
{
	if (s == NULL)
		return;
	crypto_wipe(s, strlen(s));
	free(s);
}
