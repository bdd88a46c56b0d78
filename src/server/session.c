/*
 * session.c — the server side of protocol v1 for one connection:
 * handshake, identify the client by its certificate, then answer frames
 * in order until BACKUP_COMPLETE or the client leaves.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "path.h"
#include "port.h"
#include "proto.h"
#include "session.h"
#include "store.h"
#include "util.h"

static struct tls conn;
static struct store st;
static struct entry ent;
static uint8_t in[FRAME_MAX];
static uint8_t out[FRAME_MAX];
static int began;

/* A client name is a safe directory name: [A-Za-z0-9._-], 1..64 bytes,
 * not starting with '.' or '-'. */
static int
client_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > TLS_NAME_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-'))
			return 0;
	}
	return 1;
}

static int
reply(unsigned type, unsigned status, const char *text, struct buf *body)
{
	struct buf b;

	buf_init(&b, out, sizeof out);
	reply_start(&b, status, text);
	if (body != NULL)
		buf_put(&b, body->p, body->len);
	if (b.err)
		BUG("reply too large");
	return frame_send(&conn, T_REPLY | type, b.p, b.len);
}

/* Tell the client why we stop, then stop. */
static int
fatal(const char *who, unsigned status, const char *text)
{
	struct buf b;

	msg("%s: %s", who, text);
	buf_init(&b, out, sizeof out);
	reply_start(&b, status, text);
	frame_send(&conn, T_ERROR, b.p, b.len);
	tls_flush(&conn);
	if (began)
		store_end(&st);
	began = 0;
	return EXIT_REFUSED;
}

