#include <stdio.h>
#include <string.h>

#include "bounds.h"
#include "client_policy.h"
#include "clients.h"
#include "json.h"

static bool
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static bool
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static size_t
scheme_len(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return 0;
	for (i = 1; i < len && (is_alnum((unsigned char)s[i]) ||
	    s[i] == '+' || s[i] == '-' || s[i] == '.'); i++)
		;
	return i < len && s[i] == ':' ? i : 0;
}

/*
 * A host of h[0..n): an IPv6 literal (no zone), or a DNS name or IPv4
 * address (LDH labels of 1..63, 253 in all).  Stricter than RFC 3986's
 * reg-name on purpose: no percent-encoding or sub-delims in a host.
 */
static bool
host_ok(const char *h, size_t n, bool *loopback)
{
	size_t	 i, label = 0, colons = 0;

	*loopback = false;
	if (n == 0)
		return false;
	if (h[0] == '[') {
		if (n < 4 || h[n - 1] != ']')
			return false;
		for (i = 1; i < n - 1; i++) {
			if (h[i] == ':')
				colons++;
			else if (!is_hex((unsigned char)h[i]) && h[i] != '.')
				return false;
		}
		*loopback = n == 5 && memcmp(h, "[::1]", 5) == 0;
		return colons >= 2;
	}
	if (n > 253)
		return false;
	for (i = 0; i < n; i++) {
		if (h[i] == '.') {
			if (label == 0 || h[i - 1] == '-')
				return false;
			label = 0;
		} else if (is_alnum((unsigned char)h[i]) ||
		    (h[i] == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else
			return false;
	}
	if (label == 0 || h[n - 1] == '-')
		return false;
	*loopback = n == 9 && (memcmp(h, "127.0.0.1", 9) == 0 ||
	    memcmp(h, "localhost", 9) == 0);
	return true;
}

/* ":" 1*5DIGIT in 1..65535, or nothing. */
static bool
port_ok(const char *p, size_t n)
{
	unsigned long	 v = 0;
	size_t		 i;

	if (n == 0)
		return true;
	if (p[0] != ':' || n < 2 || n > 6)
		return false;
	for (i = 1; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* pchar, "/" and "?" of RFC 3986 §3.3-3.4, less "*" (never a wildcard). */
static bool
path_char_ok(unsigned char c)
{
	return is_alnum(c) || (c != '\0' && strchr("-._~!$&'()+,;=:@/?", c)
	    != NULL);
}

const char *
client_policy_uri(const char *s, size_t len)
{
	const char	*auth, *end, *host_end;
	size_t		 i, n;
	bool		 https, loopback;

	if (len == 0)
		return "URI must not be empty";
	if (len > CLIENT_MAX_URI_BYTES)
		return "URI is too long (at most 2000 bytes)";
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return "URI must be printable ASCII without spaces";
	if (memchr(s, '#', len) != NULL)
		return "URI must not have a fragment";
	if (memchr(s, '*', len) != NULL)
		return "URI must not contain a wildcard '*'";
	if ((n = scheme_len(s, len)) == 0 || len < n + 3 ||
	    memcmp(s + n, "://", 3) != 0)
		return "URI must be absolute (scheme://host/...)";
	https = n == 5 && memcmp(s, "https", 5) == 0;
	if (!https && !(n == 4 && memcmp(s, "http", 4) == 0))
		return "URI must use https, or http on a loopback host";
	auth = s + n + 3;
	for (end = auth; end < s + len && *end != '/' && *end != '?'; end++)
		;
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		return "URI must not contain user information";
	if (auth < end && *auth == '[')
		host_end = memchr(auth, ']', (size_t)(end - auth));
	else
		host_end = memchr(auth, ':', (size_t)(end - auth));
	if (host_end == NULL)
		host_end = end;
	else if (*host_end == ']')
		host_end++;
	if (!host_ok(auth, (size_t)(host_end - auth), &loopback))
		return "URI has an invalid host";
	if (!port_ok(host_end, (size_t)(end - host_end)))
		return "URI has an invalid port";
	if (!https && !loopback)
		return "URI must use https, or http on a loopback host";
	for (; end < s + len; end++) {
		if (*end == '%') {
			if (s + len - end < 3 || !is_hex((unsigned char)end[1]) ||
			    !is_hex((unsigned char)end[2]))
				return "URI has a malformed percent-encoding";
			end += 2;
		} else if (!path_char_ok((unsigned char)*end))
			return "URI has a character that is not allowed";
	}
	return NULL;
}

const char *
client_policy_name(const char *s, size_t len)
{
	size_t	 i;
	bool	 blank = true;

	if (len == 0 || !utf8_valid(s, len))
		return "Name must be 1 to 200 characters";
	if (utf8_chars(s, len) > CLIENT_MAX_NAME_CHARS)
		return "Name must be 1 to 200 characters";
	for (i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)s[i];

		/* C0, DEL, and C1 (U+0080..U+009F, 0xc2 0x80..0x9f). */
		if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f))
			return "Name must not contain control characters";
		if (c != ' ')
			blank = false;
	}
	return blank ? "Name must not be blank" : NULL;
}

const char *
client_policy_audience(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > CLIENT_MAX_AUDIENCE_BYTES)
		return "Audience must be 1 to 255 bytes";
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return "Audience must be printable ASCII without spaces";
	return NULL;
}

