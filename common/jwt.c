#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "b64.h"
#include "config.h"
#include "bounds.h"
#include "crypto.h"
#include "json.h"
#include "jsonw.h"
#include "jwt.h"
#include "log.h"

#define MAX_KEYS	8
#define MIN_RSA_BITS	2048
#define MAX_PART	6144	/* decoded header or payload */
#define MAX_SIG		1024	/* 8192-bit RSA */

struct jwt_key {
	EVP_PKEY	*pkey;
	char		 kid[KID_LEN + 1];
	char		*n_b64;
	char		*e_b64;
	int		 sig_len;
	/*
	 * Made once at load: what every token signed with this key starts
	 * with, and a verification context (set up for RS256), so a
	 * request pays for neither the JSON nor OpenSSL's per-call setup.
	 */
	char		*header_b64;	/* typ at+jwt */
	size_t		 header_len;
	char		*id_header_b64;	/* typ JWT */
	size_t		 id_header_len;
	EVP_PKEY_CTX	*verify;
};

struct jwt_keys {
	struct jwt_key	 k[MAX_KEYS];
	size_t		 n;		/* k[0] signs */
	EVP_MD		*sha256;	/* fetched once */
};

/* No passphrase prompts: an encrypted key is an error, not a question. */
static int
no_passphrase(char *buf, int size, int rw, void *u)
{
	(void)buf; (void)size; (void)rw; (void)u;
	return -1;
}

static char *
bn_b64url(const EVP_PKEY *pkey, const char *param)
{
	BIGNUM		*bn = NULL;
	uint8_t		*bin;
	char		*out = NULL;
	int		 n;

	if (!EVP_PKEY_get_bn_param(pkey, param, &bn))
		return NULL;
	n = BN_num_bytes(bn);
	if ((bin = malloc((size_t)n + 1)) != NULL &&
	    (out = malloc(B64_ENCODED_SIZE((size_t)n))) != NULL) {
		BN_bn2bin(bn, bin);
		b64_encode(B64_URL, bin, (size_t)n, out);
	}
	free(bin);
	BN_free(bn);
	return out;
}

int
jwt_thumbprint(const char *n_b64, const char *e_b64, char out[KID_LEN + 1])
{
	struct jsonw	 w;
	uint8_t		 h[SHA256_LEN];
	const char	*t;

	/* RFC 7638 §3.2: required members only, lexicographic, no spaces. */
	jsonw_init(&w);
	jsonw_obj_open(&w);
	jsonw_kv_str(&w, "e", e_b64);
	jsonw_kv_str(&w, "kty", "RSA");
	jsonw_kv_str(&w, "n", n_b64);
	jsonw_obj_close(&w);
	if ((t = jsonw_text(&w)) == NULL) {
		jsonw_clear(&w);
		return -1;
	}
	crypto_sha256(t, w.len, h);
	jsonw_clear(&w);
	b64_encode(B64_URL, h, sizeof(h), out);
	return 0;
}

/* base64url of the header of the tokens key kid signs, and its length. */
static char *
encoded_header(const char *kid, const char *typ, size_t *len)
{
	struct jsonw	 h;
	char		*out = NULL;

	jsonw_init(&h);
	jsonw_obj_open(&h);
	jsonw_kv_str(&h, "alg", "RS256");
	jsonw_kv_str(&h, "typ", typ);
	jsonw_kv_str(&h, "kid", kid);
	jsonw_obj_close(&h);
	if (jsonw_text(&h) != NULL &&
	    (out = malloc(B64_ENCODED_SIZE(h.len))) != NULL)
		*len = b64_encode(B64_URL, (const uint8_t *)h.buf, h.len, out);
	jsonw_clear(&h);
	return out;
}

/* An RS256 (PKCS #1 v1.5, SHA-256) verification context for pkey. */
static EVP_PKEY_CTX *
verify_ctx(EVP_PKEY *pkey, const EVP_MD *sha256)
{
	EVP_PKEY_CTX	*ctx;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL)
		return NULL;
	if (EVP_PKEY_verify_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, sha256) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Read one PEM key; private keys must not be readable by others. */
