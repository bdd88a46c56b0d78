/*
 * trace.c — with LD_PRELOAD, note in the file $CAIRN_TRACE each call that
 * makes data durable or visible, in the order made: "syncfs", "fsync
 * PATH", "rename OLD NEW" (the names as given). Tests read it to check
 * that a commit makes its data durable before the rename that shows it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

int syncfs(int fd);
int fsync(int fd);
int renameat(int ofd, const char *old, int nfd, const char *new);

/* Append one line to the trace (kept out of the way of errno). */
static void
note(const char *what, const char *a, const char *b)
{
	const char *file = getenv("CAIRN_TRACE");
	char line[8300];
	int fd, n, e;

	if (file == NULL || *file == 0)
		return;
	e = errno;
	n = snprintf(line, sizeof line, "%s%s%s%s%s\n", what, a ? " " : "",
	    a ? a : "", b ? " " : "", b ? b : "");
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (n > 0 && write(fd, line, (size_t)n) < 0)
			n = 0;
		close(fd);
	}
	errno = e;
}

int
syncfs(int fd)
{
	static int (*real)(int);

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");
	note("syncfs", NULL, NULL);
	return real(fd);
}

int
fsync(int fd)
{
	static int (*real)(int);
	char path[4096];

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	note("fsync", path_of(fd, path, sizeof path), NULL);
	return real(fd);
}

int
renameat(int ofd, const char *old, int nfd, const char *new)
{
	static int (*real)(int, const char *, int, const char *);

	if (real == NULL)
		real = (int (*)(int, const char *, int, const char *))dlsym(
		    RTLD_NEXT, "renameat");
	note("rename", old, new);
	return real(ofd, old, nfd, new);
}
