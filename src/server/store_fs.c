/* store_fs.c — a backup run on the local directory tree; see store_fs.h. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "fsutil.h"
#include "path.h"
#include "store_fs.h"
#include "util.h"


static unsigned
fail(char *text, size_t cap, unsigned status, const char *what,
    const char *name)
{
	char sh[128];

	snprintf(text, cap, "%s %s: %s", what,
	    shown(name, strlen(name), sh, sizeof sh), strerror(errno));
	return status;
}

static uint8_t hdr[LINE_MAX_BYTES];

/* ---- --quota: charges as they are made (store_fs.h) ------------------- */

#define ENTRY_BLOCK (64 * ENTRY_COST)	/* entries are charged in blocks */

/* Write into .charged what the run holds charged and nothing keeps. */
static void
ledger_put(struct fs_run *s)
{
	char line[32];
	int n;

	if (s->ledger < 0)
		return;
	n = snprintf(line, sizeof line, "%20llu\n",
	    (unsigned long long)(s->allow + s->inflight));
	port_pwrite_all(s->ledger, line, (size_t)n, 0);	/* fixed width */
}

/* Charge n more bytes, for what: ST_OK, or ST_QUOTA (ST_IO) with text. */
static unsigned
charge(struct fs_run *s, uint64_t n, const char *what, char *text,
    size_t cap)
{
	uint64_t used = 0;
	int r;

	if (s->quota == 0 || n == 0)
		return ST_OK;
	r = fs_charge(s->root, s->client_name, (int64_t)n, s->quota, &used);
	if (r < 0)
		return fail(text, cap, ST_IO, "cannot count the disk usage of",
		    s->client_name);
	if (r == 0)
		return ST_OK;
	snprintf(text, cap, "over quota: this client may store %llu bytes and "
	    "uses %llu; %s needs %llu more", (unsigned long long)s->quota,
	    (unsigned long long)used, what, (unsigned long long)n);
	return ST_QUOTA;
}

/* Give n bytes back. */
static void
refund(struct fs_run *s, uint64_t n)
{
	if (s->quota > 0 && n > 0 &&
	    fs_charge(s->root, s->client_name, -(int64_t)n, 0, NULL) < 0)
		msg("cannot record its disk usage: %s", strerror(errno));
}

/* Remove backup/name, giving back what its files were charged. */
static int
drop_tree(struct fs_run *s, const char *name)
{
	uint64_t freed = 0;
	int r = rmtree_count(s->backup, name, &freed);

	refund(s, freed);
	return r;
}

/* Give back what a run of this backup that died had charged (its
 * .charged), and start this run's. */
static void
ledger_open(struct fs_run *s)
{
	char line[32];
	uint64_t v;
	long n;

	if (s->quota == 0)
		return;
	s->ledger = port_openat_rw(s->backup, ".charged", 0600);
	if (s->ledger < 0)
		return;
	n = port_pread(s->ledger, line, sizeof line - 1, 0);
	line[n > 0 ? n : 0] = 0;
	line[strcspn(line, "\n")] = 0;
	if (parse_u64(line + strspn(line, " "), 1, UINT64_MAX, &v) == 0)
		refund(s, v);
	ledger_put(s);
}

/* What entry e costs, charged a block at a time. */
static unsigned
charge_entry(struct fs_run *s, const struct entry *e, char *text, size_t cap)
{
	uint64_t cost = ENTRY_COST + (e->type == E_LINK ? e->tlen : 0), block;
	unsigned st;

	s->meta += cost;
	if (s->quota == 0 || s->meta <= s->allow)
		return ST_OK;
	block = s->meta - s->allow > ENTRY_BLOCK ? s->meta - s->allow :
	    ENTRY_BLOCK;
	if ((st = charge(s, block, "this entry", text, cap)) != ST_OK) {
		s->meta -= cost;
		return st;
	}
	s->allow += block;
	ledger_put(s);
	return ST_OK;
}

/*
 * What an interrupted run left: its .partial tree and the .received log
 * of the files stored there become .resume and .resume.log, read in step
 * with this run's offers. Anything older is dropped.
 */
static int
open_resume(struct fs_run *s)
{
	struct port_stat st;
	int fd;

	if (port_fstatat(s->backup, ".partial", &st) == 0 &&
	    port_fstatat(s->backup, ".received", &st) == 0) {
		if (drop_tree(s, ".resume") < 0 ||
		    port_renameat(s->backup, ".partial", s->backup,
		    ".resume") < 0 ||
		    port_renameat(s->backup, ".received", s->backup,
		    ".resume.log") < 0)
			return -1;
	}
	if (drop_tree(s, ".partial") < 0 ||
	    rmtree_at(s->backup, ".received") < 0)
		return -1;
	s->resume = port_openat_dir(s->backup, ".resume");
	fd = s->resume < 0 ? -1 : port_openat_read(s->backup, ".resume.log");
	if (fd < 0)
		return 0;
	lines_open(&s->res_lines, fd);
	s->res_have = 1;	/* read lazily, at the first offer */
	return 0;
}

/* The next record of .resume.log (a log cut short just ends). */
static void
resume_advance(struct fs_run *s)
{
	static struct json j;

	if (entry_next(&s->res_lines, &j, &s->res_e, NULL) != 1 ||
	    s->res_e.type != E_FILE) {
		s->res_have = 0;
		return;
	}
	s->res_have = 2;
}

