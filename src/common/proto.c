/* proto.c — frames and message encodings; see proto.h and PROTOCOL.md. */
#include <string.h>

#include "path.h"
#include "proto.h"

int
frame_send(struct tls *t, unsigned type, const void *p, size_t n)
{
	uint8_t h[FRAME_HDR];

	if (n > FRAME_MAX)
		BUG("frame too large");
	h[0] = (uint8_t)type;
	h[1] = 0;
	h[2] = (uint8_t)(n >> 8);
	h[3] = (uint8_t)n;
	if (tls_write(t, h, sizeof h) < 0)
		return -1;
	return n ? tls_write(t, p, n) : 0;
}

int
frame_hdr(const uint8_t h[FRAME_HDR], unsigned *type, size_t *n)
{
	if (h[1] != 0)
		return -1;
	*type = h[0];
	*n = be16(h + 2);
	return 0;
}

/*
 * 1 if a whole frame already waits in the TLS engine. Then the reply to
 * it can go out with the next ones instead of in a record of its own;
 * before blocking for input, everything queued is always sent.
 */
static int
frame_buffered(struct tls *t)
{
	size_t len;
	const uint8_t *b = tls_buffered(t, &len);

	return b != NULL && len >= FRAME_HDR &&
	    len >= FRAME_HDR + (size_t)be16(b + 2);
}

int
frame_recv(struct tls *t, unsigned *type, uint8_t *p, size_t *n)
{
	uint8_t h[FRAME_HDR];

	if (!frame_buffered(t) && tls_flush(t) < 0)
		return -1;
	if (tls_read(t, h, sizeof h) < 0)
		return -1;
	if (frame_hdr(h, type, n) < 0)
		return -2;
	return *n ? tls_read(t, p, *n) : 0;
}

int
put_str(struct buf *b, const char *s, size_t n)
{
	if (n > 0xffff) {
		b->err = 1;
		return -1;
	}
	buf_u16(b, (unsigned)n);
	return buf_put(b, s, n);
}

int
entry_put(struct buf *b, const struct entry *e)
{
	buf_u8(b, e->type);
	put_str(b, e->path, e->plen);
	buf_u64(b, e->size);
	buf_u32(b, e->mode);
	buf_u64(b, (uint64_t)e->mtime);
	buf_u32(b, e->mtime_ns);
	buf_put(b, e->md5, MD5_LEN);
	put_str(b, e->target, e->type == E_LINK ? e->tlen : 0);
	return b->err ? -1 : 0;
}

/* A string of at most PATH_LEN_MAX bytes into out[PATH_CAP], *n its
 * length: 0 or -1. */
static int
get_path(struct rd *r, char *out, size_t *n)
{
	const char *s = rd_str(r, PATH_LEN_MAX, n);

	if (s == NULL)
		return -1;
	memcpy(out, s, *n);
	out[*n] = 0;
	return 0;
}

int
entry_get(struct rd *r, struct entry *e)
{
	const uint8_t *md;
	size_t n;

	entry_clear(e, rd_u8(r));
	if (get_path(r, e->path, &e->plen) < 0 ||
	    path_check(e->path, e->plen) < 0)
		return -1;
	e->size = rd_u64(r);
	e->mode = rd_u32(r);
	e->mtime = (int64_t)rd_u64(r);
	e->mtime_ns = rd_u32(r);
	md = rd_bytes(r, MD5_LEN);
	if (md != NULL)
		memcpy(e->md5, md, MD5_LEN);
	if (get_path(r, e->target, &e->tlen) < 0 || r->err)
		return -1;
	n = e->tlen;
	if (e->mode > 07777 || e->mtime_ns >= 1000000000u)
		return -1;
	switch (e->type) {
	case E_FILE:
	case E_DIR:
		return n == 0 ? 0 : -1;
	case E_LINK:
		return n > 0 ? 0 : -1;
	}
	return -1;
}

int
reply_start(struct buf *b, unsigned status, const char *text)
{
	size_t n = strlen(text);

	buf_reset(b);
	buf_u8(b, status);
	return put_str(b, text, n > MSG_MAX ? MSG_MAX : n);
}

int
reply_get(struct rd *r, unsigned *status, char *text)
{
	const char *s;
	size_t n;

	*status = rd_u8(r);
	s = rd_str(r, MSG_MAX, &n);
	if (s == NULL)
		return -1;
	memcpy(text, s, n);
	text[n] = 0;
	return 0;
}

int
get_str(struct rd *r, char *out, size_t cap)
{
	size_t n;
	const char *s = rd_str(r, cap - 1, &n);

	if (s == NULL)
		return -1;
	memcpy(out, s, n);
	out[n] = 0;
	return 0;
}

static int
put_owner(struct buf *b, const char *s)
{
	return put_str(b, s, strlen(s));
}

