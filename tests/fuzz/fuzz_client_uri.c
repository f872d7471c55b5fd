/*
 * libFuzzer harness for the redirect URI check of common/client_policy.c
 * (SECURITY.md C-T20: what a client may register as a redirect_uri).
 *
 * Checks beyond the sanitizers: an accepted URI keeps the promises of
 * client_policy.h (at most CLIENT_MAX_URI_BYTES of printable ASCII, no
 * fragment, no '*', https, or http on one of the three loopback hosts,
 * no userinfo, a non-empty host); and the same bytes sent as the
 * redirect_uris of a POST /admin/clients body are accepted by
 * client_policy_apply exactly when the check accepts them, and stored
 * unchanged.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_policy.h"
#include "clients.h"
#include "json.h"
#include "jsonw.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"fuzz_client_uri: check failed: %s (%s:%d)\n", #c, __FILE__, \
	__LINE__); abort(); } } while (0)

static bool
starts(const char *s, size_t n, const char *prefix)
{
	size_t	 k = strlen(prefix);

	return n >= k && memcmp(s, prefix, k) == 0;
}

/* What an accepted URI must look like, checked the plain way. */
static void
check_accepted(const char *s, size_t n)
{
	const char	*auth, *end;
	size_t		 i, alen;

	CHECK(n >= 1 && n <= CLIENT_MAX_URI_BYTES);
	for (i = 0; i < n; i++)
		CHECK((unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7f);
	CHECK(memchr(s, '#', n) == NULL && memchr(s, '*', n) == NULL);
	CHECK(starts(s, n, "https://") || starts(s, n, "http://"));
	auth = s + (starts(s, n, "https://") ? 8 : 7);
	for (end = auth; end < s + n && *end != '/' && *end != '?'; end++)
		;
	alen = (size_t)(end - auth);
	CHECK(alen > 0 && memchr(auth, '@', alen) == NULL);
	CHECK(*auth != ':');
	if (starts(s, n, "http://"))
		CHECK(starts(auth, alen, "127.0.0.1") ||
		    starts(auth, alen, "localhost") || starts(auth, alen, "[::1]"));
}

/* The URI as the one redirect_uris item of a create body. */
static void
check_body(const char *s, size_t n, bool accepted)
{
	static struct client	 c;
	struct jsonw		 w;
	struct json_doc		*doc = NULL;
	struct verrs		 v;
	struct jlist		 l;
	const char		*text;
	enum ierr		 e;

	jsonw_init(&w);
	jsonw_obj_open(&w);
	jsonw_kv_str(&w, "client_name", "fuzz");
	jsonw_key(&w, "redirect_uris");
	jsonw_arr_open(&w);
	jsonw_strn(&w, s, n);
	jsonw_arr_close(&w);
	jsonw_obj_close(&w);
	memset(&v, 0, sizeof(v));
	if ((text = jsonw_text(&w)) == NULL ||
	    json_doc_parse(text, strlen(text), &doc, &v) != IERR_OK) {
		/* Only bytes that are not UTF-8 text may fail to round trip. */
		CHECK(!accepted);
		jsonw_clear(&w);
		return;
	}
	json_get_str_list(doc, "redirect_uris", 10, CLIENT_MAX_URI_BYTES, &l,
	    &v);
	memset(&v, 0, sizeof(v));
	memset(&c, 0, sizeof(c));
	client_policy_defaults(&c);
	e = client_policy_apply(doc, true, &c, &v);
	if (l.ok && l.n == 1 && l.len[0] == n && memcmp(l.s[0], s, n) == 0) {
		CHECK((e == IERR_OK) == accepted);
		if (accepted)
			CHECK(strlen(c.redirect_uris) == n &&
			    memcmp(c.redirect_uris, s, n) == 0);
	} else
		CHECK(e != IERR_OK && !accepted);
	CHECK(e == IERR_OK ? v.n == 0 : v.n > 0);
	json_doc_free(doc);
	jsonw_clear(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	const char	*why;
	bool		 accepted;

	why = client_policy_uri(s, size);
	accepted = why == NULL;
	CHECK(client_policy_uri(s, size) == why);	/* no state */
	if (accepted)
		check_accepted(s, size);
	else
		CHECK(strlen(why) > 0);
	check_body(s, size, accepted);
	return 0;
}
