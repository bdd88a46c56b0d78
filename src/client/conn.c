/* conn.c — the client's connection: TCP, TLS handshake, HELLO. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "port.h"
#include "proto.h"
#include "util.h"

static struct tls_conf conf;
static struct tls conn;

struct tls *
client_connect(const struct copts *o)
{
	static uint8_t frame[FRAME_MAX];
	char text[MSG_MAX + 1], why[TLS_WHY_MAX];
	struct buf b;
	struct rd r;
	unsigned type, status;
	size_t n;
	int fd;

	if (tls_conf_load(&conf, o->cert, o->key, o->ca, NULL) < 0)
		die(EXIT_USAGE, "cannot load the client's certificates "
		    "(make them with tools/gen-client-cert.sh, or give --cert, "
		    "--key and --ca)");
	if (o->fingerprint != NULL && tls_pin(&conn, o->fingerprint) < 0)
		die(EXIT_USAGE, "--server-fingerprint wants the SHA-256 of the "
		    "server's certificate, 64 hex digits (colons allowed), as "
		    "`openssl x509 -noout -fingerprint -sha256` prints it");
	fd = port_tcp_connect(o->server, o->port, o->timeout_ms);
	if (fd < 0)
		die(EXIT_NET, "cannot connect to %s:%u: %s (is cairnd running "
		    "there?)", o->server, o->port, strerror(errno));
	if (tls_client(&conn, &conf, fd, o->server_name, o->timeout_ms) < 0) {
		tls_why(&conn, why, sizeof why);
		if (tls_refused(&conn))
			die(EXIT_REFUSED, "%s:%u refused us: %s (is our "
			    "certificate %s signed by the server's CA?)",
			    o->server, o->port, why, o->cert);
		die(EXIT_NET, "TLS with %s:%u failed: the server could not be "
		    "verified or the connection broke: %s", o->server, o->port,
		    why);
	}
	tls_conf_wipe(&conf);

	buf_init(&b, frame, sizeof frame);
	buf_u16(&b, PROTO_VERSION);
	if (frame_send(&conn, T_HELLO, b.p, b.len) < 0 ||
	    frame_recv(&conn, &type, frame, &n) < 0)
		die(EXIT_NET, "%s:%u: connection lost during hello: %s",
		    o->server, o->port, tls_why(&conn, why, sizeof why));
	rd_init(&r, frame, n);
	if (reply_get(&r, &status, text) < 0 ||
	    (type != (T_REPLY | T_HELLO) && type != T_ERROR))
		die(EXIT_NET, "%s:%u does not speak the cairn protocol",
		    o->server, o->port);
	if (type == T_ERROR || status != ST_OK)
		die(EXIT_REFUSED, "%s:%u refused us: %s", o->server, o->port,
		    text);
	return &conn;
}
