/* test_dn.c — tls_dn_cn (tls.c), the client's reading of its own
 * certificate's CN: well-formed names and hostile DER, each checked
 * against what BearSSL's X.509 engine (the server's reading) gives. */
#include <string.h>

#include "tls.h"
#include "unit.h"
#include "../fuzz/bear_cn.h"

/* A DN built of TLVs: the builder's output buffer and length. */
static uint8_t dn[2048];
static size_t dn_len;

/* An AttributeTypeAndValue {oid 2.5.4.<type>, tag value} at out. */
static size_t
atv(uint8_t *out, unsigned type, unsigned tag, const char *v, size_t n)
{
	uint8_t b[600];
	uint8_t oid[3] = { 0x55, 0x04, (uint8_t)type };
	size_t k;

	k = bc_tlv(b, 0x06, oid, 3);
	k += bc_tlv(b + k, tag, v, n);
	return bc_tlv(out, 0x30, b, k);
}

/* A one-attribute RDN (SET { atv }) at out. */
static size_t
rdn(uint8_t *out, unsigned type, unsigned tag, const char *v)
{
	uint8_t b[600];

	return bc_tlv(out, 0x31, b, atv(b, type, tag, v, strlen(v)));
}

/* dn = SEQUENCE { b[0..n) } */
static void
name(const uint8_t *b, size_t n)
{
	dn_len = bc_tlv(dn, 0x30, b, n);
}

/* tls_dn_cn on dn gives want (NULL: fails), and so does BearSSL. */
static void
expect(const char *want, int line)
{
	char got[TLS_NAME_MAX + 1], bear[TLS_NAME_MAX + 1];
	int r = tls_dn_cn(dn, dn_len, got, sizeof got);
	int b = bear_cn(dn, dn_len, bear, sizeof bear);

	if (want != NULL) {
		unit_check(r == 0 && strcmp(got, want) == 0, want,
		    __FILE__, line);
		unit_check(b == 1 && strcmp(bear, want) == 0,
		    "BearSSL agrees", __FILE__, line);
	} else {
		unit_check(r == -1 && got[0] == 0, "refused", __FILE__, line);
		unit_check(b != 1 || bear[0] == 0, "BearSSL has no CN either",
		    __FILE__, line);
	}
}
#define EXPECT(w) expect((w), __LINE__)

static void
well_formed(void)
{
	uint8_t b[1024], s[600];
	size_t k, j;

	name(b, rdn(b, 3, 0x0c, "router1"));
	EXPECT("router1");
	k = rdn(b, 6, 0x13, "NL");			/* C, O, CN, OU */
	k += rdn(b + k, 10, 0x0c, "Example");
	k += rdn(b + k, 3, 0x13, "nas-2.example");
	k += rdn(b + k, 11, 0x0c, "ops");
	name(b, k);
	EXPECT("nas-2.example");
	k = rdn(b, 3, 0x0c, "first");		/* the first CN wins */
	k += rdn(b + k, 3, 0x0c, "second");
	name(b, k);
	EXPECT("first");
	j = atv(s, 10, 0x0c, "Org", 3);		/* multi-valued RDN */
	j += atv(s + j, 3, 0x16, "multi", 5);
	k = bc_tlv(b, 0x31, s, j);
	name(b, k);
	EXPECT("multi");
	name(b, rdn(b, 3, 0x0c, "caf\xc3\xa9"));	/* UTF-8 kept */
	EXPECT("caf\xc3\xa9");
	name(b, rdn(b, 3, 0x14, "caf\xe9"));	/* Latin-1 to UTF-8 */
	EXPECT("caf\xc3\xa9");
	k = atv(s, 3, 0x1e, "\0r\0t\0\xe9", 6);	/* BMPString */
	name(b, bc_tlv(b, 0x31, s, k));
	EXPECT("rt\xc3\xa9");
	k = atv(s, 3, 0x1e, "\xff\xfer\0t\0", 6);	/* little-endian */
	name(b, bc_tlv(b, 0x31, s, k));
	EXPECT("rt");
	name(b, rdn(b, 3, 0x0c, "\xef\xbb\xbfrouter1"));	/* leading BOM */
	EXPECT("router1");
	k = atv(s, 3, 0x1e, "\xd8\x3d\xde\x00", 4);	/* a surrogate pair */
	name(b, bc_tlv(b, 0x31, s, k));
	EXPECT("\xf0\x9f\x98\x80");
	memset(s, 'a', 64);				/* 64 bytes: fits */
	s[64] = 0;
	name(b, rdn(b, 3, 0x0c, (char *)s));
	EXPECT((char *)s);
}

