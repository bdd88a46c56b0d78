/*
 * store_s3_sweep.c — collecting a client's content objects that no
 * manifest and no resume list names (see store_s3_rm.c for when it runs).
 *
 * The sweep takes the client's sweep lease, then looks for live run
 * leases; a run takes its lease, then looks for a live sweep lease. Both
 * are conditional writes on a store that is strongly consistent, so one
 * of the two sees the other and gives way: a sweep never deletes what a
 * run in progress might refer to. The candidates are listed before the
 * manifests are read, so an object put after the listing is never one.
 */
#include "features.h"

#if CAIRN_S3

#include <stdio.h>
#include <string.h>

#include "port.h"
#include "store_s3.h"
#include "util.h"

/* The sweep's lease, renewed as it goes: lost, it stops deleting. */
static char sw_etag[S3_ETAG_MAX];
static int64_t sw_expiry;

static int
sweep_renew(struct store_s3 *s, const char *client)
{
	char text[256];

	return s3_lock_renew(s, client, "sweep", sw_etag, &sw_expiry, text,
	    sizeof text);
}

/* The client's backup ids, collected into the spool file "ids". */
struct ids {
	int fd;
	uint64_t n;
};

static int
id_each(void *arg, const char *id, const char *source, const char *newest)
{
	struct ids *l = arg;

	(void)source;
	(void)newest;
	if (port_pwrite_all(l->fd, id, ID_LEN, l->n * ID_LEN) < 0)
		return 1;
	l->n++;
	return 0;
}

static int
id_at(const struct ids *l, uint64_t i, char *id)
{
	if (port_pread(l->fd, id, ID_LEN, i * ID_LEN) != ID_LEN)
		return -1;
	id[ID_LEN] = 0;
	return 0;
}

/* Mark what the manifest of snap names. */
static int
mark_manifest(struct store_s3 *s, struct mdindex *mark, const char *client,
    const char *id, const char *snap)
{
	static struct s3_man m;	/* zero: closed (bss, not data) */
	static struct entry e;
	struct snapinfo si;
	char text[256];
	int r;

	if (s3_man_open(s, &m, "mark", client, id, snap, &si, text,
	    sizeof text) != ST_OK)
		return -1;
	while ((r = s3_man_next(&m, &e)) == 1)
		if (e.type == E_FILE && mdindex_add(mark, e.md5, 1) < 0)
			r = -1;
	s3_man_close(&m);
	return r == 0 ? 0 : -1;
}

/* Mark the names of a resume list ("<md5hex>-<size>" lines). */
static int
mark_resume(struct store_s3 *s, struct mdindex *mark, const char *client,
    const char *id)
{
	char key[S3_KEY_MAX], text[256];
	uint8_t md[MD5_LEN];
	uint64_t off = 0, size;
	long n, i, start;
	int fd, r;

	if ((fd = s3_spool_file(s, "mark.resume")) < 0)
		return -1;
	s3k(key, "%s/%s/resume", client, id);
	r = s3_download(s, key, fd, NULL, NULL, text, sizeof text);
	/* lines are short and fixed in form: read a buffer at a time, from
	 * the start of the last whole line */
	while (r == 0 && (n = port_pread(fd, s->io, sizeof s->io, off)) > 0) {
		for (i = start = 0; i < n; i++) {
			if (s->io[i] != '\n')
				continue;
			if (s3_parse_content((char *)s->io + start,
			    (size_t)(i - start), md, &size) == 0 &&
			    mdindex_add(mark, md, 1) < 0)
				r = -1;
			start = i + 1;
		}
		if (start == 0)
			break;
		off += (uint64_t)start;
	}
	port_close(fd);
	return r < 0 ? -1 : 0;
}

/* Mark everything backup id's manifests and resume list name. */
static int
mark_backup(struct store_s3 *s, struct mdindex *mark, const char *client,
    const char *id)
{
	const store_class **ctx = (const store_class **)s;
	char snap[SNAP_MAX] = "";
	int r;

	while ((r = s3_next_snapshot(ctx, client, id, snap, snap)) == 1)
		if (mark_manifest(s, mark, client, id, snap) < 0 ||
		    sweep_renew(s, client) < 0)
			return -1;
	return r < 0 ? -1 : mark_resume(s, mark, client, id);
}

/* Candidates: every content object's name, one per 64 bytes. */
struct cands {
	int fd;
	uint64_t n;
};

static int
cand_each(void *arg, const char *key, uint64_t size, const char *etag)
{
	struct cands *c = arg;
	const char *slash = strrchr(key, '/');
	char rec[64];

	(void)size;
	(void)etag;
	if (slash == NULL || strlen(slash + 1) >= sizeof rec)
		return 0;
	memset(rec, 0, sizeof rec);
	memcpy(rec, slash + 1, strlen(slash + 1));
	if (port_pwrite_all(c->fd, rec, sizeof rec, c->n * sizeof rec) < 0)
		return 1;
	c->n++;
	return 0;
}

