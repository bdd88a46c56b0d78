/*
 * restore.c — cairn --restore: bring a snapshot back into a directory.
 *
 * Three passes, in fixed memory. First the server streams the snapshot's
 * manifest (v2 entries): directories, symlinks, FIFOs and device nodes
 * are made at once, files already present with the right content are left
 * alone, and the rest go to a work list (an unlinked temporary file).
 * Then the listed files are fetched, pipelined, each verified by MD5 over
 * its logical content (holes written as holes) and renamed into place
 * with its metadata (apply.c); then hard links are linked to their first
 * path, or fetched when it did not come back. Last, directories get their
 * metadata, and the snapshot's root entry goes on the target itself.
 * Every path is resolved beneath the target with O_NOFOLLOW at each step,
 * so nothing is written through a symlink or outside the target.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "backupid.h"
#include "client.h"
#include "conn.h"
#include "delete.h"
#include "path.h"
#include "port.h"
#include "proto.h"
#include "record.h"
#include "report.h"
#include "worklist.h"

struct rrun {
	const struct copts *o;
	struct cconn c;
	int root;
	struct dircache dir;
	char id[TARGET_MAX], snap[TARGET_MAX];
	char source[PATH_CAP], target[PATH_CAP];
	char shown[PATH_CAP];	/* the target, safe to print */
	struct port_tmp list;
	struct worklist wl;
	uint64_t files, fetched, bytes, errors, kept;
	struct report rep;
	struct port_tmp *receiving;	/* a file half received */
	char last[PATH_CAP];	/* the manifest's entry before, if any */
	size_t last_len;
	int have_last;
	struct dircache tdir;	/* hard links' first paths */
	char sub_for[PATH_CAP];	/* a first path that did not come back, */
	char sub[PATH_CAP];	/* and the link fetched in its place */
	/* the work list's record of each FETCH not answered yet, in order:
	 * its xattrs are read back from there */
	uint64_t rec[PIPELINE_MAX];
	uint16_t rec_bytes[PIPELINE_MAX];	/* and its request's size */
	unsigned rec_head, rec_len;
	size_t fetch_bytes;	/* of the FETCHes not answered */
	/* --include: paths of the snapshot (into the options' strings),
	 * and whether anything at or below each came */
	unsigned ninc;
	const char *inc[INCLUDES_MAX];
	size_t inc_len[INCLUDES_MAX];
	uint8_t inc_seen[INCLUDES_MAX];
	int whole;		/* the manifest came to its end, OK */
	/* --delete: the snapshot's paths, and what went */
	struct port_tmp dtmp;
	struct dlist dl;
	uint64_t deleted;
	uint64_t created, changed, alone;	/* --dry-run's */
};

static struct rrun rr;
static struct entry ent, xent;
static unsigned ent_flags;	/* ent's in the work list: WF_* */
static uint8_t xattrs[XATTR_MAX];
static uint8_t zeros[DATA_CHUNK];	/* never written: bss, not rodata */

/*
 * The restore's temporary files are named RESTORE_TMP and 16 hex digits:
 * a file being received, and the work list. A restore killed where no
 * clean-up runs (SIGKILL, a power cut) leaves them; the next restore
 * into the tree removes them (sweep).
 */
#define RESTORE_TMP ".cairn-restore-"

/* Bytes of FETCH requests that may be unanswered (PROTOCOL.md). */
#define FETCH_WINDOW 16384

/* A fresh temporary in dfd, open for writing (t->fd), named as ours.
 * 0 or -1 (errno). */
static int
rtmp_open(struct port_tmp *t, int dfd)
{
	return port_tmp_open_as(t, dfd, RESTORE_TMP, 0600);
}

/* Remove what an earlier restore left in the directory dfd: our
 * temporaries, never anything else. */
static void
sweep(int dfd)
{
	port_tmp_clean_as(dfd, RESTORE_TMP);
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
	msg("%s: %s: %s", shown_path(e), what, strerror(errno));
	r->errors++;
}

static void
progress(struct rrun *r, int last)
{
	report_progress(&r->rep, last, r->files, "fetched", r->fetched,
	    r->bytes);
}

/* Add e to the work list; check: a file is there already, to be hashed
 * before it is fetched. */
static void
work_put(struct rrun *r, const struct entry *e, int check)
{
	if (work_add(&r->wl, e, (check ? WF_CHECK : 0) |
	    (e->owned ? WF_OWNED : 0)) < 0)
		die(EXIT_USAGE, "cannot write the restore's work list in %s: "
		    "%s", r->shown, strerror(errno));
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
	if (cconn_hash(&r->c, fd, md) == 0 &&
	    memcmp(md, e->md5, MD5_LEN) == 0) {
		struct made m = { fd, dfd, leaf };

		same = 1;
		if (apply_meta(&m, e, &r->errors) < 0)
			failed(r, e, "cannot set the file's mode and time");
	}
	port_close(fd);
	return same;
}

/* ---- the included paths -------------------------------------------------- */

