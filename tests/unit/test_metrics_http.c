/*
 * metrics_http_parse: what a scrape's request head says, on exact buffers
 * (each case copied into a malloc'ed buffer of its length, so a read past
 * it shows under the sanitizers), and that its answer does not depend on
 * how the bytes came: every prefix of a whole head is incomplete or the
 * same answer.
 */
#include <stdlib.h>
#include <string.h>

#include "metrics_http.h"
#include "expect.h"

static int
parse_n(const char *s, size_t n, size_t cap, int *head)
{
	char *b = malloc(n ? n : 1);
	int r;

	memcpy(b, s, n);
	r = metrics_http_parse(b, n, cap, head);
	free(b);
	return r;
}

static int
parse(const char *s, int *head)
{
	return parse_n(s, strlen(s), METRICS_HTTP_REQ_MAX, head);
}

/* each shorter prefix is incomplete, the whole is want */
static int
prefixes_ok(const char *s, int want)
{
	size_t n = strlen(s);
	int head;

	for (size_t i = 0; i < n; i++) {
		int r = parse_n(s, i, METRICS_HTTP_REQ_MAX, &head);

		if (r != 0 && r != want)
			return 0;
	}
	return parse_n(s, n, METRICS_HTTP_REQ_MAX, &head) == want;
}

int
main(void)
{
	static const struct { const char *req; int status, head; } c[] = {
		/* Prometheus' scrape, curl's, HTTP/1.0 with bare newlines */
		{ "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9478\r\nUser-Agent: "
		  "Prometheus/2.45.0\r\nAccept: application/openmetrics-text;"
		  "version=1.0.0,text/plain;version=0.0.4;q=0.5\r\n"
		  "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n", 200, 0 },
		{ "GET /metrics HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/7.88.1"
		  "\r\nAccept: */*\r\n\r\n", 200, 0 },
		{ "GET /metrics HTTP/1.0\n\n", 200, 0 },
		{ "GET /metrics?name[]=drlb_up HTTP/1.1\r\n\r\n", 200, 0 },
		{ "HEAD /metrics HTTP/1.1\r\n\r\n", 200, 1 },
		{ "GET /metrics HTTP/1.1 trailing\r\n\r\n", 200, 0 },
		/* not our target */
		{ "GET / HTTP/1.1\r\n\r\n", 404, 0 },
		{ "GET /metricsx HTTP/1.1\r\n\r\n", 404, 0 },
		{ "GET /metric HTTP/1.1\r\n\r\n", 404, 0 },
		{ "HEAD /favicon.ico HTTP/1.1\r\n\r\n", 404, 0 },
		/* not our method (case matters, as in HTTP) */
		{ "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405, 0 },
		{ "get /metrics HTTP/1.1\r\n\r\n", 405, 0 },
		{ "GETS /metrics HTTP/1.1\r\n\r\n", 405, 0 },
		{ "HEA /metrics HTTP/1.1\r\n\r\n", 405, 0 },
		/* not a request line */
		{ "GET /metrics\r\n\r\n", 400, 0 },
		{ "GET  /metrics HTTP/1.1\r\n\r\n", 400, 0 },
		{ "GET /metrics HTTP\r\n\r\n", 400, 0 },
		{ "GET /metrics HTTP/\n\n", 200, 0 },
		{ "GET /metrics FTP/1.0\r\n\r\n", 400, 0 },
		{ "\r\n\r\n", 400, 0 },
		{ "\n\n", 400, 0 },
		/* not whole yet */
		{ "GET /metrics HTTP/1.1\r\n", 0, 0 },
		{ "GET /metrics HTTP/1.1\r\n\r", 0, 0 },
		{ "GET /metrics HTTP/1.1\n\r\n", 0, 0 },
		{ "", 0, 0 },
	};
	char what[160];
	int head;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int r = parse(c[i].req, &head);

		snprintf(what, sizeof(what), "request %zu: status %d", i,
		    c[i].status);
		EXPECT_EQ(r, c[i].status, what);
		if (r == 200) {
			snprintf(what, sizeof(what), "request %zu: HEAD %d", i,
			    c[i].head);
			EXPECT_EQ(head, c[i].head, what);
		}
		if (c[i].status != 0) {
			snprintf(what, sizeof(what), "request %zu: every prefix "
			    "incomplete or the same", i);
			EXPECT(prefixes_ok(c[i].req, c[i].status), what);
		}
	}

	/* a NUL hides what follows: the end after it is not seen */
	{
		static const char nul[] = "GET /metrics\0 HTTP/1.1\r\n\r\n";
		static const char nul2[] = "GET /metrics HTTP/1.1\r\n\r\n\0x";
		static const char nul3[] = "GET /metrics\0 HTTP/1.0\n\n";

		EXPECT_EQ(parse_n(nul, sizeof(nul) - 1, METRICS_HTTP_REQ_MAX,
		    &head), 0, "a NUL before the end: not whole");
		EXPECT_EQ(parse_n(nul, sizeof(nul) - 1, sizeof(nul) - 1, &head),
		    431, "a NUL before the end, buffer full: 431");
		EXPECT_EQ(parse_n(nul3, sizeof(nul3) - 1, METRICS_HTTP_REQ_MAX,
		    &head), 0, "a NUL before a bare-newline end: not whole");
		EXPECT_EQ(parse_n(nul2, sizeof(nul2) - 1, METRICS_HTTP_REQ_MAX,
		    &head), 200, "a NUL after the end: whole");
	}

	/* the bound: cap bytes without an end is 431, one fewer is waiting;
	 * an end in the last bytes of a full buffer is an answer */
	{
		char *big = malloc(METRICS_HTTP_REQ_MAX);
		static const char line[] = "GET /metrics HTTP/1.1\r\nX: ";

		memset(big, 'a', METRICS_HTTP_REQ_MAX);
		memcpy(big, line, sizeof(line) - 1);
		EXPECT_EQ(metrics_http_parse(big, METRICS_HTTP_REQ_MAX - 1,
		    METRICS_HTTP_REQ_MAX, &head), 0,
		    "cap - 1 bytes without an end: waiting");
		EXPECT_EQ(metrics_http_parse(big, METRICS_HTTP_REQ_MAX,
		    METRICS_HTTP_REQ_MAX, &head), 431,
		    "cap bytes without an end: 431");
		memcpy(big + METRICS_HTTP_REQ_MAX - 4, "\r\n\r\n", 4);
		EXPECT_EQ(metrics_http_parse(big, METRICS_HTTP_REQ_MAX,
		    METRICS_HTTP_REQ_MAX, &head), 200,
		    "cap bytes ending the head: 200");
		EXPECT_EQ(metrics_http_parse(big, METRICS_HTTP_REQ_MAX - 1,
		    METRICS_HTTP_REQ_MAX, &head), 0,
		    "its end cut by one byte: waiting");
		free(big);
	}
	return EXPECT_DONE();
}
