/*
 * fuzz_glob.c — libFuzzer target for glob_ok and glob_match (glob.c).
 *
 * The first byte gives the pattern's length and the directory flag; the
 * pattern follows, the path is the rest. Checked:
 *   - glob_ok and glob_match never read past their bytes (ASan: both are
 *     copies ending at the end of a buffer) and answer 0 or 1;
 *   - on well-formed patterns short enough for it, glob_match agrees with
 *     a backtracking reference written from the rules in glob.h;
 *   - a pattern never matches the empty path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* The token at p (n bytes left): its length. */
static size_t
ref_tok(const char *p, size_t n)
{
	size_t j = 1;

	if (p[0] == '*')
		return n > 1 && p[1] == '*' ? 2 : 1;
	if (p[0] == '\\')
		return 2;
	if (p[0] != '[')
		return 1;
	if (j < n && (p[j] == '!' || p[j] == '^'))
		j++;
	if (j < n && p[j] == ']')
		j++;
	for (; j < n && p[j] != ']'; j++)
		if (p[j] == '\\')
			j++;
	return j < n ? j + 1 : 1;
}

static int
ref_class(const char *p, size_t k, unsigned char c)
{
	size_t j = 1;
	int neg = 0, in = 0;
	unsigned char lo, hi;

	if (p[j] == '!' || p[j] == '^')
		neg = 1, j++;
	for (; j < k - 1; j++) {
		if (p[j] == '\\')
			j++;
		lo = hi = (unsigned char)p[j];
		if (j + 2 < k - 1 && p[j + 1] == '-') {
			j += 2;
			if (p[j] == '\\')
				j++;
			hi = (unsigned char)p[j];
		}
		if (c >= lo && c <= hi)
			in = 1;
	}
	return c != '/' && in != neg;
}

/* Backtracking: p[pn] matches s[sn] whole; start: p begins a name. */
static int
ref(const char *p, size_t pn, const char *s, size_t sn, int start)
{
	size_t k, i;

	if (pn == 0)
		return sn == 0;
	k = ref_tok(p, pn);
	if (p[0] == '*' && k == 2) {
		if (start && pn > 2 && p[2] == '/' && ref(p + 3, pn - 3, s,
		    sn, 1))
			return 1;
		for (i = 0; i <= sn; i++)
			if (ref(p + 2, pn - 2, s + i, sn - i, 0))
				return 1;
		return 0;
	}
	if (p[0] == '*') {
		for (i = 0; i <= sn; i++) {
			if (ref(p + 1, pn - 1, s + i, sn - i, 0))
				return 1;
			if (i < sn && s[i] == '/')
				break;
		}
		return 0;
	}
	if (sn == 0)
		return 0;
	if (p[0] == '?' ? s[0] == '/' :
	    p[0] == '[' && k > 1 ? !ref_class(p, k, (unsigned char)s[0]) :
	    p[0] == '\\' ? p[1] != s[0] : p[0] != s[0])
		return 0;
	return ref(p + k, pn - k, s + 1, sn - 1, p[0] == '/' && k == 1);
}

/* The rules of glob.h around ref: directory only, anchored, a last
 * name or the path's end at a name boundary. */
static int
ref_match(const char *p, size_t pn, const char *s, size_t sn, int dir)
{
	size_t i, k = 1, last = 0;
	int whole = 0;

	if (sn == 0)
		return 0;
	for (i = 0; i < pn; i += k) {
		k = ref_tok(p + i, pn - i);
		last = i;
	}
	if (k == 1 && p[last] == '/') {
		if (!dir)
			return 0;
		pn--;
	}
	if (pn > 0 && p[0] == '/')
		return pn > 1 && ref(p + 1, pn - 1, s, sn, 1);
	if (pn == 0)
		return 0;
	for (i = 0; i < pn; i += k) {
		k = ref_tok(p + i, pn - i);
		if (p[i] == '/' || (p[i] == '*' && k == 2))
			whole = 1;
	}
	for (i = sn; i > 0; i--) {
		if (s[i - 1] != '/')
			continue;
		if (ref(p, pn, s + i, sn - i, 1))
			return 1;
		if (!whole)
			return 0;
	}
	return ref(p, pn, s, sn, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char pbuf[GLOB_MAX + 1], sbuf[1 << 16];
	size_t pn, sn;
	const char *p, *s;
	int ok, m, dir;

	if (size < 1 || size > sizeof sbuf)
		return 0;
	dir = data[0] & 1;
	pn = (size_t)(data[0] >> 1) % (size);
	if (pn > size - 1)
		pn = size - 1;
	sn = size - 1 - pn;
	p = memcpy(pbuf + sizeof pbuf - pn, data + 1, pn);
	s = memcpy(sbuf + sizeof sbuf - sn, data + 1 + pn, sn);
	ok = glob_ok(p, pn);
	CHECK(ok == 0 || ok == 1);
	if (!ok)
		return 0;
	m = glob_match(p, pn, s, sn, dir);
	CHECK(m == 0 || m == 1);
	CHECK(!glob_match(p, pn, s, 0, dir));
	if (pn <= 16 && sn <= 24 && memchr(s, 0, sn) == NULL)
		CHECK(m == ref_match(p, pn, s, sn, dir));
	return 0;
}
