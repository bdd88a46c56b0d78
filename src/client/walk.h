/*
 * walk.h — a depth-first walk of a source tree in path_cmp() order,
 * in fixed memory.
 *
 * Each directory's names are sorted in an arena shared by all open
 * levels; a directory whose names do not fit is read in sorted chunks
 * (each chunk re-reads the directory and keeps the smallest names after
 * the last one taken), so any tree is walked in the same bounded memory.
 * Symlinks are reported, never followed. With one_fs, directories on
 * another filesystem than the root (mount points) are reported but not
 * entered. With excl, what it leaves out is neither reported nor, for a
 * directory, entered (counted in excluded).
 */
#ifndef CAIRN_WALK_H
#define CAIRN_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "port.h"
#include "util.h"

#define WALK_ARENA (1024 * 1024)
#define WALK_DEPTH 256

struct walk_slot {
	uint8_t type;		/* enum port_type from the directory */
	char name[NAME_LEN_MAX + 1];
};

struct walk_level {
	int fd;
	size_t plen;		/* bytes of the path before this level's names */
	size_t base;		/* arena offset of this level's listing */
	uint32_t *idx;		/* slot numbers in sorted order */
	struct walk_slot *slots;
	unsigned n, next;
	int more;		/* names after the last chunk remain */
};

struct walk {
	char path[PATH_CAP];	/* the current entry, relative to the root */
	size_t plen;
	const char *leaf;	/* its last component, within path */
	int dfd;		/* the directory holding it */
	unsigned errors;	/* directories that could not be read */
	int depth;
	int descend;		/* the current entry is a directory to enter */
	int one_fs;		/* stay on the root's filesystem */
	const struct excl *excl;	/* what to leave out, or NULL */
	uint64_t excluded;	/* entries left out by excl */
	uint64_t dev;		/* the root's */
	struct walk_level lv[WALK_DEPTH];
	size_t used;
	uint8_t arena[WALK_ARENA];
};

/* Start walking the directory root (named by the user), with one_fs
 * not entering other filesystems; no exclusions until w->excl is set.
 * 0 or -1. */
int walk_open(struct walk *w, const char *root, int one_fs);
/* The next entry: 1 with w->path, w->dfd, w->leaf and *st; 0 at the end.
 * Unreadable directories are reported (msg) and counted, not fatal. */
int walk_next(struct walk *w, struct port_stat *st);
void walk_close(struct walk *w);

#endif
