#include <crypt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <argon2.h>

#include "b64.h"
#include "crypto.h"
#include "log.h"
#include "pwhash.h"

#define SALT_LEN	16
#define HASH_LEN	32
#define PHC_MAX		256

static struct pwhash_params	 params;
static char			*dummy_hash;

/*
 * The argon2 memory area: one private anonymous mapping, made on the
 * first hash and reused by the next ones (mapping and faulting in 19 MiB
 * afresh for each hash made it 10-30% slower, bench/README.md).  Its
 * pages are given back by pwhash_release(), which a signal handler may
 * call: area_busy says a hash is using them, area_resident that they may
 * be in.
 */
static uint8_t			*area;
static size_t			 area_size;
static volatile sig_atomic_t	 area_busy;
static volatile sig_atomic_t	 area_resident;

static void
area_unmap(void)
{
	if (area != NULL)
		munmap(area, area_size);
	area = NULL;
	area_size = 0;
	area_resident = 0;
}

/* libargon2 asks for its memory through these. */
static int
area_alloc(uint8_t **memory, size_t bytes)
{
	void	*m;

	area_busy = 1;		/* before area changes under a handler */
	if (area == NULL || bytes > area_size) {
		area_unmap();
		m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) {
			area_busy = 0;
			return ARGON2_MEMORY_ALLOCATION_ERROR;
		}
		/* 2 MiB pages: a tenth of the faults after a release. */
		(void)madvise(m, bytes, MADV_HUGEPAGE);
		area = m;
		area_size = bytes;
	}
	area_resident = 1;
	*memory = area;
	return ARGON2_OK;
}

static void
area_free(uint8_t *memory, size_t bytes)
{
	(void)memory;
	(void)bytes;
	area_busy = 0;
}

bool
pwhash_holds_area(void)
{
	return area_resident != 0;
}

/*
 * Async-signal-safe (one system call).  MADV_DONTNEED drops the pages and
 * keeps the mapping: the next hash faults in zero pages, which is all
 * argon2 needs (it writes each block before reading it, and wipes the
 * area after each hash anyway).
 */
void
pwhash_release(void)
{
	if (area == NULL || area_busy || !area_resident)
		return;
	(void)madvise(area, area_size, MADV_DONTNEED);
	area_resident = 0;
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
	ctx.allocate_cbk = area_alloc;
	ctx.free_cbk = area_free;
	ctx.flags = ARGON2_DEFAULT_FLAGS;
	rc = argon2_ctx(&ctx, Argon2_id);
	area_busy = 0;		/* also when argon2 failed before freeing */
	if (rc != ARGON2_OK) {
		log_reason(LOG_LVL_ERR, "pwhash_error", argon2_error_message(rc));
		return -1;
	}
	return 0;
}

/* The PHC string of an argon2id hash, or NULL; the caller frees it. */
static char *
phc_format(const struct pwhash_params *pp, const char *s64, const char *h64)
{
	char	*out;

	if ((out = malloc(PHC_MAX)) == NULL)
		return NULL;
	snprintf(out, PHC_MAX, "$argon2id$v=%d$m=%u,t=%u,p=%u$%s$%s",
	    ARGON2_VERSION_13, pp->m_kib, pp->t, pp->p, s64, h64);
	return out;
}

/*
 * The dummy hash is a PHC string with the current parameters, a random
 * salt and a random hash: verifying anything against it costs one
 * argon2id run like a real verification, and nothing matches it (2^-256).
 * It needs no hash at start, so a worker that never verifies a password
 * never maps the argon2 area.
 */
static char *
dummy_make(void)
{
	uint8_t	 salt[SALT_LEN], hash[HASH_LEN];
	char	 s64[B64_ENCODED_SIZE(SALT_LEN)], h64[B64_ENCODED_SIZE(HASH_LEN)];

	if (crypto_random(salt, sizeof(salt)) == -1 ||
	    crypto_random(hash, sizeof(hash)) == -1)
		return NULL;
	b64_encode(B64_STD, salt, sizeof(salt), s64);
	b64_encode(B64_STD, hash, sizeof(hash), h64);
	return phc_format(&params, s64, h64);
}

int
pwhash_init(const struct pwhash_params *pp)
{
	params = *pp;
	free(dummy_hash);
	if ((dummy_hash = dummy_make()) == NULL)
		return -1;
	return 0;
}

void
pwhash_cleanup(void)
{
	area_unmap();
	free(dummy_hash);
	dummy_hash = NULL;
}

char *
pwhash_make(const char *pw, size_t len)
{
	uint8_t	 salt[SALT_LEN], hash[HASH_LEN];
	char	 s64[B64_ENCODED_SIZE(SALT_LEN)], h64[B64_ENCODED_SIZE(HASH_LEN)];

	if (crypto_random(salt, sizeof(salt)) == -1 ||
	    argon2id_raw(&params, ARGON2_VERSION_13, salt, sizeof(salt), pw,
	    len, hash, sizeof(hash)) == -1)
		return NULL;
	b64_encode(B64_STD, salt, sizeof(salt), s64);
	b64_encode(B64_STD, hash, sizeof(hash), h64);
	crypto_wipe(hash, sizeof(hash));
	return phc_format(&params, s64, h64);
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
