/*
 * QR codes drawn as SVG, over libqrencode (the only module that includes
 * <qrencode.h>): the enrolment picture of an otpauth:// URI.
 */
#ifndef IDENT_QR_H
#define IDENT_QR_H

#include <stddef.h>

#define QR_MAX_INPUT	2048	/* bytes: a URI of ours is ~150, at most ~1330
				   (400-byte legacy username); version 40-M
				   holds 2331 */

/*
 * An SVG document (black modules on white, a 4-module quiet zone) of
 * text[0..len) at error correction level M.  Returns a NUL-terminated
 * string the caller frees, or NULL (too long, or no memory; logged).
 */
char	*qr_svg(const char *text, size_t len);

#endif
