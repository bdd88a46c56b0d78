/*
 * json.c — one JSON object at a time; see json.h.
 *
 * jsmn (strict mode) cuts the input into tokens. It is lenient about
 * structure: `{"a" "b"}`, `{"a":1,}`, `[1:2]`, primitives such as `tru`
 * or `01`, raw control characters in strings and anything after the first
 * value all get through. So json_parse walks the text once more with a
 * small grammar check and accepts the record only if the text is one valid
 * JSON object and jsmn's tokens (order, type, offsets, sizes) match it.
 * After that, every token can be trusted by the getters.
 *
 * This is the one translation unit that holds the jsmn implementation:
 * jsmn.h is included here without JSMN_HEADER, before json.h includes it
 * again as a header (its include guard makes that a no-op).
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

/*
 * 1 if the body of string token t is plain: no escape and no control
 * character, so that it decodes to its own bytes. Almost every string of
 * the state and the manifests is; the getters then take it whole instead
 * of byte by byte through the decoder.
 */
static int
plain(const struct json *j, int t)
{
	const unsigned char *p = (const unsigned char *)j->src + j->tok[t].start;
	const unsigned char *end = (const unsigned char *)j->src + j->tok[t].end;

	for (; p < end; p++)
		if (*p < 0x20 || *p == '\\')
			return 0;
	return 1;
}

/* 1 if the body of string token t holds a backslash. */
static int
has_escape(const struct json *j, int t)
{
	return memchr(j->src + j->tok[t].start, '\\',
	    (size_t)(j->tok[t].end - j->tok[t].start)) != NULL;
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

/* Whether string token t decodes without error. */
static int
str_ok(const struct json *j, int t)
{
	struct sdec d;
	int c;

	if (plain(j, t))
		return 1;
	sdec_init(&d, j, t);
	while ((c = sdec_next(&d)) >= 0)
		;
	return c == SDEC_END;
}

/*
 * Whether token k is the string whose opening quote is at src[pos], with
 * size sz (1 for a key, 0 for a value), closed by a quote, and decoding.
 */
static int
str_at(const struct json *j, int k, size_t pos, int sz)
{
	const jsmntok_t *t = &j->tok[k];

	return t->type == JSMN_STRING && (size_t)t->start == pos + 1 &&
	    t->end >= t->start && (size_t)t->end < j->len &&
	    j->src[t->end] == '"' && t->size == sz && str_ok(j, k);
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
	if (!has_escape(j, a) && !has_escape(j, b))
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
	if (raw_len(j, t) < klen || !has_escape(j, t))
		return 0;
	sdec_init(&d, j, t);
	for (i = 0; i < klen; i++)
		if (sdec_next(&d) != (unsigned char)key[i])
			return 0;
	return sdec_next(&d) == SDEC_END;
}

/* Whether s[0..n) is a JSON primitive: a number, true, false or null. */
static int
prim_ok(const char *s, size_t n)
{
	size_t i = 0;

	if ((n == 4 && memcmp(s, "true", 4) == 0) ||
	    (n == 5 && memcmp(s, "false", 5) == 0) ||
	    (n == 4 && memcmp(s, "null", 4) == 0))
		return 1;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0') {
		i++;
	} else if (i < n && s[i] >= '1' && s[i] <= '9') {
		while (i < n && is_digit(s[i]))
			i++;
	} else {
		return 0;
	}
	if (i < n && s[i] == '.') {
		if (++i >= n || !is_digit(s[i]))
			return 0;
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit(s[i]))
			return 0;
		while (i < n && is_digit(s[i]))
			i++;
	}
	return i == n;
}

/* What the grammar check expects next. */
enum want { W_VALUE, W_VALUE_OR_CLOSE, W_KEY, W_KEY_OR_CLOSE, W_COLON,
    W_COMMA_OR_CLOSE, W_DONE };

/* The grammar check's state: where it is in the text and the tokens, and
 * the containers open around it. */
struct chk {
	struct json *j;
	size_t pos;		/* in the text */
	int k;			/* the next token */
	int sp;			/* containers open */
	int esc;		/* a key of the object has an escape */
	enum want w;
	struct {
		int t;		/* container token */
		int n;		/* keys or elements seen */
	} st[JSON_MAX_TOKENS];
};

/* A key at x->pos: the next token, and unique at the top level (which
 * of two would win is a question best never asked). 0 or -1. */
static int
chk_key(struct chk *x, int c)
{
	struct json *j = x->j;
	int i, esc;

	if (c != '"' || x->k >= j->ntok || !str_at(j, x->k, x->pos, 1))
		return -1;
	if (x->sp == 1) {
		esc = has_escape(j, x->k);
		for (i = 0; i < j->nkey; i++)
			if (esc || x->esc ? str_same(j, j->key[i], x->k) :
			    raw_same(j, j->key[i], x->k))
				return -1;
		j->key[j->nkey++] = x->k;
		x->esc |= esc;
	}
	x->st[x->sp - 1].n++;
	x->pos = (size_t)j->tok[x->k].end + 1;
	x->k++;
	x->w = W_COLON;
	return 0;
}

