/*
 * store_s3.c — a backup run on the object store (see store_s3.h): begin
 * reads what the bucket holds into the spool, offers are answered from
 * there, each needed file is spooled while its MD5 is computed, checked,
 * then uploaded under its content key; store_s3_commit.c writes the
 * manifest, the commit record.
 */
#include "features.h"

#if CAIRN_S3

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backupid.h"
#include "buf.h"
#include "path.h"
#include "port.h"
#include "store_s3.h"
#include "util.h"


unsigned
s3_fail(char *text, size_t cap, unsigned status, const char *what,
    const char *name)
{
	snprintf(text, cap, "%s %s: %s", what, name, strerror(errno));
	return status;
}

/* The MD5 of a path, the key of the path tables. */
void
s3_path_md5(const char *p, size_t n, uint8_t md[MD5_LEN])
{
	struct md5 c;

	md5_init(&c);
	md5_update(&c, p, n);
	md5_final(&c, md);
}

/* ---- what the bucket holds, read at begin ---- */

static struct json prev_j;

/* The previous manifest's next entry into r->prev_e. */
static void
prev_advance(struct s3_run *r)
{
	r->prev_have = r->prev_fd >= 0 &&
	    entry_next(&r->prev_lines, &prev_j, &r->prev_e, NULL) == 1;
}

/* Add the content a manifest names (its file records) to the index. */
static void
index_manifest(struct s3_run *r, int fd)
{
	static struct lines l;
	static struct json j;
	static struct entry e;
	const char *p;
	size_t n;

	port_rewind(fd);
	lines_open(&l, fd);
	if (lines_next(&l, &p, &n) != 1)
		return;
	while (entry_next(&l, &j, &e, NULL) == 1)
		if (e.type == E_FILE && mdindex_add(&r->cidx, e.md5,
		    e.size + 1) < 0)
			return;
}

/* The newest snapshot's manifest, into the spool, read in step. */
static int
open_prev(struct store_s3 *s, char *text, size_t cap)
{
	struct s3_run *r = &s->run;
	char key[S3_KEY_MAX];
	const char *p;
	size_t n;
	int fd, got;

	if (r->prev[0] == 0)
		return 0;
	if ((fd = s3_spool_file(s, "prev")) < 0)
		return -1;
	s3k(key, "%s/%s/snap/%s", r->client, r->out->id, r->prev);
	got = s3_download(s, key, fd, NULL, NULL, text, cap);
	if (got != 0) {
		port_close(fd);
		return got < 0 ? -1 : 0;	/* removed meanwhile: none */
	}
	if (r->cidx_ok)
		index_manifest(r, fd);
	port_rewind(fd);
	lines_open(&r->prev_lines, fd);
	r->prev_fd = fd;
	if (lines_next(&r->prev_lines, &p, &n) != 1) {
		port_close(fd);
		r->prev_fd = -1;
		return 0;
	}
	prev_advance(r);
	return 0;
}

/* A content name into the index as an unfinished run's. */
static void
index_name(struct s3_run *r, const char *name, size_t n)
{
	uint8_t md[MD5_LEN];
	uint64_t size;

	if (s3_parse_content(name, n, md, &size) == 0)
		mdindex_add(&r->cidx, md, (size + 1) | S3_RESUMED);
}

/* The resume list (names, one a line) an unfinished run left. */
static int
read_resume(struct store_s3 *s, char *text, size_t cap)
{
	struct s3_run *r = &s->run;
	char key[S3_KEY_MAX], line[MD5_HEXLEN + 24];
	uint64_t off = 0;
	size_t k = 0;
	long n, i;
	int fd, got;

	if ((fd = s3_spool_file(s, "resume")) < 0)
		return -1;
	s3k(key, "%s/%s/resume", r->client, r->out->id);
	got = s3_download(s, key, fd, NULL, NULL, text, cap);
	r->had_resume = got == 0;
	r->resume_fd = fd;
	while (got == 0 && (n = port_pread(fd, s->io, sizeof s->io, off)) > 0) {
		for (i = 0; i < n; i++) {
			if (s->io[i] != '\n') {
				if (k < sizeof line)
					line[k++] = (char)s->io[i];
				continue;
			}
			index_name(r, line, k);
			k = 0;
		}
		off += (uint64_t)n;
	}
	return got < 0 ? -1 : 0;
}

