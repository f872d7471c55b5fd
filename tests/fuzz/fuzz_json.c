/*
 * libFuzzer harness for common/json.c (request bodies), common/verr.c and
 * common/jsonw.c (the 422 list written back), and, riding along,
 * common/bounds.c's utf8_valid, utf8_chars, uuid_syntax_ok and parse_u64,
 * each checked against a reference written here.
 *
 * Checks beyond the sanitizers:
 *  - json_doc_parse succeeds only on valid UTF-8 without NUL bytes whose
 *    first non-blank byte is '{'; on failure it records an error;
 *  - the typed getters keep their promises (a string is NUL-terminated,
 *    of the stated length, valid UTF-8, within max_chars; an int within
 *    [min, max]; absent members are not "present");
 *  - verr_write always gives a JSON object that json_doc_parse accepts
 *    and that has only "detail";
 *  - any valid UTF-8 input written as a string with jsonw_strn reads back
 *    through json_doc_parse and json_get_str as the same bytes (or, if it
 *    holds a NUL, is refused by json_get_str).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "json.h"
#include "jsonw.h"
#include "verr.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"fuzz_json: check failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
	abort(); } } while (0)

/* RFC 3629 §4 / Unicode Table 3-7, written as byte ranges. */
static bool
ref_utf8_valid(const uint8_t *s, size_t n, size_t *chars)
{
	size_t	 i = 0, need, k;
	uint8_t	 lo, hi;

	*chars = 0;
	while (i < n) {
		uint8_t	 b = s[i];

		lo = 0x80;
		hi = 0xbf;
		if (b <= 0x7f)
			need = 0;
		else if (b >= 0xc2 && b <= 0xdf)
			need = 1;
		else if (b == 0xe0) {
			need = 2;
			lo = 0xa0;
		} else if ((b >= 0xe1 && b <= 0xec) || b == 0xee || b == 0xef)
			need = 2;
		else if (b == 0xed) {
			need = 2;
			hi = 0x9f;
		} else if (b == 0xf0) {
			need = 3;
			lo = 0x90;
		} else if (b >= 0xf1 && b <= 0xf3)
			need = 3;
		else if (b == 0xf4) {
			need = 3;
			hi = 0x8f;
		} else
			return false;
		if (n - i - 1 < need)
			return false;
		for (k = 1; k <= need; k++) {
			uint8_t	 c = s[i + k];

			if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xbf))
				return false;
		}
		i += need + 1;
		(*chars)++;
	}
	return true;
}

static bool
ref_uuid(const char *s, size_t n)
{
	static const char	 shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t			 i;

	if (n != sizeof(shape) - 1)
		return false;
	for (i = 0; i < n; i++)
		if (shape[i] == '-' ? s[i] != '-' :
		    strchr("0123456789abcdefABCDEF", s[i]) == NULL || s[i] == '\0')
			return false;
	return true;
}

/* Decimal digits only, not empty, no overflow, in [min, max]. */
static bool
ref_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t	 v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static void
check_bounds(const uint8_t *data, size_t size)
{
	static const uint64_t	 ranges[][2] = {
		{ 0, UINT64_MAX }, { 1, 65535 }, { 60, 86400 }, { 0, 0 },
	};
	char		 num[48];
	uint64_t	 got, want;
	size_t		 i, n, chars;
	bool		 valid;

	valid = ref_utf8_valid(data, size, &chars);
	CHECK(utf8_valid((const char *)data, size) == valid);
	if (valid)
		CHECK(utf8_chars((const char *)data, size) == chars);
	CHECK(uuid_syntax_ok((const char *)data, size) ==
	    ref_uuid((const char *)data, size));

	n = size < sizeof(num) - 1 ? size : sizeof(num) - 1;
	memcpy(num, data, n);
	num[n] = '\0';
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		bool	 ok = ref_u64(num, ranges[i][0], ranges[i][1], &want);

		got = 12345;
		CHECK((parse_u64(num, ranges[i][0], ranges[i][1], &got) == 0)
		    == ok);
		if (ok)
			CHECK(got == want);
	}
}

static void
check_str(struct json_doc *doc, const char *name, size_t max, bool nullable,
    struct verrs *v)
{
	struct jstr	 s;
	size_t		 before = v->n;

	json_get_str(doc, name, max, nullable, &s, v);
	if (s.s != NULL) {
		CHECK(s.present && !s.null);
		CHECK(strlen(s.s) == s.len);
		CHECK(utf8_valid(s.s, s.len));
		CHECK(utf8_chars(s.s, s.len) <= max);
		CHECK(v->n == before);
	}
	if (s.null)
		CHECK(s.present && nullable && s.s == NULL);
	if (!s.present)
		CHECK(s.s == NULL && !s.null && v->n == before);
}

/* json_get_str_list: at most max_items items, each as json_get_str's. */
static void
check_list(struct json_doc *doc, const char *name, size_t max_items,
    size_t max_chars, struct verrs *v)
{
	struct jlist	 l;
	size_t		 before = v->n, i;

	json_get_str_list(doc, name, max_items, max_chars, &l, v);
	if (!l.present)
		CHECK(!l.ok && l.n == 0 && v->n == before);
	if (!l.ok) {
		CHECK(l.n == 0);
		CHECK(!l.present || v->n == before + 1 || before >= VERR_MAX);
		return;
	}
	CHECK(l.present && v->n == before);
	CHECK(l.n <= max_items && l.n <= JLIST_MAX);
	for (i = 0; i < l.n; i++) {
		CHECK(l.s[i] != NULL && strlen(l.s[i]) == l.len[i]);
		CHECK(utf8_valid(l.s[i], l.len[i]));
		CHECK(utf8_chars(l.s[i], l.len[i]) <= max_chars);
	}
}

