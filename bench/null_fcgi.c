/*
 * The null FastCGI responder: a libfcgi worker that answers every
 * request with the bytes GET /health of genesis-fcgi sends, and does
 * nothing else (no routing, no parameters, no logging).  bench/run-health
 * runs it in a pool of the same size as the real workers to measure what
 * libfcgi, spawn-fcgi and nginx cost on their own.
 *
 *   cc -O2 -o null_fcgi bench/null_fcgi.c -lfcgi
 *   spawn-fcgi -n -s SOCK -- /usr/bin/multiwatch -f N -- ./null_fcgi
 */
#include <stdio.h>
#include <string.h>

#include <fcgiapp.h>

static const char body[] = "{\"status\":\"ok\",\"service\":\"genesis-iam\"}";

int
main(void)
{
	FCGX_Request	 fr;
	char		 head[256];
	int		 n;

	/* FCGX_FPrintF does not know %zu: the head is formatted once here. */
	n = snprintf(head, sizeof(head),
	    "Status: 200 OK\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "\r\n", sizeof(body) - 1);
	if (n < 0 || (size_t)n >= sizeof(head))
		return 1;
	if (FCGX_Init() != 0 || FCGX_IsCGI()) {
		fputs("null_fcgi: stdin is not a FastCGI socket\n", stderr);
		return 1;
	}
	FCGX_InitRequest(&fr, 0, 0);
	while (FCGX_Accept_r(&fr) >= 0) {
		FCGX_PutStr(head, n, fr.out);
		FCGX_PutStr(body, (int)sizeof(body) - 1, fr.out);
		FCGX_Finish_r(&fr);
	}
	return 0;
}
