#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jwt_memo.h"
#include "tap.h"

#define ISS	"https://iam.example"
#define AUD	"genesis"
#define NOW	1800000000LL
#define MANY	(JWT_MEMO_SLOTS + JWT_MEMO_SLOTS / 8)	/* some must share */

static char	 dir[] = "/tmp/t_jwt_memo.XXXXXX";
static char	 key[256];

/* A token for session n (its jti says n too). */
static char *
token(const struct jwt_keys *ks, int n)
{
	struct jwt_claims	 c;

	memset(&c, 0, sizeof(c));
	strcpy(c.sub, "3f0c2a9e-6a51-4c1b-9a57-2f1e1d7b9c01");
	snprintf(c.sid, sizeof(c.sid), "8b5d1e2f-0c3a-4f6e-8d21-%012d", n);
	snprintf(c.jti, sizeof(c.jti), "jti-%d", n);
	strcpy(c.username, "alice");
	strcpy(c.role, "user");
	c.iat = c.nbf = NOW;
	c.exp = NOW + 900;
	return jwt_sign(ks, ISS, AUD, &c, "openid", "password");
}

static bool
verifies(struct jwt_memo *m, const char *tok, long long now, int n)
{
	struct jwt_claims	 c;
	char			 jti[37];

	snprintf(jti, sizeof(jti), "jti-%d", n);
	return jwt_memo_verify(m, tok, strlen(tok), now, &c) == IERR_OK &&
	    strcmp(c.jti, jti) == 0;
}

int
main(void)
{
	struct jwt_keys	*ks;
	struct jwt_memo	*m;
	char		 err[512], *tok, *bad, **many;
	bool		 all_own;
	int		 i;

	ok(mkdtemp(dir) != NULL, "temporary folder");
	snprintf(key, sizeof(key), "%s/sign.pem", dir);
	ok(jwt_new_key(key, 2048, err, sizeof(err)) == 0, "new key");
	ks = jwt_keys_load(key, NULL, err, sizeof(err));
	m = ks != NULL ? jwt_memo_new(ks, ISS, AUD) : NULL;
	ok(m != NULL, "memo for the key set: %s", err);
	if (m == NULL)
		return done();

	tok = token(ks, 1);
	ok(verifies(m, tok, NOW, 1) && jwt_memo_hits(m) == 0,
	    "first use: verified, not from the memo");
	ok(verifies(m, tok, NOW + 10, 1) && jwt_memo_hits(m) == 1,
	    "second use: the same claims, from the memo");

	/* Time limits hold on every use, remembered or not. */
	ok(verifies(m, tok, NOW + 900 + 59, 1) && jwt_memo_hits(m) == 2,
	    "remembered, within the skew after exp");
	ok(!verifies(m, tok, NOW + 900 + 60, 1), "remembered, then expired");
	ok(verifies(m, tok, NOW, 1) && jwt_memo_hits(m) == 2,
	    "an expired token is forgotten: the next use verifies again");
	ok(verifies(m, tok, NOW, 1) && jwt_memo_hits(m) == 3,
	    "remembered again");
	ok(!verifies(m, tok, NOW - 61, 1) && jwt_memo_hits(m) == 3,
	    "remembered, but not yet valid at that time");

	/* Only successes are remembered, and only the very same bytes hit. */
	bad = strdup(tok);
	bad[strlen(bad) - 3] = bad[strlen(bad) - 3] == 'A' ? 'B' : 'A';
	ok(!verifies(m, bad, NOW, 1) && !verifies(m, bad, NOW, 1) &&
	    jwt_memo_hits(m) == 3, "a forged signature fails every time");
	free(bad);
	bad = malloc(MAX_TOKEN_LEN + 2);
	memset(bad, 'A', MAX_TOKEN_LEN + 1);
	bad[MAX_TOKEN_LEN + 1] = '\0';
	ok(!verifies(m, bad, NOW, 1), "an over-long token fails");
	free(bad);

	/* More tokens than slots: each answer is its own token's claims. */
	many = calloc(MANY, sizeof(*many));
	for (i = 0; i < MANY; i++)
		many[i] = token(ks, 100 + i);
	all_own = true;
	for (i = 0; i < MANY; i++)
		all_own = all_own && verifies(m, many[i], NOW, 100 + i);
	for (i = MANY - 1; i >= 0; i--)
		all_own = all_own && verifies(m, many[i], NOW, 100 + i);
	ok(all_own, "%d tokens in %d slots, twice: each its own claims",
	    MANY, JWT_MEMO_SLOTS);
	ok(jwt_memo_hits(m) > 3 && jwt_memo_hits(m) < 3 + (unsigned long)MANY,
	    "some second uses hit, those whose slot was taken did not (%lu)",
	    jwt_memo_hits(m) - 3);
	for (i = 0; i < MANY; i++)
		free(many[i]);
	free(many);

	free(tok);
	jwt_memo_free(m);
	jwt_keys_free(ks);
	unlink(key);
	rmdir(dir);
	return done();
}
