/*
 * QR codes as SVG (qr.h).  One <path> of horizontal runs of dark
 * modules keeps the document small: about 8 KiB for an otpauth URI.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "log.h"
#include "qr.h"

#define QUIET	4	/* modules of white around the symbol (ISO 18004) */

struct buf {
	char	*s;
	size_t	 len, cap;
	bool	 fail;
};

static void put(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (b->fail)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->fail = true;
		return;
	}
	b->len += (size_t)n;
}

char *
qr_svg(const char *text, size_t len)
{
	QRcode		*q;
	struct buf	 b = { 0 };
	char		*z;
	int		 x, y, run, size;

	if (len == 0 || len > QR_MAX_INPUT || memchr(text, '\0', len) != NULL)
		return NULL;
	if ((z = strndup(text, len)) == NULL)
		return NULL;
	q = QRcode_encodeString(z, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	free(z);
	if (q == NULL) {
		log_reason(LOG_LVL_WARN, "qr_error", "QRcode_encodeString failed");
		return NULL;
	}
	size = q->width + 2 * QUIET;
	/* Each run is at most 28 bytes; there are at most width^2 / 2. */
	b.cap = 512 + (size_t)q->width * (size_t)q->width * 15;
	if ((b.s = malloc(b.cap)) == NULL) {
		QRcode_free(q);
		return NULL;
	}
	put(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" shape-rendering=\"crispEdges\">", size, size,
	    size * 6);
	put(&b, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"", size, size);
	for (y = 0; y < q->width; y++)
		for (x = 0; x < q->width; x += run > 0 ? run : 1) {
			for (run = 0; x + run < q->width &&
			    (q->data[y * q->width + x + run] & 1); run++)
				continue;
			if (run > 0)
				put(&b, "M%d %dh%dv1h-%dz", x + QUIET,
				    y + QUIET, run, run);
		}
	put(&b, "\"/></svg>");
	QRcode_free(q);
	if (b.fail) {
		log_reason(LOG_LVL_ERR, "qr_error", "SVG buffer too small");
		free(b.s);
		return NULL;
	}
	return b.s;
}
