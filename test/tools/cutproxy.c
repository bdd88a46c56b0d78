/*
 * cutproxy.c — a TCP relay that cuts the link, for sweeps (t_sweep.sh):
 *
 *	cutproxy PORT SERVER_PORT BYTES [CONNECTIONS]
 *
 * listens on 127.0.0.1:PORT, prints "listening", relays one connection to
 * 127.0.0.1:SERVER_PORT both ways, and closes both sides once BYTES bytes
 * have gone from the client to the server (all of them relayed first).
 * It exits when the connection is over: 0 if it cut, 1 if the client was
 * done first, 2 on an error. With CONNECTIONS (default 1) it then relays
 * the connections that follow whole, one at a time, until that many have
 * come (a client that retries after the cut: t_s3_client.sh).
 */
#include <stdio.h>
#include <stdlib.h>

#include "port.h"
#include "util.h"

#define RELAY_BUF 16384

/* Relay what is ready on from to to, at most *left bytes when left is not
 * NULL. The bytes relayed, 0 at the end, -1 on error. */
static long
relay(int from, int to, uint64_t *left)
{
	static uint8_t b[RELAY_BUF];
	size_t want = sizeof b;
	long n;

	if (left != NULL && *left < want)
		want = (size_t)*left;
	n = port_read(from, b, want, 0);
	if (n <= 0)
		return n;
	if (port_write_all(to, b, (size_t)n) < 0)
		return -1;
	if (left != NULL)
		*left -= (uint64_t)n;
	return n;
}

/* Relay one connection from lfd to the server; cut it after *left bytes
 * when left is not NULL. 0 cut, 1 over, 2 error. */
static int
relay_one(int lfd, unsigned sport, uint64_t *left)
{
	struct port_pollfd p[2];
	char peer[80];
	int c, s, rc = 1;

	if (port_wait_readable(lfd, 30000) <= 0 ||
	    (c = port_tcp_accept(lfd, peer, sizeof peer)) < 0)
		die(2, "no client came");
	s = port_tcp_connect("127.0.0.1", sport, 5000);
	if (s < 0)
		die(2, "cannot reach the server");
	for (;;) {
		p[0].fd = c;
		p[0].want = PORT_IN;
		p[1].fd = s;
		p[1].want = PORT_IN;
		if (port_poll(p, 2, 60000) <= 0) {
			rc = 2;
			break;
		}
		if ((p[0].got & PORT_IN) && relay(c, s, left) <= 0)
			break;
		if (left != NULL && *left == 0) {
			rc = 0;
			break;
		}
		if ((p[1].got & PORT_IN) && relay(s, c, NULL) <= 0)
			break;
	}
	port_close(c);
	port_close(s);
	return rc;
}

int
main(int argc, char **argv)
{
	uint64_t port, sport, left, conns = 1, i;
	int lfd, rc;

	progname = "cutproxy";
	if (argc < 4 || argc > 5 ||
	    parse_u64(argv[1], 1, 65535, &port) < 0 ||
	    parse_u64(argv[2], 1, 65535, &sport) < 0 ||
	    parse_u64(argv[3], 1, UINT64_MAX, &left) < 0 ||
	    (argc == 5 && parse_u64(argv[4], 1, 1000, &conns) < 0))
		die(2, "usage: cutproxy PORT SERVER_PORT BYTES [CONNECTIONS]");
	lfd = port_tcp_listen("127.0.0.1", (unsigned)port, 4);
	if (lfd < 0)
		die(2, "cannot listen on port %llu", (unsigned long long)port);
	printf("listening\n");
	fflush(stdout);
	rc = relay_one(lfd, (unsigned)sport, &left);
	for (i = 1; i < conns && rc != 2; i++)
		if (relay_one(lfd, (unsigned)sport, NULL) == 2)
			return 2;
	return rc;
}
