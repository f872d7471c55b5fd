#include <string.h>

#include "policy.h"
#include "tap.h"

#define S(x)	x, strlen(x)

int
main(void)
{
	static const struct { const char *s; int good; } names[] = {
		{ "alice", 1 }, { "a.b_c-9", 1 }, { "ab", 0 }, { "abc", 1 },
		{ "with space", 0 }, { "émile", 0 }, { "semi;colon", 0 },
		{ "", 0 },
	};
	static const struct { const char *s; int good; } emails[] = {
		{ "a@example.com", 1 }, { "A.B+tag@sub.example.org", 1 },
		{ "no-at.example.com", 0 }, { "@example.com", 0 },
		{ "a@", 0 }, { "a@localhost", 0 }, { "a..b@example.com", 0 },
		{ ".a@example.com", 0 }, { "a.@example.com", 0 },
		{ "a@-example.com", 0 }, { "a@example-.com", 0 },
		{ "a@example.c", 0 }, { "a@exa_mple.com", 0 },
		{ "a b@example.com", 0 }, { "a@b@example.com", 0 },
		{ "a@example..com", 0 },
	};
	static const struct { const char *pw; int good; } pws[] = {
		{ "Str0ng@Passw0rd", 1 },
		{ "Sh0rt@Pw", 0 },			/* 8 chars */
		{ "Abcdefgh1@x", 0 },			/* 11 chars */
		{ "Abcdefgh1@xy", 1 },			/* 12 chars */
		{ "alllowercase1@", 0 },
		{ "ALLUPPERCASE1@", 0 },
		{ "NoDigitsHere@@", 0 },
		{ "NoSpecial12345", 0 },
		{ "Spaces are 0k@", 1 },
		{ "Ünïcödé@Passw0rd", 1 },
	};
	char	 long_pw[200];
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ok((policy_username(S(names[i].s)) == NULL) == names[i].good,
		    "username '%s'", names[i].s);
	memset(long_pw, 'a', 101);
	ok(policy_username(long_pw, 101) != NULL, "username of 101 chars");
	ok(policy_username(long_pw, 100) == NULL, "username of 100 chars");
	for (i = 0; i < sizeof(emails) / sizeof(emails[0]); i++)
		ok((policy_email(S(emails[i].s)) == NULL) == emails[i].good,
		    "email '%s'", emails[i].s);
	for (i = 0; i < sizeof(pws) / sizeof(pws[0]); i++)
		ok((policy_password(S(pws[i].pw), "someone", "x@example.com") ==
		    NULL) == pws[i].good, "password '%s'", pws[i].pw);
	ok(policy_password(S("Alice@Example1"), "alice@example1",
	    "x@example.com") != NULL, "password equal to the username");
	ok(policy_password(S("Bob@Example.com1"), "bob",
	    "bob@example.com1") != NULL, "password equal to the email");
	memset(long_pw, 'a', sizeof(long_pw));
	memcpy(long_pw, "A1@", 3);
	ok(policy_password(long_pw, 128, NULL, NULL) == NULL, "128 chars");
	ok(policy_password(long_pw, 129, NULL, NULL) != NULL, "129 chars");
	return done();
}
