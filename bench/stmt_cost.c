/*
 * What one prepared statement costs a worker: the microseconds of one
 * execute and fetch, over one connection, for the statement validation
 * runs (common/sessions.c: the session joined with its user, kept by
 * the query cache where the server has query_cache_type DEMAND), the
 * same with the clock read in SQL (never kept: its form until issue
 * 12), the conditions on the session alone, the user alone, and SELECT
 * 1: the round trip with no table, the baseline measured in the same
 * run.
 * Two rounds of each, in turn.  It reads and changes nothing.
 *
 *   cc -O2 -o stmt_cost bench/stmt_cost.c $(mariadb_config --cflags --libs)
 *   ./stmt_cost SOCKET SESSION_ID USER_ID COUNT
 *
 * SESSION_ID and USER_ID: a live session and its user (as root of the
 * dev stack: SELECT id, user_id FROM sessions WHERE revoked_at IS NULL
 * AND expires_at > UTC_TIMESTAMP() LIMIT 1).  Connects as root over
 * SOCKET (socket authentication) to the database genesis.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#define NCOLS	3

struct statement {
	const char	*label;
	const char	*sql;
	int		 user_first;	/* parameters: user id, then session id */
};

static const struct statement statements[] = {
	{ "join (validation's)", "SELECT /*M! SQL_CACHE */ u.username, u.role, "
	    "TIMESTAMPDIFF(SECOND, '1970-01-01', s.expires_at) "
	    "FROM sessions s JOIN users u "
	    "ON u.id = s.user_id WHERE s.id = ? AND s.user_id = ? AND "
	    "s.revoked_at IS NULL", 0 },
	{ "join, clock in SQL", "SELECT u.username, u.role, u.disabled "
	    "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? "
	    "AND s.user_id = ? AND s.revoked_at IS NULL AND "
	    "s.expires_at > UTC_TIMESTAMP()", 0 },
	{ "session alone", "SELECT s.user_id, s.login_method, s.kind "
	    "FROM sessions s WHERE s.id = ? AND s.user_id = ? AND "
	    "s.revoked_at IS NULL AND s.expires_at > UTC_TIMESTAMP()", 0 },
	{ "user alone", "SELECT u.username, u.role, u.disabled FROM users u "
	    "WHERE u.id = ? AND ? IS NOT NULL", 1 },
	{ "SELECT 1 (baseline)", "SELECT 1, ?, ?", 0 },
};

#define NSTATEMENTS	(sizeof(statements) / sizeof(statements[0]))

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Microseconds per execute and fetch of st, or -1 on an error. */
static double
cost(MYSQL *db, const struct statement *st, char *sid, char *uid, long n)
{
	MYSQL_STMT	*s;
	MYSQL_BIND	 in[2], out[NCOLS];
	char		 buf[NCOLS][256];
	unsigned long	 len[NCOLS], sid_len = strlen(sid), uid_len = strlen(uid);
	double		 t0, t = -1;
	long		 i, rows = 0;

	if ((s = mysql_stmt_init(db)) == NULL)
		return -1;
	memset(in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	in[st->user_first ? 1 : 0].buffer = sid;
	in[st->user_first ? 1 : 0].length = &sid_len;
	in[st->user_first ? 0 : 1].buffer = uid;
	in[st->user_first ? 0 : 1].length = &uid_len;
	in[0].buffer_type = in[1].buffer_type = MYSQL_TYPE_STRING;
	for (i = 0; i < NCOLS; i++) {
		out[i].buffer_type = MYSQL_TYPE_STRING;
		out[i].buffer = buf[i];
		out[i].buffer_length = sizeof(buf[i]);
		out[i].length = &len[i];
	}
	if (mysql_stmt_prepare(s, st->sql, strlen(st->sql)) != 0 ||
	    mysql_stmt_bind_param(s, in) != 0 ||
	    mysql_stmt_bind_result(s, out) != 0)
		goto done;
	t0 = now();
	for (i = 0; i < n; i++) {
		if (mysql_stmt_execute(s) != 0)
			goto done;
		while (mysql_stmt_fetch(s) == 0)
			rows++;
		mysql_stmt_free_result(s);
	}
	if (rows != n)
		fprintf(stderr, "%s: %ld rows for %ld executions (is the "
		    "session live?)\n", st->label, rows, n);
	else
		t = (now() - t0) / n * 1e6;
done:
	if (t < 0 && mysql_stmt_errno(s) != 0)
		fprintf(stderr, "%s: %s\n", st->label, mysql_stmt_error(s));
	mysql_stmt_close(s);
	return t;
}

int
main(int argc, char *argv[])
{
	MYSQL		*db;
	double		 us, base[2] = { 0, 0 }, costs[2][NSTATEMENTS];
	long		 n;
	size_t		 i, round;
	const size_t	 nst = NSTATEMENTS;

	if (argc != 5 || (n = atol(argv[4])) < 1) {
		fputs("usage: stmt_cost SOCKET SESSION_ID USER_ID COUNT\n",
		    stderr);
		return 2;
	}
	if ((db = mysql_init(NULL)) == NULL ||
	    mysql_real_connect(db, NULL, "root", NULL, "genesis", 0, argv[1],
	    0) == NULL) {
		fprintf(stderr, "stmt_cost: %s\n", db ? mysql_error(db) :
		    "out of memory");
		return 1;
	}
	for (round = 0; round < 2; round++)
		for (i = 0; i < nst; i++) {
			if ((us = cost(db, &statements[i], argv[2], argv[3],
			    n)) < 0)
				return 1;
			costs[round][i] = us;
			if (i == nst - 1)
				base[round] = us;
		}
	printf("%-22s %10s %10s  (us per execute and fetch, %ld each)\n",
	    "statement", "round 1", "round 2", n);
	for (i = 0; i < nst; i++)
		printf("%-22s %10.1f %10.1f  %.2fx baseline\n",
		    statements[i].label, costs[0][i], costs[1][i],
		    (costs[0][i] + costs[1][i]) / (base[0] + base[1]));
	mysql_close(db);
	return 0;
}
