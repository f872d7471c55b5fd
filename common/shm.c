/*
 * Layout of the segment (SHM_VERSION 2), all fields 64-bit atomics or
 * written once before "ready":
 *
 *   offset 0     struct shm_header
 *                  magic "GENESISM", version, total size, nslots,
 *                  seed[2] (the SipHash key of this segment, random),
 *                  ready (0 until the creator has filled the header),
 *                  metrics[SHM_METRICS]
 *   then         struct shm_slot slots[nslots], each
 *                  key   keyed 64-bit hash of (kind, key bytes); 0 = empty
 *                  value meaning chosen by the kind (ratelimit.c)
 *                  used  CLOCK_MONOTONIC ms of the last touch (eviction)
 *
 * No locks: each word changes by one atomic store or compare-and-swap, so
 * a worker killed by SIGKILL at any point leaves every word whole.  The
 * worst a kill can leave is a freshly claimed slot whose value is not yet
 * reset, which makes that one key stricter until it expires.  A key is
 * looked up in a window of SHM_PROBE slots from its hash; a full window
 * gives its least recently used slot to the new key.  The seed keeps
 * anyone from choosing keys that crowd one window.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "shm.h"

#define SHM_MAGIC	0x4d534953454e4547ULL	/* "GENESISM" */
#define SHM_VERSION	2	/* 2: 2048 metrics counters */
#define SHM_PROBE	8
#define WAIT_STEPS	200			/* x 10 ms */

struct shm_header {
	uint64_t		 magic;
	uint64_t		 version;
	uint64_t		 size;
	uint64_t		 nslots;
	uint64_t		 seed[2];
	_Atomic uint64_t	 ready;
	_Atomic uint64_t	 metrics[SHM_METRICS];
};

struct shm_slot {
	_Atomic uint64_t	 key;
	_Atomic uint64_t	 value;
	_Atomic uint64_t	 used;
};

struct shm {
	struct shm_header	*hdr;
	struct shm_slot		*slots;
	size_t			 size;
	uint64_t		 mask;
};

uint64_t
shm_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
shm_now_ms(void)
{
	return shm_now_us() / 1000;
}

/* SipHash-2-4 (Aumasson and Bernstein), keyed by the segment's seed. */
#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

