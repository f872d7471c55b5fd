/*
 * The client registry's field checks (common/client_policy.c): redirect
 * URIs, names, audiences, and whole bodies of POST/PUT /admin/clients.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_policy.h"
#include "clients.h"
#include "json.h"
#include "tap.h"

static const struct {
	const char	*uri;
	int		 good;
} uris[] = {
	{ "https://app.example.com/cb", 1 },
	{ "https://app.example.com", 1 },
	{ "https://app.example.com/", 1 },
	{ "https://app.example.com:8443/cb?x=1&y=2", 1 },
	{ "https://app.example.com/a%20b", 1 },
	{ "https://app.example.com/cb?q=a:b@c/d?e", 1 },
	{ "https://xn--bcher-kva.example/cb", 1 },
	{ "https://192.0.2.1/cb", 1 },
	{ "https://[2001:db8::1]:443/cb", 1 },
	{ "http://127.0.0.1/cb", 1 },
	{ "http://127.0.0.1:53124/cb", 1 },
	{ "http://localhost:3000/cb", 1 },
	{ "http://[::1]:8080/cb", 1 },
	{ "https://localhost/cb", 1 },
	/* not absolute */
	{ "/cb", 0 },
	{ "app.example.com/cb", 0 },
	{ "//app.example.com/cb", 0 },
	{ "https:app.example.com/cb", 0 },
	{ "https:/app.example.com/cb", 0 },
	{ "", 0 },
	/* scheme */
	{ "http://app.example.com/cb", 0 },
	{ "http://127.0.0.2/cb", 0 },
	{ "http://localhost.example.com/cb", 0 },
	{ "http://[::2]/cb", 0 },
	{ "HTTPS://app.example.com/cb", 0 },
	{ "ftp://app.example.com/cb", 0 },
	{ "javascript:alert(1)", 0 },
	{ "data:text/html,x", 0 },
	{ "com.example.app:/cb", 0 },
	{ "1https://app.example.com/", 0 },
	/* fragment, wildcard, userinfo */
	{ "https://app.example.com/cb#frag", 0 },
	{ "https://app.example.com/cb#", 0 },
	{ "https://*.example.com/cb", 0 },
	{ "https://app.example.com/*", 0 },
	{ "https://user@app.example.com/cb", 0 },
	{ "https://user:pw@app.example.com/cb", 0 },
	{ "https://app.example.com@evil.example/cb", 0 },
	{ "http://127.0.0.1@evil.example/cb", 0 },
	/* host and port */
	{ "https:///cb", 0 },
	{ "https://:443/cb", 0 },
	{ "https://app..example.com/cb", 0 },
	{ "https://.example.com/cb", 0 },
	{ "https://app.example.com./cb", 0 },
	{ "https://-app.example.com/cb", 0 },
	{ "https://app-.example.com/cb", 0 },
	{ "https://app_x.example.com/cb", 0 },
	{ "https://app%2eexample.com/cb", 0 },
	{ "https://app.example.com:/cb", 0 },
	{ "https://app.example.com:0/cb", 0 },
	{ "https://app.example.com:65536/cb", 0 },
	{ "https://app.example.com:123456/cb", 0 },
	{ "https://app.example.com:8a/cb", 0 },
	{ "https://[::1/cb", 0 },
	{ "https://[::1]x/cb", 0 },
	{ "https://[fe80::1%25eth0]/cb", 0 },
	{ "https://[1]/cb", 0 },
	/* characters */
	{ "https://app.example.com/c b", 0 },
	{ "https://app.example.com/c\tb", 0 },
	{ "https://app.example.com/cb\r\nX: y", 0 },
	{ "https://app.example.com/caf\xc3\xa9", 0 },
	{ "https://app.example.com/a\\b", 0 },
	{ "https://app.example.com/<x>", 0 },
	{ "https://app.example.com/a\"b", 0 },
	{ "https://app.example.com/{x}", 0 },
	{ "https://app.example.com/a|b", 0 },
	{ "https://app.example.com/a^b", 0 },
	{ "https://app.example.com/a`b", 0 },
	{ "https://app.example.com/[x]", 0 },
	{ "https://app.example.com/%", 0 },
	{ "https://app.example.com/%2", 0 },
	{ "https://app.example.com/%zz", 0 },
	{ "https://app.example.com\\@evil.example/", 0 },
};

static const struct {
	const char	*name;
	int		 good;
} names[] = {
	{ "App", 1 },
	{ "<script>alert(1)</script>", 1 },	/* the pages escape it */
	{ "Caf\xc3\xa9 \xe2\x80\x94 web", 1 },
	{ "", 0 },
	{ "   ", 0 },
	{ "a\nb", 0 },
	{ "a\tb", 0 },
	{ "a\x7f", 0 },
	{ "a\xc2\x85" "b", 0 },			/* U+0085 NEL */
};