/* Note in .received that e is stored in .partial. */
static void
log_received(struct fs_run *s, const struct entry *e)
{
	static uint8_t line[LINE_MAX_BYTES];
	struct buf b;

	if (!s->rlog_ok)
		return;
	buf_init(&b, line, sizeof line);
	if (entry_json(&b, e, NULL) < 0 || linew_put(&s->rlog, b.p, b.len) < 0 ||
	    linew_flush(&s->rlog) < 0)
		s->rlog_ok = 0;	/* only reuse after a crash is lost */
}

/* Move the interrupted run's copy of e into place, if it has the same
 * content. 1 moved, 0 not. */
static int
reuse_partial(struct fs_run *s, const struct entry *e, int dfd,
    const char *leaf)
{
	const char *rleaf;
	int rfd, c = 1;

	if (s->res_have == 1)
		resume_advance(s);
	while (s->res_have && (c = path_cmp(s->res_e.path, s->res_e.plen,
	    e->path, e->plen)) < 0)
		resume_advance(s);
	if (!s->res_have || c != 0 || s->res_e.size != e->size ||
	    memcmp(s->res_e.md5, e->md5, MD5_LEN) != 0)
		return 0;
	rfd = dircache_parent(&s->rdir, s->resume, e->path, &rleaf);
	if (rfd < 0 || port_renameat(rfd, rleaf, dfd, leaf) < 0)
		return 0;
	return 1;
}

/* The previous snapshot's MD5 index, if it has one. */
static void
open_indexes(struct fs_run *s)
{
	char name[SNAP_MAX + 8];
	int fd;

	if (!s->prev_snap[0])
		return;
	snprintf(name, sizeof name, "%s.idx", s->prev_snap);
	fd = port_openat_read(s->manifests, name);
	if (fd >= 0 && mdindex_open(&s->pidx, fd) == 0)
		s->pidx_ok = 1;
	else if (fd >= 0)
		port_close(fd);
}

/*
 * Index the finished manifest by MD5, in one pass, into a table twice
 * the number of files (so probes stay short). A failure only costs the
 * next run its search by content.
 */
static void
build_index(struct fs_run *s)
{
	static struct lines l;
	static struct json j;
	static struct entry e;
	const char *p;
	size_t n;
	int r;

	if (port_rewind(s->man.fd) < 0 ||
	    port_tmp_open(&s->idx_tmp, s->manifests, 0644) < 0)
		return;
	if (mdindex_create(&s->nidx, s->idx_tmp.fd, 2 * s->out->files + 64) < 0)
		goto fail;
	lines_open(&l, s->man.fd);
	if (lines_next(&l, &p, &n) != 1)	/* the header */
		goto fail;
	while ((r = entry_next(&l, &j, &e, NULL)) == 1)
		if (e.type == E_FILE && mdindex_add(&s->nidx, e.md5, l.off) < 0)
			goto fail;
	if (r == 0) {
		s->nidx_ok = 1;
		return;
	}
fail:
	port_tmp_abort(&s->idx_tmp);
}

/* Read the previous manifest's next entry into s->prev_e. */
static void
prev_advance(struct fs_run *s)
{
	static struct json j;

	s->prev_have = 0;
	if (!s->prev_ok)
		return;
	if (entry_next(&s->prev_lines, &j, &s->prev_e, NULL) != 1) {
		/* End, or a damaged manifest: stop linking from it. */
		s->prev_ok = 0;
		return;
	}
	s->prev_have = 1;
}

static int
open_prev(struct fs_run *s)
{
	char name[SNAP_MAX + 8];
	const char *p;
	size_t n;
	int fd;

	s->prev_ok = 0;
	if (fs_newest(s->backup, s->prev_snap) < 0 || !s->prev_snap[0])
		return 0;
	s->prev = port_openat_dir(s->backup, s->prev_snap);
	snprintf(name, sizeof name, "%s.json", s->prev_snap);
	fd = port_openat_read(s->manifests, name);
	if (s->prev < 0 || fd < 0) {
		if (fd >= 0)
			port_close(fd);
		return 0;	/* nothing to link from: everything is sent */
	}
	lines_open(&s->prev_lines, fd);
	/* Skip the header. */
	if (lines_next(&s->prev_lines, &p, &n) != 1) {
		port_close(fd);
		s->prev_lines.fd = -1;
		return 0;
	}
	s->prev_ok = 1;
	prev_advance(s);
	return 0;
}

/*
 * A name for the new snapshot: the UTC time, with "-NNN" added when that
 * name is taken, so that byte order is time order. Names always sort after
 * the previous snapshot's, even when the clock went back (a router without
 * a clock at boot): then the previous name's counter is carried on.
 * 0, or -1 when no free name is left for this second.
 */
static int
pick_snapshot(struct fs_run *s)
{
	struct port_stat st;
	char base[21], man[SNAP_MAX + 8];
	const char *z;
	uint64_t n = 0;

	utc_name(port_time(), base);
	if (strcmp(base, s->prev_snap) <= 0 &&
	    (z = strchr(s->prev_snap, 'Z')) != NULL &&
	    (size_t)(z - s->prev_snap) < sizeof base - 1) {
		snprintf(base, sizeof base, "%.*s", (int)(z - s->prev_snap + 1),
		    s->prev_snap);
		if (z[1] != '-' || parse_u64(z + 2, 1, 999, &n) < 0)
			n = 0;
	}
	for (; n <= 999; n++) {
		if (n == 0)
			snprintf(s->out->snap, sizeof s->out->snap, "%s", base);
		else
			snprintf(s->out->snap, sizeof s->out->snap, "%.20s-%03u", base,
			    (unsigned)n);
		snprintf(man, sizeof man, "%s.json", s->out->snap);
		if (strcmp(s->out->snap, s->prev_snap) > 0 &&
		    port_fstatat(s->backup, s->out->snap, &st) < 0 &&
		    port_fstatat(s->manifests, man, &st) < 0)
			return 0;
	}
	errno = EEXIST;
	return -1;
}

