#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bounds.h"
#include "json.h"

struct json_doc {
	json_object	*root;
};

/*
 * RFC 8259 grammar, checked before json-c sees the body: json-c's strict
 * mode still takes single quotes, NaN and Infinity.  Depth is bounded by
 * MAX_JSON_DEPTH, so the recursion is too.
 */
struct lexer {
	const char	*p, *end;
	int		 depth;
};

static bool	lex_value(struct lexer *);

static void
lex_ws(struct lexer *l)
{
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' ||
	    *l->p == '\n' || *l->p == '\r'))
		l->p++;
}

static bool
lex_lit(struct lexer *l, const char *lit)
{
	size_t	 n = strlen(lit);

	if ((size_t)(l->end - l->p) < n || memcmp(l->p, lit, n) != 0)
		return false;
	l->p += n;
	return true;
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* The code unit of the \uXXXX escape at p (p points at 'u'), or -1. */
static long
lex_u_escape(const char *p, const char *end)
{
	long	 v = 0;
	int	 i;

	if (end - p < 5 || *p != 'u')
		return -1;
	for (i = 1; i <= 4; i++) {
		if (!is_hex(p[i]))
			return -1;
		v = v * 16 + (p[i] <= '9' ? p[i] - '0' : (p[i] | 0x20) - 'a' + 10);
	}
	return v;
}

static bool
lex_string(struct lexer *l)
{
	long	 u, lo;

	if (l->p >= l->end || *l->p != '"')
		return false;
	for (l->p++; l->p < l->end; l->p++) {
		if (*l->p == '"') {
			l->p++;
			return true;
		}
		if ((unsigned char)*l->p < 0x20)
			return false;
		if (*l->p != '\\')
			continue;
		if (++l->p >= l->end)
			return false;
		if (*l->p == 'u') {
			/*
			 * UTF-16 surrogates must pair up: json-c would turn a
			 * lone one into U+FFFD, silently changing the text.
			 */
			if ((u = lex_u_escape(l->p, l->end)) < 0 ||
			    (u >= 0xdc00 && u <= 0xdfff))
				return false;
			l->p += 4;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (l->end - l->p < 3 || l->p[1] != '\\' ||
				    (lo = lex_u_escape(l->p + 2, l->end)) < 0xdc00 ||
				    lo > 0xdfff)
					return false;
				l->p += 6;
			}
		} else if (strchr("\"\\/bfnrt", *l->p) == NULL)
			return false;
	}
	return false;
}

static bool
lex_digits(struct lexer *l)
{
	const char	*start = l->p;

	while (l->p < l->end && *l->p >= '0' && *l->p <= '9')
		l->p++;
	return l->p > start;
}

static bool
lex_number(struct lexer *l)
{
	if (l->p < l->end && *l->p == '-')
		l->p++;
	if (l->p < l->end && *l->p == '0')
		l->p++;
	else if (!lex_digits(l))
		return false;
	if (l->p < l->end && *l->p == '.') {
		l->p++;
		if (!lex_digits(l))
			return false;
	}
	if (l->p < l->end && (*l->p == 'e' || *l->p == 'E')) {
		l->p++;
		if (l->p < l->end && (*l->p == '+' || *l->p == '-'))
			l->p++;
		if (!lex_digits(l))
			return false;
	}
	return true;
}

/* An object or an array: open already seen at l->p. */
static bool
lex_container(struct lexer *l, char close)
{
	bool	 first = true;

	if (++l->depth > MAX_JSON_DEPTH)
		return false;
	l->p++;
	for (;;) {
		lex_ws(l);
		if (l->p < l->end && *l->p == close && first) {
			l->p++;
			break;
		}
		if (close == '}') {
			if (!lex_string(l))
				return false;
			lex_ws(l);
			if (l->p >= l->end || *l->p++ != ':')
				return false;
		}
		if (!lex_value(l))
			return false;
		lex_ws(l);
		first = false;
		if (l->p < l->end && *l->p == ',') {
			l->p++;
			lex_ws(l);
			if (l->p < l->end && *l->p == close)
				return false;	/* trailing comma */
			continue;
		}
		if (l->p < l->end && *l->p == close) {
			l->p++;
			break;
		}
		return false;
	}
	l->depth--;
	return true;
}

