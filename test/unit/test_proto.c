/* test_proto.c — frame headers and entry encoding, with hostile input. */
#include <string.h>

#include "proto.h"
#include "unit.h"

static size_t
encode(uint8_t *out, size_t cap, const struct entry *e)
{
	struct buf b;

	buf_init(&b, out, cap);
	CHECK(entry_put(&b, e) == 0);
	return b.len;
}

void
suite_proto(void)
{
	static struct entry e, d;
	static uint8_t wire[FRAME_MAX];
	struct rd r;
	unsigned type;
	size_t n, len, i;
	int fails;

	CHECK(frame_hdr((const uint8_t *)"\x03\x00\xff\xff", &type, &n) == 0);
	CHECK(type == 3 && n == 65535);
	CHECK(frame_hdr((const uint8_t *)"\x03\x01\x00\x01", &type, &n) == -1);

	memset(&e, 0, sizeof e);
	e.type = E_FILE;
	strcpy(e.path, "dir/file name");
	e.plen = strlen(e.path);
	e.size = (uint64_t)1 << 40;
	e.mode = 0644;
	e.mtime = -5;
	e.mtime_ns = 999999999;
	memset(e.md5, 0xab, sizeof e.md5);
	len = encode(wire, sizeof wire, &e);
	rd_init(&r, wire, len);
	CHECK(entry_get(&r, &d) == 0 && rd_end(&r) == 0);
	CHECK(d.type == E_FILE && d.plen == e.plen && d.size == e.size &&
	    d.mode == 0644 && d.mtime == -5 && d.mtime_ns == 999999999);
	CHECK_SAME(d.path, d.plen, e.path, e.plen);
	CHECK_SAME(d.md5, MD5_LEN, e.md5, MD5_LEN);

	/* Every truncation of a valid entry is refused. */
	fails = 0;
	for (i = 0; i < len; i++) {
		rd_init(&r, wire, i);
		if (entry_get(&r, &d) == 0 && rd_end(&r) == 0)
			fails++;
	}
	CHECK(fails == 0);

	/* Hostile paths and fields. */
	{
		static const char *const paths[] = { "../x", "/etc/x",
		    "a/../../x", "", ".", "a//b" };
		for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
			e.plen = strlen(paths[i]);
			memcpy(e.path, paths[i], e.plen + 1);
			len = encode(wire, sizeof wire, &e);
			rd_init(&r, wire, len);
			CHECK(entry_get(&r, &d) == -1);
		}
	}
	strcpy(e.path, "ok");
	e.plen = 2;
	e.mode = 010000;		/* beyond 07777 */
	len = encode(wire, sizeof wire, &e);
	rd_init(&r, wire, len);
	CHECK(entry_get(&r, &d) == -1);
	e.mode = 0644;
	e.mtime_ns = 1000000000;	/* not a nanosecond count */
	len = encode(wire, sizeof wire, &e);
	rd_init(&r, wire, len);
	CHECK(entry_get(&r, &d) == -1);
	e.mtime_ns = 0;
	e.type = 9;			/* unknown type */
	len = encode(wire, sizeof wire, &e);
	rd_init(&r, wire, len);
	CHECK(entry_get(&r, &d) == -1);
	e.type = E_LINK;		/* a link needs a target */
	e.tlen = 0;
	len = encode(wire, sizeof wire, &e);
	rd_init(&r, wire, len);
	CHECK(entry_get(&r, &d) == -1);
	strcpy(e.target, "../../etc");	/* any target text is stored as is */
	e.tlen = strlen(e.target);
	len = encode(wire, sizeof wire, &e);
	rd_init(&r, wire, len);
	CHECK(entry_get(&r, &d) == 0 && d.tlen == e.tlen);
	/* A path length field larger than PATH_LEN_MAX is refused before
	 * anything is copied. */
	memcpy(wire, "\x01\xff\xff", 3);
	rd_init(&r, wire, sizeof wire);
	CHECK(entry_get(&r, &d) == -1);
}
