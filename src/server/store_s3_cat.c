/*
 * store_s3_cat.c — the object store's catalog and reading (see
 * store_s3.h): backups from the client's catalog object, snapshots by
 * listing their manifests, a snapshot read from its manifest downloaded
 * into the spool, a file from its content object, downloaded and its MD5
 * checked before a byte of it is given out.
 */
#include "features.h"

#if CAIRN_S3

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "port.h"
#include "store_s3.h"
#include "util.h"

int
s3_client_ok(const store_class **ctx, const char *client)
{
	(void)ctx;
	return strcmp(client, "_clients") != 0 && strcmp(client, "_probe") != 0;
}

/* The smallest backup id after "after", from the catalog. */
struct after_id {
	const char *after;
	char *best;
	int found;
};

static int
next_id_each(void *arg, const char *id, const char *source,
    const char *newest)
{
	struct after_id *a = arg;

	(void)source;
	(void)newest;
	if (strcmp(id, a->after) <= 0 || (a->found && strcmp(id, a->best) >= 0))
		return 0;
	memcpy(a->best, id, ID_LEN + 1);
	a->found = 1;
	return 0;
}

int
s3_next_backup(const store_class **ctx, const char *client,
    const char *after, char *id)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	struct after_id a = { after, id, 0 };
	char text[256];

	if (s3_catalog_read(s, client, next_id_each, &a, text,
	    sizeof text) < 0)
		return -1;
	return a.found;
}

/* The first key a listing gives: its last part into name. */
struct first_key {
	char *name;
	size_t cap;
	int found;
	int clients;		/* a client's name, not a snapshot's */
};

static int
first_each(void *arg, const char *key, uint64_t size, const char *etag)
{
	struct first_key *f = arg;
	const char *slash = strrchr(key, '/');

	(void)size;
	(void)etag;
	slash = slash == NULL ? key : slash + 1;
	if (f->clients ? strlen(slash) >= f->cap || slash[0] == '.' :
	    !store_is_snap(slash, strlen(slash)))
		return 0;
	snprintf(f->name, f->cap, "%s", slash);
	f->found = 1;
	return 1;
}

int
s3_next_snapshot(const store_class **ctx, const char *client,
    const char *id, const char *after, char *name)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	char prefix[S3_KEY_MAX], start[S3_KEY_MAX];
	char found[SNAP_MAX];
	struct first_key f = { found, sizeof found, 0, 0 };
	int st;

	s3_here(s);
	if (!store_is_id(id, strlen(id)) ||
	    s3k(prefix, "%s/%s/snap/", client, id) < 0 ||
	    s3k(start, "%s%s", prefix, after) < 0)
		return -1;
	st = s3_list(&s->s3, prefix, after[0] ? start : NULL, first_each, &f);
	if (st != 200 && st != -2)
		return -1;
	if (f.found)
		memcpy(name, found, strlen(found) + 1);
	return f.found;
}

/* ---- manifests ---- */

int
s3_man_header(struct s3_man *m, struct snapinfo *si)
{
	const char *p;
	size_t n;

	if (lines_next(&m->l, &p, &n) != 1 || json_parse(&m->j, p, n) < 0 ||
	    json_find(&m->j, "cairn_manifest") < 0)
		return -1;
	json_u64(&m->j, "files", &si->files);
	json_u64(&m->j, "bytes", &si->bytes);
	json_u64(&m->j, "failed", &si->failed);
	json_i64(&m->j, "time", &si->time);
	json_str(&m->j, "source", si->source, sizeof si->source, &n);
	return 0;
}

/* snap, or the newest from the catalog when "" or NULL, into out:
 * ST_OK, ST_NOT_FOUND, ST_IO. */
static unsigned
which_snap(struct store_s3 *s, const char *client, const char *id,
    const char *snap, char *out, char *text, size_t cap)
{
	int r;

	if (!store_is_id(id, strlen(id))) {
		snprintf(text, cap, "no backup %.40s", id);
		return ST_NOT_FOUND;
	}
	if (snap != NULL && snap[0] != 0) {
		if (!store_is_snap(snap, strlen(snap))) {
			snprintf(text, cap, "no snapshot %.40s", snap);
			return ST_NOT_FOUND;
		}
		snprintf(out, SNAP_MAX, "%s", snap);
		return ST_OK;
	}
	r = s3_catalog_get(s, client, id, out, NULL, 0, text, cap);
	if (r < 0)
		return ST_IO;
	if (r == 0 || out[0] == 0) {
		snprintf(text, cap, "backup %s has no snapshot", id);
		return ST_NOT_FOUND;
	}
	return ST_OK;
}