int
entry2_put(struct buf *b, const struct entry *e)
{
	buf_u8(b, e->type);
	buf_u8(b, e->flags);
	put_str(b, e->path, e->plen);
	buf_u64(b, e->size);
	buf_u32(b, e->mode);
	buf_u64(b, (uint64_t)e->mtime);
	buf_u32(b, e->mtime_ns);
	buf_u32(b, e->uid);
	buf_u32(b, e->gid);
	put_owner(b, e->user);
	put_owner(b, e->group);
	buf_put(b, e->md5, MD5_LEN);
	put_str(b, e->target, e->tlen);
	buf_u32(b, e->major);
	buf_u32(b, e->minor);
	buf_u16(b, (unsigned)e->xlen);
	if (e->xlen > 0)
		buf_put(b, e->xattr, e->xlen);
	return b->err || e->xlen > XATTR_MAX ? -1 : 0;
}

size_t
entry2_size(const struct entry *e)
{
	return 1 + 1 + 2 + e->plen + 8 + 4 + 8 + 4 + 4 + 4 +
	    2 + strlen(e->user) + 2 + strlen(e->group) + MD5_LEN +
	    2 + e->tlen + 4 + 4 + 2 + e->xlen;
}

static int
get_owner(struct rd *r, char *out)
{
	return get_str(r, out, OWNER_NAME_MAX + 1);
}

static int
all_zero(const uint8_t *p, size_t n)
{
	while (n > 0)
		if (p[--n] != 0)
			return 0;
	return 1;
}

/* The rules of one decoded v2 entry that its type sets. */
static int
entry2_rules(const struct entry *e, unsigned ctx)
{
	int data = ENTRY_HAS_DATA(e);
	unsigned may = ctx == E2_OFFER ? EF_SPARSE | EF_KEEP | EF_MD5_LATER :
	    EF_ALL;

	if (e->type == 0 || e->type > E_TYPE_MAX || (e->flags & ~may) != 0 ||
	    e->mode > 07777 || e->mtime_ns >= 1000000000u)
		return -1;
	if (e->plen == 0 ? e->type != E_DIR : path_check(e->path, e->plen) < 0)
		return -1;
	if (e->type != E_FILE && (e->flags & (EF_KEEP | EF_MD5_LATER)) != 0)
		return -1;
	if (!data && (e->size != 0 || !all_zero(e->md5, MD5_LEN) ||
	    (e->flags & (EF_SPARSE | EF_CHANGED)) != 0))
		return -1;
	if ((e->flags & EF_MD5_LATER) && !all_zero(e->md5, MD5_LEN))
		return -1;
	if ((e->type == E_CHR || e->type == E_BLK) ? 0 :
	    (e->major != 0 || e->minor != 0))
		return -1;
	switch (e->type) {
	case E_LINK:
		return e->tlen > 0 ? 0 : -1;
	case E_HARD:
		return path_check(e->target, e->tlen) < 0 ||
		    path_cmp(e->target, e->tlen, e->path, e->plen) >= 0 ? -1 : 0;
	default:
		return e->tlen == 0 ? 0 : -1;
	}
}

int
entry2_get(struct rd *r, struct entry *e, unsigned ctx)
{
	const uint8_t *p;
	size_t n;

	e->type = rd_u8(r);
	e->flags = rd_u8(r);
	if (get_path(r, e->path, &e->plen) < 0)
		return -1;
	e->size = rd_u64(r);
	e->mode = rd_u32(r);
	e->mtime = (int64_t)rd_u64(r);
	e->mtime_ns = rd_u32(r);
	e->uid = rd_u32(r);
	e->gid = rd_u32(r);
	e->owned = 1;
	if (get_owner(r, e->user) < 0 || get_owner(r, e->group) < 0)
		return -1;
	p = rd_bytes(r, MD5_LEN);
	if (p != NULL)
		memcpy(e->md5, p, MD5_LEN);
	if (get_path(r, e->target, &e->tlen) < 0)
		return -1;
	e->major = rd_u32(r);
	e->minor = rd_u32(r);
	n = rd_u16(r);
	e->xlen = n;
	e->xattr = n > 0 ? rd_bytes(r, n) : NULL;
	if (r->err || xattr_check(e->xattr, e->xlen) < 0)
		return -1;
	return entry2_rules(e, ctx);
}

void
retention_put(struct buf *b, const struct retention *k)
{
	buf_u32(b, k->last);
	buf_u32(b, k->hourly);
	buf_u32(b, k->daily);
	buf_u32(b, k->weekly);
	buf_u32(b, k->monthly);
	buf_u32(b, k->yearly);
	buf_u32(b, (uint32_t)k->utc_offset);
}

int
retention_get(struct rd *r, struct retention *k)
{
	k->last = rd_u32(r);
	k->hourly = rd_u32(r);
	k->daily = rd_u32(r);
	k->weekly = rd_u32(r);
	k->monthly = rd_u32(r);
	k->yearly = rd_u32(r);
	k->utc_offset = (int32_t)rd_u32(r);
	if (r->err || k->last > RETAIN_MAX || k->hourly > RETAIN_MAX ||
	    k->daily > RETAIN_MAX || k->weekly > RETAIN_MAX ||
	    k->monthly > RETAIN_MAX || k->yearly > RETAIN_MAX ||
	    k->utc_offset < -UTC_OFFSET_MAX || k->utc_offset > UTC_OFFSET_MAX)
		return -1;
	return 0;
}

int
retention_any(const struct retention *k)
{
	return (k->last | k->hourly | k->daily | k->weekly | k->monthly |
	    k->yearly) != 0;
}
