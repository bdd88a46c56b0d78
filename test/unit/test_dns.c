/* test_dns.c — the stub resolver's text and packets (dns.c): queries,
 * answers as servers send them and as a hostile one might, hosts(5) and
 * resolv.conf(5) lines. */
#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "unit.h"

/* An answer to query q[qn] into m: the query with flags fl (QR set) and
 * rcode, an answer count an, then the records r[rn]. Its length. */
static size_t
reply(uint8_t *m, const uint8_t *q, int qn, int rcode, unsigned an,
    const uint8_t *r, size_t rn)
{
	memcpy(m, q, (size_t)qn);
	m[2] |= 0x80;
	m[3] = (uint8_t)(0x80 | rcode);
	m[6] = (uint8_t)(an >> 8);
	m[7] = (uint8_t)an;
	if (rn > 0)
		memcpy(m + qn, r, rn);
	return (size_t)qn + rn;
}

/* Records with a pointer to the question's name: A 127.0.0.2, a CNAME,
 * A 10.0.0.1 under a name of labels, and an A of class CH. */
static const uint8_t recs[] = {
	0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 2,
	0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'x', 0xc0, 12,
	1, 'x', 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1,
	0xc0, 12, 0, 1, 0, 3, 0, 0, 0, 60, 0, 4, 9, 9, 9, 9,
};

static void
queries(void)
{
	static const uint8_t want[] = {
		0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
		6, 'b', 'a', 'c', 'k', 'u', 'p', 2, 'l', 'n', 0, 0, 28, 0, 1,
	};
	static const char *const bad[] = { "", ".", "a..b", ".a", "a.",
		"x.0123456789012345678901234567890123456789012345678901234567890123" };
	uint8_t q[DNS_QUERY_MAX];
	char name[300];
	size_t i;
	int n;

	n = dns_query(q, "backup.ln", 0x1234, DNS_AAAA);
	CHECK_SAME(q, n > 0 ? (size_t)n : 0, want, sizeof want);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!CHECK(dns_query(q, bad[i], 1, DNS_A) == -1))
			fprintf(stderr, "  took \"%s\"\n", bad[i]);
	/* 253 bytes of text is the longest name: 255 on the wire. */
	memset(name, 'a', sizeof name);
	for (i = 63; i < 253; i += 64)
		name[i] = '.';
	name[253] = 0;
	CHECK(dns_query(q, name, 1, DNS_A) == 12 + 255 + 4);
	name[253] = 'a';
	name[254] = 0;
	CHECK(dns_query(q, name, 1, DNS_A) == -1);
}

static void
answers(void)
{
	uint8_t q[DNS_QUERY_MAX], q6[DNS_QUERY_MAX], m[DNS_MSG_MAX];
	uint8_t out[8][16], big[20 * 16];
	int qn = dns_query(q, "h.ln", 0xbeef, DNS_A), q6n;
	size_t n, k;

	q6n = dns_query(q6, "h.ln", 0xbeef, DNS_AAAA);
	n = reply(m, q, qn, 0, 4, recs, sizeof recs);
	CHECK(dns_answer(m, n, q, (size_t)qn, out, 8) == 2);
	CHECK(memcmp(out[0], "\177\0\0\2", 4) == 0);
	CHECK(memcmp(out[1], "\12\0\0\1", 4) == 0);
	CHECK(dns_answer(m, n, q, (size_t)qn, out, 1) == 1);
	/* Not the answer to this query: AAAA asked, another id, no QR. */
	CHECK(dns_answer(m, n, q6, (size_t)q6n, out, 8) == -1);
	m[1] ^= 1;
	CHECK(dns_answer(m, n, q, (size_t)qn, out, 8) == -1);
	m[1] ^= 1;
	m[2] &= 0x7f;
	CHECK(dns_answer(m, n, q, (size_t)qn, out, 8) == -1);
	m[2] |= 0x80;
	m[qn - 6] = 'X';	/* the question changed on the way */
	CHECK(dns_answer(m, n, q, (size_t)qn, out, 8) == -1);
	/* No such name: final, none; a failing server: wait for another. */
	n = reply(m, q, qn, 3, 0, NULL, 0);
	CHECK(dns_answer(m, n, q, (size_t)qn, out, 8) == 0);
	n = reply(m, q, qn, 2, 0, NULL, 0);
	CHECK(dns_answer(m, n, q, (size_t)qn, out, 8) == -1);
	/* An AAAA answer holding only A records: none. */
	n = reply(m, q6, q6n, 0, 4, recs, sizeof recs);
	CHECK(dns_answer(m, n, q6, (size_t)q6n, out, 8) == 0);
	/* Cut at every byte: never read past, never a count but when the
	 * cut falls between records of a truncated (TC) answer. */
	n = reply(m, q, qn, 0, 4, recs, sizeof recs);
	for (k = 0; k < n; k++)
		CHECK(dns_answer(m, k, q, (size_t)qn, out, 8) == -1);
	m[2] |= 2;
	CHECK(dns_answer(m, (size_t)qn + 16, q, (size_t)qn, out, 8) == 1);
	CHECK(dns_answer(m, (size_t)qn + 20, q, (size_t)qn, out, 8) == 1);
	m[2] &= (uint8_t)~2;
	/* More records said than sent; a label of 64 bytes; rdata past. */
	n = reply(m, q, qn, 0, 5, recs, sizeof recs);
	CHECK(dns_answer(m, n, q, (size_t)qn, out, 8) == -1);
	n = reply(m, q, qn, 0, 1, (const uint8_t *)"\100", 1);
	CHECK(dns_answer(m, n, q, (size_t)qn, out, 8) == -1);
	n = reply(m, q, qn, 0, 1, recs, 12);
	m[n - 1] = 200;
	CHECK(dns_answer(m, n, q, (size_t)qn, out, 8) == -1);
	/* Many records: at most max taken, all read. */
	for (k = 0; k < 20; k++)
		memcpy(big + k * 16, recs, 16);
	n = reply(m, q, qn, 0, 20, big, sizeof big);
	CHECK(dns_answer(m, n, q, (size_t)qn, out, 8) == 8);
}