static void
bad_strings(void)
{
	uint8_t b[1024], s[600];
	size_t k;

	memset(s, 'a', 65);				/* one byte too long */
	s[65] = 0;
	name(b, rdn(b, 3, 0x0c, (char *)s));
	EXPECT(NULL);
	memset(s, 'a', 300);
	s[300] = 0;
	name(b, rdn(b, 3, 0x0c, (char *)s));
	EXPECT(NULL);
	name(b, rdn(b, 3, 0x14, "\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9"
	    "\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9"
	    "\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9"));	/* 33 Latin-1: 66 */
	EXPECT(NULL);
	k = atv(s, 3, 0x0c, "root\0evil", 9);		/* a NUL */
	name(b, bc_tlv(b, 0x31, s, k));
	EXPECT(NULL);
	k = atv(s, 3, 0x13, "ab\0", 3);
	name(b, bc_tlv(b, 0x31, s, k));
	EXPECT(NULL);
	name(b, rdn(b, 3, 0x0c, ""));			/* empty */
	EXPECT(NULL);
	name(b, rdn(b, 3, 0x0c, "\xc3"));		/* truncated UTF-8 */
	EXPECT(NULL);
	name(b, rdn(b, 3, 0x0c, "\xc0\xaf"));		/* overlong */
	EXPECT(NULL);
	name(b, rdn(b, 3, 0x0c, "\xed\xa0\x80"));	/* a surrogate */
	EXPECT(NULL);
	name(b, rdn(b, 3, 0x0c, "\xef\xb7\x90"));	/* U+FDD0 */
	EXPECT(NULL);
	name(b, rdn(b, 3, 0x0c, "\xf4\x90\x80\x80"));	/* past U+10FFFF */
	EXPECT(NULL);
	k = atv(s, 3, 0x1e, "\xd8\x3d", 2);		/* a lone surrogate */
	name(b, bc_tlv(b, 0x31, s, k));
	EXPECT(NULL);
	k = atv(s, 3, 0x1e, "\0a\0", 3);		/* odd UTF-16 */
	name(b, bc_tlv(b, 0x31, s, k));
	EXPECT(NULL);
	name(b, rdn(b, 3, 0x04, "router1"));		/* OCTET STRING */
	EXPECT(NULL);
	name(b, rdn(b, 3, 0x2c, "router1"));		/* constructed */
	EXPECT(NULL);
	k = rdn(b, 3, 0x04, "bad");			/* first CN unreadable */
	k += rdn(b + k, 3, 0x0c, "second");
	name(b, k);
	EXPECT(NULL);
}

