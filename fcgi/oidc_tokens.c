#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "clients.h"
#include "config.h"
#include "crypto.h"
#include "jsonw.h"
#include "jwt.h"
#include "log.h"
#include "oidc_tokens.h"
#include "op.h"
#include "profiles.h"
#include "req.h"
#include "userinfo.h"
#include "worker.h"

#define ID_TOKEN_TTL	3600

/* aud of a client's access token: its audiences, else its own id. */
static void
audiences(struct jsonw *w, const struct client *c)
{
	char		 list[CLIENT_AUDIENCES_CAP];
	char		*a, *save = NULL;
	size_t		 n = 0;

	if (c->allowed_audiences[0] == '\0') {
		jsonw_kv_str(w, "aud", c->id);
		return;
	}
	if (strchr(c->allowed_audiences, ' ') == NULL) {
		jsonw_kv_str(w, "aud", c->allowed_audiences);
		return;
	}
	snprintf(list, sizeof(list), "%s", c->allowed_audiences);
	jsonw_key(w, "aud");
	jsonw_arr_open(w);
	for (a = strtok_r(list, " ", &save); a != NULL && n++ < 16;
	    a = strtok_r(NULL, " ", &save))
		jsonw_str(w, a);
	jsonw_arr_close(w);
}

static char *
sign(struct req *r, const char *typ, struct jsonw *p)
{
	char	*tok = NULL;

	if (jsonw_text(p) != NULL)
		tok = jwt_sign_payload(r->w->keys, typ, p->buf, p->len);
	jsonw_clear(p);
	return tok;
}

char *
oidc_access_token(struct req *r, const struct client *c,
    const struct oidc_subject *s)
{
	const struct config	*cfg = r->w->cfg;
	struct jsonw		 p;
	char			 jti[37];
	long long		 now = (long long)time(NULL);

	if (crypto_uuid4(jti) == -1)
		return NULL;
	jsonw_init(&p);
	jsonw_obj_open(&p);
	jsonw_kv_str(&p, "iss", cfg->jwt_issuer);
	audiences(&p, c);
	jsonw_kv_str(&p, "sub", s->uid != NULL ? s->uid : c->id);
	if (s->uid != NULL) {
		jsonw_kv_str(&p, "username", s->username);
		jsonw_kv_str(&p, "role", s->role);
		jsonw_kv_str(&p, "sid", s->sid);
	}
	jsonw_kv_str(&p, "jti", jti);
	jsonw_kv_int(&p, "iat", now);
	jsonw_kv_int(&p, "nbf", now);
	jsonw_kv_int(&p, "exp", now + cfg->access_token_ttl);
	jsonw_kv_str(&p, "scope", s->scope);
	jsonw_kv_str(&p, "client_id", c->id);
	jsonw_kv_str(&p, "auth_method", s->uid == NULL ? "client_credentials" :
	    op_has_word(s->amr, "otp") ? "password+otp" : "password");
	jsonw_obj_close(&p);
	return sign(r, JWT_TYP_ACCESS, &p);
}

/* OpenID Connect Core §3.1.3.6: left half of SHA-256, base64url. */
static void
at_hash(const char *token, char out[B64_ENCODED_SIZE(16)])
{
	uint8_t	 h[SHA256_LEN];

	crypto_sha256(token, strlen(token), h);
	b64_encode(B64_URL, h, 16, out);
}

static void
amr_array(struct jsonw *w, const char *amr)
{
	char	 list[33];
	char	*a, *save = NULL;

	snprintf(list, sizeof(list), "%s", amr[0] != '\0' ? amr : "pwd");
	jsonw_key(w, "amr");
	jsonw_arr_open(w);
	for (a = strtok_r(list, " ", &save); a != NULL;
	    a = strtok_r(NULL, " ", &save))
		jsonw_str(w, a);
	jsonw_arr_close(w);
}

