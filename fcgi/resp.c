#include <stdio.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>

#include "cors.h"
#include "log.h"
#include "metrics.h"
#include "req.h"
#include "resp.h"

struct status_row {
	int		 status;
	const char	*reason;
	const char	*name;
	const char	*detail;
};

static const struct status_row table[IERR__MAX] = {
	[IERR_OK] =		{ 200, "OK", "ok", NULL },
	[IERR_BAD_REQUEST] =	{ 400, "Bad Request", "bad_request", "Bad request" },
	[IERR_DUPLICATE] =	{ 400, "Bad Request", "duplicate", "Already exists" },
	[IERR_UNAUTHENTICATED] = { 401, "Unauthorized", "unauthenticated", "Not authenticated" },
	[IERR_MFA_REQUIRED] =	{ 401, "Unauthorized", "mfa_required", "Two-factor code required" },
	[IERR_FORBIDDEN] =	{ 403, "Forbidden", "forbidden", "Not enough permissions" },
	[IERR_NOT_FOUND] =	{ 404, "Not Found", "not_found", "Not Found" },
	[IERR_METHOD] =		{ 405, "Method Not Allowed", "method", "Method Not Allowed" },
	[IERR_CONFLICT] =	{ 409, "Conflict", "conflict", "Conflict" },
	[IERR_TOO_LARGE] =	{ 413, "Content Too Large", "too_large", "Request body too large" },
	[IERR_URI_TOO_LONG] =	{ 414, "URI Too Long", "uri_too_long", "URI too long" },
	[IERR_MEDIA_TYPE] =	{ 415, "Unsupported Media Type", "media_type", "Unsupported media type" },
	[IERR_INVALID] =	{ 422, "Unprocessable Content", "invalid", NULL },
	[IERR_RATE_LIMITED] =	{ 429, "Too Many Requests", "rate_limited", "Too many requests" },
	[IERR_INTERNAL] =	{ 500, "Internal Server Error", "internal", "Internal server error" },
	[IERR_UNAVAILABLE] =	{ 503, "Service Unavailable", "unavailable", "Service temporarily unavailable" },
};

const char *
resp_ierr_name(enum ierr e)
{
	return e < IERR__MAX ? table[e].name : "unknown";
}

static const char *
reason_of(int status)
{
	size_t	 i;

	if (status == 204)
		return "No Content";
	for (i = 0; i < IERR__MAX; i++)
		if (table[i].status == status)
			return table[i].reason;
	return "OK";
}

/* RFC 6749 §5.2's shape, for the OAuth routes' clients. */
static void
oauth_error_body(struct req *r, enum ierr e)
{
	const char	*code = table[e].status == 503 ? "temporarily_unavailable" :
	    table[e].status >= 500 ? "server_error" : "invalid_request";

	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "error", code);
	jsonw_kv_str(&r->out, "error_description", e == IERR_INVALID ?
	    "the request is malformed" : r->detail != NULL ? r->detail :
	    table[e].detail);
	jsonw_obj_close(&r->out);
}

/* The error body: the 422 list, or {"detail": "..."}. */
static void
error_body(struct req *r, enum ierr e)
{
	jsonw_clear(&r->out);
	if (r->route != NULL && route_oauth_errors(r->route)) {
		oauth_error_body(r, e);
		return;
	}
	if (e == IERR_INVALID) {
		if (r->errs.n == 0)
			verr_add(&r->errs, "body", NULL, "Invalid input",
			    "value_error");
		verr_write(&r->errs, &r->out);
		return;
	}
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "detail",
	    r->detail != NULL ? r->detail : table[e].detail);
	/* The client asks for the code and sends the password again. */
	if (e == IERR_MFA_REQUIRED)
		jsonw_kv_bool(&r->out, "mfa_required", true);
	jsonw_obj_close(&r->out);
}

static void
access_log(const struct req *r, enum ierr e, int status)
{
	struct timespec	 ts;
	long long	 us;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	us = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - r->start_us;
	struct log_field f[] = {
		LF_STR(LK_METHOD, r->route != NULL ? r->route->method : "-"),
		LF_STR(LK_ROUTE, r->route != NULL ? r->route->pattern : "-"),
		LF_NUM(LK_STATUS, status),
		LF_STR(LK_IERR, resp_ierr_name(e)),
		LF_NUM(LK_MS, us / 1000),
		LF_STR(LK_CLIENT, r->client != NULL ? r->client : ""),
	};
	log_event(status >= 500 ? LOG_LVL_WARN : LOG_LVL_INFO, "request",
	    LOG_FIELDS(f));
}

void
resp_finish(struct req *r, enum ierr e)
{
	char		 head[13312];
	const char	*body;
	size_t		 bodylen;
	int		 status, n;

	if (e >= IERR__MAX)
		e = IERR_INTERNAL;
	if (e != IERR_OK)
		error_body(r, e);
	if (e == IERR_METHOD)
		req_add_header(r, "Allow", r->allow);
	if (e == IERR_UNAUTHENTICATED || e == IERR_MFA_REQUIRED)
		req_add_header(r, "WWW-Authenticate", "Bearer");
	if (r->method != NULL)
		cors_headers(r);
	status = e == IERR_OK ? r->status : table[e].status;
	if ((body = jsonw_text(&r->out)) == NULL) {
		/* Out of memory while writing: a fixed answer still goes out. */
		status = 500;
		e = IERR_INTERNAL;
		body = "{\"detail\":\"Internal server error\"}";
	}
	bodylen = status == 204 ? 0 : strlen(body);
	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %lu\r\n"
	    "Cache-Control: %s\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "%s\r\n",
	    status, reason_of(status),
	    e == IERR_OK ? r->content_type : "application/json; charset=utf-8",
	    (unsigned long)bodylen,
	    e == IERR_OK ? r->cache_control : "no-store", r->headers);
	if (n < 0 || (size_t)n >= sizeof(head))
		n = 0;
	FCGX_PutStr(head, n, r->fr->out);
	FCGX_PutStr(body, (int)bodylen, r->fr->out);
	if (e == IERR_UNAVAILABLE)
		metrics_inc(r->w, M_DB_ERROR);
	metrics_request(r, status);
	access_log(r, e, status);
}
