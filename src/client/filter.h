/*
 * filter.h — what a backup leaves out: the --extensions filter (which
 * regular files are backed up) and the exclusions (--exclude,
 * --exclude-from, --exclude-caches), which win over it.
 */
#ifndef CAIRN_FILTER_H
#define CAIRN_FILTER_H

#include <stddef.h>
#include <stdint.h>

#define FILTER_MAX 256		/* extensions in one file */
#define FILTER_EXT_MAX 31	/* bytes of one extension */

struct filter {
	int active;		/* 0: every file passes */
	unsigned n;
	char ext[FILTER_MAX][FILTER_EXT_MAX + 1];	/* lower case */
};

/*
 * Read the extension file: one extension per line, a leading dot and case
 * ignored, '#' comments and blank lines allowed. 0, or -1 with a message
 * naming the file and line.
 */
int filter_load(struct filter *f, const char *path);
/* 1 if a regular file called name is backed up. The extension is what
 * follows the last dot, unless that dot starts the name. */
int filter_match(const struct filter *f, const char *name, size_t n);

#define EXCL_MAX 1024		/* patterns of one run */
#define EXCL_POOL (64 * 1024)	/* bytes of all of them */

/* The CACHEDIR.TAG signature (https://bford.info/cachedir/). */
#define CACHEDIR_SIG "Signature: 8a477f597d28d172789f06886806bc55"
#define CACHEDIR_SIG_LEN 43

struct excl {
	unsigned n;
	uint32_t off[EXCL_MAX];	/* each pattern in pool */
	uint16_t len[EXCL_MAX];
	size_t used;
	int caches;		/* --exclude-caches */
	char pool[EXCL_POOL];
};

/*
 * Start x with the patterns pats[np] (from --exclude), the files
 * files[nf] (--exclude-from) and --exclude-caches. 0, or -1 with a
 * message.
 */
int excl_init(struct excl *x, const char *const *pats, unsigned np,
    const char *const *files, unsigned nf, int caches);
/*
 * Add the pattern pat[n] (from where: "--exclude" or "FILE:LINE"). 0, or
 * -1 with one message naming it: not a pattern (glob_ok), or the pool is
 * full.
 */
int excl_add(struct excl *x, const char *pat, size_t n, const char *where);
/*
 * Add the patterns of the file path: one a line, blanks around it
 * trimmed, '#' comments and blank lines skipped. 0, or -1 with a message
 * naming the file and line (a bad pattern, a line over GLOB_MAX bytes).
 */
int excl_load(struct excl *x, const char *path);
/* 1 if path[n] (relative to the source, a directory when is_dir) is left
 * out by a pattern. */
int excl_match(const struct excl *x, const char *path, size_t n,
    int is_dir);
/* 1 if the directory dfd/name holds a CACHEDIR.TAG that begins with the
 * signature (and --exclude-caches is on). */
int excl_cache(const struct excl *x, int dfd, const char *name);

#endif
