#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cookie.h"
#include "req.h"
#include "worker.h"

static const char *
cookie_name(const struct req *r, enum cookie_kind k)
{
	if (k == COOKIE_BROWSER)
		return r->w->cfg->op_cookie_secure ? "__Host-genesis_op_b" :
		    "genesis_op_b";
	return r->w->cfg->op_cookie_secure ? "__Host-genesis_op" : "genesis_op";
}

static bool
b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool
cookie_get(const struct req *r, enum cookie_kind k,
    char out[COOKIE_VALUE_LEN + 1], uint8_t hash[SHA256_LEN])
{
	const char	*h = req_param(r, "HTTP_COOKIE");
	const char	*name = cookie_name(r, k), *p, *v;
	size_t		 nlen = strlen(name), i;

	out[0] = '\0';
	if (h == NULL || strlen(h) > 8192)
		return false;
	/* "a=1; b=2": find our name at the start of a pair. */
	for (p = h; (p = strstr(p, name)) != NULL; p += nlen) {
		if ((p != h && p[-1] != ' ' && p[-1] != ';') || p[nlen] != '=')
			continue;
		v = p + nlen + 1;
		for (i = 0; i < COOKIE_VALUE_LEN && b64url_char(v[i]); i++)
			continue;
		if (i != COOKIE_VALUE_LEN ||
		    (v[i] != '\0' && v[i] != ';' && v[i] != ' '))
			return false;
		memcpy(out, v, COOKIE_VALUE_LEN);
		out[COOKIE_VALUE_LEN] = '\0';
		crypto_sha256(out, COOKIE_VALUE_LEN, hash);
		return true;
	}
	return false;
}

int
cookie_new(char out[COOKIE_VALUE_LEN + 1], uint8_t hash[SHA256_LEN])
{
	if (crypto_random_token(out, 32) == -1)
		return -1;
	crypto_sha256(out, COOKIE_VALUE_LEN, hash);
	return 0;
}

static void
set(struct req *r, enum cookie_kind k, const char *value, const char *extra)
{
	char	 v[256];

	snprintf(v, sizeof(v), "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s",
	    cookie_name(r, k), value, r->w->cfg->op_cookie_secure ? "; Secure" :
	    "", extra);
	req_add_header(r, "Set-Cookie", v);
}

void
cookie_set(struct req *r, enum cookie_kind k, const char *value)
{
	set(r, k, value, "");
}

void
cookie_clear(struct req *r, enum cookie_kind k)
{
	set(r, k, "", "; Max-Age=0");
}

int
cookie_browser(struct req *r, uint8_t hash[SHA256_LEN])
{
	char	 v[COOKIE_VALUE_LEN + 1];

	if (cookie_get(r, COOKIE_BROWSER, v, hash))
		return 0;
	if (cookie_new(v, hash) == -1)
		return -1;
	cookie_set(r, COOKIE_BROWSER, v);
	crypto_wipe(v, sizeof(v));
	return 0;
}
