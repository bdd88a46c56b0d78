/*
 * evilserver.c — a hostile cairnd, for test/e2e/t_hostile.sh.
 *
 *   evilserver PORT CERT KEY CA SCENARIO [OUTSIDE]
 *
 * Listens on 127.0.0.1:PORT with a valid server certificate, says
 * "listening" on stderr, and serves one connection over real TLS: it
 * answers HELLO (1 or 2, as a cairnd speaking both; entries go in the
 * version asked for), then RESTORE (or LS, DIFF) with a snapshot whose manifest is hostile
 * in the way SCENARIO names, then FETCH requests, until the client
 * leaves; then it exits. A LIST, in any scenario, is answered with a
 * count of 2^32-1 backups and none of them. OUTSIDE is a directory
 * outside the client's restore target (default /tmp/cairn-evil) that the
 * entries aim at. It prints one line per frame it sends on stdout.
 * Scenarios: see the table below.
 *
 * Exit status: 0 the session ran (whatever the client did with it);
 * 2 usage error, or no client came within a minute.
 */
#include <errno.h>
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

#define ACCEPT_MS 60000		/* the client comes within this */
#define SESSION_MS 30000	/* and says something this often */
#define DEEP_DEPTH 2000		/* components of the deep path */
#define SNAPSHOT "2026-01-01T00-00-00Z"

/* One entry of a hostile manifest, and what FETCH serves for it. */
struct item {
	unsigned type;
	const char *path;	/* NULL: the deep path, built at run time */
	const char *target;	/* links; "@" stands for OUTSIDE */
	const char *content;	/* files: what the manifest's MD5 is of */
	const char *served;	/* files: what FETCH sends (NULL: content) */
	long served_size;	/* FETCH's size (-1: that of served); when
				 * more than served, we hang up after it */
};

struct scenario {
	const char *name;
	const char *what;
	struct item items[4];	/* type 0 ends */
	const char *refusal;	/* RESTORE answered NOT_FOUND with this */
	const char *source;	/* the RESTORE reply's (NULL: /evil/source;
				 * "@": OUTSIDE; else itself) */
};

