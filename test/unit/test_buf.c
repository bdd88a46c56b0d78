/* test_buf.c — the bounded buffer and reader. */
#include <string.h>

#include "buf.h"
#include "unit.h"
#include "util.h"

void
suite_buf(void)
{
	uint8_t s[8];
	struct buf b;
	struct rd r;
	size_t n;
	const char *p;

	buf_init(&b, s, sizeof s);
	CHECK(buf_u32(&b, 0x01020304) == 0);
	CHECK(buf_u16(&b, 0xa0b0) == 0);
	CHECK(buf_room(&b) == 2);
	CHECK(buf_u32(&b, 1) == -1 && b.err);	/* does not fit */
	CHECK(b.len == 6);			/* nothing written */
	CHECK_SAME(s, 6, "\x01\x02\x03\x04\xa0\xb0", 6);
	buf_reset(&b);
	CHECK(buf_u64(&b, 0x0102030405060708ull) == 0 && !b.err);
	buf_reset(&b);
	CHECK(buf_dec(&b, 1234567) == 0);
	CHECK_SAME(s, b.len, "1234567", 7);
	buf_reset(&b);
	CHECK(buf_sdec(&b, -42) == 0);
	CHECK_SAME(s, b.len, "-42", 3);
	buf_reset(&b);
	CHECK(buf_hex(&b, "\xde\xad\xbe\xef\x01", 5) == -1);	/* 10 > 8 */
	CHECK(buf_hex(&b, "\xde\xad\xbe", 3) == 0);
	CHECK_SAME(s, 6, "deadbe", 6);

	/* Reader: sticky errors, strings with limits, no NUL inside. */
	rd_init(&r, "\x00\x03" "abc" "\x12", 6);
	p = rd_str(&r, 3, &n);
	CHECK(p != NULL && n == 3 && memcmp(p, "abc", 3) == 0);
	CHECK(rd_u8(&r) == 0x12 && rd_end(&r) == 0);
	CHECK(rd_u8(&r) == 0 && r.err && rd_end(&r) == -1);
	rd_init(&r, "\x00\x03" "abc", 5);
	CHECK(rd_str(&r, 2, &n) == NULL && r.err);	/* over the limit */
	rd_init(&r, "\x00\x03" "a\0c", 5);
	CHECK(rd_str(&r, 9, &n) == NULL && r.err);	/* holds a NUL */
	rd_init(&r, "\x00\x09" "abc", 5);
	CHECK(rd_str(&r, 99, &n) == NULL && r.err);	/* truncated */
	rd_init(&r, "\xff\xff\xff\xff\xff\xff\xff", 7);
	CHECK(rd_u64(&r) == 0 && r.err);		/* short */
	rd_init(&r, "\x01\x02", 2);
	CHECK(rd_u8(&r) == 1 && rd_end(&r) == -1);	/* bytes left over */
}

/* Snapshot names: UTC, sortable, no time zone tables; find_str. */
void
suite_util(void)
{
	static const struct { int64_t t; const char *want; } v[] = {
		{ 0, "1970-01-01T00-00-00Z" },
		{ 951782400, "2000-02-29T00-00-00Z" },
		{ 1795881409, "2026-11-28T15-56-49Z" },
		{ 4102444799, "2099-12-31T23-59-59Z" },
		{ -1, "1969-12-31T23-59-59Z" },
		{ 1709164800, "2024-02-29T00-00-00Z" },
		{ 253402300799, "9999-12-31T23-59-59Z" },
	};
	static const char *const hay[][3] = {	/* s, t, what follows */
		{ "abc", "abc", "abc" }, { "xabcx", "bc", "bcx" },
		{ "aab", "ab", "ab" }, { "abab", "bab", "bab" },
		{ "abc", "", "abc" }, { "", "a", NULL }, { "ab", "abc", NULL },
		{ "a\nversion 2", "version", "version 2" }, { "aaa", "aab", NULL },
	};
	char out[21];
	size_t i;

	for (i = 0; i < sizeof hay / sizeof hay[0]; i++) {
		const char *p = find_str(hay[i][0], hay[i][1]);

		CHECK(hay[i][2] == NULL ? p == NULL :
		    p != NULL && strcmp(p, hay[i][2]) == 0);
		CHECK(p == strstr(hay[i][0], hay[i][1]));
	}
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		utc_name(v[i].t, out);
		CHECK_SAME(out, strlen(out), v[i].want, strlen(v[i].want));
	}
}
