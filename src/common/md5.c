/*
 * md5.c — MD5 as specified in RFC 1321; see md5.h.
 *
 * Whole 64-byte blocks are hashed straight from the caller's buffer; only
 * a partial block is copied into the context. Words are assembled from
 * bytes, which is right on any byte order and alignment and which the
 * compiler turns into a plain load where the target allows it.
 */
#include <string.h>

#include "md5.h"
#include "util.h"

/* The round functions of RFC 1321, in forms with a short dependency on b
 * (the value the previous step just produced). G is (b & d) | (c & ~d);
 * the two halves never share a set bit, so STEP_G adds them separately
 * and only the second addition waits for b. */
#define F(b, c, d)	((d) ^ ((b) & ((c) ^ (d))))
#define H(b, c, d)	((b) ^ ((c) ^ (d)))
#define I(b, c, d)	((c) ^ ((b) | ~(d)))

#define ROTL(x, s)	(((x) << (s)) | ((x) >> (32 - (s))))

/* a = b + ((a + f(b, c, d) + x + t) <<< s) */
#define STEP(f, a, b, c, d, x, t, s) do { \
		(a) += (x) + (uint32_t)(t); \
		(a) += f((b), (c), (d)); \
		(a) = ROTL((a), (s)) + (b); \
	} while (0)

#define STEP_G(a, b, c, d, x, t, s) do { \
		(a) += (x) + (uint32_t)(t); \
		(a) += (c) & ~(d); \
		(a) += (b) & (d); \
		(a) = ROTL((a), (s)) + (b); \
	} while (0)

/* The little-endian 32-bit word at p, any alignment. */
static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Store v at p, little-endian, any alignment. */
static void
put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Run the compression function over nblk 64-byte blocks at p, updating
 * the state h. The state stays in locals for the whole run. */
static void
md5_blocks(uint32_t h[4], const uint8_t *p, size_t nblk)
{
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
	uint32_t x0, x1, x2, x3, x4, x5, x6, x7;
	uint32_t x8, x9, x10, x11, x12, x13, x14, x15;
	uint32_t aa, bb, cc, dd;

	for (; nblk > 0; nblk--, p += 64) {
		aa = a;
		bb = b;
		cc = c;
		dd = d;

		x0 = le32(p);
		x1 = le32(p + 4);
		x2 = le32(p + 8);
		x3 = le32(p + 12);
		x4 = le32(p + 16);
		x5 = le32(p + 20);
		x6 = le32(p + 24);
		x7 = le32(p + 28);
		x8 = le32(p + 32);
		x9 = le32(p + 36);
		x10 = le32(p + 40);
		x11 = le32(p + 44);
		x12 = le32(p + 48);
		x13 = le32(p + 52);
		x14 = le32(p + 56);
		x15 = le32(p + 60);

		/* Round 1 */
		STEP(F, a, b, c, d, x0, 0xd76aa478, 7);
		STEP(F, d, a, b, c, x1, 0xe8c7b756, 12);
		STEP(F, c, d, a, b, x2, 0x242070db, 17);
		STEP(F, b, c, d, a, x3, 0xc1bdceee, 22);
		STEP(F, a, b, c, d, x4, 0xf57c0faf, 7);
		STEP(F, d, a, b, c, x5, 0x4787c62a, 12);
		STEP(F, c, d, a, b, x6, 0xa8304613, 17);
		STEP(F, b, c, d, a, x7, 0xfd469501, 22);
		STEP(F, a, b, c, d, x8, 0x698098d8, 7);
		STEP(F, d, a, b, c, x9, 0x8b44f7af, 12);
		STEP(F, c, d, a, b, x10, 0xffff5bb1, 17);
		STEP(F, b, c, d, a, x11, 0x895cd7be, 22);
		STEP(F, a, b, c, d, x12, 0x6b901122, 7);
		STEP(F, d, a, b, c, x13, 0xfd987193, 12);
		STEP(F, c, d, a, b, x14, 0xa679438e, 17);
		STEP(F, b, c, d, a, x15, 0x49b40821, 22);

		/* Round 2 */
		STEP_G(a, b, c, d, x1, 0xf61e2562, 5);
		STEP_G(d, a, b, c, x6, 0xc040b340, 9);
		STEP_G(c, d, a, b, x11, 0x265e5a51, 14);
		STEP_G(b, c, d, a, x0, 0xe9b6c7aa, 20);
		STEP_G(a, b, c, d, x5, 0xd62f105d, 5);
		STEP_G(d, a, b, c, x10, 0x02441453, 9);
		STEP_G(c, d, a, b, x15, 0xd8a1e681, 14);
		STEP_G(b, c, d, a, x4, 0xe7d3fbc8, 20);
		STEP_G(a, b, c, d, x9, 0x21e1cde6, 5);
		STEP_G(d, a, b, c, x14, 0xc33707d6, 9);
		STEP_G(c, d, a, b, x3, 0xf4d50d87, 14);
		STEP_G(b, c, d, a, x8, 0x455a14ed, 20);
		STEP_G(a, b, c, d, x13, 0xa9e3e905, 5);
		STEP_G(d, a, b, c, x2, 0xfcefa3f8, 9);
		STEP_G(c, d, a, b, x7, 0x676f02d9, 14);
		STEP_G(b, c, d, a, x12, 0x8d2a4c8a, 20);

		/* Round 3 */
		STEP(H, a, b, c, d, x5, 0xfffa3942, 4);
		STEP(H, d, a, b, c, x8, 0x8771f681, 11);
		STEP(H, c, d, a, b, x11, 0x6d9d6122, 16);
		STEP(H, b, c, d, a, x14, 0xfde5380c, 23);
		STEP(H, a, b, c, d, x1, 0xa4beea44, 4);
		STEP(H, d, a, b, c, x4, 0x4bdecfa9, 11);
		STEP(H, c, d, a, b, x7, 0xf6bb4b60, 16);
		STEP(H, b, c, d, a, x10, 0xbebfbc70, 23);
		STEP(H, a, b, c, d, x13, 0x289b7ec6, 4);
		STEP(H, d, a, b, c, x0, 0xeaa127fa, 11);
		STEP(H, c, d, a, b, x3, 0xd4ef3085, 16);
		STEP(H, b, c, d, a, x6, 0x04881d05, 23);
		STEP(H, a, b, c, d, x9, 0xd9d4d039, 4);
		STEP(H, d, a, b, c, x12, 0xe6db99e5, 11);
		STEP(H, c, d, a, b, x15, 0x1fa27cf8, 16);
		STEP(H, b, c, d, a, x2, 0xc4ac5665, 23);

		/* Round 4 */
		STEP(I, a, b, c, d, x0, 0xf4292244, 6);
		STEP(I, d, a, b, c, x7, 0x432aff97, 10);
		STEP(I, c, d, a, b, x14, 0xab9423a7, 15);
		STEP(I, b, c, d, a, x5, 0xfc93a039, 21);
		STEP(I, a, b, c, d, x12, 0x655b59c3, 6);
		STEP(I, d, a, b, c, x3, 0x8f0ccc92, 10);
		STEP(I, c, d, a, b, x10, 0xffeff47d, 15);
		STEP(I, b, c, d, a, x1, 0x85845dd1, 21);
		STEP(I, a, b, c, d, x8, 0x6fa87e4f, 6);
		STEP(I, d, a, b, c, x15, 0xfe2ce6e0, 10);
		STEP(I, c, d, a, b, x6, 0xa3014314, 15);
		STEP(I, b, c, d, a, x13, 0x4e0811a1, 21);
		STEP(I, a, b, c, d, x4, 0xf7537e82, 6);
		STEP(I, d, a, b, c, x11, 0xbd3af235, 10);
		STEP(I, c, d, a, b, x2, 0x2ad7d2bb, 15);
		STEP(I, b, c, d, a, x9, 0xeb86d391, 21);

		a += aa;
		b += bb;
		c += cc;
		d += dd;
	}
	h[0] = a;
	h[1] = b;
	h[2] = c;
	h[3] = d;
}