/*
 * The manifest's header: who, what, when, and the snapshot's totals. It
 * is written first with zero totals and room to spare, and rewritten in
 * place at commit, padded with spaces to the same length (width 0: the
 * first time; its length is remembered).
 */
static int
manifest_header(struct fs_run *s, struct buf *b, int final)
{
	buf_puts(b, "{\"cairn_manifest\":1");
	json_put_key(b, "client", 0);
	json_put_str(b, s->client_name, strlen(s->client_name));
	json_put_key(b, "id", 0);
	json_put_str(b, s->out->id, ID_LEN);
	json_put_key(b, "snapshot", 0);
	json_put_str(b, s->out->snap, strlen(s->out->snap));
	json_put_key(b, "source", 0);
	json_put_str(b, s->out->source, strlen(s->out->source));
	json_put_key(b, "time", 0);
	buf_sdec(b, s->time);
	json_put_key(b, "files", 0);
	buf_dec(b, final ? s->out->files : 0);
	json_put_key(b, "bytes", 0);
	buf_dec(b, final ? s->out->bytes : 0);
	json_put_key(b, "charge", 0);	/* what its entries cost (--quota) */
	buf_dec(b, final ? s->meta : 0);
	buf_putc(b, '}');
	/* Three totals grow by at most 57 digits. */
	if (!final)
		s->hdr_len = b->len + 60;
	if (b->len > s->hdr_len)
		b->err = 1;
	while (!b->err && b->len < s->hdr_len)
		buf_putc(b, ' ');
	return b->err ? -1 : 0;
}

/* A run with nothing open. */
static void
run_init(struct fs_run *s, int root, uint64_t quota, struct store_run *out)
{
	memset(s, 0, offsetof(struct fs_run, needs));
	s->root = root;
	s->quota = quota;
	s->out = out;
	s->ledger = -1;
	s->client = s->backup = s->lock = -1;
	s->partial = s->incoming = s->manifests = s->prev = -1;
	s->up_fd = -1;
	s->man.fd = -1;
	s->prev_lines.fd = -1;
	dircache_init(&s->pdir);
	dircache_init(&s->vdir);
	dircache_init(&s->rdir);
	s->idx_tmp.fd = -1;
	s->resume = -1;
	s->res_lines.fd = -1;
	s->rlog.fd = -1;
}

/* The client's and the backup's directories, and the backup's lock. */
static unsigned
take_backup(struct fs_run *s, char *text, size_t cap)
{
	s->client = mkdir_open(s->root, s->client_name, 0700);
	if (s->client < 0)
		return fail(text, cap, ST_IO, "cannot make the client directory",
		    s->client_name);
	s->backup = mkdir_open(s->client, s->out->id, 0755);
	if (s->backup < 0)
		return fail(text, cap, ST_IO, "cannot make the backup directory",
		    s->out->id);
	s->lock = fs_lock(s->backup, LOCK_RUN, PORT_LOCK_EXCL);
	if (s->lock < 0 && errno == EWOULDBLOCK) {
		snprintf(text, cap, "backup %s is busy: another run of it is "
		    "in progress", s->out->id);
		return ST_BUSY;
	}
	if (s->lock < 0)
		return fail(text, cap, ST_IO, "cannot open the lock", ".lock");
	return ST_OK;
}

/* Why no name is left for the new snapshot: most likely a server clock
 * behind the newest snapshot, whose second has used up its counter. */
static unsigned
no_name(struct fs_run *s, char *text, size_t cap)
{
	char now[21];

	utc_name(port_time(), now);
	if (strcmp(now, s->prev_snap) > 0)
		return fail(text, cap, ST_IO, "no snapshot name is left for "
		    "this second in", s->out->id);
	snprintf(text, cap, "the server's clock reads %s, which is not after "
	    "the newest snapshot of backup %s (%s), and no later name is left "
	    "in that second: set the server's clock", now, s->out->id,
	    s->prev_snap);
	return ST_IO;
}

/* Manifests (and indexes) without their snapshot: a commit killed between
 * the manifest's rename and the snapshot's. Only a run, which holds the
 * lock we hold, makes them, so any found now is such a leftover. */
static void
drop_orphans(struct fs_run *s)
{
	struct port_stat st;
	struct port_dir *d;
	const char *name, *dot;
	enum port_type type;
	char snap[SNAP_MAX], victim[SNAP_MAX + 8];
	int again = 1;

	while (again) {		/* one name a pass, the directory read anew */
		again = 0;
		if ((d = port_dir_open(s->manifests)) == NULL)
			return;
		while (port_dir_next(d, &name, &type) > 0) {
			dot = strrchr(name, '.');
			if (name[0] == '.' || dot == NULL || (strcmp(dot,
			    ".json") != 0 && strcmp(dot, ".idx") != 0) ||
			    (size_t)(dot - name) >= sizeof snap ||
			    strlen(name) >= sizeof victim)
				continue;
			memcpy(snap, name, (size_t)(dot - name));
			snap[dot - name] = 0;
			if (port_fstatat(s->backup, snap, &st) == 0 &&
			    st.type == PORT_DIR)
				continue;
			memcpy(victim, name, strlen(name) + 1);
			again = 1;
			break;
		}
		port_dir_close(d);
		if (again && port_unlinkat(s->manifests, victim, 0) < 0)
			return;
	}
}

