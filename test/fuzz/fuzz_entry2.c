/*
 * fuzz_entry2.c — libFuzzer target for the v2 entry: entry2_get (proto.c)
 * as cairnd reads an offer and cairn an item, and the manifest record
 * parser (entry_parse and entry_xattrs in record.c, over json.c) as both
 * read manifests and state files.
 *
 * Input: byte 0 picks the decoder, the rest is its bytes.
 *   even: a v2 entry on the wire, decoded as an offer (E2_OFFER) and as
 *         an item (E2_ITEM);
 *   odd:  one JSON record, parsed with entry_parse (with and without the
 *         client's stamp) and entry_xattrs.
 * Invariants checked (abort() on violation):
 *   - an accepted wire entry obeys every rule one entry can break
 *     (PROTOCOL.md, "Limits added in v2"): type 1..7, flags known (no
 *     CHANGED in an offer), the path valid or the root's (empty, a
 *     directory), names of at most 64 bytes without NUL, mode <= 07777,
 *     mtime_ns < 10^9, size and md5 only on files and hard links, a
 *     symlink's text 1..4095 bytes, a hard link's first path valid and
 *     before its own, device numbers only on devices, xattrs passing
 *     xattr_check and pointing into the input; an offer accepted is an
 *     item accepted, the same;
 *   - it re-encodes (entry2_put) to exactly the bytes it was decoded
 *     from, entry2_size says so, and its manifest record (entry_json)
 *     fits a line and parses back to the same entry;
 *   - an accepted record: type 1..7, the path valid or the root's, the
 *     strings NUL-terminated without NUL inside, mode <= 07777, mtime_ns
 *     < 10^9, its xattrs valid; entry_json of it parses back to the same,
 *     once what the writer leaves out is cleared: the parser reads device
 *     numbers on any type and a "gid" without "uid" (owned 0), the writer
 *     writes the first for devices only and the second with a uid.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "path.h"
#include "proto.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- tls.c stand-ins (proto.c's frame_send/frame_recv are not called) -- */

int
tls_read(struct tls *t, void *p, size_t n)
{
	abort();
}

int
tls_write(struct tls *t, const void *p, size_t n)
{
	abort();
}

int
tls_flush(struct tls *t)
{
	abort();
}

const uint8_t *
tls_buffered(struct tls *t, size_t *len)
{
	abort();
}

/* ---- checks ------------------------------------------------------------ */

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static struct entry e1, e2, e3;
static struct stamp x1, x2;
static struct json j, j2;
static uint8_t enc[FRAME_MAX + 1];
static uint8_t line[LINE_MAX_BYTES * 2];
static uint8_t xa[XATTR_MAX], xb[XATTR_MAX];
static const uint8_t zeros[MD5_LEN];

/* s holds n bytes, no NUL among them, then a NUL, within cap. */
static int
cstr_ok(const char *s, size_t n, size_t cap)
{
	return n < cap && s[n] == 0 && memchr(s, 0, n) == NULL;
}

/* What every accepted entry, from the wire or a record, holds. */
static void
entry_sane(const struct entry *e)
{
	CHECK(e->type >= E_FILE && e->type <= E_TYPE_MAX);
	CHECK((e->flags & ~(unsigned)EF_ALL) == 0);
	CHECK(cstr_ok(e->path, e->plen, PATH_CAP));
	CHECK(e->plen == 0 ? e->type == E_DIR :
	    path_check(e->path, e->plen) == 0);
	CHECK(cstr_ok(e->target, e->tlen, PATH_CAP));
	CHECK(cstr_ok(e->user, strlen(e->user), OWNER_NAME_MAX + 1));
	CHECK(cstr_ok(e->group, strlen(e->group), OWNER_NAME_MAX + 1));
	CHECK(e->mode <= 07777 && e->mtime_ns < 1000000000u);
	if (e->type == E_LINK)
		CHECK(e->tlen > 0);
	if (e->type == E_HARD)
		CHECK(path_check(e->target, e->tlen) == 0);
	if (!ENTRY_HAS_DATA(e))
		CHECK(memcmp(e->md5, zeros, MD5_LEN) == 0);
}

/* The rules of the v2 entry's table that a record need not keep. */
static void
wire_rules(const struct entry *e, unsigned ctx)
{
	CHECK(e->owned == 1);
	if (ctx == E2_OFFER)
		CHECK((e->flags & EF_CHANGED) == 0);
	if (e->type != E_FILE)
		CHECK((e->flags & (EF_KEEP | EF_MD5_LATER)) == 0);
	if (!ENTRY_HAS_DATA(e))
		CHECK(e->size == 0 && (e->flags & (EF_SPARSE | EF_CHANGED)) == 0);
	if (e->flags & EF_MD5_LATER)
		CHECK(memcmp(e->md5, zeros, MD5_LEN) == 0);
	if (e->type == E_HARD)
		CHECK(path_cmp(e->target, e->tlen, e->path, e->plen) < 0);
	if (e->type != E_LINK && e->type != E_HARD)
		CHECK(e->tlen == 0);
	if (e->type != E_CHR && e->type != E_BLK)
		CHECK(e->major == 0 && e->minor == 0);
	CHECK(xattr_check(e->xattr, e->xlen) == 0);
}

