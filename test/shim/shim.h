/* shim.h — what the LD_PRELOAD fault shims share. */
#ifndef CAIRN_SHIM_H
#define CAIRN_SHIM_H

#include <stdio.h>
#include <unistd.h>

/* The path of fd into path[cap] ("" when it has none), from /proc. */
static const char *
path_of(int fd, char *path, size_t cap)
{
	char link[64];
	ssize_t len;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	len = readlink(link, path, cap - 1);
	path[len > 0 ? len : 0] = 0;
	return path;
}

#endif
