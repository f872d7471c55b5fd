/*
 * One request: what was parsed from FastCGI, and what the handler
 * prepares for the response.  Everything here lives until req_free(),
 * which runs on every path at the end of the request.
 */
#ifndef IDENT_REQ_H
#define IDENT_REQ_H

#include <stdbool.h>
#include <stddef.h>

#include <fcgiapp.h>

#include "bounds.h"
#include "ierr.h"
#include "jsonw.h"
#include "router.h"
#include "sessions.h"
#include "verr.h"

struct json_doc;
struct worker;

struct req {
	struct worker		*w;
	FCGX_Request		*fr;
	long long		 start_us;

	/* parse */
	const char		*method;	/* borrowed from FastCGI params */
	char			 path[MAX_PATH_LEN + 1];
	const char		*query;		/* after '?', or "" */
	const char		*client;	/* REMOTE_ADDR */
	const struct route	*route;
	struct route_params	 params;
	char			*body;		/* NUL-terminated, or NULL */
	size_t			 bodylen;
	struct json_doc		*json;		/* for BODY_JSON routes */

	/* authenticate, authorise */
	bool			 authenticated;
	struct principal	 who;		/* valid if authenticated */
	struct user		 account;	/* who's row, for AUTH_ACCOUNT */
	char			 target[37];	/* {id} of an AUTHZ_OWNER route */
	const char		*audit_client;	/* the OP client the request is for */

	/* respond */
	int			 status;	/* of a success; 200 by default */
	const char		*cache_control;	/* "no-store" by default */
	const char		*content_type;	/* JSON by default */
	struct jsonw		 out;		/* the success body */
	const char		*detail;	/* overrides the error's default */
	struct verrs		 errs;		/* the 422 list */
	char			 allow[64];	/* for 405 */
	char			 headers[12288];	/* extra response headers: a Location may
						   carry a 2000-byte URI and a state */
	size_t			 headerslen;
};

void		 req_init(struct req *, struct worker *, FCGX_Request *);
/* Method, bounded path, route.  Returns IERR_OK or the error. */
enum ierr	 req_parse_head(struct req *);
/* The body of a route that takes one (after the limit stage). */
enum ierr	 req_parse_body(struct req *);
void		 req_free(struct req *);

/*
 * Add a response header (name and value are ours, never client text
 * unchecked).  Headers that do not fit are dropped and logged.
 */
void		 req_add_header(struct req *, const char *name,
		    const char *value);

/* The success body {"message": text} of API.md's action routes. */
void		 req_message(struct req *, const char *text);

/*
 * Record a security event of this request (common/audit.c): the client
 * address comes from the request, and the caller, when it acts on another
 * user's account, is recorded as the actor.  Returns the insert's ierr.
 */
enum ierr	 req_audit(struct req *, const char *event, const char *outcome,
		    const char *uid, const char *sid, const char *reason);

/* A FastCGI parameter, or NULL. */
const char	*req_param(const struct req *, const char *name);

#endif
