#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"

#define STMT_CACHE	128	/* distinct statements; about 55 today */
#define MAX_BINDS	40
#define RECONNECT_PAUSE	1	/* seconds between failed connects */
#define MAX_HOSTS	8	/* servers in db_host */
#define CONFLICT_TRIES	5	/* runs of a statement or transaction */

struct stmt_slot {
	const char	*sql;
	MYSQL_STMT	*st;
};

struct db {
	MYSQL		*my;
	char		*hostlist, *socket, *user, *password, *name;
	char		*hosts[MAX_HOSTS];
	size_t		 nhosts;
	unsigned	 port, connect_timeout, rw_timeout;
	time_t		 next_connect;
	bool		 in_tx;
	bool		 causal_reads;
	bool		 conflict;	/* the last error lost a conflict */
	struct stmt_slot cache[STMT_CACHE];
	size_t		 ncache;
	char		 dup_key[65];
};

int
db_library_init(void)
{
	return mysql_library_init(0, NULL, NULL) == 0 ? 0 : -1;
}

void
db_library_end(void)
{
	mysql_library_end();
}

static char *
dup_or_null(const char *s, bool *fail)
{
	char	*d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*fail = true;
	return d;
}

/* "a, b,c" -> hosts a, b and c (in place). */
static void
split_hosts(struct db *db)
{
	char	*h, *next;

	for (h = db->hostlist; h != NULL && db->nhosts < MAX_HOSTS; h = next) {
		if ((next = strchr(h, ',')) != NULL)
			*next++ = '\0';
		while (*h == ' ' || *h == '\t')
			h++;
		h[strcspn(h, " \t")] = '\0';
		if (*h != '\0')
			db->hosts[db->nhosts++] = h;
	}
}

struct db *
db_new(const struct config *c, const char *user, const char *password)
{
	struct db	*db;
	bool		 fail = false;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->hostlist = dup_or_null(c->db_host, &fail);
	db->socket = dup_or_null(c->db_socket, &fail);
	db->name = dup_or_null(c->db_name, &fail);
	db->user = dup_or_null(user, &fail);
	db->password = dup_or_null(password, &fail);
	db->port = c->db_port;
	db->connect_timeout = c->db_connect_timeout;
	db->rw_timeout = c->db_rw_timeout;
	db->causal_reads = c->db_causal_reads;
	if (fail) {
		db_free(db);
		return NULL;
	}
	split_hosts(db);
	return db;
}

static void
disconnect(struct db *db)
{
	size_t	 i;

	for (i = 0; i < db->ncache; i++)
		mysql_stmt_close(db->cache[i].st);
	db->ncache = 0;
	if (db->my != NULL)
		mysql_close(db->my);
	db->my = NULL;
	db->in_tx = false;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	disconnect(db);
	free(db->hostlist);
	free(db->socket);
	free(db->name);
	free(db->user);
	if (db->password != NULL)
		crypto_wipe(db->password, strlen(db->password));
	free(db->password);
	free(db);
}

static void
log_db_error(const char *event, unsigned errnum, const char *msg)
{
	struct log_field f[] = {
		LF_NUM(LK_DB_ERRNO, errnum),
		LF_STR(LK_DB_ERROR, msg),
	};

	log_event(LOG_LVL_WARN, event, LOG_FIELDS(f));
}

/*
 * On a Galera node that is not part of the primary component (cut off,
 * or still joining) every query fails with 1047; only a query tells.
 */
static bool
node_ready(MYSQL *my)
{
	MYSQL_RES	*res;

	if (mysql_query(my, "SELECT 1") != 0)
		return false;
	if ((res = mysql_store_result(my)) != NULL)
		mysql_free_result(res);
	return true;
}

static MYSQL *
connect_to(struct db *db, const char *host)
{
	MYSQL		*my;
	unsigned	 ct = db->connect_timeout, rw = db->rw_timeout;

	if ((my = mysql_init(NULL)) == NULL)
		return NULL;
	mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/*
	 * Causal reads: on a Galera cluster a read waits until this node has
	 * applied every write set committed anywhere before it started, so a
	 * session revoked or a user disabled through another host is seen.
	 * Such a connection does not use MariaDB's query cache, whose answers
	 * have been known to skip that wait (codership/mysql-wsrep#201).
	 */
	mysql_options(my, MYSQL_INIT_COMMAND, db->causal_reads ?
	    "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,"
	    "NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO', "
	    "wsrep_sync_wait = 1 /*M!, query_cache_type = OFF */" :
	    "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,"
	    "NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO'");
	if (mysql_real_connect(my, host, db->user, db->password, db->name,
	    db->port, db->socket, CLIENT_FOUND_ROWS) == NULL ||
	    (db->nhosts > 1 && !node_ready(my))) {
		log_db_error("db_connect_failed", mysql_errno(my),
		    mysql_error(my));
		mysql_close(my);
		return NULL;
	}
	return my;
}