/*
 * --include PATH: a path as the snapshot holds it, relative to the
 * directory that was backed up (as --ls shows it); "./" before it and
 * "/" after it are dropped. An absolute path is refused: the snapshot's
 * source is not known until the server has answered.
 */
static void
includes_set(struct rrun *r)
{
	const char *p;
	size_t n;
	unsigned i;

	for (i = 0; i < r->o->include.n && i < INCLUDES_MAX; i++) {
		p = r->o->include.v[i];
		n = strlen(p);
		while (n > 2 && p[0] == '.' && p[1] == '/') {
			p += 2;
			n -= 2;
		}
		while (n > 1 && p[n - 1] == '/')
			n--;
		if (p[0] == '/')
			die(EXIT_USAGE, "--include %s: give the path as the "
			    "snapshot holds it, relative to the directory "
			    "backed up (for /etc/passwd of a backup of /etc: "
			    "--include passwd; --ls shows them)", p);
		if (path_check(p, n) < 0)
			die(EXIT_USAGE, "--include %s: not a path of a snapshot "
			    "(relative, no empty, \".\" or \"..\" components)",
			    r->o->include.v[i]);
		r->inc[i] = p;
		r->inc_len[i] = n;
		r->inc_seen[i] = 0;
	}
	r->ninc = i;
}

/* 1 if p[0..n) is at or below an included path (or none was given). */
static int
inc_within(const struct rrun *r, const char *p, size_t n)
{
	unsigned i;

	for (i = 0; i < r->ninc; i++)
		if (path_within(p, n, r->inc[i], r->inc_len[i]))
			return 1;
	return r->ninc == 0;
}

/* Check e against the includes: it must be at or below one, or a
 * directory above one (the server's rule); note which it is in. */
static void
inc_check(struct rrun *r, const struct entry *e)
{
	unsigned i;
	int ok = r->ninc == 0;

	for (i = 0; i < r->ninc; i++) {
		if (path_within(e->path, e->plen, r->inc[i], r->inc_len[i]))
			ok = r->inc_seen[i] = 1;
		else if (e->type == E_DIR && e->plen > 0 && path_within(
		    r->inc[i], r->inc_len[i], e->path, e->plen))
			ok = 1;
	}
	if (!ok)
		die(EXIT_NET, "%s:%u sent an entry that is not within the "
		    "included paths: %s", r->o->server, r->o->port,
		    shown_path(e));
}

/* Each include nothing came for, in words (and counted as an error). */
static void
includes_missing(struct rrun *r)
{
	char sh[PATH_CAP];
	unsigned i;

	for (i = 0; i < r->ninc; i++) {
		if (r->inc_seen[i])
			continue;
		shown(r->inc[i], r->inc_len[i], sh, sizeof sh);
		msg("--include %s: not in snapshot %s", sh, r->snap);
		r->errors++;
	}
}

/* ---- pass one: the manifest ---------------------------------------------- */

/* Why the directory of e cannot be reached, in words: which component of
 * its path is a symlink (or not a directory) in the target. Nothing is
 * followed: the restore will not write through a symlink. */
static void
unreachable(struct rrun *r, const struct entry *e)
{
	static char part[PATH_CAP], sh[PATH_CAP];
	struct port_stat st;
	const char *leaf;
	size_t j;
	int dfd, type = PORT_DIR;

	for (j = 1; j < e->plen && type == PORT_DIR; j++) {
		if (e->path[j] != '/')
			continue;
		memcpy(part, e->path, j);
		part[j] = 0;
		if ((dfd = path_parent(r->root, part, 0, &leaf)) < 0)
			break;
		if (port_fstatat(dfd, leaf, &st) == 0)
			type = st.type;
		port_close(dfd);
	}
	shown(part, strlen(part), sh, sizeof sh);
	if (type == PORT_LNK)
		msg("%s: not restored: %s/%s is a symlink in the target; "
		    "restore with --path DIR, or remove the link",
		    shown_path(e), r->shown, sh);
	else if (type != PORT_DIR)
		msg("%s: not restored: %s/%s is not a directory in the target",
		    shown_path(e), r->shown, sh);
	else
		msg("%s: cannot reach its directory: %s", shown_path(e),
		    strerror(errno));
	r->errors++;
}

/* The symlink e at dfd/leaf, unless it is there already. */
static void
place_link(struct rrun *r, int dfd, const char *leaf, const struct entry *e)
{
	static char target[PATH_CAP];
	struct port_stat st;
	long n;

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
}

/* The symlink e at dfd/leaf, with its owner, xattrs and mtime. */
static void
place_symlink(struct rrun *r, int dfd, const char *leaf,
    const struct entry *e)
{
	struct made m = { -1, dfd, leaf };
	uint64_t before = r->errors;

	place_link(r, dfd, leaf, e);
	if (r->errors == before && apply_meta(&m, e, &r->errors) < 0)
		failed(r, e, "cannot set the symlink's time");
}

/* An entry of the manifest: directories, symlinks, FIFOs and device
 * nodes are made now; files, hard links, and the directories and root
 * entry whose metadata waits for their contents go to the work list. */
