/*
 * The OpenID Provider's HTML answers: a template of common/html.c
 * inside the layout, with the headers every page carries (docs/OIDC.md
 * "Hosted pages"), and the redirects of the authorization flow.  A page
 * is a success of the request stage (IERR_OK) with its own status, so
 * resp.c sends it as it is.
 */
#ifndef IDENT_PAGE_H
#define IDENT_PAGE_H

#include <stddef.h>

#include "html.h"
#include "ierr.h"

struct req;

/* The templates a worker loads at start (main.c), the layout first. */
extern const char *const page_templates[];
extern const size_t	 page_ntemplates;

/* Show template tpl (e.g. "login.html") titled title, with status. */
enum ierr	page_show(struct req *, int status, const char *tpl,
		    const char *title, const struct html_var *vars, size_t n);
/* The error page: a heading and a message a person understands. */
enum ierr	page_error(struct req *, int status, const char *heading,
		    const char *message);
/* A redirect (302 or 303) to location, which the caller built. */
enum ierr	page_redirect(struct req *, int status, const char *location);

/* GET /oauth/static/genesis.css */
enum ierr	page_stylesheet(struct req *);

#endif
