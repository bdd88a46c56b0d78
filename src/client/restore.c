/*
 * restore.c — cairn --restore: bring a snapshot back into a directory.
 *
 * Three passes, in fixed memory. First the server streams the snapshot's
 * manifest: directories and symlinks are made at once, files already
 * present with the right content are left alone, and the rest go to a
 * work list (an unlinked temporary file). Then the listed files are
 * fetched, pipelined, each verified by MD5 and renamed into place with its
 * mode and mtime. Last, directories get their modes and mtimes. Every
 * path is resolved beneath the target with O_NOFOLLOW at each step, so
 * nothing is written through a symlink or outside the target.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "path.h"
#include "port.h"
#include "proto.h"
#include "record.h"
#include "report.h"

struct rrun {
	const struct copts *o;
	struct tls *t;
	int root;
	struct dircache dir;
	char id[TARGET_MAX], snap[TARGET_MAX];
	char source[PATH_CAP], target[PATH_CAP];
	struct port_tmp list;
	struct linew lw;
	struct lines lr;
	struct entry q[PIPELINE_MAX];
	unsigned qhead, qlen;
	uint64_t files, fetched, bytes, errors, kept;
	uint64_t sent_ms;
	struct progress pg;
	struct port_tmp *receiving;	/* a file half received */
};

static struct rrun rr;
static struct json js;
static struct entry ent;
static uint8_t frame[FRAME_MAX];
static uint8_t line[LINE_MAX_BYTES];
static uint8_t data[DATA_CHUNK];

static const char *
sh(const char *p, size_t n)
{
	static char out[200];

	return shown(p, n, out, sizeof out);
}

/* On any exit, no half-received file is left behind. */
static void
cleanup(void)
{
	if (rr.receiving != NULL && rr.receiving->fd >= 0)
		port_tmp_abort(rr.receiving);
	rr.receiving = NULL;
}

static void
failed(struct rrun *r, const struct entry *e, const char *what)
{
	msg("%s: %s: %s", sh(e->path, e->plen), what, strerror(errno));
	r->errors++;
}

/* While a long hash keeps us from the server, tell it we are here. */
static void
keepalive(struct rrun *r)
{
	uint64_t now = port_ms();

	if (now - r->sent_ms < KEEPALIVE_MS)
		return;
	if (frame_send(r->t, T_KEEPALIVE, NULL, 0) < 0 || tls_flush(r->t) < 0)
		die(EXIT_NET, "%s:%u: connection lost while hashing",
		    r->o->server, r->o->port);
	r->sent_ms = now;
}

/* Hash the open file fd. */
static int
hash_fd(struct rrun *r, int fd, uint8_t md[MD5_LEN])
{
	struct md5 c;
	long n;

	md5_init(&c);
	while ((n = port_read(fd, data, sizeof data, -1)) > 0) {
		md5_update(&c, data, (size_t)n);
		keepalive(r);
	}
	if (n < 0)
		return -1;
	md5_final(&c, md);
	return 0;
}

/* Add e to the work list; check: a file is there already, to be hashed
 * before it is fetched. */
static void
work_put(struct rrun *r, const struct entry *e, int check)
{
	struct buf b;

	buf_init(&b, line, sizeof line);
	if (entry_json(&b, e, NULL) == 0 && check) {
		b.len--;	/* reopen the object */
		buf_puts(&b, ",\"check\":1}");
	}
	if (b.err || linew_put(&r->lw, b.p, b.len) < 0)
		die(EXIT_USAGE, "cannot write the restore's work list in %s: "
		    "%s", r->target, strerror(errno));
}

/* 1 if dfd/leaf may already be this file: a regular file of its size. */
static int
maybe_there(int dfd, const char *leaf, const struct entry *e)
{
	struct port_stat st;

	return port_fstatat(dfd, leaf, &st) == 0 && st.type == PORT_REG &&
	    st.size == e->size;
}

