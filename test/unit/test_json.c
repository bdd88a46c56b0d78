/* test_json.c — json.c: parsing, getters, hostile input, the writers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "unit.h"

#define RT_MAX 300			/* longest random round-trip string */
#define RT_BUF (RT_MAX * 6 + 16)	/* worst case: every byte as \udcXX */

/* Parse a C string literal (no NUL inside). */
static int
parse(struct json *j, const char *s)
{
	return json_parse(j, s, strlen(s));
}

/* A small fixed-seed PRNG (xorshift64), so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Whether s[0..n) is all valid UTF-8 (the writer's output must be). */
static int
valid_utf8(const uint8_t *s, size_t n)
{
	size_t i = 0, len, k;
	unsigned c, lo, hi;

	while (i < n) {
		c = s[i];
		lo = 0x80;
		hi = 0xbf;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4;
		else
			return 0;
		if (c == 0xe0)
			lo = 0xa0;
		if (c == 0xed)
			hi = 0x9f;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;
		if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k < len; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return 0;
		i += len;
	}
	return 1;
}

/*
 * Write s[0..n) with json_put_str inside {"k":...}, parse it back and read
 * "k" with json_str. 1 if the bytes come back the same and the written
 * text is valid UTF-8 with no raw control character, 0 otherwise (and,
 * for the first few failures, a CHECK_SAME that shows them).
 */
static int
round_trip(const uint8_t *s, size_t n)
{
	static int shown;
	uint8_t text[RT_BUF];
	char out[RT_MAX + 1];
	struct buf b;
	struct json j;
	size_t got = 0, i;
	int ok;

	buf_init(&b, text, sizeof text);
	buf_puts(&b, "{");
	json_put_key(&b, "k", 1);
	json_put_str(&b, (const char *)s, n);
	buf_puts(&b, "}");
	ok = !b.err && valid_utf8(text, b.len);
	for (i = 0; ok && i < b.len; i++)
		if (text[i] < 0x20 || text[i] == 0x7f)
			ok = 0;
	ok = ok && json_parse(&j, (const char *)text, b.len) == 0 &&
	    json_str(&j, "k", out, sizeof out, &got) == 0 &&
	    got == n && memcmp(out, s, n) == 0;
	if (!ok && shown++ < 3) {
		CHECK_SAME(out, got, s, n);
		CHECK_SAME(text, b.len, "(written)", 9);
	}
	return ok;
}

