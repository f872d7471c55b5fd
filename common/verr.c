#include "verr.h"

void
verr_add(struct verrs *v, const char *where, const char *field,
    const char *msg, const char *type)
{
	if (v->n >= VERR_MAX)
		return;
	v->e[v->n].where = where;
	v->e[v->n].field = field;
	v->e[v->n].msg = msg;
	v->e[v->n].type = type;
	v->n++;
}

void
verr_write(const struct verrs *v, struct jsonw *w)
{
	size_t	 i;

	jsonw_obj_open(w);
	jsonw_key(w, "detail");
	jsonw_arr_open(w);
	for (i = 0; i < v->n; i++) {
		jsonw_obj_open(w);
		jsonw_key(w, "loc");
		jsonw_arr_open(w);
		jsonw_str(w, v->e[i].where);
		if (v->e[i].field != NULL)
			jsonw_str(w, v->e[i].field);
		jsonw_arr_close(w);
		jsonw_kv_str(w, "msg", v->e[i].msg);
		jsonw_kv_str(w, "type", v->e[i].type);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
	jsonw_obj_close(w);
}
