/*
 * libFuzzer harness for common/jwt.c's jwt_verify (and through it b64.c,
 * json.c and the OpenSSL verification path).
 *
 * LLVMFuzzerInitialize makes a throwaway 2048-bit key with jwt_new_key in
 * a mkdtemp directory, loads it with jwt_keys_load, keeps a copy of the
 * private half for mode 2 below, and deletes the file and the directory:
 * no key outlives the process.  It signs one real token and checks that
 * it verifies.  If $FUZZ_JWT_SEED_DIR is set (tests/fuzz/run points it at
 * its copy of the corpus), it writes that token and variants of it there:
 * they are only meaningful with this process's key, so they cannot be
 * committed.  (libFuzzer reads the corpus after LLVMFuzzerInitialize.)
 *
 * Each input is used in one of two ways:
 *  1. An input with other than exactly one '.' is a token as received.
 *     jwt_verify must return IERR_UNAUTHENTICATED: anything else (in
 *     particular IERR_OK) is a finding, except for the one real token,
 *     which must verify, with its claims, and only with the right iss,
 *     aud and time.
 *  2. An input with exactly one '.' is a signing input "header.payload":
 *     the harness signs it with the key and verifies the result, so the
 *     header and claim checks are fuzzed behind a good signature.  Here
 *     IERR_OK is allowed, but the claims must then be sane (UUID sub and
 *     sid, NUL-terminated strings, times in range and valid at NOW).
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "b64.h"
#include "bounds.h"
#include "jwt.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"fuzz_jwt: check failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

#define ISS	"https://iam.example"
#define AUD	"genesis"
#define NOW	1800000000LL
#define SUB	"3f0c2a9e-6a51-4c1b-9a57-2f1e1d7b9c01"
#define SID	"8b5d1e2f-0c3a-4f6e-8d21-7a9b0c1d2e03"
#define JTI	"1b5d1e2f-0c3a-4f6e-8d21-7a9b0c1d2e04"

static struct jwt_keys	*keys;
static EVP_PKEY		*priv;
static char		*good;		/* the one real token */
static size_t		 goodlen;
static char		 kid[KID_LEN + 1];

static void
die(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_jwt: %s: %s\n", what, err);
	exit(1);
}

/* "header.payload" -> "header.payload.signature" (malloc'd), or NULL. */
static char *
sign_input(const char *in, size_t n, size_t *outlen)
{
	uint8_t		 sig[1024];
	size_t		 siglen = sizeof(sig);
	EVP_MD_CTX	*md;
	char		*tok;
	bool		 ok;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return NULL;
	ok = EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, priv) == 1 &&
	    EVP_DigestSign(md, sig, &siglen, (const uint8_t *)in, n) == 1;
	EVP_MD_CTX_free(md);
	if (!ok || (tok = malloc(n + 1 + B64_ENCODED_SIZE(siglen))) == NULL)
		return NULL;
	memcpy(tok, in, n);
	tok[n] = '.';
	*outlen = n + 1 + b64_encode(B64_URL, sig, siglen, tok + n + 1);
	return tok;
}

static void
good_claims(struct jwt_claims *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->sub, SUB);
	strcpy(c->sid, SID);
	strcpy(c->jti, JTI);
	strcpy(c->username, "alice");
	strcpy(c->role, "user");
	c->iat = c->nbf = NOW;
	c->exp = NOW + 900;
}

/* --- seeds that need this run's key ----------------------------------- */

static void
write_seed(const char *dir, const char *name, const char *s, size_t n)
{
	char	 path[4096];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		return;
	fwrite(s, 1, n, fp);
	fclose(fp);
}

/* header and payload JSON -> "h.p" in out (8 KiB). */
static size_t
hp(char *out, const char *h, const char *p)
{
	size_t	 n;

	n = b64_encode(B64_URL, (const uint8_t *)h, strlen(h), out);
	out[n++] = '.';
	return n + b64_encode(B64_URL, (const uint8_t *)p, strlen(p), out + n);
}

