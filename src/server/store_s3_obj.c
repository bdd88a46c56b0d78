/*
 * store_s3_obj.c — what the object-store backend's parts share: keys,
 * spool files, uploads and downloads through s3.h, the catalog object and
 * the backup's lease (see store_s3.h).
 */
#include "features.h"

#if CAIRN_S3

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "port.h"
#include "store_s3.h"

int
s3k(char *k, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(k, S3_KEY_MAX, fmt, ap);
	va_end(ap);
	return n < 0 || n >= S3_KEY_MAX ? -1 : 0;
}

void
s3_data_key(char *k, const char *client, const uint8_t md5[MD5_LEN],
    uint64_t size)
{
	char hex[MD5_HEXLEN + 1];

	md5_hex(md5, hex);
	s3k(k, "%s/data/%s-%llu", client, hex, (unsigned long long)size);
}

/* A lease owner token of this process: random hex. 0 or -1. */
static int
new_owner(struct store_s3 *s)
{
	uint8_t rnd[16];
	unsigned i;

	if (port_random(rnd, sizeof rnd) < 0)
		return -1;
	for (i = 0; i < sizeof rnd; i++)
		snprintf(s->owner + 2 * i, 3, "%02x", rnd[i]);
	return 0;
}

void
s3_here(struct store_s3 *s)
{
	if (s->pid == port_getpid())
		return;
	s3_close(&s->s3);
	if (s->pid != 0)
		new_owner(s);	/* a forked session: a lease owner of its own */
	s->pid = port_getpid();
}

/* Spool files are the process's own (sessions are forked), named by its
 * pid, and unlinked as soon as they are open: nothing is left behind. */
int
s3_spool_file(struct store_s3 *s, const char *name)
{
	char n[96];
	int fd;

	s3_here(s);
	snprintf(n, sizeof n, ".cairnd-%ld-%s", port_getpid(), name);
	port_unlinkat(s->spool, n, 0);
	fd = port_openat_rw(s->spool, n, 0600);
	if (fd >= 0)
		port_unlinkat(s->spool, n, 0);
	if (fd >= 0 && port_ftruncate(fd, 0) < 0) {
		port_close(fd);
		return -1;
	}
	return fd;
}

/* ---- request bodies read from a spool file ---- */

struct fbody {
	int fd;
	uint64_t start, len, pos;
};

static long
fbody_read(void *arg, void *p, size_t cap)
{
	struct fbody *f = arg;
	uint64_t left = f->len - f->pos;
	long n;

	if (left == 0)
		return 0;
	if (cap > left)
		cap = (size_t)left;
	n = port_pread(f->fd, p, cap, f->start + f->pos);
	if (n <= 0)
		return -1;	/* the spool file shrank: never sent short */
	f->pos += (uint64_t)n;
	return n;
}

static int
fbody_rewind(void *arg)
{
	((struct fbody *)arg)->pos = 0;
	return 0;
}

static void
fbody_init(struct s3_body *b, struct fbody *f, int fd, uint64_t start,
    uint64_t len)
{
	f->fd = fd;
	f->start = start;
	f->len = len;
	f->pos = 0;
	b->len = len;
	b->read = fbody_read;
	b->rewind = fbody_rewind;
	b->arg = f;
}

static int
req_fail(struct store_s3 *s, int st, const char *what, const char *key,
    char *text, size_t cap)
{
	if (st < 0)
		snprintf(text, cap, "object store: %s %s: %s", what, key,
		    s3_error(&s->s3));
	else
		snprintf(text, cap, "object store: %s %s: HTTP %d", what, key,
		    st);
	return -1;
}

/* ---- multipart: the parts' ETags kept in a spool file ---- */

struct etags {
	int fd;
	char one[S3_ETAG_MAX];
};

static const char *
etag_of(void *arg, unsigned part)
{
	struct etags *t = arg;

	if (port_pread(t->fd, t->one, S3_ETAG_MAX,
	    (uint64_t)(part - 1) * S3_ETAG_MAX) != S3_ETAG_MAX)
		t->one[0] = 0;
	t->one[S3_ETAG_MAX - 1] = 0;
	return t->one;
}

