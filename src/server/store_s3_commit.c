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

/* The manifest header (see the local backend's): totals, fixed width. */
static int
header(struct s3_run *r, struct buf *b, size_t width)
{
	buf_puts(b, "{\"cairn_manifest\":2");
	json_put_key(b, "client", 0);
	json_put_str(b, r->client, strlen(r->client));
	json_put_key(b, "id", 0);
	json_put_str(b, r->out->id, ID_LEN);
	json_put_key(b, "snapshot", 0);
	json_put_str(b, r->out->snap, strlen(r->out->snap));
	json_put_key(b, "source", 0);
	json_put_str(b, r->out->source, strlen(r->out->source));
	json_put_key(b, "time", 0);
	buf_sdec(b, r->time);
	json_put_key(b, "files", 0);
	buf_dec(b, r->out->files);
	json_put_key(b, "bytes", 0);
	buf_dec(b, r->out->bytes);
	json_put_key(b, "charge", 0);
	buf_dec(b, 0);
	json_put_key(b, "failed", 0);
	buf_dec(b, r->out->failed + r->out->kept);
	buf_putc(b, '}');
	while (!b->err && b->len < width)
		buf_putc(b, ' ');
	return b->err || (width > 0 && b->len > width) ? -1 : 0;
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
	if (header(r, &b, 0) < 0 || linew_put(&mw, b.p, b.len) < 0 ||
	    settle_pass(r, &mw) < 0 || linew_close(&mw) < 0)
		return -1;
	return 0;
}
