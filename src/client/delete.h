/*
 * delete.h — cairn --restore --delete: after a restore, remove what the
 * target holds and the snapshot does not, in fixed memory. The
 * snapshot's paths are kept in a temporary file in manifest (path_cmp)
 * order; each directory's children there are merged with its names in
 * the target, sorted. Nothing is followed through a symlink, nothing
 * across a mount point, and a directory too large to list whole is
 * left alone, named.
 */
#ifndef CAIRN_DELETE_H
#define CAIRN_DELETE_H

#include <stddef.h>
#include <stdint.h>

#define DLIST_BUF 65536		/* the path list's window */

/* The snapshot's paths, as records {u8 type, u16 length, path}. */
struct dlist {
	int fd;
	uint64_t end;		/* bytes written */
	uint64_t base;		/* the file offset of buf[0] */
	size_t len;		/* bytes of buf in use */
	int writing;
	uint8_t buf[DLIST_BUF];
};

/* What to delete beneath: the included paths (none: all of root). */
struct dscope {
	int root;
	int dry;		/* say what would go, remove nothing */
	const char *shown;	/* the target, safe to print */
	unsigned n;
	const char *const *inc;
	const size_t *inc_len;
	uint64_t deleted, errors;
};

/* Start the list on fd (a temporary file, empty, open for both). */
void dlist_open(struct dlist *l, int fd);
/* Append the entry type, p[0..n). 0 or -1 (errno). */
int dlist_put(struct dlist *l, unsigned type, const char *p, size_t n);
/* Remove from the target what l does not hold, beneath the scope's
 * paths; each removal said (info), counted in s->deleted; what cannot
 * be removed or is left alone for safety is counted in s->errors. */
void delete_extra(struct dlist *l, struct dscope *s);

#endif
