/* worklist.c — restore's work list of binary records; see worklist.h. */
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "port.h"
#include "proto.h"
#include "worklist.h"

#define HDR 5	/* u32 length, u8 flags */

void
work_open(struct worklist *w, int fd)
{
	w->fd = fd;
	w->base = w->off = 0;
	w->start = w->end = 0;
	w->err = 0;
}

/* Write out b[0..end). 0 or -1. */
static int
flush(struct worklist *w)
{
	if (w->end > 0 && port_write_all(w->fd, w->b, w->end) < 0)
		return -1;
	w->base += w->end;
	w->end = 0;
	return 0;
}

int
work_add(struct worklist *w, const struct entry *e, unsigned flags)
{
	size_t n = entry2_size(e);
	struct buf b;

	if (HDR + n > sizeof w->b / 2) {
		errno = E2BIG;
		return -1;
	}
	if (w->end + HDR + n > sizeof w->b && flush(w) < 0)
		return -1;
	buf_init(&b, w->b + w->end, HDR + n);
	buf_u32(&b, (uint32_t)n);
	buf_u8(&b, flags);
	if (entry2_put(&b, e) < 0 || b.len != HDR + n) {
		errno = EINVAL;
		return -1;
	}
	w->end += b.len;
	return 0;
}

int
work_start(struct worklist *w)
{
	if (flush(w) < 0)
		return -1;
	return work_restart(w);
}

int
work_restart(struct worklist *w)
{
	w->base = w->off = 0;
	w->start = w->end = 0;
	return port_rewind(w->fd);
}

/* At least n bytes unread in b[start..end), reading more as needed:
 * 1, 0 if the file ends before, -1 if it cannot be read. */
static int
have(struct worklist *w, size_t n)
{
	long got;

	if (w->end - w->start >= n)
		return 1;
	memmove(w->b, w->b + w->start, w->end - w->start);
	w->base += w->start;
	w->end -= w->start;
	w->start = 0;
	got = port_read_full(w->fd, w->b + w->end, sizeof w->b - w->end);
	if (got < 0)
		return -1;
	w->end += (size_t)got;
	return w->end >= n;
}

/* Decode the record p[0..HDR + n) into e; its flags in *flags. */
static int
decode(const uint8_t *p, size_t n, struct entry *e, unsigned *flags)
{
	struct rd rd;

	rd_init(&rd, p + HDR, n);
	*flags = p[4];
	if (entry2_get(&rd, e, E2_ITEM) < 0 || rd_end(&rd) < 0)
		return -1;
	e->owned = (*flags & WF_OWNED) != 0;
	return 0;
}

int
work_read(struct worklist *w, struct entry *e, unsigned *flags)
{
	struct rd rd;
	size_t n;
	int k = have(w, 1);

	if (k <= 0)
		return k;	/* 0: the end, each record whole */
	if (have(w, HDR) != 1)
		return -1;
	rd_init(&rd, w->b + w->start, HDR);
	n = rd_u32(&rd);
	if (n > sizeof w->b / 2 - HDR || have(w, HDR + n) != 1 ||
	    decode(w->b + w->start, n, e, flags) < 0)
		return -1;
	w->off = w->base + w->start;
	w->start += HDR + n;
	return 1;
}

int
work_reread(struct worklist *w, uint64_t off, struct entry *e)
{
	struct rd rd;
	unsigned flags;
	long got = port_pread(w->fd, w->rec, sizeof w->rec, off);
	size_t n;

	if (got < HDR)
		return -1;
	rd_init(&rd, w->rec, HDR);
	n = rd_u32(&rd);
	if (n > (size_t)got - HDR)
		return -1;
	return decode(w->rec, n, e, &flags);
}
