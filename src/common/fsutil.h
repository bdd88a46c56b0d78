/* fsutil.h — file tree helpers built on port/. */
#ifndef CAIRN_FSUTIL_H
#define CAIRN_FSUTIL_H

#include <stdint.h>

/* Remove dfd/name and everything beneath it, never following a symlink.
 * Missing is success. 0 or -1 (errno). */
int rmtree_at(int dfd, const char *name);
/* Call fn(arg) (NULL: nothing) after each entry the removals below make,
 * so that a caller can speak while a large tree goes. */
void rmtree_tick(void (*fn)(void *arg), void *arg);
/* The same, adding to *freed the bytes of the regular files whose last
 * link went (the space given back). */
int rmtree_count(int dfd, const char *name, uint64_t *freed);
/* The space used by the regular files beneath dfd/name, each counted
 * size / links, so that hard-linked copies sum to one (a sparse file:
 * its blocks, not its size). 0 or -1. */
int du_at(int dfd, const char *name, uint64_t *bytes);
/* The number of entries beneath the directory dfd/name (files,
 * directories, links: everything but itself), added to *n. 0 or -1. */
int count_at(int dfd, const char *name, uint64_t *n);
/* Close *fd if it is open, and mark it closed (-1). */
void close_fd(int *fd);
/* Open dfd/name as a directory, creating it (mode) if missing. */
int mkdir_open(int dfd, const char *name, unsigned mode);

#endif
