/*
 * s3fake.c — an HTTP server that answers from a script, for the S3
 * client's hostile tests (t_s3_hostile.sh):
 *
 *	s3fake PORT SCRIPT
 *
 * listens on 127.0.0.1:PORT, prints "listening", and answers each request
 * (a head and its Content-Length body, read and dropped), in order across
 * connections, with the next answer of SCRIPT: its answers are separated
 * by lines "%%" and sent byte for byte, except that an answer "CUT"
 * closes the connection without a word and one that begins with a line
 * "CLOSE" is sent (the rest) and then the connection is closed. Each
 * connection and request is logged on standard output ("connection N",
 * "request METHOD TARGET"). It exits 0 when the script is used up and the
 * client has gone, 2 on an error or after 30 s without a client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "port.h"
#include "util.h"

#define SCRIPT_MAX (1 << 20)
#define ANSWERS_MAX 64
#define HEAD_MAX 65536

static char script[SCRIPT_MAX + 1];
static char *answer[ANSWERS_MAX];
static size_t alen[ANSWERS_MAX];
static unsigned nanswers;
static char head[HEAD_MAX];

/* Split the script at its "%%" lines. */
static void
load(const char *path)
{
	int fd = port_open_read(path);
	long n;
	char *p, *sep;

	if (fd < 0 || (n = port_read_full(fd, script, SCRIPT_MAX)) < 0)
		die(2, "cannot read %s", path);
	port_close(fd);
	script[n] = 0;
	for (p = script; nanswers < ANSWERS_MAX; p = sep + 4) {
		answer[nanswers] = p;
		sep = strstr(p, "\n%%\n");
		if (sep == NULL) {
			alen[nanswers++] = strlen(p);
			break;
		}
		alen[nanswers++] = (size_t)(sep - p);
	}
}

/* The Content-Length of the head h, 0 when none. */
static uint64_t
length_of(const char *h)
{
	const char *p;
	uint64_t v = 0;

	for (p = h; (p = strchr(p, '\n')) != NULL; p++)
		if (strncasecmp(p + 1, "content-length:", 15) == 0) {
			p += 16;
			while (*p == ' ')
				p++;
			while (*p >= '0' && *p <= '9')
				v = v * 10 + (uint64_t)(*p++ - '0');
			return v;
		}
	return 0;
}

/* Read one request from c: 1, or 0 when the client closed. */
static int
request(int c, size_t *have)
{
	char *end, junk[4096];
	uint64_t body;
	size_t hn;
	long n;

	while ((end = strstr(head, "\r\n\r\n")) == NULL) {
		if (*have == sizeof head - 1)
			die(2, "a request head too long");
		n = port_read(c, head + *have, sizeof head - 1 - *have, 30000);
		if (n <= 0)
			return 0;
		*have += (size_t)n;
		head[*have] = 0;
	}
	hn = (size_t)(end + 4 - head);
	printf("request %.*s\n", (int)strcspn(head, "\r"), head);
	fflush(stdout);
	body = length_of(head);
	if (body <= *have - hn) {
		memmove(head, head + hn + body, *have - hn - body + 1);
		*have -= hn + (size_t)body;
		return 1;
	}
	body -= *have - hn;
	*have = 0;
	head[0] = 0;
	while (body > 0) {
		n = port_read(c, junk, body < sizeof junk ? (size_t)body :
		    sizeof junk, 30000);
		if (n <= 0)
			return 0;
		body -= (uint64_t)n;
	}
	return 1;
}

int
main(int argc, char **argv)
{
	uint64_t port;
	unsigned next = 0, conns = 0;
	char peer[80];
	size_t have;
	int lfd, c, open_;

	progname = "s3fake";
	port_ignore_sigpipe();
	if (argc != 3 || parse_u64(argv[1], 1, 65535, &port) < 0)
		die(2, "usage: s3fake PORT SCRIPT");
	load(argv[2]);
	lfd = port_tcp_listen("127.0.0.1", (unsigned)port, 8);
	if (lfd < 0)
		die(2, "cannot listen on port %llu", (unsigned long long)port);
	printf("listening\n");
	fflush(stdout);
	while (next < nanswers) {
		if (port_wait_readable(lfd, 30000) <= 0 ||
		    (c = port_tcp_accept(lfd, peer, sizeof peer)) < 0)
			return 2;
		printf("connection %u\n", ++conns);
		fflush(stdout);
		have = 0;
		head[0] = 0;
		for (open_ = 1; open_ && next < nanswers && request(c, &have);) {
			char *a = answer[next];
			size_t n = alen[next++];

			if (n == 3 && memcmp(a, "CUT", 3) == 0)
				break;
			if (n >= 6 && memcmp(a, "CLOSE\n", 6) == 0) {
				a += 6, n -= 6;
				open_ = 0;
			}
			if (port_write_all(c, a, n) < 0)
				break;
		}
		if (next == nanswers && open_) {
			/* the last answer sent: wait for the client to go */
			while (port_read(c, head, sizeof head, 5000) > 0)
				;
		}
		port_close(c);
	}
	return 0;
}