/* The work directories of the run, what an interrupted one left, the
 * previous snapshot to link from, and the new snapshot's name. */
static unsigned
prepare(struct fs_run *s, char *text, size_t cap)
{
	fs_clean_trash(s->backup);
	fs_clean_trash(s->client);
	ledger_open(s);
	if (open_resume(s) < 0 || rmtree_at(s->backup, ".incoming") < 0)
		return fail(text, cap, ST_IO, "cannot clear the partial snapshot",
		    s->out->id);
	s->partial = mkdir_open(s->backup, ".partial", 0755);
	s->incoming = mkdir_open(s->backup, ".incoming", 0700);
	s->manifests = mkdir_open(s->backup, ".manifests", 0755);
	s->rlog.fd = port_openat_create(s->backup, ".received", 0600);
	if (s->partial < 0 || s->incoming < 0 || s->manifests < 0 ||
	    s->rlog.fd < 0)
		return fail(text, cap, ST_IO, "cannot prepare the snapshot of",
		    s->out->id);
	linew_open(&s->rlog, s->rlog.fd);
	s->rlog_ok = 1;
	port_tmp_clean(s->manifests);	/* a killed run's manifest */
	drop_orphans(s);
	open_prev(s);
	if (pick_snapshot(s) < 0)
		return no_name(s, text, cap);
	open_indexes(s);
	return ST_OK;
}

/* The new manifest, its header written with zero totals. */
static unsigned
start_manifest(struct fs_run *s, char *text, size_t cap)
{
	struct buf b;

	if (port_tmp_open(&s->man, s->manifests, 0644) < 0)
		return fail(text, cap, ST_IO, "cannot create the manifest of",
		    s->out->id);
	linew_open(&s->mw, s->man.fd);
	s->time = port_time();
	buf_init(&b, hdr, sizeof hdr);
	if (manifest_header(s, &b, 0) < 0 || linew_put(&s->mw, b.p, b.len) < 0)
		return fail(text, cap, ST_IO, "cannot write the manifest of",
		    s->out->id);
	return ST_OK;
}

static void fs_end(const store_class **ctx);

static unsigned
fs_begin(const store_class **ctx, const char *client, const char *source,
    size_t slen, struct store_run *out, char *text, size_t cap)
{
	struct store_fs *fs = (struct store_fs *)ctx;
	struct fs_run *s = &fs->run;
	unsigned st;

	fs_end(ctx);
	memset(out, 0, sizeof *out);
	run_init(s, fs->root, fs->quota, out);
	fs->began = 1;
	snprintf(s->client_name, sizeof s->client_name, "%s", client);
	memcpy(out->source, source, slen);
	out->source[slen] = 0;
	store_make_id(client, source, slen, out->id);
	if ((st = take_backup(s, text, cap)) != ST_OK ||
	    (st = prepare(s, text, cap)) != ST_OK ||
	    (st = start_manifest(s, text, cap)) != ST_OK) {
		fs_end(ctx);
		return st;
	}
	snprintf(text, cap, "snapshot %s of backup %s", out->snap, out->id);
	return ST_OK;
}

static unsigned
manifest_add(struct fs_run *s, const struct entry *e, char *text, size_t cap)
{
	static uint8_t line[LINE_MAX_BYTES];
	struct buf b;

	buf_init(&b, line, sizeof line);
	if (entry_json(&b, e, NULL) < 0 || linew_put(&s->mw, b.p, b.len) < 0)
		return fail(text, cap, ST_IO, "cannot write the manifest for",
		    e->path);
	return ST_OK;
}

/*
 * Copy sdfd/sleaf to dfd/leaf, by way of .incoming, with e's mode and
 * mtime: for filesystems without hard links, or a file at its link limit.
 */
static int
copy_file(struct fs_run *s, const struct entry *e, int sdfd, const char *sleaf,
    int dfd, const char *leaf)
{
	static uint8_t data[COPY_CHUNK];
	long n;
	int in, out, r = -1;

	in = port_openat_read(sdfd, sleaf);
	if (in < 0)
		return -1;
	port_unlinkat(s->incoming, "copy", 0);
	out = port_openat_create(s->incoming, "copy", (e->mode & 0555) | 0400);
	if (out < 0) {
		port_close(in);
		return -1;
	}
	while ((n = port_read(in, data, sizeof data, -1)) > 0)
		if (port_write_all(out, data, (size_t)n) < 0)
			break;
	if (n == 0 && port_futime(out, e->mtime, e->mtime_ns) == 0 &&
	    port_close(out) == 0) {
		out = -1;
		r = port_renameat(s->incoming, "copy", dfd, leaf);
	}
	if (out >= 0)
		port_close(out);
	port_close(in);
	if (r < 0)
		port_unlinkat(s->incoming, "copy", 0);
	else if (s->quota > 0)
		fs_charge(s->root, s->client_name, (int64_t)e->size, 0, NULL);
	return r;
}

