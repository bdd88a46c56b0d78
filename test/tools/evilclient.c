/*
 * evilclient.c — a hostile cairn client, for test/e2e/t_hostile.sh.
 *
 *   evilclient HOST PORT SERVER_NAME CERT KEY CA SCENARIO [ARG] [--idle S]
 *       [--count N]
 *
 * It connects with a valid client certificate over real TLS, says HELLO
 * and CHECK_SOURCE (source "/evilclient/SCENARIO") as cairn does, then
 * breaks the protocol (PROTOCOL.md: version 1, or version 2 for the
 * scenarios named v2* and hello3, which say HELLO 2) in the one way
 * SCENARIO names, and prints one line: what it sent, what the server
 * answered, and a verdict, "refused" or "ACCEPTED". Scenarios: see the
 * table at the end. A v2 scenario first sends a valid OFFER_BATCH (or
 * upload) and needs it accepted, so that a server without v2 backups
 * fails it (exit 2) rather than refusing by not knowing the frame.
 *
 * Exit status: 0 the server refused as it must (T_ERROR, an error status,
 * or it closed the connection); 1 it accepted something it must not, kept
 * a connection open it had to close, or did not answer; 2 usage error, or
 * the scenario could not be set up (no connection, an unexpected answer
 * to a valid request).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "evil.h"
#include "md5.h"
#include "port.h"
#include "proto.h"
#include "tls.h"
#include "util.h"

#define ANSWER_MS 20000		/* the server answers within this, or fails */
#define CONNECT_MS 10000
#define STALL_MAX 256		/* stall: the most connections held */
#define STALL_AGAIN_MS 100	/* stall: pause before a reconnect */

/* What a scenario needs before it starts. */
enum {
	S_NO_SOURCE = 1,	/* HELLO only, no CHECK_SOURCE */
	S_NO_HELLO = 2,		/* the TLS handshake only */
	S_NO_TLS = 4,		/* the TCP connection only */
	S_NO_CONNECT = 8,	/* nothing: the scenario connects itself */
	S_V2 = 16,		/* HELLO 2 (and the v2 reply) */
	S_DRY = 32		/* CHECK_SOURCE with DRY_RUN (a v2 dry run) */
};

/* Verdicts. */
enum { REFUSED = 0, ACCEPTED = 1 };

/* One frame from the server, or the end of the connection. */
struct answer {
	int closed;		/* no frame: the connection ended */
	int timed_out;		/* ... or nothing came within the timeout */
	unsigned type;
	unsigned status;	/* replies and T_ERROR */
	char text[MSG_MAX + 1];
	struct rd body;		/* what follows status and message */
};

static const char *host, *server_name, *cert, *key, *ca;
static unsigned port;
static unsigned idle_s = 70;	/* flood: the server must close by then */
static unsigned stall_count = 16;	/* stall: connections held */
static volatile sig_atomic_t stall_stop;
static const char *scenario;
static struct tls_conf conf;
static int conf_loaded;
static struct tls conn;
static int conn_open;		/* conn.fd is ours to close */
static int tcp_fd = -1;		/* S_NO_TLS: the bare connection */
static uint8_t out[FRAME_MAX];	/* a request being built */
static uint8_t in[FRAME_MAX];	/* the last frame received */
static unsigned hello_version = PROTO_V1;	/* S_V2: PROTO_V2 */
static char backup_id[64];	/* as CHECK_SOURCE answered */
static char line[8192];		/* what happened, in words */
static size_t line_len;

/* Add to the description of what happened. */
static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (line_len >= sizeof line - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line + line_len, sizeof line - line_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		line_len += (size_t)n < sizeof line - line_len ? (size_t)n :
		    sizeof line - line_len - 1;
}

/* ---- the connection ------------------------------------------------------ */

/* Connect, and unless told otherwise do the handshake, HELLO and
 * CHECK_SOURCE source. Any failure stops the program (exit 2). */
static void
open_session(int flags, const char *source)
{
	char why[160], text[MSG_MAX + 1];
	struct buf b;
	struct rd r;
	unsigned type, status;
	size_t n;
	int fd;

	if (!conf_loaded && !(flags & S_NO_TLS)) {
		if (tls_conf_load(&conf, cert, key, ca, NULL) < 0)
			die(2, "cannot load %s, %s, %s", cert, key, ca);
		conf_loaded = 1;
	}
	if (flags & S_NO_CONNECT)
		return;
	if (conn_open)
		port_close(conn.fd);
	conn_open = 0;
	fd = port_tcp_connect(host, port, CONNECT_MS);
	if (fd < 0)
		die(2, "cannot connect to %s:%u: %s", host, port,
		    strerror(errno));
	if (flags & S_NO_TLS) {
		tcp_fd = fd;
		return;
	}
	conn_open = 1;
	if (tls_client(&conn, &conf, fd, server_name, ANSWER_MS) < 0)
		die(2, "TLS handshake with %s:%u failed: %s", host, port,
		    tls_why(&conn, why, sizeof why));
	if (flags & S_NO_HELLO)
		return;

	buf_init(&b, out, sizeof out);
	buf_u16(&b, hello_version);
	if (frame_send(&conn, T_HELLO, b.p, b.len) < 0 ||
	    frame_recv(&conn, &type, in, &n) < 0)
		die(2, "HELLO: connection lost: %s",
		    tls_why(&conn, why, sizeof why));
	rd_init(&r, in, n);
	if (reply_get(&r, &status, text) < 0 ||
	    type != (T_REPLY | T_HELLO) || status != ST_OK)
		die(2, "HELLO: unexpected answer: type 0x%02x status %u \"%s\"",
		    type, status, text);
	if (rd_u16(&r) != hello_version)
		die(2, "HELLO %u: the server answered another version",
		    hello_version);
	if (flags & S_NO_SOURCE)
		return;

	buf_init(&b, out, sizeof out);
	put_str(&b, source, strlen(source));
	if (hello_version == PROTO_V2)
		buf_u8(&b, (flags & S_DRY) ? RQ_DRY_RUN : 0);	/* flags */
	if (frame_send(&conn, T_CHECK_SOURCE, b.p, b.len) < 0 ||
	    frame_recv(&conn, &type, in, &n) < 0)
		die(2, "CHECK_SOURCE: connection lost: %s",
		    tls_why(&conn, why, sizeof why));
	rd_init(&r, in, n);
	if (reply_get(&r, &status, text) < 0 ||
	    type != (T_REPLY | T_CHECK_SOURCE) || status != ST_OK ||
	    get_str(&r, backup_id, sizeof backup_id) < 0)
		die(2, "CHECK_SOURCE: unexpected answer: type 0x%02x status %u "
		    "\"%s\"", type, status, text);
}

/* The session every scenario starts with, named after it. */
static void
open_default(int flags)
{
	char source[128];

	snprintf(source, sizeof source, "/evilclient/%s", scenario);
	hello_version = (flags & S_V2) ? PROTO_V2 : PROTO_V1;
	open_session(flags, source);
}

/* ---- sending ------------------------------------------------------------- */

/* One well-formed frame, sent at once. A failure is not fatal: the
 * server may have closed already, and reading tells. */
static void
send_frame(unsigned type, const void *p, size_t n)
{
	if (frame_send(&conn, type, p, n) == 0)
		tls_flush(&conn);
}

/* A frame header exactly as given, then n bytes of p, sent at once. */
static void
send_raw(unsigned type, unsigned reserved, unsigned len, const void *p,
    size_t n)
{
	uint8_t h[FRAME_HDR];

	h[0] = (uint8_t)type;
	h[1] = (uint8_t)reserved;
	h[2] = (uint8_t)(len >> 8);
	h[3] = (uint8_t)len;
	if (tls_write(&conn, h, sizeof h) == 0 &&
	    (n == 0 || tls_write(&conn, p, n) == 0))
		tls_flush(&conn);
}

/* An entry in a frame of type (OFFER, FILE_TRANSFER), path as given. */
static void
send_entry(unsigned ftype, unsigned etype, const char *path, size_t plen,
    uint64_t size, const uint8_t *md5, const char *target)
{
	struct buf b;

	buf_init(&b, out, sizeof out);
	if (evil_entry(&b, etype, path, plen, size, md5, MD5_LEN, target,
	    target != NULL ? strlen(target) : 0) < 0)
		BUG("entry does not fit a frame");
	send_frame(ftype, b.p, b.len);
}

