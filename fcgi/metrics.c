#include <stdio.h>
#include <string.h>

#include "config.h"
#include "metrics.h"
#include "req.h"
#include "router.h"
#include "shm.h"
#include "worker.h"

#define REQ_BASE	16	/* counters below are enum metric */
#define NSTATUS		16

/* Status buckets of the request counters; the last is "other". */
static const int statuses[NSTATUS] = {
	200, 204, 400, 401, 403, 404, 405, 409, 413, 414, 415, 422, 429, 500,
	503, 0
};

static const char *const fixed[M__MAX][2] = {
	[M_LOGIN_SUCCESS] = { "genesis_logins_total{outcome=\"success\"}",
	    "genesis_logins_total" },
	[M_LOGIN_FAILURE] = { "genesis_logins_total{outcome=\"failure\"}", NULL },
	[M_LOCKOUT] = { "genesis_lockouts_total", "genesis_lockouts_total" },
	[M_RATE_LIMITED] = { "genesis_rate_limited_total",
	    "genesis_rate_limited_total" },
	[M_REFRESH_REPLAY] = { "genesis_refresh_replays_total",
	    "genesis_refresh_replays_total" },
	[M_DB_ERROR] = { "genesis_db_errors_total", "genesis_db_errors_total" },
};

int
metrics_fit(void)
{
	/* One row more than the table: requests that matched no route. */
	return REQ_BASE + (nroutes + 1) * NSTATUS <= SHM_METRICS ? 0 : -1;
}

void
metrics_inc(struct worker *w, enum metric m)
{
	atomic_fetch_add_explicit(shm_metric(w->shm, m), 1, memory_order_relaxed);
}

static unsigned
status_bucket(int status)
{
	unsigned	 i;

	for (i = 0; i < NSTATUS - 1; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUS - 1;
}

void
metrics_request(struct req *r, int status)
{
	size_t	 route = r->route != NULL ? (size_t)(r->route - routes) : nroutes;

	atomic_fetch_add_explicit(shm_metric(r->w->shm, (unsigned)(REQ_BASE +
	    route * NSTATUS + status_bucket(status))), 1, memory_order_relaxed);
}

/* Is the client on the comma-separated allow-list (exact addresses)? */
static bool
allowed(const char *list, const char *client)
{
	size_t	 n = strlen(client);
	const char *p = list;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncmp(p, client, n) == 0 &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return n > 0;
		p += strcspn(p, ",");
	}
	return false;
}

static void
line(struct req *r, const char *name, uint64_t v)
{
	char	 buf[256];
	int	 n;

	n = snprintf(buf, sizeof(buf), "%s %llu\n", name, (unsigned long long)v);
	if (n > 0 && (size_t)n < sizeof(buf))
		jsonw_raw(&r->out, buf, (size_t)n);
}

static uint64_t
get(struct req *r, unsigned i)
{
	return atomic_load_explicit(shm_metric(r->w->shm, i), memory_order_relaxed);
}

enum ierr
h_metrics(struct req *r)
{
	const char	*list = r->w->cfg->metrics_allow != NULL ?
	    r->w->cfg->metrics_allow : "127.0.0.1,::1";
	char		 name[256], code[8];
	size_t		 rt, st;
	uint64_t	 v;
	unsigned	 m;

	/* Not there at all for other addresses. */
	if (!allowed(list, r->client))
		return IERR_NOT_FOUND;
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	jsonw_raw(&r->out, "# TYPE genesis_requests_total counter\n", 38);
	for (rt = 0; rt <= nroutes; rt++)
		for (st = 0; st < NSTATUS; st++) {
			v = get(r, (unsigned)(REQ_BASE + rt * NSTATUS + st));
			if (v == 0)
				continue;
			if (statuses[st] == 0)
				snprintf(code, sizeof(code), "other");
			else
				snprintf(code, sizeof(code), "%d", statuses[st]);
			snprintf(name, sizeof(name), "genesis_requests_total"
			    "{method=\"%s\",route=\"%s\",status=\"%s\"}",
			    rt < nroutes ? routes[rt].method : "",
			    rt < nroutes ? routes[rt].pattern : "unmatched", code);
			line(r, name, v);
		}
	for (m = 0; m < M__MAX; m++) {
		if (fixed[m][1] != NULL) {
			snprintf(name, sizeof(name), "# TYPE %s counter\n",
			    fixed[m][1]);
			jsonw_raw(&r->out, name, strlen(name));
		}
		line(r, fixed[m][0], get(r, m));
	}
	return IERR_OK;
}
