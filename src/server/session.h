/* session.h — one client connection on the server. */
#ifndef CAIRN_SESSION_H
#define CAIRN_SESSION_H

#include "store.h"
#include "tls.h"

struct server_opts {
	const store_class **store;	/* the backend, open */
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

/* Tell the client on fd that the server is busy (why), then stop. */
int session_refuse(int fd, const char *peer, struct tls_conf *conf,
    const struct server_opts *o, const char *why);

#endif
