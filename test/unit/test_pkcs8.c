/* test_pkcs8.c — PBKDF2 known answers; encrypted PKCS#8 parsing with
 * hostile input. */
#include <string.h>

#include <bearssl.h>

#include "pkcs8.h"
#include "unit.h"

static size_t
put_len(uint8_t *p, size_t n)
{
	if (n < 128) {
		p[0] = (uint8_t)n;
		return 1;
	}
	p[0] = 0x82;
	p[1] = (uint8_t)(n >> 8);
	p[2] = (uint8_t)n;
	return 3;
}

/* tag, length, contents at out; returns the bytes written */
static size_t
tlv(uint8_t *out, unsigned tag, const void *p, size_t n)
{
	size_t h;

	out[0] = (uint8_t)tag;
	h = 1 + put_len(out + 1, n);
	memmove(out + h, p, n);
	return h + n;
}

/*
 * Build an EncryptedPrivateKeyInfo the way OpenSSL does (PBES2,
 * PBKDF2-HMAC-SHA256, AES-256-CBC) around plain[0..n).
 */
static size_t
build(uint8_t *out, const char *pass, const uint8_t *plain, size_t n,
    uint32_t iter)
{
	static const uint8_t salt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t iv0[16] = { 9, 9, 9, 9, 9, 9, 9, 9,
	    9, 9, 9, 9, 9, 9, 9, 9 };
	uint8_t key[32], iv[16], data[256], a[512], b[512], c[512];
	uint8_t itb[4] = { (uint8_t)(iter >> 24), (uint8_t)(iter >> 16),
	    (uint8_t)(iter >> 8), (uint8_t)iter };
	br_aes_ct_cbcenc_keys k;
	size_t dl, an, bn, cn, pad;

	memcpy(data, plain, n);
	pad = 16 - n % 16;
	memset(data + n, (int)pad, pad);
	dl = n + pad;
	pbkdf2_sha256(pass, strlen(pass), salt, sizeof salt, iter, key, 32);
	memcpy(iv, iv0, 16);
	br_aes_ct_cbcenc_init(&k, key, 32);
	br_aes_ct_cbcenc_run(&k, iv, data, dl);

	/* PBKDF2-params */
	an = tlv(a, 0x04, salt, sizeof salt);
	an += tlv(a + an, 0x02, itb, 4);
	bn = tlv(b, 0x06, "\x2a\x86\x48\x86\xf7\x0d\x02\x09", 8);
	bn += tlv(b + bn, 0x05, "", 0);
	an += tlv(a + an, 0x30, b, bn);
	cn = tlv(c, 0x06, "\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0c", 9);
	cn += tlv(c + cn, 0x30, a, an);
	bn = tlv(b, 0x30, c, cn);			/* keyDerivationFunc */
	an = tlv(a, 0x06, "\x60\x86\x48\x01\x65\x03\x04\x01\x2a", 9);
	an += tlv(a + an, 0x04, iv0, 16);
	bn += tlv(b + bn, 0x30, a, an);			/* encryptionScheme */
	cn = tlv(c, 0x06, "\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0d", 9);
	cn += tlv(c + cn, 0x30, b, bn);			/* PBES2 */
	an = tlv(a, 0x30, c, cn);
	an += tlv(a + an, 0x04, data, dl);
	return tlv(out, 0x30, a, an);
}

void
suite_pkcs8(void)
{
	/* RFC 7914 section 11, and a second vector from openssl kdf. */
	static const uint8_t want1[64] = {
		0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16,
		0x91, 0xc2, 0x25, 0x44, 0xb6, 0x05, 0xf9, 0x41, 0x85, 0x21,
		0x6d, 0xde, 0x04, 0x65, 0xe6, 0x8b, 0x9d, 0x57, 0xc2, 0x0d,
		0xac, 0xbc, 0x49, 0xca, 0x9c, 0xcc, 0xf1, 0x79, 0xb6, 0x45,
		0x99, 0x16, 0x64, 0xb3, 0x9d, 0x77, 0xef, 0x31, 0x7c, 0x71,
		0xb8, 0x45, 0xb1, 0xe3, 0x0b, 0xd5, 0x09, 0x11, 0x20, 0x41,
		0xd3, 0xa1, 0x97, 0x83 };
	static const uint8_t want2[32] = {
		0x67, 0xdb, 0xcc, 0x78, 0x54, 0x8a, 0x75, 0x32, 0x8f, 0x68,
		0x90, 0x12, 0x5b, 0xec, 0x2c, 0x59, 0x87, 0x6e, 0x8d, 0xe2,
		0xe4, 0xc9, 0x2c, 0x99, 0xb2, 0x01, 0x87, 0x2a, 0x76, 0x0e,
		0x2a, 0xec };
	static const uint8_t plain[] = "this stands for a PrivateKeyInfo";
	uint8_t dk[64], der[1024], copy[1024];
	const uint8_t *out;
	size_t len, outlen, i;
	int ok_count;

	pbkdf2_sha256("passwd", 6, "salt", 4, 1, dk, 64);
	CHECK_SAME(dk, 64, want1, 64);
	pbkdf2_sha256("password", 8, "NaCl", 4, 1000, dk, 32);
	CHECK_SAME(dk, 32, want2, 32);

	len = build(der, "secret", plain, sizeof plain - 1, 2048);
	memcpy(copy, der, len);
	CHECK(pkcs8_decrypt(copy, len, "secret", 6, &out, &outlen) ==
	    PKCS8_OK);
	CHECK_SAME(out, outlen, plain, sizeof plain - 1);
	memcpy(copy, der, len);
	CHECK(pkcs8_decrypt(copy, len, "Secret", 6, &out, &outlen) ==
	    PKCS8_BADPASS);

	/* Every truncation and every appended byte is refused. */
	ok_count = 0;
	for (i = 0; i < len; i++) {
		memcpy(copy, der, len);
		if (pkcs8_decrypt(copy, i, "secret", 6, &out, &outlen) ==
		    PKCS8_OK)
			ok_count++;
	}
	memcpy(copy, der, len);
	copy[len] = 0;
	if (pkcs8_decrypt(copy, len + 1, "secret", 6, &out, &outlen) ==
	    PKCS8_OK)
		ok_count++;
	CHECK(ok_count == 0);

	/* Flipping any byte gives one of the defined answers, and never
	 * reads or writes out of bounds (ASan watches). */
	ok_count = 0;
	for (i = 0; i < len; i++) {
		int r;
		memcpy(copy, der, len);
		copy[i] ^= 0x5a;
		r = pkcs8_decrypt(copy, len, "secret", 6, &out, &outlen);
		if (r != PKCS8_OK && r != PKCS8_MALFORMED &&
		    r != PKCS8_UNSUPPORTED && r != PKCS8_BADPASS)
			ok_count++;
		if (r == PKCS8_OK && (out < copy || out + outlen > copy + len))
			ok_count++;
	}
	CHECK(ok_count == 0);

	/* An absurd work factor is refused before any work is done. */
	len = build(der, "x", plain, 8, 1);
	for (i = 0; i + 4 < len; i++)
		if (memcmp(der + i, "\x02\x04\x00\x00\x00\x01", 6) == 0)
			break;
	CHECK(i + 4 < len);
	memcpy(der + i + 2, "\x7f\xff\xff\xff", 4);
	CHECK(pkcs8_decrypt(der, len, "x", 1, &out, &outlen) ==
	    PKCS8_UNSUPPORTED);
}
