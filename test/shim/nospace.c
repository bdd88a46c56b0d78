/*
 * nospace.c — a fault to force in tests: with LD_PRELOAD, writes to a
 * regular file whose name holds CAIRN_NOSPACE_PATH (a substring, e.g.
 * "/.incoming/") fail with ENOSPC, as on a full disk. Other writes (the
 * sockets, the log) go through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t write(int fd, const void *p, size_t n);

/* 1 if fd is a regular file whose path holds the pattern. */
static int
full(int fd)
{
	const char *pat = getenv("CAIRN_NOSPACE_PATH");
	char link[64], path[4096];
	struct stat st;
	ssize_t len;

	if (pat == NULL || *pat == 0 || fstat(fd, &st) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof path - 1);
	if (len <= 0)
		return 0;
	path[len] = 0;
	return strstr(path, pat) != NULL;
}

ssize_t
write(int fd, const void *p, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (real == NULL)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT,
		    "write");
	if (n > 0 && full(fd)) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, p, n);
}
