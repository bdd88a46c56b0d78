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
	uint64_t cost = ENTRY_COST + e->xlen, block;
	unsigned st;

	if (e->type == E_LINK || e->type == E_HARD)
		cost += e->tlen;
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
static void
resume_from(struct fs_run *s, const char *dir, const char *log)
{
	int fd;

	s->resume = port_openat_dir(s->backup, dir);
	fd = s->resume < 0 ? -1 : port_openat_read(s->backup, log);
	if (fd < 0)
		return;
	lines_open(&s->res_lines, fd);
	s->res_have = 1;	/* read lazily, at the first offer */
}

static int
open_resume(struct fs_run *s)
{
	struct port_stat st;

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
	resume_from(s, ".resume", ".resume.log");
	return 0;
}

/* A dry run reads what open_resume would have moved, where it is. */
static void
peek_resume(struct fs_run *s)
{
	struct port_stat st;

	if (port_fstatat(s->backup, ".partial", &st) == 0 &&
	    port_fstatat(s->backup, ".received", &st) == 0)
		resume_from(s, ".partial", ".received");
	else
		resume_from(s, ".resume", ".resume.log");
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

/* 1 if a dry run may count on sdfd/sleaf being a stored file (a real
 * run finds out by linking it). */
static int
dry_present(const struct fs_run *s, int sdfd, const char *sleaf)
{
	struct port_stat st;

	return !s->dry || (port_fstatat(sdfd, sleaf, &st) == 0 &&
	    st.type == PORT_REG);
}

/* 1 if the interrupted run holds e with the same content: where, in
 * *rfd (the cache's) and *rleaf. */
static int
find_resumed(struct fs_run *s, const struct entry *e, int *rfd,
    const char **rleaf)
{
	int c = 1;

	if (s->resume < 0 || !s->res_have)
		return 0;
	if (s->res_have == 1)
		resume_advance(s);
	while (s->res_have && (c = path_cmp(s->res_e.path, s->res_e.plen,
	    e->path, e->plen)) < 0)
		resume_advance(s);
	if (!s->res_have || c != 0 || s->res_e.size != e->size ||
	    memcmp(s->res_e.md5, e->md5, MD5_LEN) != 0)
		return 0;
	*rfd = dircache_parent(&s->rdir, s->resume, e->path, rleaf);
	return *rfd >= 0 && dry_present(s, *rfd, *rleaf);
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

/* Write out the index log's buffer: 0, or -1 (the log is given up). */
static int
ilog_flush(struct fs_run *s)
{
	if (s->ilog_n > 0 && port_write_all(s->ilog.fd, s->ilog_b,
	    s->ilog_n) < 0)
		s->ilog_ok = 0;
	s->ilog_done += s->ilog_n;
	s->ilog_n = 0;
	return s->ilog_ok ? 0 : -1;
}

/* Note file record e of the new manifest, which ends at byte end of it
 * (its newline included), in the index log. */
static void
ilog_add(struct fs_run *s, const struct entry *e, size_t len, uint64_t end)
{
	struct buf b;

	if (!s->ilog_ok || e->type != E_FILE)
		return;
	if (s->ilog_n + ILOG_REC > sizeof s->ilog_b && ilog_flush(s) < 0)
		return;
	buf_init(&b, s->ilog_b + s->ilog_n, ILOG_REC);
	buf_put(&b, e->md5, MD5_LEN);
	buf_u64(&b, end - len - 1);
	s->rec_ilog = s->ilog_done + s->ilog_n;
	s->ilog_n += ILOG_REC;
}

/* The new index from the index log. 0 or -1. */
static int
index_from_log(struct fs_run *s)
{
	uint8_t *p;
	long got;
	size_t i;

	if (ilog_flush(s) < 0 || port_rewind(s->ilog.fd) < 0)
		return -1;
	while ((got = port_read_full(s->ilog.fd, s->ilog_b,
	    sizeof s->ilog_b)) > 0) {
		if ((size_t)got % ILOG_REC != 0)
			return -1;
		for (i = 0; i < (size_t)got; i += ILOG_REC) {
			p = s->ilog_b + i;
			if (mdindex_add(&s->nidx, p, be64(p + MD5_LEN)) < 0)
				return -1;
		}
	}
	return got == 0 ? 0 : -1;
}

/*
 * Index the finished manifest by MD5 into a table twice the number of
 * files (so probes stay short): from the index log when the manifest was
 * not rewritten since (from_log), else in one pass over it. A failure
 * only costs the next run its search by content.
 */
static void
build_index(struct fs_run *s, int from_log)
{
	static struct lines l;
	static struct json j;
	static struct entry e;
	const char *p;
	size_t n;
	int r;

	if (port_tmp_open(&s->idx_tmp, s->manifests, 0644) < 0)
		return;
	if (mdindex_create(&s->nidx, s->idx_tmp.fd, 2 * s->out->files + 64) < 0)
		goto fail;
	if (from_log) {
		if (index_from_log(s) == 0) {
			s->nidx_ok = 1;
			return;
		}
		goto fail;
	}
	if (port_rewind(s->man.fd) < 0)
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

static struct json prev_j;	/* the record of s->prev_e, for its xattrs */

/* Read the previous manifest's next entry into s->prev_e. */
static void
prev_advance(struct fs_run *s)
{
	s->prev_have = 0;
	if (!s->prev_ok)
		return;
	if (entry_next(&s->prev_lines, &prev_j, &s->prev_e, NULL) != 1) {
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

	utc_name(s->out->at != 0 ? s->out->at : port_time(), base);
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
	if (store_manifest_header(b, s->client_name, s->out, s->time,
	    s->meta, final, final ? s->hdr_len : 0) < 0)
		return -1;
	if (final)
		return 0;
	s->hdr_len = b->len + 80;	/* four totals grow by at most 76 */
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
	s->amend_fd = -1;
	s->man.fd = -1;
	s->prev_lines.fd = -1;
	dircache_init(&s->pdir);
	dircache_init(&s->vdir);
	dircache_init(&s->rdir);
	s->idx_tmp.fd = -1;
	s->ilog.fd = -1;
	s->ilog_ok = 0;
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
	s->ilog_ok = port_tmp_open(&s->ilog, s->manifests, 0600) == 0;
	s->ilog_n = 0;
	s->ilog_done = 0;
	s->time = s->out->at != 0 ? s->out->at : port_time();
	buf_init(&b, hdr, sizeof hdr);
	if (manifest_header(s, &b, 0) < 0 || linew_put(&s->mw, b.p, b.len) < 0)
		return fail(text, cap, ST_IO, "cannot write the manifest of",
		    s->out->id);
	return ST_OK;
}

static void fs_end(const store_class **ctx);

/* A run of client's source begun, real or dry: its names set. */
static struct fs_run *
run_start(const store_class **ctx, const char *client, const char *source,
    size_t slen, struct store_run *out, int dry)
{
	struct store_fs *fs = (struct store_fs *)ctx;
	struct fs_run *s = &fs->run;

	unsigned need_max = out->need_max;
	int64_t at = out->at;

	fs_end(ctx);
	memset(out, 0, sizeof *out);
	out->need_max = need_max;	/* the caller's */
	out->at = at;
	run_init(s, fs->root, dry ? 0 : fs->quota, out);
	s->dry = dry;
	fs->began = 1;
	snprintf(s->client_name, sizeof s->client_name, "%s", client);
	memcpy(out->source, source, slen);
	out->source[slen] = 0;
	backup_id(client, source, slen, out->id);
	return s;
}

static unsigned
fs_begin(const store_class **ctx, const char *client, const char *source,
    size_t slen, struct store_run *out, char *text, size_t cap)
{
	struct fs_run *s = run_start(ctx, client, source, slen, out, 0);
	unsigned st;

	if ((st = take_backup(s, text, cap)) != ST_OK ||
	    (st = prepare(s, text, cap)) != ST_OK ||
	    (st = start_manifest(s, text, cap)) != ST_OK) {
		fs_end(ctx);
		return st;
	}
	snprintf(text, cap, "snapshot %s of backup %s", out->snap, out->id);
	return ST_OK;
}

/*
 * A dry run: what prepare reads, opened read-only where it is (a backup
 * never run has none of it), and the name the snapshot would get. No
 * lock is taken and nothing is made, moved or removed; the quota is not
 * checked.
 */
static unsigned
fs_begin_dry(const store_class **ctx, const char *client, const char *source,
    size_t slen, struct store_run *out, char *text, size_t cap)
{
	struct fs_run *s = run_start(ctx, client, source, slen, out, 1);

	s->client = port_openat_dir(s->root, client);
	if (s->client >= 0)
		s->backup = port_openat_dir(s->client, out->id);
	if (s->backup < 0 && errno != ENOENT) {
		fail(text, cap, ST_IO, "cannot open the backup", out->id);
		fs_end(ctx);
		return ST_IO;
	}
	if (s->backup >= 0) {
		s->manifests = port_openat_dir(s->backup, ".manifests");
		peek_resume(s);
		open_prev(s);
	}
	if (pick_snapshot(s) < 0) {
		no_name(s, text, cap);
		fs_end(ctx);
		return ST_IO;
	}
	open_indexes(s);
	snprintf(text, cap, "dry run: snapshot %s of backup %s", out->snap,
	    out->id);
	return ST_OK;
}

/* Where the hex of the "md5" field is in record p[0..n), or 0 (a key's
 * quotes are the only unescaped ones before a colon: no string value
 * can hold this text). */
static size_t
md5_field(const uint8_t *p, size_t n)
{
	static const char key[] = "\"md5\":\"";
	size_t i;

	for (i = 1; i + sizeof key - 1 + MD5_HEXLEN <= n; i++)
		if (p[i] == '"' && memcmp(p + i, key, sizeof key - 1) == 0)
			return i + sizeof key - 1;
	return 0;
}

static uint8_t mline[LINE_MAX_BYTES];	/* the last record written */

/* Record e in the new manifest (and a file in the index log); where it
 * went is noted (s->rec_at, s->rec_len, s->rec_ilog) for need_later. */
static unsigned
manifest_add(struct fs_run *s, const struct entry *e, char *text, size_t cap)
{
	struct buf b;

	buf_init(&b, mline, sizeof mline);
	if (entry_json(&b, e, NULL) < 0 || linew_put(&s->mw, b.p, b.len) < 0)
		return fail(text, cap, ST_IO, "cannot write the manifest for",
		    e->path);
	s->rec_ilog = NOWHERE;
	ilog_add(s, e, b.len, s->mw.written + s->mw.b.len);
	s->rec_len = b.len;
	s->rec_at = s->mw.written + s->mw.b.len - 1 - b.len;
	return ST_OK;
}

/*
 * The MD5 of a file offered MD5_LATER, now known, into its manifest
 * record and its index log entry, in the file or still in their buffers
 * (a record is never split between the two). 0 or -1.
 */
static int
md5_patch(struct fs_run *s, const uint8_t md5[MD5_LEN])
{
	char hex[MD5_HEXLEN + 1];
	uint64_t m = s->up_md5_at, i = s->up_ilog_at;

	md5_hex(md5, hex);
	if (m == NOWHERE)
		return -1;
	if (m >= s->mw.written)
		memcpy(s->mw.b.p + (m - s->mw.written), hex, MD5_HEXLEN);
	else if (port_pwrite_all(s->man.fd, hex, MD5_HEXLEN, m) < 0)
		return -1;
	if (i == NOWHERE || !s->ilog_ok)
		return 0;	/* no log: the index is built from the manifest */
	if (i >= s->ilog_done)
		memcpy(s->ilog_b + (i - s->ilog_done), md5, MD5_LEN);
	else if (port_pwrite_all(s->ilog.fd, md5, MD5_LEN, i) < 0)
		s->ilog_ok = 0;
	return 0;
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

/* 1 if the previous snapshot holds e at its path with the same
 * content: where, in *pfd (the cache's) and *pleaf. */
static int
find_previous(struct fs_run *s, const struct entry *e, int *pfd,
    const char **pleaf)
{
	while (s->prev_have && path_cmp(s->prev_e.path, s->prev_e.plen,
	    e->path, e->plen) < 0)
		prev_advance(s);
	if (!s->prev_have || s->prev_e.type != E_FILE ||
	    path_cmp(s->prev_e.path, s->prev_e.plen, e->path, e->plen) != 0 ||
	    s->prev_e.size != e->size ||
	    memcmp(s->prev_e.md5, e->md5, MD5_LEN) != 0)
		return 0;
	*pfd = dircache_parent(&s->vdir, s->prev, e->path, pleaf);
	return *pfd >= 0 && dry_present(s, *pfd, *pleaf);
}

/*
 * A file of the previous snapshot with e's content, found by MD5 alone,
 * wherever it was (a renamed or copied file is not sent again): 1 with
 * *pfd (the caller closes it) and *pleaf, or 0.
 */
static int
find_content(struct fs_run *s, const struct entry *e, int *pfd,
    const char **pleaf)
{
	static char line[LINE_MAX_BYTES];
	static struct json j;
	static struct entry pe;
	const char *nl;
	uint64_t off;
	long n;

	if (!s->pidx_ok || s->prev_lines.fd < 0 ||
	    mdindex_find(&s->pidx, e->md5, &off) != 1)
		return 0;
	n = port_pread(s->prev_lines.fd, line, sizeof line, off);
	nl = n > 0 ? memchr(line, '\n', (size_t)n) : NULL;
	if (nl == NULL || json_parse(&j, line, (size_t)(nl - line)) < 0 ||
	    entry_parse(&j, &pe, NULL) < 0 || pe.type != E_FILE ||
	    pe.size != e->size || memcmp(pe.md5, e->md5, MD5_LEN) != 0)
		return 0;
	*pfd = path_parent(s->prev, pe.path, 0, pleaf);
	if (*pfd >= 0 && dry_present(s, *pfd, *pleaf))
		return 1;
	if (*pfd >= 0)
		port_close(*pfd);
	return 0;
}

/* 1 if e may come next: no transfer open, and after the last entry. */
static unsigned
in_order(struct fs_run *s, const struct entry *e, char *text, size_t cap)
{
	if (s->up_fd >= 0) {
		snprintf(text, cap, "an offer in the middle of a file transfer");
		return 0;
	}
	if (e->plen == 0 && s->any) {
		snprintf(text, cap, "the source root's entry must come first");
		return 0;
	}
	if (s->last_len > 0 &&
	    path_cmp(s->last, s->last_len, e->path, e->plen) >= 0) {
		snprintf(text, cap, "offers out of order");
		return 0;
	}
	memcpy(s->last, e->path, e->plen + 1);
	s->last_len = e->plen;
	s->any = 1;
	return 1;
}

/* The room the quota leaves for e, as the usage is now (its data is
 * charged when it comes): ST_OK or ST_QUOTA. */
static unsigned
quota_room(struct fs_run *s, const struct entry *e, char *text, size_t cap)
{
	uint64_t used = 0;

	if (s->quota == 0 || (e->flags & EF_SPARSE))
		return ST_OK;	/* a sparse file: charged as its data comes */
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

/* ---- the files needed: a queue of compact records, text in a ring ---- */

/* n bytes of p into the ring at off, wrapping. */
static void
ring_put(char *ring, size_t off, const void *p, size_t n)
{
	size_t k = NEED_TEXT - off < n ? NEED_TEXT - off : n;

	memcpy(ring + off, p, k);
	memcpy(ring, (const char *)p + k, n - k);
}

/* n bytes of the ring at off into p, wrapping. */
static void
ring_get(const char *ring, size_t off, void *p, size_t n)
{
	size_t k = NEED_TEXT - off < n ? NEED_TEXT - off : n;

	memcpy(p, ring + off, k);
	memcpy((char *)p + k, ring, n - k);
}

/* Queue file e, needed, after the others: ST_NEED, or ST_BAD_REQUEST
 * when it is one more than the session may have outstanding. */
static unsigned
need_push(struct fs_run *s, const struct entry *e, char *text, size_t cap)
{
	unsigned max = s->out->need_max ? s->out->need_max : NEED_MAX_V1;
	size_t ul = strlen(e->user), gl = strlen(e->group), off;
	struct need *n;

	if (s->need_count >= max || max > NEED_MAX) {
		snprintf(text, cap, "too many files offered ahead of their data "
		    "(at most %u)", max);
		return ST_BAD_REQUEST;
	}
	if (s->need_pbytes + e->plen > WINDOW_BYTES) {
		snprintf(text, cap, "too many bytes of paths offered ahead of "
		    "their data (at most %d)", WINDOW_BYTES);
		return ST_BAD_REQUEST;
	}
	if (s->need_tbytes + e->plen + ul + gl > NEED_TEXT)
		BUG("need ring overflow");
	off = s->need_count == 0 ? 0 : (s->needs[s->need_head].off +
	    s->need_tbytes) % NEED_TEXT;
	n = &s->needs[(s->need_head + s->need_count++) % NEED_MAX];
	n->off = (uint32_t)off;
	n->plen = (uint16_t)e->plen;
	n->ulen = (uint8_t)ul;
	n->glen = (uint8_t)gl;
	n->flags = (uint8_t)e->flags;
	n->owned = (uint8_t)e->owned;
	n->mode = e->mode;
	n->mtime_ns = e->mtime_ns;
	n->uid = e->uid;
	n->gid = e->gid;
	n->size = e->size;
	n->mtime = e->mtime;
	memcpy(n->md5, e->md5, MD5_LEN);
	n->md5_at = n->ilog_at = NOWHERE;	/* see need_later */
	ring_put(s->need_text, off, e->path, e->plen);
	ring_put(s->need_text, (off + e->plen) % NEED_TEXT, e->user, ul);
	ring_put(s->need_text, (off + e->plen + ul) % NEED_TEXT, e->group, gl);
	s->need_pbytes += e->plen;
	s->need_tbytes += e->plen + ul + gl;
	return ST_NEED;
}

/* The oldest need as the file entry offered (without its xattrs). */
static void
need_get(const struct fs_run *s, struct entry *e)
{
	const struct need *n = &s->needs[s->need_head];
	size_t off = n->off;

	entry_clear(e, E_FILE);
	e->flags = n->flags;
	e->plen = n->plen;
	ring_get(s->need_text, off, e->path, n->plen);
	e->path[n->plen] = 0;
	off = (off + n->plen) % NEED_TEXT;
	ring_get(s->need_text, off, e->user, n->ulen);
	e->user[n->ulen] = 0;
	off = (off + n->ulen) % NEED_TEXT;
	ring_get(s->need_text, off, e->group, n->glen);
	e->group[n->glen] = 0;
	e->owned = n->owned;
	e->mode = n->mode;
	e->mtime_ns = n->mtime_ns;
	e->uid = n->uid;
	e->gid = n->gid;
	e->size = n->size;
	e->mtime = n->mtime;
	memcpy(e->md5, n->md5, MD5_LEN);
}

/* The newest need was offered MD5_LATER: where manifest_add just put
 * its record's MD5, to be written when the file comes. */
static void
need_later(struct fs_run *s)
{
	struct need *n = &s->needs[(s->need_head + s->need_count - 1) %
	    NEED_MAX];
	size_t at = md5_field(mline, s->rec_len);

	n->md5_at = at > 0 ? s->rec_at + at : NOWHERE;
	n->ilog_at = s->rec_ilog;
}

/* Drop the oldest need. */
static void
need_pop(struct fs_run *s)
{
	const struct need *n = &s->needs[s->need_head];

	s->need_pbytes -= n->plen;
	s->need_tbytes -= (size_t)n->plen + n->ulen + n->glen;
	s->need_head = (s->need_head + 1) % NEED_MAX;
	s->need_count--;
}

/*
 * File e taken from what the store holds: linked from the previous
 * snapshot, moved from an interrupted run, or linked by content, in that
 * order. The finders decide; a dry run only skips what they would have
 * done. 1 taken, 0 not.
 */
static int
take_stored(struct fs_run *s, const struct entry *e, int dfd,
    const char *leaf)
{
	const char *sleaf;
	int sfd, r;

	if (find_previous(s, e, &sfd, &sleaf) &&
	    (s->dry || link_or_copy(s, e, sfd, sleaf, dfd, leaf))) {
		s->out->linked++;
		return 1;
	}
	if (find_resumed(s, e, &sfd, &sleaf) &&
	    (s->dry || port_renameat(sfd, sleaf, dfd, leaf) == 0)) {
		s->out->reused++;
		log_received(s, e);
		return 1;
	}
	if (find_content(s, e, &sfd, &sleaf)) {
		r = s->dry || link_or_copy(s, e, sfd, sleaf, dfd, leaf);
		port_close(sfd);
		if (r) {
			s->out->deduped++;
			return 1;
		}
	}
	return 0;
}

/*
 * A file: taken from what the store holds, or else needed (ST_NEED). An
 * MD5_LATER offer has no MD5 to be found by: it is needed (the client
 * sends one only for a file it holds to be new).
 */
static unsigned
offer_file(struct fs_run *s, const struct entry *e, int dfd, const char *leaf,
    char *text, size_t cap)
{
	unsigned st;

	s->out->files++;
	s->out->bytes += e->size;
	if (!(e->flags & EF_MD5_LATER) && take_stored(s, e, dfd, leaf))
		return ST_OK;
	if ((st = quota_room(s, e, text, cap)) != ST_OK)
		return st;
	if (s->dry) {	/* never sent: no need is outstanding */
		s->out->received++;
		return ST_NEED;
	}
	return need_push(s, e, text, cap);
}

/*
 * A KEEP offer (the client could not read the file): the previous
 * snapshot's version of the path, its record flagged KEEP, into *rec;
 * ST_NOT_FOUND (left out) when there is none.
 */
static unsigned
offer_keep(struct fs_run *s, const struct entry *e, int dfd,
    const char *leaf, const struct entry **rec)
{
	static uint8_t xattr[XATTR_MAX];
	struct entry *pe = &s->prev_e;
	const char *pleaf;
	int pfd;

	while (s->prev_have && path_cmp(pe->path, pe->plen, e->path,
	    e->plen) < 0)
		prev_advance(s);
	if (!s->prev_have || !ENTRY_HAS_DATA(pe) ||
	    path_cmp(pe->path, pe->plen, e->path, e->plen) != 0 ||
	    entry_xattrs(&prev_j, xattr, sizeof xattr, &pe->xlen) < 0 ||
	    (pfd = dircache_parent(&s->vdir, s->prev, e->path, &pleaf)) < 0 ||
	    !dry_present(s, pfd, pleaf) ||
	    (!s->dry && !link_or_copy(s, pe, pfd, pleaf, dfd, leaf))) {
		s->out->failed++;
		return ST_NOT_FOUND;
	}
	pe->xattr = xattr;
	pe->type = E_FILE;	/* its first may not be in this snapshot */
	pe->tlen = 0;
	pe->target[0] = 0;
	pe->flags |= EF_KEEP;
	s->out->files++;
	s->out->bytes += pe->size;
	s->out->kept++;
	*rec = pe;
	return ST_OK;
}

#define PROBE 4096		/* a manifest record is mostly shorter */

/*
 * The manifest record that begins first at or after off (the file ends
 * at end): its start *at, the next one's *next, and the entry in *e. 1,
 * 0 when none begins there, -1.
 */
static int
record_at(struct fs_run *s, uint64_t off, uint64_t end, uint64_t *at,
    uint64_t *next, struct entry *e)
{
	static struct json j;
	char *p = (char *)hdr, *nl, *eol;
	size_t want = PROBE;
	long n;

	for (;;) {	/* from the byte before off: a line may begin at off */
		if (want > end - (off - 1))
			want = (size_t)(end - (off - 1));
		n = port_pread(s->man.fd, p, want, off - 1);
		if (n <= 0)
			return n == 0 ? 0 : -1;
		nl = memchr(p, '\n', (size_t)n);
		eol = nl == NULL ? NULL : memchr(nl + 1, '\n',
		    (size_t)(p + n - nl - 1));
		if (nl == NULL || nl + 1 == p + n)
			return 0;	/* no record begins before end */
		if (eol != NULL || (size_t)n < want || want == sizeof hdr)
			break;
		want = sizeof hdr;	/* a long record: read it whole */
	}
	if (eol == NULL)
		return -1;
	*at = off + (uint64_t)(nl - p);
	*next = off + (uint64_t)(eol - p);
	nl += nl[1] == ',' ? 2 : 1;
	return json_parse(&j, nl, (size_t)(eol - nl)) == 0 &&
	    entry_parse(&j, e, NULL) == 0 ? 1 : -1;
}

/*
 * 1 if this run's manifest so far (sorted by path) records a file at
 * path: found by halving, so that no table of paths is kept.
 */
static int
recorded_file(struct fs_run *s, const char *path, size_t plen)
{
	static struct entry e;
	uint64_t lo = 1 + s->hdr_len + 1, hi, mid, at, next;
	int c;

	if (linew_flush(&s->mw) < 0)
		return 0;
	hi = s->mw.written;
	while (lo < hi) {	/* the records beginning in [lo, hi) */
		mid = lo + (hi - lo) / 2;
		if (record_at(s, mid, s->mw.written, &at, &next, &e) != 1 ||
		    at >= hi) {
			hi = mid;
			continue;
		}
		c = path_cmp(e.path, e.plen, path, plen);
		if (c == 0)
			return e.type == E_FILE;
		if (c < 0)
			lo = next;
		else
			hi = mid;
	}
	return 0;
}

/* A dry run's hard link: nothing is recorded to look its target up in,
 * so only its order is checked (an earlier path). */
static unsigned
dry_hard(struct fs_run *s, const struct entry *e, char *text, size_t cap)
{
	if (path_cmp(e->target, e->tlen, e->path, e->plen) >= 0) {
		snprintf(text, cap, "a hard link whose target is not an "
		    "earlier file of this backup");
		return ST_BAD_REQUEST;
	}
	s->out->files++;
	s->out->bytes += e->size;
	return ST_OK;
}

/*
 * A hard link: made now when its first path is stored already, else at
 * commit once that has arrived (a first that never does drops it). Its
 * target must be a file offered before.
 */
static unsigned
offer_hard(struct fs_run *s, const struct entry *e, int dfd, const char *leaf,
    char *text, size_t cap)
{
	struct port_stat st;
	const char *tleaf;
	int tfd, r = 0;

	if (s->dry)
		return dry_hard(s, e, text, cap);
	tfd = path_parent(s->partial, e->target, 0, &tleaf);
	if (tfd >= 0 && port_fstatat(tfd, tleaf, &st) == 0)
		r = st.type == PORT_REG ? 1 : -1;
	else if (!recorded_file(s, e->target, e->tlen))
		r = -1;	/* not offered as a file (else: still to come,
			 * or left out) */
	if (r == 1 && !link_or_copy(s, e, tfd, tleaf, dfd, leaf))
		r = -2;
	if (tfd >= 0)
		port_close(tfd);
	if (r == -1) {
		snprintf(text, cap, "a hard link whose target is not an "
		    "earlier file of this backup");
		return ST_BAD_REQUEST;
	}
	if (r == -2)
		return fail(text, cap, ST_IO, "cannot make hard link", e->path);
	if (r == 0)
		s->hard_pending++;
	s->out->files++;
	s->out->bytes += e->size;
	return ST_OK;
}

/* A directory or a symlink, made in the partial snapshot (a dry run's
 * directories: the last one offered, whose parents are all directories
 * too, as entries come in path_cmp order). */
static unsigned
offer_other(struct fs_run *s, const struct entry *e, int dfd,
    const char *leaf, char *text, size_t cap)
{
	struct port_stat st;

	if (s->dry && (e->type == E_DIR || e->type == E_LINK)) {
		if (e->type == E_DIR) {
			memcpy(s->dry_dir, e->path, e->plen + 1);
			s->dry_dlen = e->plen;
		}
		return ST_OK;
	}
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

/* A dry run's parent check: e's parent is the source root or one of
 * the directories of offer_other's last one. 0 or -1. */
static int
dry_parent(const struct fs_run *s, const struct entry *e)
{
	const char *slash = strrchr(e->path, '/');
	size_t n = slash == NULL ? 0 : (size_t)(slash - e->path);

	if (n == 0)
		return 0;
	return n <= s->dry_dlen && memcmp(s->dry_dir, e->path, n) == 0 &&
	    (n == s->dry_dlen || s->dry_dir[n] == '/') ? 0 : -1;
}

static unsigned
fs_offer(const store_class **ctx, const struct entry *e, char *text,
    size_t cap)
{
	struct fs_run *s = &((struct store_fs *)ctx)->run;
	static struct entry later;	/* an MD5_LATER offer, as recorded */
	const struct entry *rec = e;
	const char *leaf = NULL;
	unsigned st;
	int dfd = -1;

	if (!in_order(s, e, text, cap))
		return ST_BAD_REQUEST;
	if (e->plen > 0 && (s->dry ? dry_parent(s, e) :
	    (dfd = dircache_parent(&s->pdir, s->partial, e->path, &leaf))) < 0) {
		snprintf(text, cap, "the parent directory of this entry was "
		    "not offered, or is not a directory");
		return ST_BAD_REQUEST;
	}
	if ((st = charge_entry(s, e, text, cap)) != ST_OK)
		return st;
	if (e->plen == 0 || e->type == E_FIFO || e->type == E_CHR ||
	    e->type == E_BLK)
		st = ST_OK;	/* the root, special files: recorded only */
	else if (e->type == E_FILE && (e->flags & EF_KEEP))
		st = offer_keep(s, e, dfd, leaf, &rec);
	else if (e->type == E_FILE)
		st = offer_file(s, e, dfd, leaf, text, cap);
	else if (e->type == E_HARD)
		st = offer_hard(s, e, dfd, leaf, text, cap);
	else
		st = offer_other(s, e, dfd, leaf, text, cap);
	if (st == ST_NOT_FOUND) {
		snprintf(text, cap, "no previous version to keep");
		return st;
	}
	if (st != ST_OK && st != ST_NEED)
		return st;
	if (rec == e && (e->flags & EF_MD5_LATER)) {
		entry_copy(&later, e);	/* the flag is the offer's only */
		later.flags &= ~(unsigned)EF_MD5_LATER;
		rec = &later;
	}
	if (!s->dry && manifest_add(s, rec, text, cap) != ST_OK)
		return ST_IO;
	if (!s->dry && st == ST_NEED && (e->flags & EF_MD5_LATER))
		need_later(s);
	snprintf(text, cap, "%s", st == ST_OK ? "have it" : "send it");
	return st;
}

/* 1 if e (from FILE_TRANSFER) is the oldest need n: v1 by path, size
 * and MD5; v2 (e->type 0) by path. */
static int
is_need(const struct entry *e, const struct entry *n)
{
	if (e->plen != n->plen || memcmp(e->path, n->path, e->plen) != 0)
		return 0;
	return e->type == 0 || (e->type == E_FILE && e->size == n->size &&
	    memcmp(e->md5, n->md5, MD5_LEN) == 0);
}

static unsigned
fs_put_begin(const store_class **ctx, const struct entry *e, char *text,
    size_t cap)
{
	struct fs_run *s = &((struct store_fs *)ctx)->run;
	const struct entry *n = &s->up_e;
	uint64_t ahead;
	unsigned st;

	if (s->up_fd < 0 && s->need_count > 0) {
		need_get(s, &s->up_e);
		s->up_md5_at = s->needs[s->need_head].md5_at;
		s->up_ilog_at = s->needs[s->need_head].ilog_at;
	}
	if (s->up_fd >= 0 || s->need_count == 0 || !is_need(e, n)) {
		snprintf(text, cap, "a file was sent that was not asked for, "
		    "or out of order");
		return ST_BAD_REQUEST;
	}
	/* Charged ahead: the size (a sparse file's data as it comes). */
	ahead = (n->flags & EF_SPARSE) ? 0 : n->size;
	if ((st = charge(s, ahead, "this file", text, cap)) != ST_OK)
		return st;
	s->inflight = s->up_charged = ahead;
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
	s->up_v2 = e->type == 0;
	s->up_bytes = s->up_data = 0;
	return ST_OK;
}

#define OFFSET_MAX 0x7fffffffffffffffull	/* an upload's offset */

/* Room for n more bytes of the upload: v1 up to the offer's size, v2 up
 * to OFFSET_MAX. ST_OK or ST_BAD_REQUEST. */
static unsigned
put_room(struct fs_run *s, uint64_t n, char *text, size_t cap)
{
	const struct entry *nd = &s->up_e;
	uint64_t max = s->up_v2 ? OFFSET_MAX : nd->size;

	if (s->up_fd < 0) {
		snprintf(text, cap, "data outside a file transfer");
		return ST_BAD_REQUEST;
	}
	if (n > max - s->up_bytes) {
		snprintf(text, cap, s->up_v2 ? "file data past 2^63 - 1 bytes" :
		    "more data than the declared size");
		return ST_BAD_REQUEST;
	}
	return ST_OK;
}

static unsigned
fs_put_data(const store_class **ctx, const void *p, size_t n, char *text,
    size_t cap)
{
	struct fs_run *s = &((struct store_fs *)ctx)->run;
	const struct entry *nd = &s->up_e;
	unsigned st;

	if ((st = put_room(s, n, text, cap)) != ST_OK)
		return st;
	if (s->up_data + n > s->up_charged) {
		/* Past what was charged ahead: charge what arrives. */
		st = charge(s, s->up_data + n - s->up_charged, "this file",
		    text, cap);
		if (st != ST_OK)
			return st;
		s->inflight = s->up_charged = s->up_data + n;
		ledger_put(s);
	}
	/* In order until a hole; past one, at the offset. */
	if ((s->up_bytes == s->up_data ? port_write_all(s->up_fd, p, n) :
	    port_pwrite_all(s->up_fd, p, n, s->up_bytes)) < 0)
		return fail(text, cap, ST_IO, "cannot write", nd->path);
	md5_update(&s->up_md5, p, n);
	s->up_bytes += n;
	s->up_data += n;
	return ST_OK;
}

/* v2: n zero bytes, not sent and not written: a hole, hashed. */
static unsigned
fs_put_hole(const store_class **ctx, uint64_t n, char *text, size_t cap)
{
	static uint8_t zeros[COPY_CHUNK];	/* bss: never written */
	struct fs_run *s = &((struct store_fs *)ctx)->run;
	uint64_t left;
	size_t k;
	unsigned st;

	if ((st = put_room(s, n, text, cap)) != ST_OK)
		return st;
	if (n == 0 || !s->up_v2) {
		snprintf(text, cap, "an empty hole, or one in a v1 transfer");
		return ST_BAD_REQUEST;
	}
	for (left = n; left > 0; left -= k) {
		k = left < sizeof zeros ? (size_t)left : sizeof zeros;
		md5_update(&s->up_md5, zeros, k);
	}
	s->up_bytes += n;
	return ST_OK;
}

/* Note that nd was stored as t says, not as offered (merged into the
 * manifest at commit). 0 or -1. */
static int
amend(struct fs_run *s, const struct entry *nd, const struct put_trailer *t)
{
	uint8_t rec[2 + PATH_CAP + 8 + MD5_LEN + 1];
	struct buf b;

	if (s->amend_fd < 0 &&
	    (s->amend_fd = port_openat_create(s->incoming, "amend", 0600)) < 0)
		return -1;
	buf_init(&b, rec, sizeof rec);
	buf_u16(&b, (unsigned)nd->plen);
	buf_put(&b, nd->path, nd->plen);
	buf_u64(&b, t->size);
	buf_put(&b, t->md5, MD5_LEN);
	buf_u8(&b, t->flags & EF_CHANGED);
	if (b.err || port_write_all(s->amend_fd, b.p, b.len) < 0)
		return -1;
	s->amends++;
	return 0;
}

/* Check what arrived against the offer (v1) or the trailer t (v2): ST_OK
 * with *got, the file as it is to be stored, or ST_BAD_DATA. */
static unsigned
check_upload(struct fs_run *s, const struct entry *nd,
    const struct put_trailer *t, struct put_trailer *got, char *text,
    size_t cap)
{
	uint64_t want = t != NULL ? t->size : nd->size;

	md5_final(&s->up_md5, got->md5);
	got->size = s->up_bytes;
	got->flags = t != NULL ? t->flags & EF_CHANGED : 0;
	if (s->up_bytes == want && memcmp(got->md5, t != NULL ? t->md5 :
	    nd->md5, MD5_LEN) == 0)
		return ST_OK;
	snprintf(text, cap, "%s: the data received does not match its "
	    "%s (was it changed while being sent?)",
	    s->up_bytes != want ? "size" : "MD5",
	    t != NULL ? "trailer" : "size or MD5");
	s->out->files--;
	s->out->bytes -= nd->size;
	s->out->failed++;
	return ST_BAD_DATA;
}

/* The received file nd, checked, moved into the partial snapshot. */
static unsigned
store_upload(struct fs_run *s, struct entry *nd, const struct put_trailer *t,
    char *text, size_t cap)
{
	struct put_trailer got;
	const char *leaf;
	unsigned st;
	int dfd;

	if ((st = check_upload(s, nd, t, &got, text, cap)) != ST_OK)
		return st;
	if ((nd->flags & EF_MD5_LATER) && got.size == nd->size &&
	    got.flags == 0 && md5_patch(s, got.md5) == 0)
		memcpy(nd->md5, got.md5, MD5_LEN);	/* as offered, but for it */
	else if (t != NULL && (got.size != nd->size || got.flags != 0 ||
	    memcmp(got.md5, nd->md5, MD5_LEN) != 0)) {
		if (amend(s, nd, &got) < 0)
			return fail(text, cap, ST_IO, "cannot note the stored "
			    "size of", nd->path);
		s->out->bytes += got.size - nd->size;	/* modulo 2^64 */
		nd->size = got.size;
		memcpy(nd->md5, got.md5, MD5_LEN);
	}
	if ((s->up_bytes > s->up_data && port_ftruncate(s->up_fd,
	    s->up_bytes) < 0) ||
	    port_futime(s->up_fd, nd->mtime, nd->mtime_ns) < 0)
		return fail(text, cap, ST_IO, "cannot set the metadata of",
		    nd->path);
	dfd = dircache_parent(&s->pdir, s->partial, nd->path, &leaf);
	if (dfd < 0 || port_renameat(s->incoming, "upload", dfd, leaf) < 0)
		return fail(text, cap, ST_IO, "cannot store", nd->path);
	s->out->received++;
	nd->flags &= ~(unsigned)EF_MD5_LATER;
	log_received(s, nd);
	snprintf(text, cap, got.flags ? "stored as read (changed while read)" :
	    "stored");
	return ST_OK;
}

static unsigned
fs_put_end(const store_class **ctx, const struct put_trailer *t, char *text,
    size_t cap)
{
	struct fs_run *s = &((struct store_fs *)ctx)->run;
	struct entry *nd = &s->up_e;
	unsigned st;

	if (s->up_fd < 0 || (t != NULL) != s->up_v2) {
		snprintf(text, cap, "transfer complete without a transfer");
		return ST_BAD_REQUEST;
	}
	need_pop(s);
	st = store_upload(s, nd, t, text, cap);
	close_fd(&s->up_fd);
	if (st != ST_OK) {
		port_unlinkat(s->incoming, "upload", 0);
		s->missing++;
		refund(s, s->inflight);
	} else if (s->up_charged > s->up_data) {
		refund(s, s->up_charged - s->up_data);	/* holes, or shrunk */
	}
	s->inflight = 0;	/* stored in .partial, or given back */
	ledger_put(s);
	return st;
}

/* A file stored otherwise than offered (see fs_run.amend_fd). */
struct amend_rec {
	char path[PATH_CAP];
	size_t plen;
	uint64_t size;
	uint8_t md5[MD5_LEN];
	unsigned flags;
};

/* The amendment at *off of fd into a, *off moved past it: 1, 0 at the
 * end, -1. */
static int
amend_read(int fd, uint64_t *off, struct amend_rec *a)
{
	uint8_t h[2], t[8 + MD5_LEN + 1];
	struct rd r;
	size_t n;
	long got = port_pread(fd, h, 2, *off);

	if (got == 0)
		return 0;
	n = (size_t)h[0] << 8 | h[1];
	if (got != 2 || n >= PATH_CAP ||
	    port_pread(fd, a->path, n, *off + 2) != (long)n ||
	    port_pread(fd, t, sizeof t, *off + 2 + n) != (long)sizeof t)
		return -1;
	a->path[n] = 0;
	a->plen = n;
	rd_init(&r, t, sizeof t);
	a->size = rd_u64(&r);
	memcpy(a->md5, t + 8, MD5_LEN);
	a->flags = t[8 + MD5_LEN];
	*off += 2 + n + sizeof t;
	return 1;
}

static struct amend_rec amend_cur;	/* the files' amendment next due */

/*
 * Give e the size, MD5 and CHANGED of the amendment of path (plen
 * bytes), if there is one: 1 if there was. Files come in path order, as
 * their amendments do, and read them in step (*off, *have: 1 read, 0
 * not yet, -1 none left); a hard link's first is looked up from the
 * start.
 */
static int
amend_apply(struct fs_run *s, struct entry *e, const char *path, size_t plen)
{
	static struct amend_rec look;
	struct amend_rec *a = e->type == E_FILE ? &amend_cur : &look;
	uint64_t zero = 0, *off = e->type == E_FILE ? &s->amend_off : &zero;
	int r, c = 1;

	if (e->type == E_FILE) {
		while (s->amend_have >= 0 && (s->amend_have == 0 ||
		    (c = path_cmp(a->path, a->plen, path, plen)) < 0))
			s->amend_have = amend_read(s->amend_fd, off, a) == 1 ?
			    1 : -1;
		r = s->amend_have == 1 && c == 0;
	} else {
		while ((r = amend_read(s->amend_fd, off, a)) == 1 &&
		    !(a->plen == plen && memcmp(a->path, path, plen) == 0))
			;
		r = r == 1;
	}
	if (!r)
		return 0;
	if (e->type == E_HARD)
		s->out->bytes += a->size - e->size;	/* the file's is done */
	e->size = a->size;
	memcpy(e->md5, a->md5, MD5_LEN);
	e->flags |= a->flags;
	return 1;
}

/* 1 if path is a regular file in the partial snapshot. */
static int
in_partial(struct fs_run *s, const char *path)
{
	struct port_stat st;
	const char *leaf;
	int dfd = path_parent(s->partial, path, 0, &leaf), r;

	if (dfd < 0)
		return 0;
	r = port_fstatat(dfd, leaf, &st) == 0 && st.type == PORT_REG;
	port_close(dfd);
	return r;
}

/* A hard link whose first came after it was offered: made now. 1 made
 * (or there already), 0 not. */
static int
link_late(struct fs_run *s, const struct entry *e)
{
	const char *leaf, *tleaf;
	int dfd, tfd, r = 0;

	if (in_partial(s, e->path))
		return 1;
	if (!in_partial(s, e->target))
		return 0;
	dfd = path_parent(s->partial, e->path, 0, &leaf);
	tfd = path_parent(s->partial, e->target, 0, &tleaf);
	if (dfd >= 0 && tfd >= 0)
		r = link_or_copy(s, e, tfd, tleaf, dfd, leaf);
	if (dfd >= 0)
		port_close(dfd);
	if (tfd >= 0)
		port_close(tfd);
	return r;
}

/*
 * One record of the manifest as the snapshot holds it: *keep 0 for a
 * file that never arrived or a link to one (left out); 1 returned when
 * the record is to be written anew (stored otherwise than offered).
 */
static int
settle(struct fs_run *s, struct entry *e, int *keep)
{
	*keep = 1;
	if (e->type == E_FILE && !(e->flags & EF_KEEP)) {
		*keep = in_partial(s, e->path);
		return *keep && s->amends > 0 &&
		    amend_apply(s, e, e->path, e->plen);
	}
	if (e->type != E_HARD)
		return 0;
	if (!link_late(s, e)) {
		*keep = 0;
		s->out->files--;
		s->out->bytes -= e->size;
		s->out->failed++;
		return 0;
	}
	return s->amends > 0 && amend_apply(s, e, e->target, e->tlen);
}

/* Line p[0..n) of the manifest into out, as settle() has it. 0 or -1. */
static int
settle_line(struct fs_run *s, struct linew *out, const char *p, size_t n)
{
	static uint8_t line[LINE_MAX_BYTES], xattr[XATTR_MAX];
	static struct json j;
	static struct entry e;
	struct buf b;
	int keep = 1;

	if (json_parse(&j, p, n) < 0 || entry_parse(&j, &e, NULL) < 0 ||
	    !settle(s, &e, &keep))
		return keep ? linew_put(out, p, n) : 0;
	if (entry_xattrs(&j, xattr, sizeof xattr, &e.xlen) < 0)
		return -1;
	e.xattr = xattr;
	buf_init(&b, line, sizeof line);
	if (entry_json(&b, &e, NULL) < 0)
		return -1;
	return linew_put(out, b.p, b.len);
}

/*
 * When files never arrived, were stored otherwise than offered, or hard
 * links wait for their first, rewrite the manifest so that it says
 * exactly what the snapshot holds.
 */
static int
settle_manifest(struct fs_run *s)
{
	static struct lines in;
	static struct linew out;
	struct port_tmp t;
	struct buf b;
	const char *p;
	size_t n;
	int fd, r;

	fd = port_openat_read(s->manifests, s->man.tmp);
	if (fd < 0)
		return -1;
	if (port_tmp_open(&t, s->manifests, 0644) < 0) {
		port_close(fd);
		return -1;
	}
	lines_open(&in, fd);
	linew_open(&out, t.fd);
	s->amend_off = 0;
	s->amend_have = 0;
	/* The header, padded to its length again (read back, it is not):
	 * its totals are written at commit, in place. */
	r = lines_next(&in, &p, &n);
	buf_init(&b, hdr, sizeof hdr);
	if (r == 1 && (manifest_header(s, &b, 1) < 0 ||
	    linew_put(&out, b.p, b.len) < 0))
		r = -1;
	while (r >= 0 && (r = lines_next(&in, &p, &n)) == 1)
		if (settle_line(s, &out, p, n) < 0)
			r = -1;
	port_close(fd);
	if (r < 0 || linew_close(&out) < 0 || port_fsync(t.fd) < 0) {
		port_tmp_abort(&t);
		return -1;
	}
	/* Swap: the settled copy becomes the manifest being committed. */
	port_tmp_abort(&s->man);
	s->man = t;
	return 0;
}

/*
 * Apply policy k to the run's backup (the run's lock held; dry: take no
 * other), telling removed() of each that goes, or would. guard 0 only
 * for v1's --keep. ST_OK, ST_BUSY, ST_IO with text.
 */
static unsigned
retain(struct fs_run *s, const struct retention *k, int guard, int dry,
    void (*removed)(void *arg, const struct snapinfo *si), void *arg,
    char *text, size_t cap)
{
	static struct fs_prune p;
	unsigned st;

	snprintf(text, cap, "pruned");
	if (!retention_any(k))
		return ST_OK;
	if (!dry && port_lock_byte(s->lock, LOCK_READ, PORT_LOCK_EXCL) < 0) {
		snprintf(text, cap, "backup %s: its retention waits for the "
		    "next run: a restore of it is in progress", s->out->id);
		info("%s", text);
		return ST_BUSY;
	}
	memset(&p, 0, sizeof p);
	p.backup = s->backup;
	retain_init(&p.plan, k, guard);
	p.dry = dry;
	p.extra = !s->committed;
	p.extra_time = s->time != 0 ? s->time : port_time();
	p.removed = removed;
	p.arg = arg;
	p.tick = s->tick;
	p.tick_arg = s->tick_arg;
	st = fs_apply_retention(&p, NULL, text, cap);
	if (st != ST_OK)
		msg("backup %s: %s (retention)", s->out->id, text);
	if (!dry) {
		port_lock_byte(s->lock, LOCK_READ, PORT_UNLOCK);
		refund(s, p.freed);
	}
	return st;
}

/* The retention's removals logged, for the administrator. */
static void
retain_logged(void *arg, const struct snapinfo *si)
{
	struct fs_run *s = arg;

	info("backup %s: removed snapshot %s (retention)", s->out->id,
	    si->name);
}

/* What the caller's removed() hears, logged first. */
struct told {
	struct fs_run *s;
	void (*removed)(void *arg, const struct snapinfo *si);
	void *arg;
};

static void
retain_told(void *arg, const struct snapinfo *si)
{
	struct told *t = arg;

	retain_logged(t->s, si);
	if (t->removed != NULL)
		t->removed(t->arg, si);
}

static unsigned
fs_retain(const store_class **ctx, const struct retention *k, int dry,
    void (*removed)(void *arg, const struct snapinfo *si), void *arg,
    char *text, size_t cap)
{
	struct store_fs *fs = (struct store_fs *)ctx;
	struct told t;

	if (!fs->began || (!fs->run.committed && !dry)) {
		snprintf(text, cap, "retention without a committed run");
		return ST_BAD_REQUEST;
	}
	if (dry)
		return retain(&fs->run, k, 1, 1, removed, arg, text, cap);
	t.s = &fs->run;
	t.removed = removed;
	t.arg = arg;
	return retain(&fs->run, k, 1, 0, retain_told, &t, text, cap);
}

/* The manifest with its final totals (and without files that never
 * came), and its index by MD5. */
static unsigned
finish_manifest(struct fs_run *s, char *text, size_t cap)
{
	struct buf b;
	int rewrite;

	if (linew_close(&s->mw) < 0)
		return fail(text, cap, ST_IO, "cannot write the manifest of",
		    s->out->id);
	rewrite = s->missing > 0 || s->amends > 0 || s->hard_pending > 0;
	if (rewrite && settle_manifest(s) < 0)
		return fail(text, cap, ST_IO, "cannot rewrite the manifest of",
		    s->out->id);
	buf_init(&b, hdr, sizeof hdr);
	if (manifest_header(s, &b, 1) < 0 ||
	    port_pwrite_all(s->man.fd, b.p, b.len, 1) < 0)
		return fail(text, cap, ST_IO, "cannot finish the manifest of",
		    s->out->id);
	build_index(s, !rewrite && s->ilog_ok);
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

	if ((s->tick != NULL ? port_syncfs_ticking(s->partial, STORE_TICK_MS,
	    s->tick, s->tick_arg) : port_syncfs(s->partial)) < 0)
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
	char text[MSG_MAX + 1];
	struct retention k;

	close_fd(&s->amend_fd);
	port_unlinkat(s->incoming, "amend", 0);
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
	s->committed = 1;
	if (keep > 0) {
		memset(&k, 0, sizeof k);
		k.last = keep;
		retain(s, &k, 0, 0, retain_logged, s, text, sizeof text);
	}
}

static unsigned
fs_commit(const store_class **ctx, unsigned keep, struct store_run *out,
    char *text, size_t cap)
{
	struct fs_run *s = &((struct store_fs *)ctx)->run;
	unsigned st;

	if (s->dry) {
		snprintf(text, cap, "a dry run commits nothing");
		return ST_BAD_REQUEST;
	}
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
fs_set_tick(const store_class **ctx, void (*tick)(void *arg), void *arg)
{
	struct fs_run *s = &((struct store_fs *)ctx)->run;

	s->tick = tick;
	s->tick_arg = arg;
}

static void
fs_end(const store_class **ctx)
{
	struct store_fs *fs = (struct store_fs *)ctx;
	struct fs_run *s = &fs->run;

	s->tick = NULL;
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
	if (s->ilog.fd >= 0)
		port_tmp_abort(&s->ilog);
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
	close_fd(&s->amend_fd);
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
	fs_begin, fs_begin_dry, fs_offer, fs_put_begin, fs_put_data, fs_put_hole,
	fs_put_end, fs_commit, fs_retain, fs_end, fs_set_tick,
	fs_next_backup, fs_next_snapshot, fs_info_of,
	fs_open_snapshot, fs_next_entry, fs_open_file, fs_read_file,
	fs_close_file, fs_close_snapshot,
	fs_cursor_open, fs_cursor_next, fs_cursor_close,
	fs_remove, fs_prune, fs_usage_of,
	fs_next_client, fs_verify
};