/* A record with every kind of value, and each getter on it. */
static void
test_getters(void)
{
	static const char rec[] =
	    " \t\r\n{\"name\":\"etc/passwd\", \"size\" : 1234,"
	    "\"zero\":0,\"neg\":-5,\"dir\":false,\"ok\":true,\"nil\":null,"
	    "\"u64max\":18446744073709551615,"
	    "\"i64min\":-9223372036854775808,"
	    "\"i64max\":9223372036854775807,"
	    "\"nested\":{\"inner\":1,\"deep\":{\"hidden\":\"x\"},"
	    "\"list\":[{\"inarr\":2}]},"
	    "\"arr\":[1,\"two\",{\"k\":\"v\"},[3,[4]],\"fin\\u00e9\"],"
	    "\"empty\":\"\",\"eobj\":{},\"earr\":[],"
	    "\"esc\":\"q\\\"b\\\\s\\/b\\bf\\fn\\nr\\rt\\t\\u00e9"
	    "\\ud83d\\ude00\\uD83D\\uDE00\\u20ac\\udc80\\udcff\\u007f\","
	    "\"raw\":\"h\xc3\xa9\xff\x80\x7f\","
	    "\"k\\u00e9y\":7,"
	    "\"after\":\"last\"}\n";
	static const char esc[] = "q\"b\\s/b\bf\fn\nr\rt\t\xc3\xa9"
	    "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xe2\x82\xac\x80\xff\x7f";
	struct json j;
	char out[64];
	uint64_t u;
	int64_t i;
	size_t n;
	int v, t;

	CHECK(json_parse(&j, rec, sizeof rec - 1) == 0);

	CHECK(json_str(&j, "name", out, sizeof out, &n) == 0);
	CHECK_SAME(out, n, "etc/passwd", 10);
	CHECK(out[n] == 0);
	CHECK(json_u64(&j, "size", &u) == 0 && u == 1234);
	CHECK(json_i64(&j, "size", &i) == 0 && i == 1234);
	CHECK(json_u64(&j, "zero", &u) == 0 && u == 0);
	CHECK(json_i64(&j, "neg", &i) == 0 && i == -5);
	CHECK(json_bool(&j, "dir", &v) == 0 && v == 0);
	CHECK(json_bool(&j, "ok", &v) == 0 && v == 1);
	CHECK(json_u64(&j, "u64max", &u) == 0 && u == UINT64_MAX);
	CHECK(json_i64(&j, "i64min", &i) == 0 && i == INT64_MIN);
	CHECK(json_i64(&j, "i64max", &i) == 0 && i == INT64_MAX);
	CHECK(json_u64(&j, "i64max", &u) == 0 && u == (uint64_t)INT64_MAX);
	CHECK(json_str(&j, "empty", out, sizeof out, &n) == 0 && n == 0 &&
	    out[0] == 0);
	CHECK(json_str(&j, "esc", out, sizeof out, &n) == 0);
	CHECK_SAME(out, n, esc, sizeof esc - 1);
	CHECK(json_str(&j, "raw", out, sizeof out, &n) == 0);
	CHECK_SAME(out, n, "h\xc3\xa9\xff\x80\x7f", 6);
	CHECK(json_u64(&j, "k\xc3\xa9y", &u) == 0 && u == 7);
	CHECK(json_str(&j, "after", out, sizeof out, &n) == 0);
	CHECK_SAME(out, n, "last", 4);
	CHECK(json_find(&j, "eobj") > 0 && json_find(&j, "earr") > 0);

	/* json_str's length is optional; cap is exact. */
	CHECK(json_str(&j, "after", out, 5, NULL) == 0 && strcmp(out, "last") == 0);
	CHECK(json_str(&j, "after", out, 4, &n) == -1 && n == 0);
	CHECK(json_str(&j, "after", out, 1, &n) == -1);
	CHECK(json_str(&j, "after", out, 0, &n) == -1);
	CHECK(json_str(&j, "empty", out, 1, &n) == 0 && n == 0);
	CHECK(json_str(&j, "esc", out, sizeof esc - 1, &n) == -1);
	CHECK(json_str(&j, "esc", out, sizeof esc, &n) == 0 &&
	    n == sizeof esc - 1);

	/* Array elements through json_tok_str. */
	t = json_find(&j, "arr");
	CHECK(t > 0 && j.tok[t].type == JSMN_ARRAY && j.tok[t].size == 5);
	CHECK(json_tok_str(&j, t + 2, out, sizeof out, &n) == 0);
	CHECK_SAME(out, n, "two", 3);
	CHECK(json_tok_str(&j, t + 1, out, sizeof out, &n) == -1);
	CHECK(json_tok_str(&j, t, out, sizeof out, &n) == -1);
	CHECK(json_tok_str(&j, t + 10, out, sizeof out, &n) == 0);
	CHECK_SAME(out, n, "fin\xc3\xa9", 5);
	CHECK(json_tok_str(&j, -1, out, sizeof out, &n) == -1);
	CHECK(json_tok_str(&j, j.ntok, out, sizeof out, &n) == -1);
	CHECK(json_tok_str(&j, 1000, out, sizeof out, &n) == -1);

	/* Only top-level keys are found; nested ones and values are not. */
	CHECK(json_find(&j, "inner") == -1);
	CHECK(json_find(&j, "deep") == -1);
	CHECK(json_find(&j, "hidden") == -1);
	CHECK(json_find(&j, "inarr") == -1);
	CHECK(json_find(&j, "list") == -1);
	CHECK(json_find(&j, "k") == -1);
	CHECK(json_find(&j, "v") == -1);
	CHECK(json_find(&j, "two") == -1);
	CHECK(json_find(&j, "etc/passwd") == -1);
	CHECK(json_find(&j, "last") == -1);
	CHECK(json_find(&j, "nested") > 0);

	/* Missing keys, and near misses. */
	CHECK(json_find(&j, "") == -1);
	CHECK(json_find(&j, "nam") == -1);
	CHECK(json_find(&j, "names") == -1);
	CHECK(json_find(&j, "NAME") == -1);
	CHECK(json_str(&j, "missing", out, sizeof out, &n) == -1 && n == 0);
	CHECK(json_u64(&j, "missing", &u) == -1);
	CHECK(json_i64(&j, "missing", &i) == -1);
	CHECK(json_bool(&j, "missing", &v) == -1);

	/* Wrong types. */
	CHECK(json_str(&j, "size", out, sizeof out, &n) == -1);
	CHECK(json_str(&j, "ok", out, sizeof out, &n) == -1);
	CHECK(json_str(&j, "nested", out, sizeof out, &n) == -1);
	CHECK(json_str(&j, "arr", out, sizeof out, &n) == -1);
	CHECK(json_u64(&j, "name", &u) == -1);
	CHECK(json_u64(&j, "neg", &u) == -1);
	CHECK(json_u64(&j, "i64min", &u) == -1);
	CHECK(json_u64(&j, "ok", &u) == -1);
	CHECK(json_u64(&j, "nil", &u) == -1);
	CHECK(json_u64(&j, "nested", &u) == -1);
	CHECK(json_u64(&j, "earr", &u) == -1);
	CHECK(json_i64(&j, "u64max", &i) == -1);
	CHECK(json_i64(&j, "name", &i) == -1);
	CHECK(json_i64(&j, "dir", &i) == -1);
	CHECK(json_bool(&j, "nil", &v) == -1);
	CHECK(json_bool(&j, "zero", &v) == -1);
	CHECK(json_bool(&j, "name", &v) == -1);
	CHECK(json_bool(&j, "eobj", &v) == -1);
}

