/*
 * test_entry2.c — the v2 entry (PROTOCOL.md, "The v2 entry" and "Limits
 * added in v2"): entry2_put/entry2_get round trips for every type, one
 * refused case per rule one entry can break, xattr_check vectors, and
 * the manifest record (entry_json/entry_parse/entry_xattrs) both ways,
 * a v1 record and the worst case's line length included.
 *
 * Hostile entries are written by raw_put below, field by field as the
 * table gives them, so that they can say what struct entry cannot hold
 * (a 65-byte user name, a 4096-byte target) and so that entry2_put's
 * output is checked against the table, not against itself.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "path.h"
#include "proto.h"
#include "record.h"
#include "unit.h"

/* An entry exactly as the wire carries it, every length free. */
struct raw {
	unsigned type, flags;
	const char *path;
	size_t plen;
	uint64_t size;
	uint32_t mode;
	int64_t mtime;
	uint32_t ns, uid, gid;
	const char *user, *group;
	size_t ulen, glen;
	uint8_t md5[MD5_LEN];
	const char *target;
	size_t tlen;
	uint32_t major, minor;
	const uint8_t *xattr;
	size_t xlen;
};

static uint8_t wire[FRAME_MAX * 2];
static uint8_t xbuf[XATTR_MAX * 2];
static uint8_t xout[XATTR_MAX];
static uint8_t line[LINE_MAX_BYTES * 2];
static char big[XATTR_MAX + 8];
static struct json j;

/* The v2 entry's fields in the table's order. */
static size_t
raw_put(uint8_t *out, size_t cap, const struct raw *w)
{
	struct buf b;

	buf_init(&b, out, cap);
	buf_u8(&b, w->type);
	buf_u8(&b, w->flags);
	buf_u16(&b, (unsigned)w->plen);
	buf_put(&b, w->path, w->plen);
	buf_u64(&b, w->size);
	buf_u32(&b, w->mode);
	buf_u64(&b, (uint64_t)w->mtime);
	buf_u32(&b, w->ns);
	buf_u32(&b, w->uid);
	buf_u32(&b, w->gid);
	buf_u16(&b, (unsigned)w->ulen);
	buf_put(&b, w->user, w->ulen);
	buf_u16(&b, (unsigned)w->glen);
	buf_put(&b, w->group, w->glen);
	buf_put(&b, w->md5, MD5_LEN);
	buf_u16(&b, (unsigned)w->tlen);
	buf_put(&b, w->target, w->tlen);
	buf_u32(&b, w->major);
	buf_u32(&b, w->minor);
	buf_u16(&b, (unsigned)w->xlen);
	buf_put(&b, w->xattr, w->xlen);
	CHECK(b.err == 0);
	return b.len;
}

/* A valid raw entry of the given type (path "d/p", a hard link's first
 * "d/a", a symlink's text "../t"). */
static void
raw_valid(struct raw *w, unsigned type)
{
	memset(w, 0, sizeof *w);
	w->type = type;
	w->path = "d/p";
	w->plen = 3;
	w->mode = type == E_DIR ? 02755 : 04750;
	w->mtime = 1700000000;
	w->ns = 123456789;
	w->uid = 1234;
	w->gid = 5678;
	w->user = "alice";
	w->ulen = 5;
	w->group = "staff";
	w->glen = 5;
	if (type == E_FILE || type == E_HARD) {
		w->size = 1 << 30;
		memset(w->md5, 0x5a, MD5_LEN);
	}
	if (type == E_LINK) {
		w->target = "../t";
		w->tlen = 4;
	}
	if (type == E_HARD) {
		w->target = "d/a";
		w->tlen = 3;
	}
	if (type == E_CHR || type == E_BLK) {
		w->major = 1;
		w->minor = 3;
	}
}

/* entry2_get of w in context ctx with nothing left over: 0 or -1. */
static int
raw_get(const struct raw *w, unsigned ctx, struct entry *e)
{
	struct rd r;
	size_t n = raw_put(wire, sizeof wire, w);

	rd_init(&r, wire, n);
	if (entry2_get(&r, e, ctx) < 0)
		return -1;
	return rd_end(&r) == 0 ? 0 : -1;
}