unsigned
s3_man_open(struct store_s3 *s, struct s3_man *m, const char *name,
    const char *client, const char *id, const char *snap,
    struct snapinfo *si, char *text, size_t cap)
{
	char which[SNAP_MAX], key[S3_KEY_MAX];
	unsigned st;
	int r;

	s3_man_close(m);
	memset(si, 0, sizeof *si);
	if ((st = which_snap(s, client, id, snap, which, text, cap)) != ST_OK)
		return st;
	if ((m->fd = s3_spool_file(s, name)) >= 0)
		m->open = 1;
	else
		return s3_fail(text, cap, ST_IO, "cannot make the spool file",
		    name);
	s3k(key, "%s/%s/snap/%s", client, id, which);
	r = s3_download(s, key, m->fd, NULL, NULL, text, cap);
	if (r != 0) {
		s3_man_close(m);
		if (r == 1)
			snprintf(text, cap, "no snapshot %s in backup %s",
			    which, id);
		return r == 1 ? ST_NOT_FOUND : ST_IO;
	}
	port_rewind(m->fd);
	lines_open(&m->l, m->fd);
	m->damaged = s3_man_header(m, si) < 0;
	snprintf(si->name, sizeof si->name, "%s", which);
	return ST_OK;
}

int
s3_man_next(struct s3_man *m, struct entry *e)
{
	int r;

	if (!m->open)
		return 0;
	if (m->damaged)
		return -1;
	r = entry_next(&m->l, &m->j, e, NULL);
	if (r == 1 && entry_xattrs(&m->j, m->xattr, sizeof m->xattr,
	    &e->xlen) < 0)
		r = -1;
	if (r == 1)
		e->xattr = e->xlen > 0 ? m->xattr : NULL;
	return r;
}

void
s3_man_close(struct s3_man *m)
{
	if (m->open)
		port_close(m->fd);
	m->open = 0;
	m->fd = -1;
	m->damaged = 0;
}

unsigned
s3_info(const store_class **ctx, const char *client, const char *id,
    const char *snap, struct snapinfo *si)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	static struct s3_man m;	/* zero: closed (bss, not data) */
	char text[256];
	unsigned st;

	st = s3_man_open(s, &m, "info", client, id, snap, si, text,
	    sizeof text);
	if (st == ST_OK && m.damaged)
		st = ST_IO;
	s3_man_close(&m);
	return st;
}

/* ---- the snapshot open for reading ---- */

/* Index the open snapshot's records by path MD5. */
static void
index_paths(struct store_s3 *s)
{
	static struct json j;
	static struct entry e;
	struct s3_read *rd = &s->rd;
	struct port_stat st;
	uint8_t pm[MD5_LEN];
	int fd, r;

	rd->pidx_ok = 0;
	if (port_fstat(rd->man.fd, &st) < 0 ||
	    (fd = s3_spool_file(s, "paths")) < 0)
		return;
	if (mdindex_create(&rd->pidx, fd, st.size / 32 + 1024) < 0) {
		port_close(fd);
		return;
	}
	rd->pidx_ok = 1;
	while ((r = entry_next(&rd->man.l, &j, &e, NULL)) == 1) {
		s3_path_md5(e.path, e.plen, pm);
		if (ENTRY_HAS_DATA(&e) &&
		    mdindex_add(&rd->pidx, pm, rd->man.l.off) < 0)
			break;
	}
	rd->pidx_ok = r == 0;
}