static void
offer_dir(const char *path)
{
	send_entry(T_OFFER, E_DIR, path, strlen(path), 0, NULL, NULL);
}

static void
offer_file(const char *path, uint64_t size, const uint8_t *md5)
{
	send_entry(T_OFFER, E_FILE, path, strlen(path), size, md5, NULL);
}

static void
send_data(const void *p, size_t n)
{
	send_frame(T_DATA_TRANSFER, p, n);
}

/* A request whose payload is strings (LIST, RESTORE, FETCH, REMOVE). */
static void
send_strs(unsigned type, const char *a, const char *b2)
{
	struct buf b;

	buf_init(&b, out, sizeof out);
	put_str(&b, a, strlen(a));
	if (b2 != NULL)
		put_str(&b, b2, strlen(b2));
	send_frame(type, b.p, b.len);
}

/* ---- receiving ----------------------------------------------------------- */

/* The next frame from the server, or the end of the connection. */
static void
get_answer(struct answer *a)
{
	size_t n;
	int got;

	memset(a, 0, sizeof *a);
	got = frame_recv(&conn, &a->type, in, &n);
	if (got < 0) {
		a->closed = 1;
		a->timed_out = conn.io_err == ETIMEDOUT;
		return;
	}
	rd_init(&a->body, in, n);
	if (a->type == T_ITEM)
		return;
	if (reply_get(&a->body, &a->status, a->text) < 0) {
		a->status = 255;
		snprintf(a->text, sizeof a->text, "(malformed reply)");
	}
}

/* Describe an answer. */
static void
say_answer(const struct answer *a)
{
	if (a->closed && a->timed_out)
		say("no answer within %d s", conn.timeout_ms / 1000);
	else if (a->closed)
		say("closed");
	else if (a->type == T_ERROR)
		say("T_ERROR %u %s \"%s\"", a->status, evil_status(a->status),
		    a->text);
	else if (a->type == T_ITEM)
		say("T_ITEM (kind %u)", a->body.len > 0 ? a->body.p[0] : 0);
	else
		say("0x%02x %s(%u) \"%s\"", a->type, evil_status(a->status),
		    a->status, a->text);
}

/* 1 if the answer refuses: T_ERROR or an error status, or the server
 * closed (a silence until our timeout is not a refusal). */
static int
is_refusal(const struct answer *a)
{
	if (a->closed)
		return !a->timed_out;
	if (a->type == T_ITEM)
		return 0;
	return a->type == T_ERROR || a->status >= ST_BAD_REQUEST;
}

/* After a T_ERROR the server must close: REFUSED if it did. */
static int
closed_after_error(void)
{
	struct answer a;

	get_answer(&a);
	if (a.closed && !a.timed_out) {
		say(", then closed");
		return REFUSED;
	}
	say(", then (must close) ");
	say_answer(&a);
	return ACCEPTED;
}

/* Read the answer to a request the server must refuse. */
static int
expect_refusal(void)
{
	struct answer a;

	get_answer(&a);
	say_answer(&a);
	if (!is_refusal(&a))
		return ACCEPTED;
	return a.type == T_ERROR && !a.closed ? closed_after_error() : REFUSED;
}

/* Read the answer to a valid request: it must be a reply of type
 * (T_REPLY | req) with status st, else the scenario cannot go on. */
static void
expect(const char *what, unsigned req, unsigned st, struct answer *a)
{
	get_answer(a);
	if (!a->closed && a->type == (T_REPLY | req) && a->status == st)
		return;
	say("%s -> ", what);
	say_answer(a);
	die(2, "%s: %s: unexpected answer to a valid request (want %s)",
	    scenario, line, evil_status(st));
}

/* ---- scenarios ------------------------------------------------------------ */

/* An OFFER of one file with a bad path: fatal. */
static int
bad_path(const char *path, size_t plen, const char *shown_as)
{
	say("OFFER file %s -> ", shown_as);
	send_entry(T_OFFER, E_FILE, path, plen, 4, NULL, NULL);
	return expect_refusal();
}

static int
sc_dotdot(const char *arg)
{
	return bad_path("../x", 4, "\"../x\"");
}

static int
sc_abs(const char *arg)
{
	return bad_path("/etc/x", 6, "\"/etc/x\"");
}

static int
sc_updown(const char *arg)
{
	struct answer a;

	offer_dir("a");
	expect("OFFER dir \"a\"", T_OFFER, ST_OK, &a);
	say("OFFER dir \"a\" -> OK; ");
	return bad_path("a/../../x", 9, "\"a/../../x\"");
}

static int
sc_nul(const char *arg)
{
	return bad_path("a\0b", 3, "\"a\\0b\" (3 bytes)");
}

static int
sc_longcomp(const char *arg)
{
	static char p[300];

	memset(p, 'c', sizeof p);
	return bad_path(p, sizeof p, "of one 300-byte component");
}

static int
sc_longpath(const char *arg)
{
	static char p[5000];
	size_t i;

	/* Components of 99 bytes: only the total length is wrong. */
	for (i = 0; i < sizeof p; i++)
		p[i] = i % 100 == 99 ? '/' : 'p';
	return bad_path(p, sizeof p, "of 5000 bytes");
}

/* FILE_TRANSFER of a file offered (and needed), data in pieces of the
 * given sizes taken from data, then TRANSFER_COMPLETE. */
static void
upload(const char *path, uint64_t size, const uint8_t *md5,
    const uint8_t *data, const size_t *pieces, size_t npieces)
{
	size_t i, off = 0;

	send_entry(T_FILE_TRANSFER, E_FILE, path, strlen(path), size, md5,
	    NULL);
	for (i = 0; i < npieces; i++) {
		send_data(data + off, pieces[i]);
		off += pieces[i];
	}
	send_frame(T_TRANSFER_COMPLETE, NULL, 0);
}

/* BACKUP_COMPLETE, and what it answers; -1 if not an OK reply. */
static int
backup_complete(uint64_t *files, uint64_t *bytes, uint64_t *received)
{
	char snap[64];
	struct answer a;

	send_frame(T_BACKUP_COMPLETE, NULL, 0);
	get_answer(&a);
	say("BACKUP_COMPLETE -> ");
	say_answer(&a);
	if (a.closed || a.type != (T_REPLY | T_BACKUP_COMPLETE) ||
	    a.status != ST_OK)
		return -1;
	if (get_str(&a.body, snap, sizeof snap) < 0)
		return -1;
	*files = rd_u64(&a.body);
	*bytes = rd_u64(&a.body);
	*received = rd_u64(&a.body);
	if (rd_end(&a.body) < 0)
		return -1;
	say(" id=%s snapshot=%s files=%llu bytes=%llu received=%llu",
	    backup_id, snap,
	    (unsigned long long)*files, (unsigned long long)*bytes,
	    (unsigned long long)*received);
	return 0;
}

/* good.txt, then bad.txt whose data does not match its offer (npieces
 * pieces of its 10 bytes): BAD_DATA, and the snapshot holds good.txt only. */
static int
one_bad(const char *bad_name, const size_t *pieces, size_t npieces,
    const char *what)
{
	static const size_t ten[] = { 10 };
	uint8_t good[10], bad[10], gmd[MD5_LEN], bmd[MD5_LEN];
	uint64_t files, bytes, received;
	struct answer a;
	char path[64];

	port_random(good, sizeof good);
	port_random(bad, sizeof bad);
	evil_md5(good, sizeof good, gmd);
	evil_md5(bad, sizeof bad, bmd);
	snprintf(path, sizeof path, "%s.txt", bad_name);
	offer_file("good.txt", 10, gmd);
	offer_file(path, 10, bmd);
	expect("OFFER good.txt", T_OFFER, ST_NEED, &a);
	expect("OFFER bad", T_OFFER, ST_NEED, &a);
	upload("good.txt", 10, gmd, good, ten, 1);
	expect("good.txt: 10 of 10 bytes", T_TRANSFER_COMPLETE, ST_OK, &a);
	say("good.txt stored; %s: %s -> ", path, what);
	if (npieces == 0) {
		bad[0] ^= 0xff;		/* the whole size, other bytes */
		upload(path, 10, bmd, bad, ten, 1);
	} else {
		upload(path, 10, bmd, bad, pieces, npieces);
	}
	get_answer(&a);
	say_answer(&a);
	if (!is_refusal(&a))
		return ACCEPTED;
	if (a.type == T_ERROR || a.closed)
		return a.closed ? REFUSED : closed_after_error();
	say("; ");
	if (backup_complete(&files, &bytes, &received) < 0)
		return ACCEPTED;
	/* Only good.txt may be in the snapshot. */
	return files == 1 && bytes == 10 && received == 1 ? REFUSED : ACCEPTED;
}

