#include <crypt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>

#include "b64.h"
#include "crypto.h"
#include "log.h"
#include "pwhash.h"

#define SALT_LEN	16
#define HASH_LEN	32
#define PHC_MAX		256

static struct pwhash_params	 params;
static uint8_t			*arena;		/* reused argon2 memory */
static size_t			 arena_size;
static char			*dummy_hash;

/* libargon2 asks for its memory through these; keep one area. */
static int
arena_alloc(uint8_t **memory, size_t bytes)
{
	if (arena != NULL && bytes <= arena_size) {
		*memory = arena;
		return ARGON2_OK;
	}
	if ((*memory = malloc(bytes)) == NULL)
		return ARGON2_MEMORY_ALLOCATION_ERROR;
	if (arena == NULL || bytes > arena_size) {
		free(arena);
		arena = *memory;
		arena_size = bytes;
	}
	return ARGON2_OK;
}

static void
arena_free(uint8_t *memory, size_t bytes)
{
	(void)bytes;
	if (memory != arena)
		free(memory);
}

/* Run argon2id over pw with the given salt and cost into out. */
static int
argon2id_raw(const struct pwhash_params *pp, uint32_t version,
    const uint8_t *salt, size_t saltlen, const char *pw, size_t pwlen,
    uint8_t *out, size_t outlen)
{
	argon2_context	 ctx;
	int		 rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.out = out;
	ctx.outlen = (uint32_t)outlen;
	ctx.pwd = (uint8_t *)(uintptr_t)pw;
	ctx.pwdlen = (uint32_t)pwlen;
	ctx.salt = (uint8_t *)(uintptr_t)salt;
	ctx.saltlen = (uint32_t)saltlen;
	ctx.t_cost = pp->t;
	ctx.m_cost = pp->m_kib;
	ctx.lanes = pp->p;
	ctx.threads = 1;	/* lanes run in turn: a worker is one core */
	ctx.version = version;
	ctx.allocate_cbk = arena_alloc;
	ctx.free_cbk = arena_free;
	ctx.flags = ARGON2_DEFAULT_FLAGS;
	if ((rc = argon2_ctx(&ctx, Argon2_id)) != ARGON2_OK) {
		log_reason(LOG_LVL_ERR, "pwhash_error", argon2_error_message(rc));
		return -1;
	}
	return 0;
}

int
pwhash_init(const struct pwhash_params *pp)
{
	params = *pp;
	free(dummy_hash);
	if ((dummy_hash = pwhash_make("genesis-dummy-password", 22)) == NULL)
		return -1;
	return 0;
}

void
pwhash_cleanup(void)
{
	free(arena);
	arena = NULL;
	arena_size = 0;
	free(dummy_hash);
	dummy_hash = NULL;
}

char *
pwhash_make(const char *pw, size_t len)
{
	uint8_t	 salt[SALT_LEN], hash[HASH_LEN];
	char	 s64[B64_ENCODED_SIZE(SALT_LEN)], h64[B64_ENCODED_SIZE(HASH_LEN)];
	char	*out;

	if (crypto_random(salt, sizeof(salt)) == -1 ||
	    argon2id_raw(&params, ARGON2_VERSION_13, salt, sizeof(salt), pw,
	    len, hash, sizeof(hash)) == -1)
		return NULL;
	b64_encode(B64_STD, salt, sizeof(salt), s64);
	b64_encode(B64_STD, hash, sizeof(hash), h64);
	crypto_wipe(hash, sizeof(hash));
	if ((out = malloc(PHC_MAX)) == NULL)
		return NULL;
	snprintf(out, PHC_MAX, "$argon2id$v=%d$m=%u,t=%u,p=%u$%s$%s",
	    ARGON2_VERSION_13, params.m_kib, params.t, params.p, s64, h64);
	return out;
}

struct phc {
	struct pwhash_params	 pp;
	uint32_t		 version;
	uint8_t			 salt[64];
	long			 saltlen;
	uint8_t			 hash[64];
	long			 hashlen;
};

/* Parse "$argon2id$v=19$m=M,t=T,p=P$SALT$HASH". Returns 0 or -1. */
static int
phc_parse(const char *s, struct phc *p)
{
	unsigned	 v, m, t, par;
	int		 off = 0;
	const char	*salt, *hash;

	if (sscanf(s, "$argon2id$v=%u$m=%u,t=%u,p=%u$%n", &v, &m, &t, &par,
	    &off) != 4 || off == 0)
		return -1;
	if (v != ARGON2_VERSION_13 || m < 8 || m > 4194304 || t < 1 ||
	    t > 64 || par < 1 || par > 64)
		return -1;
	salt = s + off;
	if ((hash = strchr(salt, '$')) == NULL)
		return -1;
	p->saltlen = b64_decode(B64_STD, salt, (size_t)(hash - salt),
	    p->salt, sizeof(p->salt));
	hash++;
	p->hashlen = b64_decode(B64_STD, hash, strlen(hash), p->hash,
	    sizeof(p->hash));
	if (p->saltlen < 8 || p->hashlen < 16)
		return -1;
	p->pp.m_kib = m;
	p->pp.t = t;
	p->pp.p = par;
	p->version = v;
	return 0;
}

static enum pwhash_result
verify_argon2id(const char *stored, const char *pw, size_t len)
{
	struct phc		 p;
	uint8_t			 got[64];
	enum pwhash_result	 res;

	if (phc_parse(stored, &p) == -1) {
		log_reason(LOG_LVL_WARN, "pwhash_error", "malformed argon2id hash");
		return PWH_ERROR;
	}
	if (argon2id_raw(&p.pp, p.version, p.salt, (size_t)p.saltlen, pw, len,
	    got, (size_t)p.hashlen) == -1)
		return PWH_ERROR;
	if (!crypto_equal(got, p.hash, (size_t)p.hashlen))
		res = PWH_MISMATCH;
	else if (p.pp.m_kib < params.m_kib || p.pp.t < params.t ||
	    p.pp.p < params.p || p.hashlen < HASH_LEN)
		res = PWH_MATCH_REHASH;
	else
		res = PWH_MATCH;
	crypto_wipe(got, sizeof(got));
	return res;
}

/* The original service's bcrypt hashes: always rehashed on success. */
static enum pwhash_result
verify_bcrypt(const char *stored, const char *pw)
{
	struct crypt_data	*cd;
	const char		*got;
	enum pwhash_result	 res = PWH_ERROR;
	size_t			 n = strlen(stored);

	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return PWH_ERROR;
	got = crypt_r(pw, stored, cd);
	if (got == NULL || got[0] == '*' || strlen(got) != n)
		log_reason(LOG_LVL_WARN, "pwhash_error", "malformed bcrypt hash");
	else
		res = crypto_equal(got, stored, n) ? PWH_MATCH_REHASH :
		    PWH_MISMATCH;
	crypto_wipe(cd, sizeof(*cd));
	free(cd);
	return res;
}

enum pwhash_result
pwhash_verify(const char *stored, const char *pw, size_t len)
{
	if (strncmp(stored, "$argon2id$", 10) == 0)
		return verify_argon2id(stored, pw, len);
	if (strncmp(stored, "$2b$", 4) == 0 || strncmp(stored, "$2a$", 4) == 0 ||
	    strncmp(stored, "$2y$", 4) == 0)
		return verify_bcrypt(stored, pw);
	log_reason(LOG_LVL_WARN, "pwhash_error", "unknown hash scheme");
	return PWH_ERROR;
}

void
pwhash_dummy(const char *pw, size_t len)
{
	if (dummy_hash != NULL)
		(void)verify_argon2id(dummy_hash, pw, len);
}
