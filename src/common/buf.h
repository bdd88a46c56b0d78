/*
 * buf.h — the one bounded buffer type.
 *
 * A buf is a pointer, a length and a capacity over storage the caller owns.
 * Every append checks room and returns -1 (and sets b->err) when the data
 * does not fit, so a sequence of appends can be checked once at the end.
 * Misuse (a length past the capacity) is a bug: BUG() stops the program.
 */
#ifndef CAIRN_BUF_H
#define CAIRN_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	int err;		/* set once an append did not fit */
};

/* Point b at storage of cap bytes, empty. */
void buf_init(struct buf *b, void *storage, size_t cap);
/* Forget the contents (and any error). */
void buf_reset(struct buf *b);
/* Bytes still free. */
size_t buf_room(const struct buf *b);

/* Appends: 0 if it fit, -1 otherwise (nothing written, b->err set). */
int buf_put(struct buf *b, const void *p, size_t n);
int buf_putc(struct buf *b, int c);
int buf_puts(struct buf *b, const char *s);
int buf_u8(struct buf *b, unsigned v);
int buf_u16(struct buf *b, unsigned v);		/* big-endian */
int buf_u32(struct buf *b, uint32_t v);		/* big-endian */
int buf_u64(struct buf *b, uint64_t v);		/* big-endian */
int buf_dec(struct buf *b, uint64_t v);		/* decimal text */
int buf_sdec(struct buf *b, int64_t v);		/* signed decimal text */
int buf_hex(struct buf *b, const void *p, size_t n);	/* lower-case hex */

/*
 * A reader over received bytes. Every get checks what is left; the first
 * short read sets r->err, and later gets return zeros, so a message can be
 * decoded field by field and checked once.
 */
struct rd {
	const uint8_t *p;
	size_t len;
	int err;
};

void rd_init(struct rd *r, const void *p, size_t len);
unsigned rd_u8(struct rd *r);
unsigned rd_u16(struct rd *r);
uint32_t rd_u32(struct rd *r);
uint64_t rd_u64(struct rd *r);
/* n bytes in place; NULL (and err) if fewer are left. */
const uint8_t *rd_bytes(struct rd *r, size_t n);
/*
 * A string: u16 length, then bytes. Fails (err) if longer than max or
 * if it holds a NUL. *len gets the length; the bytes are not terminated.
 */
const char *rd_str(struct rd *r, size_t max, size_t *len);
/* 0 if everything was read and nothing failed, -1 otherwise. */
int rd_end(const struct rd *r);

void buf_bug(const char *file, int line, const char *what);
#define BUG(what) buf_bug(__FILE__, __LINE__, (what))

/* Decode big-endian integers from p. */
uint16_t be16(const uint8_t *p);
uint32_t be32(const uint8_t *p);
uint64_t be64(const uint8_t *p);

#endif