static int
sc_short(const char *arg)
{
	static const size_t nine[] = { 9 };

	return one_bad("short", nine, 1, "9 of 10 bytes");
}

static int
sc_wrongmd5(const char *arg)
{
	return one_bad("wrongmd5", NULL, 0, "10 of 10 bytes, another MD5");
}

static int
sc_long(const char *arg)
{
	static const size_t pieces[] = { 6, 5 };
	uint8_t data[11], md[MD5_LEN];
	struct answer a;

	port_random(data, sizeof data);
	evil_md5(data, 10, md);
	offer_file("long.txt", 10, md);
	expect("OFFER long.txt", T_OFFER, ST_NEED, &a);
	say("long.txt declared 10 bytes, DATA 6 + 5 bytes, "
	    "TRANSFER_COMPLETE -> ");
	upload("long.txt", 10, md, data, pieces, 2);
	return expect_refusal();
}

static int
sc_md5len(const char *arg)
{
	struct buf b;

	say("OFFER file \"m.txt\" with a 15-byte md5 (frame one byte short) "
	    "-> ");
	buf_init(&b, out, sizeof out);
	evil_entry(&b, E_FILE, "m.txt", 5, 4, NULL, MD5_LEN - 1, "", 0);
	send_frame(T_OFFER, b.p, b.len);
	return expect_refusal();
}

static int
sc_huge(const char *arg)
{
	static uint8_t zeros[4 * DATA_CHUNK];
	static const size_t pieces[] = { DATA_CHUNK, DATA_CHUNK, DATA_CHUNK,
	    DATA_CHUNK };
	const uint64_t size = (uint64_t)1 << 63;
	uint8_t md[MD5_LEN];
	uint64_t files, bytes, received;
	struct answer a;

	port_random(md, sizeof md);
	say("OFFER file \"huge.bin\" size 2^63 -> ");
	offer_file("huge.bin", size, md);
	get_answer(&a);
	say_answer(&a);
	if (is_refusal(&a))	/* refusing such a size is fine too */
		return a.type == T_ERROR && !a.closed ?
		    closed_after_error() : REFUSED;
	if (a.type != (T_REPLY | T_OFFER) || a.status != ST_NEED)
		return ACCEPTED;	/* "have it": it cannot have it */
	say("; FILE_TRANSFER, 4 x %d bytes, TRANSFER_COMPLETE -> ",
	    DATA_CHUNK);
	upload("huge.bin", size, md, zeros, pieces, 4);
	get_answer(&a);
	say_answer(&a);
	if (!is_refusal(&a))
		return ACCEPTED;
	if (a.type == T_ERROR || a.closed)
		return a.closed ? REFUSED : closed_after_error();
	say("; ");
	if (backup_complete(&files, &bytes, &received) < 0)
		return ACCEPTED;
	return files == 0 && bytes == 0 && received == 0 ? REFUSED : ACCEPTED;
}

static int
sc_bigframe(const char *arg)
{
	static uint8_t part[1000];
	struct answer a;

	/* A header promising 65535 bytes, 1000 of them, then we go. */
	say("OFFER header claiming 65535 bytes, 1000 sent, then TCP closed "
	    "-> ");
	send_raw(T_OFFER, 0, 0xffff, part, sizeof part);
	if (port_wait_readable(conn.fd, 1500) == 1) {
		get_answer(&a);
		say_answer(&a);
		say(" (before the frame was complete)");
	} else {
		say("nothing (it waits for the rest)");
	}
	port_close(conn.fd);
	conn_open = 0;

	/* A second connection: a header whose reserved byte is not 0. */
	open_session(0, "/evilclient/bigframe-reserved");
	say("; header 03 01 00 00 (reserved byte 1) -> ");
	send_raw(T_OFFER, 1, 0, NULL, 0);
	return expect_refusal();
}

static int
sc_unknowntype(const char *arg)
{
	say("frame type 0x7f -> ");
	send_frame(0x7f, NULL, 0);
	return expect_refusal();
}

static int
sc_linkthenfile(const char *arg)
{
	const char *target = arg != NULL ? arg : "/etc";
	uint8_t md[MD5_LEN];
	struct answer a;

	evil_md5("root\n", 5, md);
	offer_dir("d");
	send_entry(T_OFFER, E_LINK, "d/l", 3, 0, NULL, target);
	offer_file("d/l/passwd", 5, md);
	expect("OFFER dir \"d\"", T_OFFER, ST_OK, &a);
	say("OFFER dir \"d\" -> OK; OFFER link \"d/l\" -> \"%s\" -> ", target);
	get_answer(&a);
	say_answer(&a);
	if (is_refusal(&a))	/* refusing the link is fine too */
		return a.type == T_ERROR && !a.closed ?
		    closed_after_error() : REFUSED;
	say("; OFFER file \"d/l/passwd\" -> ");
	return expect_refusal();
}

static int
sc_order(const char *arg)
{
	struct answer a;

	offer_dir("b");
	offer_dir("a");
	expect("OFFER dir \"b\"", T_OFFER, ST_OK, &a);
	say("OFFER dir \"b\" -> OK; OFFER dir \"a\" -> ");
	return expect_refusal();
}

static int
sc_twice(const char *arg)
{
	struct answer a;

	offer_dir("a");
	offer_dir("a");
	expect("OFFER dir \"a\"", T_OFFER, ST_OK, &a);
	say("OFFER dir \"a\" -> OK; OFFER dir \"a\" again -> ");
	return expect_refusal();
}

static int
sc_needmax(const char *arg)
{
	char path[32];
	uint8_t md[MD5_LEN];
	struct answer a;
	unsigned i;

	/* 65 files needing data, none sent: the 65th is one too many. */
	for (i = 0; i <= 64; i++) {
		snprintf(path, sizeof path, "f%03u", i);
		port_random(md, sizeof md);
		offer_file(path, 1, md);
	}
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof path, "OFFER f%03u", i);
		expect(path, T_OFFER, ST_NEED, &a);
	}
	say("64 OFFERs -> NEED each; a 65th needing data -> ");
	return expect_refusal();
}

static int
sc_offermid(const char *arg)
{
	uint8_t data[10], md[MD5_LEN];
	struct answer a;

	port_random(data, sizeof data);
	evil_md5(data, sizeof data, md);
	offer_file("a.txt", 10, md);
	expect("OFFER a.txt", T_OFFER, ST_NEED, &a);
	/* FILE_TRANSFER and 5 of 10 bytes, no TRANSFER_COMPLETE. */
	send_entry(T_FILE_TRANSFER, E_FILE, "a.txt", 5, 10, md, NULL);
	send_data(data, 5);
	say("FILE_TRANSFER a.txt, 5 of 10 bytes, then OFFER dir \"b\" -> ");
	offer_dir("b");
	return expect_refusal();
}

static int
sc_unasked(const char *arg)
{
	uint8_t md[MD5_LEN];

	evil_md5("abc", 3, md);
	say("FILE_TRANSFER \"x.txt\" never offered -> ");
	send_entry(T_FILE_TRANSFER, E_FILE, "x.txt", 5, 3, md, NULL);
	send_data("abc", 3);
	send_frame(T_TRANSFER_COMPLETE, NULL, 0);
	return expect_refusal();
}

/* One request about someone else's backup: refused, and if the server
 * closed for it, a new session for the next one. */
static int
not_ours(unsigned type, const char *name, const char *id, int with_snap)
{
	struct answer a;

	say("%s \"%s\" -> ", name, id);
	send_strs(type, id, with_snap ? "" : NULL);
	get_answer(&a);
	say_answer(&a);
	if (!is_refusal(&a))
		return ACCEPTED;
	if (a.type == T_ERROR && !a.closed && closed_after_error() != REFUSED)
		return ACCEPTED;
	if (a.type == T_ERROR || a.closed)
		open_default(S_NO_SOURCE);
	return REFUSED;
}