/* Integers at and past their limits, and numbers that are not integers. */
static void
test_numbers(void)
{
	static const struct {
		const char *text;
		int u_ok;
		uint64_t u;
		int i_ok;
		int64_t i;
	} num[] = {
		{ "0", 1, 0, 1, 0 },
		{ "7", 1, 7, 1, 7 },
		{ "-0", 0, 0, 1, 0 },
		{ "-7", 0, 0, 1, -7 },
		{ "18446744073709551615", 1, UINT64_MAX, 0, 0 },
		{ "18446744073709551616", 0, 0, 0, 0 },
		{ "99999999999999999999", 0, 0, 0, 0 },
		{ "184467440737095516150", 0, 0, 0, 0 },
		{ "9223372036854775807", 1, 9223372036854775807ULL,
		    1, INT64_MAX },
		{ "9223372036854775808", 1, 9223372036854775808ULL, 0, 0 },
		{ "-9223372036854775808", 0, 0, 1, INT64_MIN },
		{ "-9223372036854775809", 0, 0, 0, 0 },
		{ "-18446744073709551616", 0, 0, 0, 0 },
		{ "1e3", 0, 0, 0, 0 },
		{ "1E3", 0, 0, 0, 0 },
		{ "1e+3", 0, 0, 0, 0 },
		{ "1.0", 0, 0, 0, 0 },
		{ "0.5", 0, 0, 0, 0 },
		{ "-1.5e-3", 0, 0, 0, 0 },
		{ "true", 0, 0, 0, 0 },
		{ "null", 0, 0, 0, 0 },
		{ "\"5\"", 0, 0, 0, 0 },
	};
	char rec[64];
	struct json j;
	uint64_t u;
	int64_t i;
	size_t k;

	for (k = 0; k < sizeof num / sizeof num[0]; k++) {
		snprintf(rec, sizeof rec, "{\"n\":%s}", num[k].text);
		if (!CHECK(parse(&j, rec) == 0)) {
			fprintf(stderr, "  record: %s\n", rec);
			continue;
		}
		u = 12345;
		i = 12345;
		if (!CHECK((json_u64(&j, "n", &u) == 0) == num[k].u_ok &&
		    (!num[k].u_ok || u == num[k].u)) ||
		    !CHECK((json_i64(&j, "n", &i) == 0) == num[k].i_ok &&
		    (!num[k].i_ok || i == num[k].i)))
			fprintf(stderr, "  number: %s\n", num[k].text);
	}
}

/* Structure: white space, empty objects, duplicates, nesting, limits. */
static void
test_structure(void)
{
	char rec[1024], *p;
	struct json j;
	uint64_t u;
	int k, v;

	CHECK(parse(&j, "{}") == 0 && json_find(&j, "a") == -1);
	CHECK(parse(&j, " \r\n\t{ \r\n\t} \r\n\t") == 0);
	CHECK(parse(&j, "{ \"a\" : [ 1 , { } , [ ] ] , \"b\" : true }") == 0 &&
	    json_bool(&j, "b", &v) == 0 && v == 1);

	/* Duplicate top-level keys are refused, however spelt. */
	CHECK(parse(&j, "{\"a\":1,\"a\":2}") == -1);
	CHECK(parse(&j, "{\"a\":1,\"b\":{},\"\\u0061\":2}") == -1);
	CHECK(parse(&j, "{\"\\u00e9\":1,\"\xc3\xa9\":2}") == -1);
	CHECK(parse(&j, "{\"a\":1,\"A\":2,\"a\\u0000\":3}") == -1);
	/* ... but the same name at another level is fine. */
	CHECK(parse(&j, "{\"a\":{\"a\":1},\"b\":[{\"a\":2}]}") == 0 &&
	    json_find(&j, "a") == 2);
	CHECK(parse(&j, "{\"a\":{\"b\":1,\"b\":2}}") == 0);

	/* A value that looks like a key is not one. */
	CHECK(parse(&j, "{\"x\":\"a\",\"y\":[\"a\"],\"a\":3}") == 0 &&
	    json_u64(&j, "a", &u) == 0 && u == 3);

	/* Exactly JSON_MAX_TOKENS tokens fit; one more does not. */
	p = rec + sprintf(rec, "{\"a\":[");
	for (k = 0; k < JSON_MAX_TOKENS - 3; k++)
		p += sprintf(p, "%s%d", k ? "," : "", k);
	strcpy(p, "],\"b\":1}");
	CHECK(parse(&j, rec) == -1);
	strcpy(p, "]}");
	CHECK(parse(&j, rec) == 0 && j.ntok == JSON_MAX_TOKENS);
	strcpy(p, ",0]}");
	CHECK(parse(&j, rec) == -1);

	p = rec + sprintf(rec, "{");
	for (k = 0; k < JSON_MAX_TOKENS / 2 - 1; k++)
		p += sprintf(p, "%s\"k%d\":%d", k ? "," : "", k, k);
	strcpy(p, "}");
	CHECK(parse(&j, rec) == 0 && json_u64(&j, "k30", &u) == 0 && u == 30);
	strcpy(p, ",\"last\":1}");
	CHECK(parse(&j, rec) == -1);

	/* Deep nesting up to the token limit, then past it. */
	p = rec + sprintf(rec, "{\"a\":");
	for (k = 0; k < JSON_MAX_TOKENS - 2; k++)
		*p++ = '[';
	for (k = 0; k < JSON_MAX_TOKENS - 2; k++)
		*p++ = ']';
	strcpy(p, ",\"b\":2}");
	CHECK(parse(&j, rec) == -1);
	strcpy(p, "}");
	CHECK(parse(&j, rec) == 0 && json_find(&j, "b") == -1);
	p = rec + sprintf(rec, "{\"a\":");
	for (k = 0; k < 1000 - 10; k++)
		*p++ = '[';
	strcpy(p, "}");
	CHECK(parse(&j, rec) == -1);

	/* A failed parse leaves nothing to read. */
	CHECK(parse(&j, "{\"a\":1,}") == -1 && json_find(&j, "a") == -1 &&
	    json_u64(&j, "a", &u) == -1);
}

