/* filter.h — the --extensions filter: which regular files are backed up. */
#ifndef CAIRN_FILTER_H
#define CAIRN_FILTER_H

#include <stddef.h>

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

#endif
