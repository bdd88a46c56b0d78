/* mdindex.c — MD5 → manifest offset table on disk; see mdindex.h. */
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "mdindex.h"
#include "port.h"

#define HDR 16
#define SLOT 24
#define SLOTS_MAX ((uint64_t)1 << 32)

static uint64_t
home(const struct mdindex *x, const uint8_t md5[MD5_LEN])
{
	return be64(md5) & (x->slots - 1);
}

int
mdindex_create(struct mdindex *x, int fd, uint64_t want)
{
	uint8_t h[HDR];
	struct buf b;

	x->fd = fd;
	x->used = 0;
	for (x->slots = 1024; x->slots < want && x->slots < SLOTS_MAX;)
		x->slots <<= 1;
	buf_init(&b, h, sizeof h);
	buf_put(&b, "CAIRNIX1", 8);
	buf_u64(&b, x->slots);
	if (port_ftruncate(fd, HDR + x->slots * SLOT) < 0 ||
	    port_pwrite_all(fd, h, sizeof h, 0) < 0)
		return -1;
	return 0;
}

int
mdindex_open(struct mdindex *x, int fd)
{
	struct port_stat st;
	uint8_t h[HDR];

	x->fd = fd;
	x->used = 0;
	if (port_pread(fd, h, sizeof h, 0) != HDR ||
	    memcmp(h, "CAIRNIX1", 8) != 0 || port_fstat(fd, &st) < 0)
		goto bad;
	x->slots = be64(h + 8);
	if (x->slots == 0 || x->slots > SLOTS_MAX ||
	    (x->slots & (x->slots - 1)) != 0 ||
	    st.size != HDR + x->slots * SLOT)
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* Walk the probe sequence of md5: the slot holding it, or the empty slot
 * where it would go. 1 found, 0 empty slot at *at, -1 error or full. */
static int
probe(struct mdindex *x, const uint8_t md5[MD5_LEN], uint64_t *at,
    uint64_t *off)
{
	uint8_t s[SLOT];
	uint64_t i, n;

	for (i = home(x, md5), n = 0; n < x->slots; n++,
	    i = (i + 1) & (x->slots - 1)) {
		if (port_pread(x->fd, s, SLOT, HDR + i * SLOT) != SLOT)
			return -1;
		*at = i;
		if (be64(s + 16) == 0)
			return 0;
		if (memcmp(s, md5, MD5_LEN) == 0) {
			*off = be64(s + 16) - 1;
			return 1;
		}
	}
	errno = ENOSPC;
	return -1;
}

int
mdindex_add(struct mdindex *x, const uint8_t md5[MD5_LEN], uint64_t off)
{
	uint8_t s[SLOT];
	struct buf b;
	uint64_t at, old;
	int r;

	if (x->used >= x->slots / 8 * 7)
		return 0;
	r = probe(x, md5, &at, &old);
	if (r != 0)
		return r < 0 ? -1 : 0;
	buf_init(&b, s, sizeof s);
	buf_put(&b, md5, MD5_LEN);
	buf_u64(&b, off + 1);
	if (port_pwrite_all(x->fd, s, SLOT, HDR + at * SLOT) < 0)
		return -1;
	x->used++;
	return 0;
}

int
mdindex_find(struct mdindex *x, const uint8_t md5[MD5_LEN], uint64_t *off)
{
	uint64_t at;

	return probe(x, md5, &at, off);
}
