/* test_http.c — HTTP/1.1 heads, chunked bodies, percent-encoding and
 * queries (http.c): well-formed messages, and the malformed ones a
 * smuggler or a broken peer sends, each with the status it must get. */
#include <stdio.h>
#include <string.h>

#include "features.h"
#include "http.h"
#include "unit.h"

#if CAIRN_HTTP

static char buf[HTTP_HEAD_MAX * 2];

/* Parse s as a request (resp 0) or a response: the parse's result, with
 * h filled. The head must be whole. */
static int
parse(struct http_head *h, const char *s, int resp)
{
	size_t n = strlen(s);
	long end;

	memcpy(buf, s, n);
	end = http_head_end(buf, n);
	if (end <= 0) {
		memset(h, 0, sizeof *h);
		h->error = 1;
		return -2;
	}
	return resp ? http_parse_response(h, buf, (size_t)end) :
	    http_parse_request(h, buf, (size_t)end);
}

static void
head_end(void)
{
	static char big[HTTP_HEAD_MAX + 16];
	const char *r = "GET / HTTP/1.1\r\nHost: a\r\n\r\nNEXT";
	size_t i;

	CHECK(http_head_end(r, strlen(r)) == (long)strlen(r) - 4);
	for (i = 0; i < strlen(r) - 4; i++)
		CHECK(http_head_end(r, i) == 0);
	CHECK(http_head_end("\r\n\r\nGET / HTTP/1.0\n\n", 20) == 20);
	CHECK(http_head_end("GET / HTTP/1.0\n\nx", 17) == 16);
	/* A line longer than HTTP_LINE_MAX, and a head that never ends. */
	memset(big, 'a', sizeof big);
	CHECK(http_head_end(big, HTTP_LINE_MAX) == 0);
	CHECK(http_head_end(big, HTTP_LINE_MAX + 1) == -1);
	CHECK(http_head_too_long(big, sizeof big) == 414);
	for (i = 0; i + 100 < sizeof big; i += 100)
		big[i] = '\n';
	big[0] = 'G';
	CHECK(http_head_end(big, sizeof big) == -1);
	CHECK(http_head_too_long(big, sizeof big) == 431);
}

static void
requests(void)
{
	struct http_head h;
	size_t n;
	const char *v;

	CHECK(parse(&h, "POST /api/x?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8480\r\n"
	    "Content-Length:  12 \r\nX-Empty:\r\n\r\n", 0) == 0);
	CHECK(strcmp(h.method, "POST") == 0);
	CHECK(strcmp(h.target, "/api/x?a=1") == 0);
	CHECK(h.minor == 1 && h.nfields == 3 && !h.close && !h.chunked);
	CHECK(h.has_length && h.length == 12);
	v = http_field(&h, "HOST", &n);
	CHECK(v != NULL && n == 14 && strcmp(v, "127.0.0.1:8480") == 0);
	v = http_field(&h, "x-empty", &n);
	CHECK(v != NULL && n == 0);
	CHECK(http_field(&h, "cookie", NULL) == NULL);

	CHECK(parse(&h, "GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, "
	    "CLOSE\r\n\r\n", 0) == 0 && h.close);
	CHECK(parse(&h, "GET / HTTP/1.0\r\n\r\n", 0) == 0 && h.close);
	CHECK(parse(&h, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	    0) == 0 && !h.close);
	CHECK(parse(&h, "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n", 0) == 0 && h.chunked);
	CHECK(parse(&h, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	    "Content-Length: 5\r\n\r\n", 0) == 0 && h.length == 5);
}

struct badvec {
	const char *msg;
	unsigned status;
};

