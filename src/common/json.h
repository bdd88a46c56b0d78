/*
 * json.h — one JSON object at a time, read into a fixed array of jsmn's
 * tokens (as JSMN_STRICT cuts them, in one checking pass of json.c's own:
 * see json.c), written into a bounded buf.
 *
 * cairn's JSON files (client state, manifests, the server's state file)
 * hold one object per line inside one JSON array, so a reader never needs
 * more than one line in memory. A record with more tokens than
 * JSON_MAX_TOKENS is an error, never a reason to grow.
 *
 * Names are arbitrary bytes but JSON strings are Unicode. The writer copies
 * valid UTF-8 as it is and writes each byte of an invalid sequence as a lone
 * low surrogate \udc80..\udcff (Python's "surrogateescape", PEP 383); the
 * reader turns those back into the original bytes. Valid UTF-8 never holds
 * an encoded surrogate, so the mapping is exact both ways.
 */
#ifndef CAIRN_JSON_H
#define CAIRN_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSMN_STRICT
#define JSMN_HEADER
#include <jsmn.h>

#include "buf.h"

#define JSON_MAX_TOKENS 64

struct json {
	const char *src;
	size_t len;
	int ntok;
	jsmntok_t tok[JSON_MAX_TOKENS];
	/* 1 if string token t was checked by json_parse and holds no
	 * escape (it decodes to its own bytes); 0 makes the getters decode
	 * and check it, as they must a token filled in by hand. */
	uint8_t plain[JSON_MAX_TOKENS];
	int nkey;			/* the object's own keys: */
	int key[JSON_MAX_TOKENS / 2];	/* their tokens, in order */
};

/*
 * Parse src[0..len) which must hold exactly one JSON object (surrounding
 * white space allowed, nothing else). 0 on success; -1 if malformed,
 * truncated, not an object, or with too many tokens.
 */
int json_parse(struct json *j, const char *src, size_t len);

/* Token index of the value of top-level key, or -1 if absent. */
int json_find(const struct json *j, const char *key);

/*
 * The string value of key, escapes decoded, into out[0..cap). *n gets its
 * length; out is NUL-terminated when there is room (cap > *n). 0 on
 * success; -1 if absent, not a string, a bad escape, or longer than cap-1.
 * Decoded strings may hold any byte except NUL (a \u0000 is an error).
 */
int json_str(const struct json *j, const char *key, char *out, size_t cap,
    size_t *n);
/* Unsigned / signed integer value of key (no fraction, no exponent, in
 * range). 0 on success, -1 otherwise. */
int json_u64(const struct json *j, const char *key, uint64_t *v);
int json_i64(const struct json *j, const char *key, int64_t *v);
/* true/false value of key: 0 on success with *v set, -1 otherwise. */
int json_bool(const struct json *j, const char *key, int *v);

/* Same as json_str, json_u64 and json_i64, for the token at index t (an
 * array element, a value json_index found); t = -1 is absent. */
int json_tok_str(const struct json *j, int t, char *out, size_t cap,
    size_t *n);
int json_tok_u64(const struct json *j, int t, uint64_t *v);
int json_tok_i64(const struct json *j, int t, int64_t *v);

/* A key for json_index: its bytes, no escape or control character, and
 * their count, below JSON_NAME_MAX. JSON_NAME("path") writes one. */
#define JSON_NAME_MAX 32
struct json_name {
	const char *s;
	size_t n;
};
#define JSON_NAME(lit) { (lit), sizeof(lit) - 1 }

/*
 * The values of n top-level keys at once: at[i] gets the token of the
 * value of name[i], or -1 if it is absent; other keys are passed over.
 * One walk of the object's keys, each compared first with the name after
 * the last one found: a record whose keys come in the order of name[]
 * (as a writer with the same table puts them) costs a comparison a key,
 * where json_find searches all of them for each.
 */
void json_index(const struct json *j, const struct json_name *name, int n,
    int *at);

/*
 * Writers: append to b, return 0 or -1 when b is full (b->err is set).
 * json_put_str writes a quoted string of n arbitrary bytes as described
 * above (control characters, quote and backslash escaped).
 */
int json_put_str(struct buf *b, const char *s, size_t n);
/* "key": — a quoted key and a colon, with a leading comma unless first. */
int json_put_key(struct buf *b, const char *key, int first);

#endif
