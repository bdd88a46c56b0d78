/*
 * fuzz_xml.c — libFuzzer target for the S3 client's XML reader
 * (src/server/s3_xml.c). The first byte picks a split point; the rest is
 * the document. Checked:
 *   - the reader never reads past its bytes (ASan: the document is a copy
 *     ending at the end of a buffer) and every path and text it hands over
 *     is NUL-terminated at its length, within its buffer;
 *   - read whole or in two pieces split anywhere, it hands over the same
 *     elements (a digest of them) and reaches the same verdict;
 *   - a refused document always says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

struct digest {
	uint64_t h;
	unsigned n;
};

static void
mix(struct digest *d, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		d->h = (d->h ^ (unsigned char)p[i]) * 1099511628211ull;
	d->h = (d->h ^ 0xff) * 1099511628211ull;
}

static int
each(void *arg, const char *path, const char *text, size_t len)
{
	struct digest *d = arg;

	CHECK(strlen(text) == len && len < S3_XML_TEXT);
	CHECK(strlen(path) < S3_XML_PATH && path[0] != 0);
	mix(d, path, strlen(path));
	mix(d, text, len);
	d->n++;
	return 0;
}

/* Read p[n] in two pieces at cut: 0 or -1, the digest in *d. */
static int
run(const char *p, size_t n, size_t cut, struct digest *d)
{
	struct s3_xml x;
	int rc;

	d->h = 14695981039346656037ull;
	d->n = 0;
	s3_xml_init(&x, each, d);
	rc = s3_xml_push(&x, p, cut);
	if (rc == 0)
		rc = s3_xml_push(&x, p + cut, n - cut);
	if (rc == 0)
		rc = s3_xml_end(&x);
	CHECK(rc == 0 || rc == -1);
	CHECK(rc == 0 || x.why != NULL);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[1 << 16];
	struct digest a, b;
	const char *p;
	size_t n, cut;
	int ra, rb;

	if (size < 1 || size > sizeof buf)
		return 0;
	n = size - 1;
	p = memcpy(buf + sizeof buf - n, data + 1, n);
	cut = n ? data[0] % (n + 1) : 0;
	ra = run(p, n, n, &a);
	rb = run(p, n, cut, &b);
	CHECK(ra == rb);
	if (ra == 0)
		CHECK(a.h == b.h && a.n == b.n);
	return 0;
}
