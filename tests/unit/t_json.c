#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "json.h"
#include "tap.h"

static enum ierr
parse(const char *text, struct json_doc **doc, struct verrs *v)
{
	memset(v, 0, sizeof(*v));
	return json_doc_parse(text, strlen(text), doc, v);
}

/* json_get_str_list: a table of members and what each gives. */
static void
list_rows(void)
{
	static const struct {
		const char	*member;
		size_t		 max_items;
		int		 n;	/* items read, or -1: refused */
		const char	*type;	/* of the 422, when refused */
	} rows[] = {
		{ "empty", 4, 0, NULL },
		{ "two", 4, 2, NULL },
		{ "two", 1, -1, "too_long" },
		{ "str", 4, -1, "list_type" },
		{ "nul", 4, -1, "list_type" },
		{ "obj", 4, -1, "list_type" },
		{ "mixed", 4, -1, "string_type" },
		{ "long", 4, -1, "string_too_long" },
		{ "zero", 4, -1, "string_type" },
		{ "many", 99, -1, "too_long" },		/* over JLIST_MAX */
		{ "absent", 4, 0, NULL },
	};
	struct json_doc	*doc;
	struct verrs	 v;
	struct jlist	 l;
	size_t		 i;

	ok(parse("{\"empty\":[],\"two\":[\"a\",\"caf\xc3\xa9\"],"
	    "\"str\":\"a\",\"nul\":null,\"obj\":{},\"mixed\":[\"a\",1],"
	    "\"long\":[\"abcdefghijk\"],\"zero\":[\"a\\u0000\"],"
	    "\"many\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\","
	    "\"9\",\"10\",\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\"]}",
	    &doc, &v) == IERR_OK, "a body of lists");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&v, 0, sizeof(v));
		json_get_str_list(doc, rows[i].member, rows[i].max_items, 10,
		    &l, &v);
		if (rows[i].n >= 0)
			ok(v.n == 0 && l.ok == (strcmp(rows[i].member,
			    "absent") != 0) && l.n == (size_t)rows[i].n,
			    "list %s", rows[i].member);
		else
			ok(!l.ok && l.n == 0 && l.present && v.n == 1 &&
			    strcmp(v.e[0].type, rows[i].type) == 0 &&
			    strcmp(v.e[0].field, rows[i].member) == 0,
			    "list %s refused (%s)", rows[i].member, rows[i].type);
	}
	json_get_str_list(doc, "two", 4, 10, &l, &v);
	ok(l.n == 2 && l.len[0] == 1 && strcmp(l.s[1], "caf\xc3\xa9") == 0 &&
	    l.len[1] == 5, "items and their lengths");
	json_doc_free(doc);
	memset(&v, 0, sizeof(v));
	json_get_str_list(NULL, "two", 4, 10, &l, &v);
	ok(!l.present && !l.ok && v.n == 0, "no document: absent");
}

