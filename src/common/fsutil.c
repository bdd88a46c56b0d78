/* fsutil.c — file tree helpers; see fsutil.h. */
#include <errno.h>
#include <string.h>

#include "fsutil.h"
#include "port.h"
#include "util.h"

#define RMTREE_DEPTH 200

/* What a file takes: its size, or its blocks when it has holes (a
 * sparse file is charged only the data it holds). */
static uint64_t
file_bytes(const struct port_stat *st)
{
	return st->blocks * 512 < st->size ? st->blocks * 512 : st->size;
}

static void (*tick_fn)(void *);
static void *tick_arg;

void
rmtree_tick(void (*fn)(void *arg), void *arg)
{
	tick_fn = fn;
	tick_arg = arg;
}

static int
rmtree_level(int dfd, const char *name, int depth, uint64_t *freed)
{
	struct port_stat st;
	struct port_dir *d;
	const char *child;
	enum port_type type;
	int fd, r, e = 0;

	if (tick_fn != NULL)
		tick_fn(tick_arg);
	if (port_fstatat(dfd, name, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (st.type != PORT_DIR) {
		if (port_unlinkat(dfd, name, 0) < 0)
			return errno != ENOENT ? -1 : 0;
		if (st.type == PORT_REG && st.nlink == 1)
			*freed += file_bytes(&st);
		return 0;
	}
	if (depth > RMTREE_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	fd = port_openat_dir(dfd, name);
	if (fd < 0)
		return -1;
	d = port_dir_open(fd);
	if (d == NULL) {
		e = errno;
		port_close(fd);
		errno = e;
		return -1;
	}
	while ((r = port_dir_next(d, &child, &type)) > 0)
		if (rmtree_level(fd, child, depth + 1, freed) < 0 && e == 0)
			e = errno;
	if (r < 0 && e == 0)
		e = errno;
	port_dir_close(d);
	port_close(fd);
	if (e != 0) {
		errno = e;
		return -1;
	}
	return port_unlinkat(dfd, name, 1) < 0 && errno != ENOENT ? -1 : 0;
}

int
rmtree_at(int dfd, const char *name)
{
	uint64_t freed = 0;

	return rmtree_level(dfd, name, 0, &freed);
}

int
rmtree_count(int dfd, const char *name, uint64_t *freed)
{
	return rmtree_level(dfd, name, 0, freed);
}

static int
du_level(int dfd, const char *name, int depth, uint64_t *bytes)
{
	struct port_stat st;
	struct port_dir *d;
	const char *child;
	enum port_type type;
	int fd, r;

	if (port_fstatat(dfd, name, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (st.type == PORT_REG && st.nlink > 0)
		*bytes += file_bytes(&st) / st.nlink;
	if (st.type != PORT_DIR || depth > RMTREE_DEPTH)
		return 0;
	fd = port_openat_dir(dfd, name);
	if (fd < 0)
		return -1;
	d = port_dir_open(fd);
	if (d == NULL) {
		port_close(fd);
		return -1;
	}
	while ((r = port_dir_next(d, &child, &type)) > 0)
		du_level(fd, child, depth + 1, bytes);
	port_dir_close(d);
	port_close(fd);
	return r;
}

int
du_at(int dfd, const char *name, uint64_t *bytes)
{
	return du_level(dfd, name, 0, bytes);
}

/* The entries beneath the directory fd, added to *n. */
static int
count_level(int fd, int depth, uint64_t *n)
{
	struct port_dir *d = port_dir_open(fd);
	struct port_stat st;
	const char *child;
	enum port_type type;
	int sub, r;

	if (d == NULL)
		return -1;
	while ((r = port_dir_next(d, &child, &type)) > 0) {
		(*n)++;
		if (type == PORT_UNKNOWN && port_fstatat(fd, child, &st) == 0)
			type = st.type;
		if (type != PORT_DIR || depth >= RMTREE_DEPTH)
			continue;
		sub = port_openat_dir(fd, child);
		if (sub < 0 || count_level(sub, depth + 1, n) < 0)
			r = -1;
		if (sub >= 0)
			port_close(sub);
		if (r < 0)
			break;
	}
	port_dir_close(d);
	return r;
}

int
count_at(int dfd, const char *name, uint64_t *n)
{
	int fd = port_openat_dir(dfd, name), r;

	if (fd < 0)
		return -1;
	r = count_level(fd, 0, n);
	port_close(fd);
	return r;
}

int
mkdir_open(int dfd, const char *name, unsigned mode)
{
	if (port_mkdirat(dfd, name, mode) < 0 && errno != EEXIST)
		return -1;
	return port_openat_dir(dfd, name);
}

void
close_fd(int *fd)
{
	if (*fd >= 0)
		port_close(*fd);
	*fd = -1;
}
