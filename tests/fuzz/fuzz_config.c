/*
 * libFuzzer harness for common/config.c's config_parse (the
 * configuration file: "key = value" lines).
 *
 * Checks beyond the sanitizers: err is a NUL-terminated line after a
 * failure; after a success every string value is non-empty, one line,
 * without surrounding blanks, and every number is within its key's range
 * (the ranges are config.c's, copied here); config_clear frees every
 * string (LeakSanitizer) and restores the defaults; the config_check_*
 * functions run on whatever was parsed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"fuzz_config: check failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

static void
check_str(const char *s)
{
	size_t	 n;

	if (s == NULL)
		return;
	n = strlen(s);
	CHECK(n > 0 && n < 4096);
	CHECK(strchr(s, '\n') == NULL);
	CHECK(strchr(" \t\r", s[0]) == NULL);
	CHECK(strchr(" \t\r", s[n - 1]) == NULL);
}

#define RANGE(v, lo, hi)	CHECK((v) >= (lo) && (v) <= (hi))

static void
check_parsed(const struct config *c)
{
	const char *const strs[] = {
		c->db_socket, c->db_host, c->db_name, c->db_user,
		c->db_password_file, c->migrate_db_user,
		c->migrate_db_password_file, c->db_service_account,
		c->migrations_dir, c->signing_key_file, c->verify_key_files,
		c->jwt_issuer, c->jwt_audience,
	};
	size_t	 i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		check_str(strs[i]);
	RANGE(c->db_port, 1u, 65535u);
	RANGE(c->db_connect_timeout, 1u, 60u);
	RANGE(c->db_rw_timeout, 1u, 600u);
	RANGE(c->argon2_memory_kib, 8u, 4194304u);
	RANGE(c->argon2_iterations, 1u, 64u);
	RANGE(c->argon2_parallelism, 1u, 64u);
	RANGE(c->access_token_ttl, 60u, 86400u);
	RANGE(c->refresh_token_ttl, 300u, 31536000u);
	RANGE(c->session_max_lifetime, 300u, 31536000u);
	RANGE(c->refresh_reuse_grace_seconds, 0u, 60u);
	RANGE(c->max_requests, 0u, 100000000u);
	CHECK(c->log_level >= LOG_LVL_DEBUG && c->log_level <= LOG_LVL_ERR);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 c, fresh;
	char		 err[256], err2[256];
	int		 rc;

	config_init(&c);
	memset(err, 0x5a, sizeof(err));
	rc = config_parse(&c, (const char *)data, size, err, sizeof(err));
	CHECK(rc == 0 || rc == -1);
	if (rc == -1) {
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
	} else
		check_parsed(&c);

	/* Harmless on anything parsed, even partly. */
	if (config_check_db(&c, err2, sizeof(err2)) == -1)
		CHECK(memchr(err2, '\0', sizeof(err2)) != NULL);
	if (config_check_tokens(&c, err2, sizeof(err2)) == -1)
		CHECK(memchr(err2, '\0', sizeof(err2)) != NULL);

	config_clear(&c);
	config_init(&fresh);
	CHECK(memcmp(&c, &fresh, sizeof(c)) == 0);
	config_clear(&c);
	return 0;
}