/* Hard-link sdfd/sleaf as dfd/leaf, or copy it where links fail. 1 done,
 * 0 not. */
static int
link_or_copy(struct fs_run *s, const struct entry *e, int sdfd,
    const char *sleaf, int dfd, const char *leaf)
{
	if (!s->copying) {
		if (port_linkat(sdfd, sleaf, dfd, leaf) == 0)
			return 1;
		if (errno != EMLINK && errno != EXDEV && errno != EPERM &&
		    errno != ENOTSUP && errno != EOPNOTSUPP)
			return 0;
		if (errno != EMLINK) {
			msg("%s/%s: this filesystem has no hard links (%s): "
			    "unchanged files are copied", s->client_name, s->out->id,
			    strerror(errno));
			s->copying = 1;
		}
	}
	return copy_file(s, e, sdfd, sleaf, dfd, leaf) == 0;
}

/* Hard-link (or copy) the previous snapshot's copy of e, if it has the
 * same content. 1 done, 0 not. */
static int
link_previous(struct fs_run *s, const struct entry *e, int dfd,
    const char *leaf)
{
	const char *pleaf;
	int pfd;

	while (s->prev_have && path_cmp(s->prev_e.path, s->prev_e.plen,
	    e->path, e->plen) < 0)
		prev_advance(s);
	if (!s->prev_have || s->prev_e.type != E_FILE ||
	    path_cmp(s->prev_e.path, s->prev_e.plen, e->path, e->plen) != 0 ||
	    s->prev_e.size != e->size ||
	    memcmp(s->prev_e.md5, e->md5, MD5_LEN) != 0)
		return 0;
	pfd = dircache_parent(&s->vdir, s->prev, e->path, &pleaf);
	if (pfd < 0)
		return 0;
	return link_or_copy(s, e, pfd, pleaf, dfd, leaf);
}

/*
 * Link (or copy) a file of the previous snapshot with e's content found by
 * MD5 alone, wherever it was: a renamed or copied file is not sent again.
 */
static int
link_same_content(struct fs_run *s, const struct entry *e, int dfd,
    const char *leaf)
{
	static char line[LINE_MAX_BYTES];
	static struct json j;
	static struct entry pe;
	const char *pleaf, *nl;
	uint64_t off;
	long n;
	int pfd, r;

	if (!s->pidx_ok || s->prev_lines.fd < 0 ||
	    mdindex_find(&s->pidx, e->md5, &off) != 1)
		return 0;
	n = port_pread(s->prev_lines.fd, line, sizeof line, off);
	nl = n > 0 ? memchr(line, '\n', (size_t)n) : NULL;
	if (nl == NULL || json_parse(&j, line, (size_t)(nl - line)) < 0 ||
	    entry_parse(&j, &pe, NULL) < 0 || pe.type != E_FILE ||
	    pe.size != e->size || memcmp(pe.md5, e->md5, MD5_LEN) != 0)
		return 0;
	pfd = path_parent(s->prev, pe.path, 0, &pleaf);
	if (pfd < 0)
		return 0;
	r = link_or_copy(s, e, pfd, pleaf, dfd, leaf);
	port_close(pfd);
	return r;
}

/* 1 if e may come next: no transfer open, and after the last entry. */
static unsigned
in_order(struct fs_run *s, const struct entry *e, char *text, size_t cap)
{
	if (s->up_fd >= 0) {
		snprintf(text, cap, "an offer in the middle of a file transfer");
		return 0;
	}
	if (s->last_len > 0 &&
	    path_cmp(s->last, s->last_len, e->path, e->plen) >= 0) {
		snprintf(text, cap, "offers out of order");
		return 0;
	}
	memcpy(s->last, e->path, e->plen + 1);
	s->last_len = e->plen;
	return 1;
}

/* The room the quota leaves for e, as the usage is now (its data is
 * charged when it comes): ST_OK or ST_QUOTA. */
static unsigned
quota_room(struct fs_run *s, const struct entry *e, char *text, size_t cap)
{
	uint64_t used = 0;

	if (s->quota == 0)
		return ST_OK;
	if (fs_usage(s->root, s->client_name, &used) < 0)
		return fail(text, cap, ST_IO, "cannot count the disk usage of",
		    s->client_name);
	if (e->size <= s->quota - (used < s->quota ? used : s->quota))
		return ST_OK;
	snprintf(text, cap, "over quota: this client may store %llu bytes "
	    "and uses %llu; this file alone needs %llu",
	    (unsigned long long)s->quota, (unsigned long long)used,
	    (unsigned long long)e->size);
	return ST_QUOTA;
}

/*
 * A file: linked from the previous snapshot, moved from an interrupted
 * run, linked by content, or else needed (ST_NEED), in that order.
 */
static unsigned
offer_file(struct fs_run *s, const struct entry *e, int dfd, const char *leaf,
    char *text, size_t cap)
{
	unsigned st;

	s->out->files++;
	s->out->bytes += e->size;
	if (link_previous(s, e, dfd, leaf)) {
		s->out->linked++;
		return ST_OK;
	}
	if (s->resume >= 0 && s->res_have && reuse_partial(s, e, dfd, leaf)) {
		s->out->reused++;
		log_received(s, e);
		return ST_OK;
	}
	if (link_same_content(s, e, dfd, leaf)) {
		s->out->deduped++;
		return ST_OK;
	}
	if ((st = quota_room(s, e, text, cap)) != ST_OK)
		return st;
	if (s->need_count == NEED_MAX) {
		snprintf(text, cap, "too many files offered ahead of their data "
		    "(at most %d)", NEED_MAX);
		return ST_BAD_REQUEST;
	}
	s->needs[(s->need_head + s->need_count++) % NEED_MAX] = *e;
	return ST_NEED;
}

