#include <sys/mman.h>
#include <sys/wait.h>

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "hashgate.h"
#include "shm.h"
#include "tap.h"

/* A child process takes a slot, holds it ms milliseconds, then leaves
 * it (or dies holding it when ms < 0). */
static pid_t
holder(struct shm *s, unsigned n, int ms)
{
	struct hashgate	 g;
	struct timespec	 t = { 0, 0 };
	pid_t		 pid;
	int		 fds[2];
	char		 c = 0;

	if (pipe(fds) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		hashgate_init(&g, s, n);
		hashgate_enter(&g);
		c = g.held >= 0 ? 'y' : 'n';
		(void)write(fds[1], &c, 1);
		if (ms < 0)
			_exit(0);	/* as if SIGKILLed: the slot stays taken */
		t.tv_nsec = (long)ms * 1000000L;
		nanosleep(&t, NULL);
		hashgate_leave(&g);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1 || c != 'y')
		pid = -1;
	close(fds[0]);
	return pid;
}

int
main(void)
{
	struct shm	*s;
	struct hashgate	 a, b, c;
	char		 name[64], err[256];
	uint64_t	 t0;
	pid_t		 pid;
	int		 freed;

	snprintf(name, sizeof(name), "/genesis-tg-%d", (int)getpid());
	s = shm_attach(name, 1024, true, err, sizeof(err));
	ok(s != NULL, "segment: %s", s == NULL ? err : "");

	hashgate_init(&a, s, 2);
	hashgate_init(&b, s, 2);
	hashgate_init(&c, s, 0);
	ok(c.n >= 1 && c.n <= HASHGATE_MAX, "0 means the CPUs (%u)", c.n);
	hashgate_init(&c, s, 2);
	hashgate_enter(&a);
	hashgate_enter(&b);
	ok(a.held >= 0 && b.held >= 0 && a.held != b.held, "two slots taken");
	freed = a.held;
	hashgate_leave(&a);
	hashgate_enter(&c);
	ok(c.held >= 0 && c.held == freed, "a freed slot is taken again");
	hashgate_leave(&b);
	hashgate_leave(&c);

	/* One slot, held by another process for 300 ms: we wait for it. */
	hashgate_init(&a, s, 1);
	pid = holder(s, 1, 300);
	t0 = shm_now_ms();
	hashgate_enter(&a);
	ok(pid > 0 && a.held == 0 && shm_now_ms() - t0 >= 200,
	    "waited %llu ms for the slot", (unsigned long long)(shm_now_ms() - t0));
	hashgate_leave(&a);
	waitpid(pid, NULL, 0);

	/* A holder that died with the slot: taken over at once. */
	pid = holder(s, 1, -1);
	waitpid(pid, NULL, 0);
	t0 = shm_now_ms();
	hashgate_enter(&a);
	ok(pid > 0 && a.held == 0 && shm_now_ms() - t0 < 1000,
	    "a dead holder's slot is taken over");
	hashgate_leave(&a);

	/* Without a segment the gate lets everything through. */
	hashgate_init(&b, NULL, 1);
	hashgate_enter(&b);
	ok(b.held == -1, "no segment, no gate");
	hashgate_leave(&b);

	shm_detach(s);
	shm_unlink(name);
	return done();
}