/* A path starting with '@' is OUTSIDE followed by the rest. */
static const struct scenario scenarios[] = {
	{ "dotdot", "a file \"../escape.txt\"", {
		{ E_FILE, "ok.txt", NULL, "fine\n", NULL, -1 },
		{ E_FILE, "../escape.txt", NULL, "escaped\n", NULL, -1 } }, NULL, NULL },
	{ "abs", "a file \"OUTSIDE/escape.txt\"", {
		{ E_FILE, "ok.txt", NULL, "fine\n", NULL, -1 },
		{ E_FILE, "@/escape.txt", NULL, "escaped\n", NULL, -1 } }, NULL, NULL },
	{ "linketc", "dir d, link d/l -> OUTSIDE, file d/l/passwd", {
		{ E_DIR, "d", NULL, NULL, NULL, -1 },
		{ E_LINK, "d/l", "@", NULL, NULL, -1 },
		{ E_FILE, "d/l/passwd", NULL, "root::0:0::/:/bin/sh\n", NULL,
		    -1 } }, NULL, NULL },
	{ "linkdir", "link d -> OUTSIDE, then dir d, then file d/passwd", {
		{ E_LINK, "d", "@", NULL, NULL, -1 },
		{ E_DIR, "d", NULL, NULL, NULL, -1 },
		{ E_FILE, "d/passwd", NULL, "root::0:0::/:/bin/sh\n", NULL,
		    -1 } }, NULL, NULL },
	{ "badmd5", "a file whose data does not match its MD5", {
		{ E_FILE, "bad.txt", NULL, "0123456789", "abcdefghij",
		    -1 } }, NULL, NULL },
	{ "sizelie", "a 10-byte file that FETCH says is 5 bytes", {
		{ E_FILE, "lie.txt", NULL, "0123456789", "01234", -1 } },
	    NULL, NULL },
	{ "overflow", "a 10-byte file, FETCH says 10 and sends 20", {
		{ E_FILE, "over.txt", NULL, "0123456789",
		    "0123456789abcdefghij", 10 } }, NULL, NULL },
	{ "cut", "a 10-byte file: FETCH says 10, sends 5, then hangs up", {
		{ E_FILE, "cut.txt", NULL, "0123456789", "01234", 10 } },
	    NULL, NULL },
	{ "deep", "a path of 2000 components, 5998 bytes", {
		{ E_FILE, NULL, NULL, "deep\n", NULL, -1 } }, NULL, NULL },
	{ "twice", "file a.txt, then a.txt again", {
		{ E_FILE, "a.txt", NULL, "first\n", NULL, -1 },
		{ E_FILE, "a.txt", NULL, "second\n", NULL, -1 } }, NULL, NULL },
	{ "unordered", "file b.txt, then a.txt", {
		{ E_FILE, "b.txt", NULL, "bee\n", NULL, -1 },
		{ E_FILE, "a.txt", NULL, "ay\n", NULL, -1 } }, NULL, NULL },
	{ "diffcode", "DIFF: an I_DIFF of change 9 (LS: as unordered)", {
		{ E_FILE, "a.txt", NULL, "ay\n", NULL, -1 } }, NULL, NULL },
	{ "diffentry", "DIFF: an I_ENTRY where only I_DIFF or I_END may come", {
		{ E_FILE, "a.txt", NULL, "ay\n", NULL, -1 } }, NULL, NULL },
	{ "escape", "RESTORE refused with terminal escape sequences", {
		{ 0, NULL, NULL, NULL, NULL, -1 } },
	    "\033]0;owned\007\033[2J\033[31mnot found\033[0m\233", NULL },
	{ "source", "a file planted.txt of a backup whose source is OUTSIDE "
	    "(not the id asked for)", {
		{ E_FILE, "planted.txt", NULL, "planted\n", NULL, -1 } },
	    NULL, "@" },
	{ "root", "a backup whose source is / (restore --delete without "
	    "--path must be refused), no entries", {
		{ 0, NULL, NULL, NULL, NULL, -1 } }, NULL, "/" },
};

static const char *outside = "/tmp/cairn-evil";
static const struct scenario *sc;
static struct tls_conf conf;
static struct tls conn;
static uint8_t in[FRAME_MAX];
static uint8_t out[FRAME_MAX];
static char deep[DEEP_DEPTH * 3];
static int hang_up;		/* leave without close_notify */
static unsigned version = PROTO_V1;	/* what the client's HELLO asked */

/* An item's path (OUTSIDE put in for '@'), into p[cap]. */
static const char *
item_path(const struct item *it, char *p, size_t cap, size_t *n)
{
	size_t i;

	if (it->path == NULL) {
		/* "dd/dd/.../dd/f": over PATH_LEN_MAX, every component
		 * valid. */
		for (i = 0; i + 1 < DEEP_DEPTH; i++)
			memcpy(deep + 3 * i, "dd/", 3);
		deep[3 * i] = 'f';
		*n = 3 * i + 1;
		return deep;
	}
	if (it->path[0] == '@')
		snprintf(p, cap, "%s%s", outside, it->path + 1);
	else
		snprintf(p, cap, "%s", it->path);
	*n = strlen(p);
	return p;
}

static int
send_frame(unsigned type, const struct buf *b)
{
	if (b->err)
		BUG("frame does not fit");
	return frame_send(&conn, type, b->p, b->len) < 0 ||
	    tls_flush(&conn) < 0 ? -1 : 0;
}

/* A reply: status, message, then body (NULL: none). */
static int
reply(unsigned req, unsigned status, const char *text, const struct buf *body)
{
	struct buf b;

	buf_init(&b, out, sizeof out);
	reply_start(&b, status, text);
	if (body != NULL)
		buf_put(&b, body->p, body->len);
	return send_frame(T_REPLY | req, &b);
}