/* Inputs that must all be refused. */
static void
test_malformed(void)
{
	static const char *const bad[] = {
		/* not one object */
		"", " ", "\n", "{", "}", "{{}}", "{}}", "{}{}", "{} {}",
		"{\"a\":1}{}", "{\"a\":1} x", "{\"a\":1},", "{\"a\":1}]",
		"{\"a\":1}\"", "[]", "[1]", "[{\"a\":1}]", "\"s\"", "1", "-1",
		"true", "null", "x", "\xef\xbb\xbf{}", "/*c*/{}", "{}//",
		"{\"a\":1}\v", "{\"a\":1}\f", "\v{}", "{\"a\":1}\x80",
		/* broken structure */
		"{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\" \"b\"}",
		"{\"a\":1 \"b\":2}", "{\"a\":\"x\" \"b\":2}", "{\"a\":1,}",
		"{,\"a\":1}", "{,}", "{\"a\"::1}", "{\"a\":1:2}", "{:1}",
		"{1:2}", "{a:1}", "{true:1}", "{\"a\":{}:1}", "{{}:1}",
		"{[]:1}", "{\"a\",1}", "{\"a\":1,,\"b\":2}",
		"{\"a\":[1:2]}", "{\"a\":[\"x\":2]}", "{\"a\":[1,]}",
		"{\"a\":[,1]}", "{\"a\":[1 2]}", "{\"a\":[1,,2]}",
		"{\"a\":{\"b\"}}", "{\"a\":{\"b\":}}", "{\"a\":[}",
		"{\"a\":{]}", "{\"a\":]}", "{\"a\":}}", "{\"a\":[1]]}",
		"{\"a\":{\"b\":1}}}", "{\"a\":1]", "{\"a\":[1,2}",
		"{\"a\":{\"b\":1}", "{\"a\":1", "{\"a\":", "{\"a\"",
		"{\"a", "{\"a\":\"unterminated}",
		/* bad primitives */
		"{\"a\":tru}", "{\"a\":truex}", "{\"a\":True}",
		"{\"a\":nul}", "{\"a\":nulll}", "{\"a\":f}", "{\"a\":-}",
		"{\"a\":--1}", "{\"a\":01}", "{\"a\":-01}", "{\"a\":00}",
		"{\"a\":1.}", "{\"a\":.5}", "{\"a\":1.e3}", "{\"a\":1e}",
		"{\"a\":1e+}", "{\"a\":+1}", "{\"a\":0x10}", "{\"a\":1-2}",
		"{\"a\":1\"b\"}", "{\"a\":'x'}", "{\"a\":NaN}",
		"{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":1_000}",
		"{\"a\":t\x80}", "{\"a\":1\x7f}",
		/* bad strings */
		"{\"a\":\"\\x\"}", "{\"a\":\"\\'\"}", "{\"a\":\"\\U0041\"}",
		"{\"a\":\"\\u12\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"\\u\"}",
		"{\"a\":\"\\\"}", "{\"a\":\"\\", "{\"a\":\"\\u00",
		"{\"a\":\"\\ud800\"}", "{\"a\":\"\\udbff\"}",
		"{\"a\":\"\\udc00\"}", "{\"a\":\"\\udc7f\"}",
		"{\"a\":\"\\udd00\"}", "{\"a\":\"\\udd80\"}",
		"{\"a\":\"\\udf00\"}", "{\"a\":\"\\udfff\"}",
		"{\"a\":\"\\udcff\\udfff\"}",
		"{\"a\":\"\\u0000\"}", "{\"a\":\"x\\u0000y\"}",
		"{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"\\ud800\\ud800\"}",
		"{\"a\":\"\\ud800x\"}", "{\"a\":\"\\ud800\\n\"}",
		"{\"a\":\"\\ude00\\ud83d\"}", "{\"a\":\"\\ud83d\\ude0\"}",
		"{\"a\":\"x\ty\"}", "{\"a\":\"x\ny\"}", "{\"a\":\"\x01\"}",
		"{\"a\":\"\x1f\"}", "{\"a\x1f\":1}", "{\"\\ud800\":1}",
		"{\"a\":\"x\",\"b\":\"\\q\"}",
		/* duplicate keys */
		"{\"a\":1,\"a\":2}", "{\"a\":1,\"\\u0061\":2}",
		"{\"a\\/b\":1,\"a/b\":2}",
	};
	static const char rec[] = "{\"name\":\"a\\u00e9\\\"b\",\"n\":-12,"
	    "\"d\":{\"x\":[1,true,null]},\"t\":false}";
	static const char nul1[] = "{\"a\":1}\0";
	static const char nul2[] = "{\"a\":\"x\0y\"}";
	static const char nul3[] = "{\"a\":1\0}";
	struct json j;
	size_t k, fails;
	char big[4096];

	CHECK(sizeof bad / sizeof bad[0] >= 40);
	for (k = 0; k < sizeof bad / sizeof bad[0]; k++)
		if (!CHECK(parse(&j, bad[k]) == -1))
			fprintf(stderr, "  accepted: %s\n", bad[k]);

	/* Nothing at all; NUL bytes anywhere. */
	CHECK(json_parse(&j, NULL, 0) == -1 && j.ntok == 0);
	CHECK(json_parse(&j, nul1, sizeof nul1 - 1) == -1);
	CHECK(json_parse(&j, nul2, sizeof nul2 - 1) == -1);
	CHECK(json_parse(&j, nul3, sizeof nul3 - 1) == -1);

	/* Every proper prefix of a valid record is truncated, so refused. */
	CHECK(json_parse(&j, rec, sizeof rec - 1) == 0);
	fails = 0;
	for (k = 0; k < sizeof rec - 1; k++)
		if (json_parse(&j, rec, k) != -1) {
			fprintf(stderr, "  prefix %zu accepted\n", k);
			fails++;
		}
	CHECK(fails == 0);

	/* Deleting any one byte of structure (there is none inside the
	 * strings of rec) breaks the record; other deletions may not, but
	 * must leave something the getters can walk. */
	fails = 0;
	for (k = 0; k < sizeof rec - 1; k++) {
		memcpy(big, rec, k);
		memcpy(big + k, rec + k + 1, sizeof rec - 2 - k);
		if (json_parse(&j, big, sizeof rec - 2) == 0) {
			(void)json_find(&j, "t");
			if (strchr("{}[]:,", rec[k]) != NULL) {
				fprintf(stderr, "  deleting %zu accepted\n", k);
				fails++;
			}
		}
	}
	CHECK(fails == 0);

	/* Long runs of openers and closers. */
	memset(big, '{', sizeof big);
	CHECK(json_parse(&j, big, sizeof big) == -1);
	memset(big, '[', sizeof big);
	big[0] = '{';
	CHECK(json_parse(&j, big, sizeof big) == -1);
	memset(big, '}', sizeof big);
	CHECK(json_parse(&j, big, sizeof big) == -1);
	memset(big, '"', sizeof big);
	CHECK(json_parse(&j, big, sizeof big) == -1);
}

