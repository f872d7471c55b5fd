/*
 * At most N password hashes at a time on a host, over every worker of
 * both pools (fcgi/main.c sets it as pwhash's gate).  See hashgate.c.
 */
#ifndef IDENT_HASHGATE_H
#define IDENT_HASHGATE_H

#include <stdint.h>

struct shm;

#define HASHGATE_MAX	64

struct hashgate {
	struct shm	*shm;
	unsigned	 n;		/* slots: 1..HASHGATE_MAX */
	int		 held;		/* slot of this worker, or -1 */
	uint64_t	 mine;		/* the word written into it */
};

/* n slots, 0 meaning the host's online CPUs. */
void	hashgate_init(struct hashgate *, struct shm *, unsigned n);
/* Take a slot (waiting for one, up to a bound), give it back. */
void	hashgate_enter(void *gate);
void	hashgate_leave(void *gate);

#endif
