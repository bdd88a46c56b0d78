/*
 * fuzz_http.c — libFuzzer target for http.c: heads and chunked bodies.
 *
 * The first byte picks what the rest is:
 *   even  a head: http_head_end, then http_parse_request and
 *         http_parse_response on copies of what it found (ASan: each copy
 *         ends at the end of its buffer). Checked: the end is within the
 *         bytes; a parse that succeeds leaves every field, the method,
 *         target and reason inside the copy and NUL-terminated, and a
 *         failed one sets a status and a reason;
 *   odd   a chunked body: decoded whole, and again in two pieces split at
 *         the point the second byte names. Checked: both give the same
 *         data, the same verdict and the same count of bytes used; the
 *         data is never longer than the input.
 * Percent-decoding and http_query run on the rest too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static int
inside(const char *s, const char *b, size_t n)
{
	return s >= b && s < b + n && memchr(s, '\0', (size_t)(b + n - s));
}

static void
head_checks(const struct http_head *h, const char *b, size_t n, int ok,
    int resp)
{
	unsigned i;

	if (!ok) {
		CHECK(h->error >= 400 && h->error <= 505 && h->why != NULL);
		return;
	}
	CHECK(h->nfields <= HTTP_FIELDS && h->minor <= 1);
	for (i = 0; i < h->nfields; i++) {
		CHECK(inside(h->field[i].name, b, n));
		CHECK(inside(h->field[i].value, b, n));
		CHECK(strlen(h->field[i].value) == h->field[i].vlen);
	}
	if (resp) {
		CHECK(h->status >= 100 && h->status <= 599);
		CHECK(inside(h->reason, b, n) || h->reason[0] == '\0');
	} else {
		CHECK(inside(h->method, b, n) && inside(h->target, b, n));
		CHECK(h->target[0] == '/');
	}
	CHECK(!(h->chunked && h->has_length));
}

static void
heads(const uint8_t *p, size_t n)
{
	struct http_head h;
	char *a, *b;
	long end = http_head_end((const char *)p, n);
	int r;

	CHECK(end >= -1 && end <= (long)n);
	if (end == -1) {
		unsigned s = http_head_too_long((const char *)p, n);

		CHECK(s == 414 || s == 431);
	}
	if (end <= 0)
		return;
	a = malloc((size_t)end);
	b = malloc((size_t)end);
	CHECK(a != NULL && b != NULL);
	memcpy(a, p, (size_t)end);
	memcpy(b, p, (size_t)end);
	r = http_parse_request(&h, a, (size_t)end);
	head_checks(&h, a, (size_t)end, r == 0, 0);
	r = http_parse_response(&h, b, (size_t)end);
	head_checks(&h, b, (size_t)end, r == 0, 1);
	free(a);
	free(b);
}

/* Decode p[n] split at cut: data into out, the verdict. */
static long
decode(const uint8_t *p, size_t n, size_t cut, uint8_t *out, size_t *used,
    int *done)
{
	struct http_chunk c;
	uint8_t *in = malloc(n ? n : 1);
	size_t u1 = 0, u2 = 0;
	long r1, r2 = 0;

	CHECK(in != NULL);
	memset(&c, 0, sizeof c);
	memcpy(in, p, n);
	r1 = http_unchunk(&c, in, cut, &u1);
	if (r1 >= 0) {
		CHECK((size_t)r1 <= u1 && u1 <= cut);
		memcpy(out, in, (size_t)r1);
		if (!c.done && u1 == cut) {
			r2 = http_unchunk(&c, in + cut, n - cut, &u2);
			if (r2 >= 0) {
				CHECK((size_t)r2 <= u2 && u2 <= n - cut);
				memcpy(out + r1, in + cut, (size_t)r2);
			}
		}
	}
	free(in);
	*used = u1 + u2;
	*done = c.done;
	if (r1 < 0 || r2 < 0)
		return -1;
	return r1 + r2;
}

static void
chunks(const uint8_t *p, size_t n)
{
	uint8_t *x, *y;
	size_t cut, ux, uy;
	int dx, dy;
	long rx, ry;

	if (n == 0)
		return;
	cut = p[0] % n;
	p++;
	n--;
	x = malloc(n + 1);
	y = malloc(n + 1);
	CHECK(x != NULL && y != NULL);
	rx = decode(p, n, n, x, &ux, &dx);
	ry = decode(p, n, cut, y, &uy, &dy);
	CHECK(rx == ry);
	if (rx >= 0) {
		CHECK((size_t)rx <= n && ux == uy && dx == dy);
		CHECK(memcmp(x, y, (size_t)rx) == 0);
	}
	free(x);
	free(y);
}

static void
percent(const uint8_t *p, size_t n)
{
	char out[256], q[300];
	long r = http_pct_decode((const char *)p, n, out, sizeof out, 1);

	CHECK(r >= -1 && r < (long)sizeof out);
	if (r >= 0)
		CHECK(strlen(out) == (size_t)r);
	r = http_pct_encode((const char *)p, n, out, sizeof out, 0);
	CHECK(r >= -1 && r < (long)sizeof out);
	if (n < sizeof q - 3 && memchr(p, '\0', n) == NULL) {
		memcpy(q, "/?", 2);
		memcpy(q + 2, p, n);
		q[n + 2] = '\0';
		r = http_query(q, "a", out, sizeof out);
		CHECK(r >= -2 && r < (long)sizeof out);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		chunks(data + 1, size - 1);
	else
		heads(data + 1, size - 1);
	percent(data + 1, size - 1);
	return 0;
}
