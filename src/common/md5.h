/*
 * md5.h — streaming MD5 (RFC 1321), no heap.
 *
 * The caller owns the context: md5_init, any number of md5_update calls,
 * then md5_final. MD5 is used here to recognise file contents, not for
 * security.
 */
#ifndef CAIRN_MD5_H
#define CAIRN_MD5_H

#include <stddef.h>
#include <stdint.h>

#define MD5_LEN 16		/* digest bytes */
#define MD5_HEXLEN 32		/* digest as hex digits, without the NUL */

struct md5 {
	uint32_t h[4];		/* chaining state A, B, C, D */
	uint64_t n;		/* bytes so far */
	uint8_t block[64];	/* the first n % 64 bytes are pending */
};

/* Start a new digest in c. */
void md5_init(struct md5 *c);
/* Feed len bytes at p (p may be NULL when len is 0). */
void md5_update(struct md5 *c, const void *p, size_t len);
/* Write the digest of everything fed to out; c must be re-initialised
 * before it is used again. */
void md5_final(struct md5 *c, uint8_t out[MD5_LEN]);
/* Write md as 32 lower-case hex digits and a NUL. */
void md5_hex(const uint8_t md[MD5_LEN], char out[MD5_HEXLEN + 1]);
/* Parse the n bytes at s into md: 0 if they are exactly 32 hex digits
 * (either case), otherwise -1 with md untouched. */
int md5_unhex(const char *s, size_t n, uint8_t md[MD5_LEN]);

#endif
