/* entry.c — entries and their xattr records; see entry.h. */
#include <stddef.h>
#include <string.h>

#include "entry.h"

void
entry_clear(struct entry *e, unsigned type)
{
	memset(e, 0, offsetof(struct entry, path));
	e->path[0] = 0;
	memset(&e->plen, 0, offsetof(struct entry, target) -
	    offsetof(struct entry, plen));
	e->target[0] = 0;
	memset(&e->tlen, 0, sizeof *e - offsetof(struct entry, tlen));
	e->type = type;
}

/* The used bytes of one of e's path-sized buffers: n and its NUL. */
static size_t
used(size_t n)
{
	return n < PATH_CAP ? n + 1 : PATH_CAP;
}

void
entry_copy(struct entry *d, const struct entry *s)
{
	memcpy(d, s, offsetof(struct entry, path));
	memcpy(d->path, s->path, used(s->plen));
	memcpy(&d->plen, &s->plen, offsetof(struct entry, target) -
	    offsetof(struct entry, plen));
	memcpy(d->target, s->target, used(s->tlen));
	memcpy(&d->tlen, &s->tlen, sizeof *s - offsetof(struct entry, tlen));
}

int
xattr_name_ok(const char *s, size_t n)
{
	static const char *const prefix[] = { "user.", "trusted.", "security." };
	static const char *const exact[] = {
		"system.posix_acl_access", "system.posix_acl_default"
	};
	size_t i, k;

	if (n == 0 || n > 255 || memchr(s, 0, n) != NULL)
		return 0;
	for (i = 0; i < sizeof prefix / sizeof prefix[0]; i++) {
		k = strlen(prefix[i]);
		if (n > k && memcmp(s, prefix[i], k) == 0)
			return 1;
	}
	for (i = 0; i < sizeof exact / sizeof exact[0]; i++)
		if (n == strlen(exact[i]) && memcmp(s, exact[i], n) == 0)
			return 1;
	return 0;
}

int
xattr_next(const uint8_t *p, size_t n, size_t *off, const char **name,
    size_t *nlen, const uint8_t **val, size_t *vlen)
{
	size_t o = *off, k, v;

	if (o >= n)
		return 0;
	k = p[o];
	if (k == 0 || n - o < 1 + k + 2)
		return -1;
	v = (size_t)p[o + 1 + k] << 8 | p[o + 2 + k];
	if (n - o - 3 - k < v)
		return -1;
	*name = (const char *)p + o + 1;
	*nlen = k;
	*val = p + o + 3 + k;
	*vlen = v;
	*off = o + 3 + k + v;
	return 1;
}

int
xattr_check(const uint8_t *p, size_t n)
{
	const char *name, *last = NULL;
	const uint8_t *val;
	size_t off = 0, nlen, vlen, llen = 0, m;
	int r, c;

	if (n > XATTR_MAX)
		return -1;
	while ((r = xattr_next(p, n, &off, &name, &nlen, &val, &vlen)) == 1) {
		if (!xattr_name_ok(name, nlen))
			return -1;
		if (last != NULL) {
			m = llen < nlen ? llen : nlen;
			c = memcmp(last, name, m);
			if (c > 0 || (c == 0 && llen >= nlen))
				return -1;	/* unsorted, or a duplicate */
		}
		last = name;
		llen = nlen;
	}
	return r;
}