/*
 * Is s[0..len) one of the space-separated words of set?  clients.c has
 * the same walk (clients_list_has); this module keeps off it so that it
 * links without the database (the unit test, the fuzzer).
 */
static bool
one_of(const char *set, const char *s, size_t len)
{
	const char	*p = set, *end;

	while (len > 0 && *p != '\0') {
		if ((end = strchr(p, ' ')) == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) == len && memcmp(p, s, len) == 0)
			return true;
		p = *end == '\0' ? end : end + 1;
	}
	return false;
}

static const char *
scope_problem(const char *s, size_t len)
{
	return one_of(CLIENT_KNOWN_SCOPES, s, len) ? NULL :
	    "Unknown scope (known: openid, profile, email, offline_access)";
}

static const char *
grant_problem(const char *s, size_t len)
{
	return one_of(CLIENT_GRANT_TYPES, s, len) ? NULL :
	    "Unknown grant type (known: authorization_code, refresh_token, "
	    "client_credentials)";
}

/* One list member of the body: its limits, separator and item check. */
struct list_rule {
	const char	*field;
	size_t		 max_items;
	size_t		 max_chars;
	char		 sep;
	const char	*(*item)(const char *, size_t);
};

static const struct list_rule	rules[] = {
	{ "redirect_uris", CLIENT_MAX_URIS, CLIENT_MAX_URI_BYTES, '\n',
	    client_policy_uri },
	{ "post_logout_redirect_uris", CLIENT_MAX_URIS, CLIENT_MAX_URI_BYTES,
	    '\n', client_policy_uri },
	{ "allowed_scopes", CLIENT_MAX_URIS, 32, ' ', scope_problem },
	{ "allowed_audiences", CLIENT_MAX_AUDIENCES, CLIENT_MAX_AUDIENCE_BYTES,
	    ' ', client_policy_audience },
	{ "grant_types", CLIENT_MAX_URIS, 32, ' ', grant_problem },
};

/*
 * Check the list member of rule and, if it is good, store it in
 * out[cap] joined by the rule's separator.  Absent: out is unchanged.
 */
static void
apply_list(struct json_doc *doc, const struct list_rule *rule, char *out,
    size_t cap, struct verrs *errs)
{
	struct jlist	 l;
	const char	*why;
	size_t		 i, k, used = 0;

	json_get_str_list(doc, rule->field, rule->max_items, rule->max_chars,
	    &l, errs);
	if (!l.present || !l.ok)
		return;
	for (i = 0; i < l.n; i++) {
		if ((why = rule->item(l.s[i], l.len[i])) != NULL) {
			verr_add(errs, "body", rule->field, why, "value_error");
			return;
		}
		for (k = 0; k < i; k++)
			if (l.len[k] == l.len[i] &&
			    memcmp(l.s[k], l.s[i], l.len[i]) == 0) {
				verr_add(errs, "body", rule->field, "List has "
				    "duplicate items", "value_error");
				return;
			}
		used += l.len[i] + 1;
	}
	if (used >= cap) {
		verr_add(errs, "body", rule->field, "List is too long",
		    "too_long");
		return;
	}
	for (i = 0, used = 0; i < l.n; i++) {
		if (i > 0)
			out[used++] = rule->sep;
		memcpy(out + used, l.s[i], l.len[i]);
		used += l.len[i];
	}
	out[used] = '\0';
}

static void
apply_bool(struct json_doc *doc, const char *name, bool *out,
    struct verrs *errs)
{
	struct jbool	 b;

	json_get_bool(doc, name, &b, errs);
	if (b.present)
		*out = b.v;
}

