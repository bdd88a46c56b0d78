/* main.c — the unit test runner: runs every suite, prints the tally. */
#include <stdio.h>
#include <string.h>

#include "unit.h"

int unit_passed, unit_failed;

int
unit_check(int ok, const char *what, const char *file, int line)
{
	if (ok) {
		unit_passed++;
	} else {
		unit_failed++;
		fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
	}
	return ok;
}

static void
hexdump(const char *tag, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	fprintf(stderr, "  %s (%zu bytes): ", tag, n);
	for (i = 0; i < n && i < 64; i++)
		fprintf(stderr, "%02x", s[i]);
	fprintf(stderr, "%s\n", n > 64 ? "..." : "");
}

int
unit_same(const void *a, size_t alen, const void *b, size_t blen,
    const char *what, const char *file, int line)
{
	int ok = alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);

	if (!unit_check(ok, what, file, line)) {
		hexdump("got", a, alen);
		hexdump("want", b, blen);
	}
	return ok;
}

int
main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;

#define SUITE(name) \
	if (only == NULL || strcmp(only, #name) == 0) { \
		int f0 = unit_failed; \
		suite_##name(); \
		fprintf(stderr, "suite %-8s %s\n", #name, \
		    unit_failed == f0 ? "ok" : "FAILED"); \
	}
#include "suites.h"
#undef SUITE
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
