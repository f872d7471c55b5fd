#include <stdio.h>

#include "config.h"
#include "limit.h"
#include "log.h"
#include "metrics.h"
#include "ratelimit.h"
#include "req.h"
#include "worker.h"

static enum ierr
limited(struct req *r, unsigned retry_after)
{
	char	 secs[16];

	snprintf(secs, sizeof(secs), "%u", retry_after);
	req_add_header(r, "Retry-After", secs);
	log_event(LOG_LVL_INFO, "rate_limited", (struct log_field[]){
	    LF_STR(LK_CLIENT, r->client), LF_STR(LK_ROUTE, r->route->pattern),
	    LF_NUM(LK_RETRY_AFTER, retry_after) }, 3);
	metrics_inc(r->w, M_RATE_LIMITED);
	return IERR_RATE_LIMITED;
}

enum ierr
limit_check(struct req *r)
{
	const struct config	*c = r->w->cfg;
	struct rl_rule		 all = {
		1000000 / c->rate_all_per_second, c->rate_all_burst
	};
	struct rl_rule		 token = {
		60000000 / c->rate_token_per_minute, c->rate_token_burst
	};
	char			 key[64];
	size_t			 n;
	unsigned		 retry;

	n = rl_client_key(r->client, key, sizeof(key));
	if (r->route->limit == LIMIT_TOKEN &&
	    !rl_take(r->w->shm, SHM_RATE_TOKEN, key, n, &token, &retry))
		return limited(r, retry);
	if (!rl_take(r->w->shm, SHM_RATE_ALL, key, n, &all, &retry))
		return limited(r, retry);
	return IERR_OK;
}
