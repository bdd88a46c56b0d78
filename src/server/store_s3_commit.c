/*
 * store_s3_commit.c — the end of a run on the object store (see
 * store_s3.h): the draft settled into the manifest (files that never came
 * or came bad left out, the sizes and MD5s the trailers gave put in), the
 * manifest put as the commit record, the catalog brought up to date; or,
 * without a commit, the resume list of what was sent, so that the next run
 * need not send it again.
 */
#include "features.h"

#if CAIRN_S3

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "port.h"
#include "proto.h"
#include "retain.h"
#include "store_s3.h"
#include "util.h"

static struct lines dl;		/* the draft, read back */
static struct json dj;
static struct entry de;
static struct linew mw;		/* the manifest */
static uint8_t line[LINE_MAX_BYTES], xattr[XATTR_MAX];

/* Need k's outcome: 1 stored (got filled), 0 not. */
static int
result_get(struct s3_run *r, uint64_t k, struct put_trailer *got)
{
	uint8_t rec[S3_RES_REC];
	struct rd d;

	if (k >= r->res_n || port_pread(r->res_fd, rec, sizeof rec,
	    k * S3_RES_REC) != (long)sizeof rec || rec[0] != 1)
		return 0;
	rd_init(&d, rec + 1, sizeof rec - 1);
	got->size = rd_u64(&d);
	memcpy(got->md5, rd_bytes(&d, MD5_LEN), MD5_LEN);
	got->flags = rd_u8(&d);
	return 1;
}

/* What the snapshot holds of draft entry de (tag): 1 keep (de amended),
 * 0 left out (counted as failed when count). */
static int
settle(struct s3_run *r, int tag, int count)
{
	struct put_trailer got;
	uint8_t pm[MD5_LEN];
	uint64_t v = 0;

	if (de.type == E_FILE && tag == 'N') {
		s3_path_md5(de.path, de.plen, pm);
		if (!r->fidx_ok || mdindex_find(&r->fidx, pm, &v) != 1 ||
		    v < 2 || !result_get(r, v - 2, &got))
			goto gone;
	} else if (de.type == E_HARD) {
		s3_path_md5(de.target, de.tlen, pm);
		if (!r->fidx_ok || mdindex_find(&r->fidx, pm, &v) != 1)
			goto gone;
		if (v < 2)
			return 1;
		if (!result_get(r, v - 2, &got)) {
			v = 0;		/* its first is left out: so is it */
			goto gone;
		}
	} else {
		return 1;
	}
	de.size = got.size;
	memcpy(de.md5, got.md5, MD5_LEN);
	de.flags = (de.flags & ~(unsigned)(EF_CHANGED | EF_MD5_LATER)) |
	    got.flags;
	return 1;
gone:
	/* a file that came bad was counted at put_end */
	if (count && !(de.type == E_FILE && v >= 2 && v - 2 < r->res_n))
		r->out->failed++;
	return 0;
}

/* One pass over the draft: with w NULL the totals counted, else the
 * settled entries written to w. 0 or -1. */
static int
settle_pass(struct s3_run *r, struct linew *w)
{
	struct buf b;
	uint64_t i = 0;
	uint8_t tag;
	int got;

	if (port_rewind(r->draft_fd) < 0)
		return -1;
	lines_open(&dl, r->draft_fd);
	while ((got = entry_next(&dl, &dj, &de, NULL)) == 1) {
		if (port_pread(r->tags_fd, &tag, 1, i++) != 1)
			return -1;
		if (!settle(r, tag, w == NULL))
			continue;
		if (w == NULL) {
			if (ENTRY_HAS_DATA(&de)) {
				r->out->files++;
				r->out->bytes += de.size;
			}
			continue;
		}
		if (entry_xattrs(&dj, xattr, sizeof xattr, &de.xlen) < 0)
			return -1;
		de.xattr = de.xlen > 0 ? xattr : NULL;
		buf_init(&b, line, sizeof line);
		if (entry_json(&b, &de, NULL) < 0 ||
		    linew_put(w, b.p, b.len) < 0)
			return -1;
	}
	return got;
}