/* Start a new digest: the initial state of RFC 1321 section 3.3. */
void
md5_init(struct md5 *c)
{
	c->h[0] = 0x67452301;
	c->h[1] = 0xefcdab89;
	c->h[2] = 0x98badcfe;
	c->h[3] = 0x10325476;
	c->n = 0;
}

/* Feed len bytes: top up a pending partial block first, then hash whole
 * blocks in place, then keep the tail for later. */
void
md5_update(struct md5 *c, const void *p, size_t len)
{
	const uint8_t *s = p;
	size_t have = (size_t)(c->n & 63);
	size_t k;

	c->n += len;
	if (have) {
		k = 64 - have;
		if (len < k) {
			if (len)
				memcpy(c->block + have, s, len);
			return;
		}
		memcpy(c->block + have, s, k);
		md5_blocks(c->h, c->block, 1);
		s += k;
		len -= k;
	}
	if (len >= 64) {
		md5_blocks(c->h, s, len / 64);
		s += len & ~(size_t)63;
		len &= 63;
	}
	if (len)
		memcpy(c->block, s, len);
}

/* Pad with 0x80, zeros and the message length in bits (little-endian,
 * modulo 2^64), hash the last block or two and write the state out. */
void
md5_final(struct md5 *c, uint8_t out[MD5_LEN])
{
	size_t have = (size_t)(c->n & 63);
	uint64_t bits = c->n << 3;
	int i;

	c->block[have++] = 0x80;
	if (have > 56) {
		memset(c->block + have, 0, 64 - have);
		md5_blocks(c->h, c->block, 1);
		have = 0;
	}
	memset(c->block + have, 0, 56 - have);
	put_le32(c->block + 56, (uint32_t)bits);
	put_le32(c->block + 60, (uint32_t)(bits >> 32));
	md5_blocks(c->h, c->block, 1);
	for (i = 0; i < 4; i++)
		put_le32(out + 4 * i, c->h[i]);
}

/* Write md as 32 lower-case hex digits followed by a NUL. */
void
md5_hex(const uint8_t md[MD5_LEN], char out[MD5_HEXLEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < MD5_LEN; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[MD5_HEXLEN] = '\0';
}

/* Parse exactly 32 hex digits (either case) at s into md: 0 on success;
 * -1 if n is not 32 or a byte is not a hex digit, md left untouched. */
int
md5_unhex(const char *s, size_t n, uint8_t md[MD5_LEN])
{
	uint8_t tmp[MD5_LEN];

	if (n != MD5_HEXLEN || unhex(s, MD5_LEN, tmp) < 0)
		return -1;
	memcpy(md, tmp, MD5_LEN);
	return 0;
}