static int
sc_otherid(const char *arg)
{
	static const struct {
		unsigned type;
		const char *name;
		int with_snap, up;
	} steps[] = {
		{ T_LIST, "LIST", 0, 0 },
		{ T_RESTORE, "RESTORE", 1, 0 },
		{ T_REMOVE, "REMOVE", 1, 0 },
		{ T_LIST, "LIST", 0, 1 },
		{ T_RESTORE, "RESTORE", 1, 1 },
		{ T_REMOVE, "REMOVE", 1, 1 },
	};
	char up[64];
	size_t i;

	if (arg == NULL || strlen(arg) > 40)
		die(2, "otherid wants another client's backup id");
	snprintf(up, sizeof up, "../bob/%s", arg);
	/* After an answer that accepts, the replies would be out of step:
	 * stop there. */
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		if (i > 0)
			say("; ");
		if (not_ours(steps[i].type, steps[i].name,
		    steps[i].up ? up : arg, steps[i].with_snap) != REFUSED)
			return ACCEPTED;
	}
	return REFUSED;
}

/* FETCH path in a restoring session: the server must not send it. */
static int
fetch_refused(const char *path)
{
	struct answer a;

	say("FETCH \"%s\" -> ", path);
	send_strs(T_FETCH, path, NULL);
	get_answer(&a);
	say_answer(&a);
	if (!is_refusal(&a))
		return ACCEPTED;
	if (a.type == T_ERROR && !a.closed)
		return closed_after_error();
	return REFUSED;
}

static int
sc_fetchlink(const char *arg)
{
	char target[PATH_CAP], id[64];
	uint64_t files, bytes, received;
	struct answer a;
	int v;

	/* A backup of two symlinks out of the store: legitimate. */
	if (arg == NULL || strlen(arg) + 16 > sizeof target)
		die(2, "fetchlink wants a directory outside the store");
	snprintf(target, sizeof target, "%s/victim.txt", arg);
	send_entry(T_OFFER, E_LINK, "dl", 2, 0, NULL, arg);
	send_entry(T_OFFER, E_LINK, "l", 1, 0, NULL, target);
	expect("OFFER link \"dl\"", T_OFFER, ST_OK, &a);
	expect("OFFER link \"l\"", T_OFFER, ST_OK, &a);
	say("links dl -> \"%s\", l -> \"%s\" backed up: ", arg, target);
	if (backup_complete(&files, &bytes, &received) < 0)
		die(2, "fetchlink: %s: the backup failed", line);
	snprintf(id, sizeof id, "%s", backup_id);

	/* Then restore it, and ask for the files the links point to. */
	open_session(S_NO_SOURCE, NULL);
	say("; RESTORE -> ");
	send_strs(T_RESTORE, id, "");
	expect("RESTORE", T_RESTORE, ST_OK, &a);
	say("OK");
	for (;;) {
		get_answer(&a);
		if (a.closed || a.type != T_ITEM)
			die(2, "fetchlink: %s: the restore's items end badly",
			    line);
		if (a.body.len > 0 && a.body.p[0] == I_END)
			break;
	}
	say("; ");
	v = fetch_refused("l");
	say("; ");
	v |= v == REFUSED ? fetch_refused("dl/victim.txt") : 0;
	return v;
}

static int
sc_fetchnorestore(const char *arg)
{
	say("FETCH \"x\" without RESTORE -> ");
	send_strs(T_FETCH, "x", NULL);
	return expect_refusal();
}

static int
sc_nohello(const char *arg)
{
	say("OFFER dir \"a\" before HELLO -> ");
	offer_dir("a");
	return expect_refusal();
}

static int
sc_flood(const char *arg)
{
	uint64_t t0 = port_ms();
	struct answer a;
	int frames = 0;

	say("TLS up, then silence -> ");
	conn.timeout_ms = (int)idle_s * 1000;
	for (;;) {
		get_answer(&a);
		if (a.closed)
			break;
		say_answer(&a);	/* a T_ERROR before closing is allowed */
		say("; ");
		if (++frames > 4)
			return ACCEPTED;
	}
	if (a.timed_out) {
		say("still open after %u s", idle_s);
		return ACCEPTED;
	}
	say("closed after %.1f s", (double)(port_ms() - t0) / 1000);
	return REFUSED;
}

static int
sc_nohandshake(const char *arg)
{
	uint64_t t0 = port_ms();
	uint8_t junk[512];
	long n;

	say("TCP up, no TLS handshake -> ");
	do
		n = port_read(tcp_fd, junk, sizeof junk, (int)idle_s * 1000);
	while (n > 0);	/* an alert may come before the close */
	if (n < 0 && errno == ETIMEDOUT) {
		say("still open after %u s", idle_s);
		return ACCEPTED;
	}
	say("closed after %.1f s", (double)(port_ms() - t0) / 1000);
	port_close(tcp_fd);
	return REFUSED;
}

static void
on_term(int sig)
{
	(void)sig;
	stall_stop = 1;
}

/* stall: (re)open every connection of p[0..stall_count) that is closed
 * and due again; counts in opened and failed. */
static void
stall_open(struct port_pollfd *p, uint64_t *again, const char *from,
    unsigned *opened, unsigned *failed)
{
	uint64_t now = port_ms();
	unsigned i;

	for (i = 0; i < stall_count && !stall_stop; i++) {
		if (p[i].fd >= 0 || again[i] > now)
			continue;
		p[i].fd = port_tcp_connect_from(from, host, port, 2000);
		if (p[i].fd >= 0)
			(*opened)++;
		else
			(*failed)++;
		again[i] = port_ms() + STALL_AGAIN_MS;
	}
}

/* stall: --count TCP connections from address ARG, never starting TLS,
 * each reopened when the server closes it, for --idle S or until
 * SIGTERM; then what the server did to them. */
static int
sc_stall(const char *from)
{
	static struct port_pollfd p[STALL_MAX];
	static uint64_t again[STALL_MAX];
	uint64_t t0 = port_ms();
	unsigned i, opened = 0, failed = 0, closed = 0, open = 0;
	char junk[512];

	if (from == NULL || stall_count > STALL_MAX)
		die(2, "stall wants a source address and --count 1..%d",
		    STALL_MAX);
	port_signal(SIGTERM, on_term);
	for (i = 0; i < stall_count; i++) {
		p[i].fd = -1;
		p[i].want = PORT_IN;
	}
	while (!stall_stop && port_ms() - t0 < (uint64_t)idle_s * 1000) {
		stall_open(p, again, from, &opened, &failed);
		if (port_poll(p, stall_count, 100) <= 0)
			continue;
		for (i = 0; i < stall_count; i++) {
			if (p[i].fd < 0 || !p[i].got ||
			    port_read(p[i].fd, junk, sizeof junk, 0) > 0)
				continue;	/* an alert comes before a close */
			port_close(p[i].fd);
			p[i].fd = -1;
			closed++;
		}
	}
	for (i = 0; i < stall_count; i++)
		if (p[i].fd >= 0) {
			open++;
			port_close(p[i].fd);
		}
	say("%u TCP connections from %s, no TLS, %.1f s -> %u opened, %u "
	    "closed by the server, %u connects failed, %u open at the end",
	    stall_count, from, (double)(port_ms() - t0) / 1000, opened,
	    closed, failed, open);
	return REFUSED;
}

/* A ClientHello record begun, then one byte every 2 s: the handshake
 * timeout must bound the whole handshake, not each read. */
static int
sc_drip(const char *arg)
{
	/* handshake record, TLS 1.0 framing, 512 bytes; ClientHello of 508
	 * bytes, TLS 1.2; then zeros (the random) */
	static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01,
	    0x00, 0x01, 0xfc, 0x03, 0x03 };
	uint64_t t0 = port_ms();
	uint8_t junk[512], b;
	size_t sent = 0;
	long n;

	say("a ClientHello, one byte every 2 s -> ");
	while (port_ms() - t0 < (uint64_t)idle_s * 1000) {
		b = sent < sizeof hello ? hello[sent] : 0;
		if (port_write(tcp_fd, &b, 1, 1000) != 1)
			goto closed;
		sent++;
		n = port_read(tcp_fd, junk, sizeof junk, 2000);
		if (n == 0 || (n < 0 && errno != ETIMEDOUT))
			goto closed;
	}
	say("still open after %u s (%zu bytes sent)", idle_s, sent);
	return ACCEPTED;
closed:
	say("closed after %.1f s (%zu bytes sent)",
	    (double)(port_ms() - t0) / 1000, sent);
	port_close(tcp_fd);
	return REFUSED;
}

/* ---- version 2 (PROTOCOL.md, "The v2 entry", "Limits added in v2") -------- */

