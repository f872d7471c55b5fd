/*
 * Password hashing: argon2id (libargon2, the only module that includes
 * it) for new hashes, plus verification of the original service's bcrypt
 * hashes ($2b$, $2a$, $2y$, through libcrypt's crypt_r).
 *
 * The argon2 memory area (argon2_memory_kib) is mapped on the first hash
 * and reused by the next: a worker that never hashes never holds it.  A
 * worker that has hashed gives its pages back with pwhash_release() once
 * it is idle (fcgi/main.c: after a second without a request).
 */
#ifndef IDENT_PWHASH_H
#define IDENT_PWHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pwhash_params {
	uint32_t	 m_kib;
	uint32_t	 t;
	uint32_t	 p;
};

enum pwhash_result {
	PWH_MATCH,		/* right password, hash is current */
	PWH_MATCH_REHASH,	/* right password, store a new hash */
	PWH_MISMATCH,
	PWH_ERROR,		/* unusable stored hash or no memory; logged */
};

/* Set the parameters for new hashes and make the dummy hash (no hashing). */
int	pwhash_init(const struct pwhash_params *);
void	pwhash_cleanup(void);

/* Hash pw[0..len).  Returns a NUL-terminated PHC string the caller frees. */
char	*pwhash_make(const char *pw, size_t len);

/* Check pw (NUL-terminated, len bytes) against a stored hash. */
enum pwhash_result pwhash_verify(const char *stored, const char *pw, size_t len);

/*
 * Spend the time of one verification without a stored hash, so that an
 * unknown user costs what a wrong password costs (SECURITY.md C-T16).
 */
void	pwhash_dummy(const char *pw, size_t len);

/* Whether the argon2 area's pages may be resident. */
bool	pwhash_holds_area(void);

/*
 * Give the area's pages back to the system (the mapping stays); the next
 * hash faults them in again.  Does nothing during a hash.  Safe to call
 * from a signal handler.
 */
void	pwhash_release(void);

#endif
