/*
 * glob.h — path patterns with rsync's exclude rules (man/cairn.1,
 * PATTERNS), for the client's --exclude and the server's FIND.
 *
 *   *     any run of characters but '/'
 *   **    any run of characters, '/' included
 *   ?     one character but '/'
 *   [..]  one character of a class ("[a-z]", "[!0-9]", "[]x]"), never '/'
 *   \c    the character c itself
 *
 * A pattern beginning with '/' is anchored at the root of the tree: it
 * matches the whole path. One ending in '/' matches directories only.
 * One holding no '/' (a trailing one apart) and no "**" matches the last
 * name of a path, at any depth; one holding a '/' matches the path's
 * end at a name boundary ("b/c" matches "b/c" and "a/b/c", not "ab/c").
 */
#ifndef CAIRN_GLOB_H
#define CAIRN_GLOB_H

#include <stddef.h>

#define GLOB_MAX 4095		/* bytes of one pattern */

/* 1 if pattern pat[plen] is well formed: 1..GLOB_MAX bytes, no NUL, no
 * unclosed '[' and no trailing lone '\'. */
int glob_ok(const char *pat, size_t plen);
/*
 * 1 if the well-formed pattern pat[plen] matches path[n] (relative to the
 * tree's root, no leading '/', "" never matching), a directory when
 * is_dir; else 0. Bounded work: no backtracking blow-up on hostile
 * patterns (at most about plen × n steps).
 */
int glob_match(const char *pat, size_t plen, const char *path, size_t n,
    int is_dir);

#endif