/* Each content object of the client (after a dead run: what it sent). */
static int
list_each(void *arg, const char *key, uint64_t size, const char *etag)
{
	const char *slash = strrchr(key, '/');

	(void)size;
	(void)etag;
	if (slash != NULL)
		index_name(arg, slash + 1, strlen(slash + 1));
	return 0;
}

/* The spool's tables and files of a run. */
static int
open_tables(struct store_s3 *s)
{
	struct s3_run *r = &s->run;
	int c = s3_spool_file(s, "cidx"), f = s3_spool_file(s, "fidx");
	int g = s3_spool_file(s, "gone");

	r->cidx_ok = c >= 0 && mdindex_create(&r->cidx, c, 1 << 18) == 0;
	r->fidx_ok = f >= 0 && mdindex_create(&r->fidx, f, 1 << 20) == 0;
	r->gone_ok = g >= 0 && mdindex_create(&r->gone, g, 1 << 12) == 0;
	r->draft_fd = s3_spool_file(s, "draft");
	r->tags_fd = s3_spool_file(s, "tags");
	r->res_fd = s3_spool_file(s, "results");
	r->sent_fd = s3_spool_file(s, "sent");
	if (!r->fidx_ok || r->draft_fd < 0 || r->tags_fd < 0 ||
	    r->res_fd < 0 || r->sent_fd < 0)
		return -1;
	linew_open(&r->dw, r->draft_fd);
	return 0;
}

/* A name for the new snapshot after the previous one, as the local
 * backend names them (the UTC time, "-NNN" within one second). */
static int
pick_snapshot(struct store_s3 *s)
{
	struct s3_run *r = &s->run;
	struct s3_answer a;
	char base[21], key[S3_KEY_MAX];
	const char *z;
	uint64_t n = 0;

	utc_name(r->time, base);
	if (strcmp(base, r->prev) <= 0 && (z = strchr(r->prev, 'Z')) != NULL &&
	    (size_t)(z - r->prev) < sizeof base - 1) {
		snprintf(base, sizeof base, "%.*s", (int)(z - r->prev + 1),
		    r->prev);
		if (z[1] != '-' || parse_u64(z + 2, 1, 999, &n) < 0)
			n = 0;
	}
	for (; n <= 999; n++) {
		if (n == 0)
			snprintf(r->out->snap, SNAP_MAX, "%s", base);
		else
			snprintf(r->out->snap, SNAP_MAX, "%.20s-%03u", base,
			    (unsigned)n);
		if (strcmp(r->out->snap, r->prev) <= 0)
			continue;
		s3k(key, "%s/%s/snap/%s", r->client, r->out->id, r->out->snap);
		if (s3_head(&s->s3, key, &a) == 404)
			return 0;
	}
	return -1;
}

/* A run of client's source begun, real or dry: its names set. */
static struct s3_run *
run_start(const store_class **ctx, const char *client, const char *source,
    size_t slen, struct store_run *out, int dry)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	struct s3_run *r = &s->run;
	unsigned need_max = out->need_max;
	int64_t at = out->at;

	(*ctx)->end(ctx);
	s3_here(s);
	memset(out, 0, sizeof *out);
	out->need_max = need_max;
	out->at = at;
	memset(r, 0, offsetof(struct s3_run, needs));
	r->out = out;
	r->dry = dry;
	r->active = 1;
	r->prev_fd = r->draft_fd = r->tags_fd = r->res_fd = r->sent_fd = -1;
	r->resume_fd = -1;
	r->up_fd = -1;
	r->time = at != 0 ? at : port_time();
	snprintf(r->client, sizeof r->client, "%s", client);
	memcpy(out->source, source, slen);
	out->source[slen] = 0;
	backup_id(client, source, slen, out->id);
	return r;
}

/* What both kinds of run read: the catalog's newest, its manifest, the
 * tables, the resume list (and after a dead run, the client's content). */