/* A directory or a symlink, made in the partial snapshot. */
static unsigned
offer_other(const struct entry *e, int dfd, const char *leaf, char *text,
    size_t cap)
{
	struct port_stat st;

	if (e->type == E_DIR) {
		if (port_mkdirat(dfd, leaf, 0755) < 0 && !(errno == EEXIST &&
		    port_fstatat(dfd, leaf, &st) == 0 && st.type == PORT_DIR))
			return fail(text, cap, ST_IO, "cannot make directory",
			    e->path);
		return ST_OK;
	}
	if (e->type == E_LINK) {
		if (port_symlinkat(e->target, dfd, leaf) < 0)
			return fail(text, cap, ST_IO, "cannot make symlink",
			    e->path);
		return ST_OK;
	}
	snprintf(text, cap, "unknown entry type");
	return ST_BAD_REQUEST;
}

static unsigned
fs_offer(const store_class **ctx, const struct entry *e, char *text,
    size_t cap)
{
	struct fs_run *s = &((struct store_fs *)ctx)->run;
	const char *leaf;
	unsigned st;
	int dfd;

	if (!in_order(s, e, text, cap))
		return ST_BAD_REQUEST;
	dfd = dircache_parent(&s->pdir, s->partial, e->path, &leaf);
	if (dfd < 0) {
		snprintf(text, cap, "the parent directory of this entry was "
		    "not offered, or is not a directory");
		return ST_BAD_REQUEST;
	}
	if ((st = charge_entry(s, e, text, cap)) != ST_OK)
		return st;
	st = e->type == E_FILE ? offer_file(s, e, dfd, leaf, text, cap) :
	    offer_other(e, dfd, leaf, text, cap);
	if (st != ST_OK && st != ST_NEED)
		return st;
	if (manifest_add(s, e, text, cap) != ST_OK)
		return ST_IO;
	snprintf(text, cap, "%s", st == ST_OK ? "have it" : "send it");
	return st;
}

static unsigned
fs_put_begin(const store_class **ctx, const struct entry *e, char *text,
    size_t cap)
{
	struct fs_run *s = &((struct store_fs *)ctx)->run;
	const struct entry *n = &s->needs[s->need_head];
	unsigned st;

	if (s->up_fd >= 0 || s->need_count == 0 || e->type != E_FILE ||
	    e->plen != n->plen || memcmp(e->path, n->path, e->plen) != 0 ||
	    e->size != n->size || memcmp(e->md5, n->md5, MD5_LEN) != 0) {
		snprintf(text, cap, "a file was sent that was not asked for, "
		    "or out of order");
		return ST_BAD_REQUEST;
	}
	if ((st = charge(s, e->size, "this file", text, cap)) != ST_OK)
		return st;
	s->inflight = e->size;
	ledger_put(s);
	/* Stored files are read-only: never opened for writing again. The
	 * mode is given at creation, which the open descriptor ignores. */
	s->up_fd = port_openat_create(s->incoming, "upload",
	    (n->mode & 0555) | 0400);
	if (s->up_fd < 0 && errno == EEXIST &&
	    port_unlinkat(s->incoming, "upload", 0) == 0)
		s->up_fd = port_openat_create(s->incoming, "upload",
		    (n->mode & 0555) | 0400);
	if (s->up_fd < 0)
		return fail(text, cap, ST_IO, "cannot create the upload of",
		    e->path);
	md5_init(&s->up_md5);
	s->up_bytes = 0;
	return ST_OK;
}

static unsigned
fs_put_data(const store_class **ctx, const void *p, size_t n, char *text,
    size_t cap)
{
	struct fs_run *s = &((struct store_fs *)ctx)->run;
	const struct entry *nd = &s->needs[s->need_head];

	if (s->up_fd < 0) {
		snprintf(text, cap, "data outside a file transfer");
		return ST_BAD_REQUEST;
	}
	if (n > nd->size - s->up_bytes) {
		snprintf(text, cap, "more data than the declared size");
		return ST_BAD_REQUEST;
	}
	if (port_write_all(s->up_fd, p, n) < 0)
		return fail(text, cap, ST_IO, "cannot write", nd->path);
	md5_update(&s->up_md5, p, n);
	s->up_bytes += n;
	return ST_OK;
}

/* The received file nd, checked, moved into the partial snapshot. */
static unsigned
store_upload(struct fs_run *s, const struct entry *nd, char *text, size_t cap)
{
	uint8_t md[MD5_LEN];
	const char *leaf;
	int dfd;

	md5_final(&s->up_md5, md);
	if (s->up_bytes != nd->size || memcmp(md, nd->md5, MD5_LEN) != 0) {
		snprintf(text, cap, "%s: the data received does not match its "
		    "size or MD5 (was it changed while being sent?)",
		    s->up_bytes != nd->size ? "size" : "MD5");
		s->out->files--;
		s->out->bytes -= nd->size;
		return ST_BAD_DATA;
	}
	if (port_futime(s->up_fd, nd->mtime, nd->mtime_ns) < 0)
		return fail(text, cap, ST_IO, "cannot set the metadata of",
		    nd->path);
	dfd = dircache_parent(&s->pdir, s->partial, nd->path, &leaf);
	if (dfd < 0 || port_renameat(s->incoming, "upload", dfd, leaf) < 0)
		return fail(text, cap, ST_IO, "cannot store", nd->path);
	s->out->received++;
	log_received(s, nd);
	snprintf(text, cap, "stored");
	return ST_OK;
}

