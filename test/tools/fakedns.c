/*
 * fakedns.c — a name server that misbehaves first, for test/e2e/t_dns.sh:
 *
 *	fakedns ADDR
 *
 * Listens on UDP ADDR:53 (an IPv4 loopback address), says "listening" on
 * stderr and prints each question it gets on stdout ("A name"), then
 * answers by the name's first label:
 *   good   A: an answer with another id, one to another question, a
 *          broken one, a server failure, then the answer (a CNAME and
 *          A 127.0.0.1 under a compressed name); AAAA: none
 *   short  A 127.0.0.1 only (for the search domains); AAAA: none
 *   slow   nothing at all
 *   else   no such name
 * It exits after a minute without a question, or when killed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd;
static struct sockaddr_in peer;
static socklen_t peer_len;

/* Send m[n] back to the asker. */
static void
back(const unsigned char *m, size_t n)
{
	sendto(fd, m, n, 0, (struct sockaddr *)&peer, peer_len);
}

/* The reply to query q[qn] (its question qn bytes in all) with rcode and,
 * when a is not NULL, a CNAME to "x.<name>" and that name's A record a. */
static void
answer(const unsigned char *q, size_t qn, int rcode, const unsigned char *a)
{
	static const unsigned char cname[] = {
		0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'x', 0xc0, 12,
		1, 'x', 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
	};
	unsigned char m[512];
	size_t n = qn;

	memcpy(m, q, qn);
	m[2] = 0x81;
	m[3] = (unsigned char)(0x80 | rcode);
	m[7] = 0;
	if (a != NULL) {
		m[7] = 2;
		memcpy(m + n, cname, sizeof cname);
		n += sizeof cname;
		memcpy(m + n, a, 4);
		n += 4;
	}
	back(m, n);
}

/* The noise before the answer to a "good" A query q[qn]. */
static void
noise(unsigned char *q, size_t qn)
{
	static const unsigned char junk[] = { 1, 2, 3, 4, 5 };

	q[1] ^= 0x55;
	answer(q, qn, 0, (const unsigned char *)"\12\0\0\1");
	q[1] ^= 0x55;
	q[13] ^= 0x20;	/* the question's first letter in the other case */
	answer(q, qn, 0, (const unsigned char *)"\12\0\0\2");
	q[13] ^= 0x20;
	back(junk, sizeof junk);
	answer(q, qn, 2, NULL);
}

/* Print and answer the query q[n]. */
static void
serve(unsigned char *q, size_t n)
{
	static const unsigned char lo[] = { 127, 0, 0, 1 };
	char name[256];
	size_t i = 12, o = 0, qn;
	int aaaa;

	if (n < 17 || (q[2] & 0x80))
		return;
	while (i < n && q[i] != 0 && q[i] < 64 && o + q[i] + 1 < sizeof name &&
	    i + 1 + q[i] < n) {
		memcpy(name + o, q + i + 1, q[i]);
		o += q[i];
		name[o++] = '.';
		i += 1 + (size_t)q[i];
	}
	if (o == 0 || i + 5 > n || q[i] != 0)
		return;
	name[o - 1] = 0;
	qn = i + 5;
	aaaa = q[i + 2] == 28;
	printf("%s %s\n", aaaa ? "AAAA" : "A", name);
	fflush(stdout);
	if (strncmp(name, "slow.", 5) == 0)
		return;
	if (strncmp(name, "good.", 5) == 0 && !aaaa)
		noise(q, qn);
	if (strncmp(name, "good.", 5) == 0 || strncmp(name, "short.", 6) == 0)
		answer(q, qn, 0, aaaa ? NULL : lo);
	else
		answer(q, qn, 3, NULL);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in me;
	struct pollfd p;
	unsigned char q[512];
	ssize_t n;

	memset(&me, 0, sizeof me);
	me.sin_family = AF_INET;
	me.sin_port = htons(53);
	if (argc != 2 || inet_pton(AF_INET, argv[1], &me.sin_addr) != 1) {
		fprintf(stderr, "usage: fakedns ADDR\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof me) < 0) {
		perror("fakedns: bind");
		return 2;
	}
	fprintf(stderr, "listening\n");
	p.fd = fd;
	p.events = POLLIN;
	while (poll(&p, 1, 60000) > 0) {
		peer_len = sizeof peer;
		n = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&peer,
		    &peer_len);
		if (n > 0)
			serve(q, (size_t)n);
	}
	return 0;
}