/* The parts of a multipart upload of fd, then its completion. */
static int
upload_parts(struct store_s3 *s, const char *key, const char *id, int fd,
    uint64_t len, struct etags *t, char *text, size_t cap)
{
	struct s3_answer a;
	struct s3_body b;
	struct fbody f;
	char etag[S3_ETAG_MAX];
	unsigned part = 1;
	uint64_t off;
	int st;

	for (off = 0; off < len; off += S3_PART, part++) {
		fbody_init(&b, &f, fd, off, len - off < S3_PART ? len - off :
		    S3_PART);
		memset(etag, 0, sizeof etag);
		st = s3_mpu_part(&s->s3, key, id, part, &b, etag, &a);
		if (st != 200)
			return req_fail(s, st, "upload part of", key, text,
			    cap);
		if (port_pwrite_all(t->fd, etag, sizeof etag,
		    (uint64_t)(part - 1) * S3_ETAG_MAX) < 0) {
			snprintf(text, cap, "cannot write the spool: %s",
			    strerror(errno));
			return -1;
		}
		if (s->run.tick != NULL)
			s->run.tick(s->run.tick_arg);
		if (s->run.locked && s3_lock_renew(s, s->run.client,
		    s->run.out->id, s->run.lock_etag, &s->run.lock_expiry,
		    text, cap) < 0)
			return -1;
	}
	st = s3_mpu_complete(&s->s3, key, id, part - 1, etag_of, t, &a);
	return st == 200 ? 0 : req_fail(s, st, "complete upload of", key, text,
	    cap);
}

/* A large object in parts of S3_PART, read through the client's buffer. */
static int
upload_multi(struct store_s3 *s, const char *key, int fd, uint64_t len,
    char *text, size_t cap)
{
	struct s3_answer a;
	struct etags t;
	char id[256];
	int st, r;

	if ((t.fd = s3_spool_file(s, "etags")) < 0) {
		snprintf(text, cap, "cannot make a spool file: %s",
		    strerror(errno));
		return -1;
	}
	st = s3_mpu_begin(&s->s3, key, id, sizeof id, &a);
	if (st != 200) {
		port_close(t.fd);
		return req_fail(s, st, "begin upload of", key, text, cap);
	}
	r = upload_parts(s, key, id, fd, len, &t, text, cap);
	if (r < 0)
		s3_mpu_abort(&s->s3, key, id, &a);
	port_close(t.fd);
	return r;
}

int
s3_upload(struct store_s3 *s, const char *key, int fd, uint64_t len,
    unsigned flags, const char *if_match, char *etag, char *text,
    size_t cap)
{
	struct s3_answer a;
	struct s3_body b;
	struct fbody f;
	int st;

	if (len > S3_PART && flags == 0 && if_match == NULL)
		return upload_multi(s, key, fd, len, text, cap);
	fbody_init(&b, &f, fd, 0, len);
	memset(&a, 0, sizeof a);
	st = s3_put(&s->s3, key, &b, flags, if_match, &a);
	if (st == 412)
		return 1;
	if (st != 200)
		return req_fail(s, st, "put", key, text, cap);
	if (etag != NULL)
		memcpy(etag, a.etag, S3_ETAG_MAX);
	return 0;
}

int
s3_upload_new(struct store_s3 *s, const char *key, int fd, uint64_t len,
    char *text, size_t cap)
{
	struct s3_answer a;
	struct s3_body b;
	struct fbody f;
	int st;

	memset(&a, 0, sizeof a);
	if (len > S3_PART) {
		st = s3_head(&s->s3, key, &a);
		if (st != 200 && st != 404)
			return req_fail(s, st, "head", key, text, cap);
		if (upload_multi(s, key, fd, len, text, cap) < 0)
			return -1;
		return st == 200 && a.length == len ? 1 : 0;
	}
	fbody_init(&b, &f, fd, 0, len);
	st = s3_put(&s->s3, key, &b, S3_IF_NONE_MATCH, NULL, &a);
	if (st == 200)
		return 0;
	if (st != 412)
		return req_fail(s, st, "put", key, text, cap);
	/* after a retry, the 412 may answer our own first write: new */
	if (a.tries > 1)
		return 0;
	return s3_upload(s, key, fd, len, 0, NULL, NULL, text, cap) == 0 ?
	    1 : -1;
}