static void
runtime_seeds(const char *dir)
{
	static const char *const payloads[] = {
		/* the real claims, then one thing wrong at a time */
		"{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"" SUB "\","
		"\"username\":\"alice\",\"role\":\"user\",\"sid\":\"" SID "\","
		"\"jti\":\"" JTI "\",\"iat\":1800000000,\"nbf\":1800000000,"
		"\"exp\":1800000900,\"scope\":\"openid\",\"auth_method\":\"password\"}",
		"{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"" SUB "\","
		"\"username\":\"alice\",\"role\":\"user\",\"sid\":\"" SID "\","
		"\"jti\":\"" JTI "\",\"iat\":1799990000,\"nbf\":1799990000,"
		"\"exp\":1799990900}",
		"{\"iss\":\"" ISS "\",\"aud\":[\"" AUD "\"],\"sub\":\"" SUB "\","
		"\"username\":\"alice\",\"role\":\"user\",\"sid\":\"" SID "\","
		"\"jti\":\"" JTI "\",\"iat\":1800000000,\"nbf\":1800000000,"
		"\"exp\":1800000900}",
		"{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"not-a-uuid\","
		"\"username\":\"al\\u00efce \\ud83d\\ude00\",\"role\":\"admin\","
		"\"sid\":\"" SID "\",\"jti\":\"" JTI "\",\"iat\":0,\"nbf\":0,"
		"\"exp\":253402300799}",
		"{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"" SUB "\","
		"\"username\":\"alice\",\"role\":\"user\",\"sid\":\"" SID "\","
		"\"jti\":\"" JTI "\",\"iat\":1800000000,\"nbf\":1800000000,"
		"\"exp\":1800000900.5,\"exp\":1800000900}",
		"{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"" SUB "\","
		"\"role\":\"user\",\"sid\":\"" SID "\",\"jti\":\"" JTI "\","
		"\"iat\":1800000000,\"nbf\":1800000000,\"exp\":1800000900}",
	};
	char	 h[512], name[64], *buf, *tok;
	size_t	 i, n, tlen;

	if ((buf = malloc(8192)) == NULL)
		return;
	write_seed(dir, "runtime_real_token", good, goodlen);
	/* the real signing input (mode 2) */
	write_seed(dir, "runtime_real_signing_input", good,
	    (size_t)(strrchr(good, '.') - good));
	snprintf(h, sizeof(h), "{\"alg\":\"RS256\",\"typ\":\"at+jwt\","
	    "\"kid\":\"%s\"}", kid);
	for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		n = hp(buf, h, payloads[i]);
		snprintf(name, sizeof(name), "runtime_hp_%zu", i);
		write_seed(dir, name, buf, n);
		/* the same, signed: a mode-1 seed */
		if ((tok = sign_input(buf, n, &tlen)) != NULL) {
			snprintf(name, sizeof(name), "runtime_signed_%zu", i);
			write_seed(dir, name, tok, tlen);
			free(tok);
		}
	}
	/* headers a forger would try, with the real kid */
	{
		static const char *const hdrs[] = {
			"{\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\"%s\"}",
			"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"%s\"}",
			"{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
			"{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"%s\","
			"\"jku\":\"https://evil.example/jwks\"}",
			"{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"%s\","
			"\"alg\":\"none\"}",
			"{\"kid\":\"%s\",\"typ\":\"at+jwt\",\"alg\":\"RS256\"}",
		};

		for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
			snprintf(h, sizeof(h), hdrs[i], kid);
			n = hp(buf, h, payloads[0]);
			snprintf(name, sizeof(name), "runtime_hdr_%zu", i);
			write_seed(dir, name, buf, n);
		}
	}
	free(buf);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char			 dir[] = "/tmp/fuzz_jwt.XXXXXX", path[64];
	char			 err[256];
	struct jwt_claims	 c, out;
	const char		*seeds, *p1, *p2;
	FILE			*fp;
	uint8_t			 hdr[512];
	long			 hl;
	int			 ok;

	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", "failed");
	snprintf(path, sizeof(path), "%s/signing_key.pem", dir);
	ok = jwt_new_key(path, 2048, err, sizeof(err)) == 0 &&
	    (keys = jwt_keys_load(path, NULL, err, sizeof(err))) != NULL;
	if (ok && (fp = fopen(path, "r")) != NULL) {
		priv = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
		fclose(fp);
	}
	unlink(path);
	rmdir(dir);
	if (!ok)
		die("key", err);
	if (priv == NULL)
		die("key", "cannot read the private key back");
	CHECK(jwt_keys_count(keys) == 1);

	good_claims(&c);
	if ((good = jwt_sign(keys, ISS, AUD, &c, "openid", "password")) == NULL)
		die("jwt_sign", "failed");
	goodlen = strlen(good);
	CHECK(jwt_verify(keys, good, goodlen, ISS, AUD, NOW, &out) == IERR_OK);

	/* The kid, from the real token's header. */
	p1 = strchr(good, '.');
	hl = b64_decode(B64_URL, good, (size_t)(p1 - good), hdr, sizeof(hdr) - 1);
	CHECK(hl > 0);
	hdr[hl] = '\0';
	p1 = strstr((char *)hdr, "\"kid\":\"");
	CHECK(p1 != NULL);
	p1 += 7;
	p2 = strchr(p1, '"');
	CHECK(p2 != NULL && p2 - p1 == KID_LEN);
	memcpy(kid, p1, KID_LEN);

	if ((seeds = getenv("FUZZ_JWT_SEED_DIR")) != NULL && *seeds != '\0')
		runtime_seeds(seeds);
	return 0;
}