/* Append one xattr record to xb (at *n). */
static void
xrec(uint8_t *xb, size_t *n, const char *name, size_t nlen, const void *v,
    size_t vlen)
{
	xb[(*n)++] = (uint8_t)nlen;
	memcpy(xb + *n, name, nlen);
	*n += nlen;
	xb[(*n)++] = (uint8_t)(vlen >> 8);
	xb[(*n)++] = (uint8_t)vlen;
	memcpy(xb + *n, v, vlen);
	*n += vlen;
}

/* Three xattrs as a real file has them: an access ACL, a capability, a
 * user attribute, in name order. */
static size_t
xattrs_sample(uint8_t *xb)
{
	static const uint8_t acl[] = { 2, 0, 0, 0, 1, 0, 6, 0, 0xff, 0xff,
	    0xff, 0xff, 2, 0, 6, 0, 0xd2, 4, 0, 0 };
	static const uint8_t cap[] = { 0, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0 };
	size_t n = 0;

	xrec(xb, &n, "security.capability", 19, cap, sizeof cap);
	xrec(xb, &n, "system.posix_acl_access", 23, acl, sizeof acl);
	xrec(xb, &n, "user.comment", 12, "caf\xc3\xa9\0x", 7);
	return n;
}

/* Two entries say the same, field by field, xattr bytes included. */
static int
entry_same(const struct entry *a, const struct entry *b)
{
	return a->type == b->type && a->flags == b->flags &&
	    a->plen == b->plen && memcmp(a->path, b->path, a->plen + 1) == 0 &&
	    a->size == b->size && a->mode == b->mode &&
	    a->mtime == b->mtime && a->mtime_ns == b->mtime_ns &&
	    a->owned == b->owned && a->uid == b->uid && a->gid == b->gid &&
	    strcmp(a->user, b->user) == 0 && strcmp(a->group, b->group) == 0 &&
	    memcmp(a->md5, b->md5, MD5_LEN) == 0 && a->tlen == b->tlen &&
	    memcmp(a->target, b->target, a->tlen + 1) == 0 &&
	    a->major == b->major && a->minor == b->minor &&
	    a->xlen == b->xlen &&
	    (a->xlen == 0 || memcmp(a->xattr, b->xattr, a->xlen) == 0);
}

/* The struct entry that raw_valid(type) describes. */
static void
entry_valid(struct entry *e, unsigned type, const uint8_t *x, size_t xlen)
{
	struct raw w;

	raw_valid(&w, type);
	entry_clear(e, type);
	memcpy(e->path, w.path, w.plen);
	e->path[w.plen] = 0;
	e->plen = w.plen;
	e->size = w.size;
	e->mode = w.mode;
	e->mtime = w.mtime;
	e->mtime_ns = w.ns;
	e->owned = 1;
	e->uid = w.uid;
	e->gid = w.gid;
	strcpy(e->user, w.user);
	strcpy(e->group, w.group);
	memcpy(e->md5, w.md5, MD5_LEN);
	if (w.tlen > 0)
		memcpy(e->target, w.target, w.tlen);
	e->target[w.tlen] = 0;
	e->tlen = w.tlen;
	e->major = w.major;
	e->minor = w.minor;
	e->xattr = x;
	e->xlen = xlen;
}

/* entry2_put, then entry2_get in both contexts: the same entry, the
 * bytes of raw_put, entry2_size exact, every truncation refused. */