/* The first server of db_host that answers, in the order given. */
static enum ierr
ensure_connected(struct db *db)
{
	time_t		 now = time(NULL);
	size_t		 i;

	if (db->my != NULL)
		return IERR_OK;
	/* While the server is down, answer at once instead of retrying. */
	if (now < db->next_connect)
		return IERR_UNAVAILABLE;
	if (db->nhosts == 0)
		db->my = connect_to(db, NULL);
	for (i = 0; i < db->nhosts && db->my == NULL; i++)
		db->my = connect_to(db, db->hosts[i]);
	if (db->my == NULL) {
		db->next_connect = now + RECONNECT_PAUSE;
		return IERR_UNAVAILABLE;
	}
	return IERR_OK;
}

/* Errors after which the connection cannot be used again. */
static bool
is_connection_error(unsigned e)
{
	/* 1047: a Galera node out of the primary component; try another. */
	return (e >= 2000 && e < 3000) || e == ER_SERVER_SHUTDOWN ||
	    e == ER_CONNECTION_KILLED || e == ER_QUERY_INTERRUPTED ||
	    e == ER_UNKNOWN_COM_ERROR;
}

/*
 * A deadlock, or on Galera a transaction that lost certification to one
 * committed first on another node: the server has rolled the whole
 * transaction back, so running it again from the start is safe.
 */
static bool
is_conflict(unsigned e)
{
	return e == ER_LOCK_DEADLOCK;
}

/* A little longer after each lost conflict, so the winner gets through. */
static void
conflict_pause(int tries)
{
	usleep((useconds_t)(1000 * tries + (getpid() % 7) * 300));
}

/*
 * A failed statement may run again on a new connection only if it
 * cannot have taken effect: it failed before the server had it (gone
 * away when sending, or while preparing), or it only reads.
 */
static bool
may_retry(unsigned e, bool prepared, bool reads)
{
	if (!is_connection_error(e))
		return false;
	return !prepared || reads || e == CR_SERVER_GONE_ERROR;
}

static enum ierr
classify(struct db *db, unsigned e, const char *msg)
{
	const char	*k, *end;
	size_t		 n;

	db->conflict = is_conflict(e);
	if (db->conflict) {
		log_db_error("db_conflict", e, msg);
		return IERR_UNAVAILABLE;
	}
	if (e == ER_DUP_ENTRY) {
		db->dup_key[0] = '\0';
		if ((k = strstr(msg, "for key '")) != NULL) {
			k += 9;
			if ((end = strchr(k, '\'')) != NULL) {
				/* MySQL 8 says 'users.email', MariaDB 'email'. */
				const char *dot = memchr(k, '.', (size_t)(end - k));

				if (dot != NULL)
					k = dot + 1;
				n = (size_t)(end - k);
				if (n >= sizeof(db->dup_key))
					n = sizeof(db->dup_key) - 1;
				memcpy(db->dup_key, k, n);
				db->dup_key[n] = '\0';
			}
		}
		return IERR_DUPLICATE;
	}
	log_db_error("db_error", e, msg);
	if (is_connection_error(e))
		disconnect(db);
	return IERR_UNAVAILABLE;
}

const char *
db_dup_key(const struct db *db)
{
	return db->dup_key;
}