static void
check_doc(struct json_doc *doc, struct verrs *v)
{
	static const char *const users[] = { "username", "email", "password" };
	static const char *const profile[] = {
		"given_name", "family_name", "nick_name", "sub",
		"date_of_birth", "mobile_number", "address_line1",
		"address_line2", "city", "state", "zip_code", "country",
		"picture", "locale", "timezone",
	};
	static const char *const admin[] = { "role", "disabled" };
	struct jbool	 b;
	struct jint	 i;
	size_t		 before;


	check_str(doc, "username", MAX_USERNAME_CHARS, false, v);
	check_str(doc, "email", MAX_EMAIL_BYTES, true, v);
	check_str(doc, "password", MAX_PASSWORD_BYTES, false, v);
	check_str(doc, "current_password", MAX_PASSWORD_BYTES, false, v);
	check_str(doc, "role", 16, false, v);
	check_str(doc, "given_name", 100, false, v);
	check_str(doc, "date_of_birth", 10, true, v);
	check_str(doc, "a", 0, true, v);
	check_str(doc, "", 1, false, v);
	check_list(doc, "redirect_uris", 10, 2000, v);
	check_list(doc, "allowed_scopes", 10, 32, v);
	check_list(doc, "a", 2, 3, v);
	check_list(doc, "b", JLIST_MAX, 0, v);

	json_get_bool(doc, "disabled", &b, v);
	json_get_bool(doc, "is_active", &b, v);

	before = v->n;
	json_get_int(doc, "limit", 1, 100, &i, v);
	if (i.present)
		CHECK(i.v >= 1 && i.v <= 100 && v->n == before);
	json_get_int(doc, "age", -5, 5, &i, v);
	if (i.present)
		CHECK(i.v >= -5 && i.v <= 5);
	json_get_int(doc, "n", INT64_MIN, INT64_MAX, &i, v);

	(void)json_doc_only(doc, users, sizeof(users) / sizeof(users[0]));
	(void)json_doc_only(doc, profile, sizeof(profile) / sizeof(profile[0]));
	(void)json_doc_only(doc, admin, sizeof(admin) / sizeof(admin[0]));
	(void)json_doc_only(doc, NULL, 0);
}

/* The 422 list must come out as a JSON object we accept ourselves. */
static void
check_verrs(const struct verrs *v)
{
	static const char *const detail[] = { "detail" };
	struct jsonw	 w;
	struct json_doc	*back = NULL;
	struct verrs	 v2 = { 0 };
	const char	*t;

	CHECK(v->n <= VERR_MAX);
	jsonw_init(&w);
	verr_write(v, &w);
	t = jsonw_text(&w);
	CHECK(t != NULL);
	CHECK(strlen(t) == w.len);
	CHECK(json_doc_parse(t, w.len, &back, &v2) == IERR_OK);
	CHECK(back != NULL && v2.n == 0);
	CHECK(json_doc_only(back, detail, 1));
	json_doc_free(back);
	jsonw_clear(&w);
}

/* jsonw's escaping against json.c's reading. */
static void
check_jsonw_roundtrip(const char *s, size_t n)
{
	static const char *const only[] = { "k", "i" };
	struct jsonw	 w;
	struct json_doc	*doc = NULL;
	struct verrs	 v = { 0 };
	struct jstr	 got;
	struct jint	 i;
	const char	*t;

	if (!utf8_valid(s, n))
		return;
	jsonw_init(&w);
	jsonw_obj_open(&w);
	jsonw_key(&w, "k");
	jsonw_strn(&w, s, n);
	jsonw_kv_int(&w, "i", (long long)n - 1000);
	jsonw_obj_close(&w);
	t = jsonw_text(&w);
	CHECK(t != NULL && strlen(t) == w.len);
	CHECK(json_doc_parse(t, w.len, &doc, &v) == IERR_OK);
	CHECK(json_doc_only(doc, only, 2));
	json_get_int(doc, "i", -1000, 1000000, &i, &v);
	CHECK(i.present && i.v == (long long)n - 1000 && v.n == 0);
	json_get_str(doc, "k", n, false, &got, &v);
	CHECK(got.present && !got.null);
	if (memchr(s, '\0', n) == NULL) {
		CHECK(got.s != NULL && got.len == n && v.n == 0);
		CHECK(memcmp(got.s, s, n) == 0);
	} else
		CHECK(got.s == NULL && v.n == 1);
	json_doc_free(doc);
	jsonw_clear(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*buf = (const char *)data;
	struct json_doc	*doc = (struct json_doc *)0x1;	/* must be reset */
	struct verrs	 v = { 0 };
	enum ierr	 e;
	size_t		 i;

	check_bounds(data, size);
	check_jsonw_roundtrip(buf, size);

	e = json_doc_parse(buf, size, &doc, &v);
	if (e == IERR_OK) {
		CHECK(doc != NULL && v.n == 0);
		CHECK(memchr(buf, '\0', size) == NULL);
		CHECK(utf8_valid(buf, size));
		for (i = 0; i < size && strchr(" \t\r\n", buf[i]) != NULL; i++)
			continue;
		CHECK(i < size && buf[i] == '{');
		check_doc(doc, &v);
	} else {
		CHECK(doc == NULL);
		CHECK(e == IERR_INVALID || e == IERR_INTERNAL);
		if (e == IERR_INVALID)
			CHECK(v.n > 0);
	}
	check_verrs(&v);
	json_doc_free(doc);
	return 0;
}