static const struct {
	const char	*aud;
	int		 good;
} auds[] = {
	{ "https://api.example.com", 1 },
	{ "billing-service", 1 },
	{ "", 0 },
	{ "two words", 0 },
	{ "caf\xc3\xa9", 0 },
};

/* Bodies of POST /admin/clients: the field of the 422, or NULL if good. */
static const struct {
	const char	*body;
	const char	*field;
} creates[] = {
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"]}",
	    NULL },
	{ "{\"client_name\":\"A\",\"grant_types\":[\"client_credentials\"]}",
	    NULL },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"grant_types\":[\"authorization_code\",\"refresh_token\"],"
	    "\"allowed_scopes\":[\"openid\",\"profile\",\"email\","
	    "\"offline_access\"],\"allowed_audiences\":[\"api\"],"
	    "\"token_endpoint_auth_method\":\"none\",\"require_consent\":true,"
	    "\"post_logout_redirect_uris\":[\"https://a.example/bye\"]}", NULL },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"token_endpoint_auth_method\":null}", NULL },
	{ "{\"redirect_uris\":[\"https://a.example/cb\"]}", "client_name" },
	{ "{\"client_name\":\"\",\"redirect_uris\":[\"https://a.example/cb\"]}",
	    "client_name" },
	{ "{\"client_name\":5,\"redirect_uris\":[\"https://a.example/cb\"]}",
	    "client_name" },
	{ "{\"client_name\":\"A\"}", "redirect_uris" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[]}", "redirect_uris" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":\"https://a.example/cb\"}",
	    "redirect_uris" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\","
	    "\"https://a.example/cb\"]}", "redirect_uris" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"http://a.example/cb\"]}",
	    "redirect_uris" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"allowed_scopes\":[\"openid\",\"admin\"]}", "allowed_scopes" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"allowed_scopes\":[\"openid\",\"openid\"]}", "allowed_scopes" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"allowed_scopes\":[\"profile\"]}", "allowed_scopes" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"grant_types\":[\"password\"]}", "grant_types" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"grant_types\":[]}", "grant_types" },
	{ "{\"client_name\":\"A\",\"grant_types\":[\"refresh_token\"]}",
	    "grant_types" },
	{ "{\"client_name\":\"A\",\"grant_types\":[\"client_credentials\"],"
	    "\"token_endpoint_auth_method\":\"none\"}", "grant_types" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"token_endpoint_auth_method\":\"private_key_jwt\"}",
	    "token_endpoint_auth_method" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"require_pkce\":\"yes\"}", "require_pkce" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"is_active\":1}", "is_active" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"allowed_audiences\":[\"a b\"]}", "allowed_audiences" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"post_logout_redirect_uris\":[\"https://a.example/#x\"]}",
	    "post_logout_redirect_uris" },
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/1\","
	    "\"https://a.example/2\",\"https://a.example/3\",\"https://a.example/4\","
	    "\"https://a.example/5\",\"https://a.example/6\",\"https://a.example/7\","
	    "\"https://a.example/8\",\"https://a.example/9\",\"https://a.example/10\","
	    "\"https://a.example/11\"]}", "redirect_uris" },
	/* Not a field of ours: loc ["body"] alone, field "" here. */
	{ "{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"client_secret\":\"mine\"}", "" },
};