static uint64_t
siphash(const uint64_t k[2], const uint8_t *in, size_t n)
{
	uint64_t	 v0 = 0x736f6d6570736575ULL ^ k[0];
	uint64_t	 v1 = 0x646f72616e646f6dULL ^ k[1];
	uint64_t	 v2 = 0x6c7967656e657261ULL ^ k[0];
	uint64_t	 v3 = 0x7465646279746573ULL ^ k[1];
	uint64_t	 m, b = (uint64_t)n << 56;
	size_t		 i, j;

	for (i = 0; i + 8 <= n; i += 8) {
		for (m = 0, j = 0; j < 8; j++)
			m |= (uint64_t)in[i + j] << (8 * j);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (j = 0; i + j < n; j++)
		b |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static size_t
segment_size(uint32_t nslots)
{
	return sizeof(struct shm_header) + (size_t)nslots * sizeof(struct shm_slot);
}

static void
nap(void)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* Fill the header of a segment this process created; ready goes last. */
static int
init_header(struct shm_header *h, size_t size, uint32_t nslots)
{
	if (crypto_random(h->seed, sizeof(h->seed)) == -1)
		return -1;
	h->magic = SHM_MAGIC;
	h->version = SHM_VERSION;
	h->size = size;
	h->nslots = nslots;
	atomic_store_explicit(&h->ready, 1, memory_order_release);
	return 0;
}

/* Wait for another worker's segment to reach its size. */
static int
wait_size(int fd, size_t size, const char *name, char *err, size_t errsz)
{
	struct stat	 st;
	int		 i;

	for (i = 0; i < WAIT_STEPS; i++) {
		if (fstat(fd, &st) == -1)
			break;
		if ((size_t)st.st_size == size)
			return 0;
		if (st.st_size != 0) {
			snprintf(err, errsz, "shm_name: '%s' has another size "
			    "(%lld bytes, want %zu): another layout or "
			    "rate_limit_slots; remove /dev/shm%s", name,
			    (long long)st.st_size, size, name);
			return -1;
		}
		nap();
	}
	snprintf(err, errsz, "shm_name: '%s' was never initialised; remove "
	    "/dev/shm%s", name, name);
	return -1;
}

static int
check_header(struct shm_header *h, size_t size, uint32_t nslots,
    const char *name, char *err, size_t errsz)
{
	int	 i;

	for (i = 0; i < WAIT_STEPS &&
	    atomic_load_explicit(&h->ready, memory_order_acquire) == 0; i++)
		nap();
	if (atomic_load_explicit(&h->ready, memory_order_acquire) == 0) {
		snprintf(err, errsz, "shm_name: '%s' was never initialised; "
		    "remove /dev/shm%s", name, name);
		return -1;
	}
	if (h->magic != SHM_MAGIC || h->version != SHM_VERSION ||
	    h->size != size || h->nslots != nslots) {
		snprintf(err, errsz, "shm_name: '%s' has another layout "
		    "(version %llu, %llu slots); remove /dev/shm%s", name,
		    (unsigned long long)h->version,
		    (unsigned long long)h->nslots, name);
		return -1;
	}
	return 0;
}

struct shm *
shm_attach(const char *name, uint32_t nslots, bool create, char *err,
    size_t errsz)
{
	struct shm	*s;
	size_t		 size = segment_size(nslots);
	bool		 created = true;
	void		*p;
	int		 fd;

	if (name[0] != '/' || strchr(name + 1, '/') != NULL || strlen(name) > 200) {
		snprintf(err, errsz, "shm_name: want '/name' without other "
		    "slashes");
		return NULL;
	}
	if (nslots < 1024 || (nslots & (nslots - 1)) != 0) {
		snprintf(err, errsz, "rate_limit_slots: want a power of two "
		    ">= 1024");
		return NULL;
	}
	errno = EEXIST;
	if (!create ||
	    (fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1) {
		created = false;
		if (errno != EEXIST ||
		    (fd = shm_open(name, O_RDWR | O_CLOEXEC, 0)) == -1) {
			snprintf(err, errsz, "shm_name: cannot open '%s': %s",
			    name, strerror(errno));
			return NULL;
		}
		if (wait_size(fd, size, name, err, errsz) == -1) {
			close(fd);
			return NULL;
		}
	} else if (ftruncate(fd, (off_t)size) == -1) {
		snprintf(err, errsz, "shm_name: cannot size '%s': %s", name,
		    strerror(errno));
		close(fd);
		shm_unlink(name);
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED || (s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errsz, "shm_name: cannot map '%s'", name);
		if (p != MAP_FAILED)
			munmap(p, size);
		return NULL;
	}
	s->hdr = p;
	s->slots = (struct shm_slot *)((char *)p + sizeof(struct shm_header));
	s->size = size;
	s->mask = nslots - 1;
	if ((created && init_header(s->hdr, size, nslots) == -1) ||
	    (!created && check_header(s->hdr, size, nslots, name, err,
	    errsz) == -1)) {
		if (created)
			snprintf(err, errsz, "shm_name: no randomness for '%s'",
			    name);
		shm_detach(s);
		return NULL;
	}
	return s;
}

void
shm_detach(struct shm *s)
{
	if (s == NULL)
		return;
	munmap(s->hdr, s->size);
	free(s);
}

static uint64_t
slot_hash(const struct shm *s, enum shm_kind kind, const void *key,
    size_t keylen)
{
	uint8_t		 buf[256];
	uint64_t	 h;

	if (keylen > sizeof(buf) - 1)
		keylen = sizeof(buf) - 1;	/* callers' keys are shorter */
	buf[0] = (uint8_t)kind;
	memcpy(buf + 1, key, keylen);
	h = siphash(s->hdr->seed, buf, keylen + 1);
	return h == 0 ? 1 : h;			/* 0 marks an empty slot */
}

static _Atomic uint64_t *
claim(struct shm_slot *sl, uint64_t expect, uint64_t h, uint64_t now)
{
	if (!atomic_compare_exchange_strong(&sl->key, &expect, h))
		return expect == h ? &sl->value : NULL;
	atomic_store(&sl->value, 0);
	atomic_store(&sl->used, now);
	return &sl->value;
}

_Atomic uint64_t *
shm_slot(struct shm *s, enum shm_kind kind, const void *key, size_t keylen,
    bool create)
{
	uint64_t		 h = slot_hash(s, kind, key, keylen);
	uint64_t		 now = shm_now_ms(), k, oldest = UINT64_MAX, u;
	struct shm_slot		*sl, *victim = NULL;
	_Atomic uint64_t	*v;
	int			 i, attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		for (i = 0; i < SHM_PROBE; i++) {
			sl = &s->slots[(h + (uint64_t)i) & s->mask];
			if ((k = atomic_load(&sl->key)) == h) {
				atomic_store(&sl->used, now);
				return &sl->value;
			}
			if (k == 0 && create &&
			    (v = claim(sl, 0, h, now)) != NULL)
				return v;
			if ((u = atomic_load(&sl->used)) < oldest) {
				oldest = u;
				victim = sl;
			}
		}
		if (!create)
			return NULL;
		/* The window is full: the least recently used slot goes. */
		if (victim != NULL && (k = atomic_load(&victim->key)) != 0 &&
		    (v = claim(victim, k, h, now)) != NULL)
			return v;
	}
	return NULL;
}

_Atomic uint64_t *
shm_metric(struct shm *s, unsigned i)
{
	return &s->hdr->metrics[i < SHM_METRICS ? i : SHM_METRICS - 1];
}