/* Two entries say the same, xattr bytes included. */
static int
entry_same(const struct entry *a, const struct entry *b)
{
	return a->type == b->type && a->flags == b->flags &&
	    a->plen == b->plen && memcmp(a->path, b->path, a->plen) == 0 &&
	    a->size == b->size && a->mode == b->mode &&
	    a->mtime == b->mtime && a->mtime_ns == b->mtime_ns &&
	    a->owned == b->owned && a->uid == b->uid && a->gid == b->gid &&
	    strcmp(a->user, b->user) == 0 && strcmp(a->group, b->group) == 0 &&
	    memcmp(a->md5, b->md5, MD5_LEN) == 0 && a->tlen == b->tlen &&
	    memcmp(a->target, b->target, a->tlen) == 0 &&
	    a->major == b->major && a->minor == b->minor &&
	    a->xlen == b->xlen &&
	    (a->xlen == 0 || memcmp(a->xattr, b->xattr, a->xlen) == 0);
}

/* e's manifest record parses back to e (its xattrs into xb). */
static void
record_round_trip(const struct entry *e, const struct stamp *x)
{
	struct buf b;
	size_t n;

	buf_init(&b, line, sizeof line);
	CHECK(entry_json(&b, e, x) == 0);
	CHECK(b.len <= LINE_MAX_BYTES - 2);
	CHECK(json_parse(&j2, (const char *)b.p, b.len) == 0);
	CHECK(entry_parse(&j2, &e3, x != NULL ? &x2 : NULL) == 0);
	CHECK(entry_xattrs(&j2, xb, sizeof xb, &n) == 0);
	e3.xattr = xb;
	e3.xlen = n;
	CHECK(entry_same(e, &e3));
	if (x != NULL)
		CHECK(x->ctime == x2.ctime && x->ctime_ns == x2.ctime_ns &&
		    x->ino == x2.ino);
}

/* p[0..n) as a v2 entry on the wire, in both contexts. */
static void
wire(const uint8_t *p, size_t n)
{
	struct buf b;
	struct rd r;
	size_t used;
	int offer, item;

	rd_init(&r, p, n);
	offer = entry2_get(&r, &e1, E2_OFFER);
	rd_init(&r, p, n);
	item = entry2_get(&r, &e2, E2_ITEM);
	if (offer == 0)
		CHECK(item == 0 && entry_same(&e1, &e2));
	if (item < 0)
		return;
	CHECK(r.err == 0 && r.len <= n);
	entry_sane(&e2);
	wire_rules(&e2, E2_ITEM);
	if (offer == 0)
		wire_rules(&e1, E2_OFFER);
	if (e2.xlen > 0)
		CHECK(e2.xattr >= p && e2.xattr + e2.xlen <= p + n);
	used = n - r.len;
	buf_init(&b, enc, sizeof enc);
	CHECK(entry2_put(&b, &e2) == 0);
	CHECK(b.len == used && memcmp(enc, p, used) == 0);
	CHECK(entry2_size(&e2) == used);
	record_round_trip(&e2, NULL);
}

/* What a record may say that entry_json does not write back. */
static void
record_normalise(struct entry *e)
{
	if (!e->owned)
		e->uid = e->gid = 0;
	if (e->type != E_CHR && e->type != E_BLK)
		e->major = e->minor = 0;
}

/* p[0..n) as one manifest or state record. */
static void
record(const uint8_t *p, size_t n)
{
	size_t xn;
	int r;

	if (json_parse(&j, (const char *)p, n) < 0)
		return;
	if (entry_parse(&j, &e1, NULL) == 0) {
		entry_sane(&e1);
		r = entry_xattrs(&j, xa, sizeof xa, &xn);
		CHECK(r == 0 || r == -1);
		if (r == 0) {
			CHECK(xn <= XATTR_MAX && xattr_check(xa, xn) == 0);
			e1.xattr = xa;
			e1.xlen = xn;
			record_normalise(&e1);
			record_round_trip(&e1, NULL);
		}
	}
	if (entry_parse(&j, &e1, &x1) == 0) {
		entry_sane(&e1);
		CHECK(x1.ctime_ns < 1000000000u);
		e1.xattr = NULL;
		e1.xlen = 0;
		record_normalise(&e1);
		record_round_trip(&e1, &x1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		record(data + 1, size - 1);
	else
		wire(data + 1, size - 1 > FRAME_MAX ? FRAME_MAX : size - 1);
	return 0;
}
