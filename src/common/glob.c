/*
 * glob.c — rsync's pattern rules; see glob.h.
 *
 * A match runs the pattern as a set of positions (one bit per byte of
 * the pattern) over the path, one path byte at a time: no backtracking,
 * so the work is at most the pattern's length times the path's. A
 * pattern that is not anchored starts again at every name boundary of
 * the path (after each '/'), which is how "b/c" matches "a/b/c" and
 * "*.o" only ever the last name.
 */
#include <string.h>

#include "glob.h"

#define SET_BYTES (GLOB_MAX / 8 + 1)

struct gset {
	unsigned char b[SET_BYTES];
};

#define SET_ON(s, i) ((s)->b[(i) >> 3] |= (unsigned char)(1u << ((i) & 7)))
#define SET_HAS(s, i) ((s)->b[(i) >> 3] >> ((i) & 7) & 1u)

/* Bytes of the class starting at p[i] == '[' up to its ']' included, or 0
 * when it is not closed. The first byte (after '!' or '^') may be ']'. */
static size_t
class_len(const char *p, size_t n, size_t i)
{
	size_t j = i + 1;

	if (j < n && (p[j] == '!' || p[j] == '^'))
		j++;
	if (j < n && p[j] == ']')
		j++;
	while (j < n && p[j] != ']') {
		if (p[j] == '\\')
			j++;
		j++;
	}
	return j < n ? j - i + 1 : 0;
}

/* Bytes of the token at p[i]: "**", a class, "\c" or one byte. */
static size_t
tok_len(const char *p, size_t n, size_t i)
{
	size_t k;

	if (p[i] == '*')
		return i + 1 < n && p[i + 1] == '*' ? 2 : 1;
	if (p[i] == '\\')
		return 2;
	if (p[i] == '[' && (k = class_len(p, n, i)) != 0)
		return k;
	return 1;
}

int
glob_ok(const char *pat, size_t plen)
{
	size_t i;

	if (plen == 0 || plen > GLOB_MAX || memchr(pat, 0, plen) != NULL)
		return 0;
	for (i = 0; i < plen; i += tok_len(pat, plen, i)) {
		if (pat[i] == '\\' && i + 1 == plen)
			return 0;
		if (pat[i] == '[' && class_len(pat, plen, i) == 0)
			return 0;
	}
	return 1;
}

/* 1 if byte c is in the class p[0..k) ("[...]"); never '/'. */
static int
class_has(const char *p, size_t k, unsigned char c)
{
	size_t j = 1, end = k - 1;
	int neg = 0, in = 0;
	unsigned char lo, hi;

	if (c == '/')
		return 0;
	if (p[j] == '!' || p[j] == '^') {
		neg = 1;
		j++;
	}
	for (; j < end; j++) {
		if (p[j] == '\\')
			j++;
		lo = hi = (unsigned char)p[j];
		if (j + 2 < end && p[j + 1] == '-') {
			j += 2;
			if (p[j] == '\\')
				j++;
			hi = (unsigned char)p[j];
		}
		if (c >= lo && c <= hi)
			in = 1;
	}
	return in != neg;
}

/*
 * Add the positions reachable from those in s without a byte. A '*' at i
 * may match nothing (i to i + 1). A "**" at i is entered at i and loops
 * at i + 1 (a byte offset no token starts at): from either it may stop
 * (i + 2); from its entry only, a "**" that is a whole name may also
 * match no name at all together with its '/' (i + 3, so "foo/" "**"
 * "/bar" matches "foo/bar" but not "foo/xbar"). Positions only move
 * forward: one pass in order is enough.
 */
static void
closure(struct gset *s, const char *p, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i += k) {
		k = tok_len(p, n, i);
		if (p[i] != '*')
			continue;
		if (k == 1) {
			if (SET_HAS(s, i))
				SET_ON(s, i + 1);
			continue;
		}
		if (SET_HAS(s, i)) {
			SET_ON(s, i + 1);
			if ((i == 0 || p[i - 1] == '/') && i + 2 < n &&
			    p[i + 2] == '/')
				SET_ON(s, i + 3);
		}
		if (SET_HAS(s, i + 1))
			SET_ON(s, i + 2);
	}
}

/* The positions after reading byte c from those in cur. */
static void
step(const struct gset *cur, struct gset *next, const char *p, size_t n,
    unsigned char c)
{
	size_t i, k;
	int ok;

	memset(next, 0, sizeof *next);
	for (i = 0; i < n; i += k) {
		k = tok_len(p, n, i);
		if (p[i] == '*' && k == 2) {
			if (SET_HAS(cur, i + 1))
				SET_ON(next, i + 1);
			continue;
		}
		if (!SET_HAS(cur, i))
			continue;
		if (p[i] == '*') {
			if (c != '/')
				SET_ON(next, i);
			continue;
		}
		if (p[i] == '?')
			ok = c != '/';
		else if (p[i] == '[' && k > 1)
			ok = class_has(p + i, k, c);
		else if (p[i] == '\\')
			ok = (unsigned char)p[i + 1] == c;
		else
			ok = (unsigned char)p[i] == c;
		if (ok)
			SET_ON(next, i + k);
	}
}

/* 1 if body p[n] matches path s[len] whole, or (not anchored) a part of
 * it that starts after a '/'. */
static int
run(const char *p, size_t n, const char *s, size_t len, int anchored)
{
	struct gset a, b, *cur = &a, *next = &b, *t;
	size_t j;

	memset(cur, 0, sizeof *cur);
	SET_ON(cur, 0);
	closure(cur, p, n);
	for (j = 0; j < len; j++) {
		step(cur, next, p, n, (unsigned char)s[j]);
		if (s[j] == '/' && !anchored)
			SET_ON(next, 0);
		closure(next, p, n);
		t = cur;
		cur = next;
		next = t;
	}
	return (int)SET_HAS(cur, n);
}

/* 1 if p[n] holds a '/' or a "**" outside a class or an escape. */
static int
whole_path(const char *p, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i += k) {
		k = tok_len(p, n, i);
		if (p[i] == '/' || (p[i] == '*' && k == 2))
			return 1;
	}
	return 0;
}

/* 1 if the last token of p[n] is a plain '/' (not "\\/"). */
static int
last_is_slash(const char *p, size_t n)
{
	size_t i = 0, k = 1;

	while (i < n) {
		k = tok_len(p, n, i);
		if (i + k >= n)
			break;
		i += k;
	}
	return k == 1 && p[i] == '/';
}

int
glob_match(const char *pat, size_t plen, const char *path, size_t n,
    int is_dir)
{
	int anchored = 0;
	size_t j;

	if (n == 0 || plen == 0)
		return 0;
	if (last_is_slash(pat, plen)) {
		if (!is_dir)
			return 0;
		plen--;
	}
	if (plen > 0 && pat[0] == '/') {
		anchored = 1;
		pat++;
		plen--;
	}
	if (plen == 0)
		return 0;
	if (!anchored && !whole_path(pat, plen)) {
		for (j = n; j > 0 && path[j - 1] != '/'; j--)
			;
		return run(pat, plen, path + j, n - j, 1);
	}
	return run(pat, plen, path, n, anchored);
}
