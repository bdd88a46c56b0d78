/* pkcs8.c — encrypted PKCS#8 keys; see pkcs8.h. */
#include <string.h>

#include <bearssl.h>

#include "pkcs8.h"
#include "util.h"

/* A DER element: tag, and its contents within the input. */
struct der {
	unsigned tag;
	const uint8_t *p;
	size_t len;
};

/* Read one element from *p..end; advance *p past it. 0 or -1. */
static int
der_next(const uint8_t **p, const uint8_t *end, struct der *d)
{
	const uint8_t *s = *p;
	size_t n, i, k;

	if (end - s < 2)
		return -1;
	d->tag = *s++;
	if ((d->tag & 0x1f) == 0x1f)
		return -1;		/* multi-byte tags: never here */
	n = *s++;
	if (n & 0x80) {
		k = n & 0x7f;
		if (k == 0 || k > 3 || (size_t)(end - s) < k)
			return -1;
		for (n = 0, i = 0; i < k; i++)
			n = (n << 8) | *s++;
	}
	if ((size_t)(end - s) < n)
		return -1;
	d->p = s;
	d->len = n;
	*p = s + n;
	return 0;
}

/* The element at *p must have this tag. */
static int
der_want(const uint8_t **p, const uint8_t *end, unsigned tag, struct der *d)
{
	return der_next(p, end, d) == 0 && d->tag == tag ? 0 : -1;
}

static int
oid_is(const struct der *d, const char *oid, size_t n)
{
	return d->tag == 0x06 && d->len == n && memcmp(d->p, oid, n) == 0;
}

#define OID(s) s, sizeof(s) - 1
static const char oid_pbes2[] = "\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0d";
static const char oid_pbkdf2[] = "\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0c";
static const char oid_hmac_sha256[] = "\x2a\x86\x48\x86\xf7\x0d\x02\x09";
static const char oid_aes128_cbc[] = "\x60\x86\x48\x01\x65\x03\x04\x01\x02";
static const char oid_aes256_cbc[] = "\x60\x86\x48\x01\x65\x03\x04\x01\x2a";

void
pbkdf2_sha256(const void *pass, size_t plen, const void *salt, size_t slen,
    uint32_t iter, uint8_t *dk, size_t dklen)
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	uint8_t u[32], t[32], ctr[4];
	uint32_t block, j;
	size_t i, n;

	br_hmac_key_init(&kc, &br_sha256_vtable, pass, plen);
	for (block = 1; dklen > 0; block++) {
		ctr[0] = (uint8_t)(block >> 24);
		ctr[1] = (uint8_t)(block >> 16);
		ctr[2] = (uint8_t)(block >> 8);
		ctr[3] = (uint8_t)block;
		br_hmac_init(&hc, &kc, 0);
		br_hmac_update(&hc, salt, slen);
		br_hmac_update(&hc, ctr, 4);
		br_hmac_out(&hc, u);
		memcpy(t, u, sizeof t);
		for (j = 1; j < iter; j++) {
			br_hmac_init(&hc, &kc, 0);
			br_hmac_update(&hc, u, sizeof u);
			br_hmac_out(&hc, u);
			for (i = 0; i < sizeof t; i++)
				t[i] ^= u[i];
		}
		n = dklen < sizeof t ? dklen : sizeof t;
		memcpy(dk, t, n);
		dk += n;
		dklen -= n;
	}
	wipe(&kc, sizeof kc);
	wipe(&hc, sizeof hc);
	wipe(u, sizeof u);
	wipe(t, sizeof t);
}

/* What PBES2 parameters say: how to derive the key and decrypt. */
struct pbes2 {
	struct der salt, iv, data;
	uint32_t iter;
	size_t keylen;
};

/* PBKDF2: OID, then { salt, iterationCount, [keyLength], [prf] }, with
 * HMAC-SHA256 as the PRF. A PKCS8_* status. */
static int
parse_pbkdf2(const struct der *kdf, struct pbes2 *pb)
{
	const uint8_t *r = kdf->p, *re = kdf->p + kdf->len;
	struct der oid, kdfp, iter, x;
	size_t i;

	if (der_want(&r, re, 0x06, &oid) < 0)
		return PKCS8_MALFORMED;
	if (!oid_is(&oid, OID(oid_pbkdf2)))
		return PKCS8_UNSUPPORTED;
	if (der_want(&r, re, 0x30, &kdfp) < 0 || r != re)
		return PKCS8_MALFORMED;
	r = kdfp.p;
	re = kdfp.p + kdfp.len;
	if (der_want(&r, re, 0x04, &pb->salt) < 0 ||
	    der_want(&r, re, 0x02, &iter) < 0 || iter.len == 0 ||
	    iter.len > 4 || (iter.p[0] & 0x80))
		return PKCS8_MALFORMED;
	for (pb->iter = 0, i = 0; i < iter.len; i++)
		pb->iter = (pb->iter << 8) | iter.p[i];
	if (pb->iter == 0 || pb->iter > PBKDF2_ITER_MAX)
		return PKCS8_UNSUPPORTED;
	if (r < re && *r == 0x02 && der_next(&r, re, &x) < 0)
		return PKCS8_MALFORMED;		/* keyLength: implied below */
	if (r == re)
		return PKCS8_UNSUPPORTED;	/* default PRF: HMAC-SHA1 */
	if (der_want(&r, re, 0x30, &x) < 0 || r != re)
		return PKCS8_MALFORMED;
	r = x.p;
	re = x.p + x.len;
	if (der_want(&r, re, 0x06, &oid) < 0)
		return PKCS8_MALFORMED;
	return oid_is(&oid, OID(oid_hmac_sha256)) ? PKCS8_OK :
	    PKCS8_UNSUPPORTED;
}

