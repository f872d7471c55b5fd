#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "csrf.h"
#include "req.h"
#include "worker.h"

static void
mac(const struct req *r, const char *purpose, const char *value,
    char out[CSRF_LEN + 1])
{
	char	 msg[128];
	uint8_t	 m[SHA256_LEN];
	int	 n;

	n = snprintf(msg, sizeof(msg), "%s:%s", purpose, value);
	crypto_mac_sha256(r->w->client_mac, msg, (size_t)n, m);
	b64_encode(B64_URL, m, sizeof(m), out);
	crypto_wipe(m, sizeof(m));
}

void
csrf_for_request(const struct req *r, const char *req_id,
    char out[CSRF_LEN + 1])
{
	mac(r, "csrf", req_id, out);
}

void
csrf_for_browser(const struct req *r, const char *cookie,
    char out[CSRF_LEN + 1])
{
	mac(r, "logout", cookie, out);
}

bool
csrf_browser_ok(const struct req *r, const char *cookie, const char *tok,
    size_t len)
{
	char	 want[CSRF_LEN + 1];

	if (tok == NULL || len != CSRF_LEN)
		return false;
	csrf_for_browser(r, cookie, want);
	return crypto_equal(want, tok, CSRF_LEN);
}