static void
wire_round_trip(const struct entry *e, const struct raw *w)
{
	static uint8_t ref[FRAME_MAX * 2];
	static struct entry d;
	struct buf b;
	struct rd r;
	size_t n, rn, i;
	int fails = 0;

	buf_init(&b, wire, sizeof wire);
	CHECK(entry2_put(&b, e) == 0);
	n = b.len;
	CHECK(entry2_size(e) == n);
	if (w != NULL) {
		rn = raw_put(ref, sizeof ref, w);
		CHECK_SAME(wire, n, ref, rn);
	}
	rd_init(&r, wire, n);
	CHECK(entry2_get(&r, &d, E2_OFFER) == 0 && rd_end(&r) == 0);
	CHECK(entry_same(e, &d));
	rd_init(&r, wire, n);
	CHECK(entry2_get(&r, &d, E2_ITEM) == 0 && rd_end(&r) == 0);
	CHECK(entry_same(e, &d));
	for (i = 0; i < n; i++) {
		rd_init(&r, wire, i);
		if (entry2_get(&r, &d, E2_ITEM) == 0 && rd_end(&r) == 0)
			fails++;
	}
	CHECK(fails == 0);
}

static void
test_round_trips(void)
{
	static struct entry e;
	static const unsigned types[] = { E_FILE, E_DIR, E_LINK, E_FIFO,
	    E_CHR, E_BLK, E_HARD };
	struct raw w;
	size_t i, xn;

	xn = xattrs_sample(xbuf);
	CHECK(xattr_check(xbuf, xn) == 0);
	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		raw_valid(&w, types[i]);
		entry_valid(&e, types[i], NULL, 0);
		wire_round_trip(&e, &w);
		w.xattr = xbuf;
		w.xlen = xn;
		entry_valid(&e, types[i], xbuf, xn);
		wire_round_trip(&e, &w);
	}

	/* The root's own entry: an empty path, a directory. */
	raw_valid(&w, E_DIR);
	w.path = "";
	w.plen = 0;
	w.mode = 0751;
	entry_valid(&e, E_DIR, NULL, 0);
	e.path[0] = 0;
	e.plen = 0;
	e.mode = 0751;
	wire_round_trip(&e, &w);

	/* Flags an offer may carry, and no names at all. */
	entry_valid(&e, E_FILE, NULL, 0);
	e.flags = EF_SPARSE | EF_KEEP;
	e.user[0] = e.group[0] = 0;
	e.uid = e.gid = 0xffffffffu;
	e.mtime = -1;
	wire_round_trip(&e, NULL);
	e.flags = EF_MD5_LATER;
	memset(e.md5, 0, MD5_LEN);
	wire_round_trip(&e, NULL);

	/* Names of 64 bytes, a symlink of 4095, xattrs of XATTR_MAX. */
	entry_valid(&e, E_LINK, NULL, 0);
	memset(e.user, 'u', OWNER_NAME_MAX);
	e.user[OWNER_NAME_MAX] = 0;
	memset(e.group, 'g', OWNER_NAME_MAX);
	e.group[OWNER_NAME_MAX] = 0;
	memset(e.target, 'x', PATH_LEN_MAX);
	e.target[PATH_LEN_MAX] = 0;
	e.tlen = PATH_LEN_MAX;
	xn = 0;
	xrec(xbuf, &xn, "user.big", 8, big, XATTR_MAX - 11);
	CHECK(xn == XATTR_MAX);
	e.xattr = xbuf;
	e.xlen = xn;
	wire_round_trip(&e, NULL);
	CHECK(entry2_size(&e) < FRAME_MAX);
}

/* One rule broken: refused in both contexts (in an offer only when
 * offer_only). */
static void
refused(const struct raw *w, int offer_only, const char *why, int line_no)
{
	static struct entry e;
	int a = raw_get(w, E2_OFFER, &e), b = raw_get(w, E2_ITEM, &e);

	unit_check(a == -1, why, __FILE__, line_no);
	if (!offer_only)
		unit_check(b == -1, why, __FILE__, line_no);
	else
		unit_check(b == 0, "... but allowed in an item", __FILE__,
		    line_no);
}

#define REFUSED(w, why) refused((w), 0, (why), __LINE__)
#define REFUSED_IN_OFFER(w, why) refused((w), 1, (why), __LINE__)