static void
place(struct rrun *r, const struct entry *e)
{
	struct port_stat st = { .type = PORT_UNKNOWN };
	const char *leaf;
	int dfd;

	if (ENTRY_HAS_DATA(e))
		r->files++;
	if (e->plen == 0) {	/* the root's own entry: in pass three */
		work_put(r, e, 0);
		return;
	}
	dfd = dircache_parent(&r->dir, r->root, e->path, &leaf);
	if (dfd < 0) {
		unreachable(r, e);
		return;
	}
	switch (e->type) {
	case E_DIR:
		if (port_mkdirat(dfd, leaf, 0700) < 0 && !(errno == EEXIST &&
		    port_fstatat(dfd, leaf, &st) == 0 && st.type == PORT_DIR)) {
			if (errno == EEXIST && st.type == PORT_LNK) {
				msg("%s: not restored: it is a symlink in the "
				    "target; restore with --path DIR, or remove "
				    "the link", shown_path(e));
				r->errors++;
				return;
			}
			if (errno == EEXIST)
				errno = ENOTDIR;
			failed(r, e, "cannot make the directory");
			return;
		}
		work_put(r, e, 0);
		break;
	case E_LINK:
		place_symlink(r, dfd, leaf, e);
		break;
	case E_FIFO:
	case E_CHR:
	case E_BLK:
		apply_special(dfd, leaf, e, &r->errors);
		break;
	case E_FILE:
		/* Hashing waits for pass two, when the server is not in
		 * the middle of sending. */
		work_put(r, e, maybe_there(dfd, leaf, e));
		break;
	case E_HARD:
		work_put(r, e, 0);	/* linked after pass two */
		break;
	}
}

/* ---- --dry-run: what would be made or changed ---------------------------- */

/* What differs between e and what the target holds (st): a list of
 * words into w[cap], empty when nothing does. */
static void
differs(const struct entry *e, const struct port_stat *st, char *w,
    size_t cap)
{
	static const int types[] = { [E_FILE] = PORT_REG, [E_DIR] = PORT_DIR,
	    [E_LINK] = PORT_LNK, [E_HARD] = PORT_REG, [E_FIFO] = PORT_OTHER,
	    [E_CHR] = PORT_OTHER, [E_BLK] = PORT_OTHER };
	int want = e->type < sizeof types / sizeof types[0] ?
	    types[e->type] : PORT_OTHER;

	w[0] = 0;
	if ((int)st->type != want) {
		snprintf(w, cap, ", type");
		return;
	}
	if (ENTRY_HAS_DATA(e) && st->size != e->size)
		snprintf(w + strlen(w), cap - strlen(w), ", content");
	if (e->type != E_LINK && (st->mode & 07777) != (e->mode & 07777))
		snprintf(w + strlen(w), cap - strlen(w), ", mode");
	if (port_euid() == 0 && e->uid != 0xffffffffu &&
	    (st->uid != e->uid || st->gid != e->gid))
		snprintf(w + strlen(w), cap - strlen(w), ", owner");
	if (e->type != E_DIR && (st->mtime != e->mtime ||
	    st->mtime_ns != e->mtime_ns))
		snprintf(w + strlen(w), cap - strlen(w), ", times");
}

/* --dry-run: say what the restore would do with e, and do nothing.
 * Content is judged by size and mtime (nothing is read or fetched). */
static void
dry_place(struct rrun *r, const struct entry *e)
{
	struct port_stat st;
	const char *leaf;
	char w[64];
	int dfd;

	if (ENTRY_HAS_DATA(e))
		r->files++;
	if (e->plen == 0)
		return;
	dfd = r->root < 0 ? -1 : dircache_parent(&r->dir, r->root, e->path,
	    &leaf);
	if (dfd < 0 && r->root >= 0 && errno != ENOENT) {
		unreachable(r, e);
		return;
	}
	if (dfd < 0 || port_fstatat(dfd, leaf, &st) < 0) {
		info("would create %s", shown_path(e));
		r->created++;
		return;
	}
	differs(e, &st, w, sizeof w);
	if (w[0] == 0) {
		r->alone++;
		return;
	}
	info("would change %s: %s", shown_path(e), w + 2);
	r->changed++;
}

/* I_ENTRY: one entry of the manifest. */
static int
item_entry(void *ctx, struct rd *rd)
{
	struct rrun *r = ctx;

	if ((r->c.version == PROTO_V2 ? entry2_get(rd, &ent, E2_ITEM) :
	    entry_get(rd, &ent)) < 0 || rd_end(rd) < 0)
		die(EXIT_NET, "%s:%u sent a malformed entry", r->o->server,
		    r->o->port);
	/* In path order, each once, as the server checks our offers. */
	if (r->have_last && path_cmp(r->last, r->last_len, ent.path,
	    ent.plen) >= 0)
		die(EXIT_NET, "%s:%u sent the snapshot's entries out of order "
		    "or twice, at %s", r->o->server, r->o->port,
		    shown_path(&ent));
	memcpy(r->last, ent.path, ent.plen + 1);
	r->last_len = ent.plen;
	r->have_last = 1;
	inc_check(r, &ent);
	if (r->o->delete_extra && dlist_put(&r->dl, ent.type, ent.path,
	    ent.plen) < 0)
		die(EXIT_USAGE, "cannot write the restore's list of paths in "
		    "%s: %s", r->shown, strerror(errno));
	if (r->o->dry_run)
		dry_place(r, &ent);
	else
		place(r, &ent);
	progress(r, 0);
	return 0;
}

