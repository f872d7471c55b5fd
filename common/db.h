/*
 * The database: one MySQL/MariaDB connection per process, the only module
 * that includes <mysql.h>.  Every statement is prepared with bound
 * parameters (SECURITY.md C-T3); prepared statements are cached per
 * connection and SQL must be a string literal.  The connection is made
 * lazily and remade after the server restarts; while it cannot be made,
 * calls fail fast with IERR_UNAVAILABLE (a failed connect is not retried
 * for a second).  db_host may name several servers (a Galera cluster):
 * each connect tries them in order and keeps the first that answers and
 * is ready.
 *
 * A statement on its own that loses a conflict (deadlock, or a Galera
 * write set certified first on another node: error 1213) is run again,
 * a few times; in a transaction only the whole transaction can be, which
 * db_tx does.
 */
#ifndef IDENT_DB_H
#define IDENT_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "ierr.h"

struct config;
struct db;

enum db_type {
	DB_NULL,
	DB_STR,
	DB_INT,
};

/* A bound parameter.  Strings are (ptr, len) and are not copied. */
struct db_param {
	enum db_type	 type;
	const char	*s;
	size_t		 len;
	long long	 i;
};

#define DBP_STR(p, n)	((struct db_param){ DB_STR, (p), (n), 0 })
#define DBP_CSTR(p)	((struct db_param){ (p) == NULL ? DB_NULL : DB_STR, (p), (p) == NULL ? 0 : strlen(p), 0 })
#define DBP_INT(v)	((struct db_param){ DB_INT, NULL, 0, (long long)(v) })
#define DBP_NUL		((struct db_param){ DB_NULL, NULL, 0, 0 })

/*
 * A result column: DB_STR into buf[cap] (NUL-terminated; a longer value is
 * an error), DB_INT into i.  null tells an SQL NULL.
 */
struct db_col {
	enum db_type	 type;
	char		*buf;
	size_t		 cap;
	unsigned long	 len;
	bool		 null;
	long long	 i;
};

#define DBC_STR(b)	((struct db_col){ DB_STR, (b), sizeof(b), 0, false, 0 })
#define DBC_INT		((struct db_col){ DB_INT, NULL, 0, 0, false, 0 })

/*
 * Connection settings from c, with this account and password (copied).
 * Does not connect.  Returns NULL on allocation failure.
 */
struct db	*db_new(const struct config *c, const char *user,
		    const char *password);
void		 db_free(struct db *);

/* Connect if needed and ask the server whether it is alive. */
enum ierr	 db_ping(struct db *);

/*
 * Run a statement that returns no rows.  *affected (may be NULL) gets
 * the number of rows matched (CLIENT_FOUND_ROWS), changed or not.  IERR_DUPLICATE on a unique key clash (see
 * db_dup_key), IERR_UNAVAILABLE on any other database failure (logged).
 */
enum ierr	 db_exec(struct db *, const char *sql,
		    const struct db_param *params, size_t np,
		    unsigned long long *affected);

/*
 * Run a query; for each row, fill cols and call row(arg) (if row is
 * NULL, only the first row is read into cols).  *rows (may be NULL) gets
 * the number of rows seen.  A non-zero return from row stops the walk.
 */
enum ierr	 db_query(struct db *, const char *sql,
		    const struct db_param *params, size_t np,
		    struct db_col *cols, size_t nc,
		    int (*row)(void *arg), void *arg, size_t *rows);

/* Name of the unique key of the last IERR_DUPLICATE ("email", ...). */
const char	*db_dup_key(const struct db *);

/* Transactions: BEGIN, COMMIT, ROLLBACK of the connection. */
enum ierr	 db_begin(struct db *);
enum ierr	 db_commit(struct db *);
void		 db_rollback(struct db *);

/*
 * body(db, arg) in a transaction, committed if it returns IERR_OK and
 * rolled back if not.  A transaction that loses a conflict (at any
 * statement or at COMMIT) was rolled back by the server and runs again
 * from the start, up to 5 times: body must do nothing outside the
 * database that a second run would repeat.  Returns body's error, or
 * COMMIT's.
 */
enum ierr	 db_tx(struct db *, enum ierr (*body)(struct db *, void *),
		    void *arg);

/*
 * Run a whole SQL script (several statements) as it stands; only for the
 * migration runner, whose scripts are files we ship, never input.
 * On failure err gets the server's message.
 */
enum ierr	 db_run_script(struct db *, const char *sql, size_t len,
		    char *err, size_t errsz);

/* Library set-up for a process (before any thread or fork). */
int		 db_library_init(void);
void		 db_library_end(void);

#endif