/* The rules of type, flags, path, mode, times and names. */
static void
test_limits(void)
{
	static struct entry e;
	struct raw w;
	size_t n;

	/* The valid ones are valid, so each refusal below is its rule's. */
	for (n = E_FILE; n <= E_TYPE_MAX; n++) {
		raw_valid(&w, (unsigned)n);
		CHECK(raw_get(&w, E2_OFFER, &e) == 0);
	}

	raw_valid(&w, E_FILE);
	w.type = 0;
	REFUSED(&w, "type 0");
	w.type = E_TYPE_MAX + 1;
	REFUSED(&w, "type 8 (sockets are never sent)");

	raw_valid(&w, E_FILE);
	w.flags = 16;
	REFUSED(&w, "an unknown flag bit");
	w.flags = EF_CHANGED;
	REFUSED_IN_OFFER(&w, "CHANGED in an offer");
	raw_valid(&w, E_DIR);
	w.flags = EF_KEEP;
	REFUSED(&w, "KEEP on a directory");
	w.flags = EF_SPARSE;
	REFUSED(&w, "SPARSE on a directory");
	raw_valid(&w, E_HARD);
	w.flags = EF_MD5_LATER;
	memset(w.md5, 0, MD5_LEN);
	REFUSED(&w, "MD5_LATER on a hard link");
	raw_valid(&w, E_FILE);
	w.flags = EF_MD5_LATER;
	REFUSED(&w, "MD5_LATER with an md5 that is not zeros");

	raw_valid(&w, E_FILE);
	w.path = "";
	w.plen = 0;
	REFUSED(&w, "the root's empty path on a file");
	raw_valid(&w, E_FILE);
	w.path = "../x";
	w.plen = 4;
	REFUSED(&w, "path ../x");
	w.path = "a//b";
	REFUSED(&w, "path a//b");

	raw_valid(&w, E_FILE);
	w.mode = 010000;
	REFUSED(&w, "mode beyond 07777");
	raw_valid(&w, E_LINK);
	w.ns = 1000000000u;
	REFUSED(&w, "mtime_ns of 10^9");

	raw_valid(&w, E_FILE);
	memset(big, 'u', OWNER_NAME_MAX + 1);
	w.user = big;
	w.ulen = OWNER_NAME_MAX + 1;
	REFUSED(&w, "a user name of 65 bytes");
	raw_valid(&w, E_FILE);
	w.group = "wh\0eel";
	w.glen = 6;
	REFUSED(&w, "a group name with a NUL");
	memset(big, 'x', sizeof big);
}

/* The rules of what a type carries: size, md5, target, device numbers,
 * a hard link's first path, xattrs. */
static void
test_limits_data(void)
{
	static struct entry e;
	static const uint8_t one[MD5_LEN] = { 1 };
	struct raw w;
	size_t n;

	raw_valid(&w, E_DIR);
	w.size = 1;
	REFUSED(&w, "a directory with a size");
	raw_valid(&w, E_FIFO);
	memcpy(w.md5, one, MD5_LEN);
	REFUSED(&w, "a FIFO with an md5");
	raw_valid(&w, E_FILE);
	w.target = "t";
	w.tlen = 1;
	REFUSED(&w, "a file with a target");
	raw_valid(&w, E_LINK);
	w.tlen = 0;
	REFUSED(&w, "a symlink without a target");
	w.target = big;
	w.tlen = PATH_LEN_MAX + 1;
	REFUSED(&w, "a symlink target of 4096 bytes");
	raw_valid(&w, E_FIFO);
	w.major = 1;
	REFUSED(&w, "a FIFO with a major number");
	raw_valid(&w, E_FILE);
	w.minor = 1;
	REFUSED(&w, "a file with a minor number");

	raw_valid(&w, E_HARD);
	w.tlen = 0;
	REFUSED(&w, "a hard link without a target");
	w.target = "../x";
	w.tlen = 4;
	REFUSED(&w, "a hard link to ../x");
	w.target = "d/q";
	w.tlen = 3;
	REFUSED(&w, "a hard link to a later path (d/q after d/p)");
	w.target = "d/p";
	REFUSED(&w, "a hard link to itself");
	w.target = "d";
	w.tlen = 1;
	CHECK(raw_get(&w, E2_OFFER, &e) == 0);	/* "d" sorts before "d/p" */

	raw_valid(&w, E_FILE);
	n = 0;
	xrec(xbuf, &n, "user.big", 8, big, XATTR_MAX - 10);
	w.xattr = xbuf;
	w.xlen = n;
	REFUSED(&w, "an xattr field of XATTR_MAX + 1 bytes");
	n = 0;
	xrec(xbuf, &n, "system.foo", 10, "v", 1);
	w.xlen = n;
	REFUSED(&w, "an xattr outside the namespaces");
	n = 0;
	xrec(xbuf, &n, "user.b", 6, "v", 1);
	xrec(xbuf, &n, "user.a", 6, "v", 1);
	w.xlen = n;
	REFUSED(&w, "xattrs not sorted");
	w.xlen = n - 1;
	REFUSED(&w, "an xattr record cut short");

	/* Bytes after the entry: entry2_get stops at its end. */
	raw_valid(&w, E_FILE);
	n = raw_put(wire, sizeof wire, &w);
	{
		struct rd r;

		wire[n] = 0;
		rd_init(&r, wire, n + 1);
		CHECK(entry2_get(&r, &e, E2_OFFER) == 0 && rd_end(&r) == -1);
	}
}