/* I_END: the manifest is over, whole or not. */
static int
item_end(void *ctx, struct rd *rd)
{
	struct rrun *r = ctx;
	char text[MSG_MAX + 1];

	if (rd_u8(rd) != ST_OK) {
		get_str(rd, text, sizeof text);
		cconn_tidy(text, sizeof text);
		msg("the server could not read the whole snapshot: %s", text);
		r->errors++;
	} else {
		r->whole = 1;
	}
	return 1;
}

static const struct item_row manifest_items[] = {
	{ I_ENTRY, item_entry },
	{ I_END, item_end },
};

/* Pass one: the server streams the manifest, up to I_END. */
static void
read_manifest(struct rrun *r)
{
	const struct item_row *h;
	struct reply *rp;

	do {
		rp = cconn_reply(&r->c, T_RESTORE, &check_items);
		if (rp->type != T_ITEM)
			die(EXIT_NET, "%s:%u sent a reply out of order",
			    r->o->server, r->o->port);
		h = item_find(manifest_items, sizeof manifest_items /
		    sizeof manifest_items[0], rd_u8(&rp->body));
		if (h == NULL)
			die(EXIT_NET, "%s:%u sent a malformed entry",
			    r->o->server, r->o->port);
	} while (h->handle(r, &rp->body) == 0);
}

/* ---- pass two: the files ------------------------------------------------- */

/* Hash n zero bytes (a hole) into c. */
static void
hash_zeros(struct md5 *c, uint64_t n)
{
	size_t k;

	for (; n > 0; n -= k) {
		k = n < sizeof zeros ? (size_t)n : sizeof zeros;
		md5_update(c, zeros, k);
	}
}

/* Write the n bytes that came for offset off of t when *ok; *wpos is
 * the file's own offset (holes are skipped: the file's length is set at
 * the end). */
static void
receive_put(struct rrun *r, const struct entry *e, struct port_tmp *t,
    int *ok, uint64_t off, size_t n, uint64_t *wpos)
{
	int w;

	if (!*ok || n == 0)
		return;
	/* At the file's offset, written in turn; after a hole, in place. */
	if (off == *wpos) {
		w = port_write_all(t->fd, r->c.frame, n);
		*wpos += n;
	} else {
		w = port_pwrite_all(t->fd, r->c.frame, n, off);
	}
	if (w < 0) {
		failed(r, e, "cannot write");
		port_tmp_abort(t);
		r->receiving = NULL;
		*ok = 0;
	}
}

/* A file's size bytes as DATA_TRANSFER and HOLE frames, hashed into md
 * and written to t when *ok, holes left as holes. */
static void
receive(struct rrun *r, const struct entry *e, uint64_t size,
    struct port_tmp *t, int *ok, uint8_t md[MD5_LEN])
{
	struct md5 c;
	struct rd rd;
	uint64_t off, n, wpos = 0;
	unsigned type;
	size_t got;

	md5_init(&c);
	for (off = 0; off < size; off += n) {
		got = cconn_recv(&r->c, &type, "receiving a file");
		rd_init(&rd, r->c.frame, got);
		n = type == T_HOLE ? rd_u64(&rd) : got;
		if ((type != T_DATA_TRANSFER && (type != T_HOLE ||
		    rd_end(&rd) < 0)) || n == 0 || n > size - off)
			die(EXIT_NET, "%s:%u sent a malformed file",
			    r->o->server, r->o->port);
		if (type == T_HOLE) {
			hash_zeros(&c, n);
		} else {
			md5_update(&c, r->c.frame, got);
			receive_put(r, e, t, ok, off, got, &wpos);
		}
		r->bytes += n;
		progress(r, 0);
	}
	/* The temporary was made empty: only a hole at the end leaves its
	 * length short of size. */
	if (*ok && wpos != size && port_ftruncate(t->fd, size) < 0) {
		failed(r, e, "cannot write");
		port_tmp_abort(t);
		r->receiving = NULL;
		*ok = 0;
	}
	md5_final(&c, md);
}

/* The work list's record at off, for the xattrs of e (a copy of it
 * whose pointer into the list's buffer went stale). */
static void
reread_xattrs(struct rrun *r, struct entry *e, uint64_t off)
{
	e->xattr = NULL;
	if (work_reread(&r->wl, off, &xent) == 0 && xent.plen == e->plen &&
	    memcmp(xent.path, e->path, e->plen) == 0) {
		e->xattr = xent.xattr;	/* in the work list's buffer */
		e->xlen = xent.xlen;
	} else {
		msg("%s: cannot read back its xattrs from the work list",
		    shown_path(e));
		e->xlen = 0;
		r->errors++;
	}
}

