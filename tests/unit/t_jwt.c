#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "b64.h"
#include "jwt.h"
#include "tap.h"

#define ISS	"https://iam.example"
#define AUD	"genesis"
#define NOW	1800000000LL

static char	 dir[] = "/tmp/t_jwt.XXXXXX";

static const char *
path(const char *name)
{
	static char	 p[4][256];
	static int	 i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void
claims(struct jwt_claims *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->sub, "3f0c2a9e-6a51-4c1b-9a57-2f1e1d7b9c01");
	strcpy(c->sid, "8b5d1e2f-0c3a-4f6e-8d21-7a9b0c1d2e03");
	strcpy(c->jti, "1b5d1e2f-0c3a-4f6e-8d21-7a9b0c1d2e04");
	strcpy(c->username, "alice");
	strcpy(c->role, "user");
	c->iat = c->nbf = NOW;
	c->exp = NOW + 900;
}

static int
verify(const struct jwt_keys *ks, const char *tok, long long now)
{
	struct jwt_claims	 c;

	return jwt_verify(ks, tok, strlen(tok), ISS, AUD, now, &c) == IERR_OK;
}

/* header.payload.signature with the given header and payload JSON. */
static char *
forge(const char *header, const char *payload, const char *sig)
{
	char	*t = malloc(8192);
	size_t	 n;

	n = b64_encode(B64_URL, (const uint8_t *)header, strlen(header), t);
	t[n++] = '.';
	n += b64_encode(B64_URL, (const uint8_t *)payload, strlen(payload), t + n);
	t[n++] = '.';
	strcpy(t + n, sig);
	return t;
}

/* Replace the payload of a good token with another, keeping the rest. */
static char *
swap_payload(const char *tok, const char *payload)
{
	const char	*d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
	char		*t = malloc(8192);
	size_t		 n = (size_t)(d1 - tok) + 1;

	memcpy(t, tok, n);
	n += b64_encode(B64_URL, (const uint8_t *)payload, strlen(payload), t + n);
	strcpy(t + n, d2);
	return t;
}

/* tok with its header replaced by header, signed again with key pem. */
static char *
resign(const char *tok, const char *header, const char *pem)
{
	const char	*d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
	char		*t = malloc(8192);
	uint8_t		 sig[1024];
	size_t		 n, siglen = sizeof(sig);
	FILE		*f = fopen(pem, "r");
	EVP_PKEY	*k = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	EVP_MD_CTX	*md = EVP_MD_CTX_new();

	n = b64_encode(B64_URL, (const uint8_t *)header, strlen(header), t);
	memcpy(t + n, d1, (size_t)(d2 - d1));
	n += (size_t)(d2 - d1);
	if (k == NULL || md == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (const uint8_t *)t, n) != 1)
		siglen = 0;
	t[n++] = '.';
	b64_encode(B64_URL, sig, siglen, t + n);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	if (f != NULL)
		fclose(f);
	return t;
}

static void
write_weak_key(const char *p)
{
	EVP_PKEY	*k = EVP_RSA_gen(1024);
	FILE		*f = fopen(p, "w");

	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	chmod(p, 0600);
	EVP_PKEY_free(k);
}

