/*
 * session.c — the server side of protocol v1 for one connection:
 * handshake, identify the client by its certificate, then answer frames
 * in order until BACKUP_COMPLETE or the client leaves.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "path.h"
#include "record.h"
#include "port.h"
#include "proto.h"
#include "session.h"
#include "store.h"
#include "util.h"

static struct tls conn;
static struct store bk;
static struct entry ent;
static uint8_t in[FRAME_MAX];
static uint8_t out[FRAME_MAX];
static uint8_t item[FRAME_MAX];
static int began;
static int root = -1;
static int restoring;			/* a snapshot is open for FETCH */
static int snap_fd = -1;
static struct dircache snap_dir;
static struct snapinfo info_buf;
static struct lines man_lines;
static struct json man_json;

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

/* One T_ITEM frame: kind, then what b holds. */
static int
send_item(unsigned kind, struct buf *b)
{
	item[0] = (uint8_t)kind;
	if (b->err || b->len > sizeof item - 1)
		BUG("item too large");
	memcpy(item + 1, b->p, b->len);
	return frame_send(&conn, T_ITEM, item, b->len + 1);
}

/* A backup id and snapshot name as the client asked for them. */
static int
get_target(struct rd *r, char *id, size_t idcap, char *snap, size_t scap)
{
	return get_str(r, id, idcap) < 0 || get_str(r, snap, scap) < 0 ||
	    rd_end(r) < 0 ? -1 : 0;
}

static int
not_yours(unsigned type, const char *id)
{
	char text[MSG_MAX + 1];

	snprintf(text, sizeof text, "backup %.40s: not found or not yours",
	    id);
	return reply(type, ST_NOT_FOUND, text, NULL);
}

/* One backup and its snapshots, oldest first, as items. */
static void
list_backup(int cfd, const char *id)
{
	static uint8_t store_b[PATH_CAP + 64];
	char name[SNAP_MAX] = "", newest[SNAP_MAX];
	struct buf b;
	int bfd = port_openat_dir(cfd, id);

	if (bfd < 0)
		return;
	info_buf.source[0] = 0;
	if (catalog_newest(bfd, newest) == 0 && newest[0])
		catalog_info(bfd, newest, &info_buf);
	buf_init(&b, store_b, sizeof store_b);
	put_str(&b, id, strlen(id));
	put_str(&b, info_buf.source, strlen(info_buf.source));
	send_item(I_BACKUP, &b);
	while (catalog_next(bfd, CAT_SNAPS, name, name) == 1) {
		if (catalog_info(bfd, name, &info_buf) < 0)
			memset(&info_buf, 0, sizeof info_buf);
		buf_init(&b, store_b, sizeof store_b);
		put_str(&b, name, strlen(name));
		buf_u64(&b, info_buf.files);
		buf_u64(&b, info_buf.bytes);
		buf_u64(&b, (uint64_t)info_buf.time);
		send_item(I_SNAPSHOT, &b);
	}
	port_close(bfd);
}

/* LIST [id]: the client's backups, or one of them. */
static int
do_list(struct rd *r)
{
	char id[64], cur[SNAP_MAX] = "";
	uint8_t body_b[8];
	struct buf body;
	uint32_t count = 0;
	int cfd;

	if (get_str(r, id, sizeof id) < 0 || rd_end(r) < 0)
		return -1;
	cfd = port_openat_dir(root, conn.peer_cn);
	if (id[0] != 0) {
		int bfd = cfd < 0 ? -1 : catalog_open_backup(root,
		    conn.peer_cn, id);
		if (bfd < 0) {
			if (cfd >= 0)
				port_close(cfd);
			return not_yours(T_LIST, id);
		}
		port_close(bfd);
		list_backup(cfd, id);
		count = 1;
	} else if (cfd >= 0) {
		while (catalog_next(cfd, CAT_IDS, cur, cur) == 1) {
			list_backup(cfd, cur);
			count++;
		}
	}
	if (cfd >= 0)
		port_close(cfd);
	buf_init(&body, body_b, sizeof body_b);
	buf_u32(&body, count);
	return reply(T_LIST, ST_OK, "listed", &body);
}

/*
 * RESTORE id [snapshot]: the snapshot's totals, then every entry of its
 * manifest as items, then I_END; FETCH requests may follow.
 */
