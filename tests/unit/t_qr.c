/*
 * common/qr.c: an otpauth URI becomes one bounded SVG document; input
 * over the limit or with a NUL is refused.
 */
#include <stdlib.h>
#include <string.h>

#include "qr.h"
#include "tap.h"

int
main(void)
{
	static const char	 uri[] = "otpauth://totp/Genesis%20IAM:alice?"
	    "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Genesis%20IAM&"
	    "algorithm=SHA1&digits=6&period=30";
	char			 big[QR_MAX_INPUT + 2];
	char			*svg;

	svg = qr_svg(uri, strlen(uri));
	ok(svg != NULL, "an otpauth URI draws");
	ok(svg != NULL && strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/"
	    "svg\"", 39) == 0, "it is an SVG document");
	ok(svg != NULL && strlen(svg) > 1000 && strlen(svg) < 64 * 1024,
	    "of a sensible size (%zu bytes)", svg != NULL ? strlen(svg) : 0);
	ok(svg != NULL && strstr(svg, "</svg>") != NULL &&
	    strstr(svg, "secret") == NULL, "closed, and no text of the URI");
	free(svg);
	memset(big, 'a', sizeof(big));
	ok(qr_svg(big, QR_MAX_INPUT + 1) == NULL, "over QR_MAX_INPUT refused");
	ok(qr_svg("a\0b", 3) == NULL, "a NUL byte refused");
	ok(qr_svg("", 0) == NULL, "empty refused");
	svg = qr_svg(big, QR_MAX_INPUT);
	ok(svg != NULL, "QR_MAX_INPUT bytes still draw");
	free(svg);
	return done();
}
