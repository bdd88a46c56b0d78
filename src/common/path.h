/*
 * path.h — relative paths from the network or a manifest: checking,
 * ordering, and resolving beneath a directory descriptor.
 *
 * A valid path is relative, 1..PATH_LEN_MAX bytes, made of components of
 * 1..NAME_LEN_MAX bytes separated by single slashes, none of them "." or
 * "..", and holds no NUL. Such a path can only name something beneath the
 * directory it is resolved in, as long as no component is followed
 * through a symlink — which path_parent() guarantees.
 */
#ifndef CAIRN_PATH_H
#define CAIRN_PATH_H

#include <stddef.h>

#include "util.h"

/* 0 if p[0..n) is a valid relative path, -1 otherwise. */
int path_check(const char *p, size_t n);
/* 0 if s[0..n) is a valid single component, -1 otherwise. */
int name_check(const char *s, size_t n);

/*
 * The order of every sorted stream in cairn (directory walks, client
 * state, manifests): component by component, bytes compared unsigned, so
 * "a/b" sorts before "a.txt" exactly as a depth-first walk of sorted
 * directories visits them. Returns <0, 0 or >0.
 */
int path_cmp(const char *a, size_t an, const char *b, size_t bn);

/* 1 if p[0..n) is top[0..k) or below it ("a/b" is within "a", "ab"
 * is not), 0 otherwise. */
int path_within(const char *p, size_t n, const char *top, size_t k);

/*
 * Open the directory that holds the last component of the valid path p,
 * beneath root, never following a symlink (O_NOFOLLOW at every step).
 * With create, missing intermediate directories are made (mode 0755).
 * Returns the directory fd (to close) and sets *leaf to the last
 * component within p; -1 with errno on failure (ELOOP or ENOTDIR when a
 * component is a symlink or not a directory).
 */
int path_parent(int root, const char *p, int create, const char **leaf);

/*
 * A one-entry cache of the directory holding the last path resolved
 * beneath a root: sorted paths mostly share it, and each resolution
 * costs an open per component.
 */
struct dircache {
	int fd;
	size_t len;
	char dir[PATH_LEN_MAX + 1];
};

void dircache_init(struct dircache *c);
/* As path_parent(root, p, 0, leaf), but the fd belongs to the cache:
 * do not close it. The cache must be used with one root only. */
int dircache_parent(struct dircache *c, int root, const char *p,
    const char **leaf);
void dircache_close(struct dircache *c);

#endif