/* Received and checked: metadata on the temporary t, then its name. */
static void
put_in_place(struct rrun *r, const struct entry *e, struct port_tmp *t,
    int dfd, const char *leaf)
{
	struct made m = { t->fd, dfd, t->tmp };

	if (apply_meta(&m, e, &r->errors) < 0) {
		failed(r, e, "cannot put in place");
		port_tmp_abort(t);
		return;
	}
	if (port_tmp_rename(t, leaf) < 0) {	/* removed if it fails */
		failed(r, e, "cannot put in place");
		return;
	}
	r->fetched++;
}

/* A FETCH answered: the file's data follows; put it in place. */
static void
fetched(void *ctx, const struct entry *ce, struct reply *rp)
{
	struct rrun *r = ctx;
	static struct entry e;
	struct port_tmp t;
	uint8_t md[MD5_LEN];
	uint64_t size, rec = r->rec[r->rec_head];
	const char *leaf;
	int dfd, ok;

	r->fetch_bytes -= r->rec_bytes[r->rec_head];
	r->rec_head = (r->rec_head + 1) % PIPELINE_MAX;
	r->rec_len--;
	entry_copy(&e, ce);	/* the used part: an entry is 8 KiB */
	if (rp->status != ST_OK) {
		msg("%s: not restored: %s", shown_path(&e), rp->text);
		r->errors++;
		return;
	}
	size = rd_u64(&rp->body);
	dfd = dircache_parent(&r->dir, r->root, e.path, &leaf);
	ok = dfd >= 0 && rtmp_open(&t, dfd) == 0;
	if (!ok)
		failed(r, &e, "cannot write");
	else
		r->receiving = &t;
	receive(r, &e, size, &t, &ok, md);
	r->receiving = NULL;
	if (!ok)
		return;
	if (size != e.size || memcmp(md, e.md5, MD5_LEN) != 0) {
		msg("%s: not restored: the data received does not match the "
		    "manifest's %s", shown_path(&e),
		    size != e.size ? "size" : "MD5");
		r->errors++;
		port_tmp_abort(&t);
		return;
	}
	if (e.xlen > 0)
		reread_xattrs(r, &e, rec);
	put_in_place(r, &e, &t, dfd, leaf);
}

static const struct reply_row fetch_rows[] = {
	{ T_FETCH, fetched },
};

static const struct reply_table fetch_replies = {
	{ NULL, "the server refused", 0, 0 },
	fetch_rows, sizeof fetch_rows / sizeof fetch_rows[0]
};

/* 1 if the work list's file ent is in place already (hashed while
 * nothing is on its way: the server would wait on us). */
static int
kept(struct rrun *r)
{
	const char *leaf;
	int dfd;

	if (!(ent_flags & WF_CHECK))
		return 0;
	cconn_drain(&r->c);
	dfd = dircache_parent(&r->dir, r->root, ent.path, &leaf);
	return dfd >= 0 && already_there(r, dfd, leaf, &ent);
}

/*
 * Room for a FETCH of n bytes in the window (PROTOCOL.md: at most
 * PIPELINE_MAX FETCHes and FETCH_WINDOW bytes of them unanswered). When
 * it is full, answers are taken until half of it is free: the FETCHes
 * then go out together, in one record, instead of one per answer, and
 * the server answers them without flushing between files.
 */
static void
fetch_room(struct rrun *r, size_t n)
{
	if (r->c.qlen < PIPELINE_MAX && r->fetch_bytes + n <= FETCH_WINDOW)
		return;
	while (r->c.qlen > 0 && (r->c.qlen > PIPELINE_MAX / 2 ||
	    r->fetch_bytes + n > FETCH_WINDOW / 2))
		cconn_take(&r->c);
}

/* FETCH ent (read from the work list at rec), pipelined. */
static void
fetch_one(struct rrun *r, uint64_t rec)
{
	struct buf b;
	unsigned i;

	fetch_room(r, FRAME_HDR + 2 + ent.plen);
	cconn_buf(&r->c, &b);
	put_str(&b, ent.path, ent.plen);
	cconn_send(&r->c, T_FETCH, b.p, b.len, "asking for a file");
	i = (r->rec_head + r->rec_len++) % PIPELINE_MAX;
	r->rec[i] = rec;
	r->rec_bytes[i] = (uint16_t)(FRAME_HDR + b.len);
	r->fetch_bytes += r->rec_bytes[i];
	ent.xattr = NULL;	/* read back when the data has come */
	cconn_push(&r->c, T_FETCH, &ent);
}

/* The next record of the work list into ent, its xattrs
 * decoded: 1, 0 at the end; a damaged list exits. */