/* xattr_check of p[0..n), and the walk's names when valid. */
static void
test_xattr_vectors(void)
{
	static char name[256];
	const char *nm;
	const uint8_t *v;
	size_t n, off, nlen, vlen;
	int k;

	CHECK(xattr_check(NULL, 0) == 0);
	n = xattrs_sample(xbuf);
	CHECK(xattr_check(xbuf, n) == 0);
	off = 0;
	k = 0;
	while (xattr_next(xbuf, n, &off, &nm, &nlen, &v, &vlen) == 1) {
		if (k == 2)
			CHECK(nlen == 12 && memcmp(nm, "user.comment", 12) == 0 &&
			    vlen == 7 && memcmp(v, "caf\xc3\xa9\0x", 7) == 0);
		k++;
	}
	CHECK(k == 3 && off == n);

#define XV(want, ...) do { \
	static const char *const nm_[] = { __VA_ARGS__ }; \
	size_t i_; \
	n = 0; \
	for (i_ = 0; i_ < sizeof nm_ / sizeof nm_[0]; i_++) \
		xrec(xbuf, &n, nm_[i_], strlen(nm_[i_]), "", 0); \
	unit_check(xattr_check(xbuf, n) == (want), #want ": " #__VA_ARGS__, \
	    __FILE__, __LINE__); \
} while (0)
	XV(0, "user.a");
	XV(0, "trusted.x", "user.x");
	XV(0, "security.capability", "security.selinux");
	XV(0, "system.posix_acl_access", "system.posix_acl_default");
	XV(0, "user.a", "user.ab");		/* a prefix sorts first */
	XV(-1, "user.ab", "user.a");
	XV(-1, "user.a", "user.a");		/* a duplicate */
	XV(-1, "user.");			/* the prefix alone */
	XV(-1, "user");
	XV(-1, "system.posix_acl_accessX");
	XV(-1, "system.posix_acl");
	XV(-1, "os2.x");
	XV(-1, "USER.x");
#undef XV

	/* A name of 255 bytes; of 0; with a NUL. */
	memcpy(name, "user.", 5);
	memset(name + 5, 'n', 250);
	n = 0;
	xrec(xbuf, &n, name, 255, "v", 1);
	CHECK(xattr_check(xbuf, n) == 0);
	n = 0;
	xrec(xbuf, &n, "", 0, "v", 1);
	CHECK(xattr_check(xbuf, n) == -1);
	n = 0;
	xrec(xbuf, &n, "user.a\0b", 8, "v", 1);
	CHECK(xattr_check(xbuf, n) == -1);

	/* Lengths: a value running past the field, a header cut short, and
	 * XATTR_MAX exactly against one byte more. */
	n = 0;
	xrec(xbuf, &n, "user.a", 6, "vvvv", 4);
	CHECK(xattr_check(xbuf, n - 1) == -1);
	CHECK(xattr_check(xbuf, 8) == -1);
	CHECK(xattr_check(xbuf, 1) == -1);
	n = 0;
	xrec(xbuf, &n, "user.a", 6, big, XATTR_MAX - 9);
	CHECK(n == XATTR_MAX && xattr_check(xbuf, n) == 0);
	n = 0;
	xrec(xbuf, &n, "user.a", 6, big, XATTR_MAX - 8);
	CHECK(xattr_check(xbuf, n) == -1);
}