static unsigned
prepare(struct store_s3 *s, int took, char *text, size_t cap)
{
	struct s3_run *r = &s->run;
	char prefix[S3_KEY_MAX];

	if (open_tables(s) < 0)
		return s3_fail(text, cap, ST_IO, "cannot make the spool files "
		    "in", s->spool_name);
	if ((r->in_catalog = s3_catalog_get(s, r->client, r->out->id, r->prev,
	    NULL, 0, text, cap)) < 0 || open_prev(s, text, cap) < 0 ||
	    read_resume(s, text, cap) < 0)
		return ST_IO;
	s3k(prefix, "%s/data/", r->client);
	if (took && r->cidx_ok && s3_list(&s->s3, prefix, NULL, list_each,
	    r) != 200) {
		snprintf(text, cap, "object store: cannot list %s: %s", prefix,
		    s3_error(&s->s3));
		return ST_IO;
	}
	if (pick_snapshot(s) < 0) {
		snprintf(text, cap, "no snapshot name is left for this second "
		    "in %s (is the server's clock behind %s?)", r->out->id,
		    r->prev);
		return ST_IO;
	}
	return ST_OK;
}

static unsigned
s3_begin(const store_class **ctx, const char *client, const char *source,
    size_t slen, struct store_run *out, char *text, size_t cap)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	struct s3_run *r = run_start(ctx, client, source, slen, out, 0);
	unsigned st;
	int took = 0;

	st = s3_lock(s, client, out->id, r->lock_etag, &r->lock_expiry, &took,
	    text, cap);
	if (st != ST_OK) {
		r->active = 0;
		return st;
	}
	r->locked = 1;
	if (s3_lock_held(s, client, "sweep") != 0) {
		snprintf(text, cap, "backup %s is busy: its client's unused "
		    "content is being collected", out->id);
		(*ctx)->end(ctx);
		return ST_BUSY;
	}
	if ((st = prepare(s, took, text, cap)) != ST_OK) {
		(*ctx)->end(ctx);
		return st;
	}
	/* A new backup is in the catalog before it sends anything, so that
	 * a sweep sees its lease (store_s3_sweep.c). */
	if (!r->in_catalog && s3_catalog_set(s, client, out->id, out->source,
	    "", text, cap) < 0) {
		(*ctx)->end(ctx);
		return ST_IO;
	}
	/* --quota: the dead run whose lease was taken over may have left a
	 * reservation counted (store_s3_quota.c) */
	if (took)
		s3_quota_recount(s, client, out->id);
	snprintf(text, cap, "snapshot %s of backup %s", out->snap, out->id);
	return ST_OK;
}

static unsigned
s3_begin_dry(const store_class **ctx, const char *client, const char *source,
    size_t slen, struct store_run *out, char *text, size_t cap)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	unsigned st;

	run_start(ctx, client, source, slen, out, 1);
	if ((st = prepare(s, 0, text, cap)) != ST_OK) {
		(*ctx)->end(ctx);
		return st;
	}
	snprintf(text, cap, "dry run: snapshot %s of backup %s", out->snap,
	    out->id);
	return ST_OK;
}

/* ---- offers ---- */

/* One entry into the draft with its tag. */
static unsigned
draft_add(struct s3_run *r, const struct entry *e, int tag, char *text,
    size_t cap)
{
	static uint8_t line[LINE_MAX_BYTES];
	uint8_t t = (uint8_t)tag;
	struct buf b;

	if (r->dry)
		return ST_OK;
	buf_init(&b, line, sizeof line);
	if (entry_json(&b, e, NULL) < 0 || linew_put(&r->dw, b.p, b.len) < 0 ||
	    port_pwrite_all(r->tags_fd, &t, 1, r->tags_n) < 0)
		return s3_fail(text, cap, ST_IO, "cannot write the spool for",
		    e->path);
	r->tags_n++;
	return ST_OK;
}

/* 1 if e may come next (see the local backend's in_order). */
static int
in_order(struct s3_run *r, const struct entry *e, char *text, size_t cap)
{
	const char *slash = strrchr(e->path, '/');
	size_t n = slash == NULL ? 0 : (size_t)(slash - e->path);

	if (r->up_fd >= 0) {
		snprintf(text, cap, "an offer in the middle of a file transfer");
		return 0;
	}
	if (e->plen == 0 && r->any) {
		snprintf(text, cap, "the source root's entry must come first");
		return 0;
	}
	if (r->last_len > 0 &&
	    path_cmp(r->last, r->last_len, e->path, e->plen) >= 0) {
		snprintf(text, cap, "offers out of order");
		return 0;
	}
	/* its parent: the root, or one of the last directory's own */
	if (n > 0 && !(n <= r->dlen && memcmp(r->dir, e->path, n) == 0 &&
	    (n == r->dlen || r->dir[n] == '/'))) {
		snprintf(text, cap, "the parent directory of this entry was "
		    "not offered, or is not a directory");
		return 0;
	}
	memcpy(r->last, e->path, e->plen + 1);
	r->last_len = e->plen;
	r->any = 1;
	if (e->type == E_DIR) {
		memcpy(r->dir, e->path, e->plen + 1);
		r->dlen = e->plen;
	}
	return 1;
}