static int
work_next(struct rrun *r)
{
	int got = work_read(&r->wl, &ent, &ent_flags);

	if (got < 0)
		die(EXIT_USAGE, "the work list is damaged or cannot be read: "
		    "%s", strerror(errno));
	/* a copy: the list's buffer moves on while FETCHes are answered */
	if (got == 1 && ent.xlen > 0)
		memcpy(xattrs, ent.xattr, ent.xlen);
	if (got == 1)
		ent.xattr = xattrs;
	return got;
}

/* Start reading the work list from its beginning. */
static void
work_rewind(struct rrun *r)
{
	if (work_restart(&r->wl) < 0)
		die(EXIT_USAGE, "cannot read back the work list: %s",
		    strerror(errno));
}

/* Pass two: fetch every listed file, PIPELINE_MAX at a time. */
static void
fetch_all(struct rrun *r)
{
	if (work_start(&r->wl) < 0)
		die(EXIT_USAGE, "cannot write the restore's work list in %s: "
		    "%s", r->shown, strerror(errno));
	cconn_pipeline(&r->c, &fetch_replies, r);
	while (work_next(r) == 1) {
		if (ent.type != E_FILE)
			continue;
		if (kept(r)) {
			r->kept++;
			continue;
		}
		fetch_one(r, r->wl.off);
	}
	cconn_drain(&r->c);
}

/* 1 if dfd/leaf is the file e restored (its size and mtime), so that a
 * hard link to it is right; *st gets what is there. */
static int
restored(int dfd, const char *leaf, const struct entry *e,
    struct port_stat *st)
{
	return dfd >= 0 && port_fstatat(dfd, leaf, st) == 0 &&
	    st->type == PORT_REG && st->size == e->size &&
	    st->mtime == e->mtime && st->mtime_ns == e->mtime_ns;
}

/* Where the hard link ent links to (into *tdfd, *tleaf, *ts): its first
 * path when that came back; else the link of its inode fetched in its
 * place, once it is in. NULL: neither. */
static const char *
link_source(struct rrun *r, int *tdfd, const char **tleaf,
    struct port_stat *ts)
{
	/* A first path outside the includes was not restored now: what
	 * is there may be anything. */
	*tdfd = inc_within(r, ent.target, ent.tlen) ? dircache_parent(
	    &r->tdir, r->root, ent.target, tleaf) : -1;
	if (restored(*tdfd, *tleaf, &ent, ts))
		return ent.target;
	if (r->sub[0] == 0 || strcmp(r->sub_for, ent.target) != 0)
		return NULL;
	cconn_drain(&r->c);
	*tdfd = dircache_parent(&r->tdir, r->root, r->sub, tleaf);
	return restored(*tdfd, *tleaf, &ent, ts) ? r->sub : NULL;
}

/* The hard link ent: linked to its first path when that came back, else
 * fetched by its own path (and the next links of its inode linked to
 * it). */
static void
link_one(struct rrun *r)
{
	struct port_stat ts, st;
	const char *leaf, *tleaf;
	int dfd, tdfd;

	if (link_source(r, &tdfd, &tleaf, &ts) == NULL) {
		memcpy(r->sub_for, ent.target, ent.tlen + 1);
		memcpy(r->sub, ent.path, ent.plen + 1);
		fetch_one(r, r->wl.off);	/* its first did not come back */
		return;
	}
	dfd = dircache_parent(&r->dir, r->root, ent.path, &leaf);
	if (dfd < 0) {
		failed(r, &ent, "cannot reach its directory (a symlink or a "
		    "file in the way?)");
		return;
	}
	if (port_fstatat(dfd, leaf, &st) == 0) {
		if (st.ino == ts.ino && st.dev == ts.dev) {
			r->kept++;
			return;
		}
		if (st.type == PORT_DIR) {
			errno = EISDIR;
			failed(r, &ent, "cannot make the hard link");
			return;
		}
		port_unlinkat(dfd, leaf, 0);
	}
	if (port_linkat(tdfd, tleaf, dfd, leaf) < 0)
		fetch_one(r, r->wl.off);	/* no links here: a copy */
}

/* Pass two, then: the hard links, once the files they name are in. */
static void
link_all(struct rrun *r)
{
	work_rewind(r);
	dircache_init(&r->tdir);
	r->sub[0] = 0;
	while (work_next(r) == 1)
		if (ent.type == E_HARD)
			link_one(r);
	cconn_drain(&r->c);
	dircache_close(&r->tdir);
}

/* ---- pass three: directories --------------------------------------------- */

/* The metadata of the directory ent, now that its contents are in;
 * first, what an earlier restore left in it goes. */
static void
finish_dir(struct rrun *r)
{
	struct made m;
	const char *leaf;
	int dfd, fd;

	dfd = dircache_parent(&r->dir, r->root, ent.path, &leaf);
	fd = dfd < 0 ? -1 : port_openat_dir(dfd, leaf);
	if (fd < 0) {
		failed(r, &ent, "cannot set the directory's mode and time");
		return;
	}
	sweep(fd);
	m.fd = fd;
	m.dfd = dfd;
	m.name = leaf;
	if (apply_meta(&m, &ent, &r->errors) < 0)
		failed(r, &ent, "cannot set the directory's mode and time");
	port_close(fd);
}

