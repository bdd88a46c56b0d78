/*
 * nofutime.c — a fault to force in tests: with LD_PRELOAD, setting the
 * times of a regular file (futimens) fails with EIO, as on a filesystem
 * that refuses it. Directories still get their times.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>

int
futimens(int fd, const struct timespec times[2])
{
	int (*real)(int, const struct timespec *);
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		real = (int (*)(int, const struct timespec *))dlsym(RTLD_NEXT,
		    "futimens");
		return real != NULL ? real(fd, times) : 0;
	}
	errno = EIO;
	return -1;
}