static int
do_restore(const char *who, struct rd *r)
{
	static uint8_t store_b[PATH_CAP + 64];
	static struct entry e;
	char id[64], snap[SNAP_MAX + 8], name[SNAP_MAX + 16], text[160];
	const char *p;
	struct buf b;
	size_t n;
	int bfd, mdir, fd, got, bad = 0;

	if (get_target(r, id, sizeof id, snap, sizeof snap) < 0)
		return -1;
	bfd = catalog_open_backup(root, conn.peer_cn, id);
	if (bfd < 0)
		return not_yours(T_RESTORE, id);
	if (snap[0] == 0 && (catalog_newest(bfd, snap) < 0 || !snap[0])) {
		port_close(bfd);
		return reply(T_RESTORE, ST_NOT_FOUND, "this backup has no "
		    "snapshot yet", NULL);
	}
	snprintf(name, sizeof name, "%s.json", snap);
	snap_fd = catalog_is_snap(snap, strlen(snap)) ?
	    port_openat_dir(bfd, snap) : -1;
	mdir = port_openat_dir(bfd, ".manifests");
	fd = mdir < 0 ? -1 : port_openat_read(mdir, name);
	if (mdir >= 0)
		port_close(mdir);
	if (snap_fd < 0 || fd < 0 || catalog_info(bfd, snap, &info_buf) < 0) {
		port_close(bfd);
		if (fd >= 0)
			port_close(fd);
		if (snap_fd >= 0)
			port_close(snap_fd);
		snap_fd = -1;
		snprintf(text, sizeof text, "backup %.40s has no snapshot "
		    "%.40s", id, snap);
		return reply(T_RESTORE, ST_NOT_FOUND, text, NULL);
	}
	port_close(bfd);
	buf_init(&b, store_b, sizeof store_b);
	put_str(&b, snap, strlen(snap));
	put_str(&b, info_buf.source, strlen(info_buf.source));
	buf_u64(&b, info_buf.files);
	buf_u64(&b, info_buf.bytes);
	if (reply(T_RESTORE, ST_OK, "restoring", &b) < 0)
		return 0;
	info("%s: restoring backup %s snapshot %s", who, id, snap);

	lines_open(&man_lines, fd);
	got = lines_next(&man_lines, &p, &n);	/* the header */
	while (got == 1 && (got = lines_next(&man_lines, &p, &n)) == 1) {
		if (json_parse(&man_json, p, n) < 0 ||
		    entry_parse(&man_json, &e, NULL) < 0) {
			bad = 1;
			break;
		}
		buf_init(&b, store_b, sizeof store_b);
		entry_put(&b, &e);
		if (send_item(I_ENTRY, &b) < 0)
			break;
	}
	port_close(fd);
	buf_init(&b, store_b, sizeof store_b);
	buf_u8(&b, got == 0 && !bad ? ST_OK : ST_IO);
	p = got == 0 && !bad ? "" : "the snapshot's manifest is damaged";
	put_str(&b, p, strlen(p));
	send_item(I_END, &b);
	if (got != 0 || bad)
		msg("%s: backup %s snapshot %s: damaged manifest", who, id,
		    snap);
	dircache_init(&snap_dir);
	restoring = 1;
	return 0;
}

/* FETCH path: the file's size, then exactly that many bytes. */
static int
do_fetch(struct rd *r)
{
	static char path[PATH_CAP];
	static uint8_t data[DATA_CHUNK];
	struct port_stat st;
	uint8_t body_b[8];
	struct buf body;
	const char *leaf;
	uint64_t left;
	long got;
	int dfd, fd;

	if (get_str(r, path, sizeof path) < 0 || rd_end(r) < 0 ||
	    path_check(path, strlen(path)) < 0)
		return -1;
	dfd = dircache_parent(&snap_dir, snap_fd, path, &leaf);
	fd = dfd < 0 ? -1 : port_openat_read(dfd, leaf);
	if (fd < 0 || port_fstat(fd, &st) < 0) {
		if (fd >= 0)
			port_close(fd);
		return reply(T_FETCH, ST_NOT_FOUND, "not in the snapshot",
		    NULL);
	}
	buf_init(&body, body_b, sizeof body_b);
	buf_u64(&body, st.size);
	if (reply(T_FETCH, ST_OK, "", &body) < 0)
		goto out;
	for (left = st.size; left > 0; left -= (uint64_t)got) {
		size_t want = left < sizeof data ? (size_t)left : sizeof data;
		got = port_read(fd, data, want, -1);
		if (got <= 0) {
			/* Cannot happen to a stored file; the client's MD5
			 * check catches it if it does. */
			memset(data, 0, want);
			got = (long)want;
		}
		if (frame_send(&conn, T_DATA_TRANSFER, data, (size_t)got) < 0)
			break;
	}
out:
	port_close(fd);
	return 0;
}