/* encryptionScheme: AES-CBC with a 16-byte IV. A PKCS8_* status. */
static int
parse_aes_cbc(const struct der *enc, struct pbes2 *pb)
{
	const uint8_t *r = enc->p, *re = enc->p + enc->len;
	struct der oid;

	if (der_want(&r, re, 0x06, &oid) < 0)
		return PKCS8_MALFORMED;
	if (oid_is(&oid, OID(oid_aes256_cbc)))
		pb->keylen = 32;
	else if (oid_is(&oid, OID(oid_aes128_cbc)))
		pb->keylen = 16;
	else
		return PKCS8_UNSUPPORTED;
	if (der_want(&r, re, 0x04, &pb->iv) < 0 || pb->iv.len != 16 || r != re)
		return PKCS8_MALFORMED;
	return PKCS8_OK;
}

/* EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET
 * STRING }, the algorithm PBES2. A PKCS8_* status. */
static int
parse_pbes2(const uint8_t *der, size_t len, struct pbes2 *pb)
{
	const uint8_t *p = der, *end = der + len, *q, *qe;
	struct der top, alg, oid, params, kdf, enc;
	int st;

	if (der_want(&p, end, 0x30, &top) < 0 || p != end)
		return PKCS8_MALFORMED;
	p = top.p;
	end = top.p + top.len;
	if (der_want(&p, end, 0x30, &alg) < 0 ||
	    der_want(&p, end, 0x04, &pb->data) < 0 || p != end)
		return PKCS8_MALFORMED;
	q = alg.p;
	qe = alg.p + alg.len;
	if (der_want(&q, qe, 0x06, &oid) < 0)
		return PKCS8_MALFORMED;
	if (!oid_is(&oid, OID(oid_pbes2)))
		return PKCS8_UNSUPPORTED;
	/* PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme } */
	if (der_want(&q, qe, 0x30, &params) < 0 || q != qe)
		return PKCS8_MALFORMED;
	q = params.p;
	qe = params.p + params.len;
	if (der_want(&q, qe, 0x30, &kdf) < 0 ||
	    der_want(&q, qe, 0x30, &enc) < 0 || q != qe)
		return PKCS8_MALFORMED;
	if ((st = parse_pbkdf2(&kdf, pb)) != PKCS8_OK ||
	    (st = parse_aes_cbc(&enc, pb)) != PKCS8_OK)
		return st;
	if (pb->data.len == 0 || pb->data.len % 16 != 0)
		return PKCS8_MALFORMED;
	return PKCS8_OK;
}

int
pkcs8_decrypt(uint8_t *der, size_t len, const char *pass, size_t plen,
    const uint8_t **out, size_t *outlen)
{
	struct pbes2 pb;
	br_aes_ct_cbcdec_keys aes;
	uint8_t key[32], ivb[16], *data;
	unsigned pad, bad;
	size_t i;
	int st;

	if ((st = parse_pbes2(der, len, &pb)) != PKCS8_OK)
		return st;
	data = (uint8_t *)pb.data.p;	/* inside der, which we may change */
	pbkdf2_sha256(pass, plen, pb.salt.p, pb.salt.len, pb.iter, key,
	    pb.keylen);
	memcpy(ivb, pb.iv.p, sizeof ivb);
	br_aes_ct_cbcdec_init(&aes, key, pb.keylen);
	br_aes_ct_cbcdec_run(&aes, ivb, data, pb.data.len);
	wipe(key, sizeof key);
	wipe(&aes, sizeof aes);

	/* PKCS#7 padding, checked without branching on each byte. */
	pad = data[pb.data.len - 1];
	bad = pad == 0 || pad > 16;
	for (i = 0; i < 16 && !bad; i++)
		if (i < pad)
			bad |= data[pb.data.len - 1 - i] != pad;
	if (bad)
		return PKCS8_BADPASS;
	*out = data;
	*outlen = pb.data.len - pad;
	return PKCS8_OK;
}
