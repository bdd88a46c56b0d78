/*
 * store_s3_meta.c — the object-store backend's small shared objects: the
 * client's catalog (<client>/catalog, changed by compare-and-swap on its
 * ETag so that servers sharing the bucket never lose each other's update)
 * and a backup's lease (<client>/<id>/lock: created with If-None-Match: *,
 * renewed and taken over with If-Match). See store_s3.h.
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

#define CAS_TRIES 8

static struct lines cat_l;
static struct json cat_j;
static struct linew cat_w;

/* The records of the catalog downloaded into fd. */
static int
catalog_walk(int fd, int (*each)(void *arg, const char *id,
    const char *source, const char *newest), void *arg)
{
	char id[ID_LEN + 2], src[PATH_CAP], newest[SNAP_MAX];
	const char *p;
	size_t n;
	int r;

	port_rewind(fd);
	lines_open(&cat_l, fd);
	if (lines_next(&cat_l, &p, &n) != 1)	/* the header */
		return -1;
	while ((r = lines_next(&cat_l, &p, &n)) == 1) {
		if (json_parse(&cat_j, p, n) < 0 ||
		    json_str(&cat_j, "id", id, sizeof id, &n) < 0 ||
		    !store_is_id(id, n) ||
		    json_str(&cat_j, "source", src, sizeof src, &n) < 0 ||
		    json_str(&cat_j, "newest", newest, sizeof newest, &n) < 0)
			return -1;
		if (each(arg, id, src, newest) != 0)
			return 0;
	}
	return r;
}

int
s3_catalog_read(struct store_s3 *s, const char *client,
    int (*each)(void *arg, const char *id, const char *source,
    const char *newest), void *arg, char *text, size_t cap)
{
	char key[S3_KEY_MAX];
	int fd, r;

	if (s3k(key, "%s/catalog", client) < 0 ||
	    (fd = s3_spool_file(s, "catalog")) < 0) {
		snprintf(text, cap, "cannot read the catalog of %s", client);
		return -1;
	}
	r = s3_download(s, key, fd, NULL, NULL, text, cap);
	if (r == 0 && catalog_walk(fd, each, arg) < 0) {
		snprintf(text, cap, "the catalog of %s is damaged", client);
		r = -1;
	}
	port_close(fd);
	return r < 0 ? -1 : 0;
}

/* The change being made, and the new catalog's writer state. */
struct cat_edit {
	const char *id, *source, *newest;
	int done, err;
};

/* One record of the catalog written. */
static int
object(struct buf *b, const char *id, const char *source, const char *newest)
{
	buf_putc(b, '{');
	json_put_key(b, "id", 1);
	json_put_str(b, id, strlen(id));
	json_put_key(b, "source", 0);
	json_put_str(b, source, strlen(source));
	json_put_key(b, "newest", 0);
	json_put_str(b, newest, strlen(newest));
	buf_putc(b, '}');
	return b->err ? -1 : linew_put(&cat_w, b->p, b->len);
}

static int
rec_out(const char *id, const char *source, const char *newest)
{
	static uint8_t line[PATH_CAP * 6 + 256];
	struct buf b;

	buf_init(&b, line, sizeof line);
	return object(&b, id, source, newest);
}

/* Copy the old catalog's records in id order, the edited one put in or
 * left out where it sorts. */
static int
edit_each(void *arg, const char *id, const char *source, const char *newest)
{
	struct cat_edit *c = arg;
	int d = strcmp(id, c->id);

	if (d > 0 && !c->done) {
		c->done = 1;
		if (c->newest != NULL && rec_out(c->id, c->source,
		    c->newest) < 0)
			c->err = 1;
	}
	if (d != 0 && rec_out(id, source, newest) < 0)
		c->err = 1;
	if (d == 0)
		c->done = c->newest == NULL ? 1 : 0;
	return c->err;
}

/* The new catalog into fd from the old one in ofd (-1: none). */
static int
catalog_edit(int ofd, int fd, struct cat_edit *c)
{
	c->done = c->err = 0;
	linew_open(&cat_w, fd);
	if (linew_put(&cat_w, "{\"cairn_catalog\":1}", 19) < 0)
		return -1;
	if (ofd >= 0 && catalog_walk(ofd, edit_each, c) < 0)
		return -1;
	if (!c->done && c->newest != NULL && rec_out(c->id, c->source,
	    c->newest) < 0)
		return -1;
	return c->err || linew_close(&cat_w) < 0 ? -1 : 0;
}

/* One try: read, edit, put on the condition of what was read. 0, 1 when
 * another server changed it meanwhile, -1. */
static int
catalog_try(struct store_s3 *s, const char *client, struct cat_edit *c,
    int ofd, int nfd, char *text, size_t cap)
{
	struct port_stat st;
	char key[S3_KEY_MAX], etag[S3_ETAG_MAX] = "";
	int r;

	s3k(key, "%s/catalog", client);
	r = s3_download(s, key, ofd, etag, NULL, text, cap);
	if (r < 0)
		return -1;
	if (port_ftruncate(nfd, 0) < 0 || port_rewind(nfd) < 0 ||
	    catalog_edit(r == 1 ? -1 : ofd, nfd, c) < 0 ||
	    port_fstat(nfd, &st) < 0) {
		snprintf(text, cap, "cannot write the catalog of %s", client);
		return -1;
	}
	r = s3_upload(s, key, nfd, st.size, r == 1 ? S3_IF_NONE_MATCH : 0,
	    r == 1 ? NULL : etag, NULL, text, cap);
	return r;
}