int
session_run(int fd, const char *peer, struct tls_conf *conf,
    const struct server_opts *o)
{
	char text[MSG_MAX + 1], why[160], who[128];
	uint8_t body_store[TLS_NAME_MAX + SNAP_MAX + 32];
	struct buf body;
	struct rd r;
	unsigned type, status, version;
	size_t n, slen;
	const char *src;
	int rc = 0, hello = 0, got;

	switch (tls_server(&conn, conf, fd, o->handshake_ms)) {
	case 0:
		break;
	case 1:
		snprintf(text, sizeof text, "%s", tls_chain_why(&conn));
		return fatal(peer, ST_DENIED, text);
	default:
		msg("%s: TLS handshake failed: %s", peer,
		    tls_why(&conn, why, sizeof why));
		return EXIT_NET;
	}
	snprintf(who, sizeof who, "%s (%s)", conn.peer_cn, peer);
	if (!client_name_ok(conn.peer_cn))
		return fatal(who, ST_DENIED, "the certificate's common name is "
		    "not a usable client name (letters, digits, '.', '_', '-')");
	conn.timeout_ms = o->idle_ms;

	for (;;) {
		got = frame_recv(&conn, &type, in, &n);
		if (got == -2)
			return fatal(who, ST_BAD_REQUEST,
			    "malformed frame header");
		if (got < 0) {
			if (!(conn.eof && !began))
				msg("%s: connection lost: %s", who,
				    tls_why(&conn, why, sizeof why));
			rc = EXIT_NET;
			break;
		}
		rd_init(&r, in, n);
		if (!hello && type != T_HELLO)
			return fatal(who, ST_BAD_REQUEST, "HELLO must come "
			    "first");
		switch (type) {
		case T_HELLO:
			version = rd_u16(&r);
			if (hello || rd_end(&r) < 0)
				return fatal(who, ST_BAD_REQUEST, "bad HELLO");
			if (version != PROTO_VERSION)
				return fatal(who, ST_BAD_REQUEST,
				    "unsupported protocol version (this server "
				    "speaks version 1)");
			hello = 1;
			buf_init(&body, body_store, sizeof body_store);
			buf_u16(&body, PROTO_VERSION);
			buf_u16(&body, (unsigned)strlen(conn.peer_cn));
			buf_puts(&body, conn.peer_cn);
			if (body.err)
				BUG("HELLO body does not fit");
			reply(type, ST_OK, "hello", &body);
			break;
		case T_CHECK_SOURCE:
			src = rd_str(&r, PATH_LEN_MAX, &slen);
			if (began || rd_end(&r) < 0 || slen == 0)
				return fatal(who, ST_BAD_REQUEST,
				    "bad CHECK_SOURCE");
			status = store_begin(&st, o->root, conn.peer_cn, src,
			    slen, text, sizeof text);
			if (status != ST_OK) {
				reply(type, status, text, NULL);
				tls_flush(&conn);
				rc = EXIT_REFUSED;
				goto out;
			}
			began = 1;
			buf_init(&body, body_store, sizeof body_store);
			buf_u16(&body, ID_LEN);
			buf_puts(&body, st.id);
			buf_u16(&body, (unsigned)strlen(st.snap));
			buf_puts(&body, st.snap);
			if (body.err)
				BUG("CHECK_SOURCE body does not fit");
			reply(type, ST_OK, text, &body);
			info("%s: backup %s of %s begins snapshot %s", who,
			    st.id, st.source, st.snap);
			break;
		case T_OFFER:
			if (!began || entry_get(&r, &ent) < 0 || rd_end(&r) < 0)
				return fatal(who, ST_BAD_REQUEST, "bad OFFER");
			status = store_offer(&st, &ent, text, sizeof text);
			if (status == ST_BAD_REQUEST || status == ST_IO)
				return fatal(who, status, text);
			reply(type, status, text, NULL);
			break;
		case T_FILE_TRANSFER:
			if (!began || entry_get(&r, &ent) < 0 || rd_end(&r) < 0)
				return fatal(who, ST_BAD_REQUEST,
				    "bad FILE_TRANSFER");
			status = store_put_begin(&st, &ent, text, sizeof text);
			if (status != ST_OK)
				return fatal(who, status, text);
			break;
		case T_DATA_TRANSFER:
			if (!began)
				return fatal(who, ST_BAD_REQUEST, "stray data");
			status = store_put_data(&st, in, n, text, sizeof text);
			if (status != ST_OK)
				return fatal(who, status, text);
			break;
		case T_TRANSFER_COMPLETE:
			if (!began || n != 0)
				return fatal(who, ST_BAD_REQUEST,
				    "bad TRANSFER_COMPLETE");
			status = store_put_end(&st, text, sizeof text);
			if (status == ST_BAD_REQUEST || status == ST_IO)
				return fatal(who, status, text);
			reply(type, status, text, NULL);
			break;
		case T_KEEPALIVE:
			if (n != 0)
				return fatal(who, ST_BAD_REQUEST,
				    "bad KEEPALIVE");
			break;
		case T_BACKUP_COMPLETE:
			if (!began || n != 0)
				return fatal(who, ST_BAD_REQUEST,
				    "bad BACKUP_COMPLETE");
			status = store_commit(&st, text, sizeof text);
			buf_init(&body, body_store, sizeof body_store);
			buf_u16(&body, (unsigned)strlen(st.snap));
			buf_puts(&body, st.snap);
			buf_u64(&body, st.files);
			buf_u64(&body, st.bytes);
			buf_u64(&body, st.received);
			if (body.err)
				BUG("BACKUP_COMPLETE body does not fit");
			reply(type, status, text, &body);
			tls_flush(&conn);
			if (status == ST_OK)
				info("%s: backup %s snapshot %s: %llu files, "
				    "%llu received, %llu linked", who, st.id,
				    st.snap, (unsigned long long)st.files,
				    (unsigned long long)st.received,
				    (unsigned long long)st.linked);
			else
				rc = EXIT_REFUSED;
			tls_close(&conn);
			goto out;
		default:
			return fatal(who, ST_BAD_REQUEST, "unknown frame type");
		}
	}
out:
	if (began)
		store_end(&st);
	began = 0;
	return rc;
}