/* The previous snapshot's entry at e's path, or NULL. */
static struct entry *
prev_at(struct s3_run *r, const struct entry *e)
{
	struct entry *pe = &r->prev_e;

	while (r->prev_have && path_cmp(pe->path, pe->plen, e->path,
	    e->plen) < 0)
		prev_advance(r);
	if (r->prev_have && pe->plen == e->plen &&
	    memcmp(pe->path, e->path, e->plen) == 0)
		return pe;
	return NULL;
}

/* Queue file e, needed: ST_NEED, or ST_BAD_REQUEST when too many. */
static unsigned
need_push(struct s3_run *r, const struct entry *e, char *text, size_t cap)
{
	unsigned max = r->out->need_max ? r->out->need_max : NEED_MAX_V1;
	struct s3_need *n;
	size_t off, k;

	if (r->dry) {
		r->out->received++;
		return ST_NEED;
	}
	if (r->need_count >= max || max > S3_NEEDS ||
	    r->need_pbytes + e->plen > WINDOW_BYTES) {
		snprintf(text, cap, "too many files offered ahead of their data "
		    "(at most %u)", max);
		return ST_BAD_REQUEST;
	}
	off = r->need_count == 0 ? 0 : (r->needs[r->need_head].off +
	    r->need_pbytes) % S3_NEED_TEXT;
	n = &r->needs[(r->need_head + r->need_count++) % S3_NEEDS];
	n->off = (uint32_t)off;
	n->plen = (uint16_t)e->plen;
	n->size = e->size;
	memcpy(n->md5, e->md5, MD5_LEN);
	k = S3_NEED_TEXT - off < e->plen ? S3_NEED_TEXT - off : e->plen;
	memcpy(r->need_text + off, e->path, k);
	memcpy(r->need_text, e->path + k, e->plen - k);
	r->need_pbytes += e->plen;
	return ST_NEED;
}

/* Remember that this run's manifest has file e: as recorded (1), or as
 * need number k will bring it (2 + k). */
static void
file_note(struct s3_run *r, const struct entry *e, uint64_t v)
{
	uint8_t pm[MD5_LEN];

	s3_path_md5(e->path, e->plen, pm);
	if (r->fidx_ok && mdindex_add(&r->fidx, pm, v) < 0)
		r->fidx_ok = 0;
}

/* A file: unchanged since the previous snapshot, content the bucket
 * holds, or needed (if the quota leaves room for it: it is charged when
 * its data has come, before it is stored). */
static unsigned
offer_file(struct store_s3 *s, const struct entry *e, char *text, size_t cap)
{
	struct s3_run *r = &s->run;
	const struct entry *pe = prev_at(r, e);
	uint64_t v;
	unsigned st;

	r->out->files++;
	r->out->bytes += e->size;
	if (!(e->flags & EF_MD5_LATER) && pe != NULL && pe->type == E_FILE &&
	    pe->size == e->size && memcmp(pe->md5, e->md5, MD5_LEN) == 0) {
		r->out->linked++;
		file_note(r, e, 1);
		return draft_add(r, e, 'R', text, cap);
	}
	if (!(e->flags & EF_MD5_LATER) && r->cidx_ok &&
	    mdindex_find(&r->cidx, e->md5, &v) == 1 &&
	    (v & ~S3_RESUMED) == e->size + 1) {
		if (v & S3_RESUMED)
			r->out->reused++;
		else
			r->out->deduped++;
		file_note(r, e, 1);
		return draft_add(r, e, 'R', text, cap);
	}
	if ((st = s3_quota_room(s, e->size, "this file", text, cap)) != ST_OK)
		return st;
	st = need_push(r, e, text, cap);
	if (st != ST_NEED || r->dry)
		return st;
	file_note(r, e, 2 + r->res_n + r->need_count - 1);
	return draft_add(r, e, 'N', text, cap) == ST_OK ? ST_NEED : ST_IO;
}

