#include <stdlib.h>
#include <string.h>

#include "pwhash.h"
#include "tap.h"

int
main(void)
{
	/* Cheap parameters: the test is about correctness, not cost. */
	struct pwhash_params	 weak = { 64, 1, 1 }, strong = { 128, 2, 1 };
	/* From tests/fixtures/genesis-4ae971e.sql: legacy_alice. */
	const char		*bcrypt =
	    "$2b$12$oMnFO3KzZMDjTkXGzAxkU.gbd/uNnVCZDWC1vAG3BrrS0Ax/p2o9.";
	char			*h, *h2;

	ok(pwhash_init(&weak) == 0, "init");
	ok(!pwhash_holds_area(), "init hashes nothing: no argon2 area yet");
	h = pwhash_make("Str0ng@Passw0rd", 15);
	ok(pwhash_holds_area(), "a hash maps the area");
	ok(h != NULL && strncmp(h, "$argon2id$v=19$m=64,t=1,p=1$", 28) == 0,
	    "argon2id PHC string: %s", h);
	ok(pwhash_verify(h, "Str0ng@Passw0rd", 15) == PWH_MATCH, "round trip");
	ok(pwhash_verify(h, "Str0ng@Passw0rX", 15) == PWH_MISMATCH,
	    "wrong password");
	pwhash_release();
	ok(!pwhash_holds_area(), "released");
	ok(pwhash_verify(h, "Str0ng@Passw0rd", 15) == PWH_MATCH &&
	    pwhash_verify(h, "Str0ng@Passw0rX", 15) == PWH_MISMATCH,
	    "verification after a release: zero pages are enough");
	pwhash_release();
	h2 = pwhash_make("Str0ng@Passw0rd", 15);
	ok(h2 != NULL && strcmp(h, h2) != 0, "salted: two hashes differ");
	ok(pwhash_init(&strong) == 0, "stronger parameters");
	ok(pwhash_verify(h, "Str0ng@Passw0rd", 15) == PWH_MATCH_REHASH,
	    "weaker stored parameters ask for a rehash");
	ok(pwhash_verify(bcrypt, "Legacy@Passw0rd-1", 17) == PWH_MATCH_REHASH,
	    "the original service's bcrypt hash, right password");
	ok(pwhash_verify(bcrypt, "Legacy@Passw0rd-2", 17) == PWH_MISMATCH,
	    "bcrypt, wrong password");
	ok(pwhash_verify("$argon2id$v=19$m=64,t=1,p=1$bad", "x", 1) ==
	    PWH_ERROR, "malformed stored hash");
	ok(pwhash_verify("plaintext", "plaintext", 9) == PWH_ERROR,
	    "unknown scheme is never a match");
	pwhash_release();
	pwhash_dummy("whatever", 8);
	ok(pwhash_holds_area(), "the dummy verification hashes");
	free(h);
	free(h2);
	pwhash_cleanup();
	return done();
}
