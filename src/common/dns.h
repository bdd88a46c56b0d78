/*
 * dns.h — the text and packets of a stub resolver (RFC 1035): queries for
 * A and AAAA records, their answers, hosts(5) and resolv.conf(5) lines.
 * No I/O: port/posix.c reads the files and talks UDP to the name servers.
 */
#ifndef CAIRN_DNS_H
#define CAIRN_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNS_A 1
#define DNS_AAAA 28
#define DNS_MSG_MAX 512		/* bytes of an answer over UDP */
#define DNS_QUERY_MAX 272	/* header, a name of 255 bytes, type, class */
#define DNS_NS_MAX 3		/* name servers used, as the C library's */
#define DNS_NDOTS_MAX 15

struct dns_conf {
	char *ns[DNS_NS_MAX];	/* "nameserver" addresses, as text */
	int nns;
	char *search;		/* "search" or "domain" names, blank-separated */
	int ndots;		/* dots a name needs to be tried as it is first */
	int timeout;		/* seconds to wait for an answer to a name */
	int attempts;		/* queries sent in that time */
};

/* The query with id for the records of type (DNS_A, DNS_AAAA) of name
 * (text, no final dot) into q[DNS_QUERY_MAX]: its length, or -1 when name
 * is not a name (empty, an empty label, a label over 63 bytes, too long). */
int dns_query(uint8_t *q, const char *name, unsigned id, unsigned type);
/*
 * Message m[n] as the answer to query q[qn]: the addresses of the type
 * asked for into out (16 bytes apart, 4 or 16 bytes each), at most max;
 * their count (0: the name has none or does not exist), or -1 when m is
 * not a final answer to q (another id or question, malformed, a failure
 * of the server): wait for another.
 */
int dns_answer(const uint8_t *m, size_t n, const uint8_t *q, size_t qn,
    uint8_t (*out)[16], int max);
/* The next blank-separated word of the string *p, ended in place, *p
 * past it; NULL when none is left. */
char *dns_word(char **p);
/* The next line of hosts text from *p up to end (*end writable) that names
 * name: its address, as a string in place, *p past that line; NULL when
 * no line left does. Lines and words are ended in place. */
char *dns_hosts_next(char **p, char *end, const char *name);
/* resolv.conf text t[n] into c (defaults: no server, no search, ndots 1,
 * timeout 5, attempts 2), pointing into t, whose lines and words it ends
 * in place; t[n] must be writable. */
void dns_conf_parse(char *t, size_t n, struct dns_conf *c);

#endif
