/* session.h — one client connection on the server. */
#ifndef CAIRN_SESSION_H
#define CAIRN_SESSION_H

#include "store.h"
#include "tls.h"

#define NAMES_MAX 1024		/* clients a list may name */

/* Client names, as a file lists them (--append-only-clients). */
struct names {
	unsigned n;
	char name[NAMES_MAX][TLS_NAME_MAX + 1];
};

struct server_opts {
	const store_class **store;	/* the backend, open */
	int append_all;			/* --append-only */
	const struct names *append;	/* --append-only-clients, or NULL */
	int handshake_ms;
	int idle_ms;
	uint64_t quota;		/* bytes a client may store; 0: no limit */
	/* The words for a refusal code of serve_authenticated(). */
	const char *(*busy)(int why);
};

/* Serve the client connected on fd until it leaves; returns the exit
 * status for the process serving it. */
int session_run(int fd, const char *peer, struct tls_conf *conf,
    const struct server_opts *o);

/* Read a list of client names, one a line ('#' comments). 0, or -1 with a
 * message naming the file and line. */
int names_load(struct names *l, const char *path);

/* Tell the client on fd that the server is busy (why), then stop. */
int session_refuse(int fd, const char *peer, struct tls_conf *conf,
    const struct server_opts *o, const char *why);

#endif
