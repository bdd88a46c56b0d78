/*
 * pbkdf2_iter.h — for the fuzz targets: the PBKDF2 iteration count of an
 * EncryptedPrivateKeyInfo, found by the same DER walk as pkcs8.c but
 * without checking the algorithm OIDs, so that a target can skip inputs
 * that would spend seconds in PBKDF2 (up to PBKDF2_ITER_MAX) and teach
 * the fuzzer nothing but slowness.
 */
#ifndef CAIRN_FUZZ_PBKDF2_ITER_H
#define CAIRN_FUZZ_PBKDF2_ITER_H

#include <stddef.h>
#include <stdint.h>

/* Iteration counts above this are skipped by the targets (unless above
 * PBKDF2_ITER_MAX, which pkcs8_decrypt refuses without work). */
#define FUZZ_ITER_MAX 1000

/* One DER element at *p..end: its tag, and contents in *c, *cn. */
static int
fz_der(const uint8_t **p, const uint8_t *end, unsigned tag,
    const uint8_t **c, size_t *cn)
{
	const uint8_t *s = *p;
	size_t n, k, i;

	if (end - s < 2 || s[0] != tag)
		return -1;
	s++;
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
	*c = s;
	*cn = n;
	*p = s + n;
	return 0;
}

/* The iteration count in der[0..len), or 0 if there is none to find. */
static uint32_t
fz_pbkdf2_iter(const uint8_t *der, size_t len)
{
	const uint8_t *p = der, *e = der + len, *c;
	size_t n, i;
	uint32_t it = 0;

	/* SEQ { SEQ { OID, SEQ { SEQ { OID, SEQ { OCTETS, INT ... */
	if (fz_der(&p, e, 0x30, &c, &n) < 0)
		return 0;
	p = c, e = c + n;
	if (fz_der(&p, e, 0x30, &c, &n) < 0)
		return 0;
	p = c, e = c + n;
	if (fz_der(&p, e, 0x06, &c, &n) < 0 ||
	    fz_der(&p, e, 0x30, &c, &n) < 0)
		return 0;
	p = c, e = c + n;
	if (fz_der(&p, e, 0x30, &c, &n) < 0)
		return 0;
	p = c, e = c + n;
	if (fz_der(&p, e, 0x06, &c, &n) < 0 ||
	    fz_der(&p, e, 0x30, &c, &n) < 0)
		return 0;
	p = c, e = c + n;
	if (fz_der(&p, e, 0x04, &c, &n) < 0 ||
	    fz_der(&p, e, 0x02, &c, &n) < 0 || n == 0 || n > 4)
		return 0;
	for (i = 0; i < n; i++)
		it = (it << 8) | c[i];
	return it;
}

/* Whether pkcs8_decrypt on der[0..len) could run PBKDF2 for long. */
static int
fz_too_slow(const uint8_t *der, size_t len)
{
	uint32_t it = fz_pbkdf2_iter(der, len);

	return it > FUZZ_ITER_MAX && it <= PBKDF2_ITER_MAX;
}

#endif
