/*
 * readcount.c — with LD_PRELOAD, note in the file $CAIRN_READS each read
 * of a file beneath $CAIRN_READS_UNDER: one line "BYTES PATH" per read(),
 * pread() or readv() that returned data. Tests sum the lines per path to
 * see how many times a file's content was read.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "shim.h"

ssize_t read(int fd, void *p, size_t n);
ssize_t pread(int fd, void *p, size_t n, off_t off);
ssize_t pread64(int fd, void *p, size_t n, off_t off);
ssize_t readv(int fd, const struct iovec *v, int n);

/* Note n bytes read from fd, if it is a file beneath the directory. */
static void
note(int fd, ssize_t n)
{
	const char *file = getenv("CAIRN_READS"),
	    *under = getenv("CAIRN_READS_UNDER");
	char path[4096], line[4200];
	int out, len, e;

	if (n <= 0 || file == NULL || under == NULL || *under == 0)
		return;
	e = errno;
	path_of(fd, path, sizeof path);
	if (strncmp(path, under, strlen(under)) == 0) {
		len = snprintf(line, sizeof line, "%ld %s\n", (long)n, path);
		out = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0600);
		if (out >= 0) {
			if (len > 0 && write(out, line, (size_t)len) < 0)
				len = 0;
			close(out);
		}
	}
	errno = e;
}

ssize_t
read(int fd, void *p, size_t n)
{
	static ssize_t (*real)(int, void *, size_t);
	ssize_t r;

	if (real == NULL)
		real = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT,
		    "read");
	r = real(fd, p, n);
	note(fd, r);
	return r;
}

ssize_t
pread(int fd, void *p, size_t n, off_t off)
{
	static ssize_t (*real)(int, void *, size_t, off_t);
	ssize_t r;

	if (real == NULL)
		real = (ssize_t (*)(int, void *, size_t, off_t))dlsym(
		    RTLD_NEXT, "pread");
	r = real(fd, p, n, off);
	note(fd, r);
	return r;
}

ssize_t
pread64(int fd, void *p, size_t n, off_t off)
{
	static ssize_t (*real)(int, void *, size_t, off_t);
	ssize_t r;

	if (real == NULL)
		real = (ssize_t (*)(int, void *, size_t, off_t))dlsym(
		    RTLD_NEXT, "pread64");
	r = real(fd, p, n, off);
	note(fd, r);
	return r;
}

ssize_t
readv(int fd, const struct iovec *v, int n)
{
	static ssize_t (*real)(int, const struct iovec *, int);
	ssize_t r;

	if (real == NULL)
		real = (ssize_t (*)(int, const struct iovec *, int))dlsym(
		    RTLD_NEXT, "readv");
	r = real(fd, v, n);
	note(fd, r);
	return r;
}