/* entry_json, then entry_parse and entry_xattrs: the same entry. */
static void
json_round_trip(const struct entry *e, int with_stamp, int line_no)
{
	static struct entry d;
	struct stamp x = { -7, 999999999, 1u << 31 }, y;
	struct buf b;
	size_t xn;
	int ok;

	buf_init(&b, line, sizeof line);
	ok = entry_json(&b, e, with_stamp ? &x : NULL) == 0 &&
	    b.len <= LINE_MAX_BYTES - 2 &&
	    json_parse(&j, (const char *)b.p, b.len) == 0 &&
	    entry_parse(&j, &d, with_stamp ? &y : NULL) == 0 &&
	    d.xattr == NULL &&
	    entry_xattrs(&j, xout, sizeof xout, &xn) == 0;
	unit_check(ok, "entry_json parses back", __FILE__, line_no);
	if (!ok)
		return;
	d.xattr = xout;
	d.xlen = xn;
	unit_check(entry_same(e, &d), "entry_json parses back to the same",
	    __FILE__, line_no);
	if (with_stamp)
		unit_check(y.ctime == x.ctime && y.ctime_ns == x.ctime_ns &&
		    y.ino == x.ino, "the stamp comes back", __FILE__, line_no);
}

#define JSON_RT(e, s) json_round_trip((e), (s), __LINE__)

/* A record parses (0) or not (-1). */
static int
parse(const char *rec, struct entry *e)
{
	size_t xn;

	if (json_parse(&j, rec, strlen(rec)) < 0 ||
	    entry_parse(&j, e, NULL) < 0)
		return -1;
	return entry_xattrs(&j, xout, sizeof xout, &xn);
}

