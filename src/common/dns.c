/*
 * dns.c — a stub resolver's queries, answers and files; see dns.h.
 *
 * An answer is read without following its compression pointers: only the
 * records' types, classes and data are taken, never their names, so a
 * hostile answer cannot make the reader loop; the question must come
 * back as it was sent, with the query's id.
 */
#include <string.h>

#include "dns.h"

/* 1 for the bytes isspace(3) takes in the "C" locale. */
static int
blank(int ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

int
dns_query(uint8_t *q, const char *name, unsigned id, unsigned type)
{
	const char *dot;
	size_t i = 12, l;

	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[2] = 1;	/* recursion desired */
	q[5] = 1;	/* one question */
	for (;;) {
		dot = strchr(name, '.');
		l = dot != NULL ? (size_t)(dot - name) : strlen(name);
		/* A name on the wire is at most 255 bytes, its root included. */
		if (l == 0 || l > 63 || i - 12 + 1 + l + 1 > 255)
			return -1;
		q[i++] = (uint8_t)l;
		memcpy(q + i, name, l);
		i += l;
		if (dot == NULL)
			break;
		name = dot + 1;
	}
	q[i++] = 0;
	q[i++] = 0;
	q[i++] = (uint8_t)type;
	q[i++] = 0;
	q[i++] = 1;	/* class IN */
	return (int)i;
}

/* Offset just past the name at m[i] (labels ending in a zero or in a
 * pointer, which is not followed), or 0 when it is malformed or cut. */
static size_t
skip_name(const uint8_t *m, size_t n, size_t i)
{
	while (i < n) {
		if (m[i] == 0)
			return i + 1;
		if (m[i] >= 0xc0)
			return i + 2 <= n ? i + 2 : 0;
		if (m[i] > 63)
			return 0;
		i += 1 + (size_t)m[i];
	}
	return 0;
}

int
dns_answer(const uint8_t *m, size_t n, const uint8_t *q, size_t qn,
    uint8_t (*out)[16], int max)
{
	unsigned type = q[qn - 3], an, rtype;
	size_t i = qn, len, want = type == DNS_A ? 4 : 16;
	int c = 0;

	if (n < qn || m[0] != q[0] || m[1] != q[1] || !(m[2] & 0x80) ||
	    m[4] != 0 || m[5] != 1 || memcmp(m + 12, q + 12, qn - 12) != 0)
		return -1;
	if ((m[3] & 15) == 3)
		return 0;	/* no such name */
	if ((m[3] & 15) != 0)
		return -1;	/* the server failed or refused */
	for (an = (unsigned)m[6] << 8 | m[7]; an > 0; an--) {
		i = skip_name(m, n, i);
		if (i == 0 || n - i < 10)
			goto cut;
		rtype = (unsigned)m[i] << 8 | m[i + 1];
		len = (size_t)m[i + 8] << 8 | m[i + 9];
		i += 10;
		if (n - i < len)
			goto cut;
		if (rtype == type && m[i - 8] == 0 && m[i - 7] == 1 &&
		    len == want && c < max)
			memcpy(out[c++], m + i, len);
		i += len;
	}
	return c;
cut:
	/* A truncated answer (TC) gives what it holds; another is broken. */
	return m[2] & 2 ? c : -1;
}

char *
dns_word(char **p)
{
	char *s = *p, *w;

	while (blank(*s))
		s++;
	if (*s == 0)
		return NULL;
	for (w = s; *w != 0 && !blank(*w); w++)
		;
	*p = *w != 0 ? w + 1 : w;
	*w = 0;
	return s;
}

/* The line at *p (before end, *end writable) as a string, *p past it;
 * NULL past the end. */
static char *
next_line(char **p, char *end)
{
	char *s = *p, *e;

	if (s > end)
		return NULL;
	e = memchr(s, '\n', (size_t)(end - s));
	if (e == NULL)
		e = end;
	*e = 0;
	*p = e + 1;
	return s;
}

char *
dns_hosts_next(char **p, char *end, const char *name)
{
	char *s, *addr, *w;

	while ((s = next_line(p, end)) != NULL) {
		if ((w = strchr(s, '#')) != NULL)
			*w = 0;
		addr = dns_word(&s);
		while (addr != NULL && (w = dns_word(&s)) != NULL)
			if (strcmp(w, name) == 0)
				return addr;
	}
	return NULL;
}

/* An "options" word of resolv.conf ("ndots:2") into c, as the C library
 * takes it: a number after the name, at most the option's limit. */
static void
conf_option(const char *w, struct dns_conf *c)
{
	static const char *const key[] = { "ndots:", "attempts:", "timeout:" };
	static const int top[] = { DNS_NDOTS_MAX, 10, 60 };
	int *v[] = { &c->ndots, &c->attempts, &c->timeout };
	size_t k, l;
	int x;

	for (k = 0; k < sizeof key / sizeof key[0]; k++) {
		l = strlen(key[k]);
		if (strncmp(w, key[k], l) != 0 || w[l] < '0' || w[l] > '9')
			continue;
		for (x = 0, w += l; *w >= '0' && *w <= '9' && x <= top[k]; w++)
			x = x * 10 + (*w - '0');
		*v[k] = x > top[k] ? top[k] : x;
	}
}

void
dns_conf_parse(char *t, size_t n, struct dns_conf *c)
{
	char *p = t, *s, *k, *w;

	memset(c, 0, sizeof *c);
	c->ndots = 1;
	c->timeout = 5;
	c->attempts = 2;
	while ((s = next_line(&p, t + n)) != NULL) {
		/* Keywords start the line; anything else is passed over. */
		if (blank(*s) || (k = dns_word(&s)) == NULL)
			continue;
		if (strcmp(k, "nameserver") == 0) {
			if (c->nns < DNS_NS_MAX && (w = dns_word(&s)) != NULL)
				c->ns[c->nns++] = w;
		} else if (strcmp(k, "options") == 0) {
			while ((w = dns_word(&s)) != NULL)
				conf_option(w, c);
		} else if (strcmp(k, "domain") == 0 || strcmp(k, "search") == 0)
			c->search = s;
	}
	if (c->timeout < 1)
		c->timeout = 1;
	if (c->attempts < 1)
		c->attempts = 1;
}