/*
 * One entry as a v2 I_ENTRY carries it (PROTOCOL.md, "The v2 entry"),
 * from raw parts as evil_entry: owner 0:0 with no names, no device
 * numbers, no xattrs.
 */
static int
evil_entry2(struct buf *b, unsigned type, const char *path, size_t plen,
    uint64_t size, const uint8_t *md5, const char *target, size_t tlen)
{
	static const uint8_t zeros[MD5_LEN];

	buf_u8(b, type);
	buf_u8(b, 0);			/* flags */
	put_str(b, path, plen);
	buf_u64(b, size);
	buf_u32(b, type == E_DIR ? 0755 : 0644);
	buf_u64(b, (uint64_t)EVIL_MTIME);
	buf_u32(b, 0);
	buf_u32(b, 0);			/* uid, gid */
	buf_u32(b, 0);
	put_str(b, "", 0);		/* user, group */
	put_str(b, "", 0);
	buf_put(b, md5 != NULL ? md5 : zeros, MD5_LEN);
	put_str(b, target, tlen);
	buf_u32(b, 0);			/* major, minor */
	buf_u32(b, 0);
	buf_u16(b, 0);			/* xattrs */
	return b->err ? -1 : 0;
}

/* RESTORE: the totals, then every item as a T_ITEM, then I_END. */
static int
restore(void)
{
	static uint8_t body_b[256];
	char path[PATH_CAP], target[PATH_CAP], shown_p[120];
	const struct item *it;
	uint8_t md[MD5_LEN];
	struct buf b;
	size_t plen;

	if (sc->refusal != NULL) {
		printf("sent RESTORE reply NOT_FOUND with escapes\n");
		return reply(T_RESTORE, ST_NOT_FOUND, sc->refusal, NULL);
	}
	buf_init(&b, body_b, sizeof body_b);
	put_str(&b, SNAPSHOT, strlen(SNAPSHOT));
	if (sc->source != NULL && strcmp(sc->source, "@") == 0)
		put_str(&b, outside, strlen(outside));
	else if (sc->source != NULL)
		put_str(&b, sc->source, strlen(sc->source));
	else
		put_str(&b, "/evil/source", 12);
	buf_u64(&b, 1);
	buf_u64(&b, 10);
	if (reply(T_RESTORE, ST_OK, "restoring", &b) < 0)
		return -1;
	printf("sent RESTORE reply OK, snapshot %s\n", SNAPSHOT);
	for (it = sc->items; it->type != 0; it++) {
		const char *p = item_path(it, path, sizeof path, &plen);
		size_t tlen = 0, clen = 0;

		if (it->target != NULL) {
			snprintf(target, sizeof target, "%s%s",
			    it->target[0] == '@' ? outside : it->target,
			    it->target[0] == '@' ? it->target + 1 : "");
			tlen = strlen(target);
		}
		if (it->content != NULL)
			clen = strlen(it->content);
		evil_md5(it->content != NULL ? it->content : "", clen, md);
		buf_init(&b, out, sizeof out);
		buf_u8(&b, I_ENTRY);
		if (version == PROTO_V2)
			evil_entry2(&b, it->type, p, plen, clen,
			    it->type == E_FILE ? md : NULL, target, tlen);
		else
			evil_entry(&b, it->type, p, plen, clen,
			    it->type == E_FILE ? md : NULL, MD5_LEN, target,
			    tlen);
		if (send_frame(T_ITEM, &b) < 0)
			return -1;
		printf("sent entry type %u \"%s\" (%zu bytes)%s%s size %zu\n",
		    it->type, shown(p, plen, shown_p, sizeof shown_p), plen,
		    tlen ? " -> " : "", tlen ? target : "", clen);
	}
	buf_init(&b, out, sizeof out);
	buf_u8(&b, I_END);
	buf_u8(&b, ST_OK);
	put_str(&b, "", 0);
	if (send_frame(T_ITEM, &b) < 0)
		return -1;
	printf("sent I_END\n");
	return 0;
}