static unsigned
fs_put_end(const store_class **ctx, char *text, size_t cap)
{
	struct fs_run *s = &((struct store_fs *)ctx)->run;
	const struct entry *nd = &s->needs[s->need_head];
	unsigned st;

	if (s->up_fd < 0) {
		snprintf(text, cap, "transfer complete without a transfer");
		return ST_BAD_REQUEST;
	}
	s->need_head = (s->need_head + 1) % NEED_MAX;
	s->need_count--;
	st = store_upload(s, nd, text, cap);
	close_fd(&s->up_fd);
	if (st != ST_OK) {
		port_unlinkat(s->incoming, "upload", 0);
		s->missing++;
		refund(s, s->inflight);
	}
	s->inflight = 0;	/* stored in .partial, or given back */
	ledger_put(s);
	return st;
}

/*
 * When some offered files never arrived, rewrite the manifest without
 * them, so that it says exactly what the snapshot holds.
 */
static int
drop_missing(struct fs_run *s)
{
	static struct lines in;
	static struct linew out;
	static struct json j;
	static struct entry e;
	struct port_tmp t;
	struct port_stat st;
	const char *p, *leaf;
	size_t n;
	int fd, r, dfd, keep;

	fd = port_openat_read(s->manifests, s->man.tmp);
	if (fd < 0)
		return -1;
	if (port_tmp_open(&t, s->manifests, 0644) < 0) {
		port_close(fd);
		return -1;
	}
	lines_open(&in, fd);
	linew_open(&out, t.fd);
	r = lines_next(&in, &p, &n);	/* the header */
	if (r == 1)
		r = linew_put(&out, p, n);
	while (r >= 0 && (r = lines_next(&in, &p, &n)) == 1) {
		keep = 1;
		if (json_parse(&j, p, n) == 0 && entry_parse(&j, &e, NULL) == 0 &&
		    e.type == E_FILE) {
			dfd = path_parent(s->partial, e.path, 0, &leaf);
			keep = dfd >= 0 && port_fstatat(dfd, leaf, &st) == 0 &&
			    st.type == PORT_REG;
			if (dfd >= 0)
				port_close(dfd);
		}
		if (keep && linew_put(&out, p, n) < 0)
			r = -1;
	}
	port_close(fd);
	if (r < 0 || linew_close(&out) < 0 || port_fsync(t.fd) < 0) {
		port_tmp_abort(&t);
		return -1;
	}
	/* Swap: the filtered copy becomes the manifest being committed. */
	port_tmp_abort(&s->man);
	s->man = t;
	return 0;
}

/* Keep only the newest keep snapshots of the backup (we hold its lock). */
static void
retain(struct fs_run *s, unsigned keep)
{
	char name[SNAP_MAX] = "";
	unsigned count = 0;
	uint64_t freed = 0;

	while (fs_next(s->backup, FS_SNAPS, name, name) == 1)
		count++;
	if (count <= keep)
		return;
	if (port_lock_byte(s->lock, LOCK_READ, PORT_LOCK_EXCL) < 0) {
		info("backup %s: --keep %u waits for the next run: a restore of "
		    "it is in progress", s->out->id, keep);
		return;
	}
	name[0] = 0;
	while (count > keep && fs_next(s->backup, FS_SNAPS, name,
	    name) == 1) {
		if (fs_remove_snapshot(s->backup, name, &freed) < 0) {
			msg("backup %s: cannot remove snapshot %s (--keep): %s",
			    s->out->id, name, strerror(errno));
			break;
		}
		info("backup %s: removed snapshot %s (--keep %u)", s->out->id,
		    name, keep);
		count--;
	}
	port_lock_byte(s->lock, LOCK_READ, PORT_UNLOCK);
	refund(s, freed);
}

/* The manifest with its final totals (and without files that never
 * came), and its index by MD5. */
static unsigned
finish_manifest(struct fs_run *s, char *text, size_t cap)
{
	struct buf b;

	if (linew_close(&s->mw) < 0)
		return fail(text, cap, ST_IO, "cannot write the manifest of",
		    s->out->id);
	buf_init(&b, hdr, sizeof hdr);
	if (manifest_header(s, &b, 1) < 0 ||
	    port_pwrite_all(s->man.fd, b.p, b.len, 1) < 0)
		return fail(text, cap, ST_IO, "cannot finish the manifest of",
		    s->out->id);
	if (s->missing > 0 && drop_missing(s) < 0)
		return fail(text, cap, ST_IO, "cannot rewrite the manifest of",
		    s->out->id);
	build_index(s);
	return ST_OK;
}

/* Take back the manifest and index of a snapshot that did not commit, so
 * that no manifest names a snapshot that does not exist. */
static void
unpublish(struct fs_run *s)
{
	char name[SNAP_MAX + 8];

	snprintf(name, sizeof name, "%s.json", s->out->snap);
	port_unlinkat(s->manifests, name, 0);
	snprintf(name, sizeof name, "%s.idx", s->out->snap);
	port_unlinkat(s->manifests, name, 0);
}