static void
test_records(void)
{
	static struct entry e;
	static const unsigned types[] = { E_FILE, E_DIR, E_LINK, E_FIFO,
	    E_CHR, E_BLK, E_HARD };
	size_t i, xn;

	xn = xattrs_sample(xbuf);
	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		entry_valid(&e, types[i], NULL, 0);
		JSON_RT(&e, 0);
		entry_valid(&e, types[i], xbuf, xn);
		JSON_RT(&e, 1);
	}
	entry_valid(&e, E_DIR, xbuf, xn);
	e.plen = 0;
	e.path[0] = 0;
	JSON_RT(&e, 0);
	entry_valid(&e, E_FILE, NULL, 0);
	e.flags = EF_SPARSE | EF_CHANGED | EF_KEEP;
	strcpy(e.user, "o\"d\\d \xff");
	strcpy(e.group, "\x01tab\tnl\n");
	JSON_RT(&e, 1);
	entry_valid(&e, E_FILE, NULL, 0);
	e.owned = 1;
	e.uid = e.gid = 0;
	e.user[0] = e.group[0] = 0;
	JSON_RT(&e, 0);		/* owned by 0:0 is not "no owner" */

	/* The worst case fits one line: two paths of 4095 bytes that escape
	 * to 6 each, names of 64 such bytes, XATTR_MAX of xattrs. */
	entry_valid(&e, E_HARD, NULL, 0);
	for (i = 0; i < PATH_LEN_MAX; i++) {
		e.path[i] = i % 256 == 255 ? '/' : '\x01';
		e.target[i] = i % 256 == 255 ? '/' : '\x80';
	}
	e.path[PATH_LEN_MAX] = e.target[PATH_LEN_MAX] = 0;
	e.plen = e.tlen = PATH_LEN_MAX;
	e.target[0] = '\x01';		/* sorts before the path */
	e.path[0] = '\x02';
	CHECK(path_check(e.path, e.plen) == 0 &&
	    path_check(e.target, e.tlen) == 0);
	memset(e.user, '\x1f', OWNER_NAME_MAX);
	e.user[OWNER_NAME_MAX] = 0;
	memset(e.group, '\xfe', OWNER_NAME_MAX);
	e.group[OWNER_NAME_MAX] = 0;
	xn = 0;
	xrec(xbuf, &xn, "user.big", 8, big, XATTR_MAX - 11);
	e.xattr = xbuf;
	e.xlen = xn;
	e.flags = EF_SPARSE | EF_CHANGED | EF_KEEP | EF_MD5_LATER;
	e.uid = e.gid = 0xffffffffu;
	e.mtime = INT64_MIN;
	e.size = UINT64_MAX;
	JSON_RT(&e, 1);

	/* A v1 record: no owner recorded, no flags, no xattrs. */
	CHECK(parse("{\"path\":\"a b\",\"type\":\"file\",\"size\":3,"
	    "\"mode\":420,\"mtime\":1700000000,\"mtime_ns\":5,"
	    "\"md5\":\"0123456789abcdef0123456789abcdef\"}", &e) == 0);
	CHECK(e.type == E_FILE && e.owned == 0 && e.uid == 0 && e.gid == 0 &&
	    e.flags == 0 && e.xattr == NULL && e.user[0] == 0 &&
	    e.size == 3 && e.mode == 0644 && e.mtime_ns == 5 &&
	    e.md5[0] == 0x01 && e.md5[15] == 0xef);
	CHECK(parse("{\"path\":\"l\",\"type\":\"link\",\"size\":0,"
	    "\"mode\":511,\"mtime\":1,\"target\":\"x/y\"}", &e) == 0);
	CHECK(e.type == E_LINK && e.owned == 0 && e.tlen == 3);
	CHECK(parse("{\"path\":\"d\",\"type\":\"dir\",\"size\":0,"
	    "\"mode\":493,\"mtime\":1,\"uid\":0,\"gid\":0}", &e) == 0);
	CHECK(e.owned == 1 && e.uid == 0);

	/* Damaged v2 records. */
	CHECK(parse("{\"path\":\"d\",\"type\":\"sock\",\"size\":0,"
	    "\"mode\":493,\"mtime\":1}", &e) == -1);
	CHECK(parse("{\"path\":\"\",\"type\":\"file\",\"size\":0,"
	    "\"mode\":493,\"mtime\":1,\"md5\":"
	    "\"0123456789abcdef0123456789abcdef\"}", &e) == -1);
	CHECK(parse("{\"path\":\"d\",\"type\":\"dir\",\"size\":0,"
	    "\"mode\":493,\"mtime\":1,\"flags\":16}", &e) == -1);
	CHECK(parse("{\"path\":\"d\",\"type\":\"dir\",\"size\":0,"
	    "\"mode\":493,\"mtime\":1,\"uid\":4294967296}", &e) == -1);
	CHECK(parse("{\"path\":\"h\",\"type\":\"hard\",\"size\":0,"
	    "\"mode\":420,\"mtime\":1,\"md5\":"
	    "\"0123456789abcdef0123456789abcdef\",\"target\":\"../x\"}",
	    &e) == -1);
	CHECK(parse("{\"path\":\"d\",\"type\":\"dir\",\"size\":0,"
	    "\"mode\":493,\"mtime\":1,\"xattrs\":\"0675736572\"}", &e) == -1);
	CHECK(parse("{\"path\":\"d\",\"type\":\"dir\",\"size\":0,"
	    "\"mode\":493,\"mtime\":1,\"xattrs\":\"067\"}", &e) == -1);
	CHECK(parse("{\"path\":\"d\",\"type\":\"dir\",\"size\":0,"
	    "\"mode\":493,\"mtime\":1,\"xattrs\":\"zz\"}", &e) == -1);
	/* user.a = "" is fine, then the same bytes unsorted are not. */
	CHECK(parse("{\"path\":\"d\",\"type\":\"dir\",\"size\":0,"
	    "\"mode\":493,\"mtime\":1,\"xattrs\":"
	    "\"06757365722e610000\"}", &e) == 0);
	CHECK(parse("{\"path\":\"d\",\"type\":\"dir\",\"size\":0,"
	    "\"mode\":493,\"mtime\":1,\"xattrs\":"
	    "\"06757365722e62000006757365722e610000\"}", &e) == -1);
}

