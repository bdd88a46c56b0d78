/*
 * store_s3_rm.c — removal on the object store (see store_s3.h): manifests
 * go first (a snapshot is gone the moment its manifest is), then the
 * content no manifest names is collected by a mark-and-sweep that runs
 * only while no run of the client holds a lease, under a lease of its own
 * (<client>/sweep) that runs check for at begin, so that no run can refer
 * to an object the sweep is deleting.
 */
#include "features.h"

#if CAIRN_S3

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "port.h"
#include "retain.h"
#include "store_s3.h"
#include "util.h"

/* ---- the backup's snapshots, listed into the spool ---- */

struct snaplist {
	int fd;
	uint64_t n;
};

static int
snap_each(void *arg, const char *key, uint64_t size, const char *etag)
{
	struct snaplist *l = arg;
	const char *slash = strrchr(key, '/');
	struct snapinfo si;

	(void)size;
	(void)etag;
	slash = slash == NULL ? key : slash + 1;
	if (!store_is_snap(slash, strlen(slash)))
		return 0;
	memset(&si, 0, sizeof si);
	snprintf(si.name, sizeof si.name, "%s", slash);
	if (port_pwrite_all(l->fd, &si, sizeof si, l->n * sizeof si) < 0)
		return 1;
	l->n++;
	return 0;
}

/* Every snapshot of backup id with its info, oldest first, into the
 * spool file "snaps": ST_OK with l, ST_IO. */
static unsigned
list_snaps(struct store_s3 *s, const char *client, const char *id,
    struct snaplist *l, char *text, size_t cap)
{
	char prefix[S3_KEY_MAX], name[SNAP_MAX];
	struct snapinfo si;
	uint64_t i;
	int st;

	l->n = 0;
	if ((l->fd = s3_spool_file(s, "snaps")) < 0)
		return s3_fail(text, cap, ST_IO, "cannot make the spool file",
		    "snaps");
	s3k(prefix, "%s/%s/snap/", client, id);
	st = s3_list(&s->s3, prefix, NULL, snap_each, l);
	for (i = 0; st == 200 && i < l->n; i++) {
		if (port_pread(l->fd, &si, sizeof si, i * sizeof si) !=
		    (long)sizeof si)
			break;
		memcpy(name, si.name, sizeof name);
		if (s3_info((const store_class **)s, client, id, name, &si) !=
		    ST_OK) {
			memset(&si, 0, sizeof si);	/* unreadable: old */
			si.failed = 1;
		}
		memcpy(si.name, name, sizeof name);
		if (port_pwrite_all(l->fd, &si, sizeof si, i * sizeof si) < 0)
			break;
	}
	if (st == 200 && i == l->n)
		return ST_OK;
	snprintf(text, cap, "object store: cannot list the snapshots of %s: %s",
	    id, s3_error(&s->s3));
	port_close(l->fd);
	return ST_IO;
}

static int
snap_at(const struct snaplist *l, uint64_t i, struct snapinfo *si)
{
	return port_pread(l->fd, si, sizeof *si, i * sizeof *si) ==
	    (long)sizeof *si ? 0 : -1;
}

/* Delete one snapshot's manifest. */
static int
drop_snap(struct store_s3 *s, const char *client, const char *id,
    const char *snap, char *text, size_t cap)
{
	char key[S3_KEY_MAX];

	s3k(key, "%s/%s/snap/%s", client, id, snap);
	return s3_remove_key(s, key, text, cap);
}

/* ---- retention ---- */

/* The snapshots' walk (pass 0 counts, 1 counts those that go, 2 removes
 * them): ST_OK with *n, ST_IO. */
static unsigned
walk(struct store_s3 *s, const char *client, const char *id,
    const struct snaplist *l, struct retain_plan *p, int pass, int dry,
    int extra, int64_t extra_time,
    void (*removed)(void *arg, const struct snapinfo *si), void *arg,
    unsigned *n, char *text, size_t cap)
{
	static struct snapinfo cur, nx;
	uint64_t i, total = l->n + (extra ? 1 : 0);

	*n = 0;
	if (pass > 0)
		retain_rewind(p);
	for (i = 0; i < total; i++) {
		if (i < l->n ? snap_at(l, i, &cur) < 0 : 0)
			return ST_IO;
		if (i == l->n) {
			memset(&cur, 0, sizeof cur);
			cur.time = extra_time;
		}
		if (pass == 0) {
			retain_count(p, cur.time, cur.failed == 0);
			continue;
		}
		memset(&nx, 0, sizeof nx);
		nx.time = extra_time;
		if (i + 1 < l->n && snap_at(l, i + 1, &nx) < 0)
			return ST_IO;
		if (retain_keep(p, cur.time, i + 1 < total, nx.time) ||
		    cur.name[0] == 0)
			continue;
		if (pass == 2 && !dry && drop_snap(s, client, id, cur.name,
		    text, cap) < 0)
			return ST_IO;
		if (pass == 2 && removed != NULL)
			removed(arg, &cur);
		(*n)++;
	}
	return ST_OK;
}