static bool
terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

/* Claims of a token that verified. */
static void
check_claims(const struct jwt_claims *c)
{
	CHECK(terminated(c->sub, sizeof(c->sub)));
	CHECK(terminated(c->sid, sizeof(c->sid)));
	CHECK(terminated(c->jti, sizeof(c->jti)));
	CHECK(terminated(c->username, sizeof(c->username)));
	CHECK(terminated(c->role, sizeof(c->role)));
	CHECK(uuid_syntax_ok(c->sub, strlen(c->sub)));
	CHECK(uuid_syntax_ok(c->sid, strlen(c->sid)));
	CHECK(utf8_valid(c->username, strlen(c->username)));
	CHECK(c->exp >= 0 && c->nbf >= 0 && c->iat >= 0);
	CHECK(NOW < c->exp + JWT_SKEW);
	CHECK(c->nbf <= NOW + JWT_SKEW && c->iat <= NOW + JWT_SKEW);
}

static void
check_good(const char *tok, size_t len)
{
	struct jwt_claims	 c;

	CHECK(jwt_verify(keys, tok, len, ISS, AUD, NOW, &c) == IERR_OK);
	check_claims(&c);
	CHECK(strcmp(c.sub, SUB) == 0 && strcmp(c.sid, SID) == 0 &&
	    strcmp(c.jti, JTI) == 0 && strcmp(c.username, "alice") == 0 &&
	    strcmp(c.role, "user") == 0 && c.exp == NOW + 900);
	CHECK(jwt_verify(keys, tok, len, ISS, "other", NOW, &c) ==
	    IERR_UNAUTHENTICATED);
	CHECK(jwt_verify(keys, tok, len, "https://evil.example", AUD, NOW,
	    &c) == IERR_UNAUTHENTICATED);
	CHECK(jwt_verify(keys, tok, len, ISS, AUD, NOW + 900 + JWT_SKEW,
	    &c) == IERR_UNAUTHENTICATED);
	CHECK(jwt_verify(keys, tok, len, ISS, AUD, NOW - 61 - JWT_SKEW,
	    &c) == IERR_UNAUTHENTICATED);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*s = (const char *)data, *d;
	struct jwt_claims	 c;
	enum ierr		 e;
	size_t			 dots = 0, tlen;
	char			*tok;

	for (d = s; (d = memchr(d, '.', size - (size_t)(d - s))) != NULL; d++)
		dots++;

	if (dots != 1) {
		/* Mode 1: a token as received. */
		if (size == goodlen && memcmp(s, good, size) == 0) {
			check_good(s, size);
			return 0;
		}
		e = jwt_verify(keys, s, size, ISS, AUD, NOW, &c);
		if (e != IERR_UNAUTHENTICATED) {
			fprintf(stderr, "fuzz_jwt: jwt_verify returned %d for "
			    "an input that was not signed by the key: %.*s\n",
			    (int)e, (int)size, s);
			abort();
		}
		return 0;
	}

	/* Mode 2: sign "header.payload" and verify it. */
	if (size > MAX_TOKEN_LEN)
		return 0;
	if ((tok = sign_input(s, size, &tlen)) == NULL)
		abort();
	e = jwt_verify(keys, tok, tlen, ISS, AUD, NOW, &c);
	CHECK(e == IERR_OK || e == IERR_UNAUTHENTICATED);
	if (e == IERR_OK)
		check_claims(&c);
	free(tok);
	return 0;
}