static bool
lex_value(struct lexer *l)
{
	lex_ws(l);
	if (l->p >= l->end)
		return false;
	switch (*l->p) {
	case '{':
		return lex_container(l, '}');
	case '[':
		return lex_container(l, ']');
	case '"':
		return lex_string(l);
	case 't':
		return lex_lit(l, "true");
	case 'f':
		return lex_lit(l, "false");
	case 'n':
		return lex_lit(l, "null");
	default:
		return lex_number(l);
	}
}

static bool
strict_json(const char *buf, size_t len)
{
	struct lexer	 l = { buf, buf + len, 0 };

	if (!lex_value(&l))
		return false;
	lex_ws(&l);
	return l.p == l.end;
}

/*
 * The number of members of the top-level object as written.  json-c keeps
 * the last of two members with the same name, so a body that says two
 * things at once shows as more members written than parsed: such a body
 * is refused.  The body is known to be valid JSON here.
 */
static size_t
top_level_members(const char *buf, size_t len)
{
	size_t	 i, n = 0;
	int	 depth = 0;
	bool	 expect_name = false;

	for (i = 0; i < len; i++) {
		if (buf[i] == '"') {
			for (i++; i < len && buf[i] != '"'; i++)
				if (buf[i] == '\\')
					i++;
			if (depth == 1 && expect_name)
				n++;
			expect_name = false;
		} else if (buf[i] == '{' || buf[i] == '[') {
			depth++;
			expect_name = (buf[i] == '{' && depth == 1);
		} else if (buf[i] == '}' || buf[i] == ']')
			depth--;
		else if (buf[i] == ',' && depth == 1)
			expect_name = true;
	}
	return n;
}

enum ierr
json_doc_parse(const char *buf, size_t len, struct json_doc **out,
    struct verrs *errs)
{
	struct json_tokener	*tok;
	json_object		*root = NULL;
	struct json_doc		*doc;
	size_t			 members;

	*out = NULL;
	while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\n' ||
	    buf[len - 1] == '\r' || buf[len - 1] == '\t'))
		len--;
	if (len == 0) {
		verr_add(errs, "body", NULL, "Field required", "missing");
		return IERR_INVALID;
	}
	if (memchr(buf, '\0', len) != NULL || !utf8_valid(buf, len)) {
		verr_add(errs, "body", NULL, "Body must be valid UTF-8 "
		    "without NUL bytes", "json_invalid");
		return IERR_INVALID;
	}
	if (!strict_json(buf, len)) {
		verr_add(errs, "body", NULL, "JSON decode error", "json_invalid");
		return IERR_INVALID;
	}
	while (*buf == ' ' || *buf == '\t' || *buf == '\n' || *buf == '\r') {
		buf++;
		len--;
	}
	if (*buf != '{') {
		verr_add(errs, "body", NULL, "Input should be a valid "
		    "dictionary or object", "model_attributes_type");
		return IERR_INVALID;
	}
	/* json-c counts one level more than we do: the limit stays ours. */
	if ((tok = json_tokener_new_ex(MAX_JSON_DEPTH + 1)) == NULL)
		return IERR_INTERNAL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (root == NULL || !json_object_is_type(root, json_type_object) ||
	    json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		json_object_put(root);
		json_tokener_free(tok);
		verr_add(errs, "body", NULL, "JSON decode error", "json_invalid");
		return IERR_INVALID;
	}
	json_tokener_free(tok);
	members = top_level_members(buf, len);
	if (members > MAX_JSON_FIELDS ||
	    members != (size_t)json_object_object_length(root)) {
		json_object_put(root);
		verr_add(errs, "body", NULL, "Duplicate or too many members",
		    "json_invalid");
		return IERR_INVALID;
	}
	if ((doc = malloc(sizeof(*doc))) == NULL) {
		json_object_put(root);
		return IERR_INTERNAL;
	}
	doc->root = root;
	*out = doc;
	return IERR_OK;
}