int
s3_download(struct store_s3 *s, const char *key, int fd, char *etag,
    uint8_t md5[MD5_LEN], char *text, size_t cap)
{
	struct s3_answer a;
	struct md5 m;
	uint64_t got = 0;
	long n;
	int st;

	md5_init(&m);
	if (port_ftruncate(fd, 0) < 0)
		return req_fail(s, -1, "spool for", key, text, cap);
	memset(&a, 0, sizeof a);
	st = s3_get_begin(&s->s3, key, 0, &a);
	if (st == 404) {
		s3_get_end(&s->s3);
		return 1;
	}
	if (st != 200) {
		s3_get_end(&s->s3);
		return req_fail(s, st, "get", key, text, cap);
	}
	while ((n = s3_get_read(&s->s3, s->io, sizeof s->io)) > 0) {
		md5_update(&m, s->io, (size_t)n);
		if (port_pwrite_all(fd, s->io, (size_t)n, got) < 0)
			break;
		got += (uint64_t)n;
	}
	s3_get_end(&s->s3);
	if (n != 0 || got != a.length) {
		snprintf(text, cap, "object store: get %s: cut short after %llu "
		    "bytes", key, (unsigned long long)got);
		return -1;
	}
	if (etag != NULL)
		memcpy(etag, a.etag, S3_ETAG_MAX);
	if (md5 != NULL)
		md5_final(&m, md5);
	return 0;
}

int
s3_remove_key(struct store_s3 *s, const char *key, char *text, size_t cap)
{
	struct s3_answer a;
	int st = s3_delete(&s->s3, key, &a);

	if (st == 204 || st == 200 || st == 404)
		return 0;
	return req_fail(s, st, "delete", key, text, cap);
}

/* Conditional writes: a second If-None-Match PUT of one key must fail.
 * 0, or -1 with text saying why the store is refused. */
static int
probe(struct store_s3 *s, char *text, size_t cap)
{
	char key[S3_KEY_MAX];
	int fd, r1 = -1, r2 = -1;

	s3k(key, "_probe/%s", s->owner);
	if ((fd = s3_spool_file(s, "probe")) < 0) {
		s3_fail(text, cap, 0, "cannot make a spool file in",
		    s->spool_name);
		return -1;
	}
	r1 = s3_upload(s, key, fd, 0, S3_IF_NONE_MATCH, NULL, NULL, text, cap);
	if (r1 == 0)
		r2 = s3_upload(s, key, fd, 0, S3_IF_NONE_MATCH, NULL, NULL,
		    text, cap);
	port_close(fd);
	if (r1 == 0)
		s3_remove_key(s, key, text, cap);
	if (r1 != 0)
		return -1;	/* text says why */
	if (r2 != 1) {
		snprintf(text, cap, "the object store at %s ignores "
		    "If-None-Match on PUT: without conditional writes several "
		    "cairnd could run one backup at once and lose each "
		    "other's snapshots, so cairnd does not use it",
		    s->endpoint);
		return -1;
	}
	return 0;
}

int
store_s3_init(struct store_s3 *s, const struct s3_conf *conf,
    const char *spool, char *text, size_t cap)
{
	unsigned i;

	memset(s, 0, offsetof(struct store_s3, io));
	s->vtable = &store_s3_class;
	s->lease = S3_LEASE;
	s->rd.man.fd = s->rd.file_fd = -1;
	for (i = 0; i < STORE_CURSORS; i++)
		s->cur[i].fd = -1;
	snprintf(s->spool_name, sizeof s->spool_name, "%s", spool);
	snprintf(s->endpoint, sizeof s->endpoint, "%s", conf->endpoint);
	port_mkdir(spool, 0700);
	if ((s->spool = port_open_dir(spool)) < 0) {
		snprintf(text, cap, "cannot open the spool directory %s: %s",
		    spool, strerror(errno));
		return -1;
	}
	if (new_owner(s) < 0) {
		snprintf(text, cap, "no random bytes for the lease owner");
		return -1;
	}
	if (s3_init(&s->s3, conf, text, cap) < 0 || probe(s, text, cap) < 0) {
		port_close(s->spool);
		return -1;
	}
	s3_close(&s->s3);	/* sessions are forked: each opens its own */
	return 0;
}

void
store_s3_close(struct store_s3 *s)
{
	const store_class **ctx = &s->vtable;

	s3_end(ctx);
	s3_close_snapshot(ctx);
	s3_cursor_close(ctx, 0);
	s3_cursor_close(ctx, 1);
	s3_close(&s->s3);
	if (s->spool >= 0)
		port_close(s->spool);
	s->spool = -1;
}

uint64_t
store_s3_requests(const struct store_s3 *s)
{
	return s3_requests(&s->s3);
}

#endif /* CAIRN_S3 */