static void
apply_auth_method(struct json_doc *doc, struct client *c, struct verrs *errs)
{
	struct jstr	 m;

	json_get_str(doc, "token_endpoint_auth_method", 32, true, &m, errs);
	if (!m.present || (!m.null && m.s == NULL))
		return;
	if (m.null) {
		c->auth_method[0] = '\0';
	} else if (one_of(CLIENT_AUTH_METHODS, m.s, m.len)) {
		snprintf(c->auth_method, sizeof(c->auth_method), "%s", m.s);
	} else {
		verr_add(errs, "body", "token_endpoint_auth_method", "Input "
		    "should be 'client_secret_basic', 'client_secret_post', "
		    "'none' or null", "enum");
		return;
	}
	c->is_public = strcmp(c->auth_method, "none") == 0;
}

static bool
has(const char *list, const char *word)
{
	return one_of(list, word, strlen(word));
}

/* The rules between fields, on the client as it would be stored. */
static void
cross_check(struct client *c, struct verrs *errs)
{
	bool	 code = has(c->grant_types, "authorization_code");

	if (c->grant_types[0] == '\0')
		verr_add(errs, "body", "grant_types", "At least one grant type "
		    "is required", "value_error");
	if (c->is_public && has(c->grant_types, "client_credentials"))
		verr_add(errs, "body", "grant_types", "A public client "
		    "(token_endpoint_auth_method none) cannot use "
		    "client_credentials", "value_error");
	if (has(c->grant_types, "refresh_token") && !code)
		verr_add(errs, "body", "grant_types", "refresh_token needs the "
		    "authorization_code grant", "value_error");
	if (code && c->redirect_uris[0] == '\0')
		verr_add(errs, "body", "redirect_uris", "At least one redirect "
		    "URI is required for the authorization_code grant",
		    "missing");
	if (code && !has(c->allowed_scopes, "openid"))
		verr_add(errs, "body", "allowed_scopes", "Must include openid "
		    "for the authorization_code grant", "value_error");
}

void
client_policy_defaults(struct client *c)
{
	c->is_public = false;
	c->auth_method[0] = '\0';
	c->redirect_uris[0] = '\0';
	c->post_logout_redirect_uris[0] = '\0';
	snprintf(c->allowed_scopes, sizeof(c->allowed_scopes), "openid");
	c->allowed_audiences[0] = '\0';
	snprintf(c->grant_types, sizeof(c->grant_types), "authorization_code");
	c->require_pkce = false;
	c->require_consent = false;
	c->is_active = true;
}

static const char *const	 members[] = {
	"client_name", "redirect_uris", "post_logout_redirect_uris",
	"allowed_scopes", "allowed_audiences", "grant_types",
	"token_endpoint_auth_method", "require_pkce", "require_consent",
	"is_active",
};

enum ierr
client_policy_apply(struct json_doc *doc, bool create, struct client *c,
    struct verrs *errs)
{
	struct jstr	 name;
	const char	*why;

	if (doc != NULL && !json_doc_only(doc, members,
	    sizeof(members) / sizeof(members[0])))
		verr_add(errs, "body", NULL, "Extra inputs are not permitted "
		    "(id, client_id and client_secret are ours to set)",
		    "extra_forbidden");
	json_get_str(doc, "client_name", CLIENT_MAX_NAME_CHARS, false, &name,
	    errs);
	if (create)
		json_require(&name, "client_name", errs);
	if (name.s != NULL) {
		if ((why = client_policy_name(name.s, name.len)) != NULL)
			verr_add(errs, "body", "client_name", why,
			    "value_error");
		else
			snprintf(c->name, sizeof(c->name), "%s", name.s);
	}
	apply_list(doc, &rules[0], c->redirect_uris, sizeof(c->redirect_uris),
	    errs);
	apply_list(doc, &rules[1], c->post_logout_redirect_uris,
	    sizeof(c->post_logout_redirect_uris), errs);
	apply_list(doc, &rules[2], c->allowed_scopes, sizeof(c->allowed_scopes),
	    errs);
	apply_list(doc, &rules[3], c->allowed_audiences,
	    sizeof(c->allowed_audiences), errs);
	apply_list(doc, &rules[4], c->grant_types, sizeof(c->grant_types), errs);
	apply_auth_method(doc, c, errs);
	apply_bool(doc, "require_pkce", &c->require_pkce, errs);
	apply_bool(doc, "require_consent", &c->require_consent, errs);
	apply_bool(doc, "is_active", &c->is_active, errs);
	if (errs->n > 0)
		return IERR_INVALID;
	cross_check(c, errs);
	if (errs->n > 0)
		return IERR_INVALID;
	if (c->is_public) {
		/* RFC 9700 §2.1.1: PKCE always; no secret to keep. */
		c->require_pkce = true;
		c->has_secret = false;
		c->has_prev_secret = false;
	}
	return IERR_OK;
}
