/*
 * bear_cn.h — the oracle for tls_dn_cn (tls.c): the CN that BearSSL's
 * X.509 engine, as cairnd runs it, gives for a subject DN. The DN goes
 * into a skeleton certificate (v1, valid 2000..2049, an EC key, a dummy
 * signature) fed to br_x509_minimal with a CN name element and no trust
 * anchor: when the chain ends as "not trusted", every part of the
 * certificate before the signature check, the DN included, was read.
 * Shared by test/unit/test_dn.c and fuzz_dn.c.
 */
#ifndef CAIRN_BEAR_CN_H
#define CAIRN_BEAR_CN_H

#include <string.h>

#include <bearssl.h>

#define BEAR_CN_DN_MAX 8192

/* tag, length (up to 3 bytes) and p[0..n) at out; the bytes written */
static size_t
bc_tlv(uint8_t *out, unsigned tag, const void *p, size_t n)
{
	size_t h = 2;

	out[0] = (uint8_t)tag;
	if (n < 128) {
		out[1] = (uint8_t)n;
	} else if (n < 256) {
		out[1] = 0x81;
		out[2] = (uint8_t)n;
		h = 3;
	} else {
		out[1] = 0x82;
		out[2] = (uint8_t)(n >> 8);
		out[3] = (uint8_t)n;
		h = 4;
	}
	memmove(out + h, p, n);
	return h + n;
}

/*
 * BearSSL's CN of dn[0..n) into out[cap] (cap <= 65, as cairnd's): 1
 * read (out may be empty), 0 no CN, -1 the DN or its CN refused.
 */
static int
bear_cn(const uint8_t *dn, size_t n, char *out, size_t cap)
{
	static const uint8_t head[] = {
		0x02, 0x01, 0x01,				/* serial */
		0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
		0x3d, 0x04, 0x03, 0x02,				/* ecdsa-sha256 */
		0x30, 0x00,					/* issuer */
		0x30, 0x1e, 0x17, 0x0d, '0', '0', '0', '1', '0', '1', '0',
		'0', '0', '0', '0', '0', 'Z', 0x17, 0x0d, '4', '9', '1',
		'2', '3', '1', '2', '3', '5', '9', '5', '9', 'Z',
	};
	static const uint8_t spki_alg[] = {
		0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
		0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
		0x07,
	};
	static const uint8_t sig[] = {
		0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04,
		0x03, 0x02, 0x03, 0x03, 0x00, 0x30, 0x00,
	};
	static uint8_t tbs[BEAR_CN_DN_MAX + 512], cert[BEAR_CN_DN_MAX + 300];
	uint8_t key[1 + 1 + 65], spki[128];
	br_x509_minimal_context xc;
	br_name_element ne;
	size_t t = 0, k, c;

	if (n > BEAR_CN_DN_MAX)
		return -1;
	memcpy(tbs, head, sizeof head);
	t = sizeof head;
	memcpy(tbs + t, dn, n);
	t += n;
	key[0] = 0;
	key[1] = 4;
	memset(key + 2, 1, 64);
	memcpy(spki, spki_alg, sizeof spki_alg);
	k = sizeof spki_alg + bc_tlv(spki + sizeof spki_alg, 0x03, key, 66);
	t += bc_tlv(tbs + t, 0x30, spki, k);
	c = bc_tlv(cert, 0x30, tbs, t);
	memcpy(cert + c, sig, sizeof sig);
	c = bc_tlv(tbs, 0x30, cert, c + sizeof sig);	/* the Certificate */

	ne.oid = (const unsigned char *)"\x03\x55\x04\x03";
	ne.buf = out;
	ne.len = cap;
	out[0] = 0;
	br_x509_minimal_init(&xc, &br_sha256_vtable, NULL, 0);
	br_x509_minimal_set_hash(&xc, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_ecdsa(&xc, br_ec_get_default(),
	    br_ecdsa_i31_vrfy_asn1);
	br_x509_minimal_set_name_elements(&xc, &ne, 1);
	xc.vtable->start_chain(&xc.vtable, NULL);
	xc.vtable->start_cert(&xc.vtable, (uint32_t)c);
	xc.vtable->append(&xc.vtable, tbs, c);
	xc.vtable->end_cert(&xc.vtable);
	if (xc.vtable->end_chain(&xc.vtable) != BR_ERR_X509_NOT_TRUSTED)
		return -1;
	return ne.status;
}

#endif