/* A v2 entry from its parts; mode, times, owners are fixed. */
struct e2 {
	unsigned type, flags;
	const char *path;
	uint64_t size;
	const uint8_t *md5;	/* NULL: zeros */
	const char *target;	/* NULL: empty */
	const uint8_t *x;	/* xattrs as records */
	size_t xlen;
};

/* e as the v2 entry's fields, in the table's order, nothing checked. */
static void
put_e2(struct buf *b, const struct e2 *e)
{
	static const uint8_t zeros[MD5_LEN];
	const char *t = e->target != NULL ? e->target : "";

	buf_u8(b, e->type);
	buf_u8(b, e->flags);
	put_str(b, e->path, strlen(e->path));
	buf_u64(b, e->size);
	buf_u32(b, e->type == E_DIR ? 0755 : 0644);
	buf_u64(b, (uint64_t)EVIL_MTIME);
	buf_u32(b, 0);
	buf_u32(b, 1234);	/* uid, gid */
	buf_u32(b, 5678);
	put_str(b, "", 0);	/* user, group */
	put_str(b, "", 0);
	buf_put(b, e->md5 != NULL ? e->md5 : zeros, MD5_LEN);
	put_str(b, t, strlen(t));
	buf_u32(b, 0);		/* major, minor */
	buf_u32(b, 0);
	buf_u16(b, (unsigned)e->xlen);
	buf_put(b, e->x, e->xlen);
}

/* OFFER_BATCH: count as written (it need not be n), n entries, then
 * extra zero bytes. */
static void
send_batch(unsigned count, const struct e2 *e, size_t n, size_t extra)
{
	struct buf b;
	size_t i;

	buf_init(&b, out, sizeof out);
	buf_u16(&b, count);
	for (i = 0; i < n; i++)
		put_e2(&b, &e[i]);
	for (i = 0; i < extra; i++)
		buf_u8(&b, 0);
	if (b.err)
		BUG("batch does not fit a frame");
	send_frame(T_OFFER_BATCH, b.p, b.len);
}

/* A batch of one valid entry that the server must answer OK with status
 * st for it; else the scenario cannot go on (exit 2). */
static void
batch_ok(const char *what, const struct e2 *e, unsigned st)
{
	struct answer a;

	send_batch(1, e, 1, 0);
	expect(what, T_OFFER_BATCH, ST_OK, &a);
	if (rd_u16(&a.body) != 1 || rd_u8(&a.body) != st ||
	    rd_end(&a.body) < 0) {
		say("%s -> OK with another body", what);
		die(2, "%s: %s: want one status %s", scenario, line,
		    evil_status(st));
	}
	say("%s -> %s; ", what, evil_status(st));
}

static const struct e2 dir_a = { E_DIR, 0, "a", 0, NULL, NULL, NULL, 0 };

/* After a valid batch, one more that must be refused. */
static int
v2_refused(const char *what, const struct e2 *e, unsigned count, size_t n,
    size_t extra)
{
	batch_ok("OFFER_BATCH dir \"a\"", &dir_a, ST_OK);
	say("%s -> ", what);
	send_batch(count, e, n, extra);
	return expect_refusal();
}

/* ---- PRUNE and REMOVE v2 (PROTOCOL.md, "Browsing, restoring and removing
 * in v2") ---- */

#define NO_SUCH_ID "0000000000000000"

/* PRUNE of id with policy k and flags, cut bytes short of its end. */
static void
send_prune(const struct retention *k, unsigned flags, size_t cut)
{
	struct buf b;

	buf_init(&b, out, sizeof out);
	put_str(&b, NO_SUCH_ID, strlen(NO_SUCH_ID));
	retention_put(&b, k);
	buf_u8(&b, flags);
	send_frame(T_PRUNE, b.p, b.len - cut);
}

/* REMOVE v2 of no such backup, with flags (none: the v1 encoding). */
static void
send_remove(int with_flags, unsigned flags)
{
	struct buf b;

	buf_init(&b, out, sizeof out);
	put_str(&b, NO_SUCH_ID, strlen(NO_SUCH_ID));
	put_str(&b, "", 0);
	if (with_flags)
		buf_u8(&b, flags);
	send_frame(T_REMOVE, b.p, b.len);
}

/* After a valid dry PRUNE and REMOVE (answered NOT_FOUND, not fatal),
 * what must be refused. */
static void
valid_first(void)
{
	static const struct retention one = { 1, 0, 0, 0, 0, 0, 0 };
	struct answer a;

	send_prune(&one, RQ_DRY_RUN, 0);
	expect("PRUNE --dry-run of no such backup", T_PRUNE, ST_NOT_FOUND, &a);
	send_remove(1, RQ_DRY_RUN);
	expect("REMOVE --dry-run of no such backup", T_REMOVE, ST_NOT_FOUND,
	    &a);
	say("PRUNE and REMOVE --dry-run of no such backup -> NOT_FOUND; ");
}

static int
prune_refused(const char *what, const struct retention *k, unsigned flags,
    size_t cut)
{
	valid_first();
	say("PRUNE %s -> ", what);
	send_prune(k, flags, cut);
	return expect_refusal();
}

static int
sc_v2prunebig(const char *arg)
{
	const struct retention k = { 0, 0, RETAIN_MAX + 1, 0, 0, 0, 0 };

	return prune_refused("keep_daily 1000001", &k, 0, 0);
}

static int
sc_v2pruneoffset(const char *arg)
{
	const struct retention k = { 1, 0, 0, 0, 0, 0, UTC_OFFSET_MAX + 1 };

	return prune_refused("utc_offset 64801", &k, 0, 0);
}

static int
sc_v2pruneflags(const char *arg)
{
	const struct retention k = { 1, 0, 0, 0, 0, 0, 0 };

	return prune_refused("flags 0x02", &k, 2, 0);
}

static int
sc_v2pruneshort(const char *arg)
{
	const struct retention k = { 1, 0, 0, 0, 0, 0, 0 };

	return prune_refused("without its flags and a byte of utc_offset", &k,
	    0, 2);
}

static int
sc_v2prunenone(const char *arg)
{
	const struct retention k = { 0, 0, 0, 0, 0, 0, -3600 };

	return prune_refused("with a policy of all 0", &k, 0, 0);
}

static int
sc_v2removeflags(const char *arg)
{
	valid_first();
	say("REMOVE flags 0x80 -> ");
	send_remove(1, 0x80);
	return expect_refusal();
}

static int
sc_v2removeshort(const char *arg)
{
	valid_first();
	say("REMOVE without its flags (v1's encoding) -> ");
	send_remove(0, 0);
	return expect_refusal();
}

static int
sc_hello3(const char *arg)
{
	struct buf b;

	say("HELLO 3 -> ");
	buf_init(&b, out, sizeof out);
	buf_u16(&b, 3);
	send_frame(T_HELLO, b.p, b.len);
	return expect_refusal();
}

static int
sc_v2offer(const char *arg)
{
	say("HELLO 2, then a v1 OFFER dir \"a\" -> ");
	offer_dir("a");
	return expect_refusal();
}

static int
sc_v2batch0(const char *arg)
{
	return v2_refused("OFFER_BATCH count 0", NULL, 0, 0, 0);
}

static int
sc_v2batch257(const char *arg)
{
	static struct e2 e[OFFER_BATCH_MAX + 1];
	static char names[OFFER_BATCH_MAX + 1][8];
	size_t i;

	for (i = 0; i <= OFFER_BATCH_MAX; i++) {
		snprintf(names[i], sizeof names[i], "b%03zu", i);
		e[i] = dir_a;
		e[i].path = names[i];
	}
	return v2_refused("OFFER_BATCH of 257 directories", e,
	    OFFER_BATCH_MAX + 1, OFFER_BATCH_MAX + 1, 0);
}

static int
sc_v2batchshort(const char *arg)
{
	static const struct e2 e = { E_DIR, 0, "b", 0, NULL, NULL, NULL, 0 };

	return v2_refused("OFFER_BATCH count 2 holding one entry", &e, 2, 1,
	    0);
}

static int
sc_v2batchtrail(const char *arg)
{
	static const struct e2 e = { E_DIR, 0, "b", 0, NULL, NULL, NULL, 0 };

	return v2_refused("OFFER_BATCH of one entry and a byte more", &e, 1,
	    1, 1);
}

