/*
 * fuzz_dns.c — libFuzzer target for the stub resolver's parsers (dns.c).
 *
 * The first byte chooses what the rest is:
 *   0: an answer's flags and records, after the header and question of a
 *      fixed A or AAAA query (the second byte says which), as a server
 *      would send them back: dns_answer must not read past the message,
 *      and give -1 or a count no larger than its max;
 *   1: a hosts file searched for "localhost": every address is a string
 *      inside the text;
 *   2: a resolv.conf: at most DNS_NS_MAX servers, ndots, timeout and
 *      attempts in their ranges, every string inside the text;
 *   3: a name for dns_query: -1 or a query no longer than DNS_QUERY_MAX.
 * Texts are copies in a buffer of exactly their length plus the one
 * writable byte the parsers may end them with.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static int
inside(const char *s, const char *t, size_t n)
{
	return s >= t && s + strlen(s) <= t + n;
}

static void
answer(const uint8_t *d, size_t n)
{
	uint8_t q[DNS_QUERY_MAX], *m, out[4][16];
	int qn, r;

	if (n < 1)
		return;
	qn = dns_query(q, "backup.example.ln", 0x5a5a, d[0] & 1 ? DNS_AAAA : DNS_A);
	CHECK(qn > 12);
	d++, n--;
	if ((m = malloc((size_t)qn + n)) == NULL)
		return;
	memcpy(m, q, (size_t)qn);
	/* The data's first 10 bytes stand for the header's flags and counts
	 * (the id is kept), the rest follows the question. */
	memcpy(m + 2, d, n < 10 ? n : 10);
	if (n > 10)
		memcpy(m + qn, d + 10, n - 10);
	r = dns_answer(m, (size_t)qn + (n > 10 ? n - 10 : 0), q, (size_t)qn,
	    out, 4);
	CHECK(r >= -1 && r <= 4);
	r = dns_answer(m, n > 10 ? (size_t)qn + n - 10 : (size_t)qn, q,
	    (size_t)qn, out, 0);
	CHECK(r >= -1 && r <= 0);
	free(m);
}

static void
text(const uint8_t *d, size_t n, int which)
{
	char *t = malloc(n + 1), *p, *a;
	struct dns_conf c;
	int i;

	if (t == NULL)
		return;
	memcpy(t, d, n);
	if (which == 1) {
		p = t;
		while ((a = dns_hosts_next(&p, t + n, "localhost")) != NULL)
			CHECK(inside(a, t, n + 1) && *a != 0);
	} else {
		dns_conf_parse(t, n, &c);
		CHECK(c.nns >= 0 && c.nns <= DNS_NS_MAX);
		CHECK(c.ndots >= 0 && c.ndots <= DNS_NDOTS_MAX);
		CHECK(c.timeout >= 1 && c.timeout <= 60);
		CHECK(c.attempts >= 1 && c.attempts <= 10);
		for (i = 0; i < c.nns; i++)
			CHECK(inside(c.ns[i], t, n + 1));
		if (c.search != NULL) {
			CHECK(inside(c.search, t, n + 1));
			p = c.search;
			while ((a = dns_word(&p)) != NULL)
				CHECK(inside(a, t, n + 1) && *a != 0);
		}
	}
	free(t);
}

static void
query(const uint8_t *d, size_t n)
{
	uint8_t q[DNS_QUERY_MAX];
	char *name = malloc(n + 1);
	int r;

	if (name == NULL)
		return;
	memcpy(name, d, n);
	name[n] = 0;
	r = dns_query(q, name, 7, DNS_A);
	CHECK(r == -1 || (r > 12 + 4 && r <= DNS_QUERY_MAX));
	free(name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		answer(data + 1, size - 1);
		break;
	case 1:
	case 2:
		text(data + 1, size - 1, data[0] & 3);
		break;
	default:
		query(data + 1, size - 1);
	}
	return 0;
}