static EVP_PKEY *
read_key(const char *cfgkey, const char *path, bool want_private,
    char *err, size_t errsz)
{
	struct stat	 st;
	EVP_PKEY	*pkey = NULL;
	BIO		*bio;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errsz, "%s: cannot read '%s': %s", cfgkey, path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s: '%s' is not a file", cfgkey, path);
		close(fd);
		return NULL;
	}
	if ((bio = BIO_new_fd(fd, BIO_CLOSE)) == NULL) {
		snprintf(err, errsz, "%s: out of memory", cfgkey);
		close(fd);
		return NULL;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (pkey != NULL && (st.st_mode & 077) != 0) {
		snprintf(err, errsz, "%s: '%s' is readable by group or others "
		    "(chmod 600)", cfgkey, path);
		EVP_PKEY_free(pkey);
		BIO_free(bio);
		return NULL;
	}
	if (pkey == NULL && !want_private) {
		(void)BIO_reset(bio);
		pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (pkey == NULL)
		snprintf(err, errsz, "%s: '%s' holds no PEM %s key", cfgkey,
		    path, want_private ? "private" : "RSA");
	return pkey;
}

static int
add_key(struct jwt_keys *ks, const char *cfgkey, const char *path,
    bool want_private, char *err, size_t errsz)
{
	struct jwt_key	*k;
	EVP_PKEY	*pkey;
	size_t		 i;

	if (ks->n == MAX_KEYS) {
		snprintf(err, errsz, "%s: more than %d keys", cfgkey, MAX_KEYS);
		return -1;
	}
	if ((pkey = read_key(cfgkey, path, want_private, err, errsz)) == NULL)
		return -1;
	k = &ks->k[ks->n];
	k->pkey = pkey;
	if (!EVP_PKEY_is_a(pkey, "RSA")) {
		snprintf(err, errsz, "%s: '%s' is not an RSA key", cfgkey, path);
		return -1;
	}
	if (EVP_PKEY_get_bits(pkey) < MIN_RSA_BITS) {
		snprintf(err, errsz, "%s: '%s' has %d bits, fewer than %d",
		    cfgkey, path, EVP_PKEY_get_bits(pkey), MIN_RSA_BITS);
		return -1;
	}
	k->sig_len = EVP_PKEY_get_size(pkey);
	if ((k->n_b64 = bn_b64url(pkey, OSSL_PKEY_PARAM_RSA_N)) == NULL ||
	    (k->e_b64 = bn_b64url(pkey, OSSL_PKEY_PARAM_RSA_E)) == NULL ||
	    jwt_thumbprint(k->n_b64, k->e_b64, k->kid) == -1 ||
	    (k->header_b64 = encoded_header(k->kid, JWT_TYP_ACCESS,
	    &k->header_len)) == NULL ||
	    (k->id_header_b64 = encoded_header(k->kid, JWT_TYP_ID,
	    &k->id_header_len)) == NULL ||
	    (k->verify = verify_ctx(pkey, ks->sha256)) == NULL) {
		snprintf(err, errsz, "%s: '%s': cannot read the key", cfgkey, path);
		return -1;
	}
	ks->n++;
	for (i = 0; i + 1 < ks->n; i++)
		if (strcmp(ks->k[i].kid, k->kid) == 0) {
			snprintf(err, errsz, "%s: '%s' is configured twice",
			    cfgkey, path);
			return -1;
		}
	return 0;
}

struct verify_add {
	struct jwt_keys	*ks;
	char		*err;
	size_t		 errsz;
};

static int
add_verify_key(void *arg, const char *path)
{
	struct verify_add	*va = arg;

	return add_key(va->ks, "verify_key_files", path, false, va->err,
	    va->errsz);
}

struct jwt_keys *
jwt_keys_load(const char *signing_path, const char *verify_list, char *err,
    size_t errsz)
{
	struct jwt_keys	*ks;
	char		 credpath[PATH_MAX];
	const char	*dir;

	if ((ks = calloc(1, sizeof(*ks))) == NULL ||
	    (ks->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL) {
		snprintf(err, errsz, "signing_key_file: out of memory");
		jwt_keys_free(ks);
		return NULL;
	}
	if (signing_path == NULL) {
		if ((dir = getenv("CREDENTIALS_DIRECTORY")) == NULL) {
			snprintf(err, errsz, "signing_key_file: not set (and no "
			    "$CREDENTIALS_DIRECTORY/signing_key.pem)");
			goto fail;
		}
		snprintf(credpath, sizeof(credpath), "%s/signing_key.pem", dir);
		signing_path = credpath;
	}
	if (add_key(ks, "signing_key_file", signing_path, true, err, errsz) == -1)
		goto fail;
	if (verify_list != NULL) {
		struct verify_add va = { ks, err, errsz };

		if (config_list_each(verify_list, add_verify_key, &va) == -1)
			goto fail;
	}
	return ks;
fail:
	jwt_keys_free(ks);
	return NULL;
}

void
jwt_keys_free(struct jwt_keys *ks)
{
	size_t	 i;

	if (ks == NULL)
		return;
	for (i = 0; i < MAX_KEYS; i++) {
		EVP_PKEY_free(ks->k[i].pkey);
		free(ks->k[i].n_b64);
		free(ks->k[i].e_b64);
		free(ks->k[i].header_b64);
		free(ks->k[i].id_header_b64);
		EVP_PKEY_CTX_free(ks->k[i].verify);
	}
	EVP_MD_free(ks->sha256);
	free(ks);
}

size_t
jwt_keys_count(const struct jwt_keys *ks)
{
	return ks->n;
}

void
jwt_keys_jwks(const struct jwt_keys *ks, struct jsonw *w)
{
	size_t	 i;

	jsonw_obj_open(w);
	jsonw_key(w, "keys");
	jsonw_arr_open(w);
	for (i = 0; i < ks->n; i++) {
		jsonw_obj_open(w);
		jsonw_kv_str(w, "kty", "RSA");
		jsonw_kv_str(w, "use", "sig");
		jsonw_kv_str(w, "alg", "RS256");
		jsonw_kv_str(w, "kid", ks->k[i].kid);
		jsonw_kv_str(w, "n", ks->k[i].n_b64);
		jsonw_kv_str(w, "e", ks->k[i].e_b64);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
	jsonw_obj_close(w);
}

/* base64url(json) appended to out at *len. */
static int
append_part(char *out, size_t cap, size_t *len, const char *json, size_t n)
{
	if (B64_ENCODED_SIZE(n) > cap - *len)
		return -1;
	*len += b64_encode(B64_URL, (const uint8_t *)json, n, out + *len);
	return 0;
}

#define MAX_ID_TOKEN_LEN	8192

char *
jwt_sign_payload(const struct jwt_keys *ks, const char *typ,
    const char *payload, size_t plen)
{
	const struct jwt_key	*k = &ks->k[0];
	bool			 id = strcmp(typ, JWT_TYP_ID) == 0;
	const char		*head = id ? k->id_header_b64 : k->header_b64;
	EVP_MD_CTX		*md = NULL;
	uint8_t			 sig[MAX_SIG];
	size_t			 siglen = sizeof(sig), len, cap;
	char			*out = NULL;
	bool			 ok = false;

	/* An access token must stay short enough for jwt_verify to take. */
	cap = id ? MAX_ID_TOKEN_LEN : MAX_TOKEN_LEN + 1;
	len = id ? k->id_header_len : k->header_len;
	if ((out = malloc(cap)) == NULL || len + 1 >= cap)
		goto done;
	memcpy(out, head, len);
	out[len++] = '.';
	if (append_part(out, cap, &len, payload, plen) == -1 ||
	    (md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, ks->sha256, NULL, k->pkey) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (const uint8_t *)out, len) != 1 ||
	    len + 1 + B64_ENCODED_SIZE(siglen) > cap)
		goto done;
	out[len++] = '.';
	b64_encode(B64_URL, sig, siglen, out + len);
	ok = true;
done:
	if (!ok) {
		log_reason(LOG_LVL_ERR, "jwt_sign_failed", "signing failed");
		free(out);
		out = NULL;
	}
	EVP_MD_CTX_free(md);
	return out;
}

char *
jwt_sign(const struct jwt_keys *ks, const char *iss, const char *aud,
    const struct jwt_claims *c, const char *scope, const char *auth_method)
{
	struct jsonw	 p;
	char		*out = NULL;

	jsonw_init(&p);
	jsonw_obj_open(&p);
	jsonw_kv_str(&p, "iss", iss);
	jsonw_kv_str(&p, "aud", aud);
	jsonw_kv_str(&p, "sub", c->sub);
	jsonw_kv_str(&p, "username", c->username);
	jsonw_kv_str(&p, "role", c->role);
	jsonw_kv_str(&p, "sid", c->sid);
	jsonw_kv_str(&p, "jti", c->jti);
	jsonw_kv_int(&p, "iat", c->iat);
	jsonw_kv_int(&p, "nbf", c->nbf);
	jsonw_kv_int(&p, "exp", c->exp);
	jsonw_kv_str(&p, "scope", scope);
	jsonw_kv_str(&p, "auth_method", auth_method);
	jsonw_obj_close(&p);
	if (jsonw_text(&p) != NULL)
		out = jwt_sign_payload(ks, JWT_TYP_ACCESS, p.buf, p.len);
	else
		log_reason(LOG_LVL_ERR, "jwt_sign_failed", "out of memory");
	jsonw_clear(&p);
	return out;
}

/* Decode one base64url part and parse it as a JSON object. */
static struct json_doc *
part_doc(const char *s, size_t n)
{
	uint8_t		 buf[MAX_PART];
	struct json_doc	*doc = NULL;
	struct verrs	 v = { 0 };
	long		 len;

	if ((len = b64_decode(B64_URL, s, n, buf, sizeof(buf))) <= 0)
		return NULL;
	if (json_doc_parse((const char *)buf, (size_t)len, &doc, &v) != IERR_OK)
		return NULL;
	return doc;
}

static bool
str_is(struct json_doc *d, const char *name, const char *want)
{
	struct verrs	 v = { 0 };
	struct jstr	 s;

	json_get_str(d, name, 1024, false, &s, &v);
	return s.s != NULL && strcmp(s.s, want) == 0;
}

/* Copy a string claim into out[cap]; false if absent, wrong or too long. */
static bool
str_claim(struct json_doc *d, const char *name, char *out, size_t cap)
{
	struct verrs	 v = { 0 };
	struct jstr	 s;

	json_get_str(d, name, cap - 1, false, &s, &v);
	if (s.s == NULL || s.len >= cap)
		return false;
	memcpy(out, s.s, s.len + 1);
	return true;
}

static bool
int_claim(struct json_doc *d, const char *name, long long *out)
{
	struct verrs	 v = { 0 };
	struct jint	 i;

	json_get_int(d, name, 0, 253402300799LL, &i, &v);	/* year 9999 */
	*out = i.v;
	return i.present;
}

static const struct jwt_key *
parsed_header_key(const struct jwt_keys *ks, struct json_doc *h,
    const char *typ)
{
	static const char *const allowed[] = { "alg", "typ", "kid" };
	size_t			 i;

	/* jku, x5u, jwk, x5c, crit...: any other member is refused. */
	if (!json_doc_only(h, allowed, 3) || !str_is(h, "alg", "RS256") ||
	    !str_is(h, "typ", typ))
		return NULL;
	for (i = 0; i < ks->n; i++)
		if (str_is(h, "kid", ks->k[i].kid))
			return &ks->k[i];
	return NULL;
}

/*
 * The key the header (n bytes of base64url) names.  Our own headers are
 * recognised byte for byte; any other spelling is decoded and checked
 * member by member.
 */
static const struct jwt_key *
header_key(const struct jwt_keys *ks, const char *h64, size_t n,
    const char *typ)
{
	const struct jwt_key	*k = NULL;
	struct json_doc		*h;
	bool			 id = strcmp(typ, JWT_TYP_ID) == 0;
	size_t			 i;

	for (i = 0; i < ks->n; i++)
		if ((id ? ks->k[i].id_header_len : ks->k[i].header_len) == n &&
		    memcmp(id ? ks->k[i].id_header_b64 : ks->k[i].header_b64,
		    h64, n) == 0)
			return &ks->k[i];
	if ((h = part_doc(h64, n)) != NULL)
		k = parsed_header_key(ks, h, typ);
	json_doc_free(h);
	return k;
}

static bool
signature_ok(const struct jwt_keys *ks, const struct jwt_key *k,
    const char *signed_part, size_t n, const char *sig64, size_t siglen64)
{
	uint8_t		 sig[MAX_SIG], digest[SHA256_LEN];
	unsigned int	 dlen = 0;
	long		 siglen;

	siglen = b64_decode(B64_URL, sig64, siglen64, sig, sizeof(sig));
	if (siglen != k->sig_len)
		return false;
	return EVP_Digest(signed_part, n, digest, &dlen, ks->sha256, NULL) == 1 &&
	    dlen == sizeof(digest) &&
	    EVP_PKEY_verify(k->verify, sig, (size_t)siglen, digest, dlen) == 1;
}

bool
jwt_claims_current(const struct jwt_claims *c, long long now)
{
	return now < c->exp + JWT_SKEW && c->nbf <= now + JWT_SKEW &&
	    c->iat <= now + JWT_SKEW;
}

/* An optional string claim: "" when absent; false if malformed. */
static bool
opt_claim(struct json_doc *d, const char *name, char *out, size_t cap)
{
	if (!json_has_member(d, name)) {
		out[0] = '\0';
		return true;
	}
	return str_claim(d, name, out, cap);
}

static bool
claims_ok(struct json_doc *p, const char *iss, const char *aud,
    long long now, struct jwt_claims *c)
{
	bool	 by_client;

	if (!str_is(p, "iss", iss) ||
	    !int_claim(p, "exp", &c->exp) || !int_claim(p, "nbf", &c->nbf) ||
	    !int_claim(p, "iat", &c->iat) ||
	    !str_claim(p, "sub", c->sub, sizeof(c->sub)) ||
	    !str_claim(p, "jti", c->jti, sizeof(c->jti)) ||
	    !opt_claim(p, "client_id", c->client_id, sizeof(c->client_id)) ||
	    !opt_claim(p, "scope", c->scope, sizeof(c->scope)) ||
	    !opt_claim(p, "auth_method", c->auth_method,
	    sizeof(c->auth_method)))
		return false;
	/* A client's token names its own audiences (docs/OIDC.md "Tokens"). */
	if (c->client_id[0] == '\0' ? !str_is(p, "aud", aud) :
	    !json_has_member(p, "aud"))
		return false;
	if (!jwt_claims_current(c, now))
		return false;
	by_client = strcmp(c->auth_method, "client_credentials") == 0;
	if (by_client)
		return c->client_id[0] != '\0' &&
		    strcmp(c->sub, c->client_id) == 0 &&
		    !json_has_member(p, "sid");
	if (!str_claim(p, "sid", c->sid, sizeof(c->sid)) ||
	    !str_claim(p, "username", c->username, sizeof(c->username)) ||
	    !str_claim(p, "role", c->role, sizeof(c->role)))
		return false;
	return uuid_syntax_ok(c->sub, strlen(c->sub)) &&
	    uuid_syntax_ok(c->sid, strlen(c->sid));
}

enum ierr
jwt_verify(const struct jwt_keys *ks, const char *tok, size_t len,
    const char *iss, const char *aud, long long now, struct jwt_claims *out)
{
	const struct jwt_key	*k;
	struct json_doc		*p = NULL;
	const char		*d1, *d2;
	bool			 ok = false;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > MAX_TOKEN_LEN || memchr(tok, '\0', len) != NULL ||
	    (d1 = memchr(tok, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok))) == NULL ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)) != NULL)
		return IERR_UNAUTHENTICATED;
	if ((k = header_key(ks, tok, (size_t)(d1 - tok), JWT_TYP_ACCESS)) != NULL &&
	    signature_ok(ks, k, tok, (size_t)(d2 - tok), d2 + 1,
	    len - (size_t)(d2 + 1 - tok)) &&
	    (p = part_doc(d1 + 1, (size_t)(d2 - d1 - 1))) != NULL)
		ok = claims_ok(p, iss, aud, now, out);
	json_doc_free(p);
	if (!ok)
		memset(out, 0, sizeof(*out));
	return ok ? IERR_OK : IERR_UNAUTHENTICATED;
}