/* Directories' metadata, deepest last as the manifest has them, and the
 * root entry's on the target itself, last of all. */
static void
finish_dirs(struct rrun *r)
{
	static struct entry root;
	static uint8_t root_x[XATTR_MAX];
	struct made m = { r->root, r->root, "." };
	int have_root = 0;

	sweep(r->root);
	work_rewind(r);
	while (work_next(r) == 1) {
		if (ent.type != E_DIR)
			continue;
		if (ent.plen > 0) {
			finish_dir(r);
			continue;
		}
		root = ent;
		memcpy(root_x, ent.xattr, ent.xlen);
		root.xattr = root_x;
		have_root = 1;
	}
	if (have_root && apply_meta(&m, &root, &r->errors) < 0)
		failed(r, &root, "cannot set the directory's mode and time");
}

/* ---- the run ------------------------------------------------------------- */

/* RESTORE: the server agrees, and names the snapshot and its source. */
static void
ask_restore(struct rrun *r, const char *snap)
{
	struct reply *rp;
	struct buf b;

	unsigned i;

	cconn_buf(&r->c, &b);
	put_str(&b, r->id, strlen(r->id));
	put_str(&b, snap, strlen(snap));
	if (r->c.version == PROTO_V2) {
		buf_u16(&b, r->ninc);
		for (i = 0; i < r->ninc; i++)
			put_str(&b, r->inc[i], r->inc_len[i]);
		if (b.err)
			die(EXIT_USAGE, "the included paths are too long for "
			    "one request (at most about 64 KiB together)");
	} else if (r->ninc > 0) {
		die(EXIT_USAGE, "%s:%u speaks protocol version 1: it cannot "
		    "restore a part of a snapshot (--include)", r->o->server,
		    r->o->port);
	}
	rp = cconn_request(&r->c, T_RESTORE, &b, &check_query);
	if (rp->status != ST_OK)
		refused(rp->status, rp->text);
	if (get_str(&rp->body, r->snap, sizeof r->snap) < 0 ||
	    get_str(&rp->body, r->source, sizeof r->source) < 0)
		die(EXIT_NET, "malformed reply from %s", r->o->server);
	cconn_tidy(r->snap, sizeof r->snap);
}

/*
 * Without --path the restore writes where the server says the backup
 * came from: only if that source, with our own certificate's name, makes
 * the id we asked for (PROTOCOL.md, "IDs people can type"), so a server
 * cannot send us to write anywhere else.
 */
static void
check_source(struct rrun *r)
{
	char id[ID_LEN + 1], sh[PATH_CAP];

	if (r->o->path != NULL || r->source[0] == 0)
		return;
	backup_id(r->c.own_cn, r->source, strlen(r->source), id);
	if (r->c.own_cn[0] != 0 && strcmp(id, r->id) == 0)
		return;
	shown(r->source, strlen(r->source), sh, sizeof sh);
	if (r->c.own_cn[0] == 0)
		die(EXIT_REFUSED, "cannot read our certificate's name to check "
		    "that backup %s is of %s: give --path DIR", r->id, sh);
	die(EXIT_REFUSED, "the server says backup %s is of %s, but our "
	    "backup of %s is %s: not restoring there (give --path DIR to "
	    "restore elsewhere)", r->id, sh, sh, id);
}

/* --dry-run: the target opened if it is there (else everything would
 * be created), nothing made in it: --delete's list of paths goes to
 * $TMPDIR (or /tmp). */
static void
dry_open(struct rrun *r)
{
	const char *tmp = getenv("TMPDIR");
	int dfd;

	r->root = port_open_dir(r->target);
	dircache_init(&r->dir);
	if (!r->o->delete_extra)
		return;
	dfd = port_open_dir(tmp != NULL && tmp[0] != 0 ? tmp : "/tmp");
	if (dfd < 0 || rtmp_open(&r->dtmp, dfd) < 0)
		die(EXIT_USAGE, "cannot make a temporary file in %s: %s",
		    tmp != NULL ? tmp : "/tmp", strerror(errno));
	port_unlinkat(dfd, r->dtmp.tmp, 0);
	port_close(dfd);
	dlist_open(&r->dl, r->dtmp.fd);
}

/* The restore directory (--path, or the snapshot's source), and the
 * work list in it: a temporary file nobody else can see. */
