/*
 * test_s3names.c — what the object store backend reads back from a bucket
 * others may write (store_s3_name.c): content names, lease bodies, read
 * lease names, each in its one form and refused in every other.
 */
#include <stdio.h>
#include <string.h>

#include "features.h"
#include "store_s3.h"
#include "unit.h"

#if CAIRN_S3

#define HEX "0123456789abcdef0123456789abcdef"
#define OWN "fedcba9876543210fedcba9876543210"

static int
content(const char *s, uint64_t *size)
{
	uint8_t md[MD5_LEN];

	return s3_parse_content(s, strlen(s), md, size);
}

static void
content_names(void)
{
	static const char *const bad[] = {
		"", "-", HEX, HEX "-", HEX "x5", HEX "-+5", HEX "--5",
		HEX "- 5", HEX "-5 ", HEX "-05", HEX "-5x", HEX "-0x10",
		"0123456789ABCDEF0123456789abcdef-5",	/* upper case */
		"0123456789abcdef0123456789abcde-5",	/* 31 digits */
		"0123456789abcdef0123456789abcdefa-5",	/* 33 */
		HEX "-99999999999999999999",		/* over 2^64 */
		HEX "-9223372036854775807",		/* the RESUMED bit */
		"g123456789abcdef0123456789abcdef-5",
	};
	uint8_t md[MD5_LEN];
	uint64_t size = 7;
	size_t i;

	CHECK(content(HEX "-0", &size) == 0 && size == 0);
	CHECK(content(HEX "-1048576", &size) == 0 && size == 1048576);
	CHECK(s3_parse_content(HEX "-12", strlen(HEX) + 3, md, &size) == 0 &&
	    size == 12 && md[0] == 0x01 && md[15] == 0xef);
	/* a length that cuts the name short is what counts */
	CHECK(s3_parse_content(HEX "-123", strlen(HEX) + 2, md, &size) == 0 &&
	    size == 1);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!CHECK(content(bad[i], &size) < 0))
			fprintf(stderr, "  taken: '%s'\n", bad[i]);
}

static void
lease_bodies(void)
{
	static const char *const bad[] = {
		"", "\n", OWN "\n", OWN " \n", OWN " 12", OWN "  12\n",
		OWN " 12 \n", OWN " -12\n", OWN " 012\n", OWN " 12\n\n",
		OWN "0 12\n", "fedcba9876543210fedcba987654321 12\n",
		"FEDCBA9876543210FEDCBA9876543210 12\n",
		OWN " 99999999999999999999\n", OWN " 9223372036854775808\n",
		" " OWN " 12\n", OWN "\t12\n",
	};
	char owner[S3_OWNER];
	int64_t t = 5;
	size_t i;

	CHECK(s3_parse_lease(OWN " 1796185332\n", strlen(OWN) + 12, owner,
	    &t) == 0 && t == 1796185332 && strcmp(owner, OWN) == 0);
	CHECK(s3_parse_lease(OWN " 0\n", strlen(OWN) + 3, owner, &t) == 0 &&
	    t == 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!CHECK(s3_parse_lease(bad[i], strlen(bad[i]), owner,
		    &t) < 0))
			fprintf(stderr, "  taken: '%s'\n", bad[i]);
	/* a NUL inside is not the end */
	CHECK(s3_parse_lease(OWN " 1\0002\n", strlen(OWN) + 5, owner, &t) < 0);
}

static void
reader_names(void)
{
	static const char *const bad[] = {
		"", "-", "12-", "-" OWN, "12-" OWN "0", "12-" OWN "-",
		"012-" OWN, "+12-" OWN, "12 -" OWN, "1a-" OWN,
		"12-FEDCBA9876543210FEDCBA9876543210",
		"99999999999999999999-" OWN,
	};
	int64_t t = 5;
	size_t i;

	CHECK(s3_parse_reader("1796185332-" OWN, 11 + strlen(OWN), &t) == 0 &&
	    t == 1796185332);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!CHECK(s3_parse_reader(bad[i], strlen(bad[i]), &t) < 0))
			fprintf(stderr, "  taken: '%s'\n", bad[i]);
}

/* A usage object: one form, a count below 2^63; anything else (the
 * store recomputes the count then) is refused. */
static void
usage_bodies(void)
{
	static const char *const bad[] = {
		"", "\n", "usage\n", "usage \n", "usage 12", "usage  12\n",
		"usage 12 \n", "usage -12\n", "usage 012\n", "usage 12\n\n",
		"Usage 12\n", "usage\t12\n", " usage 12\n", "usage 1e6\n",
		"usage 0x10\n", "usage 9223372036854775808\n",
		"usage 99999999999999999999\n", "usage lots\n", "12\n",
	};
	uint64_t v = 5;
	size_t i;

	CHECK(s3_parse_usage("usage 0\n", 8, &v) == 0 && v == 0);
	CHECK(s3_parse_usage("usage 1048576\n", 14, &v) == 0 &&
	    v == 1048576);
	CHECK(s3_parse_usage("usage 9223372036854775807\n", 26, &v) == 0 &&
	    v == 9223372036854775807ull);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!CHECK(s3_parse_usage(bad[i], strlen(bad[i]), &v) < 0))
			fprintf(stderr, "  taken: '%s'\n", bad[i]);
	/* a NUL inside is not the end */
	CHECK(s3_parse_usage("usage 1\0002\n", 10, &v) < 0);
}

/* The keys below "<client>/" the usage counts: content objects and
 * manifests, nothing of the bookkeeping. */
static void
usage_keys(void)
{
	static const char *const yes[] = {
		"data/" HEX "-12", "data/x", "0123456789abcdef/snap/s",
		"0123456789abcdef/snap/2026-12-02T14-16-24Z-001",
	};
	static const char *const no[] = {
		"", "data", "data/", "catalog", "usage", "sweep/lock",
		"0123456789abcdef/lock", "0123456789abcdef/resume",
		"0123456789abcdef/read/12-" OWN, "0123456789abcdef/snap/",
		"0123456789abcdef/snap", "0123456789ABCDEF/snap/s",
		"0123456789abcde/snap/s", "0123456789abcdef0/snap/s",
		"x/data/y", "sweep/snap/s",
	};
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!CHECK(s3_usage_counts(yes[i], strlen(yes[i])) == 1))
			fprintf(stderr, "  not counted: '%s'\n", yes[i]);
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		if (!CHECK(s3_usage_counts(no[i], strlen(no[i])) == 0))
			fprintf(stderr, "  counted: '%s'\n", no[i]);
}

void
suite_s3names(void)
{
	content_names();
	lease_bodies();
	reader_names();
	usage_bodies();
	usage_keys();
}

#else

void
suite_s3names(void)
{
}

#endif
