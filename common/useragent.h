/*
 * A session's device name from its User-Agent header, as a person reads
 * it: "Chrome on Linux", "Firefox on Android", "Safari on iOS".  Only
 * the browser family and the operating system are taken, from the first
 * UA_SCAN_BYTES bytes, so the list of sessions never shows the raw
 * header (nor anything a client chose to put in it).
 */
#ifndef IDENT_USERAGENT_H
#define IDENT_USERAGENT_H

#include <stddef.h>

#define UA_SCAN_BYTES	512	/* of the header, at most, are looked at */
#define UA_NAME_MAX	40	/* the longest name written, with its NUL */

/*
 * Write the device name of ua (may be NULL) into out[cap]: "<browser> on
 * <os>", "<browser>" when the system is unknown, "Unknown browser on
 * <os>", or "" when neither is known (or ua is NULL or empty).  The
 * result is always one of a fixed set of names.  cap >= UA_NAME_MAX
 * holds every name; a smaller cap truncates.
 */
void	ua_device_name(const char *ua, char *out, size_t cap);

#endif
