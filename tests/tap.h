/*
 * A tiny TAP producer for the unit tests: plan(), ok(), done().  Each
 * failure names the line of the table row or check that failed.
 */
#ifndef IDENT_TAP_H
#define IDENT_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int	tap_n, tap_failed;

static inline void
plan(int n)
{
	printf("1..%d\n", n);
}

#define ok(cond, ...)	tap_ok((cond) ? 1 : 0, __LINE__, __VA_ARGS__)

static inline void
tap_ok(int pass, int line, const char *fmt, ...)
{
	va_list	 ap;

	tap_n++;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!pass) {
		printf(" (line %d)", line);
		tap_failed++;
	}
	printf("\n");
}

/* For tests that count as they go: the plan comes last. */
static inline int
done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed == 0 ? 0 : 1;
}

#endif