void
json_doc_free(struct json_doc *doc)
{
	if (doc == NULL)
		return;
	json_object_put(doc->root);
	free(doc);
}

void
json_get_str(struct json_doc *doc, const char *name, size_t max_chars,
    bool nullable, struct jstr *out, struct verrs *errs)
{
	json_object	*v;

	memset(out, 0, sizeof(*out));
	if (doc == NULL || !json_object_object_get_ex(doc->root, name, &v))
		return;
	out->present = true;
	if (v == NULL) {
		if (nullable)
			out->null = true;
		else
			verr_add(errs, "body", name, "Input should be a valid "
			    "string", "string_type");
		return;
	}
	if (!json_object_is_type(v, json_type_string)) {
		verr_add(errs, "body", name, "Input should be a valid string",
		    "string_type");
		return;
	}
	out->s = json_object_get_string(v);
	out->len = (size_t)json_object_get_string_len(v);
	/* \u0000 and lone surrogates can hide in escapes: check the value. */
	if (strlen(out->s) != out->len || !utf8_valid(out->s, out->len)) {
		verr_add(errs, "body", name, "String must be valid UTF-8 "
		    "without NUL characters", "string_type");
		out->s = NULL;
	} else if (utf8_chars(out->s, out->len) > max_chars) {
		verr_add(errs, "body", name, "String is too long",
		    "string_too_long");
		out->s = NULL;
	}
	if (out->s == NULL)
		out->len = 0;
}

void
json_get_bool(struct json_doc *doc, const char *name, struct jbool *out,
    struct verrs *errs)
{
	json_object	*v;

	memset(out, 0, sizeof(*out));
	if (doc == NULL || !json_object_object_get_ex(doc->root, name, &v))
		return;
	if (v == NULL || !json_object_is_type(v, json_type_boolean)) {
		verr_add(errs, "body", name, "Input should be a valid boolean",
		    "bool_type");
		return;
	}
	out->present = true;
	out->v = json_object_get_boolean(v);
}

void
json_require(const struct jstr *s, const char *name, struct verrs *errs)
{
	if (!s->present)
		verr_add(errs, "body", name, "Field required", "missing");
}

void
json_get_int(struct json_doc *doc, const char *name, long long min,
    long long max, struct jint *out, struct verrs *errs)
{
	json_object	*v;
	int64_t		 n;

	memset(out, 0, sizeof(*out));
	if (doc == NULL || !json_object_object_get_ex(doc->root, name, &v))
		return;
	if (v == NULL || !json_object_is_type(v, json_type_int)) {
		verr_add(errs, "body", name, "Input should be a valid integer",
		    "int_type");
		return;
	}
	/*
	 * json-c saturates values beyond int64 to its ends without saying
	 * so: the ends themselves are refused, never a caller's range.
	 */
	n = json_object_get_int64(v);
	if (n == INT64_MAX || n == INT64_MIN || n < min || n > max) {
		verr_add(errs, "body", name, "Integer out of range",
		    "int_range");
		return;
	}
	out->present = true;
	out->v = n;
}

bool
json_doc_only(const struct json_doc *doc, const char *const *names, size_t n)
{
	size_t	 i;
	bool	 known;

	json_object_object_foreach(doc->root, key, val) {
		(void)val;
		known = false;
		for (i = 0; i < n && !known; i++)
			known = strcmp(key, names[i]) == 0;
		if (!known)
			return false;
	}
	return true;
}

bool
json_has_member(struct json_doc *doc, const char *name)
{
	json_object	*v;

	return doc != NULL && json_object_object_get_ex(doc->root, name, &v);
}