/* The manifest into the spool (fd): the totals first, then the header
 * and the entries. 0 or -1. */
static int
write_manifest(struct s3_run *r, int fd)
{
	static uint8_t hdr[1024];
	struct buf b;

	r->out->files = r->out->bytes = 0;
	if (linew_close(&r->dw) < 0 || settle_pass(r, NULL) < 0)
		return -1;
	buf_init(&b, hdr, sizeof hdr);
	linew_open(&mw, fd);
	if (store_manifest_header(&b, r->client, r->out, r->time, 0, 1,
	    0) < 0 || linew_put(&mw, b.p, b.len) < 0 ||
	    settle_pass(r, &mw) < 0 || linew_close(&mw) < 0)
		return -1;
	return 0;
}

/* The manifest put as the commit record, then the catalog told. */
static unsigned
publish(struct store_s3 *s, char *text, size_t cap)
{
	struct s3_run *r = &s->run;
	struct port_stat st;
	char key[S3_KEY_MAX];
	unsigned charged;
	int fd, got;

	if ((fd = s3_spool_file(s, "manifest")) < 0 ||
	    write_manifest(r, fd) < 0 || port_fstat(fd, &st) < 0) {
		if (fd >= 0)
			port_close(fd);
		return s3_fail(text, cap, ST_IO, "cannot write the manifest of",
		    r->out->id);
	}
	s3k(key, "%s/%s/snap/%s", r->client, r->out->id, r->out->snap);
	got = s3_lock_renew(s, r->client, r->out->id, r->lock_etag,
	    &r->lock_expiry, text, cap);
	/* --quota: the manifest's bytes charged before it is put, what the
	 * run reserved and did not use given back in the same write */
	if (got == 0 && (charged = s3_quota_take(s, st.size, 1,
	    "the snapshot's manifest", text, cap)) != ST_OK) {
		port_close(fd);
		return charged;
	}
	if (got == 0 && (got = s3_upload(s, key, fd, st.size,
	    S3_IF_NONE_MATCH, NULL, NULL, text, cap)) != 0)
		s3_quota_give(s, st.size);	/* charged, not stored */
	port_close(fd);
	if (got == 1)
		snprintf(text, cap, "snapshot %s of backup %s exists already",
		    r->out->snap, r->out->id);
	if (got != 0)
		return ST_IO;
	r->committed = 1;	/* visible from here on */
	if (s3_catalog_set(s, r->client, r->out->id, r->out->source,
	    r->out->snap, text, cap) < 0)
		msg("backup %s: snapshot %s is committed, but the catalog "
		    "still names an older one: %s", r->out->id, r->out->snap,
		    text);
	if (r->had_resume && s3k(key, "%s/%s/resume", r->client,
	    r->out->id) == 0 && s3_remove_key(s, key, text, cap) == 0)
		r->had_resume = 0;
	return ST_OK;
}

unsigned
s3_commit(const store_class **ctx, unsigned keep, struct store_run *out,
    char *text, size_t cap)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	struct s3_run *r = &s->run;
	struct retention k;
	unsigned st;

	if (!r->active || r->dry || r->committed || r->up_fd >= 0) {
		snprintf(text, cap, "commit without a run");
		return ST_BAD_REQUEST;
	}
	r->out->failed += r->need_count;	/* asked for, never sent */
	r->need_count = 0;
	if ((st = publish(s, text, cap)) != ST_OK)
		return st;
	if (keep > 0) {
		memset(&k, 0, sizeof k);
		k.last = keep;
		if (s3_apply_retention(s, r->client, r->out->id, &k, 0, 0, 0,
		    NULL, NULL, NULL, text, cap) != ST_OK)
			msg("%s", text);
	}
	if (out != r->out)
		*out = *r->out;
	snprintf(text, cap, "snapshot %s committed", r->out->snap);
	return ST_OK;
}

