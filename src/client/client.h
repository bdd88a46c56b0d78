/* client.h — the client's options and its commands. */
#ifndef CAIRN_CLIENT_H
#define CAIRN_CLIENT_H

#include "filter.h"
#include "tls.h"

struct copts {
	const char *server;
	const char *server_name;
	unsigned port;
	const char *cert, *key, *ca;
	const char *source;
	const char *state;
	const char *extensions;
	int json;
	int checksum;		/* re-hash every file */
	int timeout_ms;
};

/* Connect, handshake and say hello; exits with the right status and
 * message when it cannot. */
struct tls *client_connect(const struct copts *o);
/* Back up o->source; returns the exit status. */
int backup_run(const struct copts *o);

#endif
