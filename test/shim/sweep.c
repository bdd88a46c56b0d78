/*
 * sweep.c — one fault at a stepped point, for fault sweeps (t_sweep.sh),
 * with LD_PRELOAD: the CAIRN_SWEEP_AT-th call (in this process) of kind
 * CAIRN_SWEEP_OP (write, fsync, syncfs, rename or link) on a path that
 * holds CAIRN_SWEEP_PATH fails with EIO or ENOSPC, or kills the process
 * with SIGKILL before it is made (CAIRN_SWEEP_DO: eio, enospc, kill).
 * When it fires it creates the file CAIRN_SWEEP_FIRED, so the sweep
 * knows when the steps have gone past the last call.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim.h"

ssize_t write(int fd, const void *p, size_t n);
int fsync(int fd);
int syncfs(int fd);
int renameat(int ofd, const char *old, int nfd, const char *new);
int linkat(int ofd, const char *old, int nfd, const char *new, int flags);

static long calls;

/* 1 if fd (or any, for syncfs: fd -1) is in the swept tree. */
static int
in_scope(int fd)
{
	const char *pat = getenv("CAIRN_SWEEP_PATH");
	char path[4096];

	if (pat == NULL || *pat == 0)
		return 0;
	if (fd < 0)
		return 1;
	path_of(fd, path, sizeof path);
	return strstr(path, pat) != NULL;
}

/* 0 to make the call, or -1 (errno set) when this is the one to fail. */
static int
fault(const char *op, int fd)
{
	const char *want = getenv("CAIRN_SWEEP_OP");
	const char *at = getenv("CAIRN_SWEEP_AT");
	const char *how = getenv("CAIRN_SWEEP_DO");
	const char *fired = getenv("CAIRN_SWEEP_FIRED");
	int e = errno, f;

	if (want == NULL || at == NULL || strcmp(want, op) != 0 ||
	    !in_scope(fd) || ++calls != atol(at))
		return 0;
	if (fired != NULL && (f = open(fired, O_WRONLY | O_CREAT | O_CLOEXEC,
	    0600)) >= 0)
		close(f);
	errno = e;
	if (how != NULL && strcmp(how, "kill") == 0)
		kill(getpid(), SIGKILL);
	errno = how != NULL && strcmp(how, "enospc") == 0 ? ENOSPC : EIO;
	return -1;
}

/* A regular file (write's kind of target). */
static int
regular(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

ssize_t
write(int fd, const void *p, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (real == NULL)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT,
		    "write");
	if (n > 0 && regular(fd) && fault("write", fd) < 0)
		return -1;
	return real(fd, p, n);
}

int
fsync(int fd)
{
	static int (*real)(int);

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (fault("fsync", fd) < 0)
		return -1;
	return real(fd);
}

int
syncfs(int fd)
{
	static int (*real)(int);

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");
	if (fault("syncfs", -1) < 0)
		return -1;
	return real(fd);
}

int
renameat(int ofd, const char *old, int nfd, const char *new)
{
	static int (*real)(int, const char *, int, const char *);

	if (real == NULL)
		real = (int (*)(int, const char *, int, const char *))dlsym(
		    RTLD_NEXT, "renameat");
	if (fault("rename", nfd) < 0)
		return -1;
	return real(ofd, old, nfd, new);
}

int
linkat(int ofd, const char *old, int nfd, const char *new, int flags)
{
	static int (*real)(int, const char *, int, const char *, int);

	if (real == NULL)
		real = (int (*)(int, const char *, int, const char *, int))dlsym(
		    RTLD_NEXT, "linkat");
	if (fault("link", nfd) < 0)
		return -1;
	return real(ofd, old, nfd, new, flags);
}
