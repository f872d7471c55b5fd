#include <string.h>

#include "jsonw.h"
#include "tap.h"

int
main(void)
{
	struct jsonw	 w;
	const char	*t;

	jsonw_init(&w);
	jsonw_obj_open(&w);
	jsonw_kv_str(&w, "a", "x\"y\\z\n\x01");
	jsonw_kv_int(&w, "n", -5);
	jsonw_key(&w, "list");
	jsonw_arr_open(&w);
	jsonw_str(&w, "p");
	jsonw_bool(&w, true);
	jsonw_null(&w);
	jsonw_obj_open(&w);
	jsonw_obj_close(&w);
	jsonw_arr_close(&w);
	jsonw_kv_str(&w, "nul", NULL);
	jsonw_obj_close(&w);
	t = jsonw_text(&w);
	ok(t != NULL && strcmp(t, "{\"a\":\"x\\\"y\\\\z\\n\\u0001\",\"n\":-5,"
	    "\"list\":[\"p\",true,null,{}],\"nul\":null}") == 0,
	    "nested output with escapes: %s", t);
	jsonw_clear(&w);
	jsonw_clear(NULL);
	ok(1, "clear accepts NULL");
	return done();
}