/* KEEP: the previous snapshot's version of the path, flagged KEEP. */
static unsigned
offer_keep(struct s3_run *r, const struct entry *e, char *text, size_t cap)
{
	static uint8_t xattr[XATTR_MAX];
	struct entry *pe = prev_at(r, e);

	if (pe == NULL || !ENTRY_HAS_DATA(pe) ||
	    entry_xattrs(&prev_j, xattr, sizeof xattr, &pe->xlen) < 0) {
		r->out->failed++;
		snprintf(text, cap, "no previous version to keep");
		return ST_NOT_FOUND;
	}
	pe->xattr = xattr;
	pe->type = E_FILE;
	pe->tlen = 0;
	pe->target[0] = 0;
	pe->flags |= EF_KEEP;
	r->out->files++;
	r->out->bytes += pe->size;
	r->out->kept++;
	file_note(r, pe, 1);
	return draft_add(r, pe, 'R', text, cap);
}

/* A hard link: its target must be a file offered before. */
static unsigned
offer_hard(struct s3_run *r, const struct entry *e, char *text, size_t cap)
{
	uint8_t pm[MD5_LEN];
	uint64_t v;

	s3_path_md5(e->target, e->tlen, pm);
	if (path_cmp(e->target, e->tlen, e->path, e->plen) >= 0 ||
	    (!r->dry && (!r->fidx_ok || mdindex_find(&r->fidx, pm, &v) != 1))) {
		snprintf(text, cap, "a hard link whose target is not an "
		    "earlier file of this backup");
		return ST_BAD_REQUEST;
	}
	r->out->files++;
	r->out->bytes += e->size;
	return draft_add(r, e, 'R', text, cap);
}

static unsigned
s3_offer(const store_class **ctx, const struct entry *e, char *text,
    size_t cap)
{
	struct s3_run *r = &((struct store_s3 *)ctx)->run;
	unsigned st;

	if (!r->active || r->committed) {
		snprintf(text, cap, "an offer outside a run");
		return ST_BAD_REQUEST;
	}
	if (!in_order(r, e, text, cap))
		return ST_BAD_REQUEST;
	if (r->locked && s3_lock_renew((struct store_s3 *)ctx, r->client,
	    r->out->id, r->lock_etag, &r->lock_expiry, text, cap) < 0)
		return ST_IO;
	if (e->plen == 0 || e->type == E_DIR || e->type == E_LINK ||
	    e->type == E_FIFO || e->type == E_CHR || e->type == E_BLK)
		st = draft_add(r, e, 'R', text, cap);
	else if (e->type == E_FILE && (e->flags & EF_KEEP))
		st = offer_keep(r, e, text, cap);
	else if (e->type == E_FILE)
		st = offer_file((struct store_s3 *)ctx, e, text, cap);
	else if (e->type == E_HARD)
		st = offer_hard(r, e, text, cap);
	else {
		snprintf(text, cap, "unknown entry type");
		return ST_BAD_REQUEST;
	}
	if (st == ST_OK || st == ST_NEED)
		snprintf(text, cap, "%s", st == ST_OK ? "have it" : "send it");
	return st;
}

/* ---- a needed file's data ---- */

/* The oldest need's path, size and MD5 into e. */
static void
need_get(const struct s3_run *r, struct entry *e)
{
	const struct s3_need *n = &r->needs[r->need_head];
	size_t k = S3_NEED_TEXT - n->off < n->plen ? S3_NEED_TEXT - n->off :
	    n->plen;

	entry_clear(e, E_FILE);
	memcpy(e->path, r->need_text + n->off, k);
	memcpy(e->path + k, r->need_text, n->plen - k);
	e->plen = n->plen;
	e->path[e->plen] = 0;
	e->size = n->size;
	memcpy(e->md5, n->md5, MD5_LEN);
}

