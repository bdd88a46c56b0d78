/*
 * entry.h — one entry of a backup (a file, directory or symlink) as the
 * walk, the wire, manifests and the client state all carry it. It knows
 * nothing of TLS or of how it is encoded: proto.c puts it on the wire,
 * record.c in JSON.
 */
#ifndef CAIRN_ENTRY_H
#define CAIRN_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "md5.h"
#include "util.h"

/* Entry types in offers, manifests and state. */
enum { E_FILE = 1, E_DIR = 2, E_LINK = 3 };

/* A file, directory or symlink of a backup. */
struct entry {
	unsigned type;
	char path[PATH_CAP];
	size_t plen;
	uint64_t size;
	uint32_t mode;
	int64_t mtime;
	uint32_t mtime_ns;
	uint8_t md5[MD5_LEN];	/* files only */
	char target[PATH_CAP];	/* links only */
	size_t tlen;
};

#endif
