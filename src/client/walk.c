/* walk.c — sorted depth-first walk in fixed memory; see walk.h. */
#include <errno.h>
#include <string.h>

#include "path.h"
#include "walk.h"

#define SLOT (sizeof(struct walk_slot))
#define ALIGN(n) (((n) + 7) & ~(size_t)7)	/* arena offsets: 8 bytes */
#define SHOWN_MAX 160		/* a path in a message, escapes included */

static int
slot_cmp(const struct walk_level *lv, uint32_t i, const char *name)
{
	return strcmp(lv->slots[i].name, name);
}

/*
 * Put name in lv's sorted listing of at most cap names; when it is full,
 * the name takes the place of the largest if it is smaller.
 */
static void
insert(struct walk_level *lv, size_t cap, const char *name, size_t nlen,
    enum port_type type)
{
	size_t lo = 0, hi, mid;
	uint32_t s;

	if (lv->n == cap) {
		/* Full: keep name only if it beats the largest. */
		lv->more = 1;
		if (slot_cmp(lv, lv->idx[lv->n - 1], name) < 0)
			return;
		s = lv->idx[--lv->n];
	} else {
		s = lv->n;
	}
	hi = lv->n;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (slot_cmp(lv, lv->idx[mid], name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(lv->idx + lo + 1, lv->idx + lo,
	    (lv->n - lo) * sizeof(uint32_t));
	lv->idx[lo] = s;
	lv->slots[s].type = (uint8_t)type;
	memcpy(lv->slots[s].name, name, nlen + 1);
	lv->n++;
}

/* Give back the arena that lv's listing of cap names did not use. */
static void
pack(struct walk *w, struct walk_level *lv, size_t cap)
{
	struct walk_slot *packed;

	w->used = (size_t)((uint8_t *)(lv->slots + cap) - w->arena);
	if (lv->n == cap)
		return;
	packed = (struct walk_slot *)(w->arena + lv->base +
	    ALIGN(lv->n * sizeof(uint32_t)));
	memmove(packed, lv->slots, lv->n * SLOT);
	lv->slots = packed;
	w->used = (size_t)((uint8_t *)(packed + lv->n) - w->arena);
}

/*
 * List the directory of lv into the arena: the smallest names greater
 * than after (all names when after is NULL), as many as fit, sorted.
 */
static int
fill(struct walk *w, struct walk_level *lv, const char *after)
{
	struct port_dir *d;
	const char *name;
	enum port_type type;
	size_t room, cap, nlen;
	int r;

	lv->base = ALIGN(w->used);
	room = lv->base < WALK_ARENA ? WALK_ARENA - lv->base : 0;
	/* Leave half of what is free to the levels below this one. */
	cap = room / 2 / (SLOT + sizeof(uint32_t));
	if (cap == 0) {
		errno = ENOMEM;
		return -1;
	}
	lv->idx = (uint32_t *)(w->arena + lv->base);
	lv->slots = (struct walk_slot *)(w->arena + lv->base +
	    ALIGN(cap * sizeof(uint32_t)));
	lv->n = lv->next = 0;
	lv->more = 0;

	d = port_dir_open(lv->fd);
	if (d == NULL)
		return -1;
	while ((r = port_dir_next(d, &name, &type)) > 0) {
		nlen = strlen(name);
		if (nlen > NAME_LEN_MAX ||
		    (after != NULL && strcmp(name, after) <= 0))
			continue;
		insert(lv, cap, name, nlen, type);
	}
	port_dir_close(d);
	if (r < 0)
		return -1;
	pack(w, lv, cap);
	return 0;
}

int
walk_open(struct walk *w, const char *root, int one_fs)
{
	struct walk_level *lv = &w->lv[0];
	struct port_stat st;

	w->plen = 0;
	w->path[0] = 0;
	w->errors = 0;
	w->depth = 1;
	w->descend = 0;
	w->used = 0;
	w->one_fs = one_fs;
	w->excl = NULL;
	w->excluded = 0;
	lv->fd = port_open_dir(root);
	if (lv->fd < 0)
		return -1;
	if (port_fstat(lv->fd, &st) < 0) {
		port_close(lv->fd);
		return -1;
	}
	w->dev = st.dev;
	lv->plen = 0;
	if (fill(w, lv, NULL) < 0) {
		port_close(lv->fd);
		return -1;
	}
	return 0;
}

/* Enter the directory just returned. */
static void
descend(struct walk *w)
{
	struct walk_level *up = &w->lv[w->depth - 1], *lv;
	char shown_path[SHOWN_MAX];
	int fd;

	if (w->depth == WALK_DEPTH) {
		msg("%s: deeper than %d levels; not backed up",
		    shown(w->path, w->plen, shown_path, sizeof shown_path),
		    WALK_DEPTH);
		w->errors++;
		return;
	}
	if (w->plen + 2 > PATH_LEN_MAX) {
		msg("%s: path too long; contents not backed up",
		    shown(w->path, w->plen, shown_path, sizeof shown_path));
		w->errors++;
		return;
	}
	fd = port_openat_dir(up->fd, w->leaf);
	if (fd < 0) {
		msg("cannot open directory %s: %s",
		    shown(w->path, w->plen, shown_path, sizeof shown_path),
		    strerror(errno));
		w->errors++;
		return;
	}
	lv = &w->lv[w->depth];
	lv->fd = fd;
	w->path[w->plen] = '/';
	lv->plen = w->plen + 1;
	if (fill(w, lv, NULL) < 0) {
		msg("cannot read directory %s: %s",
		    shown(w->path, w->plen, shown_path, sizeof shown_path),
		    strerror(errno));
		w->errors++;
		port_close(fd);
		return;
	}
	w->depth++;
}

/* The level lv is listed to its end: read its next chunk, or close it. */
static void
level_end(struct walk *w, struct walk_level *lv)
{
	char last[NAME_LEN_MAX + 1];

	if (lv->more) {
		/* The next chunk: names after the last one. */
		memcpy(last, lv->slots[lv->idx[lv->n - 1]].name, sizeof last);
		w->used = lv->base;
		if (fill(w, lv, last) == 0)
			return;
		msg("cannot read directory %.*s: %s",
		    (int)(lv->plen ? lv->plen - 1 : 1),
		    lv->plen ? w->path : ".", strerror(errno));
		w->errors++;
	}
	w->used = lv->base;
	port_close(lv->fd);
	w->depth--;
}

/* 1 if the entry at w->path is excluded (a pattern, or a cache
 * directory's tag): neither reported nor entered. */
static int
left_out(struct walk *w, const struct port_stat *st)
{
	int dir = st->type == PORT_DIR;

	if (w->excl == NULL)
		return 0;
	if (!excl_match(w->excl, w->path, w->plen, dir) &&
	    !(dir && excl_cache(w->excl, w->dfd, w->leaf)))
		return 0;
	w->excluded++;
	return 1;
}

int
walk_next(struct walk *w, struct port_stat *st)
{
	struct walk_level *lv;
	struct walk_slot *s;
	char shown_path[SHOWN_MAX];
	size_t nlen;

	if (w->descend) {
		w->descend = 0;
		descend(w);
	}
	while (w->depth > 0) {
		lv = &w->lv[w->depth - 1];
		if (lv->next == lv->n) {
			level_end(w, lv);
			continue;
		}
		s = &lv->slots[lv->idx[lv->next++]];
		nlen = strlen(s->name);
		if (lv->plen + nlen > PATH_LEN_MAX) {
			msg("%.*s/%s: path too long; not backed up",
			    (int)(lv->plen ? lv->plen - 1 : 0), w->path,
			    s->name);
			w->errors++;
			continue;
		}
		memcpy(w->path + lv->plen, s->name, nlen + 1);
		w->plen = lv->plen + nlen;
		w->leaf = w->path + lv->plen;
		w->dfd = lv->fd;
		if (port_fstatat(lv->fd, s->name, st) < 0) {
			if (errno != ENOENT) {	/* vanished: not an error */
				msg("cannot stat %s: %s", shown(w->path,
				    w->plen, shown_path, sizeof shown_path),
				    strerror(errno));
				w->errors++;
			}
			continue;
		}
		if (left_out(w, st))
			continue;
		w->descend = st->type == PORT_DIR &&
		    (!w->one_fs || st->dev == w->dev);
		return 1;
	}
	return 0;
}

void
walk_close(struct walk *w)
{
	while (w->depth > 0)
		port_close(w->lv[--w->depth].fd);
}