static const struct badvec bad_requests[] = {
	{ "GET http://evil/ HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505 },
	{ "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505 },
	{ "GET / HTTP/1.1x\r\nHost: a\r\n\r\n", 400 },
	{ "GET / http/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\n\r\n", 400 },			/* no Host */
	{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: "
	    "99999999999999999999\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: "
	    "9223372036854775807\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	    "Content-Length: 6\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n"
	    "\r\n", 501 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 501 },
	{ "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
};

static void
bad_request_vectors(void)
{
	struct http_head h;
	size_t i;
	char what[64];

	for (i = 0; i < sizeof bad_requests / sizeof bad_requests[0]; i++) {
		int r = parse(&h, bad_requests[i].msg, 0);

		snprintf(what, sizeof what, "bad request %zu", i);
		if (!unit_check(r == -1 && h.error == bad_requests[i].status &&
		    h.why != NULL, what, __FILE__, __LINE__))
			fprintf(stderr, "  got %d, status %u\n", r, h.error);
	}
}

static void
too_many_fields(void)
{
	struct http_head h;
	static char m[HTTP_HEAD_MAX];
	size_t n;
	unsigned i;

	n = (size_t)snprintf(m, sizeof m, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 0; i < HTTP_FIELDS; i++)
		n += (size_t)snprintf(m + n, sizeof m - n, "X-%u: y\r\n", i);
	snprintf(m + n, sizeof m - n, "\r\n");
	CHECK(parse(&h, m, 0) == -1 && h.error == 431);
}

static void
responses(void)
{
	struct http_head h;

	CHECK(parse(&h, "HTTP/1.1 200 OK\r\nETag: \"abc\"\r\n"
	    "Content-Length: 0\r\n\r\n", 1) == 0);
	CHECK(h.status == 200 && strcmp(h.reason, "OK") == 0);
	CHECK(strcmp(http_field(&h, "etag", NULL), "\"abc\"") == 0);
	CHECK(parse(&h, "HTTP/1.1 404\r\n\r\n", 1) == 0 && h.status == 404 &&
	    strcmp(h.reason, "") == 0);
	CHECK(parse(&h, "HTTP/1.1 503 Slow Down\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n", 1) == 0 && h.status == 503 && h.chunked);
	CHECK(parse(&h, "HTTP/1.0 200 OK\r\n\r\n", 1) == 0 && h.close);
	CHECK(parse(&h, "HTTP/1.1 2000 OK\r\n\r\n", 1) == -1);
	CHECK(parse(&h, "HTTP/1.1 099 x\r\n\r\n", 1) == -1);
	CHECK(parse(&h, "HTTP/1.1 600 x\r\n\r\n", 1) == -1);
	CHECK(parse(&h, "HTTP/1.1 20x x\r\n\r\n", 1) == -1);
	CHECK(parse(&h, "ICY 200 OK\r\n\r\n", 1) == -1);
	CHECK(parse(&h, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 1) == -1);
}

/* Decode s as a chunked body fed in pieces of step bytes: the data into
 * out, what was left after the body in *rest. -1 on a framing error. */
static long
unchunk(const char *s, size_t step, char *out, size_t cap, size_t *rest,
    int *done)
{
	struct http_chunk c;
	static unsigned char in[4096];
	size_t n = strlen(s), off = 0, o = 0, used, k;
	long r;

	memset(&c, 0, sizeof c);
	*rest = 0;
	while (off < n && !c.done) {
		k = n - off < step ? n - off : step;
		memcpy(in, s + off, k);
		r = http_unchunk(&c, in, k, &used);
		if (r < 0)
			return -1;
		if (o + (size_t)r > cap)
			return -1;
		memcpy(out + o, in, (size_t)r);
		o += (size_t)r;
		off += used;
		if (used < k)
			break;
	}
	*rest = n - off;
	*done = c.done;
	return (long)o;
}

static void
chunked(void)
{
	static const char body[] = "5\r\nhello\r\n6;ext=\"v\"\r\n world\r\n"
	    "A \r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\nHTTP/1.1 200";
	static const char *const bad_bodies[] = {
		"x\r\n", "\r\n", ";a\r\n", "5\rx", "5\r\nhelloX", "5\r\nhello\rX",
		"5\x01\r\n", "10000000000000000\r\n",
		"0\r\nX: y\rZ", "0\r\n\rX",
	};
	char out[128], what[64];
	size_t rest, step, i;
	int done;
	long r;

	for (step = 1; step <= sizeof body; step++) {
		r = unchunk(body, step, out, sizeof out, &rest, &done);
		snprintf(what, sizeof what, "chunked body in steps of %zu",
		    step);
		unit_check(r == 21 && memcmp(out, "hello world0123456789",
		    21) == 0 && done && rest == 12, what, __FILE__, __LINE__);
	}
	r = unchunk("5\r\nhel", 64, out, sizeof out, &rest, &done);
	CHECK(r == 3 && !done && rest == 0);
	for (i = 0; i < sizeof bad_bodies / sizeof bad_bodies[0]; i++) {
		r = unchunk(bad_bodies[i], 64, out, sizeof out, &rest, &done);
		snprintf(what, sizeof what, "bad chunked body %zu", i);
		unit_check(r == -1, what, __FILE__, __LINE__);
	}
	{
		static char t[6000];
		size_t n = (size_t)snprintf(t, sizeof t, "0\r\n");

		while (n + 10 < sizeof t)
			n += (size_t)snprintf(t + n, sizeof t - n, "X: yyyy\r\n");
		CHECK(unchunk(t, 512, out, sizeof out, &rest, &done) == -1);
	}
}

static void
percent(void)
{
	char out[32];

	CHECK(http_pct_decode("a%2Fb+c%20", 10, out, sizeof out, 1) == 6 &&
	    strcmp(out, "a/b c ") == 0);
	CHECK(http_pct_decode("a+b", 3, out, sizeof out, 0) == 3 &&
	    strcmp(out, "a+b") == 0);
	CHECK(http_pct_decode("%00", 3, out, sizeof out, 0) == -1);
	CHECK(http_pct_decode("%4", 2, out, sizeof out, 0) == -1);
	CHECK(http_pct_decode("%", 1, out, sizeof out, 0) == -1);
	CHECK(http_pct_decode("%zz", 3, out, sizeof out, 0) == -1);
	CHECK(http_pct_decode("abcd", 4, out, 4, 0) == -1 && out[0] == '\0');
	CHECK(http_pct_decode("abc", 3, out, 4, 0) == 3);
	CHECK(http_pct_encode("a b/c~é", 8, out, sizeof out, 0) == 16 &&
	    strcmp(out, "a%20b%2Fc~%C3%A9") == 0);
	CHECK(http_pct_encode("a/b=", 4, out, sizeof out, 1) == 6 &&
	    strcmp(out, "a/b%3D") == 0);
	CHECK(http_pct_encode("///", 3, out, 9, 0) == -1);
	CHECK(http_pct_encode("///", 3, out, 10, 0) == 9);
}

static void
queries(void)
{
	char out[16];

	CHECK(http_query("/api/ls?target=ab%40c&path=a+b%2Fc", "path", out,
	    sizeof out) == 5 && strcmp(out, "a b/c") == 0);
	CHECK(http_query("/api/ls?target=ab%40c&path=x", "target", out,
	    sizeof out) == 4 && strcmp(out, "ab@c") == 0);
	CHECK(http_query("/api/ls?targetx=1&target", "target", out,
	    sizeof out) == 0 && out[0] == '\0');
	CHECK(http_query("/api/ls?tar=1", "target", out, sizeof out) == -1);
	CHECK(http_query("/api/ls", "target", out, sizeof out) == -1);
	CHECK(http_query("/?a=%zz", "a", out, sizeof out) == -2);
	CHECK(http_query("/?a=0123456789abcdefg", "a", out, sizeof out) ==
	    -2);
	CHECK(http_query("/?&&a=1&", "a", out, sizeof out) == 1);
}

void
suite_http(void)
{
	head_end();
	requests();
	bad_request_vectors();
	too_many_fields();
	responses();
	chunked();
	percent();
	queries();
}

#else

void
suite_http(void)
{
}

#endif
