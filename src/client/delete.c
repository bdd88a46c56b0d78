/* delete.c — restore --delete; see delete.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "delete.h"
#include "entry.h"
#include "path.h"
#include "port.h"
#include "util.h"

#define DEL_NAMES 4096		/* names of one target directory */
#define DEL_POOL 131072		/* and their bytes */
#define DEL_DEPTH 200		/* levels of an extra tree removed */

static char pool[DEL_POOL];
static const char *names[DEL_NAMES];
static char shown_b[PATH_CAP], dir_b[PATH_CAP];

void
dlist_open(struct dlist *l, int fd)
{
	l->fd = fd;
	l->end = l->base = 0;
	l->len = 0;
	l->writing = 1;
}

static int
dlist_flush(struct dlist *l)
{
	if (l->len > 0 && port_write_all(l->fd, l->buf, l->len) < 0)
		return -1;
	l->end += l->len;
	l->len = 0;
	return 0;
}

int
dlist_put(struct dlist *l, unsigned type, const char *p, size_t n)
{
	if (n + 3 > sizeof l->buf - l->len && dlist_flush(l) < 0)
		return -1;
	l->buf[l->len++] = (uint8_t)type;
	l->buf[l->len++] = (uint8_t)(n >> 8);
	l->buf[l->len++] = (uint8_t)n;
	memcpy(l->buf + l->len, p, n);
	l->len += n;
	return 0;
}

/* The record at off: *type, *p[0..*n) (valid until the next call); the
 * next record's offset, or 0 at the end (or on a read error). */
static uint64_t
rec_at(struct dlist *l, uint64_t off, unsigned *type, const char **p,
    size_t *n)
{
	long got;
	size_t at;

	if (off + 3 > l->end)
		return 0;
	if (off < l->base || off + 3 > l->base + l->len || off + 3 +
	    ((size_t)l->buf[off - l->base + 1] << 8 |
	    l->buf[off - l->base + 2]) > l->base + l->len) {
		got = port_pread(l->fd, l->buf, sizeof l->buf, off);
		if (got < 3)
			return 0;
		l->base = off;
		l->len = (size_t)got;
	}
	at = (size_t)(off - l->base);
	*type = l->buf[at];
	*n = (size_t)l->buf[at + 1] << 8 | l->buf[at + 2];
	if (at + 3 + *n > l->len)
		return 0;
	*p = (const char *)l->buf + at + 3;
	return off + 3 + *n;
}

/* Sort names[0..n) by strcmp: Shell's sort with gaps 3h+1, no recursion
 * and no C library sort linked in (n is at most DEL_NAMES). */
static void
sort_names(size_t n)
{
	size_t gap, i, j;
	const char *t;

	for (gap = 1; gap < n / 3; gap = gap * 3 + 1)
		;
	for (; gap > 0; gap /= 3)
		for (i = gap; i < n; i++) {
			t = names[i];
			for (j = i; j >= gap && strcmp(names[j - gap], t) > 0;
			    j -= gap)
				names[j] = names[j - gap];
			names[j] = t;
		}
}

/* The names of the open directory fd, sorted, into names[]: how many,
 * or -1 when they do not fit (or cannot be read). */
static long
list_names(int fd)
{
	struct port_dir *d = port_dir_open(fd);
	enum port_type type;
	const char *name;
	size_t used = 0, k, n = 0;
	int r;

	if (d == NULL)
		return -1;
	while ((r = port_dir_next(d, &name, &type)) > 0) {
		k = strlen(name) + 1;
		if (n == DEL_NAMES || k > sizeof pool - used)
			break;
		memcpy(pool + used, name, k);
		names[n++] = pool + used;
		used += k;
	}
	port_dir_close(d);
	if (r != 0)
		return -1;
	sort_names(n);
	return (long)n;
}

/* Remove the tree dfd/name (not crossing out of device dev, symlinks
 * removed as links): 0, or -1 when some of it stays. */
