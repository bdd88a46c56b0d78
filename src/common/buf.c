/* buf.c — bounded buffers and readers; see buf.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "BUG at %s:%d: %s\n", file, line, what);
	abort();
}

void
buf_init(struct buf *b, void *storage, size_t cap)
{
	b->p = storage;
	b->len = 0;
	b->cap = cap;
	b->err = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = 0;
}

/* What buf_room says, in line for the appends below: they run for
 * every byte run of every record (DESIGN.md, "JSON records"). */
#define ROOM(b) ((b)->len > (b)->cap ? \
	(BUG("buf length past capacity"), (size_t)0) : (b)->cap - (b)->len)

size_t
buf_room(const struct buf *b)
{
	return ROOM(b);
}

int
buf_put(struct buf *b, const void *p, size_t n)
{
	if (n > ROOM(b)) {
		b->err = 1;
		return -1;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

int
buf_putc(struct buf *b, int c)
{
	if (ROOM(b) == 0) {
		b->err = 1;
		return -1;
	}
	b->p[b->len++] = (uint8_t)c;
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_put(b, s, strlen(s));
}

int
buf_u8(struct buf *b, unsigned v)
{
	return buf_putc(b, (int)(v & 0xff));
}

int
buf_u16(struct buf *b, unsigned v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return buf_put(b, x, 2);
}

int
buf_u32(struct buf *b, uint32_t v)
{
	uint8_t x[4];

	x[0] = (uint8_t)(v >> 24);
	x[1] = (uint8_t)(v >> 16);
	x[2] = (uint8_t)(v >> 8);
	x[3] = (uint8_t)v;
	return buf_put(b, x, 4);
}

int
buf_u64(struct buf *b, uint64_t v)
{
	if (buf_room(b) < 8) {
		b->err = 1;
		return -1;
	}
	buf_u32(b, (uint32_t)(v >> 32));
	return buf_u32(b, (uint32_t)v);
}

int
buf_dec(struct buf *b, uint64_t v)
{
	char t[20];
	size_t i = sizeof t;

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return buf_put(b, t + i, sizeof t - i);
}

int
buf_sdec(struct buf *b, int64_t v)
{
	if (v >= 0)
		return buf_dec(b, (uint64_t)v);
	if (buf_putc(b, '-') < 0)
		return -1;
	return buf_dec(b, (uint64_t)0 - (uint64_t)v);
}

int
buf_hex(struct buf *b, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *s = p;
	size_t i;

	if (n > buf_room(b) / 2) {
		b->err = 1;
		return -1;
	}
	for (i = 0; i < n; i++) {
		b->p[b->len++] = (uint8_t)digits[s[i] >> 4];
		b->p[b->len++] = (uint8_t)digits[s[i] & 15];
	}
	return 0;
}

uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t
be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

uint64_t
be64(const uint8_t *p)
{
	return ((uint64_t)be32(p) << 32) | be32(p + 4);
}

void
rd_init(struct rd *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->err = 0;
}

const uint8_t *
rd_bytes(struct rd *r, size_t n)
{
	const uint8_t *p;

	if (r->err || n > r->len) {
		r->err = 1;
		return NULL;
	}
	p = r->p;
	r->p += n;
	r->len -= n;
	return p;
}

unsigned
rd_u8(struct rd *r)
{
	const uint8_t *p = rd_bytes(r, 1);

	return p ? p[0] : 0;
}

unsigned
rd_u16(struct rd *r)
{
	const uint8_t *p = rd_bytes(r, 2);

	return p ? be16(p) : 0;
}

uint32_t
rd_u32(struct rd *r)
{
	const uint8_t *p = rd_bytes(r, 4);

	return p ? be32(p) : 0;
}

uint64_t
rd_u64(struct rd *r)
{
	const uint8_t *p = rd_bytes(r, 8);

	return p ? be64(p) : 0;
}

const char *
rd_str(struct rd *r, size_t max, size_t *len)
{
	size_t n = rd_u16(r);
	const uint8_t *p;

	*len = 0;
	if (n > max) {
		r->err = 1;
		return NULL;
	}
	p = rd_bytes(r, n);
	if (p == NULL)
		return NULL;
	if (memchr(p, 0, n) != NULL) {
		r->err = 1;
		return NULL;
	}
	*len = n;
	return (const char *)p;
}

int
rd_end(const struct rd *r)
{
	return (r->err || r->len != 0) ? -1 : 0;
}
