/*
 * cutproxy.c — a TCP relay that cuts the link, for sweeps (t_sweep.sh):
 *
 *	cutproxy PORT SERVER_PORT BYTES
 *
 * listens on 127.0.0.1:PORT, prints "listening", relays one connection to
 * 127.0.0.1:SERVER_PORT both ways, and closes both sides once BYTES bytes
 * have gone from the client to the server (all of them relayed first).
 * It exits when the connection is over: 0 if it cut, 1 if the client was
 * done first, 2 on an error.
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

int
main(int argc, char **argv)
{
	struct port_pollfd p[2];
	uint64_t port, sport, left;
	char peer[80];
	int lfd, c, s;

	progname = "cutproxy";
	if (argc != 4 || parse_u64(argv[1], 1, 65535, &port) < 0 ||
	    parse_u64(argv[2], 1, 65535, &sport) < 0 ||
	    parse_u64(argv[3], 1, UINT64_MAX, &left) < 0)
		die(2, "usage: cutproxy PORT SERVER_PORT BYTES");
	lfd = port_tcp_listen("127.0.0.1", (unsigned)port, 4);
	if (lfd < 0)
		die(2, "cannot listen on port %llu", (unsigned long long)port);
	printf("listening\n");
	fflush(stdout);
	if (port_wait_readable(lfd, 30000) <= 0 ||
	    (c = port_tcp_accept(lfd, peer, sizeof peer)) < 0)
		die(2, "no client came");
	s = port_tcp_connect("127.0.0.1", (unsigned)sport, 5000);
	if (s < 0)
		die(2, "cannot reach the server");
	for (;;) {
		p[0].fd = c;
		p[0].want = PORT_IN;
		p[1].fd = s;
		p[1].want = PORT_IN;
		if (port_poll(p, 2, 60000) <= 0)
			return 2;
		if ((p[0].got & PORT_IN) && relay(c, s, &left) <= 0)
			return 1;
		if (left == 0) {
			port_close(c);
			port_close(s);
			return 0;
		}
		if ((p[1].got & PORT_IN) && relay(s, c, NULL) <= 0)
			return 1;
	}
}