int
main(void)
{
	static const struct {
		const char	*body;
		const char	*type;	/* of the 422 */
	} bad[] = {
		{ "", "missing" },
		{ "   \n", "missing" },
		{ "{", "json_invalid" },
		{ "{\"a\":1,}", "json_invalid" },
		{ "{'a':1}", "json_invalid" },
		{ "{\"a\":1} x", "json_invalid" },
		{ "{\"a\":1}{}", "json_invalid" },
		{ "[1,2]", "model_attributes_type" },
		{ "\"str\"", "model_attributes_type" },
		{ "null", "model_attributes_type" },
		{ "{\"a\":1,\"a\":2}", "json_invalid" },
		{ "{\"a\":1,\"\\u0061\":2}", "json_invalid" },
		{ "{\"a\":\"\xff\"}", "json_invalid" },
		{ "{\"a\":\"\xc0\xaf\"}", "json_invalid" },
		{ "{\"a\":NaN}", "json_invalid" },
		{ "{\"a\":\"x\\ud800y\"}", "json_invalid" },	/* lone high */
		{ "{\"a\":\"x\\udc00y\"}", "json_invalid" },	/* lone low */
		{ "{\"a\":\"x\\ud800\\u0041\"}", "json_invalid" },
		{ "{\"a\":\"x\\u12\"}", "json_invalid" },
	};
	struct json_doc	*doc;
	struct verrs	 v;
	struct jstr	 s;
	struct jbool	 b;
	char		 deep[256], *big;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(parse(bad[i].body, &doc, &v) == IERR_INVALID && doc == NULL &&
		    v.n == 1 && strcmp(v.e[0].type, bad[i].type) == 0,
		    "refuse body %zu (%s)", i, bad[i].type);
	}
	/* Depth: 16 levels pass, 17 do not (SECURITY.md C-T17). */
	memset(deep, 0, sizeof(deep));
	for (i = 0; i < 15; i++)
		strcat(deep, "{\"a\":");
	strcat(deep, "1");
	for (i = 0; i < 15; i++)
		strcat(deep, "}");
	ok(parse(deep, &doc, &v) == IERR_OK, "15 nested objects");
	json_doc_free(doc);
	strcpy(deep, "{\"a\":");
	for (i = 0; i < 15; i++)
		strcat(deep, "[");
	for (i = 0; i < 15; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	ok(parse(deep, &doc, &v) == IERR_OK, "16 levels: the limit");
	json_doc_free(doc);
	ok(parse("{\"a\":\"\\ud83d\\ude00\"}", &doc, &v) == IERR_OK,
	    "a surrogate pair");
	json_doc_free(doc);
	memset(deep, 0, sizeof(deep));
	for (i = 0; i < 17; i++)
		strcat(deep, "[");
	for (i = 0; i < 17; i++)
		strcat(deep, "]");
	big = malloc(strlen(deep) + 16);
	snprintf(big, strlen(deep) + 16, "{\"a\":%s}", deep);
	ok(parse(big, &doc, &v) == IERR_INVALID, "18 levels refused");
	free(big);

	ok(parse("{\"name\":\"caf\xc3\xa9\",\"n\":5,\"t\":true,\"z\":null,"
	    "\"nul\":\"a\\u0000b\",\"nested\":{\"name\":1,\"name\":2}}",
	    &doc, &v) == IERR_OK, "good body (nested duplicates are not ours)");
	json_get_str(doc, "name", 10, false, &s, &v);
	ok(s.present && s.s != NULL && s.len == 5 && v.n == 0, "string");
	json_get_str(doc, "name", 3, false, &s, &v);
	ok(s.s == NULL && v.n == 1 && strcmp(v.e[0].type, "string_too_long") == 0,
	    "4 characters over a limit of 3");
	memset(&v, 0, sizeof(v));
	json_get_str(doc, "n", 10, false, &s, &v);
	ok(v.n == 1 && strcmp(v.e[0].type, "string_type") == 0 &&
	    strcmp(v.e[0].field, "n") == 0, "number where a string is wanted");
	memset(&v, 0, sizeof(v));
	json_get_str(doc, "z", 10, true, &s, &v);
	ok(s.present && s.null && v.n == 0, "null allowed");
	json_get_str(doc, "z", 10, false, &s, &v);
	ok(v.n == 1, "null refused");
	memset(&v, 0, sizeof(v));
	json_get_str(doc, "nul", 10, false, &s, &v);
	ok(s.s == NULL && v.n == 1, "escaped NUL refused");
	memset(&v, 0, sizeof(v));
	json_get_str(doc, "absent", 10, false, &s, &v);
	ok(!s.present && v.n == 0, "absent member");
	json_require(&s, "absent", &v);
	ok(v.n == 1 && strcmp(v.e[0].type, "missing") == 0, "required");
	memset(&v, 0, sizeof(v));
	json_get_bool(doc, "t", &b, &v);
	ok(b.present && b.v && v.n == 0, "bool");
	json_get_bool(doc, "name", &b, &v);
	ok(!b.present && v.n == 1, "string where a bool is wanted");
	json_doc_free(doc);
	json_doc_free(NULL);
	list_rows();
	return done();
}