/* 1 if dfd/leaf already is this file, with its mode and mtime made right. */
static int
already_there(struct rrun *r, int dfd, const char *leaf,
    const struct entry *e)
{
	struct port_stat st;
	uint8_t md[MD5_LEN];
	int fd, same = 0;

	if (port_fstatat(dfd, leaf, &st) < 0 || st.type != PORT_REG ||
	    st.size != e->size)
		return 0;
	fd = port_openat_read(dfd, leaf);
	if (fd < 0)
		return 0;
	if (hash_fd(r, fd, md) == 0 && memcmp(md, e->md5, MD5_LEN) == 0) {
		same = 1;
		if (st.mode != e->mode)
			port_fchmod(fd, e->mode);
		if (st.mtime != e->mtime || st.mtime_ns != e->mtime_ns)
			port_futime(fd, e->mtime, e->mtime_ns);
	}
	port_close(fd);
	return same;
}

/* Pass one: an entry of the manifest. */
static void
place(struct rrun *r, const struct entry *e)
{
	static char target[PATH_CAP];
	struct port_stat st;
	const char *leaf;
	long n;
	int dfd;

	if (e->type == E_FILE)
		r->files++;
	dfd = dircache_parent(&r->dir, r->root, e->path, &leaf);
	if (dfd < 0) {
		failed(r, e, "cannot reach its directory (a symlink or a "
		    "file in the way?)");
		return;
	}
	switch (e->type) {
	case E_DIR:
		if (port_mkdirat(dfd, leaf, 0700) < 0 && !(errno == EEXIST &&
		    port_fstatat(dfd, leaf, &st) == 0 && st.type == PORT_DIR)) {
			if (errno == EEXIST)
				errno = ENOTDIR;
			failed(r, e, "cannot make the directory");
			return;
		}
		work_put(r, e, 0);
		break;
	case E_LINK:
		if (port_fstatat(dfd, leaf, &st) == 0) {
			if (st.type == PORT_LNK &&
			    (n = port_readlinkat(dfd, leaf, target,
			    sizeof target)) >= 0 && (size_t)n == e->tlen &&
			    memcmp(target, e->target, e->tlen) == 0)
				return;
			if (st.type == PORT_DIR) {
				errno = EISDIR;
				failed(r, e, "cannot make the symlink");
				return;
			}
			port_unlinkat(dfd, leaf, 0);
		}
		if (port_symlinkat(e->target, dfd, leaf) < 0)
			failed(r, e, "cannot make the symlink");
		break;
	case E_FILE:
		/* Hashing waits for pass two, when the server is not in
		 * the middle of sending. */
		work_put(r, e, maybe_there(dfd, leaf, e));
		break;
	}
}

static void
net_die(struct rrun *r, const char *when)
{
	char why[TLS_WHY_MAX];

	die(EXIT_NET, "%s:%u: connection lost %s: %s", r->o->server,
	    r->o->port, when, tls_why(r->t, why, sizeof why));
}

/* Read the reply to the oldest FETCH and its data; put the file in place. */
static void
take_file(struct rrun *r)
{
	static struct entry e;
	char text[MSG_MAX + 1];
	struct port_tmp t;
	struct md5 c;
	uint8_t md[MD5_LEN];
	struct rd rd;
	unsigned status, type;
	uint64_t size, left;
	const char *leaf;
	size_t n;
	int dfd, ok;

	e = r->q[r->qhead];
	r->qhead = (r->qhead + 1) % PIPELINE_MAX;
	r->qlen--;
	client_reply(r->t, r->o, T_FETCH, &rd, text, &status, &type, &n);
	if (status != ST_OK) {
		msg("%s: not restored: %s", sh(e.path, e.plen), text);
		r->errors++;
		return;
	}
	size = rd_u64(&rd);
	dfd = dircache_parent(&r->dir, r->root, e.path, &leaf);
	ok = dfd >= 0 && port_tmp_open(&t, dfd, 0600) == 0;
	if (!ok)
		failed(r, &e, "cannot write");
	else
		r->receiving = &t;
	md5_init(&c);
	for (left = size; left > 0; left -= n) {
		if (frame_recv(r->t, &type, frame, &n) < 0)
			net_die(r, "receiving a file");
		if (type != T_DATA_TRANSFER || n == 0 || n > left)
			die(EXIT_NET, "%s:%u sent a malformed file",
			    r->o->server, r->o->port);
		md5_update(&c, frame, n);
		if (ok && port_write_all(t.fd, frame, n) < 0) {
			failed(r, &e, "cannot write");
			port_tmp_abort(&t);
			r->receiving = NULL;
			ok = 0;
		}
		r->bytes += n;
		progress_show(&r->pg, 0, r->files, "fetched", r->fetched, r->bytes);
	}
	md5_final(&c, md);
	r->receiving = NULL;
	if (!ok)
		return;
	if (size != e.size || memcmp(md, e.md5, MD5_LEN) != 0) {
		msg("%s: not restored: the data received does not match the "
		    "manifest's %s", sh(e.path, e.plen),
		    size != e.size ? "size" : "MD5");
		r->errors++;
		port_tmp_abort(&t);
		return;
	}
	if (port_fchmod(t.fd, e.mode) < 0 ||
	    port_futime(t.fd, e.mtime, e.mtime_ns) < 0 ||
	    port_tmp_rename(&t, leaf) < 0) {
		failed(r, &e, "cannot put in place");
		return;
	}
	r->fetched++;
}

