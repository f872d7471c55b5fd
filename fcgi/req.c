#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "audit.h"
#include "crypto.h"
#include "json.h"
#include "log.h"
#include "req.h"
#include "worker.h"

static long long
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
req_init(struct req *r, struct worker *w, FCGX_Request *fr)
{
	memset(r, 0, sizeof(*r));
	r->w = w;
	r->fr = fr;
	r->start_us = now_us();
	r->status = 200;
	r->cache_control = "no-store";
	r->content_type = "application/json; charset=utf-8";
	r->query = "";
	jsonw_init(&r->out);
}

void
req_free(struct req *r)
{
	json_doc_free(r->json);
	if (r->body != NULL) {
		/* Bodies carry passwords. */
		crypto_wipe(r->body, r->bodylen);
		free(r->body);
	}
	jsonw_clear(&r->out);
	memset(r, 0, sizeof(*r));
}

void
req_add_header(struct req *r, const char *name, const char *value)
{
	size_t	 n = strlen(name) + 2 + strlen(value) + 2;

	if (n >= sizeof(r->headers) - r->headerslen) {
		log_reason(LOG_LVL_ERR, "response_header_dropped", name);
		return;
	}
	snprintf(r->headers + r->headerslen, sizeof(r->headers) - r->headerslen,
	    "%s: %s\r\n", name, value);
	r->headerslen += n;
}

void
req_message(struct req *r, const char *text)
{
	jsonw_obj_open(&r->out);
	jsonw_kv_str(&r->out, "message", text);
	jsonw_obj_close(&r->out);
}

enum ierr
req_audit(struct req *r, const char *event, const char *outcome,
    const char *uid, const char *sid, const char *reason)
{
	struct audit_event	 a = {
		.event = event, .outcome = outcome, .user_id = uid,
		.client = r->client, .session_id = sid, .reason = reason,
	};

	if (r->authenticated && (uid == NULL || strcmp(uid, r->who.uid) != 0))
		a.actor_id = r->who.uid;
	return audit_write(r->w->db, &a);
}

const char *
req_param(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->fr->envp);
}

/* Split REQUEST_URI into the bounded path and the query string. */
static enum ierr
parse_target(struct req *r)
{
	const char	*uri = req_param(r, "REQUEST_URI");
	size_t		 n;

	if (uri == NULL || uri[0] != '/')
		return IERR_BAD_REQUEST;
	n = strcspn(uri, "?");
	if (n > MAX_PATH_LEN || (uri[n] == '?' && strlen(uri + n + 1) >
	    MAX_QUERY_LEN))
		return IERR_URI_TOO_LONG;
	memcpy(r->path, uri, n);
	r->path[n] = '\0';
	r->query = uri[n] == '?' ? uri + n + 1 : "";
	return IERR_OK;
}

static enum ierr
find_route(struct req *r)
{
	switch (router_match(routes, nroutes, r->method, r->path, &r->route,
	    &r->params, r->allow, sizeof(r->allow))) {
	case ROUTER_FOUND:
		return IERR_OK;
	case ROUTER_METHOD:
		return IERR_METHOD;
	case ROUTER_NOT_FOUND:
		break;
	}
	return IERR_NOT_FOUND;
}

/* Does the Content-Type header name this media type (parameters aside)? */
static bool
media_type_is(const char *ct, const char *want)
{
	size_t	 n = strlen(want);

	return strncasecmp(ct, want, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static enum ierr
check_content_type(struct req *r)
{
	const char	*ct = req_param(r, "CONTENT_TYPE");
	const char	*want = r->route->body != BODY_FORM ?
	    "application/json" : "application/x-www-form-urlencoded";

	const char	*cl = req_param(r, "CONTENT_LENGTH");

	/*
	 * A missing type is taken as the route's own, as FastAPI does; an
	 * empty body has no type to check.
	 */
	if (ct == NULL || *ct == '\0' || media_type_is(ct, want) ||
	    cl == NULL || strcmp(cl, "0") == 0 || *cl == '\0')
		return IERR_OK;
	r->detail = r->route->body != BODY_FORM ?
	    "Content-Type must be application/json" :
	    "Content-Type must be application/x-www-form-urlencoded";
	return IERR_MEDIA_TYPE;
}

/*
 * Read the body of a route that takes one: the declared length is
 * checked against the route's cap before anything is allocated or read.
 */
static enum ierr
read_body(struct req *r)
{
	const char	*cl = req_param(r, "CONTENT_LENGTH");
	uint64_t	 len = 0;
	int		 got;

	if (cl != NULL && *cl != '\0' &&
	    parse_u64(cl, 0, UINT64_MAX, &len) == -1)
		return IERR_BAD_REQUEST;
	if (len > r->route->max_body)
		return IERR_TOO_LARGE;
	if ((r->body = malloc(len + 1)) == NULL)
		return IERR_INTERNAL;
	got = len == 0 ? 0 : FCGX_GetStr(r->body, (int)len, r->fr->in);
	if (got < 0 || (uint64_t)got != len) {
		r->detail = "Request body shorter than Content-Length";
		return IERR_BAD_REQUEST;
	}
	r->body[len] = '\0';
	r->bodylen = len;
	return IERR_OK;
}

enum ierr
req_parse_head(struct req *r)
{
	enum ierr	 e;

	r->method = req_param(r, "REQUEST_METHOD");
	r->client = req_param(r, "REMOTE_ADDR");
	if (r->client == NULL)
		r->client = "";
	if (r->method == NULL)
		return IERR_BAD_REQUEST;
	if ((e = parse_target(r)) != IERR_OK)
		return e;
	return find_route(r);
}

enum ierr
req_parse_body(struct req *r)
{
	enum ierr	 e;

	if (r->route->body == BODY_NONE)
		return IERR_OK;
	if ((e = check_content_type(r)) != IERR_OK ||
	    (e = read_body(r)) != IERR_OK)
		return e;
	if (r->route->body == BODY_JSON_OPT && r->bodylen == 0)
		return IERR_OK;
	if (r->route->body != BODY_FORM)
		return json_doc_parse(r->body, r->bodylen, &r->json, &r->errs);
	return IERR_OK;
}
