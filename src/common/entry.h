/*
 * entry.h — one entry of a backup as the walk, the wire, manifests and
 * the client state all carry it (PROTOCOL.md, "The v2 entry"). It knows
 * nothing of TLS or of how it is encoded: proto.c puts it on the wire,
 * record.c in JSON.
 */
#ifndef CAIRN_ENTRY_H
#define CAIRN_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "md5.h"
#include "util.h"

/* Entry types in offers, manifests and state. Version 1 knows 1–3. */
enum {
	E_FILE = 1, E_DIR = 2, E_LINK = 3,	/* a symlink */
	E_FIFO = 4, E_CHR = 5, E_BLK = 6,
	E_HARD = 7,		/* a hard link to an earlier file (target) */
	E_TYPE_MAX = 7
};

/* Entry flags (v2). */
enum {
	EF_SPARSE = 1,		/* the file has holes */
	EF_CHANGED = 2,		/* stored as read while it changed */
	EF_KEEP = 4,		/* offer: unreadable, keep the previous
				 * version; manifest: this is that version */
	EF_MD5_LATER = 8,	/* offer: the MD5 comes at TRANSFER_COMPLETE */
	EF_ALL = 15
};

#define OWNER_NAME_MAX 64	/* a user or group name, NUL not included */
#define XATTR_MAX 16384		/* bytes of an entry's encoded xattrs */

/*
 * An entry of a backup. Fields after mtime_ns are version 2's: a v1
 * entry (from a v1 peer or manifest) has them zero and `owned` 0, which
 * says that no owner was recorded.
 *
 * xattr points at the entry's extended attributes as records
 * (u8 name length, name, u16 value length, value; sorted by name,
 * PROTOCOL.md "The v2 entry"), in storage that its producer owns: the
 * frame it was decoded from, or a buffer the caller gave. A copy of an
 * entry kept past that storage (a queue of needs) must not use it.
 */
struct entry {
	unsigned type;
	unsigned flags;		/* EF_* */
	char path[PATH_CAP];	/* "" only for the source root's own entry */
	size_t plen;
	uint64_t size;
	uint32_t mode;
	int64_t mtime;
	uint32_t mtime_ns;
	int owned;		/* uid and gid were recorded */
	uint32_t uid, gid;
	char user[OWNER_NAME_MAX + 1], group[OWNER_NAME_MAX + 1];
	uint8_t md5[MD5_LEN];	/* files and hard links */
	char target[PATH_CAP];	/* symlink text; a hard link's first path */
	size_t tlen;
	uint32_t major, minor;	/* device nodes */
	const uint8_t *xattr;
	size_t xlen;
};

/*
 * Clear e to an empty entry of type type: every field zero, the path and
 * target empty. Only their first byte is cleared (an entry is 8 KiB, and
 * this runs for every entry): their text is always path[0..plen) and
 * target[0..tlen), NUL-terminated.
 */
void entry_clear(struct entry *e, unsigned type);
/* *d = *s, copying only the used part of path and target. */
void entry_copy(struct entry *d, const struct entry *s);
/* 1 if e's type carries file content (a file or a hard link). */
#define ENTRY_HAS_DATA(e) ((e)->type == E_FILE || (e)->type == E_HARD)

/*
 * Check an xattr field: well-formed records, names of 1–255 bytes in an
 * allowed namespace (user., trusted., security., or exactly
 * system.posix_acl_access / system.posix_acl_default), sorted by name
 * bytes with no duplicate, at most XATTR_MAX bytes. 0 or -1.
 */
int xattr_check(const uint8_t *p, size_t n);
/* 1 if s (n bytes) is a name the field may hold: 1–255 bytes, no NUL, in
 * one of the namespaces xattr_check allows. */
int xattr_name_ok(const char *s, size_t n);
/*
 * Walk the records of a checked field: *off starts at 0; 1 with the
 * next name (nlen bytes, not terminated) and value, 0 at the end.
 */
int xattr_next(const uint8_t *p, size_t n, size_t *off, const char **name,
    size_t *nlen, const uint8_t **val, size_t *vlen);

#endif
