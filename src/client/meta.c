/* meta.c — owner names, xattrs and hard links of entries; see meta.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "meta.h"
#include "util.h"

/* ---- owner names ---------------------------------------------------------- */

#define OWNER_CACHE 8

struct owner {
	uint32_t id;
	int set;
	char name[OWNER_NAME_MAX + 1];
};

/* The name of id in cache c[OWNER_CACHE] (*next: the slot to reuse),
 * looked up by get when not there. */
static const char *
owner_name(struct owner *c, unsigned *next, uint32_t id,
    long (*get)(uint32_t, char *, size_t))
{
	struct owner *o;
	unsigned i;

	for (i = 0; i < OWNER_CACHE; i++)
		if (c[i].set && c[i].id == id)
			return c[i].name;
	o = &c[*next];
	*next = (*next + 1) % OWNER_CACHE;
	o->set = 1;
	o->id = id;
	if (get(id, o->name, sizeof o->name) < 0)
		o->name[0] = 0;	/* no name: the number is what counts */
	return o->name;
}

void
meta_owner(struct entry *e)
{
	static struct owner users[OWNER_CACHE], groups[OWNER_CACHE];
	static unsigned nu, ng;

	snprintf(e->user, sizeof e->user, "%s",
	    owner_name(users, &nu, e->uid, port_user_name));
	snprintf(e->group, sizeof e->group, "%s",
	    owner_name(groups, &ng, e->gid, port_group_name));
}

/* ---- extended attributes -------------------------------------------------- */

#define XATTR_NAMES 65536	/* the kernel lists at most this much */
#define XATTR_COUNT 4096	/* names of one entry we sort */

/* The wanted names of list[0..n) into v[XATTR_COUNT], sorted by bytes:
 * their count. */
static size_t
xattr_sorted(char *list, size_t n, const char **v)
{
	const char *name;
	size_t off, k = 0, i;

	for (off = 0; off < n; off += strlen(list + off) + 1) {
		name = list + off;
		if (!xattr_name_ok(name, strlen(name)) || k == XATTR_COUNT)
			continue;
		for (i = k++; i > 0 && strcmp(v[i - 1], name) > 0; i--)
			v[i] = v[i - 1];
		v[i] = name;
	}
	return k;
}

/* Add name to the list of those left out, in left[cap]. */
static void
left_out(char *left, size_t cap, const char *name)
{
	size_t n = strlen(left);

	if (n + 1 < cap)
		snprintf(left + n, cap - n, "%s%s", n > 0 ? ", " : "", name);
}

int
meta_xattrs(int dfd, const char *name, uint8_t *out, size_t *n, char *left,
    size_t cap)
{
	static char list[XATTR_NAMES];
	static const char *v[XATTR_COUNT];
	size_t k, i, nlen, len = 0, room;
	long got;

	*n = 0;
	left[0] = 0;
	got = port_xattr_list(dfd, name, list, sizeof list);
	if (got < 0)
		return errno == ENOTSUP || errno == EOPNOTSUPP ? 0 : -1;
	k = xattr_sorted(list, (size_t)got, v);
	for (i = 0; i < k; i++) {
		nlen = strlen(v[i]);
		room = XATTR_MAX - len;
		got = -1;
		errno = ERANGE;
		if (room >= 3 + nlen) {
			room -= 3 + nlen;
			got = port_xattr_get(dfd, name, v[i],
			    out + len + 3 + nlen, room < 65535 ? room : 65535);
		}
		if (got < 0 && errno == ENODATA)
			continue;	/* removed meanwhile */
		if (got < 0) {
			left_out(left, cap, v[i]);
			continue;
		}
		out[len] = (uint8_t)nlen;
		memcpy(out + len + 1, v[i], nlen);
		out[len + 1 + nlen] = (uint8_t)(got >> 8);
		out[len + 2 + nlen] = (uint8_t)got;
		len += 3 + nlen + (size_t)got;
	}
	*n = len;
	return 0;
}

/* ---- hard links ----------------------------------------------------------- */

void
links_init(struct links *l, int dfd, const char *prefix)
{
	memset(l->slot, 0, sizeof l->slot);
	l->dfd = dfd;
	snprintf(l->prefix, sizeof l->prefix, "%s", prefix);
	l->spill.fd = -1;
	l->spilled = 0;
	l->used = 0;
	l->full = 0;
	port_tmp_clean_as(dfd, prefix);
}

/* The slot of (dev, ino), or the free one where it would go. */
static struct link_slot *
link_slot(struct links *l, uint64_t dev, uint64_t ino)
{
	uint64_t h = ino * 0x9e3779b97f4a7c15ull ^ dev * 0xff51afd7ed558ccdull;
	unsigned i = (unsigned)(h >> 40) % LINKS_MAX;
	struct link_slot *s;

	for (;;) {
		s = &l->slot[i];
		if (s->plen == 0 || (s->dev == dev && s->ino == ino))
			return s;
		i = (i + 1) % LINKS_MAX;
	}
}

int
links_find(struct links *l, const struct port_stat *st, struct entry *e)
{
	struct link_slot *s;

	if (st->nlink < 2 || l->used == 0)
		return 0;
	s = link_slot(l, st->dev, st->ino);
	if (s->plen == 0 || port_pread(l->spill.fd, e->target, s->plen,
	    s->off) != (long)s->plen)
		return 0;
	e->target[s->plen] = 0;
	e->tlen = s->plen;
	e->type = E_HARD;
	e->size = s->size;
	memcpy(e->md5, s->md5, MD5_LEN);
	return 1;
}

void
links_add(struct links *l, const struct port_stat *st, const struct entry *e)
{
	struct link_slot *s;

	if (st->nlink < 2)
		return;
	if (l->used >= LINKS_MAX - LINKS_MAX / 8) {	/* keep probes short */
		if (!l->full)
			msg("more than %u files with hard links: the names "
			    "after are backed up as separate files",
			    LINKS_MAX - LINKS_MAX / 8);
		l->full = 1;
		return;
	}
	if (l->spill.fd < 0 &&
	    port_tmp_open_as(&l->spill, l->dfd, l->prefix, 0600) < 0)
		return;		/* the names go as files */
	if (port_pwrite_all(l->spill.fd, e->path, e->plen, l->spilled) < 0)
		return;
	s = link_slot(l, st->dev, st->ino);
	s->dev = st->dev;
	s->ino = st->ino;
	s->off = l->spilled;
	s->plen = (uint16_t)e->plen;
	s->size = e->size;
	memcpy(s->md5, e->md5, MD5_LEN);
	l->spilled += e->plen;
	l->used++;
}

void
links_close(struct links *l)
{
	if (l->spill.fd >= 0)
		port_tmp_abort(&l->spill);
}