static int
del_tree(int dfd, const char *name, uint64_t dev, int depth)
{
	struct port_stat st;
	struct port_dir *d;
	enum port_type type;
	const char *child;
	int fd, r, bad = 0;

	if (port_fstatat(dfd, name, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (st.type != PORT_DIR)
		return port_unlinkat(dfd, name, 0);
	if (st.dev != dev || depth > DEL_DEPTH ||
	    (fd = port_openat_dir(dfd, name)) < 0)
		return -1;
	if ((d = port_dir_open(fd)) == NULL) {
		port_close(fd);
		return -1;
	}
	while ((r = port_dir_next(d, &child, &type)) > 0)
		if (del_tree(fd, child, dev, depth + 1) < 0)
			bad = 1;
	port_dir_close(d);
	port_close(fd);
	if (bad || r < 0)
		return -1;
	return port_unlinkat(dfd, name, 1);
}

/* dir/name of the snapshot's directory dir, safe to print. */
static const char *
shown_in(const struct dscope *s, const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (n + strlen(name) + 2 > sizeof dir_b)
		n = sizeof dir_b - strlen(name) - 2;
	memcpy(dir_b, dir, n);
	dir_b[n] = 0;
	if (n > 0)
		strcat(dir_b, "/");
	strcat(dir_b, name);
	(void)s;
	return shown(dir_b, strlen(dir_b), shown_b, sizeof shown_b);
}

/* Remove fd/name, which the snapshot's directory dir does not hold. */
static void
del_one(struct dscope *s, int fd, uint64_t dev, const char *dir,
    const char *name)
{
	struct port_stat st;

	if (strncmp(name, ".cairn-restore-", 15) == 0 ||
	    port_fstatat(fd, name, &st) < 0)
		return;
	if (st.type == PORT_DIR && st.dev != dev) {
		msg("%s: not deleted: another filesystem is mounted there",
		    shown_in(s, dir, name));
		s->errors++;
		return;
	}
	if (s->dry) {
		info("would delete %s%s", shown_in(s, dir, name),
		    st.type == PORT_DIR ? "/ and what it holds" : "");
		s->deleted++;
		return;
	}
	if (del_tree(fd, name, dev, 0) < 0) {
		msg("%s: cannot delete all of it: %s", shown_in(s, dir, name),
		    strerror(errno));
		s->errors++;
		return;
	}
	info("deleted %s", shown_in(s, dir, name));
	s->deleted++;
}

/* Order a target name against a child c[0..n) of the list, as strcmp. */
static int
child_cmp(const char *name, const char *c, size_t n)
{
	size_t k = strlen(name);
	int d = memcmp(name, c, k < n ? k : n);

	return d != 0 ? d : (k > n) - (k < n);
}

/* The target directory of the snapshot's directory dir ("" the root),
 * open; -1 when it is not there as a directory of the target's device
 * (a symlink is not followed; a mount point is named). */
static int
open_dir(struct dscope *s, const char *dir, uint64_t dev)
{
	struct port_stat st;
	const char *leaf;
	int dfd, fd;

	if (dir[0] == 0)
		return port_openat_dir(s->root, ".");
	if ((dfd = path_parent(s->root, dir, 0, &leaf)) < 0)
		return -1;
	fd = port_openat_dir(dfd, leaf);
	port_close(dfd);
	if (fd >= 0 && (port_fstat(fd, &st) < 0 || st.dev != dev)) {
		msg("%s: not deleting in it: another filesystem is mounted "
		    "there", shown(dir, strlen(dir), shown_b, sizeof shown_b));
		s->errors++;
		port_close(fd);
		return -1;
	}
	return fd;
}

/* Delete what the target's dir holds and the list, from off on (the
 * records below dir), does not. */
static void
clean_dir(struct dlist *l, struct dscope *s, const char *dir, uint64_t off,
    uint64_t dev)
{
	size_t dlen = strlen(dir), n, cl;
	const char *p, *c;
	unsigned type;
	long count, i = 0;
	uint64_t next;
	int fd = open_dir(s, dir, dev);

	if (fd < 0)
		return;
	if ((count = list_names(fd)) < 0) {
		msg("%s: not deleting in it: it holds more than %d names, or "
		    "cannot be listed", dlen ? shown(dir, dlen, shown_b,
		    sizeof shown_b) : s->shown, DEL_NAMES);
		s->errors++;
		port_close(fd);
		return;
	}
	while ((next = rec_at(l, off, &type, &p, &n)) != 0) {
		if (dlen > 0 && (n <= dlen || !path_within(p, n, dir, dlen)))
			break;
		off = next;
		c = dlen > 0 ? p + dlen + 1 : p;
		cl = n - (size_t)(c - p);
		if (cl == 0 || memchr(c, '/', cl) != NULL)
			continue;	/* the root entry, or deeper */
		while (i < count && child_cmp(names[i], c, cl) < 0)
			del_one(s, fd, dev, dir, names[i++]);
		if (i < count && child_cmp(names[i], c, cl) == 0)
			i++;
	}
	while (i < count)
		del_one(s, fd, dev, dir, names[i++]);
	port_close(fd);
}

/* 1 if the snapshot's directory p[0..n) is within the scope. */
static int
in_scope(const struct dscope *s, const char *p, size_t n)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		if (path_within(p, n, s->inc[i], s->inc_len[i]))
			return 1;
	return s->n == 0;
}

void
delete_extra(struct dlist *l, struct dscope *s)
{
	static char dir[PATH_CAP];
	struct port_stat st;
	uint64_t off = 0, next;
	const char *p;
	unsigned type;
	size_t n;

	if (dlist_flush(l) < 0 || port_fstat(s->root, &st) < 0) {
		msg("cannot read back the snapshot's paths: %s; nothing "
		    "deleted", strerror(errno));
		s->errors++;
		return;
	}
	l->writing = 0;
	l->base = l->len = 0;
	if (s->n == 0)
		clean_dir(l, s, "", 0, st.dev);
	while ((next = rec_at(l, off, &type, &p, &n)) != 0) {
		off = next;
		if (type != E_DIR || n == 0 || !in_scope(s, p, n))
			continue;
		memcpy(dir, p, n);
		dir[n] = 0;
		clean_dir(l, s, dir, off, st.dev);
	}
}