static int
sc_v2xattr(const char *arg)
{
	/* One record, "system.foo" = "v": not an allowed namespace. */
	static const uint8_t x[] = { 10, 's', 'y', 's', 't', 'e', 'm', '.',
	    'f', 'o', 'o', 0, 1, 'v' };
	static const struct e2 e = { E_DIR, 0, "b", 0, NULL, NULL, x,
	    sizeof x };

	return v2_refused("OFFER_BATCH dir \"b\" with xattr system.foo", &e, 1,
	    1, 0);
}

static int
sc_v2xattrorder(const char *arg)
{
	/* user.b before user.a. */
	static const uint8_t x[] = { 6, 'u', 's', 'e', 'r', '.', 'b', 0, 0,
	    6, 'u', 's', 'e', 'r', '.', 'a', 0, 0 };
	static const struct e2 e = { E_DIR, 0, "b", 0, NULL, NULL, x,
	    sizeof x };

	return v2_refused("OFFER_BATCH dir \"b\" with xattrs out of order", &e,
	    1, 1, 0);
}

/* A hard link "c" to target, size 4 with an MD5 of its own. */
static int
hard_to(const char *target, const char *shown)
{
	static uint8_t md[MD5_LEN];
	struct e2 e = { E_HARD, 0, "c", 4, md, NULL, NULL, 0 };
	char what[128];

	evil_md5("abcd", 4, md);
	e.target = target;
	snprintf(what, sizeof what, "OFFER_BATCH hard link \"c\" -> \"%s\" (%s)",
	    target, shown);
	return v2_refused(what, &e, 1, 1, 0);
}

static int
sc_v2hardlater(const char *arg)
{
	return hard_to("d", "a later path");
}

static int
sc_v2hardabsent(const char *arg)
{
	return hard_to("a/never", "never offered");
}

static int
sc_v2harddir(const char *arg)
{
	return hard_to("a", "a directory");
}

static int
sc_v2rootlate(const char *arg)
{
	static const struct e2 e = { E_DIR, 0, "", 0, NULL, NULL, NULL, 0 };

	return v2_refused("OFFER_BATCH the root entry (empty path) second", &e,
	    1, 1, 0);
}

static int
sc_v2changed(const char *arg)
{
	static uint8_t md[MD5_LEN];
	struct e2 e = { E_FILE, EF_CHANGED, "b", 4, md, NULL, NULL, 0 };

	evil_md5("abcd", 4, md);
	return v2_refused("OFFER_BATCH file \"b\" flagged CHANGED", &e, 1, 1,
	    0);
}

static int
sc_v2hole(const char *arg)
{
	struct buf b;

	batch_ok("OFFER_BATCH dir \"a\"", &dir_a, ST_OK);
	say("HOLE {1} outside a transfer -> ");
	buf_init(&b, out, sizeof out);
	buf_u64(&b, 1);
	send_frame(T_HOLE, b.p, b.len);
	return expect_refusal();
}

static int
sc_v2hole0(const char *arg)
{
	static uint8_t md[MD5_LEN];
	struct e2 e = { E_FILE, 0, "f", 4, md, NULL, NULL, 0 };
	struct buf b;

	port_random(md, sizeof md);	/* the server cannot have it */
	batch_ok("OFFER_BATCH file \"f\"", &e, ST_NEED);
	say("FILE_TRANSFER \"f\", HOLE {0} -> ");
	buf_init(&b, out, sizeof out);
	put_str(&b, "f", 1);
	send_frame(T_FILE_TRANSFER, b.p, b.len);
	buf_init(&b, out, sizeof out);
	buf_u64(&b, 0);
	send_frame(T_HOLE, b.p, b.len);
	return expect_refusal();
}

/* A v2 RESTORE whose include list breaks a rule: count as written,
 * then n includes of inc. */
static int
restore_includes(const char *what, unsigned count, const char *inc,
    unsigned n)
{
	struct buf b;
	unsigned i;

	say("RESTORE with %s -> ", what);
	buf_init(&b, out, sizeof out);
	put_str(&b, "0123456789abcdef", 16);
	put_str(&b, "", 0);
	buf_u16(&b, count);
	for (i = 0; i < n; i++)
		put_str(&b, inc, strlen(inc));
	send_frame(T_RESTORE, b.p, b.len);
	return expect_refusal();
}

static int
sc_v2restore65(const char *arg)
{
	return restore_includes("65 includes", 65, "a", 65);
}

static int
sc_v2restorebad(const char *arg)
{
	return restore_includes("the include \"a/../../x\"", 1, "a/../../x",
	    1);
}

static int
sc_v2restoreshort(const char *arg)
{
	return restore_includes("a count of 2 and one include", 2, "a", 1);
}

static int
sc_v2restorenocount(const char *arg)
{
	say("RESTORE without its include count -> ");
	send_strs(T_RESTORE, "0123456789abcdef", "");
	return expect_refusal();
}

/* Files f0000.. from first, n of them (at most OFFER_BATCH_MAX), of 4
 * bytes the server cannot have (d[i], random), in one OFFER_BATCH. */
static void
batch_files(unsigned first, unsigned n, uint8_t d[][4])
{
	static struct e2 e[OFFER_BATCH_MAX];
	static char names[OFFER_BATCH_MAX][8];
	static uint8_t md[OFFER_BATCH_MAX][MD5_LEN];
	unsigned i;

	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof names[i], "f%04u", first + i);
		port_random(d[i], 4);
		evil_md5(d[i], 4, md[i]);
		e[i] = (struct e2){ E_FILE, 0, names[i], 4, md[i], NULL,
		    NULL, 0 };
	}
	send_batch(n, e, n, 0);
}

/* batch_files, which the server must answer NEED for each. */
static void
batch_needed(unsigned first, unsigned n, uint8_t d[][4])
{
	struct answer a;
	unsigned i;

	batch_files(first, n, d);
	expect("OFFER_BATCH of files", T_OFFER_BATCH, ST_OK, &a);
	if (rd_u16(&a.body) != n)
		die(2, "%s: %s: want %u statuses", scenario, line, n);
	for (i = 0; i < n; i++)
		if (rd_u8(&a.body) != ST_NEED)
			die(2, "%s: %s: want NEED for f%04u", scenario, line,
			    first + i);
	if (rd_end(&a.body) < 0)
		die(2, "%s: %s: a longer reply than %u statuses", scenario,
		    line, n);
}

/* v2: 1024 files needed in four batches of 256, none sent: the 1025th
 * (NEED_MAX) is one too many. */
static int
sc_v2needmax(const char *arg)
{
	static uint8_t d[OFFER_BATCH_MAX][4];
	unsigned i;

	for (i = 0; i < NEED_MAX; i += OFFER_BATCH_MAX)
		batch_needed(i, OFFER_BATCH_MAX, d);
	say("4 OFFER_BATCHes of 256 files -> NEED each; a 1025th needing "
	    "data -> ");
	batch_files(NEED_MAX, 1, d);
	return expect_refusal();
}

/* v2: files of paths near PATH_LEN_MAX needed, none sent: the one that
 * takes the paths outstanding past WINDOW_BYTES is too many. */
static int
sc_v2needbytes(const char *arg)
{
	static char path[PATH_CAP];
	static uint8_t md[MD5_LEN];
	struct e2 e = { E_DIR, 0, path, 0, NULL, NULL, NULL, 0 };
	struct answer a;
	size_t len = 0, left;
	unsigned i = 0, n;

	/* 15 nested directories of 250 bytes each, offered in order */
	for (n = 0; n < 15; n++) {
		if (len > 0)
			path[len++] = '/';
		memset(path + len, 'a' + n, 250);
		len += 250;
		path[len] = 0;
		send_batch(1, &e, 1, 0);
		expect("OFFER_BATCH a deep directory", T_OFFER_BATCH, ST_OK,
		    &a);
	}
	path[len++] = '/';
	e.type = E_FILE;
	e.size = 4;
	e.md5 = md;
	left = WINDOW_BYTES;
	for (;; i++) {
		snprintf(path + len, PATH_CAP - len, "%0200u", i);
		port_random(md, sizeof md);
		send_batch(1, &e, 1, 0);
		if (strlen(path) > left)
			break;
		left -= strlen(path);
		expect("OFFER_BATCH a file of a long path", T_OFFER_BATCH,
		    ST_OK, &a);
		if (rd_u16(&a.body) != 1 || rd_u8(&a.body) != ST_NEED)
			die(2, "%s: %s: want NEED", scenario, line);
	}
	say("%u files of %zu-byte paths needed -> NEED each; one more -> ", i,
	    strlen(path));
	return expect_refusal();
}