unsigned
s3_open_snapshot(const store_class **ctx, const char *client,
    const char *id, const char *snap, struct snapinfo *si, char *text,
    size_t cap)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	struct s3_read *rd = &s->rd;
	struct snapinfo again;
	unsigned st;

	s3_close_snapshot(ctx);
	st = s3_man_open(s, &rd->man, "read", client, id, snap, si, text, cap);
	if (st != ST_OK)
		return st;
	snprintf(rd->client, sizeof rd->client, "%s", client);
	snprintf(rd->id, sizeof rd->id, "%s", id);
	if (s3_read_hold(s, client, id, rd->lease, &rd->lease_expiry) < 0) {
		s3_close_snapshot(ctx);
		snprintf(text, cap, "object store: cannot put the read lease of "
		    "%s: %s", id, s3_error(&s->s3));
		return ST_IO;
	}
	if (!rd->man.damaged) {
		index_paths(s);
		port_rewind(rd->man.fd);
		lines_open(&rd->man.l, rd->man.fd);
		rd->man.damaged = s3_man_header(&rd->man, &again) < 0;
	}
	return ST_OK;
}

int
s3_next_entry(const store_class **ctx, struct entry *e)
{
	return s3_man_next(&((struct store_s3 *)ctx)->rd.man, e);
}

/* The record of the open snapshot at path, a file or a hard link: 0 with
 * e, -1. */
static int
record_of(struct store_s3 *s, const char *path, size_t plen, struct entry *e)
{
	static char buf[LINE_MAX_BYTES + 1];
	static struct json j;
	struct s3_read *rd = &s->rd;
	uint8_t pm[MD5_LEN];
	uint64_t off;
	long n;
	char *nl;

	s3_path_md5(path, plen, pm);
	if (!rd->pidx_ok || mdindex_find(&rd->pidx, pm, &off) != 1 ||
	    (n = port_pread(rd->man.fd, buf, LINE_MAX_BYTES, off)) <= 0)
		return -1;
	buf[n] = 0;
	nl = memchr(buf, '\n', (size_t)n);
	if (nl == NULL || json_parse(&j, buf, (size_t)(nl - buf)) < 0 ||
	    entry_parse(&j, e, NULL) < 0)
		return -1;
	return e->plen == plen && memcmp(e->path, path, plen) == 0 &&
	    ENTRY_HAS_DATA(e) ? 0 : -1;
}

int
s3_open_file(const store_class **ctx, const char *path, uint64_t *size)
{
	static struct entry e;
	static char first[PATH_CAP];
	struct store_s3 *s = (struct store_s3 *)ctx;
	struct s3_read *rd = &s->rd;
	char key[S3_KEY_MAX], text[256] = "";
	uint8_t md[MD5_LEN];

	s3_close_file(ctx);
	if (!rd->man.open || record_of(s, path, strlen(path), &e) < 0)
		return -1;
	if (s3_read_renew(s, rd->client, rd->id, rd->lease,
	    &rd->lease_expiry) < 0)
		msg("%s: cannot renew the read lease: %s", rd->id,
		    s3_error(&s->s3));
	if (e.type == E_HARD) {		/* its first path has the record */
		memcpy(first, e.target, e.tlen + 1);
		if (record_of(s, first, strlen(first), &e) < 0 ||
		    e.type != E_FILE)
			return -1;
	}
	if ((rd->file_fd = s3_spool_file(s, "file")) < 0)
		return -1;
	s3_data_key(key, rd->client, e.md5, e.size);
	if (s3_download(s, key, rd->file_fd, NULL, md, text,
	    sizeof text) != 0 || memcmp(md, e.md5, MD5_LEN) != 0) {
		msg("%s: %s", path, text[0] && memcmp(md, e.md5, MD5_LEN) ?
		    text : "its content object is damaged or missing");
		s3_close_file(ctx);
		return -1;
	}
	rd->pos = 0;
	rd->size = e.size;
	rd->sparse = (e.flags & EF_SPARSE) != 0;
	*size = e.size;
	return 0;
}

size_t
s3_zero_run(const uint8_t *p, size_t n, uint64_t off, int *zero)
{
	size_t i, k;
	int z = -1, kz;

	for (i = 0; i < n; i += k) {
		k = S3_ZERO_BLOCK - (size_t)((off + i) % S3_ZERO_BLOCK);
		if (k > n - i)
			k = n - i;
		kz = p[i] == 0 && memcmp(p + i, p + i + 1, k - 1) == 0;
		if (z < 0)
			z = kz;
		else if (kz != z)
			break;
	}
	*zero = z == 1;
	return i;
}