/*
 * LS and DIFF (v2): the reply, then the scenario's items as I_ENTRY (LS,
 * and DIFF in diffentry) or I_DIFF (added; change 9 in diffcode), then
 * I_END.
 */
static int
browse(unsigned req, struct rd *r)
{
	static uint8_t body_b[256];
	char id[TARGET_MAX], a[TARGET_MAX], path[PATH_CAP];
	unsigned kind = req == T_LS || strcmp(sc->name, "diffentry") == 0 ?
	    I_ENTRY : I_DIFF;
	const struct item *it;
	uint8_t md[MD5_LEN];
	struct buf b;
	size_t plen, clen;

	if (get_str(r, id, sizeof id) < 0 || get_str(r, a, sizeof a) < 0)
		return -1;
	buf_init(&b, body_b, sizeof body_b);
	if (req == T_DIFF)
		put_str(&b, a, strlen(a));
	put_str(&b, SNAPSHOT, strlen(SNAPSHOT));
	if (reply(req, ST_OK, "listing", &b) < 0)
		return -1;
	printf("sent %s reply OK\n", req == T_LS ? "LS" : "DIFF");
	for (it = sc->items; it->type != 0; it++) {
		const char *p = item_path(it, path, sizeof path, &plen);

		clen = it->content != NULL ? strlen(it->content) : 0;
		evil_md5(it->content != NULL ? it->content : "", clen, md);
		buf_init(&b, out, sizeof out);
		buf_u8(&b, kind);
		if (kind == I_DIFF) {
			buf_u8(&b, strcmp(sc->name, "diffcode") == 0 ? 9 :
			    D_ADDED);
			buf_u16(&b, 0);
		}
		evil_entry2(&b, it->type, p, plen, clen, it->type == E_FILE ?
		    md : NULL, "", 0);
		if (send_frame(T_ITEM, &b) < 0)
			return -1;
		printf("sent item kind %u \"%s\"\n", kind, p);
	}
	buf_init(&b, out, sizeof out);
	buf_u8(&b, I_END);
	buf_u8(&b, ST_OK);
	put_str(&b, "", 0);
	return send_frame(T_ITEM, &b);
}

/* FETCH: the item's bytes, or as much of a lie as the scenario wants. */
static int
fetch(struct rd *r)
{
	char path[PATH_CAP], want[PATH_CAP], shown_p[120];
	uint8_t size_b[8];
	const struct item *it;
	const char *data;
	struct buf b;
	size_t plen, n;

	if (get_str(r, want, sizeof want) < 0)
		return -1;
	for (it = sc->items; it->type != 0; it++) {
		const char *p = item_path(it, path, sizeof path, &plen);
		if (it->type == E_FILE && plen == strlen(want) &&
		    memcmp(p, want, plen) == 0)
			break;
	}
	if (it->type == 0) {
		printf("FETCH \"%s\": not ours, NOT_FOUND\n",
		    shown(want, strlen(want), shown_p, sizeof shown_p));
		return reply(T_FETCH, ST_NOT_FOUND, "not in the snapshot",
		    NULL);
	}
	data = it->served != NULL ? it->served : it->content;
	n = strlen(data);
	buf_init(&b, size_b, sizeof size_b);
	buf_u64(&b, it->served_size >= 0 ? (uint64_t)it->served_size : n);
	if (reply(T_FETCH, ST_OK, "", &b) < 0)
		return -1;
	buf_init(&b, (uint8_t *)out, sizeof out);
	buf_put(&b, data, n);
	if (send_frame(T_DATA_TRANSFER, &b) < 0)
		return -1;
	printf("FETCH \"%s\": said size %ld, sent %zu bytes\n",
	    shown(want, strlen(want), shown_p, sizeof shown_p),
	    it->served_size >= 0 ? it->served_size : (long)n, n);
	if (it->served_size > (long)n) {
		printf("hanging up in the middle of the file\n");
		hang_up = 1;
		return -1;
	}
	return 0;
}

