/*
 * diskfault.c — disk faults to force in tests, with LD_PRELOAD: writes to
 * a regular file whose name holds CAIRN_NOSPACE_PATH (a substring, e.g.
 * "/.incoming/") fail with ENOSPC, as on a full disk; writes to one whose
 * name holds CAIRN_SLOW_PATH each take CAIRN_SLOW_MS more milliseconds
 * (default 50), as on a slow disk. Other writes (sockets, logs) go through.
 * fsync of the file or directory whose path is exactly CAIRN_FSYNC_EIO
 * fails with EIO, as on a failing disk. Each syncfs takes CAIRN_SLOW_SYNC_MS
 * milliseconds more, as a slow card flushing much data would.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

ssize_t write(int fd, const void *p, size_t n);
int fsync(int fd);
int syncfs(int fd);

/* 1 if fd is a regular file whose path holds the pattern in env var. */
static int
matches(int fd, const char *var)
{
	const char *pat = getenv(var);
	char path[4096];
	struct stat st;

	if (pat == NULL || *pat == 0 || fstat(fd, &st) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	path_of(fd, path, sizeof path);
	return path[0] != 0 && strstr(path, pat) != NULL;
}

ssize_t
write(int fd, const void *p, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (real == NULL)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT,
		    "write");
	if (n > 0 && matches(fd, "CAIRN_NOSPACE_PATH")) {
		errno = ENOSPC;
		return -1;
	}
	if (n > 0 && matches(fd, "CAIRN_SLOW_PATH")) {
		const char *ms = getenv("CAIRN_SLOW_MS");
		long v = ms != NULL ? atol(ms) : 50;
		struct timespec ts;

		ts.tv_sec = v / 1000;
		ts.tv_nsec = (v % 1000) * 1000000L;
		nanosleep(&ts, NULL);
	}
	return real(fd, p, n);
}

int
fsync(int fd)
{
	static int (*real)(int);
	const char *want = getenv("CAIRN_FSYNC_EIO");
	char path[4096];

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (want != NULL && *want != 0) {
		path_of(fd, path, sizeof path);
		if (strcmp(path, want) == 0) {
			errno = EIO;
			return -1;
		}
	}
	return real(fd);
}

int
syncfs(int fd)
{
	static int (*real)(int);
	const char *ms = getenv("CAIRN_SLOW_SYNC_MS");
	struct timespec ts;
	long n;

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");
	if (ms != NULL && (n = atol(ms)) > 0) {
		ts.tv_sec = n / 1000;
		ts.tv_nsec = n % 1000 * 1000000L;
		while (nanosleep(&ts, &ts) < 0)
			;
	}
	return real(fd);
}