/* v2: a batch of 256 files, all needed, each sent in order and stored;
 * then a 257th FILE_TRANSFER, not asked for. */
static int
sc_v2need256(const char *arg)
{
	static uint8_t d[OFFER_BATCH_MAX][4];
	uint8_t md[MD5_LEN];
	struct answer a;
	struct buf b;
	char path[8];
	unsigned i;

	batch_ok("OFFER_BATCH dir \"a\"", &dir_a, ST_OK);
	batch_needed(0, OFFER_BATCH_MAX, d);
	for (i = 0; i < OFFER_BATCH_MAX; i++) {
		snprintf(path, sizeof path, "f%04u", i);
		buf_init(&b, out, sizeof out);
		put_str(&b, path, strlen(path));
		send_frame(T_FILE_TRANSFER, b.p, b.len);
		send_data(d[i], 4);
		evil_md5(d[i], 4, md);
		buf_init(&b, out, sizeof out);
		buf_u64(&b, 4);
		buf_put(&b, md, MD5_LEN);
		buf_u8(&b, 0);
		send_frame(T_TRANSFER_COMPLETE, b.p, b.len);
	}
	for (i = 0; i < OFFER_BATCH_MAX; i++)
		expect("TRANSFER_COMPLETE", T_TRANSFER_COMPLETE, ST_OK, &a);
	say("OFFER_BATCH of 256 files -> NEED each; all 256 sent -> stored; "
	    "FILE_TRANSFER \"f0000\" again -> ");
	buf_init(&b, out, sizeof out);
	put_str(&b, "f0000", 5);
	send_frame(T_FILE_TRANSFER, b.p, b.len);
	return expect_refusal();
}

/* A dry run: a file the server would need, then its FILE_TRANSFER
 * (never allowed in DRYRUN). */
static int
sc_v2dryft(const char *arg)
{
	static uint8_t md[MD5_LEN];
	struct e2 e = { E_FILE, 0, "f", 4, md, NULL, NULL, 0 };
	struct buf b;

	port_random(md, sizeof md);	/* the server cannot have it */
	say("dry run: ");
	batch_ok("OFFER_BATCH file \"f\"", &e, ST_NEED);
	say("FILE_TRANSFER \"f\" -> ");
	buf_init(&b, out, sizeof out);
	put_str(&b, "f", 1);
	send_frame(T_FILE_TRANSFER, b.p, b.len);
	return expect_refusal();
}

/* CHECK_SOURCE with flag bits no version defines (ARG: the byte, default
 * 0x02). */
static int
sc_v2dryflags(const char *arg)
{
	uint64_t v = 2;
	struct buf b;

	if (arg != NULL && parse_u64(arg, 2, 255, &v) < 0)
		die(2, "v2dryflags wants a flag byte, 2..255");
	say("CHECK_SOURCE flags 0x%02x -> ", (unsigned)v);
	buf_init(&b, out, sizeof out);
	put_str(&b, "/evilclient/v2dryflags", 22);
	buf_u8(&b, (unsigned)v);
	send_frame(T_CHECK_SOURCE, b.p, b.len);
	return expect_refusal();
}

/* A dry run keeps the parent rule: "a" a directory, "a/f" a file, then
 * "a/f/g" (its parent a file), or (ARG "absent") "b/c" (no parent). */
static int
sc_v2dryparent(const char *arg)
{
	static uint8_t md[MD5_LEN];
	struct e2 f = { E_FILE, 0, "a/f", 4, md, NULL, NULL, 0 };
	struct e2 g = { E_DIR, 0, "a/f/g", 0, NULL, NULL, NULL, 0 };
	struct e2 c = { E_DIR, 0, "b/c", 0, NULL, NULL, NULL, 0 };
	int absent = arg != NULL && strcmp(arg, "absent") == 0;

	port_random(md, sizeof md);
	say("dry run: ");
	batch_ok("OFFER_BATCH dir \"a\"", &dir_a, ST_OK);
	batch_ok("OFFER_BATCH file \"a/f\"", &f, ST_NEED);
	say("OFFER_BATCH dir \"%s\" -> ", absent ? "b/c" : "a/f/g");
	send_batch(1, absent ? &c : &g, 1, 0);
	return expect_refusal();
}

/* ---- LS, FIND, DIFF (v2) -------------------------------------------------- */

/* LS {id, "", path, flags} of backup ARG (or an unknown one). */
static void
send_ls(const char *arg, const char *path, size_t plen, unsigned flags)
{
	const char *id = arg != NULL ? arg : "0123456789abcdef";
	struct buf b;

	buf_init(&b, out, sizeof out);
	put_str(&b, id, strlen(id));
	put_str(&b, "", 0);
	put_str(&b, path, plen);
	buf_u8(&b, flags);
	send_frame(T_LS, b.p, b.len);
}

static int
sc_v2lsdotdot(const char *arg)
{
	say("LS path \"a/../../x\" -> ");
	send_ls(arg, "a/../../x", 9, 0);
	return expect_refusal();
}

static int
sc_v2lsflags(const char *arg)
{
	say("LS flags 0x82 -> ");
	send_ls(arg, "", 0, 0x82);
	return expect_refusal();
}

static int
sc_lsv1(const char *arg)
{
	say("LS in a v1 session -> ");
	send_ls(arg, "", 0, 0);
	return expect_refusal();
}

/* FIND {pattern, ""}. */
static void
send_find(const char *pat, size_t n)
{
	struct buf b;

	buf_init(&b, out, sizeof out);
	put_str(&b, pat, n);
	put_str(&b, "", 0);
	send_frame(T_FIND, b.p, b.len);
}

static int
sc_v2findlong(const char *arg)
{
	static char pat[4096];

	memset(pat, 'a', sizeof pat);
	say("FIND a pattern of 4096 bytes -> ");
	send_find(pat, sizeof pat);
	return expect_refusal();
}

static int
sc_v2findbad(const char *arg)
{
	say("FIND \"[a-\" -> ");
	send_find("[a-", 3);
	return expect_refusal();
}

static int
sc_v2findempty(const char *arg)
{
	say("FIND \"\" -> ");
	send_find("", 0);
	return expect_refusal();
}

static int
sc_v2diffnone(const char *arg)
{
	const char *id = arg != NULL ? arg : "0123456789abcdef";
	struct buf b;

	say("DIFF of snapshots that do not exist -> ");
	buf_init(&b, out, sizeof out);
	put_str(&b, id, strlen(id));
	put_str(&b, "1999-01-01T00-00-00Z", 20);
	put_str(&b, "1999-01-02T00-00-00Z", 20);
	send_frame(T_DIFF, b.p, b.len);
	return expect_refusal();
}


