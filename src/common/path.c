/* path.c — path checks, order and safe resolution; see path.h. */
#include <errno.h>
#include <string.h>

#include "path.h"
#include "port.h"
#include "util.h"

int
name_check(const char *s, size_t n)
{
	if (n == 0 || n > NAME_LEN_MAX)
		return -1;
	if (s[0] == '.' && (n == 1 || (n == 2 && s[1] == '.')))
		return -1;
	if (memchr(s, '/', n) != NULL || memchr(s, 0, n) != NULL)
		return -1;
	return 0;
}

int
path_check(const char *p, size_t n)
{
	size_t i = 0, j;

	if (n == 0 || n > PATH_LEN_MAX)
		return -1;
	while (i <= n) {
		for (j = i; j < n && p[j] != '/'; j++)
			;
		if (name_check(p + i, j - i) < 0)
			return -1;
		i = j + 1;
	}
	return 0;
}

int
path_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i, n = an < bn ? an : bn;
	unsigned ca, cb;

	for (i = 0; i < n; i++) {
		ca = (unsigned char)a[i];
		cb = (unsigned char)b[i];
		if (ca == cb)
			continue;
		/* A separator sorts before any byte of a name. */
		if (ca == '/')
			return -1;
		if (cb == '/')
			return 1;
		return ca < cb ? -1 : 1;
	}
	return an < bn ? -1 : an > bn;
}

int
path_parent(int root, const char *p, int create, const char **leaf)
{
	char name[NAME_LEN_MAX + 1];
	const char *s = p, *slash;
	int dfd, next, e;

	dfd = port_openat_dir(root, ".");
	if (dfd < 0)
		return -1;
	while ((slash = strchr(s, '/')) != NULL) {
		size_t n = (size_t)(slash - s);
		if (n > NAME_LEN_MAX) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		memcpy(name, s, n);
		name[n] = 0;
		next = port_openat_dir(dfd, name);
		if (next < 0 && errno == ENOENT && create) {
			if (port_mkdirat(dfd, name, 0755) < 0 &&
			    errno != EEXIST)
				goto fail;
			next = port_openat_dir(dfd, name);
		}
		if (next < 0)
			goto fail;
		port_close(dfd);
		dfd = next;
		s = slash + 1;
	}
	*leaf = s;
	return dfd;
fail:
	e = errno;
	port_close(dfd);
	errno = e;
	return -1;
}

void
dircache_init(struct dircache *c)
{
	c->fd = -1;
	c->len = 0;
}

int
dircache_parent(struct dircache *c, int root, const char *p,
    const char **leaf)
{
	const char *slash = strrchr(p, '/');
	size_t n = slash != NULL ? (size_t)(slash - p) : 0;

	if (c->fd >= 0 && c->len == n && memcmp(c->dir, p, n) == 0) {
		*leaf = slash != NULL ? slash + 1 : p;
		return c->fd;
	}
	dircache_close(c);
	c->fd = path_parent(root, p, 0, leaf);
	if (c->fd >= 0) {
		memcpy(c->dir, p, n);
		c->len = n;
	}
	return c->fd;
}

void
dircache_close(struct dircache *c)
{
	if (c->fd >= 0)
		port_close(c->fd);
	c->fd = -1;
}

int
path_within(const char *p, size_t n, const char *top, size_t k)
{
	return n >= k && memcmp(p, top, k) == 0 && (n == k || p[k] == '/');
}
