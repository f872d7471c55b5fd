#include <string.h>

#include "jsonw.h"
#include "page.h"
#include "req.h"
#include "worker.h"

const char *const page_templates[] = {
	"layout.html", "login.html", "consent.html", "error.html",
	"logout.html", "signed_out.html", "otp.html", "account.html", "genesis.css",
};
const size_t page_ntemplates = sizeof(page_templates) /
    sizeof(page_templates[0]);

/*
 * docs/OIDC.md "Every page".  No form-action: Chromium applies it to the
 * redirect after a form's POST, which goes to the client's origin.
 */
static void
security_headers(struct req *r)
{
	req_add_header(r, "Content-Security-Policy", "default-src 'none'; "
	    "style-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
	req_add_header(r, "X-Frame-Options", "DENY");
	req_add_header(r, "Referrer-Policy", "no-referrer");
}

enum ierr
page_show(struct req *r, int status, const char *tpl, const char *title,
    const struct html_var *vars, size_t n)
{
	struct jsonw	 body;
	struct html_var	 lv[] = { { "title", title } };
	const char	*text;

	jsonw_init(&body);
	if (html_render(r->w->pages, tpl, vars, n, NULL, &body) == -1 ||
	    (text = jsonw_text(&body)) == NULL) {
		jsonw_clear(&body);
		return IERR_INTERNAL;
	}
	jsonw_clear(&r->out);
	jsonw_init(&r->out);
	(void)html_render(r->w->pages, "layout.html", lv, 1, text, &r->out);
	jsonw_clear(&body);
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
	security_headers(r);
	return IERR_OK;
}

enum ierr
page_error(struct req *r, int status, const char *heading, const char *message)
{
	struct html_var	 v[] = {
		{ "heading", heading }, { "message", message },
	};

	return page_show(r, status, "error.html", heading, v, 2);
}

enum ierr
page_redirect(struct req *r, int status, const char *location)
{
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
	security_headers(r);
	req_add_header(r, "Location", location);
	return IERR_OK;
}

enum ierr
page_stylesheet(struct req *r)
{
	(void)html_render(r->w->pages, "genesis.css", NULL, 0, NULL, &r->out);
	r->content_type = "text/css; charset=utf-8";
	r->cache_control = "public, max-age=3600";
	return IERR_OK;
}
