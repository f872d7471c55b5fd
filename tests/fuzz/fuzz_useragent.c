/*
 * libFuzzer harness for common/useragent.c: any User-Agent header.
 *
 * Checks beyond the sanitizers: the name is one of the fixed shapes
 * ("<browser> on <os>", "<browser>", "Unknown browser on <os>" or ""),
 * printable ASCII, shorter than UA_NAME_MAX, and the same for the header
 * cut at UA_SCAN_BYTES.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "useragent.h"

#define CHECK(c)	do { if (!(c)) { fprintf(stderr, \
	"fuzz_useragent: check failed: %s (%s:%d)\n", #c, __FILE__, \
	__LINE__); abort(); } } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*ua, out[UA_NAME_MAX], cut[UA_NAME_MAX];
	size_t	 i, n;

	if ((ua = malloc(size + 1)) == NULL)
		return 0;
	memcpy(ua, data, size);
	ua[size] = '\0';
	ua_device_name(ua, out, sizeof(out));
	n = strlen(out);
	CHECK(n < UA_NAME_MAX);
	for (i = 0; i < n; i++)
		CHECK(out[i] >= 0x20 && out[i] < 0x7f);
	CHECK(n == 0 || strncmp(out, " on", 3) != 0);
	if (strlen(ua) > UA_SCAN_BYTES) {
		ua[UA_SCAN_BYTES] = '\0';
		ua_device_name(ua, cut, sizeof(cut));
		CHECK(strcmp(out, cut) == 0);
	}
	free(ua);
	return 0;
}