int
s3_catalog_set(struct store_s3 *s, const char *client, const char *id,
    const char *source, const char *newest, char *text, size_t cap)
{
	struct cat_edit c = { id, source, newest, 0, 0 };
	char key[S3_KEY_MAX];
	int ofd, nfd, r = -1, i;

	ofd = s3_spool_file(s, "cat.old");
	nfd = s3_spool_file(s, "cat.new");
	if (ofd < 0 || nfd < 0) {
		snprintf(text, cap, "cannot make a spool file: %s",
		    strerror(errno));
		goto out;
	}
	for (i = 0; i < CAS_TRIES; i++)
		if ((r = catalog_try(s, client, &c, ofd, nfd, text, cap)) != 1)
			break;
	if (r == 1)
		snprintf(text, cap, "the catalog of %s kept changing under "
		    "this server", client);
	if (r == 0 && newest != NULL && port_ftruncate(nfd, 0) == 0 &&
	    s3k(key, "_clients/%s", client) == 0)
		r = s3_upload(s, key, nfd, 0, 0, NULL, NULL, text, cap);
out:
	if (ofd >= 0)
		port_close(ofd);
	if (nfd >= 0)
		port_close(nfd);
	return r == 0 ? 0 : -1;
}

/* What s3_catalog_get looks for and what it found. */
struct cat_find {
	const char *id;
	char *newest, *source;
	size_t scap;
	int found;
};

static int
find_each(void *arg, const char *id, const char *source, const char *newest)
{
	struct cat_find *f = arg;

	if (strcmp(id, f->id) != 0)
		return 0;
	f->found = 1;
	snprintf(f->newest, SNAP_MAX, "%s", newest);
	if (f->source != NULL)
		snprintf(f->source, f->scap, "%s", source);
	return 1;
}

int
s3_catalog_get(struct store_s3 *s, const char *client, const char *id,
    char *newest, char *source, size_t scap, char *text, size_t cap)
{
	struct cat_find f = { id, newest, source, scap, 0 };

	newest[0] = 0;
	if (s3_catalog_read(s, client, find_each, &f, text, cap) < 0)
		return -1;
	return f.found;
}

/* ---- the lease ---- */

/* The lease body into the spool file "lock": owner and expiry. fd or -1. */
static int
lease_body(struct store_s3 *s, int64_t expiry, uint64_t *len)
{
	char body[96];
	int fd, n;

	s3_here(s);	/* a forked session's owner, before it is written */
	n = snprintf(body, sizeof body, "%s %lld\n", s->owner,
	    (long long)expiry);
	fd = s3_spool_file(s, "lock");
	if (fd >= 0 && port_write_all(fd, body, (size_t)n) < 0) {
		port_close(fd);
		return -1;
	}
	*len = (uint64_t)n;
	return fd;
}

/* The lease as the store has it: its expiry and ETag, and whether it is
 * this process's (*mine). 1 there, 0 not, -1. An unreadable body is an
 * expired lease of someone else's. */
static int
lease_read(struct store_s3 *s, const char *key, int64_t *expiry, char *etag,
    int *mine)
{
	char body[96], owner[S3_OWNER], text[128];
	long n;
	int fd, r;

	*mine = 0;
	if ((fd = s3_spool_file(s, "lock.old")) < 0)
		return -1;
	r = s3_download(s, key, fd, etag, NULL, text, sizeof text);
	n = r == 0 ? port_pread(fd, body, sizeof body, 0) : 0;
	port_close(fd);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (n <= 0 || s3_parse_lease(body, (size_t)n, owner, expiry) < 0) {
		*expiry = 0;
		return 1;
	}
	*mine = strcmp(owner, s->owner) == 0;
	return 1;
}

unsigned
s3_lock(struct store_s3 *s, const char *client, const char *id,
    char *etag, int64_t *expiry, int *took, char *text, size_t cap)
{
	char key[S3_KEY_MAX], old[S3_ETAG_MAX];
	int64_t theirs;
	uint64_t len;
	int fd, r, mine = 0;

	*took = 0;
	text[0] = 0;
	*expiry = port_time() + (int64_t)s->lease;
	s3k(key, "%s/%s/lock", client, id);
	if ((fd = lease_body(s, *expiry, &len)) < 0) {
		snprintf(text, cap, "cannot make a spool file: %s",
		    strerror(errno));
		return ST_IO;
	}
	r = s3_upload(s, key, fd, len, S3_IF_NONE_MATCH, NULL, etag, text,
	    cap);
	if (r == 1 && (r = lease_read(s, key, &theirs, old, &mine)) == 1) {
		r = 1;
		if (mine) {	/* a retried PUT: our first one was done */
			memcpy(etag, old, S3_ETAG_MAX);
			r = 0;
		} else if (theirs < port_time()) {	/* its run died */
			r = s3_upload(s, key, fd, len, 0, old, etag, text, cap);
			*took = r == 0;
		}
	} else if (r == 0 && etag[0] == 0) {
		r = -1;
		snprintf(text, cap, "the object store gave no ETag for the "
		    "lock of %s", id);
	}
	port_close(fd);
	if (r == 1) {
		snprintf(text, cap, "backup %s is busy: another run of it is "
		    "in progress", id);
		return ST_BUSY;
	}
	if (r < 0 && mine == 0 && text[0] == 0)
		snprintf(text, cap, "object store: cannot read the lock of "
		    "%s: %s", id, s3_error(&s->s3));
	return r == 0 ? ST_OK : ST_IO;
}

