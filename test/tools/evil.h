/*
 * evil.h — what the hostile peers of the tests (evilclient.c,
 * evilserver.c) share: entries written from raw parts, so that any path,
 * valid or not, and any MD5 length can go on the wire, and status codes
 * in words. entry_put() takes a struct entry, whose buffers cannot hold a
 * path longer than PATH_LEN_MAX; these helpers take bytes and lengths.
 *
 * Header-only (static inline) because the Makefile links each
 * C file in test/tools/ into a program of its own.
 */
#ifndef CAIRN_EVIL_H
#define CAIRN_EVIL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "md5.h"
#include "proto.h"

#define EVIL_MTIME 1700000000	/* mtime of every entry sent */

/*
 * One entry as OFFER, FILE_TRANSFER and the restore's items carry it,
 * exactly as given: path[0..plen) and target[0..tlen) are not checked,
 * md5 is md5len bytes long (MD5_LEN for a well-formed entry; NULL sends
 * zeros). Returns b->err ? -1 : 0.
 */
static inline int
evil_entry(struct buf *b, unsigned type, const char *path, size_t plen,
    uint64_t size, const uint8_t *md5, size_t md5len, const char *target,
    size_t tlen)
{
	static const uint8_t zeros[MD5_LEN];

	buf_u8(b, type);
	put_str(b, path, plen);
	buf_u64(b, size);
	buf_u32(b, type == E_DIR ? 0755 : 0644);
	buf_u64(b, (uint64_t)EVIL_MTIME);
	buf_u32(b, 0);
	buf_put(b, md5 != NULL ? md5 : zeros, md5len);
	put_str(b, target, tlen);
	return b->err ? -1 : 0;
}

/* The MD5 of p[0..n). */
static inline void
evil_md5(const void *p, size_t n, uint8_t md[MD5_LEN])
{
	struct md5 c;

	md5_init(&c);
	md5_update(&c, p, n);
	md5_final(&c, md);
}

/* A status code's name, as PROTOCOL.md writes it. */
static inline const char *
evil_status(unsigned st)
{
	switch (st) {
	case ST_OK: return "OK";
	case ST_NEED: return "NEED";
	case ST_BAD_REQUEST: return "BAD_REQUEST";
	case ST_NOT_FOUND: return "NOT_FOUND";
	case ST_BUSY: return "BUSY";
	case ST_QUOTA: return "QUOTA";
	case ST_DENIED: return "DENIED";
	case ST_IO: return "IO";
	case ST_BAD_DATA: return "BAD_DATA";
	}
	return "?";
}

#endif
