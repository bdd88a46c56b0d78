/*
 * test_md5.c — known answers for md5.c (RFC 1321 and the million 'a'),
 * agreement of one-shot, byte-by-byte and split feeding, a randomized
 * cross-check against BearSSL's MD5, and the hex helpers.
 */
#include <stdio.h>
#include <string.h>

#include <bearssl.h>

#include "md5.h"
#include "unit.h"

#define RAND_CASES 2000		/* random lengths checked against BearSSL */
#define RAND_MAXLEN 5000	/* longest random message */
#define SMALL_MAXLEN 200	/* every length 0..SMALL_MAXLEN is checked */
#define MILLION 1000000

static uint8_t million[MILLION];
static uint8_t data[RAND_MAXLEN + 8];	/* + 8: room for a misaligned start */

/* The RFC 1321 test suite (appendix A.5). */
static const struct {
	const char *msg;
	const char *hex;
} rfc1321[] = {
	{ "", "d41d8cd98f00b204e9800998ecf8427e" },
	{ "a", "0cc175b9c0f1b6a831c399e269772661" },
	{ "abc", "900150983cd24fb0d6963f7d28e17f72" },
	{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
	{ "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
	{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	  "d174ab98d277d9f5a5611c2c9f419d9f" },
	{ "1234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890",
	  "57edf4a22be3c955ac49da2e2107b67a" },
};

/* A fixed-seed xorshift32: the same "random" cases on every run. */
static uint32_t rng_state = 0x2545f491;

static uint32_t
rng(void)
{
	uint32_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}

/* A number in 0..n-1 (n > 0). */
static size_t
rng_below(size_t n)
{
	return (size_t)(rng() % n);
}

/* Decode 32 hex digits without md5_unhex, so the known answers do not
 * depend on the code under test. */
static void
want_md(const char *hex, uint8_t md[MD5_LEN])
{
	unsigned v;
	int i;

	for (i = 0; i < MD5_LEN; i++) {
		sscanf(hex + 2 * i, "%2x", &v);
		md[i] = (uint8_t)v;
	}
}

/* Digest of len bytes at p in one md5_update call. */
static void
md5_once(const void *p, size_t len, uint8_t md[MD5_LEN])
{
	struct md5 c;

	md5_init(&c);
	md5_update(&c, p, len);
	md5_final(&c, md);
}

/* Digest of len bytes at p fed one byte at a time. */
static void
md5_bytes(const uint8_t *p, size_t len, uint8_t md[MD5_LEN])
{
	struct md5 c;
	size_t i;

	md5_init(&c);
	for (i = 0; i < len; i++)
		md5_update(&c, p + i, 1);
	md5_final(&c, md);
}

/* Digest of len bytes at p fed in random pieces (empty ones included). */
static void
md5_split(const uint8_t *p, size_t len, uint8_t md[MD5_LEN])
{
	struct md5 c;
	size_t k;

	md5_init(&c);
	while (len > 0) {
		k = rng_below(len + 1);
		if (rng_below(4) == 0)
			k = rng_below(k < 70 ? k + 1 : 70);
		md5_update(&c, p, k);
		p += k;
		len -= k;
	}
	md5_final(&c, md);
}

/* BearSSL's digest of len bytes at p: the reference. */
static void
ref_md5(const void *p, size_t len, uint8_t md[MD5_LEN])
{
	br_md5_context c;

	br_md5_init(&c);
	br_md5_update(&c, p, len);
	br_md5_out(&c, md);
}

/* Compare two digests without recording a pass; on a mismatch record a
 * failure, print both digests and say which case it was. */
static int
agree(const uint8_t got[MD5_LEN], const uint8_t want[MD5_LEN],
    const char *how, size_t len, size_t off)
{
	if (memcmp(got, want, MD5_LEN) == 0)
		return 1;
	CHECK_SAME(got, MD5_LEN, want, MD5_LEN);
	fprintf(stderr, "  %s, length %zu, offset %zu\n", how, len, off);
	return 0;
}

/* The seven RFC 1321 vectors, in one call and byte by byte. */
static void
test_rfc1321(void)
{
	uint8_t got[MD5_LEN], want[MD5_LEN];
	char hex[MD5_HEXLEN + 1];
	size_t i, len;

	for (i = 0; i < sizeof rfc1321 / sizeof rfc1321[0]; i++) {
		len = strlen(rfc1321[i].msg);
		want_md(rfc1321[i].hex, want);
		md5_once(rfc1321[i].msg, len, got);
		CHECK_SAME(got, MD5_LEN, want, MD5_LEN);
		md5_bytes((const uint8_t *)rfc1321[i].msg, len, got);
		CHECK_SAME(got, MD5_LEN, want, MD5_LEN);
		md5_hex(got, hex);
		CHECK(strcmp(hex, rfc1321[i].hex) == 0);
	}
}

/* A million 'a', in one call and in
 * odd-sized pieces. */
static void
test_million(void)
{
	static const size_t pieces[] = { 1, 3, 7, 13, 61, 63, 65, 127, 1001,
	    4093, 65537 };
	uint8_t got[MD5_LEN], want[MD5_LEN];
	struct md5 c;
	size_t done, k, i;

	want_md("7707d6ae4e027c70eea2a935c2296f21", want);
	memset(million, 'a', sizeof million);

	md5_once(million, sizeof million, got);
	CHECK_SAME(got, MD5_LEN, want, MD5_LEN);

	/* Odd-sized pieces, cycling, from a misaligned address each time. */
	md5_init(&c);
	for (done = 0, i = 0; done < MILLION; done += k, i++) {
		k = pieces[i % (sizeof pieces / sizeof pieces[0])];
		if (k > MILLION - done)
			k = MILLION - done;
		md5_update(&c, million + done, k);
	}
	md5_final(&c, got);
	CHECK_SAME(got, MD5_LEN, want, MD5_LEN);
}

/* Every length 0..SMALL_MAXLEN: one call, byte by byte, random splits,
 * each from aligned and misaligned starts, all equal to BearSSL. */
static void
test_small_lengths(void)
{
	uint8_t one[MD5_LEN], got[MD5_LEN], ref[MD5_LEN];
	size_t len, off, i;
	int bad = 0;

	for (i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)rng();
	for (len = 0; len <= SMALL_MAXLEN && bad < 5; len++) {
		ref_md5(data, len, ref);
		for (off = 0; off < 4; off++) {
			memmove(data + off, data, len);
			md5_once(data + off, len, one);
			bad += !agree(one, ref, "one call", len, off);
			md5_bytes(data + off, len, got);
			bad += !agree(got, one, "byte by byte", len, off);
			for (i = 0; i < 4; i++) {
				md5_split(data + off, len, got);
				bad += !agree(got, one, "random split", len, off);
			}
			memmove(data, data + off, len);
		}
	}
	CHECK(bad == 0);
}

/* RAND_CASES random lengths up to RAND_MAXLEN, random contents, random
 * start offsets and split points, against BearSSL. */
static void
test_random(void)
{
	uint8_t got[MD5_LEN], ref[MD5_LEN];
	size_t len, off, i;
	int n, bad = 0;

	for (n = 0; n < RAND_CASES && bad < 5; n++) {
		len = rng_below(RAND_MAXLEN + 1);
		off = rng_below(8);
		for (i = 0; i < len; i++)
			data[off + i] = (uint8_t)rng();
		ref_md5(data + off, len, ref);
		md5_once(data + off, len, got);
		bad += !agree(got, ref, "random, one call", len, off);
		md5_split(data + off, len, got);
		bad += !agree(got, ref, "random, split", len, off);
	}
	CHECK(bad == 0);
}

/* A context can be used again after md5_init. */
static void
test_reuse(void)
{
	uint8_t got[MD5_LEN], want[MD5_LEN];
	struct md5 c;

	want_md("900150983cd24fb0d6963f7d28e17f72", want);
	md5_init(&c);
	md5_update(&c, "something else entirely", 23);
	md5_final(&c, got);
	md5_init(&c);
	md5_update(&c, "ab", 2);
	md5_update(&c, NULL, 0);
	md5_update(&c, "c", 1);
	md5_final(&c, got);
	CHECK_SAME(got, MD5_LEN, want, MD5_LEN);
}

/* md5_hex and md5_unhex: known value, either case, round trips, and
 * rejection of anything but exactly 32 hex digits. */
static void
test_hex(void)
{
	static const char *bad[] = {
		"",
		"900150983cd24fb0d6963f7d28e17f7",	/* 31 digits */
		"900150983cd24fb0d6963f7d28e17f72a",	/* 33 digits */
		"g00150983cd24fb0d6963f7d28e17f72",	/* not hex, first */
		"900150983cd24fb0d6963f7d28e17f7g",	/* not hex, last */
		"900150983cd24fb0 6963f7d28e17f72",	/* space */
		"0x0150983cd24fb0d6963f7d28e17f72",	/* prefix */
		"900150983cd24fb0d6963f7d28e17f:2",	/* '9' + 1 */
		"900150983cd24fb0d6963f7d28e17f/2",	/* '0' - 1 */
		"900150983cd24fb0d6963f7d28e17f@2",	/* 'A' - 1 */
		"900150983cd24fb0d6963f7d28e17fG2",	/* 'F' + 1 */
		"900150983cd24fb0d6963f7d28e17f`2",	/* 'a' - 1 */
		"-00150983cd24fb0d6963f7d28e17f72",	/* sign */
	};
	static const uint8_t nul32[MD5_HEXLEN] = { '9', '0', 0 };
	uint8_t md[MD5_LEN], back[MD5_LEN], want[MD5_LEN], keep[MD5_LEN];
	char hex[MD5_HEXLEN + 1];
	size_t i;
	int n;

	want_md("900150983cd24fb0d6963f7d28e17f72", want);
	md5_hex(want, hex);
	CHECK(strcmp(hex, "900150983cd24fb0d6963f7d28e17f72") == 0);
	CHECK(md5_unhex(hex, strlen(hex), back) == 0);
	CHECK_SAME(back, MD5_LEN, want, MD5_LEN);
	CHECK(md5_unhex("900150983CD24FB0D6963F7D28E17F72", 32, back) == 0);
	CHECK_SAME(back, MD5_LEN, want, MD5_LEN);
	CHECK(md5_unhex("900150983cD24Fb0d6963f7D28e17F72", 32, back) == 0);
	CHECK_SAME(back, MD5_LEN, want, MD5_LEN);
	/* Only the first n bytes count. */
	CHECK(md5_unhex("900150983cd24fb0d6963f7d28e17f72zz", 32, back) == 0);
	CHECK_SAME(back, MD5_LEN, want, MD5_LEN);

	/* Round trip over random digests, including 00 and ff bytes. */
	for (n = 0; n < 100; n++) {
		for (i = 0; i < MD5_LEN; i++)
			md[i] = n == 0 ? 0 : n == 1 ? 0xff : (uint8_t)rng();
		md5_hex(md, hex);
		if (!CHECK(strlen(hex) == MD5_HEXLEN &&
		    strspn(hex, "0123456789abcdef") == MD5_HEXLEN))
			break;
		if (!CHECK(md5_unhex(hex, MD5_HEXLEN, back) == 0) ||
		    !CHECK_SAME(back, MD5_LEN, md, MD5_LEN))
			break;
	}

	/* Rejected input leaves md as it was. */
	memset(keep, 0xa5, sizeof keep);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memcpy(md, keep, sizeof md);
		if (!CHECK(md5_unhex(bad[i], strlen(bad[i]), md) == -1))
			fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
		CHECK_SAME(md, MD5_LEN, keep, MD5_LEN);
	}
	CHECK(md5_unhex(hex, 31, md) == -1);
	CHECK(md5_unhex(hex, 0, md) == -1);
	CHECK(md5_unhex((const char *)nul32, MD5_HEXLEN, md) == -1);
	CHECK_SAME(md, MD5_LEN, keep, MD5_LEN);
}

/* The md5 suite, listed in suites.h. */
void
suite_md5(void)
{
	test_rfc1321();
	test_million();
	test_small_lengths();
	test_random();
	test_reuse();
	test_hex();
}