unsigned
s3_retain(const store_class **ctx, const struct retention *k, int dry,
    void (*removed)(void *arg, const struct snapinfo *si), void *arg,
    char *text, size_t cap)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	struct s3_run *r = &s->run;

	if (!r->active || (!r->committed && !r->dry)) {
		snprintf(text, cap, "retention without a committed or dry run");
		return ST_BAD_REQUEST;
	}
	return s3_apply_retention(s, r->client, r->out->id, k, dry || r->dry,
	    r->dry, r->time, NULL, removed, arg, text, cap);
}

/* The old resume list (spooled at begin) after this run's in fd. */
static int
append_old(struct store_s3 *s, int fd, uint64_t *off)
{
	uint64_t at = 0;
	long n = 0;
	int old = s->run.resume_fd;

	if (old < 0)
		return 0;
	while ((n = port_pread(old, s->io, sizeof s->io, at)) > 0) {
		if (port_pwrite_all(fd, s->io, (size_t)n, *off) < 0)
			break;
		at += (uint64_t)n;
		*off += (uint64_t)n;
	}
	return n == 0 ? 0 : -1;
}

/* What this run sent, and what an older unfinished one had, as the resume
 * list for the next run: one content name a line. */
static void
put_resume(struct store_s3 *s)
{
	struct s3_run *r = &s->run;
	char key[S3_KEY_MAX], hex[MD5_HEXLEN + 1], text[256];
	uint8_t rec[MD5_LEN + 8];
	uint64_t i, size, off = 0;
	int fd, n, fail = 0;

	if (r->sent_n == 0 || (fd = s3_spool_file(s, "resume.new")) < 0)
		return;
	s3k(key, "%s/%s/resume", r->client, r->out->id);
	for (i = 0; i < r->sent_n && !fail; i++) {
		fail = port_pread(r->sent_fd, rec, sizeof rec, i * sizeof rec) !=
		    (long)sizeof rec;
		memcpy(&size, rec + MD5_LEN, 8);
		md5_hex(rec, hex);
		n = snprintf((char *)s->io, sizeof s->io, "%s-%llu\n", hex,
		    (unsigned long long)size);
		fail = fail || port_pwrite_all(fd, s->io, (size_t)n, off) < 0;
		off += (uint64_t)n;
	}
	if (!fail && append_old(s, fd, &off) == 0 &&
	    s3_upload(s, key, fd, off, 0, NULL, NULL, text, sizeof text) != 0)
		msg("backup %s: %s", r->out->id, text);
	port_close(fd);
}

/* Close a spool descriptor. */
static void
shut(int *fd)
{
	if (*fd >= 0)
		port_close(*fd);
	*fd = -1;
}

void
s3_end(const store_class **ctx)
{
	struct store_s3 *s = (struct store_s3 *)ctx;
	struct s3_run *r = &s->run;

	if (!r->active)
		return;
	if (!r->committed && !r->dry)
		put_resume(s);
	if (!r->dry)
		s3_quota_settle(s);
	if (r->locked)
		s3_unlock(s, r->client, r->out->id, r->lock_etag);
	r->locked = 0;
	shut(&r->up_fd);
	shut(&r->prev_fd);
	shut(&r->draft_fd);
	shut(&r->tags_fd);
	shut(&r->res_fd);
	shut(&r->sent_fd);
	shut(&r->resume_fd);
	if (r->cidx_ok)
		port_close(r->cidx.fd);
	if (r->fidx_ok)
		port_close(r->fidx.fd);
	if (r->gone_ok)
		port_close(r->gone.fd);
	r->cidx_ok = r->fidx_ok = r->gone_ok = 0;
	r->active = 0;
}

#endif /* CAIRN_S3 */