/* REMOVE id [snapshot]: one snapshot, or the whole backup. */
static int
do_remove(const char *who, struct rd *r, const struct server_opts *o)
{
	static uint8_t store_b[SNAP_MAX + 64];
	char id[64], snap[SNAP_MAX + 8], text[200], newest[SNAP_MAX];
	char cur[SNAP_MAX] = "";
	uint64_t files = 0, bytes = 0, freed = 0;
	struct buf b;
	int cfd, bfd, lock, ok;

	if (get_target(r, id, sizeof id, snap, sizeof snap) < 0)
		return -1;
	cfd = port_openat_dir(root, conn.peer_cn);
	bfd = cfd < 0 || !catalog_is_id(id, strlen(id)) ? -1 :
	    port_openat_dir(cfd, id);
	if (bfd < 0) {
		if (cfd >= 0)
			port_close(cfd);
		return not_yours(T_REMOVE, id);
	}
	lock = port_openat_rw(bfd, ".lock", 0600);
	if (lock < 0) {
		snprintf(text, sizeof text, "cannot lock backup %s: %s", id,
		    strerror(errno));
		ok = reply(T_REMOVE, ST_IO, text, NULL);
		goto out;
	}
	if (port_trylock(lock) < 0) {
		snprintf(text, sizeof text, "backup %s is busy: a run of it is "
		    "in progress", id);
		ok = reply(T_REMOVE, ST_BUSY, text, NULL);
		goto out;
	}
	info_buf.source[0] = 0;
	if (snap[0] != 0) {
		struct port_stat st;
		if (!catalog_is_snap(snap, strlen(snap)) ||
		    port_fstatat(bfd, snap, &st) < 0 || st.type != PORT_DIR) {
			snprintf(text, sizeof text, "backup %.40s has no "
			    "snapshot %.40s", id, snap);
			ok = reply(T_REMOVE, ST_NOT_FOUND, text, NULL);
			goto out;
		}
		catalog_info(bfd, snap, &info_buf);
		files = info_buf.files;
		bytes = info_buf.bytes;
		if (catalog_remove_snapshot(bfd, snap, &freed) < 0) {
			snprintf(text, sizeof text, "cannot remove snapshot "
			    "%.40s: %s", snap, strerror(errno));
			ok = reply(T_REMOVE, ST_IO, text, NULL);
			goto out;
		}
		if (catalog_newest(bfd, newest) == 0)
			catalog_state(root, conn.peer_cn, id, info_buf.source,
			    newest[0] ? newest : NULL);
		info("%s: removed snapshot %s of backup %s", who, snap, id);
	} else {
		while (catalog_next(bfd, CAT_SNAPS, cur, cur) == 1) {
			if (catalog_info(bfd, cur, &info_buf) < 0)
				continue;
			files += info_buf.files;
			bytes += info_buf.bytes;
		}
		if (catalog_remove_backup(cfd, id, &freed) < 0) {
			snprintf(text, sizeof text, "cannot remove backup "
			    "%.40s: %s", id, strerror(errno));
			ok = reply(T_REMOVE, ST_IO, text, NULL);
			goto out;
		}
		catalog_state(root, conn.peer_cn, id, NULL, NULL);
		info("%s: removed backup %s", who, id);
	}
	if (o->quota > 0 && freed > 0)
		catalog_usage_add(root, conn.peer_cn, -(int64_t)freed);
	buf_init(&b, store_b, sizeof store_b);
	put_str(&b, snap, strlen(snap));
	buf_u64(&b, files);
	buf_u64(&b, bytes);
	ok = reply(T_REMOVE, ST_OK, "removed", &b);
out:
	if (lock >= 0)
		port_close(lock);
	port_close(bfd);
	port_close(cfd);
	(void)ok;	/* a reply that could not be sent ends the session next */
	return 0;
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
		store_end(&bk);
	began = 0;
	return EXIT_REFUSED;
}

int
session_refuse(int fd, const char *peer, struct tls_conf *conf,
    const struct server_opts *o, const char *why)
{
	int hs_ms = o->handshake_ms < 5000 ? o->handshake_ms : 5000;

	if (tls_server(&conn, conf, fd, hs_ms) < 0)
		return EXIT_NET;
	return fatal(peer, ST_BUSY, why);
}