static MYSQL_STMT *
stmt_get(struct db *db, const char *sql, unsigned *err)
{
	MYSQL_STMT	*st;
	size_t		 i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql)
			return db->cache[i].st;
	if ((st = mysql_stmt_init(db->my)) == NULL) {
		*err = mysql_errno(db->my);
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		*err = mysql_stmt_errno(st);
		log_db_error("db_prepare_failed", *err, mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	if (db->ncache < STMT_CACHE) {
		db->cache[db->ncache].sql = sql;
		db->cache[db->ncache].st = st;
		db->ncache++;
	} else {
		/* A full cache is our bug (more distinct SQL than expected). */
		log_reason(LOG_LVL_ERR, "db_error", "statement cache full");
		mysql_stmt_close(st);
		*err = CR_OUT_OF_MEMORY;
		return NULL;
	}
	return st;
}

static void
bind_params(MYSQL_BIND *b, const struct db_param *p, size_t np,
    unsigned long *lens)
{
	size_t	 i;

	memset(b, 0, sizeof(*b) * np);
	for (i = 0; i < np; i++) {
		switch (p[i].type) {
		case DB_STR:
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)(uintptr_t)p[i].s;
			lens[i] = (unsigned long)p[i].len;
			b[i].buffer_length = lens[i];
			b[i].length = &lens[i];
			break;
		case DB_INT:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)(uintptr_t)&p[i].i;
			break;
		case DB_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		}
	}
}

static void
bind_cols(MYSQL_BIND *b, struct db_col *c, size_t nc, my_bool *nulls,
    my_bool *errs)
{
	size_t	 i;

	memset(b, 0, sizeof(*b) * nc);
	for (i = 0; i < nc; i++) {
		b[i].is_null = &nulls[i];
		b[i].error = &errs[i];
		if (c[i].type == DB_INT) {
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &c[i].i;
		} else {
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = c[i].buf;
			b[i].buffer_length = c[i].cap;
			b[i].length = &c[i].len;
		}
	}
}

/* Copy fetch results into cols.  Returns -1 if a value did not fit. */
static int
finish_row(struct db_col *c, size_t nc, const my_bool *nulls)
{
	size_t	 i;

	for (i = 0; i < nc; i++) {
		c[i].null = nulls[i];
		if (c[i].type != DB_STR)
			continue;
		if (c[i].null)
			c[i].len = 0;
		if (c[i].len >= c[i].cap)
			return -1;
		c[i].buf[c[i].len] = '\0';
	}
	return 0;
}

static enum ierr
fetch_rows(struct db *db, MYSQL_STMT *st, struct db_col *cols, size_t nc,
    int (*row)(void *), void *arg, size_t *rows)
{
	MYSQL_BIND	 b[MAX_BINDS];
	my_bool		 nulls[MAX_BINDS], errs[MAX_BINDS];
	size_t		 n = 0;
	int		 rc;

	bind_cols(b, cols, nc, nulls, errs);
	if (mysql_stmt_bind_result(st, b) != 0 ||
	    mysql_stmt_store_result(st) != 0)
		return classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
		if (rc == MYSQL_DATA_TRUNCATED || finish_row(cols, nc, nulls)) {
			log_reason(LOG_LVL_ERR, "db_error", "column too wide");
			mysql_stmt_free_result(st);
			return IERR_INTERNAL;
		}
		n++;
		if (row == NULL || row(arg) != 0)
			break;
	}
	mysql_stmt_free_result(st);
	if (rc == 1)
		return classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	if (rows != NULL)
		*rows = n;
	return IERR_OK;
}

static enum ierr
run(struct db *db, const char *sql, const struct db_param *params,
    size_t np, struct db_col *cols, size_t nc, int (*row)(void *),
    void *arg, size_t *rows, unsigned long long *affected)
{
	MYSQL_STMT	*st;
	MYSQL_BIND	 b[MAX_BINDS];
	unsigned long	 lens[MAX_BINDS];
	unsigned	 e = 0;
	enum ierr	 ie;
	int		 attempt, conflicts = 0;

	if (np > MAX_BINDS || nc > MAX_BINDS)
		return IERR_INTERNAL;
	if (rows != NULL)
		*rows = 0;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((ie = ensure_connected(db)) != IERR_OK)
			return ie;
		if ((st = stmt_get(db, sql, &e)) == NULL) {
			ie = classify(db, e, "prepare failed");
			if (attempt == 0 && !db->in_tx && may_retry(e, false, true))
				continue;
			return ie;
		}
		bind_params(b, params, np, lens);
		if ((np > 0 && mysql_stmt_bind_param(st, b) != 0) ||
		    mysql_stmt_execute(st) != 0) {
			e = mysql_stmt_errno(st);
			ie = classify(db, e, mysql_stmt_error(st));
			/* A statement on its own was rolled back whole. */
			if (db->conflict && !db->in_tx &&
			    ++conflicts < CONFLICT_TRIES) {
				conflict_pause(conflicts);
				attempt--;
				continue;
			}
			if (attempt == 0 && !db->in_tx &&
			    may_retry(e, true, cols != NULL))
				continue;
			return ie;
		}
		if (affected != NULL)
			*affected = mysql_stmt_affected_rows(st);
		if (cols == NULL)
			return IERR_OK;
		return fetch_rows(db, st, cols, nc, row, arg, rows);
	}
	return IERR_UNAVAILABLE;
}

