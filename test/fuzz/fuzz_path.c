/*
 * fuzz_path.c — libFuzzer target for path_check, name_check and path_cmp
 * (path.c): the checks that keep a path from the network beneath the
 * store, and the order every sorted stream relies on.
 *
 * The whole input is checked as a path; then it is cut into three
 * strings a, b, c (the first two bytes give a's length, the next two b's,
 * c is the rest) for the order properties. Checked:
 *   - path_check and name_check agree with the reference implementations
 *     below, written from the rules in PROTOCOL.md (1..4095 bytes, no NUL,
 *     components 1..255 bytes between single slashes, none "." or "..");
 *   - path_cmp agrees in sign with a reference (bytes unsigned, '/' before
 *     every other byte, a prefix first); it is antisymmetric, 0 exactly
 *     for equal strings, and transitive on a, b, c;
 *   - on valid paths, path_cmp is the component-by-component order, and
 *     every parent (each prefix ending before a '/') is valid and sorts
 *     before its child — what "parents first" needs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

/* The rules, one byte at a time: 0 valid, -1 not. */
static int
ref_check(const uint8_t *p, size_t n)
{
	size_t i, comp = 0;	/* length of the current component */
	int dots = 1;		/* the component so far is all dots */

	if (n < 1 || n > 4095)
		return -1;
	for (i = 0; i <= n; i++) {
		if (i == n || p[i] == '/') {
			if (comp == 0 || (dots && comp <= 2))
				return -1;	/* empty, "." or ".." */
			comp = 0;
			dots = 1;
			continue;
		}
		if (p[i] == 0)
			return -1;
		if (++comp > 255)
			return -1;
		if (p[i] != '.')
			dots = 0;
	}
	return 0;
}

static int
ref_name(const uint8_t *p, size_t n)
{
	return memchr(p, '/', n) == NULL && ref_check(p, n) == 0 ? 0 : -1;
}

/* The order by its definition: '/' ranks below every byte. */
static int
ref_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	size_t i;
	unsigned ra, rb;

	for (i = 0; i < an && i < bn; i++) {
		ra = a[i] == '/' ? 0 : a[i] + 1u;
		rb = b[i] == '/' ? 0 : b[i] + 1u;
		if (ra != rb)
			return ra < rb ? -1 : 1;
	}
	return an < bn ? -1 : an > bn;
}

/* Component by component, each compared as plain unsigned bytes. */
static int
comp_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	size_t i = 0, j = 0, ie, je, n;
	int c;

	for (;;) {
		/* A list that ran out sorts first. */
		if (i > an || j > bn)
			return i > an && j > bn ? 0 : i > an ? -1 : 1;
		for (ie = i; ie < an && a[ie] != '/'; ie++)
			;
		for (je = j; je < bn && b[je] != '/'; je++)
			;
		n = ie - i < je - j ? ie - i : je - j;
		c = memcmp(a + i, b + j, n);
		if (c != 0)
			return sign(c);
		if (ie - i != je - j)
			return ie - i < je - j ? -1 : 1;
		i = ie + 1;
		j = je + 1;
	}
}

static int
cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	return path_cmp((const char *)a, an, (const char *)b, bn);
}

/* Properties of one string. */
static void
one(const uint8_t *p, size_t n)
{
	size_t i, k;
	int ok = path_check((const char *)p, n);

	CHECK(ok == 0 || ok == -1);
	CHECK(ok == ref_check(p, n));
	CHECK(name_check((const char *)p, n) == ref_name(p, n));
	CHECK(cmp(p, n, p, n) == 0);
	if (ok < 0)
		return;
	CHECK(memchr(p, 0, n) == NULL);
	/* Every parent is a valid path that sorts first (the first 32 and
	 * the direct one: all of them would be quadratic). */
	for (i = 0, k = 0; i < n; i++) {
		if (p[i] != '/' || (k++ >= 32 && memchr(p + i + 1, '/',
		    n - i - 1) != NULL))
			continue;
		CHECK(path_check((const char *)p, i) == 0);
		CHECK(cmp(p, i, p, n) < 0 && cmp(p, n, p, i) > 0);
	}
}

/* Properties of a pair. */
static void
two(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	int ab = cmp(a, an, b, bn), ba = cmp(b, bn, a, an);

	CHECK(sign(ab) == -sign(ba));
	CHECK((ab == 0) == (an == bn && memcmp(a, b, an) == 0));
	CHECK(sign(ab) == ref_cmp(a, an, b, bn));
	if (path_check((const char *)a, an) == 0 &&
	    path_check((const char *)b, bn) == 0)
		CHECK(sign(ab) == comp_cmp(a, an, b, bn));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t copy[1 << 16];
	const uint8_t *a, *b, *c;
	size_t an, bn, cn;
	int ab, bc, ac;

	if (size > sizeof copy)
		return 0;
	/* A copy of exactly size bytes, so that ASan sees any read past. */
	memcpy(copy + sizeof copy - size, data, size);
	data = copy + sizeof copy - size;
	one(data, size);
	if (size < 4)
		return 0;

	an = ((size_t)data[0] << 8 | data[1]) % (size - 4 + 1);
	bn = ((size_t)data[2] << 8 | data[3]) % (size - 4 - an + 1);
	a = data + 4;
	b = a + an;
	c = b + bn;
	cn = size - 4 - an - bn;
	one(a, an);
	one(b, bn);
	one(c, cn);
	two(a, an, b, bn);
	two(b, bn, c, cn);
	two(a, an, c, cn);

	/* Transitivity. */
	ab = sign(cmp(a, an, b, bn));
	bc = sign(cmp(b, bn, c, cn));
	ac = sign(cmp(a, an, c, cn));
	if (ab <= 0 && bc <= 0)
		CHECK(ac <= 0);
	if (ab >= 0 && bc >= 0)
		CHECK(ac >= 0);
	return 0;
}