/*
 * Data first, then the manifest, then the one rename that makes the
 * snapshot visible, then that rename made durable. A failure at any step
 * leaves the run uncommitted (the partial tree kept for the next run) and
 * nothing of it visible: a rename that cannot be made durable is undone.
 */
static unsigned
publish(struct fs_run *s, char *text, size_t cap)
{
	char name[SNAP_MAX + 8];
	unsigned st;

	if (port_syncfs(s->partial) < 0)
		return fail(text, cap, ST_IO, "cannot sync the snapshot of",
		    s->out->id);
	snprintf(name, sizeof name, "%s.json", s->out->snap);
	if (port_tmp_commit(&s->man, name) < 0) {
		st = fail(text, cap, ST_IO, "cannot commit the manifest of",
		    s->out->id);
		unpublish(s);
		return st;
	}
	snprintf(name, sizeof name, "%s.idx", s->out->snap);
	if (s->nidx_ok && port_tmp_commit(&s->idx_tmp, name) < 0)
		port_unlinkat(s->manifests, name, 0);	/* only a cache */
	if (port_renameat(s->backup, ".partial", s->backup, s->out->snap) < 0) {
		st = fail(text, cap, ST_IO, "cannot commit the snapshot of",
		    s->out->id);
		unpublish(s);
		return st;
	}
	if (port_fsync(s->backup) < 0) {
		st = fail(text, cap, ST_IO, "cannot make the snapshot durable "
		    "in", s->out->id);
		if (port_renameat(s->backup, s->out->snap, s->backup,
		    ".partial") == 0)
			unpublish(s);
		return st;
	}
	close_fd(&s->partial);
	return ST_OK;
}

/* After the commit: what an interrupted run left is of no more use; the
 * state file and the usage count follow; then retention. */
static void
after_commit(struct fs_run *s, unsigned keep)
{
	close_fd(&s->rlog.fd);
	s->rlog_ok = 0;
	port_unlinkat(s->backup, ".received", 0);
	close_fd(&s->resume);
	close_fd(&s->res_lines.fd);
	if (drop_tree(s, ".resume") < 0 ||
	    rmtree_at(s->backup, ".resume.log") < 0)
		msg("backup %s: cannot clean the interrupted run's files: %s",
		    s->out->id, strerror(errno));
	/* The entries' charge now stays with the committed manifest. */
	if (s->allow > s->meta)
		refund(s, s->allow - s->meta);
	s->allow = s->meta = 0;
	close_fd(&s->ledger);
	port_unlinkat(s->backup, ".charged", 0);
	if (fs_state(s->root, s->client_name, s->out->id, s->out->source,
	    s->out->snap) < 0)
		msg("snapshot %s/%s/%s committed, but %s could not be "
		    "updated: %s", s->client_name, s->out->id, s->out->snap,
		    "backup_state.json", strerror(errno));
	if (keep > 0)
		retain(s, keep);
}

static unsigned
fs_commit(const store_class **ctx, unsigned keep, struct store_run *out,
    char *text, size_t cap)
{
	struct fs_run *s = &((struct store_fs *)ctx)->run;
	unsigned st;

	if (s->need_count > 0 || s->up_fd >= 0) {
		snprintf(text, cap, "%u file(s) were offered but never sent",
		    s->need_count + (s->up_fd >= 0));
		return ST_BAD_REQUEST;
	}
	if ((st = finish_manifest(s, text, cap)) != ST_OK ||
	    (st = publish(s, text, cap)) != ST_OK)
		return st;
	after_commit(s, keep);
	*out = *s->out;
	snprintf(text, cap, "committed snapshot %s", s->out->snap);
	return ST_OK;
}

static void
fs_end(const store_class **ctx)
{
	struct store_fs *fs = (struct store_fs *)ctx;
	struct fs_run *s = &fs->run;

	if (!fs->began)
		return;
	fs->began = 0;
	if (s->ledger >= 0) {
		/* Not committed: its entries' charge goes with its manifest;
		 * what it received stays charged in .partial. */
		refund(s, s->allow + s->inflight);
		close_fd(&s->ledger);
		port_unlinkat(s->backup, ".charged", 0);
	}
	if (s->man.fd >= 0)
		port_tmp_abort(&s->man);
	if (s->idx_tmp.fd >= 0)
		port_tmp_abort(&s->idx_tmp);
	if (s->pidx_ok)
		close_fd(&s->pidx.fd);
	close_fd(&s->prev_lines.fd);
	dircache_close(&s->pdir);
	dircache_close(&s->vdir);
	dircache_close(&s->rdir);
	close_fd(&s->resume);
	close_fd(&s->res_lines.fd);
	close_fd(&s->rlog.fd);
	close_fd(&s->up_fd);
	close_fd(&s->prev);
	close_fd(&s->manifests);
	close_fd(&s->incoming);
	close_fd(&s->partial);
	close_fd(&s->backup);
	close_fd(&s->client);
	close_fd(&s->lock);	/* releases the run's lock */
}

const store_class store_fs_class = {
	fs_client_ok,
	fs_begin, fs_offer, fs_put_begin, fs_put_data, fs_put_end, fs_commit,
	fs_end,
	fs_next_backup, fs_next_snapshot, fs_info_of,
	fs_open_snapshot, fs_next_entry, fs_open_file, fs_read_file,
	fs_close_file, fs_close_snapshot,
	fs_remove, fs_usage_of,
	fs_next_client, fs_verify
};