/* Up to cap bytes of the content at off into p, ending on a block's end
 * when the file goes on past them (so that a block is judged whole): the
 * count, or -1. */
static long
read_blocks(struct s3_read *rd, void *p, size_t cap, uint64_t off)
{
	uint64_t k = rd->size - off < cap ? rd->size - off : cap;
	long n;

	if (off + k < rd->size && k > (off + k) % S3_ZERO_BLOCK)
		k -= (off + k) % S3_ZERO_BLOCK;
	n = port_pread(rd->file_fd, p, (size_t)k, off);
	return n > 0 ? n : -1;
}

long
s3_read_file(const store_class **ctx, void *p, size_t cap, uint64_t *hole)
{
	struct s3_read *rd = &((struct store_s3 *)ctx)->rd;
	size_t run;
	long n;
	int zero;

	*hole = 0;
	if (rd->file_fd < 0)
		return -1;
	if (rd->pos >= rd->size)
		return 0;
	if (!rd->sparse) {
		if (cap > rd->size - rd->pos)
			cap = (size_t)(rd->size - rd->pos);
		n = port_pread(rd->file_fd, p, cap, rd->pos);
		if (n <= 0)
			return -1;
		rd->pos += (uint64_t)n;
		return n;
	}
	/*
	 * The bucket holds a sparse file's holes as zeros (DESIGN.md, "The
	 * object store"): its all-zero blocks go as one hole, read on
	 * through p as far as they go; data up to the next such block.
	 */
	for (;;) {
		if ((n = read_blocks(rd, p, cap, rd->pos + *hole)) < 0) {
			*hole = 0;
			return -1;
		}
		run = s3_zero_run(p, (size_t)n, rd->pos + *hole, &zero);
		if (!zero && *hole == 0) {
			rd->pos += run;
			return (long)run;
		}
		if (!zero)
			break;		/* the hole ends here */
		*hole += run;
		if (run < (size_t)n || rd->pos + *hole >= rd->size)
			break;
	}
	rd->pos += *hole;
	return 0;
}

void
s3_close_file(const store_class **ctx)
{
	struct s3_read *rd = &((struct store_s3 *)ctx)->rd;

	if (rd->file_fd >= 0)
		port_close(rd->file_fd);
	rd->file_fd = -1;
}

void
s3_close_snapshot(const store_class **ctx)
{
	struct s3_read *rd = &((struct store_s3 *)ctx)->rd;

	s3_close_file(ctx);
	s3_man_close(&rd->man);
	s3_read_release((struct store_s3 *)ctx, rd->lease);
	if (rd->pidx_ok)
		port_close(rd->pidx.fd);
	rd->pidx_ok = 0;
}

/* ---- cursors ---- */

unsigned
s3_cursor_open(const store_class **ctx, unsigned c, const char *client,
    const char *id, const char *snap, struct snapinfo *si, char *text,
    size_t cap)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	char name[16];

	if (c >= STORE_CURSORS) {
		snprintf(text, cap, "no cursor %u", c);
		return ST_NOT_FOUND;
	}
	snprintf(name, sizeof name, "cursor%u", c);
	return s3_man_open(s, &s->cur[c], name, client, id, snap, si, text,
	    cap);
}

int
s3_cursor_next(const store_class **ctx, unsigned c, struct entry *e)
{
	if (c >= STORE_CURSORS)
		return 0;
	return s3_man_next(&((struct store_s3 *)ctx)->cur[c], e);
}

void
s3_cursor_close(const store_class **ctx, unsigned c)
{
	if (c < STORE_CURSORS)
		s3_man_close(&((struct store_s3 *)ctx)->cur[c]);
}

/* ---- clients ---- */

int
s3_next_client(const store_class **ctx, const char *after, char *name)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	char start[S3_KEY_MAX], found[CLIENT_MAX + 1];
	struct first_key f = { found, sizeof found, 0, 1 };
	int st;

	s3_here(s);
	if (s3k(start, "_clients/%s", after) < 0)
		return 0;
	st = s3_list(&s->s3, "_clients/", after[0] ? start : NULL,
	    first_each, &f);
	if (st != 200 && st != -2)
		return -1;
	if (f.found)
		memcpy(name, found, strlen(found) + 1);
	return f.found;
}

#endif /* CAIRN_S3 */
