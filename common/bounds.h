/*
 * Named limits for everything that comes from outside, and the one
 * range-checked number parser.  Not "limits.h": that would shadow libc's.
 */
#ifndef IDENT_BOUNDS_H
#define IDENT_BOUNDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_BODY		(64 * 1024)	/* SECURITY.md C-T17 */
#define MAX_BODY_PREAUTH	(8 * 1024)	/* login and registration bodies */
#define MAX_PATH_LEN		1024
#define MAX_QUERY_LEN		2048
#define MAX_HEADER_LEN		8192		/* one header value */
#define MAX_JSON_DEPTH		16
#define MAX_JSON_FIELDS		64		/* members of a body object */
#define MAX_USERNAME_CHARS	100
#define MIN_USERNAME_CHARS	3
#define MAX_EMAIL_BYTES		255
#define MIN_PASSWORD_CHARS	12
#define MAX_PASSWORD_CHARS	128
#define MAX_PASSWORD_BYTES	512		/* 128 chars of up to 4 bytes */
#define MAX_SECRET_FILE		16384
#define MAX_CONFIG_LINE		4096
#define UUID_LEN		36

/*
 * Parse all of s (NUL-terminated) as a decimal in [min, max]: no sign,
 * no space, not empty.  Returns 0 and sets *out, or -1.
 */
int	parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Is s[0..len) well-formed UTF-8 (RFC 3629: no overlongs, no surrogates)? */
bool	utf8_valid(const char *s, size_t len);

/* Number of code points in well-formed UTF-8 s[0..len). */
size_t	utf8_chars(const char *s, size_t len);

/* Is s[0..len) a lowercase or uppercase hyphenated UUID? */
bool	uuid_syntax_ok(const char *s, size_t len);

#endif