/* s for a TAP line: control and non-ASCII bytes as '?'. */
static const char *
printable(const char *s)
{
	static char	 buf[128];
	size_t		 i;

	for (i = 0; s[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = (unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] >= 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static bool
has_error_on(const struct verrs *v, const char *field)
{
	size_t	 i;

	for (i = 0; i < v->n; i++)
		if ((v->e[i].field == NULL && field[0] == '\0') ||
		    (v->e[i].field != NULL && strcmp(v->e[i].field, field) == 0))
			return true;
	return false;
}

static enum ierr
apply(const char *body, bool create, struct client *c, struct verrs *v)
{
	struct json_doc	*doc;
	enum ierr	 e;

	memset(v, 0, sizeof(*v));
	if ((e = json_doc_parse(body, strlen(body), &doc, v)) != IERR_OK)
		return IERR_BAD_REQUEST;	/* the table's own mistake */
	e = client_policy_apply(doc, create, c, v);
	json_doc_free(doc);
	return e;
}

static void
body_rows(void)
{
	struct client	*c;
	struct verrs	 v;
	size_t		 i;
	enum ierr	 e;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		abort();
	for (i = 0; i < sizeof(creates) / sizeof(creates[0]); i++) {
		memset(c, 0, sizeof(*c));
		client_policy_defaults(c);
		e = apply(creates[i].body, true, c, &v);
		if (creates[i].field == NULL)
			ok(e == IERR_OK && v.n == 0, "create body %zu is good", i);
		else
			ok(e == IERR_INVALID && has_error_on(&v, creates[i].field),
			    "create body %zu: 422 on '%s' (%zu errors, first %s: %s)",
			    i, creates[i].field, v.n, v.n > 0 && v.e[0].field ?
			    v.e[0].field : "-", v.n > 0 ? v.e[0].msg : "-");
	}

	/* Defaults, and how lists are stored. */
	memset(c, 0, sizeof(*c));
	client_policy_defaults(c);
	ok(apply("{\"client_name\":\"A\",\"redirect_uris\":[\"https://a.example/1\","
	    "\"https://a.example/2\"],\"allowed_audiences\":[\"x\",\"y\"]}",
	    true, c, &v) == IERR_OK, "two URIs");
	ok(strcmp(c->redirect_uris, "https://a.example/1\nhttps://a.example/2")
	    == 0, "URIs one per line");
	ok(strcmp(c->allowed_audiences, "x y") == 0, "audiences by spaces");
	ok(strcmp(c->grant_types, "authorization_code") == 0 &&
	    strcmp(c->allowed_scopes, "openid") == 0 && c->is_active &&
	    !c->require_pkce && !c->require_consent && !c->is_public &&
	    c->auth_method[0] == '\0', "defaults");

	/* A public client: PKCE forced, secret dropped. */
	c->has_secret = c->has_prev_secret = true;
	ok(apply("{\"token_endpoint_auth_method\":\"none\",\"require_pkce\":"
	    "false}", false, c, &v) == IERR_OK && c->is_public &&
	    c->require_pkce && !c->has_secret && !c->has_prev_secret,
	    "update to public: PKCE forced, no secret");
	ok(strcmp(c->redirect_uris, "https://a.example/1\nhttps://a.example/2")
	    == 0 && strcmp(c->name, "A") == 0, "update keeps what it does not name");
	ok(apply("{\"grant_types\":[\"authorization_code\","
	    "\"client_credentials\"]}", false, c, &v) == IERR_INVALID &&
	    has_error_on(&v, "grant_types"), "public + client_credentials");
	ok(apply("{\"token_endpoint_auth_method\":null}", false, c, &v) ==
	    IERR_OK && !c->is_public && c->auth_method[0] == '\0',
	    "back to confidential");
	ok(apply("{\"redirect_uris\":[]}", false, c, &v) == IERR_INVALID &&
	    has_error_on(&v, "redirect_uris"), "update may not drop the last URI");
	/* A refused update leaves c half changed: the caller drops it. */
	ok(apply("{\"redirect_uris\":[\"https://a.example/1\"]}", false, c, &v)
	    == IERR_OK && apply("{}", false, c, &v) == IERR_OK &&
	    strcmp(c->redirect_uris, "https://a.example/1") == 0,
	    "an empty update");
	ok(apply("{\"client_name\":null}", false, c, &v) == IERR_INVALID,
	    "client_name null");
	free(c);
}

int
main(void)
{
	char	 big[CLIENT_MAX_URI_BYTES + 2];
	size_t	 i;

	for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++)
		ok((client_policy_uri(uris[i].uri, strlen(uris[i].uri)) ==
		    NULL) == uris[i].good, "uri '%s' %s", printable(uris[i].uri),
		    uris[i].good ? "accepted" : "refused");
	ok(client_policy_uri("https://a.example/\0x", 20) != NULL,
	    "a NUL inside");
	memset(big, 'a', sizeof(big));
	memcpy(big, "https://a.example/", 18);
	ok(client_policy_uri(big, CLIENT_MAX_URI_BYTES) == NULL,
	    "a URI of 2000 bytes");
	ok(client_policy_uri(big, CLIENT_MAX_URI_BYTES + 1) != NULL,
	    "a URI of 2001 bytes");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ok((client_policy_name(names[i].name, strlen(names[i].name)) ==
		    NULL) == names[i].good, "name %zu", i);
	memset(big, 'n', 201);
	ok(client_policy_name(big, 200) == NULL, "a name of 200 characters");
	ok(client_policy_name(big, 201) != NULL, "a name of 201 characters");
	for (i = 0; i < sizeof(auds) / sizeof(auds[0]); i++)
		ok((client_policy_audience(auds[i].aud, strlen(auds[i].aud)) ==
		    NULL) == auds[i].good, "audience '%s'", printable(auds[i].aud));
	memset(big, 'a', 256);
	ok(client_policy_audience(big, 255) == NULL &&
	    client_policy_audience(big, 256) != NULL, "audience of 255/256");
	body_rows();
	return done();
}
