/*
 * json.c — one JSON object at a time; see json.h.
 *
 * json_parse reads a record in one pass: a grammar walk with an explicit
 * stack that cuts the tokens as it goes, writing each one as jsmn (strict
 * mode) would (type, offsets, sizes), so the getters and the callers that
 * walk j->tok see what jsmn would give them. jsmn alone is lenient about
 * structure: `{"a" "b"}`, `{"a":1,}`, `[1:2]`, primitives such as `tru`
 * or `01`, raw control characters in strings and anything after the first
 * value all get through it; so records once took jsmn and then a second
 * walk of the text to check it, and the state and manifests are read on
 * every run, a record per file (DESIGN.md, "JSON records"). Every string
 * is checked as it is cut (escapes decoded, control characters refused)
 * and marked plain when it holds no escape, so that the getters take it
 * whole; the top-level keys are kept in order, each checked unique.
 *
 * This is the one translation unit that holds the jsmn implementation,
 * for the web UI's request bodies (ui_form.c): jsmn.h is included here
 * without JSMN_HEADER, before json.h includes it again as a header (its
 * include guard makes that a no-op).
 */
#define JSMN_STRICT
#include <jsmn.h>

#include <limits.h>
#include <string.h>

#include "json.h"
#include "util.h"

/* The decoder's answers besides a byte 0..255. */
#define SDEC_END (-1)
#define SDEC_BAD (-2)