int
session_run(int fd, const char *peer, struct tls_conf *conf,
    const struct server_opts *o)
{
	char text[MSG_MAX + 1], why[TLS_WHY_MAX], who[128];
	uint8_t body_store[TLS_NAME_MAX + SNAP_MAX + 32];
	struct buf body;
	struct rd r;
	unsigned type, status, version;
	size_t n, slen;
	const char *src;
	int rc = 0, hello = 0, got;
	uint32_t keep;

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
	root = o->root;

	for (;;) {
		got = frame_recv(&conn, &type, in, &n);
		if (got == -2)
			return fatal(who, ST_BAD_REQUEST,
			    "malformed frame header");
		if (got < 0) {
			/* A client that is done closes cleanly. */
			if (!began && conn.io_err == 0 && tls_error(&conn) == 0)
				break;
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
			if (began || restoring || rd_end(&r) < 0 || slen == 0)
				return fatal(who, ST_BAD_REQUEST,
				    "bad CHECK_SOURCE");
			status = store_begin(&bk, o->root, conn.peer_cn, src,
			    slen, text, sizeof text);
			if (status == ST_OK && o->quota > 0) {
				bk.quota = o->quota;
				if (catalog_usage(o->root, conn.peer_cn,
				    &bk.usage) < 0)
					msg("%s: cannot count its disk usage: %s",
					    who, strerror(errno));
			}
			if (status != ST_OK) {
				reply(type, status, text, NULL);
				tls_flush(&conn);
				rc = EXIT_REFUSED;
				goto out;
			}
			began = 1;
			buf_init(&body, body_store, sizeof body_store);
			buf_u16(&body, ID_LEN);
			buf_puts(&body, bk.id);
			buf_u16(&body, (unsigned)strlen(bk.snap));
			buf_puts(&body, bk.snap);
			if (body.err)
				BUG("CHECK_SOURCE body does not fit");
			reply(type, ST_OK, text, &body);
			info("%s: backup %s of %s begins snapshot %s", who,
			    bk.id, bk.source, bk.snap);
			break;
		case T_OFFER:
			if (!began || entry_get(&r, &ent) < 0 || rd_end(&r) < 0)
				return fatal(who, ST_BAD_REQUEST, "bad OFFER");
			status = store_offer(&bk, &ent, text, sizeof text);
			if (status == ST_BAD_REQUEST || status == ST_IO ||
			    status == ST_QUOTA)
				return fatal(who, status, text);
			reply(type, status, text, NULL);
			break;
		case T_FILE_TRANSFER:
			if (!began || entry_get(&r, &ent) < 0 || rd_end(&r) < 0)
				return fatal(who, ST_BAD_REQUEST,
				    "bad FILE_TRANSFER");
			status = store_put_begin(&bk, &ent, text, sizeof text);
			if (status != ST_OK)
				return fatal(who, status, text);
			break;
		case T_DATA_TRANSFER:
			if (!began)
				return fatal(who, ST_BAD_REQUEST, "stray data");
			status = store_put_data(&bk, in, n, text, sizeof text);
			if (status != ST_OK)
				return fatal(who, status, text);
			break;
		case T_TRANSFER_COMPLETE:
			if (!began || n != 0)
				return fatal(who, ST_BAD_REQUEST,
				    "bad TRANSFER_COMPLETE");
			status = store_put_end(&bk, text, sizeof text);
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
			keep = n == 4 ? rd_u32(&r) : 0;
			if (!began || rd_end(&r) < 0)
				return fatal(who, ST_BAD_REQUEST,
				    "bad BACKUP_COMPLETE");
			status = store_commit(&bk, keep, text, sizeof text);
			buf_init(&body, body_store, sizeof body_store);
			buf_u16(&body, (unsigned)strlen(bk.snap));
			buf_puts(&body, bk.snap);
			buf_u64(&body, bk.files);
			buf_u64(&body, bk.bytes);
			buf_u64(&body, bk.received);
			if (body.err)
				BUG("BACKUP_COMPLETE body does not fit");
			reply(type, status, text, &body);
			tls_flush(&conn);
			if (status == ST_OK)
				info("%s: backup %s snapshot %s: %llu files, "
				    "%llu received, %llu unchanged, %llu found "
				    "by content, %llu from an interrupted run",
				    who, bk.id, bk.snap,
				    (unsigned long long)bk.files,
				    (unsigned long long)bk.received,
				    (unsigned long long)bk.linked,
				    (unsigned long long)bk.deduped,
				    (unsigned long long)bk.reused);
			else
				rc = EXIT_REFUSED;
			tls_close(&conn);
			goto out;
		case T_LIST:
			if (began || do_list(&r) < 0)
				return fatal(who, ST_BAD_REQUEST, "bad LIST");
			break;
		case T_RESTORE:
			if (began || restoring || do_restore(who, &r) < 0)
				return fatal(who, ST_BAD_REQUEST, "bad RESTORE");
			break;
		case T_FETCH:
			if (!restoring || began || do_fetch(&r) < 0)
				return fatal(who, ST_BAD_REQUEST, "bad FETCH");
			break;
		case T_REMOVE:
			if (began || do_remove(who, &r, o) < 0)
				return fatal(who, ST_BAD_REQUEST, "bad REMOVE");
			break;
		default:
			return fatal(who, ST_BAD_REQUEST, "unknown frame type");
		}
	}
out:
	if (began)
		store_end(&bk);
	began = 0;
	return rc;
}