int
main(void)
{
	/* RFC 7638 §3.1's example key and thumbprint. */
	const char *rfc_n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4"
	    "cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn6"
	    "4tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Qvzq"
	    "Y368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qN"
	    "Lyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF4"
	    "4-csFCur-kEgU8awapJzKnqDKgw";
	struct jwt_keys		*ks, *other;
	struct jwt_claims	 c, got;
	char			 kid[KID_LEN + 1], err[512], hdr[256], *tok, *bad;
	char			*big;

	ok(jwt_thumbprint(rfc_n, "AQAB", kid) == 0 &&
	    strcmp(kid, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs") == 0,
	    "RFC 7638 thumbprint of its own example: %s", kid);

	ok(mkdtemp(dir) != NULL, "temporary folder");
	ok(jwt_new_key(path("sign.pem"), 2048, err, sizeof(err)) == 0, "new key");
	ok(jwt_new_key(path("sign.pem"), 2048, err, sizeof(err)) == -1,
	    "new-key never overwrites");
	ok(jwt_new_key(path("old.pem"), 2048, err, sizeof(err)) == 0, "second key");
	ok(jwt_new_key(path("stranger.pem"), 2048, err, sizeof(err)) == 0,
	    "a key that is not configured");

	/* Start-up refusals of SECURITY.md C-T1. */
	ok(jwt_keys_load(path("none.pem"), NULL, err, sizeof(err)) == NULL &&
	    strstr(err, "signing_key_file: cannot read") != NULL,
	    "missing key: %s", err);
	chmod(path("old.pem"), 0640);
	ok(jwt_keys_load(path("old.pem"), NULL, err, sizeof(err)) == NULL &&
	    strstr(err, "readable by group or others") != NULL,
	    "group-readable key: %s", err);
	chmod(path("old.pem"), 0600);
	write_weak_key(path("weak.pem"));
	ok(jwt_keys_load(path("weak.pem"), NULL, err, sizeof(err)) == NULL &&
	    strstr(err, "fewer than 2048") != NULL, "1024-bit key: %s", err);
	unsetenv("CREDENTIALS_DIRECTORY");
	ok(jwt_keys_load(NULL, NULL, err, sizeof(err)) == NULL &&
	    strstr(err, "signing_key_file: not set") != NULL, "no key: %s", err);
	ok(jwt_keys_load(path("sign.pem"), path("sign.pem"), err, sizeof(err)) ==
	    NULL && strstr(err, "twice") != NULL, "same key twice");

	ks = jwt_keys_load(path("sign.pem"), path("old.pem"), err, sizeof(err));
	ok(ks != NULL && jwt_keys_count(ks) == 2, "signing + verify key: %s", err);
	other = jwt_keys_load(path("stranger.pem"), NULL, err, sizeof(err));
	ok(other != NULL, "the stranger's key set");

	claims(&c);
	tok = jwt_sign(ks, ISS, AUD, &c, "openid profile email", "password");
	ok(tok != NULL, "sign");
	ok(jwt_verify(ks, tok, strlen(tok), ISS, AUD, NOW, &got) == IERR_OK &&
	    strcmp(got.sub, c.sub) == 0 && strcmp(got.sid, c.sid) == 0 &&
	    strcmp(got.role, "user") == 0 && got.exp == c.exp,
	    "verify round trip");
	ok(verify(ks, tok, NOW + 900 + 59), "within the 60 s skew after exp");
	ok(!verify(ks, tok, NOW + 900 + 60), "expired");
	ok(!verify(ks, tok, NOW - 61), "not yet valid (nbf)");
	ok(jwt_verify(ks, tok, strlen(tok), "https://evil", AUD, NOW, &got) !=
	    IERR_OK, "wrong iss");
	ok(jwt_verify(ks, tok, strlen(tok), ISS, "other", NOW, &got) != IERR_OK,
	    "wrong aud");
	ok(!verify(other, tok, NOW), "a key set without the signer");

	/* Keys rotate: a token of the old key still verifies. */
	{
		struct jwt_keys	*rolled = jwt_keys_load(path("old.pem"),
		    path("sign.pem"), err, sizeof(err));

		ok(rolled != NULL && verify(rolled, tok, NOW),
		    "old signer as a verify key");
		jwt_keys_free(rolled);
	}

	/* A header spelled otherwise than ours is read member by member. */
	{
		uint8_t		 raw[256] = { 0 };
		const char	*at;
		char		 h[256];

		b64_decode(B64_URL, tok, (size_t)(strchr(tok, '.') - tok), raw,
		    sizeof(raw) - 1);
		at = strstr((const char *)raw, "\"kid\":\"");
		snprintf(h, sizeof(h), "{ \"kid\": \"%.*s\", \"typ\": "
		    "\"at+jwt\", \"alg\": \"RS256\" }", KID_LEN,
		    at != NULL ? at + 7 : "");
		bad = resign(tok, h, path("sign.pem"));
		ok(at != NULL && verify(ks, bad, NOW),
		    "header members in another order, with spaces");
		free(bad);
		snprintf(h, sizeof(h), "{\"alg\":\"RS256\",\"typ\":\"JWT\","
		    "\"kid\":\"%.*s\"}", KID_LEN, at != NULL ? at + 7 : "");
		bad = resign(tok, h, path("sign.pem"));
		ok(!verify(ks, bad, NOW), "typ JWT, signed by the right key");
		free(bad);
	}

	/* Hostile tokens. */
	bad = swap_payload(tok, "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\","
	    "\"sub\":\"3f0c2a9e-6a51-4c1b-9a57-2f1e1d7b9c01\",\"username\":"
	    "\"alice\",\"role\":\"admin\",\"sid\":\"8b5d1e2f-0c3a-4f6e-8d21-"
	    "7a9b0c1d2e03\",\"jti\":\"x\",\"iat\":1800000000,\"nbf\":1800000000,"
	    "\"exp\":1800000900}");
	ok(!verify(ks, bad, NOW), "tampered payload (role: admin)");
	free(bad);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"none\",\"typ\":\"at+jwt\"}");
	bad = forge(hdr, "{\"sub\":\"x\"}", "");
	ok(!verify(ks, bad, NOW), "alg none, empty signature");
	free(bad);
	bad = forge("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", "{}", "c2ln");
	ok(!verify(ks, bad, NOW), "alg HS256");
	free(bad);
	bad = forge("{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"nope\"}",
	    "{}", "c2ln");
	ok(!verify(ks, bad, NOW), "unknown kid");
	free(bad);
	bad = forge("{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"jku\":"
	    "\"https://evil/jwks\"}", "{}", "c2ln");
	ok(!verify(ks, bad, NOW), "jku header");
	free(bad);
	bad = forge("{\"alg\":\"RS256\",\"alg\":\"none\"}", "{}", "c2ln");
	ok(!verify(ks, bad, NOW), "duplicate header member");
	free(bad);
	bad = strdup(tok);
	bad[strlen(bad) - 10] = '\0';
	ok(!verify(ks, bad, NOW), "truncated signature");
	free(bad);
	bad = malloc(strlen(tok) + 2);
	sprintf(bad, "%s=", tok);
	ok(!verify(ks, bad, NOW), "padding appended");
	sprintf(bad, "%s", tok);
	bad[5] = '*';
	ok(!verify(ks, bad, NOW), "a character outside base64url");
	sprintf(bad, "%s", tok);
	*strchr(bad, '.') = '\0';
	ok(!verify(ks, bad, NOW), "one part only");
	free(bad);
	big = malloc(16385);
	memset(big, 'A', 16384);
	big[16384] = '\0';
	big[100] = '.';
	big[200] = '.';
	ok(!verify(ks, big, NOW), "16 KiB token");
	free(big);
	ok(!verify(ks, "", NOW) && !verify(ks, "..", NOW) &&
	    !verify(ks, "a.b.c.d", NOW), "empty and misshapen");

	free(tok);
	jwt_keys_free(ks);
	jwt_keys_free(other);
	unlink(path("sign.pem"));
	unlink(path("old.pem"));
	unlink(path("stranger.pem"));
	unlink(path("weak.pem"));
	rmdir(dir);
	return done();
}
