/*
 * fuzz_json.c — libFuzzer target for json.c. Built and run by `make fuzz`
 * (test/fuzz/fuzz.mk); by hand:
 *
 *   clang -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -Ibuild/include -Isrc/common test/fuzz/fuzz_json.c \
 *       src/common/json.c src/common/buf.c -o build/fuzz_json
 *   build/fuzz_json -max_total_time=60 test/fuzz/corpus/json
 *
 * Each input is parsed as a record; if it parses, jsmn must cut the same
 * tokens, every top-level key is decoded, found again by name and read
 * with every getter, and every token is read with json_tok_str. Then, as a property: json_put_str of
 * the input read back with json_str gives the input (when it has no NUL).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define FUZZ_MAX 65536			/* longer inputs: parse only */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char text[FUZZ_MAX * 6 + 16];
static char out[FUZZ_MAX + 1];
static char key[FUZZ_MAX + 1];

/* Index of the token after the value at token i (its whole subtree). */
static int
skip(const struct json *j, int i)
{
	int left = 1;

	while (left > 0 && i < j->ntok) {
		left--;
		if (j->tok[i].type == JSMN_OBJECT)
			left += 2 * j->tok[i].size;
		else if (j->tok[i].type == JSMN_ARRAY)
			left += j->tok[i].size;
		i++;
	}
	return i;
}

/* Every getter on every key and token of a parsed record. */
static void
read_all(const struct json *j)
{
	static jsmntok_t tok[JSON_MAX_TOKENS];
	jsmn_parser p;
	uint64_t u;
	int64_t s;
	size_t n;
	int i, k, v, t;

	if (j->ntok < 1 || j->ntok > JSON_MAX_TOKENS ||
	    j->tok[0].type != JSMN_OBJECT)
		abort();
	/* json_parse cuts its tokens as jsmn (strict) would, and marks a
	 * string plain exactly when it holds no backslash. */
	jsmn_init(&p);
	if (jsmn_parse(&p, j->src, j->len, tok, JSON_MAX_TOKENS) != j->ntok)
		abort();
	for (t = 0; t < j->ntok; t++)
		if (tok[t].type != j->tok[t].type ||
		    tok[t].start != j->tok[t].start ||
		    tok[t].end != j->tok[t].end || tok[t].size != j->tok[t].size ||
		    j->plain[t] != (tok[t].type == JSMN_STRING &&
		    memchr(j->src + tok[t].start, '\\',
		    (size_t)(tok[t].end - tok[t].start)) == NULL))
			abort();
	/* Parse checked every string, so each one decodes, without NUL. */
	for (t = 0; t < j->ntok; t++) {
		if (json_tok_str(j, t, out, sizeof out, &n) < 0) {
			if (j->tok[t].type == JSMN_STRING)
				abort();
		} else if (memchr(out, 0, n) != NULL || out[n] != 0) {
			abort();
		}
	}
	for (i = 1, k = 0; k < j->tok[0].size; k++, i = skip(j, i + 1)) {
		if (i + 1 >= j->ntok || j->tok[i].type != JSMN_STRING)
			abort();
		/* Keys decode (parse checked them), hold no NUL, and are
		 * unique, so finding one by name lands on its value. */
		if (json_tok_str(j, i, key, sizeof key, &n) < 0 ||
		    strlen(key) != n || json_find(j, key) != i + 1)
			abort();
		if (json_u64(j, key, &u) == 0 && json_i64(j, key, &s) == 0 &&
		    s >= 0 && (uint64_t)s != u)
			abort();
		if (json_bool(j, key, &v) == 0 && v != 0 && v != 1)
			abort();
		(void)json_str(j, key, out, sizeof out, &n);
	}
	if (skip(j, 0) != j->ntok)
		abort();
	(void)json_find(j, "");
	(void)json_find(j, "name");
}

/* json_put_str then json_str must give data back exactly. */
static void
round_trip(const uint8_t *data, size_t size)
{
	struct json j;
	struct buf b;
	size_t n;

	buf_init(&b, text, sizeof text);
	if (buf_puts(&b, "{\"k\":") < 0 ||
	    json_put_str(&b, (const char *)data, size) < 0 ||
	    buf_putc(&b, '}') < 0)
		abort();
	if (json_parse(&j, text, b.len) < 0 ||
	    json_str(&j, "k", out, sizeof out, &n) < 0 ||
	    n != size || memcmp(out, data, size) != 0)
		abort();

	/* A buf one byte short fails cleanly and keeps what it had. */
	buf_init(&b, text, 5 + (b.len - 6) - 1);
	if (buf_puts(&b, "{\"k\":") < 0 ||
	    json_put_str(&b, (const char *)data, size) != -1 ||
	    !b.err || b.len != 5)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json j;

	if (size > FUZZ_MAX) {
		(void)json_parse(&j, (const char *)data, size);
		return 0;
	}
	if (json_parse(&j, (const char *)data, size) == 0)
		read_all(&j);
	if (memchr(data, 0, size) == NULL)
		round_trip(data, size);
	return 0;
}
