#include <stdio.h>
#include <string.h>

#include "useragent.h"

struct ua_rule {
	const char	*token;		/* found anywhere in the scanned bytes */
	const char	*name;
};

/*
 * Order matters: Edge and Opera carry "Chrome/" too, Chrome carries
 * "Safari/", Android carries "Linux", iOS browsers name their engine.
 */
static const struct ua_rule browsers[] = {
	{ "Edg/", "Edge" }, { "EdgA/", "Edge" }, { "EdgiOS/", "Edge" },
	{ "Edge/", "Edge" },
	{ "OPR/", "Opera" }, { "Opera", "Opera" },
	{ "SamsungBrowser/", "Samsung Internet" },
	{ "Firefox/", "Firefox" }, { "FxiOS/", "Firefox" },
	{ "CriOS/", "Chrome" }, { "Chromium/", "Chromium" },
	{ "Chrome/", "Chrome" },
	{ "Safari/", "Safari" },
	{ "curl/", "curl" }, { "Wget/", "Wget" },
	{ "python-requests/", "python-requests" },
};

static const struct ua_rule systems[] = {
	{ "Windows", "Windows" },
	{ "Android", "Android" },
	{ "iPhone", "iOS" }, { "iPad", "iOS" }, { "iPod", "iOS" },
	{ "CrOS", "ChromeOS" },
	{ "Mac OS X", "macOS" }, { "Macintosh", "macOS" },
	{ "Linux", "Linux" },
	{ "FreeBSD", "FreeBSD" }, { "OpenBSD", "OpenBSD" },
};

/* Is token within s[0..n)?  (No NUL needed in s past n.) */
static int
contains(const char *s, size_t n, const char *token)
{
	size_t	 t = strlen(token), i;

	for (i = 0; t <= n && i <= n - t; i++)
		if (s[i] == token[0] && memcmp(s + i, token, t) == 0)
			return 1;
	return 0;
}

static const char *
first_match(const struct ua_rule *rules, size_t nrules, const char *s,
    size_t n)
{
	size_t	 i;

	for (i = 0; i < nrules; i++)
		if (contains(s, n, rules[i].token))
			return rules[i].name;
	return NULL;
}

void
ua_device_name(const char *ua, char *out, size_t cap)
{
	const char	*browser, *os;
	size_t		 n;

	if (cap == 0)
		return;
	out[0] = '\0';
	if (ua == NULL)
		return;
	n = strnlen(ua, UA_SCAN_BYTES);
	browser = first_match(browsers, sizeof(browsers) / sizeof(browsers[0]),
	    ua, n);
	os = first_match(systems, sizeof(systems) / sizeof(systems[0]), ua, n);
	if (browser != NULL && os != NULL)
		snprintf(out, cap, "%s on %s", browser, os);
	else if (browser != NULL)
		snprintf(out, cap, "%s", browser);
	else if (os != NULL)
		snprintf(out, cap, "Unknown browser on %s", os);
}
