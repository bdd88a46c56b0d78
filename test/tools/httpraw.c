/*
 * httpraw.c — raw HTTP requests for the web UI's tests (t_ui_http.sh),
 * what curl will not send:
 *
 *	httpraw PORT [PAUSE_MS]	send standard input to 127.0.0.1:PORT, wait
 *				PAUSE_MS (default 0) with the connection
 *				open, then print everything the server
 *				sends until it closes (30 s at most)
 *	httpraw PORT hold N MS	open N connections that send nothing, hold
 *				them MS, print how many the server closed
 *
 * Exit 0, or 2 when it cannot connect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port.h"
#include "util.h"

#define HOLD_MAX 200
#define WAIT_MS 30000

/* Print what fd sends until it closes or WAIT_MS passes. */
static void
drain(int fd)
{
	static char b[65536];
	uint64_t end = port_ms() + WAIT_MS;
	long n;

	while (port_ms() < end) {
		n = port_read(fd, b, sizeof b, (int)(end - port_ms()));
		if (n <= 0)
			break;
		fwrite(b, 1, (size_t)n, stdout);
	}
	fflush(stdout);
}

/* Send standard input, pause, print the answer. */
static int
one(unsigned port, unsigned pause)
{
	static char in[1 << 20];
	long n = port_read_full(0, in, sizeof in);
	int fd = port_tcp_connect("127.0.0.1", port, 5000);

	if (fd < 0 || n < 0) {
		fprintf(stderr, "httpraw: cannot connect to %u\n", port);
		return 2;
	}
	(void)port_write_all(fd, in, (size_t)n);
	if (pause)
		port_sleep_ms(pause);
	drain(fd);
	port_close(fd);
	return 0;
}

/* Hold n idle connections for ms; print how many were closed by then. */
static int
hold(unsigned port, unsigned n, unsigned ms)
{
	static int fd[HOLD_MAX];
	unsigned i, closed = 0;
	char b;

	if (n > HOLD_MAX)
		n = HOLD_MAX;
	for (i = 0; i < n; i++)
		if ((fd[i] = port_tcp_connect("127.0.0.1", port, 5000)) < 0)
			return 2;
	port_sleep_ms(ms);
	for (i = 0; i < n; i++) {
		if (port_read(fd[i], &b, 1, 0) == 0)
			closed++;
		port_close(fd[i]);
	}
	printf("%u\n", closed);
	return 0;
}

int
main(int argc, char **argv)
{
	progname = "httpraw";
	if (argc == 5 && strcmp(argv[2], "hold") == 0)
		return hold((unsigned)atoi(argv[1]), (unsigned)atoi(argv[3]),
		    (unsigned)atoi(argv[4]));
	if (argc == 2 || argc == 3)
		return one((unsigned)atoi(argv[1]), argc == 3 ?
		    (unsigned)atoi(argv[2]) : 0);
	fprintf(stderr, "usage: httpraw PORT [PAUSE_MS] | PORT hold N MS\n");
	return 2;
}