enum ierr
db_exec(struct db *db, const char *sql, const struct db_param *params,
    size_t np, unsigned long long *affected)
{
	return run(db, sql, params, np, NULL, 0, NULL, NULL, NULL, affected);
}

enum ierr
db_query(struct db *db, const char *sql, const struct db_param *params,
    size_t np, struct db_col *cols, size_t nc, int (*row)(void *),
    void *arg, size_t *rows)
{
	return run(db, sql, params, np, cols, nc, row, arg, rows, NULL);
}

enum ierr
db_ping(struct db *db)
{
	enum ierr	 e;

	if ((e = ensure_connected(db)) != IERR_OK)
		return e;
	if (mysql_ping(db->my) != 0) {
		(void)classify(db, mysql_errno(db->my), mysql_error(db->my));
		disconnect(db);
		/* The server may be back with a new connection. */
		if ((e = ensure_connected(db)) != IERR_OK)
			return e;
		if (mysql_ping(db->my) != 0)
			return classify(db, mysql_errno(db->my),
			    mysql_error(db->my));
	}
	return IERR_OK;
}

enum ierr
db_begin(struct db *db)
{
	static const char	 begin[] = "START TRANSACTION";
	enum ierr		 e;

	if ((e = ensure_connected(db)) != IERR_OK)
		return e;
	/*
	 * One round trip, where turning autocommit off and on again costs
	 * two more; COMMIT or ROLLBACK ends it and autocommit resumes.
	 */
	if (mysql_real_query(db->my, begin, sizeof(begin) - 1) != 0)
		return classify(db, mysql_errno(db->my), mysql_error(db->my));
	db->in_tx = true;
	return IERR_OK;
}

enum ierr
db_commit(struct db *db)
{
	enum ierr	 e = IERR_OK;

	if (db->my == NULL)
		return IERR_UNAVAILABLE;
	if (mysql_commit(db->my) != 0)
		e = classify(db, mysql_errno(db->my), mysql_error(db->my));
	db->in_tx = false;
	return e;
}

void
db_rollback(struct db *db)
{
	if (db->my != NULL)
		mysql_rollback(db->my);
	db->in_tx = false;
}

enum ierr
db_tx(struct db *db, enum ierr (*body)(struct db *, void *), void *arg)
{
	enum ierr	 e;
	int		 tries = 0;

	for (;;) {
		db->conflict = false;
		if ((e = db_begin(db)) != IERR_OK)
			return e;
		/* A body that went on after a lost conflict is not committed. */
		if ((e = body(db, arg)) == IERR_OK && !db->conflict)
			e = db_commit(db);
		else {
			db_rollback(db);
			if (e == IERR_OK)
				e = IERR_UNAVAILABLE;
		}
		if (e == IERR_OK || !db->conflict || ++tries == CONFLICT_TRIES)
			return e;
		conflict_pause(tries);
	}
}

enum ierr
db_run_script(struct db *db, const char *sql, size_t len, char *err,
    size_t errsz)
{
	enum ierr	 e;
	MYSQL_RES	*res;
	int		 status;

	if ((e = ensure_connected(db)) != IERR_OK) {
		snprintf(err, errsz, "cannot connect to the database");
		return e;
	}
	mysql_set_server_option(db->my, MYSQL_OPTION_MULTI_STATEMENTS_ON);
	/* 0: another result follows, -1: the script is done, >0: error. */
	status = mysql_real_query(db->my, sql, len);
	while (status == 0) {
		if ((res = mysql_store_result(db->my)) != NULL)
			mysql_free_result(res);
		status = mysql_next_result(db->my);
	}
	if (status > 0)
		snprintf(err, errsz, "%s", mysql_error(db->my));
	mysql_set_server_option(db->my, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
	return status > 0 ? IERR_UNAVAILABLE : IERR_OK;
}
