/* conn.c — the client's connection; see conn.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "conn.h"
#include "port.h"
#include "util.h"

static struct tls_conf conf;

const struct check check_query = { NULL, "the server refused", 0, 0 };
const struct check check_items = { NULL, "the server refused", 0, 1 };

/* Exit 3 saying why o->server could not be reached: its name, or the
 * connection. */
static void __attribute__((noreturn))
connect_failed(const struct copts *o)
{
	if (errno == ENOENT)
		die(EXIT_NET, "cannot resolve %s: no such host (check --server)",
		    o->server);
	if (errno == EAGAIN)
		die(EXIT_NET, "cannot resolve %s: the name service did not "
		    "answer (check --server and the DNS settings)", o->server);
	die(EXIT_NET, "cannot connect to %s:%u: %s (is cairnd running "
	    "there?)", o->server, o->port, strerror(errno));
}

/* TCP and the TLS handshake, with the certificates of o. */
static void
handshake(struct cconn *c, const struct copts *o)
{
	char why[TLS_WHY_MAX];
	int fd;

	if (tls_conf_load(&conf, o->cert, o->key, o->ca, NULL) < 0)
		die(EXIT_USAGE, "cannot load the client's certificates "
		    "(make them with tools/gen-client-cert.sh, or give --cert, "
		    "--key and --ca)");
	if (tls_conf_client_ok(&conf, o->cert) < 0)
		exit(EXIT_USAGE);
	if (o->fingerprint != NULL && tls_pin(&c->t, o->fingerprint) < 0)
		die(EXIT_USAGE, "--server-fingerprint wants the SHA-256 of the "
		    "server's certificate, 64 hex digits (colons allowed), as "
		    "`openssl x509 -noout -fingerprint -sha256` prints it");
	fd = port_tcp_connect(o->server, o->port, o->timeout_ms);
	if (fd < 0)
		connect_failed(o);
	if (tls_client(&c->t, &conf, fd, o->server_name, o->timeout_ms) < 0) {
		tls_why(&c->t, why, sizeof why);
		if (tls_refused(&c->t))
			die(EXIT_REFUSED, "%s:%u refused us: %s (is our "
			    "certificate %s signed by the server's CA?)",
			    o->server, o->port, why, o->cert);
		die(EXIT_NET, "TLS with %s:%u failed: the server could not be "
		    "verified or the connection broke: %s", o->server, o->port,
		    why);
	}
	tls_own_cn(&conf, c->own_cn, sizeof c->own_cn);
	tls_conf_wipe(&conf);
}

/* A string from the server made safe to print: control bytes (a
 * terminal's escape sequences) and bytes outside ASCII escaped, in
 * place in text[cap] (at most MSG_MAX + 1). */
void
cconn_tidy(char *text, size_t cap)
{
	static char out[MSG_MAX + 1];

	shown(text, strlen(text), out, cap < sizeof out ? cap : sizeof out);
	memcpy(text, out, strlen(out) + 1);
}

/* The highest version a refusal of our HELLO names ("... version 1)",
 * "versions 1 and 2)"), or 0 when it names none. */
static unsigned
named_version(const char *text)
{
	const char *p = find_str(text, "version");
	unsigned v = 0, n;

	for (; p != NULL && *p != 0; p++) {
		if (*p < '0' || *p > '9')
			continue;
		for (n = 0; *p >= '0' && *p <= '9'; p++)
			n = n * 10 + (unsigned)(*p - '0');
		v = n;
		if (*p == 0)
			break;
	}
	return v;
}

/* HELLO with version 2 (PROTOCOL.md, "Version negotiation"): a server
 * that refuses it is older, and we say so rather than fall back. */
static void
hello(struct cconn *c)
{
	const struct copts *o = c->o;
	struct reply *rp = &c->rp;
	struct buf b;
	size_t n;
	unsigned v;

	cconn_buf(c, &b);
	buf_u16(&b, PROTO_V2);
	cconn_send(c, T_HELLO, b.p, b.len, "during hello");
	n = cconn_recv(c, &rp->type, "during hello");
	rd_init(&rp->body, c->frame, n);
	if (reply_get(&rp->body, &rp->status, rp->text) < 0 ||
	    (rp->type != (T_REPLY | T_HELLO) && rp->type != T_ERROR))
		die(EXIT_NET, "%s:%u does not speak the cairn protocol",
		    o->server, o->port);
	cconn_tidy(rp->text, sizeof rp->text);
	if (rp->type == T_ERROR && rp->status == ST_BAD_REQUEST) {
		v = named_version(rp->text);
		if (v > 0 && v < PROTO_V2)
			die(EXIT_REFUSED, "%s:%u runs an older cairnd (protocol "
			    "version %u); this cairn speaks version %u: upgrade "
			    "cairnd there (a new cairnd still serves version 1 "
			    "clients)", o->server, o->port, v, PROTO_V2);
		die(EXIT_REFUSED, "%s:%u does not speak protocol version %u "
		    "(it says: %s); this cairn speaks version %u", o->server,
		    o->port, PROTO_V2, rp->text, PROTO_V2);
	}
	if (rp->type == T_ERROR || rp->status != ST_OK)
		die(EXIT_REFUSED, "%s:%u refused us: %s", o->server, o->port,
		    rp->text);
	c->version = rd_u16(&rp->body);
	rd_str(&rp->body, TLS_NAME_MAX, &n);
	c->server_flags = rd_u32(&rp->body);
	if (c->version != PROTO_V2 || rd_end(&rp->body) < 0)
		die(EXIT_NET, "%s:%u: malformed answer to HELLO", o->server,
		    o->port);
}