/* A decoder over the body of a string token, one byte at a time. */
struct sdec {
	const char *s;
	size_t i, end;
	uint8_t b[4];
	int n, k;		/* bytes held in b, bytes of b handed out */
};

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* The code unit of "\uXXXX" at s[i..end), or -1 if it is not one. */
static long
u_escape(const char *s, size_t i, size_t end)
{
	long v = 0;
	int k, h;

	if (end - i < 6 || s[i] != '\\' || s[i + 1] != 'u')
		return -1;
	for (k = 2; k < 6; k++) {
		if ((h = hexval((unsigned char)s[i + k])) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Start decoding the body of string token t. */
static void
sdec_init(struct sdec *d, const struct json *j, int t)
{
	d->s = j->src;
	d->i = (size_t)j->tok[t].start;
	d->end = (size_t)j->tok[t].end;
	d->n = d->k = 0;
}

/*
 * Decode the next character into d->b: raw bytes as they are, escapes as
 * UTF-8, a lone \udc80..\udcff as the byte it stands for. 0, or -1 for a
 * raw control character, a bad or truncated escape, \u0000 or any other
 * lone surrogate.
 */
static int
sdec_fill(struct sdec *d)
{
	const char *s = d->s;
	unsigned c = (unsigned char)s[d->i];
	long u, lo;

	d->k = 0;
	if (c < 0x20)
		return -1;
	if (c != '\\') {
		d->b[0] = (uint8_t)c;
		d->n = 1;
		d->i++;
		return 0;
	}
	if (d->end - d->i < 2)
		return -1;
	d->n = 1;
	switch (s[d->i + 1]) {
	case '"':	d->b[0] = '"'; break;
	case '\\':	d->b[0] = '\\'; break;
	case '/':	d->b[0] = '/'; break;
	case 'b':	d->b[0] = '\b'; break;
	case 'f':	d->b[0] = '\f'; break;
	case 'n':	d->b[0] = '\n'; break;
	case 'r':	d->b[0] = '\r'; break;
	case 't':	d->b[0] = '\t'; break;
	case 'u':
		if ((u = u_escape(s, d->i, d->end)) <= 0)
			return -1;
		d->i += 6;
		if (u >= 0xd800 && u <= 0xdbff) {
			lo = u_escape(s, d->i, d->end);
			if (lo < 0xdc00 || lo > 0xdfff)
				return -1;
			d->i += 6;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			if (u < 0xdc80 || u > 0xdcff)
				return -1;
			d->b[0] = (uint8_t)(u & 0xff);	/* surrogateescape */
			return 0;
		}
		if (u < 0x80) {
			d->b[0] = (uint8_t)u;
		} else if (u < 0x800) {
			d->b[0] = (uint8_t)(0xc0 | u >> 6);
			d->b[1] = (uint8_t)(0x80 | (u & 0x3f));
			d->n = 2;
		} else if (u < 0x10000) {
			d->b[0] = (uint8_t)(0xe0 | u >> 12);
			d->b[1] = (uint8_t)(0x80 | (u >> 6 & 0x3f));
			d->b[2] = (uint8_t)(0x80 | (u & 0x3f));
			d->n = 3;
		} else {
			d->b[0] = (uint8_t)(0xf0 | u >> 18);
			d->b[1] = (uint8_t)(0x80 | (u >> 12 & 0x3f));
			d->b[2] = (uint8_t)(0x80 | (u >> 6 & 0x3f));
			d->b[3] = (uint8_t)(0x80 | (u & 0x3f));
			d->n = 4;
		}
		return 0;
	default:
		return -1;
	}
	d->i += 2;
	return 0;
}

/* The length of string token t's body, as written. */
static size_t
raw_len(const struct json *j, int t)
{
	return (size_t)(j->tok[t].end - j->tok[t].start);
}

/* Next decoded byte (0..255), SDEC_END after the last, or SDEC_BAD. */
static int
sdec_next(struct sdec *d)
{
	if (d->k == d->n) {
		if (d->i >= d->end)
			return SDEC_END;
		if (sdec_fill(d) < 0)
			return SDEC_BAD;
	}
	return d->b[d->k++];
}

/* Whether string tokens a and b are written alike. */
static int
raw_same(const struct json *j, int a, int b)
{
	return raw_len(j, a) == raw_len(j, b) && memcmp(j->src +
	    j->tok[a].start, j->src + j->tok[b].start, raw_len(j, a)) == 0;
}

/* Whether string tokens a and b decode to the same bytes (both valid). */
static int
str_same(const struct json *j, int a, int b)
{
	struct sdec da, db;
	int ca, cb;

	/* Equal bodies decode alike; unequal ones without escapes differ. */
	if (raw_same(j, a, b))
		return 1;
	if (j->plain[a] && j->plain[b])
		return 0;
	sdec_init(&da, j, a);
	sdec_init(&db, j, b);
	do {
		ca = sdec_next(&da);
		cb = sdec_next(&db);
	} while (ca == cb && ca >= 0);
	return ca == cb;
}

/* Whether string token t (checked) decodes to key[0..klen), a key with
 * no escape or control character. */
static int
str_is(const struct json *j, int t, const char *key, size_t klen)
{
	struct sdec d;
	size_t i;

	/* An escape only lengthens what it stands for, and key has none. */
	if (raw_len(j, t) == klen)
		return memcmp(j->src + j->tok[t].start, key, klen) == 0;
	if (raw_len(j, t) < klen || j->plain[t])
		return 0;
	sdec_init(&d, j, t);
	for (i = 0; i < klen; i++)
		if (sdec_next(&d) != (unsigned char)key[i])
			return 0;
	return sdec_next(&d) == SDEC_END;
}

/* What the parser expects next. */
enum want { W_VALUE, W_VALUE_OR_CLOSE, W_KEY, W_KEY_OR_CLOSE, W_COLON,
    W_COMMA_OR_CLOSE, W_DONE };

/* The parser's state: where it is in the text, and the containers open
 * around it (their tokens, innermost last; depth is bounded by the token
 * count). */
struct pst {
	struct json *j;
	size_t pos;
	int sp;
	int esc;		/* a key of the object has an escape */
	uint64_t seen;		/* hashes of its plain keys, one bit each */
	enum want w;
	int open[JSON_MAX_TOKENS];
};

/* A new token of type at start, or -1 when the array is full. */
static int
tok_new(struct json *j, jsmntype_t type, size_t start)
{
	jsmntok_t *t;

	if (j->ntok == JSON_MAX_TOKENS)
		return -1;
	t = &j->tok[j->ntok];
	t->type = type;
	t->start = (int)start;
	t->end = -1;
	t->size = 0;
	j->plain[j->ntok] = 0;
	return j->ntok++;
}

/* The bytes that end a run of a string's body: the quote, the
 * backslash and the control characters (RFC 8259, section 7). */
static const uint8_t run_end[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1
};

/*
 * The string whose opening quote is at x->pos, as a token of size sz (1
 * for a key, 0 for a value). Its body is scanned once: runs of ordinary
 * bytes in a tight loop, each escape decoded (and so checked) by
 * sdec_fill, a raw control character refused. The token index, or -1.
 */
static int
str_scan(struct pst *x, int sz)
{
	struct json *j = x->j;
	const unsigned char *s = (const unsigned char *)j->src;
	size_t i = x->pos + 1, len = j->len;
	struct sdec d;
	int t, plain = 1;

	if ((t = tok_new(j, JSMN_STRING, i)) < 0)
		return -1;
	for (;;) {
		while (i < len && !run_end[s[i]])
			i++;
		if (i == len || s[i] < 0x20)
			return -1;
		if (s[i] == '"')
			break;
		/* An escape never holds a quote, so decoding it against the
		 * end of the text is decoding it against the end of the
		 * string. */
		d.s = j->src;
		d.i = i;
		d.end = len;
		if (sdec_fill(&d) < 0)
			return -1;
		i = d.i;
		plain = 0;
	}
	j->tok[t].end = (int)i;
	j->tok[t].size = sz;
	j->plain[t] = (uint8_t)plain;
	x->pos = i + 1;
	return t;
}

/* The length of the digits at s[i..n). */
static size_t
digits(const char *s, size_t i, size_t n)
{
	size_t k = i;

	while (k < n && is_digit(s[k]))
		k++;
	return k - i;
}

/*
 * The primitive at x->pos: true, false, null or a number as RFC 8259
 * section 6 writes it (no leading zero, no lone sign or point). What
 * follows is the caller's to check. 0 or -1.
 */
static int
prim_scan(struct pst *x)
{
	struct json *j = x->j;
	const char *s = j->src;
	size_t i = x->pos, n = j->len, k;
	int t;

	if ((t = tok_new(j, JSMN_PRIMITIVE, i)) < 0)
		return -1;
	if (s[i] == 't' || s[i] == 'n') {
		if (n - i < 4 || (memcmp(s + i, "true", 4) != 0 &&
		    memcmp(s + i, "null", 4) != 0))
			return -1;
		i += 4;
	} else if (s[i] == 'f') {
		if (n - i < 5 || memcmp(s + i, "false", 5) != 0)
			return -1;
		i += 5;
	} else {
		if (s[i] == '-')
			i++;
		if (i < n && s[i] == '0')
			i++;
		else if ((k = digits(s, i, n)) > 0)
			i += k;
		else
			return -1;
		if (i < n && s[i] == '.') {
			if ((k = digits(s, ++i, n)) == 0)
				return -1;
			i += k;
		}
		if (i < n && (s[i] == 'e' || s[i] == 'E')) {
			if (++i < n && (s[i] == '+' || s[i] == '-'))
				i++;
			if ((k = digits(s, i, n)) == 0)
				return -1;
			i += k;
		}
	}
	j->tok[t].end = (int)i;
	x->pos = i;
	return 0;
}

/* Whether key token k equals an earlier key of the top-level object. */
static int
key_dup(struct pst *x, int k)
{
	const struct json *j = x->j;
	const char *s = j->src + j->tok[k].start;
	size_t n = raw_len(j, k);
	unsigned h;
	int i;

	if (x->esc || !j->plain[k]) {
		/* An escape: compare what the keys decode to. */
		x->esc = 1;
		for (i = 0; i < j->nkey; i++)
			if (str_same(j, j->key[i], k))
				return 1;
		return 0;
	}
	/* Plain keys are equal only if written alike: compare with the
	 * others only when one of them has the same hash (three of a key's
	 * bytes: no two of an entry's keys share one). */
	h = n == 0 ? 0 : ((unsigned char)s[0] + (unsigned char)s[n / 2] +
	    (unsigned char)s[n - 1] * 7u) & 63;
	if (x->seen >> h & 1)
		for (i = 0; i < j->nkey; i++)
			if (raw_same(j, j->key[i], k))
				return 1;
	x->seen |= (uint64_t)1 << h;
	return 0;
}

/* A key at x->pos, unique at the top level (which of two would win is a
 * question best never asked). 0 or -1. */
static int
key_scan(struct pst *x, int c)
{
	struct json *j = x->j;
	int k;

	if (c != '"' || (k = str_scan(x, 1)) < 0)
		return -1;
	if (x->sp == 1) {
		if (key_dup(x, k))
			return -1;
		j->key[j->nkey++] = k;
	}
	j->tok[x->open[x->sp - 1]].size++;
	x->w = W_COLON;
	return 0;
}

/* A value at x->pos: an object or array opened, a string or primitive
 * read. Only an object at the top. 0 or -1. */
static int
value_scan(struct pst *x, int c)
{
	struct json *j = x->j;
	int t;

	if (x->sp == 0 && c != '{')
		return -1;
	if (x->sp > 0 && j->tok[x->open[x->sp - 1]].type == JSMN_ARRAY)
		j->tok[x->open[x->sp - 1]].size++;
	if (c == '{' || c == '[') {
		if ((t = tok_new(j, c == '{' ? JSMN_OBJECT : JSMN_ARRAY,
		    x->pos)) < 0)
			return -1;
		x->open[x->sp++] = t;
		x->pos++;
		x->w = c == '{' ? W_KEY_OR_CLOSE : W_VALUE_OR_CLOSE;
		return 0;
	}
	if ((c == '"' ? str_scan(x, 0) : prim_scan(x)) < 0)
		return -1;
	x->w = W_COMMA_OR_CLOSE;
	return 0;
}

/* c closes the innermost container, if it matches. 0 or -1. */
static int
close_scan(struct pst *x, int c)
{
	jsmntok_t *t = &x->j->tok[x->open[x->sp - 1]];

	if (c != (t->type == JSMN_OBJECT ? '}' : ']'))
		return -1;
	t->end = (int)++x->pos;
	x->sp--;
	x->w = x->sp > 0 ? W_COMMA_OR_CLOSE : W_DONE;
	return 0;
}

/* A comma goes on with a key or a value; anything else must close. */
static int
comma_scan(struct pst *x, int c)
{
	if (c != ',')
		return close_scan(x, c);
	x->pos++;
	x->w = x->j->tok[x->open[x->sp - 1]].type == JSMN_OBJECT ? W_KEY :
	    W_VALUE;
	return 0;
}

/*
 * The common case without the general walk: an object whose values are
 * strings and primitives, with no white space, as cairn writes its
 * records (DESIGN.md, "JSON records"). 1 if that is all of the text,
 * read, with the tokens and keys the general walk would give; 0 if it
 * stopped short (white space, a nested value, an error, anything else),
 * and then the general walk reads the text again from the start and
 * decides.
 */
static int
flat(struct pst *x)
{
	struct json *j = x->j;
	const char *s = j->src;
	size_t n = j->len;
	int k, r;

	if (n < 2 || s[0] != '{' || s[1] == '}' || tok_new(j, JSMN_OBJECT,
	    0) < 0)
		return 0;
	x->open[0] = 0;
	x->sp = 1;
	x->pos = 1;
	for (;;) {
		if (x->pos >= n || s[x->pos] != '"' ||
		    (k = str_scan(x, 1)) < 0 || key_dup(x, k))
			return 0;
		j->key[j->nkey++] = k;
		j->tok[0].size++;
		if (x->pos + 1 >= n || s[x->pos] != ':')
			return 0;
		x->pos++;
		if (s[x->pos] == '"')
			r = str_scan(x, 0);
		else if (s[x->pos] == '{' || s[x->pos] == '[')
			r = -1;
		else
			r = prim_scan(x);
		if (r < 0 || x->pos >= n)
			return 0;
		if (s[x->pos] == '}') {
			j->tok[0].end = (int)++x->pos;
			return x->pos == n;
		}
		if (s[x->pos++] != ',')
			return 0;
	}
}

/*
 * One pass over the text: the grammar of RFC 8259 with an explicit stack
 * (no recursion), each token written as jsmn (strict) would write it,
 * each string checked as it is cut. 0 if the text is one JSON object.
 */
static int
scan(struct json *j)
{
	struct pst x;
	int c, r;

	x.j = j;
	x.esc = 0;
	x.seen = 0;
	if (flat(&x))
		return 0;
	j->ntok = 0;
	j->nkey = 0;
	x.pos = 0;
	x.sp = 0;
	x.esc = 0;
	x.seen = 0;
	x.w = W_VALUE;
	for (;;) {
		while (x.pos < j->len && is_ws(j->src[x.pos]))
			x.pos++;
		if (x.pos == j->len)
			break;
		c = (unsigned char)j->src[x.pos];
		switch (x.w) {
		case W_COLON:
			r = c == ':' ? 0 : -1;
			x.pos++;
			x.w = W_VALUE;
			break;
		case W_COMMA_OR_CLOSE:
			r = comma_scan(&x, c);
			break;
		case W_KEY_OR_CLOSE:
			r = c == '}' ? close_scan(&x, c) : key_scan(&x, c);
			break;
		case W_KEY:
			r = key_scan(&x, c);
			break;
		case W_VALUE_OR_CLOSE:
			r = c == ']' ? close_scan(&x, c) : value_scan(&x, c);
			break;
		case W_VALUE:
			r = value_scan(&x, c);
			break;
		default:
			r = -1;		/* trailing garbage */
		}
		if (r < 0)
			return -1;
	}
	return x.w == W_DONE ? 0 : -1;
}

int
json_parse(struct json *j, const char *src, size_t len)
{
	j->src = src;
	j->len = len;
	j->ntok = 0;
	j->nkey = 0;
	/* Offsets are kept in int, as jsmn keeps them. A NUL is refused
	 * where it stands: outside a string it is no token, inside one a
	 * raw control character. */
	if (len == 0 || len > INT_MAX || scan(j) < 0) {
		j->ntok = 0;
		j->nkey = 0;
		return -1;
	}
	return 0;
}

int
json_find(const struct json *j, const char *key)
{
	size_t klen = strlen(key);
	int i;

	for (i = 0; i < j->nkey; i++)
		if (str_is(j, j->key[i], key, klen))
			return j->key[i] + 1;
	return -1;
}

int
json_tok_str(const struct json *j, int t, char *out, size_t cap,
    size_t *n)
{
	struct sdec d;
	size_t len = 0;
	int c;

	if (n != NULL)
		*n = 0;
	if (cap > 0)
		out[0] = 0;
	if (t < 0 || t >= j->ntok || j->tok[t].type != JSMN_STRING || cap == 0)
		return -1;
	if (j->plain[t]) {
		if ((len = raw_len(j, t)) >= cap)
			return -1;
		memcpy(out, j->src + j->tok[t].start, len);
		out[len] = 0;
		if (n != NULL)
			*n = len;
		return 0;
	}
	sdec_init(&d, j, t);
	while ((c = sdec_next(&d)) >= 0) {
		if (len >= cap - 1) {
			out[0] = 0;
			return -1;
		}
		out[len++] = (char)c;
	}
	if (c != SDEC_END) {
		out[0] = 0;
		return -1;
	}
	out[len] = 0;
	if (n != NULL)
		*n = len;
	return 0;
}

int
json_str(const struct json *j, const char *key, char *out, size_t cap,
    size_t *n)
{
	return json_tok_str(j, json_find(j, key), out, cap, n);
}

void
json_index(const struct json *j, const struct json_name *name, int n,
    int *at)
{
	char dec[JSON_NAME_MAX];
	const char *s;
	size_t len;
	int i, k, m, c = 0;

	for (m = 0; m < n; m++)
		at[m] = -1;
	for (i = 0; i < j->nkey; i++) {
		k = j->key[i];
		s = j->src + j->tok[k].start;
		len = raw_len(j, k);
		if (!j->plain[k]) {
			if (json_tok_str(j, k, dec, sizeof dec, &len) < 0)
				continue;	/* longer than any name */
			s = dec;
		}
		/* Keys are unique: the first name that matches is the one. */
		for (m = 0; m < n; m++) {
			if (name[c].n == len && memcmp(name[c].s, s, len) == 0) {
				at[c] = k + 1;
				c = c + 1 == n ? 0 : c + 1;
				break;
			}
			c = c + 1 == n ? 0 : c + 1;
		}
	}
}

/* The text of primitive token t, or NULL. */
static const char *
prim_tok(const struct json *j, int t, size_t *n)
{
	if (t < 0 || t >= j->ntok || j->tok[t].type != JSMN_PRIMITIVE)
		return NULL;
	*n = (size_t)(j->tok[t].end - j->tok[t].start);
	return j->src + j->tok[t].start;
}

/* The text of the primitive value of key, or NULL. */
static const char *
prim(const struct json *j, const char *key, size_t *n)
{
	return prim_tok(j, json_find(j, key), n);
}

/* Decimal digits s[0..n), no sign, no leading zero, into *v. 0 or -1. */
static int
digits_u64(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	unsigned d;
	size_t i;

	if (n == 0 || (s[0] == '0' && n > 1))
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		d = (unsigned)(s[i] - '0');
		/* Nineteen digits always fit; past them, check (a division
		 * by a constant, only for the longest numbers). */
		if (i >= 19 && x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int
json_tok_u64(const struct json *j, int t, uint64_t *v)
{
	const char *s;
	size_t n;

	if ((s = prim_tok(j, t, &n)) == NULL)
		return -1;
	return digits_u64(s, n, v);
}

int
json_u64(const struct json *j, const char *key, uint64_t *v)
{
	return json_tok_u64(j, json_find(j, key), v);
}

int
json_i64(const struct json *j, const char *key, int64_t *v)
{
	return json_tok_i64(j, json_find(j, key), v);
}

int
json_tok_i64(const struct json *j, int t, int64_t *v)
{
	const char *s;
	uint64_t x;
	size_t n;

	if ((s = prim_tok(j, t, &n)) == NULL)
		return -1;
	if (n > 0 && s[0] == '-') {
		if (digits_u64(s + 1, n - 1, &x) < 0 ||
		    x > (uint64_t)INT64_MAX + 1)
			return -1;
		*v = x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x;
		return 0;
	}
	if (digits_u64(s, n, &x) < 0 || x > (uint64_t)INT64_MAX)
		return -1;
	*v = (int64_t)x;
	return 0;
}

int
json_bool(const struct json *j, const char *key, int *v)
{
	const char *s;
	size_t n;

	if ((s = prim(j, key, &n)) == NULL)
		return -1;
	if (n == 4 && memcmp(s, "true", 4) == 0)
		*v = 1;
	else if (n == 5 && memcmp(s, "false", 5) == 0)
		*v = 0;
	else
		return -1;
	return 0;
}

/*
 * Length of the valid UTF-8 sequence at s[0..n): 1..4, or 0 if it is not
 * one (stray continuation byte, overlong form, encoded surrogate, above
 * U+10FFFF, or cut short). Unicode 15, table 3-7.
 */
static size_t
utf8_len(const uint8_t *s, size_t n)
{
	unsigned c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0) {
		len = 2;
	} else if (c < 0xf0) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c < 0xf5) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* Append the escape \uXXXX for code unit u. */
static int
put_u(struct buf *b, unsigned u)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = { '\\', 'u', hex[u >> 12 & 15], hex[u >> 8 & 15],
	    hex[u >> 4 & 15], hex[u & 15] };

	return buf_put(b, e, sizeof e);
}

int
json_put_str(struct buf *b, const char *str, size_t n)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t mark = b->len, i = 0, run, len;
	const char *e;
	unsigned c;

	if (buf_putc(b, '"') < 0)
		goto full;
	while (i < n) {
		/* Copy the longest run that needs no escape in one go. */
		for (run = i; run < n; run += len) {
			c = s[run];
			len = 1;
			if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
				continue;	/* printable ASCII, most bytes */
			if (c < 0x80 || (len = utf8_len(s + run, n - run)) == 0)
				break;
		}
		if (buf_put(b, s + i, run - i) < 0)
			goto full;
		if ((i = run) == n)
			break;
		c = s[i++];
		e = NULL;
		switch (c) {
		case '"':	e = "\\\""; break;
		case '\\':	e = "\\\\"; break;
		case '\b':	e = "\\b"; break;
		case '\f':	e = "\\f"; break;
		case '\n':	e = "\\n"; break;
		case '\r':	e = "\\r"; break;
		case '\t':	e = "\\t"; break;
		}
		if (e != NULL) {
			if (buf_put(b, e, 2) < 0)
				goto full;
		} else if (c < 0x80) {
			/* Other control characters, DEL; a NUL is written as
			 * \u0000, which json_str refuses. */
			if (put_u(b, c) < 0)
				goto full;
		} else {
			/* A byte of an invalid sequence: surrogateescape. */
			if (put_u(b, 0xdc00 | c) < 0)
				goto full;
		}
	}
	if (buf_putc(b, '"') < 0)
		goto full;
	return 0;
full:
	b->len = mark;		/* all or nothing, as buf_put */
	b->err = 1;
	return -1;
}

int
json_put_key(struct buf *b, const char *key, int first)
{
	size_t mark = b->len, i;
	uint8_t *p;

	/* A key of printable ASCII without quote or backslash (every key
	 * cairn writes) is copied as it is, straight into b. */
	if (buf_room(b) > 4) {
		p = b->p + b->len;
		if (!first)
			*p++ = ',';
		*p++ = '"';
		for (i = 0; key[i] >= 0x20 && key[i] < 0x7f && key[i] != '"' &&
		    key[i] != '\\' && (size_t)(p - b->p) < b->cap - 2; i++)
			*p++ = (uint8_t)key[i];
		if (key[i] == 0) {
			*p++ = '"';
			*p++ = ':';
			b->len = (size_t)(p - b->p);
			return 0;
		}
	}

	if ((!first && buf_putc(b, ',') < 0) ||
	    json_put_str(b, key, strlen(key)) < 0 || buf_putc(b, ':') < 0) {
		b->len = mark;
		b->err = 1;
		return -1;
	}
	return 0;
}