/* What the writers produce, byte for byte. */
static void
test_writers(void)
{
	static const struct {
		const char *in;
		const char *out;
	} w[] = {
		{ "", "\"\"" },
		{ "plain/path.txt", "\"plain/path.txt\"" },
		{ "h\xc3\xa9llo", "\"h\xc3\xa9llo\"" },
		{ "\xe6\x97\xa5\xe6\x9c\xac", "\"\xe6\x97\xa5\xe6\x9c\xac\"" },
		{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },
		{ "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"" },
		{ "\xef\xbf\xbf", "\"\xef\xbf\xbf\"" },
		{ "\xed\x9f\xbf", "\"\xed\x9f\xbf\"" },
		{ "\xff", "\"\\udcff\"" },
		{ "a\xff" "b", "\"a\\udcffb\"" },
		{ "\x80", "\"\\udc80\"" },
		{ "\xc3", "\"\\udcc3\"" },
		{ "\xc3" "A", "\"\\udcc3A\"" },
		{ "\xc0\x80", "\"\\udcc0\\udc80\"" },
		{ "\xc1\xbf", "\"\\udcc1\\udcbf\"" },
		{ "\xe0\x80\xaf", "\"\\udce0\\udc80\\udcaf\"" },
		{ "\xed\xa0\x80", "\"\\udced\\udca0\\udc80\"" },
		{ "\xed\xbf\xbf", "\"\\udced\\udcbf\\udcbf\"" },
		{ "\xf0\x8f\xbf\xbf", "\"\\udcf0\\udc8f\\udcbf\\udcbf\"" },
		{ "\xf4\x90\x80\x80", "\"\\udcf4\\udc90\\udc80\\udc80\"" },
		{ "\xf5\x80\x80\x80", "\"\\udcf5\\udc80\\udc80\\udc80\"" },
		{ "\xe6\x97", "\"\\udce6\\udc97\"" },
		{ "\xe6\x97" "x", "\"\\udce6\\udc97x\"" },
		{ "\xf0\x9f\x98", "\"\\udcf0\\udc9f\\udc98\"" },
		{ "\xf0\x9f\x98\xf0\x9f\x98\x80",
		    "\"\\udcf0\\udc9f\\udc98\xf0\x9f\x98\x80\"" },
		{ "\"\\/", "\"\\\"\\\\/\"" },
		{ "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
		{ "\x1b[0m", "\"\\u001b[0m\"" },
	};
	char st[64], out[64];
	struct json j;
	struct buf b;
	size_t k, n, need;

	for (k = 0; k < sizeof w / sizeof w[0]; k++) {
		buf_init(&b, st, sizeof st);
		CHECK(json_put_str(&b, w[k].in, strlen(w[k].in)) == 0 &&
		    !b.err);
		CHECK_SAME(st, b.len, w[k].out, strlen(w[k].out));
	}

	/* A NUL is written as \u0000, which the reader refuses. */
	buf_init(&b, st, sizeof st);
	CHECK(json_put_str(&b, "a\0b", 3) == 0);
	CHECK_SAME(st, b.len, "\"a\\u0000b\"", 10);

	/* Keys. */
	buf_init(&b, st, sizeof st);
	CHECK(buf_putc(&b, '{') == 0);
	CHECK(json_put_key(&b, "name", 1) == 0);
	CHECK(json_put_str(&b, "x", 1) == 0);
	CHECK(json_put_key(&b, "q\"", 0) == 0);
	CHECK(buf_dec(&b, 5) == 0);
	CHECK(buf_putc(&b, '}') == 0);
	CHECK_SAME(st, b.len, "{\"name\":\"x\",\"q\\\"\":5}",
	    strlen("{\"name\":\"x\",\"q\\\"\":5}"));
	CHECK(json_parse(&j, st, b.len) == 0 &&
	    json_str(&j, "name", out, sizeof out, &n) == 0 && n == 1);

	/* A full buf: -1, err set, nothing written; exact room is enough. */
	need = strlen("\"a\\udcff\\n\"");
	for (k = 0; k < need; k++) {
		buf_init(&b, st, k);
		if (!CHECK(json_put_str(&b, "a\xff\n", 3) == -1 && b.err &&
		    b.len == 0))
			fprintf(stderr, "  cap %zu\n", k);
	}
	buf_init(&b, st, need);
	CHECK(json_put_str(&b, "a\xff\n", 3) == 0 && !b.err && b.len == need);
	CHECK(json_put_str(&b, "", 0) == -1 && b.err && b.len == need);

	buf_init(&b, st, sizeof st);
	CHECK(buf_puts(&b, "{\"x\":1") == 0);
	n = b.len;
	b.cap = n + strlen(",\"key\":") - 1;
	CHECK(json_put_key(&b, "key", 0) == -1 && b.err && b.len == n);
	b.cap = n + strlen(",\"key\":");
	b.err = 0;
	CHECK(json_put_key(&b, "key", 0) == 0 && !b.err && b.len == b.cap);
	buf_init(&b, st, 5);
	CHECK(json_put_key(&b, "key", 1) == -1 && b.err && b.len == 0);
	buf_init(&b, st, 6);
	CHECK(json_put_key(&b, "key", 1) == 0 && b.len == 6);
}

/* json_put_str then json_str gives back every byte string without NUL. */
static void
test_round_trip(void)
{
	static const uint8_t alpha[] = {
		0x01, 0x08, 0x09, 0x0a, 0x1f, ' ', '"', '/', '\\', 'a', 'u',
		'd', 'c', '0', 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
		0xc0, 0xc1, 0xc2, 0xc3, 0xdf, 0xe0, 0xe6, 0xed, 0xee, 0xef,
		0xf0, 0xf4, 0xf5, 0xff,
	};
	const size_t na = sizeof alpha;
	uint8_t s[RT_MAX];
	size_t a, b, c, n, k, bad = 0, runs = 0;

	for (a = 0; a < na; a++) {
		s[0] = alpha[a];
		bad += !round_trip(s, 1);
		runs++;
		for (b = 0; b < na; b++) {
			s[1] = alpha[b];
			bad += !round_trip(s, 2);
			runs++;
			for (c = 0; c < na; c++) {
				s[2] = alpha[c];
				bad += !round_trip(s, 3);
				runs++;
			}
		}
	}
	bad += !round_trip(s, 0);
	runs++;

	/* Random strings: some bytes uniform, some from the alphabet, some
	 * valid multi-byte characters, so both paths are well mixed. */
	for (k = 0; k < 10000; k++) {
		n = rng() % (RT_MAX + 1);
		for (a = 0; a < n; a++) {
			switch (rng() % 4) {
			case 0:
				s[a] = (uint8_t)(1 + rng() % 255);
				break;
			case 1:
				s[a] = alpha[rng() % na];
				break;
			case 2:
				s[a] = (uint8_t)(0x20 + rng() % 0x5f);
				break;
			default:
				if (n - a >= 3) {
					s[a++] = 0xe6;
					s[a++] = (uint8_t)(0x80 + rng() % 64);
					s[a] = (uint8_t)(0x80 + rng() % 64);
				} else {
					s[a] = 'z';
				}
			}
		}
		bad += !round_trip(s, n);
		runs++;
	}
	if (!CHECK(bad == 0))
		fprintf(stderr, "  %zu of %zu round trips failed\n", bad, runs);
	CHECK(runs == 1 + na + na * na + na * na * na + 10000);
}

/*
 * json_parse cuts tokens as jsmn (strict) would: for every input it
 * accepts, jsmn gives the same tokens, and a string is marked plain
 * exactly when it holds no backslash. Inputs are valid records, each
 * with random bytes replaced, inserted or deleted.
 */
static void
test_same_tokens(void)
{
	static const char *const seed[] = {
		"{\"path\":\"t00/d0000/f000000.txt\",\"type\":\"file\","
		    "\"size\":3338,\"mode\":420,\"mtime\":-1700000000,"
		    "\"mtime_ns\":0,\"md5\":\"81c15c95822a23ff8d50816e28fe4ca6\"}",
		"{ \"a\" : [ 1 , { \"b\" : [ ] } , [ true , null ] ] , \"c\" :"
		    " \"x\\u00e9\\\"\\/\\ud83d\\ude00\\udc80\" , \"d\":1.5e-3 }",
		"{\"\\u0061\":{\"a\":{\"a\":[[[\"\\n\\t\"]]]}},\"e\":false}",
	};
	static const char alpha[] = "{}[]:,\"\\ u0123456789abcdef-+.eE"
	    "tnrl\t\n\x01\x80\xc3";
	jsmntok_t tok[JSON_MAX_TOKENS];
	jsmn_parser p;
	struct json j;
	char in[512];
	size_t n, k, runs, good = 0, bad = 0;
	int r, t, m;

	for (runs = 0; runs < 60000; runs++) {
		n = strlen(seed[runs % 3]);
		memcpy(in, seed[runs % 3], n);
		for (m = (int)(rng() % 3); m > 0; m--) {
			k = (size_t)(rng() % n);
			switch (rng() % 3) {
			case 0:
				in[k] = alpha[rng() % (sizeof alpha - 1)];
				break;
			case 1:
				memmove(in + k + 1, in + k, n - k);
				in[k] = alpha[rng() % (sizeof alpha - 1)];
				n++;
				break;
			default:
				memmove(in + k, in + k + 1, n - k - 1);
				n--;
			}
		}
		if (json_parse(&j, in, n) < 0)
			continue;
		good++;
		jsmn_init(&p);
		r = jsmn_parse(&p, in, n, tok, JSON_MAX_TOKENS);
		if (r != j.ntok) {
			bad++;
			continue;
		}
		for (t = 0; t < r; t++)
			if (tok[t].type != j.tok[t].type ||
			    tok[t].start != j.tok[t].start ||
			    tok[t].end != j.tok[t].end ||
			    tok[t].size != j.tok[t].size ||
			    j.plain[t] != (tok[t].type == JSMN_STRING &&
			    memchr(in + tok[t].start, '\\',
			    (size_t)(tok[t].end - tok[t].start)) == NULL))
				break;
		if (t < r) {
			bad++;
			fprintf(stderr, "  token %d differs: %.*s\n", t,
			    (int)n, in);
		}
	}
	CHECK(bad == 0);
	/* Every proper prefix of a record, in storage of exactly its
	 * length (so that a read past it is the sanitizer's to see). */
	for (k = 1; k < strlen(seed[0]); k++) {
		char *cut = malloc(k);

		if (cut == NULL)
			break;
		memcpy(cut, seed[0], k);
		if (json_parse(&j, cut, k) != -1)
			bad++;
		cut[k - 1] = ',';
		if (json_parse(&j, cut, k) != -1)
			bad++;
		free(cut);
	}
	CHECK(bad == 0);
	/* Enough of the mutants parse for the comparison to mean much. */
	if (!CHECK(good > 5000))
		fprintf(stderr, "  only %zu of %zu inputs parsed\n", good, runs);
}

/* Duplicate keys are found among many, whatever their hashes. */
static void
test_many_keys(void)
{
	char rec[1024], *p;
	struct json j;
	int k, d;

	for (d = 0; d < 30; d++) {
		p = rec + sprintf(rec, "{");
		for (k = 0; k < 30; k++)
			p += sprintf(p, "%s\"k%d\":%d", k ? "," : "", k, k);
		sprintf(p, ",\"k%d\":0}", d);
		CHECK(parse(&j, rec) == -1);
		if (d < 10)
			sprintf(p, ",\"k\\u003%d\":0}", d);
		else
			sprintf(p, ",\"k\\u003%d%d\":0}", d / 10, d % 10);
		CHECK(parse(&j, rec) == -1);
		sprintf(p, ",\"k%d\":0}", d + 30);
		CHECK(parse(&j, rec) == 0);
	}
}

/* json_index finds each name's value whatever the order of the keys,
 * spelt with escapes or not, and passes over the rest. */
static void
test_index(void)
{
	static const struct json_name name[] = {
		JSON_NAME("a"), JSON_NAME("bb"), JSON_NAME("c"), JSON_NAME("")
	};
	struct json j;
	uint64_t u;
	int64_t s;
	int at[4];

	CHECK(parse(&j, "{\"a\":1,\"bb\":2,\"c\":3}") == 0);
	json_index(&j, name, 4, at);
	CHECK(at[0] == 2 && at[1] == 4 && at[2] == 6 && at[3] == -1);
	CHECK(json_tok_u64(&j, at[1], &u) == 0 && u == 2);
	CHECK(json_tok_u64(&j, at[3], &u) == -1 && json_tok_i64(&j, -1,
	    &s) == -1 && json_tok_u64(&j, j.ntok, &u) == -1);

	/* Out of order, escaped, unknown, long and empty keys. */
	CHECK(parse(&j, "{\"c\":[1],\"x\":0,\"\\u0062b\":-3,\"\":\"e\","
	    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\u0061\":1,"
	    "\"\\u0061\":true}") == 0);
	json_index(&j, name, 4, at);
	CHECK(at[2] == 2 && at[0] == j.ntok - 1 && at[3] == 9);
	CHECK(json_tok_i64(&j, at[1], &s) == 0 && s == -3 &&
	    json_tok_u64(&j, at[1], &u) == -1);
	CHECK(json_tok_u64(&j, at[2], &u) == -1);	/* an array */
	CHECK(json_tok_u64(&j, at[0], &u) == -1);	/* true */
	json_index(&j, name, 0, at);
	CHECK(parse(&j, "{}") == 0);
	json_index(&j, name, 4, at);
	CHECK(at[0] == -1 && at[1] == -1 && at[2] == -1 && at[3] == -1);
}

/* json_put_key writes what a comma, json_put_str and a colon would, for
 * any key and any room left (all or nothing). */
static void
test_put_key(void)
{
	static const char *const key[] = {
		"a", "", "mtime_ns", "\xc3\xa9", "\x80", "a\tb", "a\\b", "q\"",
		"\x7f", "\x1f"
	};
	char want[64], got[64];
	struct buf w, g;
	size_t k, cap;
	int first, r, bad = 0;

	for (k = 0; k < sizeof key / sizeof key[0]; k++)
		for (first = 0; first < 2; first++)
			for (cap = 0; cap < 24; cap++) {
				buf_init(&w, want, sizeof want);
				if (!first)
					buf_putc(&w, ',');
				json_put_str(&w, key[k], strlen(key[k]));
				buf_putc(&w, ':');
				buf_init(&g, got, cap);
				r = json_put_key(&g, key[k], first);
				if (w.len <= cap ? r != 0 || g.len != w.len ||
				    memcmp(got, want, w.len) != 0 :
				    r != -1 || g.len != 0 || !g.err)
					bad++;
			}
	CHECK(bad == 0);
}

void
suite_json(void)
{
	test_getters();
	test_numbers();
	test_structure();
	test_malformed();
	test_writers();
	test_round_trip();
	test_same_tokens();
	test_many_keys();
	test_index();
	test_put_key();
}