static const struct scenario {
	const char *name;
	int (*run)(const char *arg);
	int flags;
	const char *what;
} scenarios[] = {
	{ "dotdot", sc_dotdot, 0, "OFFER path \"../x\"" },
	{ "abs", sc_abs, 0, "OFFER path \"/etc/x\"" },
	{ "updown", sc_updown, 0, "OFFER path \"a/../../x\" under dir a" },
	{ "nul", sc_nul, 0, "OFFER path with a NUL byte" },
	{ "longcomp", sc_longcomp, 0, "OFFER path with a 300-byte component" },
	{ "longpath", sc_longpath, 0, "OFFER path of 5000 bytes" },
	{ "short", sc_short, 0, "9 of 10 bytes: BAD_DATA, left out of the "
	    "snapshot" },
	{ "wrongmd5", sc_wrongmd5, 0, "10 bytes whose MD5 is not the offer's: "
	    "BAD_DATA, left out of the snapshot" },
	{ "long", sc_long, 0, "11 bytes for a 10-byte file: T_ERROR" },
	{ "md5len", sc_md5len, 0, "OFFER with a 15-byte md5" },
	{ "huge", sc_huge, 0, "a file of 2^63 bytes, a few sent" },
	{ "bigframe", sc_bigframe, 0, "a frame cut short; a reserved byte "
	    "not 0" },
	{ "unknowntype", sc_unknowntype, 0, "frame type 0x7f" },
	{ "linkthenfile", sc_linkthenfile, 0, "dir d, link d/l -> ARG "
	    "(default /etc), file d/l/passwd" },
	{ "order", sc_order, 0, "OFFER b, then a" },
	{ "twice", sc_twice, 0, "OFFER a twice" },
	{ "needmax", sc_needmax, 0, "65 files needed at once" },
	{ "offermid", sc_offermid, 0, "an OFFER inside an upload" },
	{ "unasked", sc_unasked, 0, "FILE_TRANSFER of a file never offered" },
	{ "otherid", sc_otherid, S_NO_SOURCE, "LIST, RESTORE, REMOVE of "
	    "backup ARG (another client's)" },
	{ "fetchlink", sc_fetchlink, 0, "back up links to ARG and "
	    "ARG/victim.txt, restore, FETCH through them" },
	{ "fetchnorestore", sc_fetchnorestore, S_NO_SOURCE, "FETCH without "
	    "RESTORE" },
	{ "nohello", sc_nohello, S_NO_HELLO, "OFFER before HELLO" },
	{ "flood", sc_flood, S_NO_HELLO, "TLS, then nothing: closed within "
	    "--idle S" },
	{ "nohandshake", sc_nohandshake, S_NO_TLS, "TCP, then nothing: "
	    "closed within --idle S" },
	{ "stall", sc_stall, S_NO_CONNECT, "--count N TCP connections from "
	    "address ARG, never TLS, reopened when closed, for --idle S" },
	{ "drip", sc_drip, S_NO_TLS, "a ClientHello, one byte every 2 s: "
	    "closed within --idle S" },
	{ "hello3", sc_hello3, S_NO_HELLO, "HELLO 3" },
	{ "v2prunebig", sc_v2prunebig, S_V2 | S_NO_SOURCE, "PRUNE keeping "
	    "more than 1000000" },
	{ "v2pruneoffset", sc_v2pruneoffset, S_V2 | S_NO_SOURCE, "PRUNE with "
	    "utc_offset out of range" },
	{ "v2pruneflags", sc_v2pruneflags, S_V2 | S_NO_SOURCE, "PRUNE with an "
	    "unknown flag" },
	{ "v2pruneshort", sc_v2pruneshort, S_V2 | S_NO_SOURCE, "PRUNE cut "
	    "short" },
	{ "v2prunenone", sc_v2prunenone, S_V2 | S_NO_SOURCE, "PRUNE without "
	    "a policy" },
	{ "v2removeflags", sc_v2removeflags, S_V2 | S_NO_SOURCE, "REMOVE v2 "
	    "with an unknown flag" },
	{ "v2removeshort", sc_v2removeshort, S_V2 | S_NO_SOURCE, "REMOVE v2 "
	    "without its flags" },
	{ "v2offer", sc_v2offer, S_V2, "a v1 OFFER in a v2 session" },
	{ "v2batch0", sc_v2batch0, S_V2, "OFFER_BATCH with count 0" },
	{ "v2batch257", sc_v2batch257, S_V2, "OFFER_BATCH of 257 entries" },
	{ "v2needmax", sc_v2needmax, S_V2, "1025 files needed at once" },
	{ "v2needbytes", sc_v2needbytes, S_V2, "files needed at once whose "
	    "paths are too many bytes" },
	{ "v2need256", sc_v2need256, S_V2, "a batch of 256 NEEDs, all sent, "
	    "then one more" },
	{ "v2batchshort", sc_v2batchshort, S_V2, "OFFER_BATCH with fewer "
	    "entries than its count" },
	{ "v2batchtrail", sc_v2batchtrail, S_V2, "OFFER_BATCH with a byte "
	    "after its entries" },
	{ "v2xattr", sc_v2xattr, S_V2, "an xattr outside the allowed "
	    "namespaces" },
	{ "v2xattrorder", sc_v2xattrorder, S_V2, "xattrs not sorted by name" },
	{ "v2hardlater", sc_v2hardlater, S_V2, "a hard link to a later path" },
	{ "v2hardabsent", sc_v2hardabsent, S_V2, "a hard link to a path never "
	    "offered" },
	{ "v2harddir", sc_v2harddir, S_V2, "a hard link to a directory" },
	{ "v2rootlate", sc_v2rootlate, S_V2, "the root entry not first" },
	{ "v2changed", sc_v2changed, S_V2, "CHANGED in an offer" },
	{ "v2hole", sc_v2hole, S_V2, "HOLE outside a transfer" },
	{ "v2hole0", sc_v2hole0, S_V2, "HOLE of length 0 in a transfer" },
	{ "v2restore65", sc_v2restore65, S_V2 | S_NO_SOURCE, "RESTORE with "
	    "65 includes" },
	{ "v2restorebad", sc_v2restorebad, S_V2 | S_NO_SOURCE, "RESTORE with "
	    "an include that is not a valid path" },
	{ "v2restoreshort", sc_v2restoreshort, S_V2 | S_NO_SOURCE, "RESTORE "
	    "whose include count says more than it holds" },
	{ "v2restorenocount", sc_v2restorenocount, S_V2 | S_NO_SOURCE,
	    "RESTORE in v2 without its include count (truncated)" },
	{ "v2dryft", sc_v2dryft, S_V2 | S_DRY, "a dry run, then a "
	    "FILE_TRANSFER of a needed file" },
	{ "v2dryflags", sc_v2dryflags, S_V2 | S_NO_SOURCE, "CHECK_SOURCE "
	    "with unknown flag bits (ARG, default 0x02)" },
	{ "v2dryparent", sc_v2dryparent, S_V2 | S_DRY, "a dry run: an entry "
	    "under a file (ARG \"absent\": under no directory)" },
	{ "v2lsdotdot", sc_v2lsdotdot, S_V2 | S_NO_SOURCE, "LS of "
	    "\"a/../../x\" in backup ARG" },
	{ "v2lsflags", sc_v2lsflags, S_V2 | S_NO_SOURCE, "LS with unknown "
	    "flags" },
	{ "lsv1", sc_lsv1, S_NO_SOURCE, "LS in a v1 session" },
	{ "v2findlong", sc_v2findlong, S_V2 | S_NO_SOURCE, "FIND of a "
	    "4096-byte pattern" },
	{ "v2findbad", sc_v2findbad, S_V2 | S_NO_SOURCE, "FIND \"[a-\"" },
	{ "v2findempty", sc_v2findempty, S_V2 | S_NO_SOURCE, "FIND \"\"" },
	{ "v2diffnone", sc_v2diffnone, S_V2 | S_NO_SOURCE, "DIFF of snapshots "
	    "of backup ARG that do not exist: NOT_FOUND" },
};

static void
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: evilclient HOST PORT SERVER_NAME CERT KEY CA "
	    "SCENARIO [ARG] [--idle S] [--count N]\nscenarios:\n");
	for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
		fprintf(stderr, "  %-15s %s\n", scenarios[i].name,
		    scenarios[i].what);
	exit(2);
}

int
main(int argc, char **argv)
{
	const struct scenario *s = NULL;
	const char *arg = NULL;
	uint64_t v;
	size_t i;
	int a, verdict;

	progname = "evilclient";
	port_ignore_sigpipe();
	if (argc < 8)
		usage();
	host = argv[1];
	if (parse_u64(argv[2], 1, 65535, &v) < 0)
		usage();
	port = (unsigned)v;
	server_name = argv[3];
	cert = argv[4];
	key = argv[5];
	ca = argv[6];
	scenario = argv[7];
	for (a = 8; a < argc; a++) {
		if (strcmp(argv[a], "--idle") == 0 && a + 1 < argc) {
			if (parse_u64(argv[++a], 1, 3600, &v) < 0)
				usage();
			idle_s = (unsigned)v;
		} else if (strcmp(argv[a], "--count") == 0 && a + 1 < argc) {
			if (parse_u64(argv[++a], 1, STALL_MAX, &v) < 0)
				usage();
			stall_count = (unsigned)v;
		} else if (arg == NULL) {
			arg = argv[a];
		} else {
			usage();
		}
	}
	for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
		if (strcmp(scenarios[i].name, scenario) == 0)
			s = &scenarios[i];
	if (s == NULL)
		usage();

	open_default(s->flags);
	verdict = s->run(arg);
	printf("%s: %s => %s\n", scenario, line,
	    verdict == REFUSED ? "refused" : "ACCEPTED");
	fflush(stdout);
	if (conn_open)
		port_close(conn.fd);
	if (conf_loaded)
		tls_conf_wipe(&conf);
	return verdict == REFUSED ? 0 : 1;
}
