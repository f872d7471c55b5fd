/*
 * Counters for GET /metrics, kept in the shared-memory segment so that
 * every worker of both pools adds to the same numbers.
 */
#ifndef IDENT_METRICS_H
#define IDENT_METRICS_H

#include "ierr.h"

struct req;
struct worker;

enum metric {
	M_LOGIN_SUCCESS,
	M_LOGIN_FAILURE,
	M_LOCKOUT,
	M_RATE_LIMITED,
	M_REFRESH_REPLAY,
	M_DB_ERROR,
	M__MAX
};

/* Check at start that the route table fits the counter block. */
int		metrics_fit(void);
void		metrics_inc(struct worker *, enum metric);
/* Count a finished request by route and status. */
void		metrics_request(struct req *, int status);
/* GET /metrics: Prometheus text, for addresses of metrics_allow only. */
enum ierr	h_metrics(struct req *);

#endif
