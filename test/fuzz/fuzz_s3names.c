/*
 * fuzz_s3names.c — libFuzzer target for store_s3_name.c, what cairnd's
 * object store backend reads back from a bucket: content names, lease
 * bodies, read lease names, usage bodies (--quota), the keys a recount
 * adds up. Each parser runs on a copy of exactly the
 * input (ASan: no byte past it is read). Checked: what is taken prints
 * back to the same bytes (one form each, so parse and print agree).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "md5.h"
#include "store_s3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1), back[128], owner[S3_OWNER];
	char hex[MD5_HEXLEN + 1];
	uint8_t md[MD5_LEN];
	uint64_t n;
	int64_t t;
	int w;

	if (p == NULL)
		return 0;
	memcpy(p, data, size);
	if (s3_parse_content(p, size, md, &n) == 0) {
		md5_hex(md, hex);
		w = snprintf(back, sizeof back, "%s-%" PRIu64, hex, n);
		CHECK((size_t)w == size && memcmp(back, p, size) == 0);
	}
	if (s3_parse_lease(p, size, owner, &t) == 0) {
		w = snprintf(back, sizeof back, "%s %" PRId64 "\n", owner, t);
		CHECK(t >= 0 && (size_t)w == size && memcmp(back, p, size) == 0);
	}
	if (s3_parse_reader(p, size, &t) == 0) {
		CHECK(t >= 0 && size > S3_OWNER);
		w = snprintf(back, sizeof back, "%" PRId64 "-", t);
		CHECK((size_t)w + S3_OWNER - 1 == size &&
		    memcmp(back, p, (size_t)w) == 0);
	}
	if (s3_parse_usage(p, size, &n) == 0) {
		w = snprintf(back, sizeof back, "usage %" PRIu64 "\n", n);
		CHECK(n <= INT64_MAX && (size_t)w == size &&
		    memcmp(back, p, size) == 0);
	}
	if (s3_usage_counts(p, size))
		CHECK(size > 5 && memchr(p, '/', size) != NULL);
	free(p);
	return 0;
}
