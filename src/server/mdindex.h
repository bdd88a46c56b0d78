/*
 * mdindex.h — an on-disk table from MD5 to the offset of a file's record
 * in a snapshot's manifest (the local backend keeps one per snapshot,
 * beside its manifest: store_fs.h), so that the next run can find a file
 * of the previous snapshot by its content alone (renamed or copied files)
 * without holding anything in memory.
 *
 * Layout: "CAIRNIX1", u64 slot count (a power of two), then slots of
 * 16 bytes MD5 and u64 offset + 1 (0: empty), big-endian; open
 * addressing with linear probing. It is a cache: a missing or damaged
 * index only means files are sent again.
 */
#ifndef CAIRN_MDINDEX_H
#define CAIRN_MDINDEX_H

#include <stdint.h>

#include "md5.h"

struct mdindex {
	int fd;
	uint64_t slots, used;
};

/* A new empty table of at least want slots in the empty file fd. */
int mdindex_create(struct mdindex *x, int fd, uint64_t want);
/* The table in fd: 0, or -1 if it is not one. */
int mdindex_open(struct mdindex *x, int fd);
/* Remember md5 → off (the first offset for an MD5 stays); a table 7/8
 * full takes no more. 0 or -1 (I/O error). */
int mdindex_add(struct mdindex *x, const uint8_t md5[MD5_LEN], uint64_t off);
/* 1 with *off when md5 is in the table, 0 when not, -1 on error. */
int mdindex_find(struct mdindex *x, const uint8_t md5[MD5_LEN],
    uint64_t *off);

#endif