static void
hosts(void)
{
	char t[] = "# comment localhost\n127.0.0.1\tlocalhost vm\r\n"
	    "::1 localhost6 localhost # again\n"
	    "10.0.0.1 localhostx xlocalhost\n  \n"
	    "10.0.0.2\n10.0.0.3 lan #localhost\n10.0.0.4 localhost";
	char *p = t, *end = t + sizeof t - 1, *a;

	a = dns_hosts_next(&p, end, "localhost");
	CHECK(a != NULL && strcmp(a, "127.0.0.1") == 0);
	a = dns_hosts_next(&p, end, "localhost");
	CHECK(a != NULL && strcmp(a, "::1") == 0);
	a = dns_hosts_next(&p, end, "localhost");
	CHECK(a != NULL && strcmp(a, "10.0.0.4") == 0);
	CHECK(dns_hosts_next(&p, end, "localhost") == NULL);
	CHECK(dns_hosts_next(&p, end, "localhost") == NULL);
}

static void
conf(void)
{
	char t[] = "nameserver 10.0.0.1\n nameserver 10.0.0.9\n"
	    "nameserver\t10.0.0.2 extra\nnameserver\nnameserver 10.0.0.3\n"
	    "nameserver 10.0.0.4\ndomain one.ln\nsearch a.ln  b.ln\n"
	    "options rotate ndots:99 attempts:0 timeout:3\n#nameserver x\n"
	    "nameservers 1.1.1.1\noptions ndots:x";
	struct dns_conf c;
	char *p, *w;

	dns_conf_parse(t, sizeof t - 1, &c);
	CHECK(c.nns == 3);
	CHECK(c.nns == 3 && strcmp(c.ns[0], "10.0.0.1") == 0 &&
	    strcmp(c.ns[1], "10.0.0.2") == 0 &&
	    strcmp(c.ns[2], "10.0.0.3") == 0);
	CHECK(c.ndots == 15 && c.attempts == 1 && c.timeout == 3);
	p = c.search;
	CHECK(p != NULL && (w = dns_word(&p)) != NULL && strcmp(w, "a.ln") == 0);
	CHECK(p != NULL && (w = dns_word(&p)) != NULL && strcmp(w, "b.ln") == 0);
	CHECK(p != NULL && dns_word(&p) == NULL);
	dns_conf_parse(t, 0, &c);
	CHECK(c.nns == 0 && c.search == NULL && c.ndots == 1 &&
	    c.timeout == 5 && c.attempts == 2);
}

void
suite_dns(void)
{
	queries();
	answers();
	hosts();
	conf();
}