/* One client: HELLO, RESTORE, FETCH..., until it leaves. */
static void
serve(int fd)
{
	char why[160];
	uint8_t body_b[TLS_NAME_MAX + 8];
	struct buf b;
	struct rd r;
	unsigned type;
	size_t n;
	int rc;

	rc = tls_server(&conn, &conf, fd, SESSION_MS);
	if (rc < 0) {
		printf("TLS handshake failed: %s\n", tls_why(&conn, why,
		    sizeof why));
		return;
	}
	printf("client \"%s\" (%s)\n", conn.peer_cn, rc == 0 ?
	    "authenticated" : "not authenticated");
	for (;;) {
		if (frame_recv(&conn, &type, in, &n) < 0) {
			printf("client left: %s\n", tls_why(&conn, why,
			    sizeof why));
			return;
		}
		rd_init(&r, in, n);
		switch (type) {
		case T_HELLO:
			/* As a cairnd speaking versions 1 and 2. */
			version = rd_u16(&r) == PROTO_V2 ? PROTO_V2 : PROTO_V1;
			buf_init(&b, body_b, sizeof body_b);
			buf_u16(&b, version);
			put_str(&b, conn.peer_cn, strlen(conn.peer_cn));
			if (version == PROTO_V2)
				buf_u32(&b, 0);		/* server_flags */
			if (reply(T_HELLO, ST_OK, "hello", &b) < 0)
				return;
			printf("sent HELLO reply\n");
			break;
		case T_RESTORE:
			if (restore() < 0)
				return;
			break;
		case T_FETCH:
			if (fetch(&r) < 0)
				return;
			break;
		case T_LS:
		case T_DIFF:
			if (browse(type, &r) < 0)
				return;
			break;
		case T_LIST:
			/* A listing that claims 2^32-1 backups and has none. */
			buf_init(&b, body_b, sizeof body_b);
			buf_u32(&b, 0xffffffff);
			if (reply(T_LIST, ST_OK, "listed", &b) < 0)
				return;
			printf("sent LIST reply OK, 4294967295 backups, none "
			    "listed\n");
			break;
		default:
			printf("frame type 0x%02x: not part of the act, "
			    "closing\n", type);
			return;
		}
		fflush(stdout);
	}
}

static void
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: evilserver PORT CERT KEY CA SCENARIO "
	    "[OUTSIDE]\nscenarios:\n");
	for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
		fprintf(stderr, "  %-10s %s\n", scenarios[i].name,
		    scenarios[i].what);
	exit(2);
}

int
main(int argc, char **argv)
{
	char peer[80];
	uint64_t port;
	size_t i;
	int lfd, fd;

	progname = "evilserver";
	port_ignore_sigpipe();
	if (argc < 6 || argc > 7 || parse_u64(argv[1], 1, 65535, &port) < 0)
		usage();
	for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
		if (strcmp(scenarios[i].name, argv[5]) == 0)
			sc = &scenarios[i];
	if (sc == NULL)
		usage();
	if (argc == 7)
		outside = argv[6];
	if (tls_conf_load(&conf, argv[2], argv[3], argv[4], NULL) < 0)
		die(2, "cannot load the certificates");
	lfd = port_tcp_listen("127.0.0.1", (unsigned)port, 4);
	if (lfd < 0)
		die(3, "cannot listen on 127.0.0.1:%u: %s", (unsigned)port,
		    strerror(errno));
	msg("listening on 127.0.0.1:%u, scenario %s", (unsigned)port,
	    sc->name);
	if (port_wait_readable(lfd, ACCEPT_MS) != 1)
		die(2, "no client within %d s", ACCEPT_MS / 1000);
	fd = port_tcp_accept(lfd, peer, sizeof peer);
	if (fd < 0)
		die(2, "accept: %s", strerror(errno));
	port_close(lfd);
	serve(fd);
	fflush(stdout);
	if (!hang_up)
		tls_close(&conn);
	port_linger_close(fd, 1000);
	tls_conf_wipe(&conf);
	return 0;
}