/* A string or primitive value at x->pos, token t. 0 or -1. */
static int
chk_scalar(struct chk *x, int c, const jsmntok_t *t)
{
	const struct json *j = x->j;
	size_t end;

	if (c == '"') {
		if (!str_at(j, x->k, x->pos, 0))
			return -1;
		x->pos = (size_t)t->end + 1;
		return 0;
	}
	if (t->type != JSMN_PRIMITIVE || (size_t)t->start != x->pos ||
	    t->size != 0 || t->end < t->start)
		return -1;
	end = (size_t)t->end;
	if (end > j->len || !prim_ok(j->src + x->pos, end - x->pos))
		return -1;
	x->pos = end;
	return 0;
}

/* A value at x->pos: the next token must be it. 0 or -1. */
static int
chk_value(struct chk *x, int c)
{
	const struct json *j = x->j;
	const jsmntok_t *t;

	if (x->k >= j->ntok || (x->sp == 0 && c != '{'))
		return -1;
	t = &j->tok[x->k];
	if (x->sp > 0 && j->tok[x->st[x->sp - 1].t].type == JSMN_ARRAY)
		x->st[x->sp - 1].n++;
	if (c == '{' || c == '[') {
		if (t->type != (c == '{' ? JSMN_OBJECT : JSMN_ARRAY) ||
		    (size_t)t->start != x->pos || x->sp == JSON_MAX_TOKENS)
			return -1;
		x->st[x->sp].t = x->k;
		x->st[x->sp].n = 0;
		x->sp++;
		x->pos++;
		x->k++;
		x->w = c == '{' ? W_KEY_OR_CLOSE : W_VALUE_OR_CLOSE;
		return 0;
	}
	if (chk_scalar(x, c, t) < 0)
		return -1;
	x->k++;
	x->w = W_COMMA_OR_CLOSE;
	return 0;
}

/* c closes the innermost container, if it matches. 0 or -1. */
static int
chk_close(struct chk *x, int c)
{
	const jsmntok_t *t = &x->j->tok[x->st[x->sp - 1].t];

	if (c != (t->type == JSMN_OBJECT ? '}' : ']') ||
	    (size_t)t->end != x->pos + 1 || t->size != x->st[x->sp - 1].n)
		return -1;
	x->sp--;
	x->pos++;
	x->w = x->sp > 0 ? W_COMMA_OR_CLOSE : W_DONE;
	return 0;
}

/* A comma goes on with a key or a value; anything else must close. */
static int
chk_comma(struct chk *x, int c)
{
	if (c != ',')
		return chk_close(x, c);
	x->pos++;
	x->w = x->j->tok[x->st[x->sp - 1].t].type == JSMN_OBJECT ? W_KEY :
	    W_VALUE;
	return 0;
}

/*
 * Check that j->src is one JSON object and that j->tok describes it: walk
 * the text with an explicit stack (no recursion; depth is bounded by the
 * token count), taking jsmn's tokens in order and comparing each one with
 * what the text says. 0 if all agree, -1 otherwise.
 */
static int
check(struct json *j)
{
	struct chk x;
	int c, r;

	x.j = j;
	x.esc = 0;
	j->nkey = 0;
	x.pos = 0;
	x.k = x.sp = 0;
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
			r = chk_comma(&x, c);
			break;
		case W_KEY_OR_CLOSE:
			r = c == '}' ? chk_close(&x, c) : chk_key(&x, c);
			break;
		case W_KEY:
			r = chk_key(&x, c);
			break;
		case W_VALUE_OR_CLOSE:
			r = c == ']' ? chk_close(&x, c) : chk_value(&x, c);
			break;
		case W_VALUE:
			r = chk_value(&x, c);
			break;
		default:
			r = -1;		/* trailing garbage */
		}
		if (r < 0)
			return -1;
	}
	return (x.w == W_DONE && x.k == j->ntok) ? 0 : -1;
}

int
json_parse(struct json *j, const char *src, size_t len)
{
	jsmn_parser p;
	int r;

	j->src = src;
	j->len = len;
	j->ntok = 0;
	j->nkey = 0;
	/* jsmn keeps offsets in int and stops at a NUL. */
	if (len == 0 || len > INT_MAX || memchr(src, 0, len) != NULL)
		return -1;
	jsmn_init(&p);
	r = jsmn_parse(&p, src, len, j->tok, JSON_MAX_TOKENS);
	if (r < 1 || r > JSON_MAX_TOKENS)
		return -1;
	j->ntok = r;
	if (j->tok[0].type != JSMN_OBJECT || check(j) < 0) {
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
	if (plain(j, t)) {
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

/* The text of the primitive value of key, or NULL. */
static const char *
prim(const struct json *j, const char *key, size_t *n)
{
	int t = json_find(j, key);

	if (t < 0 || j->tok[t].type != JSMN_PRIMITIVE)
		return NULL;
	*n = (size_t)(j->tok[t].end - j->tok[t].start);
	return j->src + j->tok[t].start;
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
		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int
json_u64(const struct json *j, const char *key, uint64_t *v)
{
	const char *s;
	size_t n;

	if ((s = prim(j, key, &n)) == NULL)
		return -1;
	return digits_u64(s, n, v);
}

int
json_i64(const struct json *j, const char *key, int64_t *v)
{
	const char *s;
	uint64_t x;
	size_t n;

	if ((s = prim(j, key, &n)) == NULL)
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
			if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f)
				break;
			if ((len = utf8_len(s + run, n - run)) == 0)
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
	size_t mark = b->len;

	if ((!first && buf_putc(b, ',') < 0) ||
	    json_put_str(b, key, strlen(key)) < 0 || buf_putc(b, ':') < 0) {
		b->len = mark;
		b->err = 1;
		return -1;
	}
	return 0;
}
