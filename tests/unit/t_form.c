#include <string.h>

#include "form.h"
#include "tap.h"

int
main(void)
{
	static const char *const bad[] = {
		"a=%", "a=%4", "a=%zz", "a=1&a=2", "=x", "a=%00", "a=%ff",
		"a=%c0%af",
		"a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1&l=1&m=1&n=1&o=1&p=1&q=1",
	};
	struct form	 f;
	const char	*v;
	size_t		 len, i;

	ok(form_parse(&f, "username=al%69ce&password=P%40ss+w0rd%21&scope=",
	    47) == 0, "parse");
	v = form_get(&f, "username", &len);
	ok(v != NULL && strcmp(v, "alice") == 0 && len == 5, "percent-decoded");
	v = form_get(&f, "password", &len);
	ok(v != NULL && strcmp(v, "P@ss w0rd!") == 0, "'+' is a space");
	v = form_get(&f, "scope", &len);
	ok(v != NULL && len == 0, "empty value");
	ok(form_get(&f, "client_id", NULL) == NULL, "absent");
	form_clear(&f);
	ok(form_parse(&f, "flag&x=1", 8) == 0 &&
	    form_get(&f, "flag", &len) != NULL && len == 0, "name without '='");
	form_clear(&f);
	ok(form_parse(&f, "a=1&&b=2", 8) == 0 && f.n == 2, "empty pair skipped");
	form_clear(&f);
	ok(form_parse(&f, "a=1&b=2xyz", 7) == 0 &&
	    strcmp(form_get(&f, "b", NULL), "2") == 0, "length bounds the input");
	form_clear(&f);
	ok(form_parse(&f, "", 0) == 0 && f.n == 0, "empty body");
	form_clear(&f);
	ok(form_parse(&f, "n=caf%C3%A9", 11) == 0, "UTF-8 value");
	form_clear(&f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(form_parse(&f, bad[i], strlen(bad[i])) == -1 && f.n == 0 &&
		    f.buf == NULL, "refuse '%.20s'", bad[i]);
		form_clear(&f);
	}
	ok(form_parse(&f, "a=1\0b", 5) == -1, "raw NUL");
	form_clear(&f);
	return done();
}