int
jwt_new_key(const char *path, unsigned bits, char *err, size_t errsz)
{
	EVP_PKEY	*pkey;
	BIO		*bio;
	int		 fd, rc = -1;

	if (bits < MIN_RSA_BITS) {
		snprintf(err, errsz, "keys have at least %d bits", MIN_RSA_BITS);
		return -1;
	}
	if ((pkey = EVP_RSA_gen(bits)) == NULL) {
		snprintf(err, errsz, "RSA key generation failed");
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		EVP_PKEY_free(pkey);
		return -1;
	}
	if ((bio = BIO_new_fd(fd, BIO_CLOSE)) != NULL &&
	    PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) == 1)
		rc = 0;
	else
		snprintf(err, errsz, "%s: cannot write the key", path);
	if (bio != NULL)
		BIO_free(bio);
	else
		close(fd);
	EVP_PKEY_free(pkey);
	return rc;
}

enum ierr
jwt_verify_id_hint(const struct jwt_keys *ks, const char *tok, size_t len,
    const char *iss, struct jwt_id_hint *out)
{
	const struct jwt_key	*k;
	struct json_doc		*p = NULL;
	const char		*d1, *d2;
	bool			 ok = false;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > MAX_ID_TOKEN_LEN ||
	    memchr(tok, '\0', len) != NULL ||
	    (d1 = memchr(tok, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok))) == NULL ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)) != NULL)
		return IERR_UNAUTHENTICATED;
	if ((k = header_key(ks, tok, (size_t)(d1 - tok), JWT_TYP_ID)) != NULL &&
	    signature_ok(ks, k, tok, (size_t)(d2 - tok), d2 + 1,
	    len - (size_t)(d2 + 1 - tok)) &&
	    (p = part_doc(d1 + 1, (size_t)(d2 - d1 - 1))) != NULL)
		ok = str_is(p, "iss", iss) &&
		    str_claim(p, "sub", out->sub, sizeof(out->sub)) &&
		    str_claim(p, "aud", out->aud, sizeof(out->aud)) &&
		    opt_claim(p, "sid", out->sid, sizeof(out->sid));
	json_doc_free(p);
	if (!ok)
		memset(out, 0, sizeof(*out));
	return ok ? IERR_OK : IERR_UNAUTHENTICATED;
}