/* The claims of the ID token: sub, and what its scope asks for. */
static enum ierr
id_token_claims(struct req *r, const struct oidc_subject *s, struct jsonw *w)
{
	struct userinfo	*ui;
	enum ierr	 e;

	if (!oidc_scope_has_claims(s->scope)) {
		jsonw_kv_str(w, "sub", s->uid);
		return IERR_OK;
	}
	if ((ui = calloc(1, sizeof(*ui))) == NULL)
		return IERR_INTERNAL;
	if ((e = userinfo_get(r->w->db, s->sid, s->uid, ui)) == IERR_OK)
		oidc_claims(w, s->uid, s->scope, ui);
	free(ui);
	return e;
}

char *
oidc_id_token(struct req *r, const struct client *c,
    const struct oidc_subject *s, const char *access_token, const char *nonce)
{
	const struct config	*cfg = r->w->cfg;
	struct jsonw		 p;
	char			 ah[B64_ENCODED_SIZE(16)];
	long long		 now = (long long)time(NULL);

	at_hash(access_token, ah);
	jsonw_init(&p);
	jsonw_obj_open(&p);
	jsonw_kv_str(&p, "iss", cfg->jwt_issuer);
	jsonw_kv_str(&p, "aud", c->id);
	jsonw_kv_int(&p, "exp", now + ID_TOKEN_TTL);
	jsonw_kv_int(&p, "iat", now);
	jsonw_kv_int(&p, "auth_time", s->auth_time);
	if (nonce != NULL && nonce[0] != '\0')
		jsonw_kv_str(&p, "nonce", nonce);
	jsonw_kv_str(&p, "at_hash", ah);
	jsonw_kv_str(&p, "sid", s->browser_sid);
	amr_array(&p, s->amr);
	if (id_token_claims(r, s, &p) != IERR_OK) {
		jsonw_clear(&p);
		return NULL;
	}
	jsonw_obj_close(&p);
	return sign(r, JWT_TYP_ID, &p);
}

/* "2026-11-28T15:27:50Z" as Unix time; 0 if it is not of that shape. */
static long long
unix_time(const char *ts)
{
	struct tm	 tm;
	char		*end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(ts, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *end != '\0')
		return 0;
	return (long long)timegm(&tm);
}

static void
opt_claim(struct jsonw *w, const char *name, const struct profile *pr,
    enum profile_field f)
{
	if (!pr->f[f].null && pr->f[f].v[0] != '\0')
		jsonw_kv_str(w, name, pr->f[f].v);
}

static void
profile_claims(struct jsonw *w, const struct userinfo *ui)
{
	const struct profile	*pr = &ui->pr;
	char			 name[PROFILE_VALUE_MAX * 2 + 2];

	jsonw_kv_str(w, "preferred_username", ui->username);
	if (!ui->has_profile)
		return;
	if (!pr->f[PF_GIVEN_NAME].null && !pr->f[PF_FAMILY_NAME].null) {
		snprintf(name, sizeof(name), "%s %s", pr->f[PF_GIVEN_NAME].v,
		    pr->f[PF_FAMILY_NAME].v);
		jsonw_kv_str(w, "name", name);
	}
	opt_claim(w, "given_name", pr, PF_GIVEN_NAME);
	opt_claim(w, "family_name", pr, PF_FAMILY_NAME);
	opt_claim(w, "nickname", pr, PF_NICK_NAME);
	opt_claim(w, "picture", pr, PF_PICTURE);
	opt_claim(w, "birthdate", pr, PF_DATE_OF_BIRTH);
	opt_claim(w, "locale", pr, PF_LOCALE);
	opt_claim(w, "zoneinfo", pr, PF_TIMEZONE);
	if (unix_time(pr->updated_at) > 0)
		jsonw_kv_int(w, "updated_at", unix_time(pr->updated_at));
}

bool
oidc_scope_has_claims(const char *scope)
{
	return op_has_word(scope, "email") || op_has_word(scope, "profile");
}

void
oidc_claims(struct jsonw *w, const char *uid, const char *scope,
    const struct userinfo *ui)
{
	jsonw_kv_str(w, "sub", uid);
	if (op_has_word(scope, "email")) {
		jsonw_kv_str(w, "email", ui->email);
		jsonw_kv_bool(w, "email_verified", ui->email_verified);
	}
	if (op_has_word(scope, "profile"))
		profile_claims(w, ui);
}
