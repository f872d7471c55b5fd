#include <string.h>

#include "tap.h"
#include "useragent.h"

int
main(void)
{
	static const struct { const char *ua, *want; } rows[] = {
		{ "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, "
		  "like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome on Linux" },
		{ "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, "
		  "like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
		  "Chrome on Linux" },
		{ "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 "
		  "Firefox/121.0", "Firefox on Android" },
		{ "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) "
		  "Gecko/20100101 Firefox/121.0", "Firefox on Linux" },
		{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
		  "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 "
		  "Edg/120.0.2210.91", "Edge on Windows" },
		{ "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
		  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
		  "Safari/605.1.15", "Safari on macOS" },
		{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
		  "AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 "
		  "Mobile/15E148 Safari/604.1", "Chrome on iOS" },
		{ "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 "
		  "(KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 "
		  "Mobile Safari/537.36", "Samsung Internet on Android" },
		{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
		  "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 "
		  "OPR/106.0.0.0", "Opera on Windows" },
		{ "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 "
		  "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		  "Chrome on ChromeOS" },
		{ "curl/7.88.1", "curl" },
		{ "python-requests/2.28.1", "python-requests" },
		{ "e2e-device/1234abcd", "" },
		{ "", "" },
		{ "Mozilla/5.0 (X11; Linux x86_64)", "Unknown browser on Linux" },
		{ "<script>alert(1)</script> Firefox/1", "Firefox" },
		{ "Firefox", "" },		/* no version slash: no family */
	};
	char	 big[4096], out[UA_NAME_MAX], small[8];
	size_t	 i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ua_device_name(rows[i].ua, out, sizeof(out));
		ok(strcmp(out, rows[i].want) == 0, "'%.40s' -> '%s' (got '%s')",
		    rows[i].ua, rows[i].want, out);
	}
	ua_device_name(NULL, out, sizeof(out));
	ok(out[0] == '\0', "NULL -> empty");
	/* Tokens past the scanned prefix are not looked at. */
	memset(big, 'x', sizeof(big));
	memcpy(big + UA_SCAN_BYTES + 10, "Firefox/1 Linux", 15);
	big[sizeof(big) - 1] = '\0';
	ua_device_name(big, out, sizeof(out));
	ok(out[0] == '\0', "tokens after %d bytes are ignored", UA_SCAN_BYTES);
	memcpy(big, "Firefox/1 Linux", 15);
	ua_device_name(big, out, sizeof(out));
	ok(strcmp(out, "Firefox on Linux") == 0, "a long header still names "
	    "what its start says");
	ua_device_name(rows[0].ua, small, sizeof(small));
	ok(strlen(small) == sizeof(small) - 1, "a small buffer truncates");
	/* The longest name fits UA_NAME_MAX. */
	ua_device_name("SamsungBrowser/1 Unknown", out, sizeof(out));
	ok(strlen("Samsung Internet on ChromeOS") < UA_NAME_MAX &&
	    strlen("Unknown browser on OpenBSD") < UA_NAME_MAX,
	    "UA_NAME_MAX holds every name");
	return done();
}