static unsigned
s3_put_begin(const store_class **ctx, const struct entry *e, char *text,
    size_t cap)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	struct s3_run *r = &s->run;
	const struct entry *n = &r->up_e;

	if (r->dry || !r->active || r->committed || r->up_fd >= 0 ||
	    r->need_count == 0) {
		snprintf(text, cap, "a file was sent that was not asked for, "
		    "or out of order");
		return ST_BAD_REQUEST;
	}
	need_get(r, &r->up_e);
	if (e->plen != n->plen || memcmp(e->path, n->path, e->plen) != 0 ||
	    (e->type != 0 && (e->type != E_FILE || e->size != n->size ||
	    memcmp(e->md5, n->md5, MD5_LEN) != 0))) {
		snprintf(text, cap, "a file was sent that was not asked for, "
		    "or out of order");
		return ST_BAD_REQUEST;
	}
	if ((r->up_fd = s3_spool_file(s, "upload")) < 0)
		return s3_fail(text, cap, ST_IO, "cannot spool", e->path);
	md5_init(&r->up_md5);
	r->up_v2 = e->type == 0;
	r->up_bytes = 0;
	r->up_holed = 0;
	return ST_OK;
}

#define OFFSET_MAX 0x7fffffffffffffffull

/* Room for n more bytes: v1 up to the offer's size. */
static unsigned
put_room(struct s3_run *r, uint64_t n, char *text, size_t cap)
{
	uint64_t max = r->up_v2 ? OFFSET_MAX : r->up_e.size;

	if (r->up_fd < 0) {
		snprintf(text, cap, "file data without a transfer");
		return ST_BAD_REQUEST;
	}
	if (n > max || r->up_bytes > max - n) {
		snprintf(text, cap, "more data than the file's size");
		return ST_BAD_REQUEST;
	}
	return ST_OK;
}

static unsigned
s3_put_data(const store_class **ctx, const void *p, size_t n, char *text,
    size_t cap)
{
	struct s3_run *r = &((struct store_s3 *)ctx)->run;
	unsigned st;

	if ((st = put_room(r, n, text, cap)) != ST_OK)
		return st;
	if (s3_lock_renew((struct store_s3 *)ctx, r->client, r->out->id,
	    r->lock_etag, &r->lock_expiry, text, cap) < 0)
		return ST_IO;
	/* written in sequence until a hole, which moves on without writing */
	if ((r->up_holed ? port_pwrite_all(r->up_fd, p, n, r->up_bytes) :
	    port_write_all(r->up_fd, p, n)) < 0)
		return s3_fail(text, cap, ST_IO, "cannot spool", r->up_e.path);
	md5_update(&r->up_md5, p, n);
	r->up_bytes += n;
	return ST_OK;
}

/* A hole: zeros in the object (the bucket keeps no holes), a hole in the
 * spool file. */
static unsigned
s3_put_hole(const store_class **ctx, uint64_t n, char *text, size_t cap)
{
	static const uint8_t zero[4096];
	struct s3_run *r = &((struct store_s3 *)ctx)->run;
	uint64_t left = n;
	unsigned st;

	if ((st = put_room(r, n, text, cap)) != ST_OK)
		return st;
	for (; left > 0; left -= left < sizeof zero ? left : sizeof zero)
		md5_update(&r->up_md5, zero, left < sizeof zero ?
		    (size_t)left : sizeof zero);
	r->up_bytes += n;
	r->up_holed = 1;
	if (port_ftruncate(r->up_fd, r->up_bytes) < 0)
		return s3_fail(text, cap, ST_IO, "cannot spool", r->up_e.path);
	return ST_OK;
}

/* The outcome of need k: stored with got's size, MD5 and flags, or not. */
static int
result_put(struct s3_run *r, uint64_t k, int ok, const struct put_trailer *got)
{
	uint8_t rec[S3_RES_REC];
	struct buf b;

	buf_init(&b, rec, sizeof rec);
	buf_u8(&b, ok ? 1 : 0);
	buf_u64(&b, got->size);
	buf_put(&b, got->md5, MD5_LEN);
	buf_u8(&b, got->flags);
	return port_pwrite_all(r->res_fd, rec, sizeof rec, k * S3_RES_REC);
}

/* The spooled file checked and uploaded (unless the bucket has it). */
static unsigned
store_upload(struct store_s3 *s, const struct put_trailer *t,
    struct put_trailer *got, char *text, size_t cap)
{
	struct s3_run *r = &s->run;
	const struct entry *nd = &r->up_e;
	uint64_t want = t != NULL ? t->size : nd->size, v;
	char key[S3_KEY_MAX];
	uint8_t rec[MD5_LEN + 8];
	unsigned st;
	int up;