int
s3_lock_renew(struct store_s3 *s, const char *client, const char *id,
    char *etag, int64_t *expiry, char *text, size_t cap)
{
	char key[S3_KEY_MAX], old[S3_ETAG_MAX];
	int64_t now = port_time();
	uint64_t len;
	int fd, r;

	if (now < *expiry - (int64_t)s->lease / 2)
		return 0;
	s3k(key, "%s/%s/lock", client, id);
	if ((fd = lease_body(s, now + (int64_t)s->lease, &len)) < 0)
		return -1;
	memcpy(old, etag, S3_ETAG_MAX);
	r = s3_upload(s, key, fd, len, 0, old, etag, text, cap);
	port_close(fd);
	if (r == 1)
		snprintf(text, cap, "the lock of backup %s was taken over: "
		    "this run was too slow to renew it", id);
	if (r != 0)
		return -1;
	*expiry = now + (int64_t)s->lease;
	return 0;
}

/* The lease goes only while it is still this run's: the store has no
 * conditional delete, so it is read first, and a lease that another
 * process took over (another ETag or owner) is left to that process. */
void
s3_unlock(struct store_s3 *s, const char *client, const char *id,
    char *etag)
{
	char key[S3_KEY_MAX], now[S3_ETAG_MAX], text[128];
	int64_t expiry;
	int mine;

	if (s3k(key, "%s/%s/lock", client, id) < 0)
		return;
	if (lease_read(s, key, &expiry, now, &mine) != 1)
		return;
	if (!mine || (etag[0] != 0 && strcmp(now, etag) != 0)) {
		msg("lock of %s/%s: taken over by another process; "
		    "left to it", client, id);
		return;
	}
	s3_remove_key(s, key, text, sizeof text);
}

int
s3_lock_held(struct store_s3 *s, const char *client, const char *id)
{
	char key[S3_KEY_MAX], etag[S3_ETAG_MAX];
	int64_t expiry;
	int r, mine;

	s3k(key, "%s/%s/lock", client, id);
	r = lease_read(s, key, &expiry, etag, &mine);
	if (r <= 0)
		return r;
	return expiry >= port_time() ? 1 : 0;
}

/* ---- read leases: <client>/<id>/read/<expiry>-<owner>, empty ---- */

int
s3_read_hold(struct store_s3 *s, const char *client, const char *id,
    char *key, int64_t *expiry)
{
	char text[256];
	int fd, r;

	s3_here(s);
	*expiry = port_time() + (int64_t)s->lease;
	if (s3k(key, "%s/%s/read/%lld-%s", client, id, (long long)*expiry,
	    s->owner) < 0 || (fd = s3_spool_file(s, "read.lease")) < 0)
		return -1;
	r = s3_upload(s, key, fd, 0, 0, NULL, NULL, text, sizeof text);
	port_close(fd);
	return r == 0 ? 0 : -1;
}

int
s3_read_renew(struct store_s3 *s, const char *client, const char *id,
    char *key, int64_t *expiry)
{
	char old[S3_KEY_MAX], text[256];

	if (port_time() < *expiry - (int64_t)s->lease / 2)
		return 0;
	memcpy(old, key, S3_KEY_MAX);
	if (s3_read_hold(s, client, id, key, expiry) < 0) {
		memcpy(key, old, S3_KEY_MAX);
		return -1;
	}
	s3_remove_key(s, old, text, sizeof text);
	return 0;
}

void
s3_read_release(struct store_s3 *s, char *key)
{
	char text[256];

	if (key[0] != 0)
		s3_remove_key(s, key, text, sizeof text);
	key[0] = 0;
}

static int
reader_each(void *arg, const char *key, uint64_t size, const char *etag)
{
	const char *slash = strrchr(key, '/');
	int64_t t;

	(void)size;
	(void)etag;
	slash = slash == NULL ? key : slash + 1;
	if (s3_parse_reader(slash, strlen(slash), &t) == 0 && t >= port_time())
		(*(int *)arg)++;
	return 0;
}

int
s3_readers(struct store_s3 *s, const char *client, const char *id)
{
	char prefix[S3_KEY_MAX];
	int live = 0;

	s3k(prefix, "%s/%s/read/", client, id);
	if (s3_list(&s->s3, prefix, NULL, reader_each, &live) != 200)
		return -1;
	return live > 0;
}

#endif /* CAIRN_S3 */
