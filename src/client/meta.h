/*
 * meta.h — what the client records of an entry beside its content
 * (PROTOCOL.md, "The v2 entry"): owner names, extended attributes, and
 * the inodes already offered under another name (hard links), each in
 * fixed memory.
 */
#ifndef CAIRN_META_H
#define CAIRN_META_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "port.h"

/* Fill e->user and e->group for e->uid and e->gid ("" when they have no
 * name), from a small cache: most files share an owner. */
void meta_owner(struct entry *e);

/*
 * The xattrs of dfd/name itself in the namespaces the protocol carries,
 * sorted, as one field into out[XATTR_MAX] (*n bytes). Those that do not
 * fit are left out and named in left[cap] ("" when none). 0, or -1 when
 * they cannot be listed (errno; a filesystem without xattrs is 0).
 */
int meta_xattrs(int dfd, const char *name, uint8_t *out, size_t *n,
    char *left, size_t cap);

#define LINKS_MAX 4096		/* inodes with more than one name */

/* A file offered under its first name, whose inode has more. */
struct link_slot {
	uint64_t dev, ino;
	uint64_t off;		/* its path in the spill file */
	uint64_t size;
	uint16_t plen;		/* 0: the slot is free */
	uint8_t md5[MD5_LEN];
};

/* The first names, keyed by (device, inode): the paths in a temporary
 * file beside the state, the rest in a fixed table. */
struct links {
	int dfd;			/* where the spill file goes */
	char prefix[PORT_TMP_PREFIX_MAX + 1];
	struct port_tmp spill;
	uint64_t spilled;		/* its length */
	unsigned used;
	int full;			/* said once: the table is full */
	struct link_slot slot[LINKS_MAX];
};

/* Start with none; the spill file is made in dfd, named by prefix, at
 * the first link (what a killed run left there is removed now). */
void links_init(struct links *l, int dfd, const char *prefix);
/*
 * If the inode of st was offered already as a file, make e (path set)
 * a hard link to that first name (type, target, size, MD5): 1; else 0.
 */
int links_find(struct links *l, const struct port_stat *st, struct entry *e);
/* Remember e, just offered as a file, as the first name of st's inode. */
void links_add(struct links *l, const struct port_stat *st,
    const struct entry *e);
/* Remove the spill file. */
void links_close(struct links *l);

#endif
