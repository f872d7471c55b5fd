/*
 * The one error type every request stage returns.  fcgi/resp.c holds the
 * only table that turns a value into an HTTP status and a default detail.
 * 4xx values are the client's fault, 5xx ours.
 */
#ifndef IDENT_IERR_H
#define IDENT_IERR_H

enum ierr {
	IERR_OK = 0,
	IERR_BAD_REQUEST,	/* 400 */
	IERR_DUPLICATE,		/* 400 "Email already registered" and kin */
	IERR_UNAUTHENTICATED,	/* 401, WWW-Authenticate: Bearer */
	IERR_MFA_REQUIRED,	/* 401 + "mfa_required": true: right password, no code */
	IERR_FORBIDDEN,		/* 403 */
	IERR_NOT_FOUND,		/* 404 */
	IERR_METHOD,		/* 405 + Allow */
	IERR_CONFLICT,		/* 409: e.g. the last admin */
	IERR_TOO_LARGE,		/* 413: over a bounds.h limit */
	IERR_URI_TOO_LONG,	/* 414 */
	IERR_MEDIA_TYPE,	/* 415 */
	IERR_INVALID,		/* 422: body validation, FastAPI's list */
	IERR_RATE_LIMITED,	/* 429 + Retry-After */
	IERR_INTERNAL,		/* 500: our bug, OOM, crypto failure */
	IERR_UNAVAILABLE,	/* 503: database unreachable or refusing writes */
	IERR__MAX
};

#endif