/* Cut, overlong and odd DER around a good "CN=router1". */
static void
bad_der(void)
{
	static const uint8_t good[] = { 0x30, 0x12, 0x31, 0x10, 0x30, 0x0e,
	    0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x07,
	    'r', 'o', 'u', 't', 'e', 'r', '1' };
	static const uint8_t lens[] = { 1, 3, 5, 7, 12 };	/* lengths */
	char out[TLS_NAME_MAX + 1];
	uint8_t b[1024], s[600];
	size_t i, j, k;

	memcpy(dn, good, sizeof good);
	dn_len = sizeof good;
	EXPECT("router1");
	for (i = 0; i < sizeof good; i++) {		/* every truncation */
		dn_len = i;
		CHECK(tls_dn_cn(dn, i, out, sizeof out) == -1 && out[0] == 0);
	}
	CHECK(tls_dn_cn(good, sizeof good, out, 0) == -1);
	CHECK(tls_dn_cn(good, sizeof good, out, 7) == -1 && out[0] == 0);
	CHECK(tls_dn_cn(good, sizeof good, out, 8) == 0);
	memcpy(b, good, sizeof good);			/* trailing byte */
	b[sizeof good] = 0;
	CHECK(tls_dn_cn(b, sizeof good + 1, out, sizeof out) == -1);
	/* Each length in turn made one too long, or long-form past the end,
	 * or indefinite (0x80). */
	for (j = 0; j < sizeof lens; j++) {
		i = lens[j];
		memcpy(dn, good, sizeof good);
		dn_len = sizeof good;
		dn[i]++;
		EXPECT(NULL);
		dn[i] -= 2;
		EXPECT(NULL);
		dn[i] = 0x84;
		EXPECT(NULL);
		dn[i] = 0x82;
		EXPECT(NULL);
		dn[i] = 0x80;
		EXPECT(NULL);
	}
	memcpy(dn, good, sizeof good);			/* a high tag number */
	dn_len = sizeof good;
	dn[4] = 0x3f;
	EXPECT(NULL);
	dn[4] = 0x30;
	dn[2] = 0x30;					/* SEQUENCE for SET */
	EXPECT(NULL);
	/* SEQUENCEs nested 200 deep where the attribute should be. */
	k = atv(s, 3, 0x0c, "router1", 7);
	memcpy(b, s, k);
	for (i = 0; i < 200 && k < 500; i++)
		k = bc_tlv(b, 0x30, memcpy(s, b, k), k);
	name(s, bc_tlv(s, 0x31, b, k));
	EXPECT(NULL);
	name(b, bc_tlv(b, 0x31, "", 0));		/* an empty RDN */
	EXPECT(NULL);
	name(b, 0);					/* no RDN */
	EXPECT(NULL);
	dn_len = 0;					/* no input */
	CHECK(tls_dn_cn(dn, 0, out, sizeof out) == -1 && out[0] == 0);
	name(b, rdn(b, 10, 0x0c, "Org only"));		/* no CN */
	EXPECT(NULL);
	/* What the fuzzer found: parts of the DN after the CN, or no CN's,
	 * that make BearSSL refuse the certificate. */
	k = rdn(b, 3, 0x0c, "router1");
	k += rdn(b + k, 10, 0x2c, "Org");		/* a constructed string */
	name(b, k);
	EXPECT(NULL);
	k = rdn(b, 3, 0x0c, "router1");
	k += rdn(b + k, 10, 0x55, "Org");		/* application class */
	name(b, k);
	EXPECT(NULL);
	k = rdn(b, 3, 0x0c, "router1");
	k += bc_tlv(b + k, 0x31, s, bc_tlv(s, 0x30, "\x06\x03\x55\x04\x0a",
	    5));					/* no value */
	name(b, k);
	EXPECT(NULL);
	k = rdn(b, 3, 0x0c, "router1");
	j = atv(s, 3, 0x1e, "\0a\0", 3);		/* odd UTF-16, later */
	k += bc_tlv(b + k, 0x31, s, j);
	name(b, k);
	EXPECT(NULL);
}

/* An odd-length BMPString in another attribute than the CN: BearSSL
 * decodes it too, and refuses the certificate only when it reads into its
 * last byte; a unit that does not decode stops it first (fuzz_dn). */
static void
odd_bmp_elsewhere(void)
{
	static const struct {
		const char *v;
		size_t n;
		const char *want;
	} vecs[] = {
		{ "\xdb\x72\x67\x2e\xfe", 5, "A" },	/* pair fails: stops */
		{ "\xd8\x00\x00\x41\x00", 5, "A" },
		{ "\x00\x00\x41\x00\x41", 5, "A" },	/* U+0000 stops */
		{ "\xdc\x00\x41\x00\x41", 5, "A" },	/* lone low surrogate */
		{ "\x00\x41\x00\x41\x00", 5, NULL },	/* read to the end */
		{ "\xff\xfe\x41\x00\x41", 5, NULL },	/* little-endian, too */
		{ "\xff\xff\xff\xff\xfe", 5, NULL },
		{ "\x41", 1, NULL },
	};
	uint8_t b[256], s[64];
	size_t i, k;

	for (i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		k = rdn(b, 10, 0x0c, "Example");
		k += bc_tlv(b + k, 0x31, s, atv(s, 14, 0x1e, vecs[i].v,
		    vecs[i].n));
		k += rdn(b + k, 3, 0x13, "A");
		name(b, k);
		EXPECT(vecs[i].want);
	}
}

void
suite_dn(void)
{
	well_formed();
	odd_bmp_elsewhere();
	bad_strings();
	bad_der();
}