unsigned
s3_apply_retention(struct store_s3 *s, const char *client, const char *id,
    const struct retention *k, int dry, int extra, int64_t extra_time,
    void (*planned)(void *arg, unsigned count),
    void (*removed)(void *arg, const struct snapinfo *si), void *arg,
    char *text, size_t cap)
{
	static struct retain_plan plan;
	struct snaplist l;
	unsigned st, n;

	int r;

	if (!retention_any(k))
		return ST_OK;
	if (!dry && (r = s3_readers(s, client, id)) != 0) {
		snprintf(text, cap, "backup %s: a restore is reading it: no "
		    "snapshot removed", id);
		return r < 0 ? ST_IO : ST_BUSY;
	}
	if ((st = list_snaps(s, client, id, &l, text, cap)) != ST_OK)
		return st;
	retain_init(&plan, k, 1);
	walk(s, client, id, &l, &plan, 0, dry, extra, extra_time, NULL, NULL,
	    &n, text, cap);
	if (planned != NULL) {
		walk(s, client, id, &l, &plan, 1, dry, extra, extra_time, NULL,
		    NULL, &n, text, cap);
		planned(arg, n);
	}
	st = walk(s, client, id, &l, &plan, 2, dry, extra, extra_time, removed,
	    arg, &n, text, cap);
	port_close(l.fd);
	if (st == ST_OK && n > 0 && !dry)
		s3_sweep(s, client, id);
	return st;
}

/* ---- removal and pruning, under the backup's lease ---- */

/* What a removal holds: the lease. */
struct hold {
	char etag[S3_ETAG_MAX];
	int64_t expiry;
};

static unsigned
hold(struct store_s3 *s, const char *client, const char *id, struct hold *h,
    int dry, char *text, size_t cap)
{
	unsigned st;
	int took, r;

	if ((r = s3_readers(s, client, id)) != 0) {
		snprintf(text, cap, "backup %s is busy: a restore is reading "
		    "it", id);
		return r < 0 ? ST_IO : ST_BUSY;
	}
	if (!dry) {
		st = s3_lock(s, client, id, h->etag, &h->expiry, &took, text,
		    cap);
		return st;
	}
	r = s3_lock_held(s, client, id);
	if (r == 1) {
		snprintf(text, cap, "backup %s is busy: a run of it is in "
		    "progress", id);
		return ST_BUSY;
	}
	return r < 0 ? ST_IO : ST_OK;
}

/* The whole backup: every manifest, then its catalog record. */
static unsigned
remove_all(struct store_s3 *s, const char *client, const char *id, int dry,
    uint64_t *files, uint64_t *bytes, char *text, size_t cap)
{
	struct snaplist l;
	struct snapinfo si;
	char key[S3_KEY_MAX];
	unsigned st;
	uint64_t i;

	if ((st = list_snaps(s, client, id, &l, text, cap)) != ST_OK)
		return st;
	for (i = 0; i < l.n && st == ST_OK; i++) {
		if (snap_at(&l, i, &si) < 0)
			st = ST_IO;
		*files += si.files;
		*bytes += si.bytes;
		if (!dry && st == ST_OK && drop_snap(s, client, id, si.name,
		    text, cap) < 0)
			st = ST_IO;
	}
	port_close(l.fd);
	if (st != ST_OK || dry)
		return st;
	s3k(key, "%s/%s/resume", client, id);
	if (s3_remove_key(s, key, text, cap) < 0 ||
	    s3_catalog_set(s, client, id, "", NULL, text, cap) < 0)
		return ST_IO;
	return ST_OK;
}

/* One snapshot; the catalog names the one before when it was newest. */
static unsigned
remove_one(struct store_s3 *s, const char *client, const char *id,
    const char *snap, int dry, uint64_t *files, uint64_t *bytes, char *text,
    size_t cap)
{
	char newest[SNAP_MAX], source[PATH_CAP], before[SNAP_MAX] = "";
	char cur[SNAP_MAX] = "";
	struct snapinfo si;
	const store_class **ctx = (const store_class **)s;
	unsigned st = s3_info(ctx, client, id, snap, &si);

	if (st != ST_OK) {
		snprintf(text, cap, "no snapshot %.40s in backup %s", snap, id);
		return st;
	}
	*files = si.files;
	*bytes = si.bytes;
	if (dry)
		return ST_OK;
	if (drop_snap(s, client, id, snap, text, cap) < 0)
		return ST_IO;
	if (s3_catalog_get(s, client, id, newest, source, sizeof source, text,
	    cap) != 1 || strcmp(newest, snap) != 0)
		return ST_OK;
	while (s3_next_snapshot(ctx, client, id, cur, cur) == 1)
		memcpy(before, cur, sizeof before);
	if (s3_catalog_set(s, client, id, source, before[0] ? before : NULL,
	    text, cap) < 0)
		return ST_IO;
	return ST_OK;
}

