/*
 * test_fmt.c — the static builds' printf family (port/fmt.c), held
 * against the C library's: every conversion, flag, width, precision and
 * length cairn uses, truncation, the edges of each integer type, random
 * specs, a conversion it does not know, and the stream and descriptor
 * forms. fmt.c is compiled here with FMT_TEST, which names its functions
 * fmt_*.
 */
#define FMT_TEST 1
#include "fmt.c"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

#define SAME(...) same(__LINE__, __VA_ARGS__)

/* snprintf and fmt_snprintf give the same text and count, whole and cut
 * short at every length up to 8. */
static void
same(int line, const char *f, ...)
{
	char want[512], got[512];
	va_list ap, aq;
	int w, g;
	size_t cap;

	va_start(ap, f);
	va_copy(aq, ap);
	w = vsnprintf(want, sizeof want, f, ap);
	g = fmt_vsnprintf(got, sizeof got, f, aq);
	va_end(aq);
	va_end(ap);
	if (!unit_check(w == g && strcmp(want, got) == 0, f, __FILE__, line))
		printf("   want %d \"%s\", got %d \"%s\"\n", w, want, g, got);
	for (cap = 0; cap <= 8; cap++) {
		memset(want, 'x', sizeof want);
		memset(got, 'x', sizeof got);
		va_start(ap, f);
		va_copy(aq, ap);
		w = vsnprintf(want, cap, f, ap);
		g = fmt_vsnprintf(got, cap, f, aq);
		va_end(aq);
		va_end(ap);
		if (!unit_check(w == g && memcmp(want, got, 9) == 0,
		    "cut short", __FILE__, line))
			printf("   %s, cap %zu\n", f, cap);
	}
}

static void
conversions(void)
{
	SAME("plain text, no conversion");
	SAME("");
	SAME("%s and %s", "one", "two");
	SAME("[%d] [%i] [%u] [%x] [%X] [%o]", -42, 42, 42u, 0xbeefu, 0xbeefu,
	    8u);
	SAME("%c%c%c", 'a', 0x7f, ' ');
	SAME("100%% done");
	SAME("%5d|%-5d|%05d|%+d|% d|%+d", 42, 42, 42, 42, 42, -42);
	SAME("%02x%02x %04o %03u %9u %20llu", 0u, 255u, 0755u, 7u, 9u,
	    18446744073709551615ull);
	SAME("%.40s|%.3s|%10s|%-10s|%.0s|%-8s|", "short", "abcdef", "right",
	    "left", "gone", "exactly8");
	SAME("%.*s|%*d|%-*d|%*s", 3, "abcdef", 6, -12, 6, 12, -6, "neg");
	SAME("%.5d|%.0d|%.0u|%8.3d|%-8.3x|%08.3d", 42, 0, 0u, 7, 255u, 5);
	SAME("%ld %lu %lld %llu %zu", (long)LONG_MIN, (unsigned long)ULONG_MAX,
	    (long long)LLONG_MIN, (unsigned long long)ULLONG_MAX,
	    (size_t)SIZE_MAX);
	SAME("%hhd %hhu %hd %hu %jd %ju %td", (signed char)-128,
	    (unsigned char)255, (short)-32768, (unsigned short)65535,
	    (intmax_t)INTMAX_MIN, (uintmax_t)UINTMAX_MAX, (ptrdiff_t)-3);
	SAME("%d %d %d", INT_MIN, INT_MAX, 0);
	SAME("%x %lx %llx", UINT_MAX, (unsigned long)ULONG_MAX,
	    (unsigned long long)ULLONG_MAX);
	SAME("%s", "a long string: the quick brown fox jumps over the lazy "
	    "dog, and then over it again, and again, and once more");
	SAME("%-300s|", "padded far");
}

/* A random spec of a random conversion, against the C library. */
static void
random_specs(void)
{
	static const char conv[] = "diuxXo";
	static const char *const flags[] = { "", "-", "0", "+", " ", "-0",
		"0+", "- " };
	char f[64];
	long long v;
	int i, width, prec;
	char c;

	srand(1);
	for (i = 0; i < 2000; i++) {
		c = conv[rand() % 6];
		width = rand() % 3 == 0 ? -1 : rand() % 24;
		prec = rand() % 3 == 0 ? -1 : rand() % 24;
		v = ((long long)rand() << 31 ^ rand()) - (rand() % 2 ?
		    0x3fffffffffffLL : 0);
		/* The spec, in pieces: flags, width, .prec, ll, conversion. */
		snprintf(f, sizeof f, "<%%%s", flags[rand() % 8]);
		if (width >= 0)
			snprintf(f + strlen(f), sizeof f - strlen(f), "%d", width);
		if (prec >= 0)
			snprintf(f + strlen(f), sizeof f - strlen(f), ".%d", prec);
		snprintf(f + strlen(f), sizeof f - strlen(f), "ll%c>", c);
		if (c == 'd' || c == 'i')
			SAME(f, v);
		else
			SAME(f, (unsigned long long)v);
	}
}

/* A conversion fmt.c does not know goes out as written, and so does
 * everything after it. */
static void
unknown(void)
{
	char got[64];

	CHECK(fmt_snprintf(got, sizeof got, "a %d b %f c %s", 1, 2.5, "x") ==
	    13 && strcmp(got, "a 1 b %f c %s") == 0);
	CHECK(fmt_snprintf(got, sizeof got, "end %") == 5 &&
	    strcmp(got, "end %") == 0);
	CHECK(fmt_snprintf(got, sizeof got, "%s", (char *)NULL) == 6 &&
	    strcmp(got, "(null)") == 0);
}

/* The stream and descriptor forms write what the buffer form makes. */
static void
streams(void)
{
	char buf[128];
	int p[2];
	FILE *f = tmpfile();
	long n;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK(fmt_fprintf(f, "%s=%05d;", "key", 42) == 10);
	CHECK(fflush(f) == 0 && fseek(f, 0, SEEK_SET) == 0);
	n = (long)fread(buf, 1, sizeof buf, f);
	CHECK(n == 10 && memcmp(buf, "key=00042;", 10) == 0);
	fclose(f);
	CHECK(pipe(p) == 0);
	CHECK(fmt_dprintf(p[1], "%-4s|%x", "ab", 255u) == 7);
	close(p[1]);
	n = (long)read(p[0], buf, sizeof buf);
	CHECK(n == 7 && memcmp(buf, "ab  |ff", 7) == 0);
	close(p[0]);
	CHECK(fmt_sprintf(buf, "%u-%s", 7u, "x") == 3 && strcmp(buf, "7-x") == 0);
}

void
suite_fmt(void)
{
	conversions();
	random_specs();
	unknown();
	streams();
}