void
cconn_open(struct cconn *c, const struct copts *o)
{
	c->o = o;
	c->tab = NULL;
	c->qhead = c->qlen = 0;
	c->version = 0;		/* until HELLO is answered */
	handshake(c, o);
	hello(c);
}

void
cconn_close(struct cconn *c)
{
	tls_close(&c->t);
}

void
cconn_lost(struct cconn *c, const char *when)
{
	char why[TLS_WHY_MAX];

	tls_why(&c->t, why, sizeof why);
	if (when == NULL)
		die(EXIT_NET, "%s:%u: connection lost: %s", c->o->server,
		    c->o->port, why);
	die(EXIT_NET, "%s:%u: connection lost %s: %s", c->o->server,
	    c->o->port, when, why);
}

void
cconn_buf(struct cconn *c, struct buf *b)
{
	buf_init(b, c->frame, sizeof c->frame);
}

void
cconn_send(struct cconn *c, unsigned type, const void *p, size_t n,
    const char *when)
{
	if (frame_send(&c->t, type, p, n) < 0)
		cconn_lost(c, when);
	c->sent_ms = port_ms();
}

size_t
cconn_recv(struct cconn *c, unsigned *type, const char *when)
{
	size_t n;

	do {
		if (frame_recv(&c->t, type, c->frame, &n) < 0)
			cconn_lost(c, when);
		/* v2: a server busy for long says so; nothing to answer */
	} while (c->version == PROTO_V2 && *type == T_KEEPALIVE && n == 0);
	return n;
}

/* The check of a reply decoded in c->rp, for a request of type. */
static void
check_reply(const struct cconn *c, unsigned type, const struct check *k,
    int bad)
{
	const struct copts *o = c->o;
	const struct reply *rp = &c->rp;

	if (bad && k->strict)
		die(EXIT_NET, "malformed reply from %s", o->server);
	if (bad)
		die(EXIT_NET, "%s:%u sent a malformed reply", o->server,
		    o->port);
	if (k->strict && (rp->type == T_ERROR || rp->status != ST_OK))
		die(EXIT_REFUSED, "%s: %s", k->refusal, rp->text);
	if (rp->type == T_ERROR)
		die(rp->status == ST_BAD_REQUEST ? EXIT_NET : EXIT_REFUSED,
		    "%s: %s", k->refusal, rp->text);
	if (rp->type != (T_REPLY | type))
		die(EXIT_NET, "%s:%u sent a reply out of order", o->server,
		    o->port);
}

struct reply *
cconn_reply(struct cconn *c, unsigned type, const struct check *k)
{
	struct reply *rp = &c->rp;
	size_t n;
	int bad;

	n = cconn_recv(c, &rp->type, k->when);
	rd_init(&rp->body, c->frame, n);
	if (rp->type == T_ITEM && k->items)
		return rp;
	bad = reply_get(&rp->body, &rp->status, rp->text) < 0;
	if (!bad)
		cconn_tidy(rp->text, sizeof rp->text);
	check_reply(c, type, k, bad);
	return rp;
}

struct reply *
cconn_request(struct cconn *c, unsigned type, const struct buf *b,
    const struct check *k)
{
	cconn_send(c, type, b->p, b->len, k->when);
	return cconn_reply(c, type, k);
}

void
cconn_keepalive(struct cconn *c)
{
	uint64_t now = port_ms();

	if (now - c->sent_ms < KEEPALIVE_MS)
		return;
	cconn_send(c, T_KEEPALIVE, NULL, 0, "while hashing");
	if (tls_flush(&c->t) < 0)
		cconn_lost(c, "while hashing");
}

int
cconn_hash(struct cconn *c, int fd, uint8_t md[MD5_LEN])
{
	struct md5 m;
	long n;

	md5_init(&m);
	while ((n = port_read(fd, c->data, sizeof c->data, -1)) > 0) {
		md5_update(&m, c->data, (size_t)n);
		cconn_keepalive(c);
	}
	if (n < 0)
		return -1;
	md5_final(&m, md);
	return 0;
}

/* ---- the pipeline -------------------------------------------------------- */

void
cconn_pipeline(struct cconn *c, const struct reply_table *tab, void *ctx)
{
	c->tab = tab;
	c->ctx = ctx;
}

void
cconn_push(struct cconn *c, unsigned type, const struct entry *e)
{
	struct pending *p;

	if (c->qlen >= PIPELINE_MAX)
		BUG("pipeline overflow");
	p = &c->q[(c->qhead + c->qlen++) % PIPELINE_MAX];
	p->type = type;
	entry_copy(&p->e, e);
}

void
cconn_take(struct cconn *c)
{
	const struct reply_table *tab = c->tab;
	struct reply *rp;
	unsigned type;
	size_t i;

	if (c->qlen == 0 || tab == NULL)
		BUG("no request pending");
	type = c->q[c->qhead].type;
	rp = cconn_reply(c, type, &tab->check);
	/* The slot is free once read: a handler may push a request. */
	entry_copy(&c->cur, &c->q[c->qhead].e);
	c->qhead = (c->qhead + 1) % PIPELINE_MAX;
	c->qlen--;
	for (i = 0; i < tab->n; i++)
		if (tab->rows[i].type == type) {
			tab->rows[i].handle(c->ctx, &c->cur, rp);
			return;
		}
	BUG("a request without a reply handler");
}

void
cconn_room(struct cconn *c)
{
	while (c->qlen >= PIPELINE_MAX)
		cconn_take(c);
}

void
cconn_drain(struct cconn *c)
{
	while (c->qlen > 0)
		cconn_take(c);
}

const struct item_row *
item_find(const struct item_row *rows, size_t n, unsigned kind)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].kind == kind)
			return &rows[i];
	return NULL;
}