static void
target_open(struct rrun *r)
{
	const char *to = r->o->path != NULL ? r->o->path : r->source;

	if (strlen(to) >= sizeof r->target)
		die(EXIT_USAGE, "--path is too long");
	memcpy(r->target, to, strlen(to) + 1);
	shown(r->target, strlen(r->target), r->shown, sizeof r->shown);
	if (r->target[0] == 0)
		die(EXIT_USAGE, "the snapshot does not say where it came from: "
		    "give --path DIR");
	if (r->o->dry_run) {
		dry_open(r);
		return;
	}
	if (port_mkdir(r->target, 0700) < 0 && errno != EEXIST)
		die(EXIT_USAGE, "cannot make the restore directory %s: %s",
		    r->shown, strerror(errno));
	r->root = port_open_dir(r->target);
	if (r->root < 0)
		die(EXIT_USAGE, "cannot open the restore directory %s: %s",
		    r->shown, strerror(errno));
	if (rtmp_open(&r->list, r->root) < 0)
		die(EXIT_USAGE, "cannot write in %s: %s", r->shown,
		    strerror(errno));
	port_unlinkat(r->root, r->list.tmp, 0);
	work_open(&r->wl, r->list.fd);
	if (r->o->delete_extra) {
		if (rtmp_open(&r->dtmp, r->root) < 0)
			die(EXIT_USAGE, "cannot write in %s: %s", r->shown,
			    strerror(errno));
		port_unlinkat(r->root, r->dtmp.tmp, 0);
		dlist_open(&r->dl, r->dtmp.fd);
	}
	dircache_init(&r->dir);
}

/* --delete: what the target holds beneath the included paths (or all
 * of it) and the snapshot does not goes, once the restore is done; not
 * when the manifest did not come whole. */
static void
delete_run(struct rrun *r)
{
	struct dscope sc = { r->root, r->o->dry_run, r->shown, r->ninc,
	    r->inc, r->inc_len, 0, 0 };

	if (!r->whole) {
		msg("the snapshot's list of entries did not come whole: "
		    "nothing deleted");
		r->errors++;
		return;
	}
	delete_extra(&r->dl, &sc);
	r->deleted = sc.deleted;
	r->errors += sc.errors;
	port_close(r->dtmp.fd);
}

/* --dry-run's figures: what would be created, changed, deleted, and
 * how many entries would be left alone. */
static int
dry_done(struct rrun *r)
{
	static const char *const keys[] = { "files", "create", "change",
	    "delete", "unchanged", "errors" };
	uint64_t vals[6];

	if (r->root >= 0 && r->o->delete_extra)
		delete_run(r);
	vals[0] = r->files;
	vals[1] = r->created;
	vals[2] = r->changed;
	vals[3] = r->deleted;
	vals[4] = r->alone;
	vals[5] = r->errors;
	if (r->o->json)
		report_json(&r->rep, r->id, r->snap, r->target, keys, vals,
		    sizeof vals / sizeof vals[0]);
	info("dry run of backup %s snapshot %s into %s: %llu to create, %llu "
	    "to change, %llu to delete, %llu left alone, %llu errors; nothing "
	    "was changed", r->id, r->snap, r->shown,
	    (unsigned long long)r->created, (unsigned long long)r->changed,
	    (unsigned long long)r->deleted, (unsigned long long)r->alone,
	    (unsigned long long)r->errors);
	dircache_close(&r->dir);
	return r->errors ? EXIT_PARTIAL : 0;
}

/* Everything on disk, and the figures. */
static int
restore_done(struct rrun *r)
{
	static const char *const keys[] = { "files", "bytes", "fetched",
	    "deleted", "errors" };
	const uint64_t vals[] = { r->files, r->bytes, r->fetched, r->deleted,
	    r->errors };

	port_close(r->list.fd);
	dircache_close(&r->dir);
	if (port_syncfs(r->root) < 0)
		msg("cannot sync %s: %s", r->shown, strerror(errno));
	if (r->o->json)
		report_json(&r->rep, r->id, r->snap, r->target, keys, vals,
		    sizeof vals / sizeof vals[0]);
	info("restored backup %s snapshot %s into %s: %s, %llu fetched (%s), "
	    "%llu already right, %llu deleted, %s", r->id, r->snap, r->shown,
	    nwords(r->files, "file", "files"), (unsigned long long)r->fetched,
	    nwords(r->bytes, "byte", "bytes"), (unsigned long long)r->kept,
	    (unsigned long long)r->deleted,
	    nwords(r->errors, "error", "errors"));
	return r->errors ? EXIT_PARTIAL : 0;
}

int
restore_run(const struct copts *o)
{
	struct rrun *r = &rr;
	char snap[TARGET_MAX];

	r->o = o;
	at_exit(cleanup);
	report_start(&r->rep, o->report);
	includes_set(r);
	cconn_open(&r->c, o);
	resolve_target(&r->c, o, o->target, r->id, snap);
	ask_restore(r, snap);
	check_source(r);
	if (o->delete_extra && o->path == NULL && strcmp(r->source, "/") == 0)
		die(EXIT_USAGE, "--delete into / is refused: give --path / if "
		    "that is what you mean");
	target_open(r);
	info("restoring backup %s snapshot %s into %s", r->id, r->snap,
	    r->shown);
	read_manifest(r);
	includes_missing(r);
	if (o->dry_run) {
		cconn_close(&r->c);
		return dry_done(r);
	}
	fetch_all(r);
	link_all(r);
	finish_dirs(r);
	if (o->delete_extra)
		delete_run(r);
	progress(r, 1);
	cconn_close(&r->c);
	return restore_done(r);
}