/* Pass two: fetch every listed file, PIPELINE_MAX at a time. */
static void
fetch_all(struct rrun *r)
{
	struct buf b;
	const char *p;
	uint64_t check;
	size_t n;
	int got;

	if (linew_close(&r->lw) < 0 || port_rewind(r->list.fd) < 0)
		die(EXIT_USAGE, "cannot read back the work list: %s",
		    strerror(errno));
	lines_open(&r->lr, r->list.fd);
	while ((got = lines_next(&r->lr, &p, &n)) == 1) {
		if (json_parse(&js, p, n) < 0 ||
		    entry_parse(&js, &ent, NULL) < 0)
			die(EXIT_USAGE, "the work list is damaged");
		if (ent.type != E_FILE)
			continue;
		if (json_u64(&js, "check", &check) == 0 && check) {
			const char *leaf;
			int dfd;
			/* Nothing may be on its way while we hash: the
			 * server would wait on us. */
			while (r->qlen > 0)
				take_file(r);
			dfd = dircache_parent(&r->dir, r->root, ent.path,
			    &leaf);
			if (dfd >= 0 && already_there(r, dfd, leaf, &ent)) {
				r->kept++;
				continue;
			}
		}
		while (r->qlen == PIPELINE_MAX)
			take_file(r);
		buf_init(&b, frame, sizeof frame);
		put_str(&b, ent.path, ent.plen);
		if (frame_send(r->t, T_FETCH, b.p, b.len) < 0)
			net_die(r, "asking for a file");
		r->sent_ms = port_ms();
		r->q[(r->qhead + r->qlen++) % PIPELINE_MAX] = ent;
	}
	if (got < 0)
		die(EXIT_USAGE, "the work list is damaged");
	while (r->qlen > 0)
		take_file(r);
}

/* Pass three: directory modes and mtimes, now that their contents are in. */
static void
finish_dirs(struct rrun *r)
{
	const char *p, *leaf;
	size_t n;
	int dfd, fd;

	if (port_rewind(r->list.fd) < 0)
		return;
	lines_open(&r->lr, r->list.fd);
	while (lines_next(&r->lr, &p, &n) == 1) {
		if (json_parse(&js, p, n) < 0 ||
		    entry_parse(&js, &ent, NULL) < 0 || ent.type != E_DIR)
			continue;
		dfd = dircache_parent(&r->dir, r->root, ent.path, &leaf);
		fd = dfd < 0 ? -1 : port_openat_dir(dfd, leaf);
		if (fd < 0 || port_fchmod(fd, ent.mode) < 0 ||
		    port_futime(fd, ent.mtime, ent.mtime_ns) < 0)
			failed(r, &ent, "cannot set the directory's mode and "
			    "time");
		if (fd >= 0)
			port_close(fd);
	}
}

