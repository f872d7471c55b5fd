/*
 * Request bodies in JSON: the only module that includes json-c.  A body
 * is parsed once, strictly and within bounds.h's limits, into a document
 * whose members are read by typed getters; handlers never walk raw JSON.
 * Problems are recorded in a struct verrs as FastAPI's 422 list.
 */
#ifndef IDENT_JSON_H
#define IDENT_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "ierr.h"
#include "verr.h"

struct json_doc;

/* A string member: borrowed from the document, NUL-terminated. */
struct jstr {
	const char	*s;
	size_t		 len;
	bool		 present;	/* the member was in the body */
	bool		 null;		/* ... with the value null */
};

struct jbool {
	bool		 v;
	bool		 present;
};

struct jint {
	long long	 v;
	bool		 present;
};

/*
 * Parse buf[0..len) as a JSON object: strict JSON, depth at most
 * MAX_JSON_DEPTH, no trailing bytes, valid UTF-8, no duplicate member
 * names, at most MAX_JSON_FIELDS members.  Returns IERR_OK and *out (free
 * with json_doc_free), or IERR_INVALID with the reason in errs.
 */
enum ierr	 json_doc_parse(const char *buf, size_t len,
		    struct json_doc **out, struct verrs *errs);
void		 json_doc_free(struct json_doc *);

/*
 * Read member name as a string of at most max_chars code points, without
 * NUL bytes.  Absent: out->present is false.  null is accepted only if
 * nullable.  Any other type or an over-long value is recorded in errs.
 */
void	json_get_str(struct json_doc *, const char *name, size_t max_chars,
	    bool nullable, struct jstr *out, struct verrs *errs);
void	json_get_bool(struct json_doc *, const char *name, struct jbool *out,
	    struct verrs *errs);

/* An integer member in [min, max] (JSON numbers with a fraction fail). */
void	json_get_int(struct json_doc *, const char *name, long long min,
	    long long max, struct jint *out, struct verrs *errs);

/* Has the object no members but those in names[0..n)? */
bool	json_doc_only(const struct json_doc *, const char *const *names,
	    size_t n);

/* Has the object a member name (of any type, null included)? */
bool	json_has_member(struct json_doc *, const char *name);

/* Add a "Field required" error for name unless s->present. */
void	json_require(const struct jstr *s, const char *name,
	    struct verrs *errs);

#endif