	md5_final(&r->up_md5, got->md5);
	got->size = r->up_bytes;
	got->flags = t != NULL ? t->flags & EF_CHANGED : 0;
	if (r->up_bytes != want || memcmp(got->md5, t != NULL ? t->md5 :
	    nd->md5, MD5_LEN) != 0) {
		snprintf(text, cap, "%s: the data received does not match its "
		    "%s (was it changed while being sent?)",
		    r->up_bytes != want ? "size" : "MD5",
		    t != NULL ? "trailer" : "size or MD5");
		return ST_BAD_DATA;
	}
	if (s3_lock_renew(s, r->client, r->out->id, r->lock_etag,
	    &r->lock_expiry, text, cap) < 0)
		return ST_IO;
	if (r->cidx_ok && mdindex_find(&r->cidx, got->md5, &v) == 1 &&
	    (v & ~S3_RESUMED) == got->size + 1)
		return ST_OK;	/* sent twice in this run: there already */
	s3_data_key(key, r->client, got->md5, got->size);
	if (s->quota == 0) {
		if (s3_upload(s, key, r->up_fd, got->size, 0, NULL, NULL, text,
		    cap) != 0)
			return ST_IO;
	} else {
		/* charged before it is stored; given back when it was there
		 * (another backup's) or did not go in */
		if ((st = s3_quota_take(s, got->size, 0, "this file", text,
		    cap)) != ST_OK)
			return st;
		if ((up = s3_upload_new(s, key, r->up_fd, got->size, text,
		    cap)) != 0)
			s3_quota_give(s, got->size);
		if (up < 0)
			return ST_IO;
	}
	if (r->cidx_ok)
		mdindex_add(&r->cidx, got->md5, (got->size + 1) | S3_RESUMED);
	memcpy(rec, got->md5, MD5_LEN);
	memcpy(rec + MD5_LEN, &got->size, 8);
	if (port_pwrite_all(r->sent_fd, rec, sizeof rec,
	    r->sent_n * sizeof rec) == 0)
		r->sent_n++;
	return ST_OK;
}

static unsigned
s3_put_end(const store_class **ctx, const struct put_trailer *t, char *text,
    size_t cap)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	struct s3_run *r = &s->run;
	const struct s3_need *n = &r->needs[r->need_head];
	struct put_trailer got;
	unsigned st;

	if (r->up_fd < 0 || (t != NULL) != r->up_v2) {
		snprintf(text, cap, "transfer complete without a transfer");
		return ST_BAD_REQUEST;
	}
	st = store_upload(s, t, &got, text, cap);
	if (result_put(r, r->res_n, st == ST_OK, &got) < 0 && st == ST_OK)
		st = s3_fail(text, cap, ST_IO, "cannot spool", r->up_e.path);
	r->res_n++;
	r->need_pbytes -= n->plen;
	r->need_head = (r->need_head + 1) % S3_NEEDS;
	r->need_count--;
	port_close(r->up_fd);
	r->up_fd = -1;
	if (st == ST_OK) {
		r->out->received++;
		r->out->bytes += got.size - r->up_e.size;	/* mod 2^64 */
		snprintf(text, cap, got.flags ? "stored as read (changed "
		    "while read)" : "stored");
	} else if (st == ST_BAD_DATA) {
		r->out->files--;
		r->out->bytes -= r->up_e.size;
		r->out->failed++;
	}
	return st;
}

static void
s3_set_tick(const store_class **ctx, void (*tick)(void *arg), void *arg)
{
	struct s3_run *r = &((struct store_s3 *)ctx)->run;

	r->tick = tick;
	r->tick_arg = arg;
}

const store_class store_s3_class = {
	s3_client_ok,
	s3_begin, s3_begin_dry, s3_offer,
	s3_put_begin, s3_put_data, s3_put_hole, s3_put_end,
	s3_commit, s3_retain, s3_end, s3_set_tick,
	s3_next_backup, s3_next_snapshot, s3_info,
	s3_open_snapshot, s3_next_entry,
	s3_open_file, s3_read_file, s3_close_file, s3_close_snapshot,
	s3_cursor_open, s3_cursor_next, s3_cursor_close,
	s3_remove, s3_prune, s3_usage,
	s3_next_client, s3_verify,
};

#endif /* CAIRN_S3 */