/* Delete the candidates not marked. The count deleted, or -1. */
static long
collect(struct store_s3 *s, struct mdindex *mark, const char *client,
    const struct cands *c)
{
	char rec[64], key[S3_KEY_MAX], text[256];
	uint8_t md[MD5_LEN];
	uint64_t i, v;
	long gone = 0;

	for (i = 0; i < c->n; i++) {
		if (port_pread(c->fd, rec, sizeof rec, i * sizeof rec) !=
		    (long)sizeof rec)
			return -1;
		rec[sizeof rec - 1] = 0;
		if (s3_parse_content(rec, strlen(rec), md, &v) < 0 ||
		    mdindex_find(mark, md, &v) != 0)
			continue;	/* not ours, or named, or unknown */
		if (sweep_renew(s, client) < 0)
			return -1;
		if (s3k(key, "%s/data/%s", client, rec) < 0 ||
		    s3_remove_key(s, key, text, sizeof text) < 0)
			return -1;
		gone++;
	}
	return gone;
}

/* 1 if a run other than skip's holds a lease on one of the backups. */
static int
runs_live(struct store_s3 *s, const char *client, const struct ids *l,
    const char *skip)
{
	char id[ID_LEN + 1];
	uint64_t i;
	int r;

	for (i = 0; i < l->n; i++) {
		if (id_at(l, i, id) < 0)
			return 1;
		if (skip != NULL && strcmp(id, skip) == 0)
			continue;
		if ((r = s3_lock_held(s, client, id)) != 0)
			return 1;	/* held, or cannot tell */
	}
	return 0;
}

int
s3_runs_idle(struct store_s3 *s, const char *client, const char *skip)
{
	struct ids l = { -1, 0 };
	char text[256];
	int r;

	if ((l.fd = s3_spool_file(s, "ids")) < 0)
		return -1;
	r = s3_catalog_read(s, client, id_each, &l, text, sizeof text) < 0 ?
	    -1 : !runs_live(s, client, &l, skip);
	port_close(l.fd);
	return r;
}

/* The sweep proper, its lease held. */
static int
sweep_held(struct store_s3 *s, const char *client, const char *skip,
    struct ids *l, struct cands *c, struct mdindex *mark)
{
	char prefix[S3_KEY_MAX], id[ID_LEN + 1], text[256];
	uint64_t i;
	long gone;

	if (s3_catalog_read(s, client, id_each, l, text, sizeof text) < 0 ||
	    runs_live(s, client, l, skip))
		return 0;
	s3k(prefix, "%s/data/", client);
	if (s3_list(&s->s3, prefix, NULL, cand_each, c) != 200)
		return -1;
	for (i = 0; i < l->n; i++)
		if (id_at(l, i, id) < 0 || mark_backup(s, mark, client, id) < 0)
			return -1;	/* a manifest unread: delete nothing */
	gone = collect(s, mark, client, c);
	if (gone > 0)
		info("%s: %ld unreferenced content objects collected", client,
		    gone);
	/* no run holds a lease (and none begins while this one is held):
	 * the quota's count is set to what the bucket keeps, so what a
	 * killed run had reserved, and what went with the removals, is
	 * given back (store_s3_quota.c) */
	if (gone >= 0)
		s3_quota_recount(s, client, NULL);
	return gone < 0 ? -1 : 0;
}

int
s3_sweep(struct store_s3 *s, const char *client, const char *skip)
{
	struct ids l = { -1, 0 };
	struct cands c = { -1, 0 };
	struct mdindex mark;
	char text[256];
	int took, fd = -1, r = -1;

	if (s3_lock(s, client, "sweep", sw_etag, &sw_expiry, &took, text,
	    sizeof text) != ST_OK)
		return 0;	/* another server sweeps: enough */
	l.fd = s3_spool_file(s, "ids");
	c.fd = s3_spool_file(s, "cands");
	fd = s3_spool_file(s, "marks");
	if (l.fd >= 0 && c.fd >= 0 && fd >= 0 &&
	    mdindex_create(&mark, fd, 1 << 20) == 0)
		r = sweep_held(s, client, skip, &l, &c, &mark);
	s3_unlock(s, client, "sweep", sw_etag);
	if (l.fd >= 0)
		port_close(l.fd);
	if (c.fd >= 0)
		port_close(c.fd);
	if (fd >= 0)
		port_close(fd);
	if (r < 0)
		msg("%s: the sweep of unreferenced content stopped: %s",
		    client, s3_error(&s->s3));
	return r;
}

#endif /* CAIRN_S3 */
