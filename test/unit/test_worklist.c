/*
 * test_worklist.c — restore's work list: records come back as written,
 * in order, across buffer refills and by offset; a damaged list is
 * refused, never read past.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "port.h"
#include "proto.h"
#include "unit.h"
#include "worklist.h"

static struct worklist wl;
static struct entry e, got;

/* Entry i of the test list: files with an xattr on every seventh. */
static void
nth(unsigned i, struct entry *x)
{
	static const uint8_t xa[] = { 6, 'u', 's', 'e', 'r', '.', 'a', 0, 2,
	    'h', 'i' };

	entry_clear(x, i % 5 == 0 ? E_DIR : E_FILE);
	x->plen = (size_t)snprintf(x->path, sizeof x->path,
	    "d%04u/%0*u", i, (int)(i % 200), i);
	x->size = x->type == E_FILE ? i * 3u : 0;
	x->mode = 0644;
	x->mtime = 1700000000 + i;
	x->owned = i % 2;
	if (x->type == E_FILE)
		memset(x->md5, (int)(i & 0xff) | 1, MD5_LEN);
	if (i % 7 == 0) {
		x->xattr = xa;
		x->xlen = sizeof xa;
	}
}

static int
same(const struct entry *a, const struct entry *b)
{
	return a->type == b->type && a->plen == b->plen &&
	    memcmp(a->path, b->path, a->plen) == 0 && a->size == b->size &&
	    a->mtime == b->mtime && a->owned == b->owned &&
	    memcmp(a->md5, b->md5, MD5_LEN) == 0 && a->xlen == b->xlen &&
	    (a->xlen == 0 || memcmp(a->xattr, b->xattr, a->xlen) == 0);
}

/* Every record of n back in order; their offsets into offs. */
static void
read_all(unsigned n, uint64_t *offs)
{
	unsigned i, flags, ok = 1;

	for (i = 0; i < n && ok; i++) {
		nth(i, &e);
		ok = work_read(&wl, &got, &flags) == 1 && same(&e, &got) &&
		    flags == (i % 3 == 0 ? WF_CHECK : 0u) + (e.owned ?
		    WF_OWNED : 0u);
		offs[i] = wl.off;
	}
	CHECK(ok);
	CHECK(work_read(&wl, &got, &flags) == 0);
}

void
suite_worklist(void)
{
	static uint64_t offs[3000];
	char name[] = "/tmp/cairn-unit-wl-XXXXXX";
	unsigned i, n = 3000, flags;
	int fd = mkstemp(name), ok = 1;

	if (!CHECK(fd >= 0))
		return;
	unlink(name);
	work_open(&wl, fd);
	for (i = 0; i < n && ok; i++) {
		nth(i, &e);
		ok = work_add(&wl, &e, (i % 3 == 0 ? WF_CHECK : 0u) |
		    (e.owned ? WF_OWNED : 0u)) == 0;
	}
	CHECK(ok);
	CHECK(work_start(&wl) == 0);
	read_all(n, offs);
	CHECK(work_restart(&wl) == 0);
	read_all(n, offs);
	nth(1407, &e);
	CHECK(work_reread(&wl, offs[1407], &got) == 0 && same(&e, &got));

	/* damaged: a length past the end, then a truncated list */
	CHECK(port_pwrite_all(fd, "\0\xff\xff\xff", 4, offs[10]) == 0);
	CHECK(work_restart(&wl) == 0);
	for (i = 0; i < 10; i++)
		CHECK(work_read(&wl, &got, &flags) == 1);
	CHECK(work_read(&wl, &got, &flags) == -1);
	CHECK(work_reread(&wl, offs[10], &got) == -1);
	CHECK(port_ftruncate(fd, offs[20] + 3) == 0);
	CHECK(work_reread(&wl, offs[20], &got) == -1);
	close(fd);
}