int
restore_run(const struct copts *o)
{
	struct rrun *r = &rr;
	char text[MSG_MAX + 1], snap[TARGET_MAX];
	struct buf b;
	struct rd rd;
	unsigned status, type, kind;
	size_t n;
	int st;

	r->o = o;
	atexit(cleanup);
	progress_init(&r->pg);
	split_target(o->target, r->id, sizeof r->id, snap, sizeof snap);
	r->t = client_connect(o);
	buf_init(&b, frame, sizeof frame);
	put_str(&b, r->id, strlen(r->id));
	put_str(&b, snap, strlen(snap));
	st = client_request(r->t, o, T_RESTORE, &b, &rd, text);
	if (st != ST_OK)
		refused((unsigned)st, text);
	if (get_str(&rd, r->snap, sizeof r->snap) < 0 ||
	    get_str(&rd, r->source, sizeof r->source) < 0)
		die(EXIT_NET, "malformed reply from %s", o->server);

	if (o->path != NULL && strlen(o->path) >= sizeof r->target)
		die(EXIT_USAGE, "--path is too long");
	memcpy(r->target, o->path != NULL ? o->path : r->source,
	    strlen(o->path != NULL ? o->path : r->source) + 1);
	if (r->target[0] == 0)
		die(EXIT_USAGE, "the snapshot does not say where it came from: "
		    "give --path DIR");
	if (port_mkdir(r->target, 0700) < 0 && errno != EEXIST)
		die(EXIT_USAGE, "cannot make the restore directory %s: %s",
		    r->target, strerror(errno));
	r->root = port_open_dir(r->target);
	if (r->root < 0)
		die(EXIT_USAGE, "cannot open the restore directory %s: %s",
		    r->target, strerror(errno));
	/* The work list: a temporary file nobody else can see. */
	if (port_tmp_open(&r->list, r->root, 0600) < 0)
		die(EXIT_USAGE, "cannot write in %s: %s", r->target,
		    strerror(errno));
	port_unlinkat(r->root, r->list.tmp, 0);
	linew_open(&r->lw, r->list.fd);
	dircache_init(&r->dir);
	info("restoring backup %s snapshot %s into %s", r->id, r->snap,
	    r->target);

	for (;;) {
		client_reply(r->t, o, T_RESTORE, &rd, text, &status, &type, &n);
		if (type != T_ITEM)
			die(EXIT_NET, "%s:%u sent a reply out of order",
			    o->server, o->port);
		kind = rd_u8(&rd);
		if (kind == I_END) {
			status = rd_u8(&rd);
			if (status != ST_OK) {
				get_str(&rd, text, sizeof text);
				msg("the server could not read the whole "
				    "snapshot: %s", text);
				r->errors++;
			}
			break;
		}
		if (kind != I_ENTRY || entry_get(&rd, &ent) < 0 ||
		    rd_end(&rd) < 0)
			die(EXIT_NET, "%s:%u sent a malformed entry", o->server,
			    o->port);
		place(r, &ent);
		progress_show(&r->pg, 0, r->files, "fetched", r->fetched, r->bytes);
	}
	fetch_all(r);
	finish_dirs(r);
	progress_show(&r->pg, 1, r->files, "fetched", r->fetched, r->bytes);
	tls_close(r->t);
	port_close(r->list.fd);
	dircache_close(&r->dir);
	if (port_syncfs(r->root) < 0)
		msg("cannot sync %s: %s", r->target, strerror(errno));
	if (o->json) {
		static const char *const keys[] = { "files", "bytes",
		    "fetched", "errors" };
		const uint64_t vals[] = { r->files, r->bytes, r->fetched,
		    r->errors };
		report_json(r->id, r->snap, r->target, keys, vals, 4);
	}
	info("restored backup %s snapshot %s into %s: %llu files, %llu "
	    "fetched (%llu bytes), %llu already right, %llu errors", r->id,
	    r->snap, r->target, (unsigned long long)r->files,
	    (unsigned long long)r->fetched, (unsigned long long)r->bytes,
	    (unsigned long long)r->kept, (unsigned long long)r->errors);
	return r->errors ? EXIT_PARTIAL : 0;
}