/* Hold backup id for a removal and check that the catalog has it: ST_OK
 * with h held (the caller releases it unless dry), or the status with
 * nothing held. */
static unsigned
hold_backup(struct store_s3 *s, const char *client, const char *id,
    struct hold *h, int dry, char *text, size_t cap)
{
	char newest[SNAP_MAX];
	unsigned st;
	int r;

	if (!store_is_id(id, strlen(id))) {
		snprintf(text, cap, "no backup %.40s", id);
		return ST_NOT_FOUND;
	}
	if ((st = hold(s, client, id, h, dry, text, cap)) != ST_OK)
		return st;
	r = s3_catalog_get(s, client, id, newest, NULL, 0, text, cap);
	if (r > 0)
		return ST_OK;
	if (r == 0)
		snprintf(text, cap, "no backup %.40s", id);
	if (!dry)
		s3_unlock(s, client, id, h->etag);
	return r < 0 ? ST_IO : ST_NOT_FOUND;
}

unsigned
s3_remove(const store_class **ctx, const char *client, const char *id,
    const char *snap, int dry, uint64_t *files, uint64_t *bytes, char *text,
    size_t cap)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	struct hold h;
	unsigned st;

	*files = *bytes = 0;
	if (snap[0] && !store_is_snap(snap, strlen(snap))) {
		snprintf(text, cap, "no backup %.40s", id);
		return ST_NOT_FOUND;
	}
	if ((st = hold_backup(s, client, id, &h, dry, text, cap)) != ST_OK)
		return st;
	if (snap[0] == 0)
		st = remove_all(s, client, id, dry, files, bytes, text, cap);
	else
		st = remove_one(s, client, id, snap, dry, files, bytes, text,
		    cap);
	if (!dry)
		s3_unlock(s, client, id, h.etag);
	if (st == ST_OK && !dry)
		s3_sweep(s, client, NULL);
	return st;
}

unsigned
s3_prune(const store_class **ctx, const char *client, const char *id,
    const struct retention *k, int dry,
    void (*planned)(void *arg, unsigned count),
    void (*removed)(void *arg, const struct snapinfo *si), void *arg,
    char *text, size_t cap)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	struct hold h;
	unsigned st;

	if ((st = hold_backup(s, client, id, &h, dry, text, cap)) != ST_OK)
		return st;
	if (!retention_any(k) && planned != NULL)
		planned(arg, 0);
	st = s3_apply_retention(s, client, id, k, dry, 0, 0, planned, removed,
	    arg, text, cap);
	if (!dry)
		s3_unlock(s, client, id, h.etag);
	return st;
}

/* ---- usage and checks ---- */

/* With --quota the count the runs charge, else what the bucket keeps. */
int
s3_usage(const store_class **ctx, const char *client, uint64_t *bytes)
{
	struct store_s3 *s = (struct store_s3 *)ctx;

	*bytes = 0;
	s3_here(s);
	return s3_quota_used(s, client, bytes);
}

void
s3_verify(const store_class **ctx, const char *client, const char *id,
    const char *snap, void (*say)(void *arg, const char *path,
    const char *what, int problem), void *arg)
{
	static struct s3_man m;	/* zero: closed (bss, not data) */
	static struct entry e;
	struct store_s3 *s = (struct store_s3 *)ctx;
	struct snapinfo si;
	struct s3_answer a;
	char key[S3_KEY_MAX], text[256];
	int r;

	if (snap == NULL)
		return;		/* the catalog is the only record beside */
	if (s3_man_open(s, &m, "verify", client, id, snap, &si, text,
	    sizeof text) != ST_OK) {
		say(arg, NULL, text, 1);
		return;
	}
	while ((r = s3_man_next(&m, &e)) == 1) {
		if (e.type != E_FILE)
			continue;
		s3_data_key(key, client, e.md5, e.size);
		if (s3_head(&s->s3, key, &a) != 200 || a.length != e.size)
			say(arg, e.path, "its content object is missing", 1);
	}
	if (r < 0)
		say(arg, NULL, "the manifest is damaged", 1);
	s3_man_close(&m);
}

#endif /* CAIRN_S3 */