/* entry_json writes records byte for byte as it always has (old state
 * files and manifests compare equal, and their checksums hold). */
static void
test_known_records(void)
{
	static const char hard[] = "{\"path\":\"d/h\xc3\xa9\\n\\udcff\","
	    "\"type\":\"hard\",\"flags\":FLAGS,\"size\":18446744073709551615,"
	    "\"mode\":4095,\"mtime\":-9223372036854775808,"
	    "\"mtime_ns\":999999999,\"uid\":0,\"gid\":4294967295,"
	    "\"user\":\"r\\\"t\",\"group\":\"wheel\","
	    "\"md5\":\"00ff2030405060708090a0b0c0d0e0f0\","
	    "\"target\":\"d/first\",\"xattrs\":\"06757365722e61000178\","
	    "\"ctime\":-7,\"ctime_ns\":0,\"ino\":1}";
	static const char chr[] = "{\"path\":\"dev/c\",\"type\":\"chr\","
	    "\"size\":0,\"mode\":420,\"mtime\":1700000000,\"mtime_ns\":0,"
	    "\"major\":4294967295,\"minor\":0}";
	static const uint8_t xa[] = { 6, 'u', 's', 'e', 'r', '.', 'a', 0, 1,
	    'x' };
	static struct entry e;
	struct stamp x = { -7, 0, 1 };
	char want[sizeof hard + 16];
	struct buf b;
	size_t k;

	entry_clear(&e, E_HARD);
	memcpy(e.path, "d/h\xc3\xa9\n\xff", 8);
	e.plen = 7;
	e.flags = EF_ALL;
	e.size = UINT64_MAX;
	e.mode = 07777;
	e.mtime = INT64_MIN;
	e.mtime_ns = 999999999;
	e.owned = 1;
	e.gid = 0xffffffffu;
	strcpy(e.user, "r\"t");
	strcpy(e.group, "wheel");
	for (k = 0; k < MD5_LEN; k++)
		e.md5[k] = (uint8_t)(k * 16);
	e.md5[1] = 0xff;
	strcpy(e.target, "d/first");
	e.tlen = 7;
	e.xattr = xa;
	e.xlen = sizeof xa;
	k = (size_t)(strstr(hard, "FLAGS") - hard);
	snprintf(want, sizeof want, "%.*s%u%s", (int)k, hard, EF_ALL,
	    hard + k + 5);
	buf_init(&b, line, sizeof line);
	CHECK(entry_json(&b, &e, &x) == 0 && b.len == strlen(want) &&
	    memcmp(b.p, want, b.len) == 0);
	if (b.len != strlen(want) || memcmp(b.p, want, b.len) != 0)
		fprintf(stderr, "  wrote %.*s\n", (int)b.len, (char *)b.p);

	entry_clear(&e, E_CHR);
	strcpy(e.path, "dev/c");
	e.plen = 5;
	e.mode = 0644;
	e.mtime = 1700000000;
	e.major = 0xffffffffu;
	buf_init(&b, line, sizeof line);
	CHECK(entry_json(&b, &e, NULL) == 0 && b.len == sizeof chr - 1 &&
	    memcmp(b.p, chr, b.len) == 0);
	if (b.len != sizeof chr - 1 || memcmp(b.p, chr, b.len) != 0)
		fprintf(stderr, "  wrote %.*s\n", (int)b.len, (char *)b.p);
}

void
suite_entry2(void)
{
	memset(big, 'x', sizeof big);
	test_round_trips();
	test_limits();
	test_limits_data();
	test_xattr_vectors();
	test_records();
	test_known_records();
}
