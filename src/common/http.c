/*
 * http.c — HTTP/1.1 message heads and chunked bodies (http.h).
 *
 * Everything works on bytes the caller holds; nothing here allocates,
 * reads a socket or keeps state between calls but struct http_chunk.
 */
#include "features.h"

#if CAIRN_HTTP

#include <string.h>

#include "http.h"
#include "util.h"

#define CHUNK_LINE_MAX 1024	/* a chunk-size line, extensions included */
#define TRAILER_MAX 4096	/* all trailer fields of a chunked body */
#define LENGTH_MAX ((uint64_t)1 << 62)

/* RFC 9110 section 5.6.2: tchar. */
static int
is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* 1 if a[n] equals the NUL-terminated b, case aside. */
static int
ieq(const char *a, size_t n, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] == '\0' || lower((unsigned char)a[i]) !=
		    lower((unsigned char)b[i]))
			return 0;
	return b[n] == '\0';
}

long
http_head_end(const char *p, size_t n)
{
	size_t pos = 0, len;
	int started = 0;
	const char *nl;

	for (;;) {
		nl = memchr(p + pos, '\n', n - pos);
		if (nl == NULL) {
			if (n - pos > HTTP_LINE_MAX || n >= HTTP_HEAD_MAX)
				return -1;
			return 0;
		}
		len = (size_t)(nl - (p + pos));
		if (len > 0 && p[pos + len - 1] == '\r')
			len--;
		if (len > HTTP_LINE_MAX)
			return -1;
		pos = (size_t)(nl - p) + 1;
		if (pos > HTTP_HEAD_MAX)
			return -1;
		if (len == 0 && started)
			return (long)pos;
		if (len > 0)
			started = 1;
	}
}

unsigned
http_head_too_long(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && (p[i] == '\r' || p[i] == '\n'))
		i++;
	if (memchr(p + i, '\n', n - i > HTTP_LINE_MAX + 1 ?
	    HTTP_LINE_MAX + 1 : n - i) == NULL)
		return 414;
	return 431;
}

static int
bad(struct http_head *h, unsigned status, const char *why)
{
	h->error = status;
	h->why = why;
	return -1;
}

/* The next line of p[n] from *pos, ended with NUL in place of its CRLF
 * (or LF); NULL past the end. A CR elsewhere stays, for the caller to
 * refuse. */
static char *
next_line(char *p, size_t n, size_t *pos, size_t *len)
{
	char *s = p + *pos, *nl;

	if (*pos >= n)
		return NULL;
	nl = memchr(s, '\n', n - *pos);
	if (nl == NULL)
		return NULL;
	*len = (size_t)(nl - s);
	if (*len > 0 && s[*len - 1] == '\r')
		(*len)--;
	s[*len] = '\0';
	*pos = (size_t)(nl - p) + 1;
	return s;
}

/* "HTTP/1.0" or "HTTP/1.1" at s[n]: 0 with *minor; -1 (400: not a
 * version) or -2 (505: another version). */
static int
version(const char *s, size_t n, unsigned *minor)
{
	if (n != 8 || memcmp(s, "HTTP/", 5) != 0 || s[6] != '.' ||
	    s[5] < '0' || s[5] > '9' || s[7] < '0' || s[7] > '9')
		return -1;
	if (s[5] != '1' || (s[7] != '0' && s[7] != '1'))
		return -2;
	*minor = (unsigned)(s[7] - '0');
	return 0;
}

/* The value of a Content-Length field: digits only, below LENGTH_MAX. */
static int
content_length(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 19)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x >= LENGTH_MAX)
		return -1;
	*out = x;
	return 0;
}

/* One field line s[len] into h. */
static int
field(struct http_head *h, char *s, size_t len)
{
	struct http_field *f;
	char *colon, *v, *e;
	size_t i;

	if (s[0] == ' ' || s[0] == '\t')
		return bad(h, 400, "obsolete line folding in a field");
	colon = memchr(s, ':', len);
	if (colon == NULL || colon == s)
		return bad(h, 400, "a field without a name");
	for (i = 0; s + i < colon; i++)
		if (!is_tchar((unsigned char)s[i]))
			return bad(h, 400, "a bad character in a field name");
	v = colon + 1;
	e = s + len;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	for (i = 0; v + i < e; i++) {
		unsigned char c = (unsigned char)v[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return bad(h, 400, "a control character in a field");
	}
	if (h->nfields == HTTP_FIELDS)
		return bad(h, 431, "too many header fields");
	*colon = '\0';
	*e = '\0';
	f = &h->field[h->nfields++];
	f->name = s;
	f->value = v;
	f->vlen = (size_t)(e - v);
	return 0;
}

/* What the fields say of the body and the connection. */
static int
framing(struct http_head *h)
{
	unsigned i, te = 0;
	uint64_t len;

	h->close = h->minor == 0;
	for (i = 0; i < h->nfields; i++) {
		const struct http_field *f = &h->field[i];

		if (ieq(f->name, strlen(f->name), "content-length")) {
			if (content_length(f->value, f->vlen, &len) < 0)
				return bad(h, 400, "a bad Content-Length");
			if (h->has_length && len != h->length)
				return bad(h, 400, "Content-Length given "
				    "twice, differently");
			h->has_length = 1;
			h->length = len;
		} else if (ieq(f->name, strlen(f->name),
		    "transfer-encoding")) {
			if (te++ || !ieq(f->value, f->vlen, "chunked"))
				return bad(h, 501, "a transfer coding other "
				    "than chunked");
			h->chunked = 1;
		} else if (ieq(f->name, strlen(f->name), "connection")) {
			if (http_list_has(f->value, f->vlen, "close"))
				h->close = 1;
			else if (h->minor == 0 && http_list_has(f->value,
			    f->vlen, "keep-alive"))
				h->close = 0;
		}
	}
	if (h->chunked && h->has_length)
		return bad(h, 400, "both Content-Length and "
		    "Transfer-Encoding");
	if (h->chunked && h->minor == 0)
		return bad(h, 400, "Transfer-Encoding in HTTP/1.0");
	return 0;
}

/* The field lines from *pos on, then the framing they give. */
static int
fields(struct http_head *h, char *p, size_t n, size_t pos)
{
	size_t len;
	char *s;

	while ((s = next_line(p, n, &pos, &len)) != NULL && len > 0) {
		if (memchr(s, '\r', len) != NULL || memchr(s, '\0', len))
			return bad(h, 400, "a bare CR or a NUL in a field");
		if (field(h, s, len) < 0)
			return -1;
	}
	if (s == NULL)
		return bad(h, 400, "the head does not end");
	return framing(h);
}

/* The first line that is not empty (RFC 9112 section 2.2). */
static char *
start_line(struct http_head *h, char *p, size_t n, size_t *pos,
    size_t *len)
{
	char *s;

	memset(h, 0, sizeof *h);
	while ((s = next_line(p, n, pos, len)) != NULL && *len == 0)
		;
	if (s == NULL) {
		bad(h, 400, "no start line");
		return NULL;
	}
	if (memchr(s, '\r', *len) != NULL || memchr(s, '\0', *len) != NULL) {
		bad(h, 400, "a bare CR or a NUL in the start line");
		return NULL;
	}
	return s;
}

int
http_parse_request(struct http_head *h, char *p, size_t n)
{
	size_t pos = 0, len, i;
	char *s, *sp1, *sp2;
	unsigned hosts;
	int v;

	if ((s = start_line(h, p, n, &pos, &len)) == NULL)
		return -1;
	sp1 = memchr(s, ' ', len);
	if (sp1 == NULL || sp1 == s)
		return bad(h, 400, "a malformed request line");
	sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - s));
	if (sp2 == NULL || sp2 == sp1 + 1)
		return bad(h, 400, "a malformed request line");
	for (i = 0; s + i < sp1; i++)
		if (!is_tchar((unsigned char)s[i]))
			return bad(h, 400, "a bad method");
	for (i = 1; sp1 + i < sp2; i++)
		if ((unsigned char)sp1[i] <= 0x20 ||
		    (unsigned char)sp1[i] >= 0x7f)
			return bad(h, 400, "a bad character in the target");
	if (sp1[1] != '/')
		return bad(h, 400, "a target not in origin form");
	v = version(sp2 + 1, len - (size_t)(sp2 + 1 - s), &h->minor);
	if (v < 0)
		return bad(h, v == -2 ? 505 : 400, v == -2 ?
		    "an HTTP version other than 1.0 and 1.1" :
		    "a malformed request line");
	*sp1 = *sp2 = '\0';
	h->method = s;
	h->target = sp1 + 1;
	if (fields(h, p, n, pos) < 0)
		return -1;
	for (i = 0, hosts = 0; i < h->nfields; i++)
		hosts += ieq(h->field[i].name, strlen(h->field[i].name),
		    "host");
	if (hosts > 1)
		return bad(h, 400, "Host given twice");
	if (hosts == 0 && h->minor == 1)
		return bad(h, 400, "no Host field");
	return 0;
}

int
http_parse_response(struct http_head *h, char *p, size_t n)
{
	size_t pos = 0, len;
	char *s;

	if ((s = start_line(h, p, n, &pos, &len)) == NULL)
		return -1;
	if (len < 12 || version(s, 8, &h->minor) < 0 || s[8] != ' ' ||
	    s[9] < '1' || s[9] > '5' || s[10] < '0' || s[10] > '9' ||
	    s[11] < '0' || s[11] > '9' || (len > 12 && s[12] != ' '))
		return bad(h, 502, "a malformed status line");
	h->status = (unsigned)((s[9] - '0') * 100 + (s[10] - '0') * 10 +
	    (s[11] - '0'));
	h->reason = len > 12 ? s + 13 : "";
	if (fields(h, p, n, pos) < 0) {
		h->error = 502;
		return -1;
	}
	return 0;
}

const char *
http_field(const struct http_head *h, const char *name, size_t *vlen)
{
	unsigned i;

	for (i = 0; i < h->nfields; i++)
		if (ieq(h->field[i].name, strlen(h->field[i].name), name)) {
			if (vlen != NULL)
				*vlen = h->field[i].vlen;
			return h->field[i].value;
		}
	return NULL;
}

int
http_list_has(const char *v, size_t n, const char *token)
{
	size_t i = 0, b, e;

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		b = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e > b && ieq(v + b, e - b, token))
			return 1;
	}
	return 0;
}

/* ---- chunked bodies ---------------------------------------------------- */

enum {
	CH_SIZE, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF,
	CH_TRAILER, CH_TRAILER_LINE, CH_TRAILER_LF, CH_END_LF
};

static long
chunk_bad(struct http_chunk *c, const char *why)
{
	c->why = why;
	return -1;
}

/* One framing byte b. 0, or -1. */
static int
chunk_byte(struct http_chunk *c, int b)
{
	int v;

	if (c->state == CH_SIZE && (v = hexval(b)) >= 0) {
		if (c->left >= LENGTH_MAX >> 4)
			return (int)chunk_bad(c, "a chunk size too large");
		c->left = c->left << 4 | (uint64_t)v;
		c->line++;
		return 0;
	}
	if (c->state == CH_SIZE || c->state == CH_EXT) {
		if (c->line == 0)
			return (int)chunk_bad(c, "a chunk size not in hex");
		if (++c->line > CHUNK_LINE_MAX)
			return (int)chunk_bad(c, "a chunk-size line too long");
		if (b == '\r')
			c->state = CH_SIZE_LF;
		else if ((b < 0x20 && b != '\t') || b == 0x7f ||
		    (c->state == CH_SIZE && b != ';' && b != ' ' &&
		    b != '\t'))
			return (int)chunk_bad(c, "a bad chunk-size line");
		else
			c->state = CH_EXT;
		return 0;
	}
	switch (c->state) {
	case CH_SIZE_LF:
		if (b != '\n')
			return (int)chunk_bad(c, "a chunk size without CRLF");
		c->state = c->left ? CH_DATA : CH_TRAILER;
		return 0;
	case CH_DATA_CR:
		if (b != '\r')
			return (int)chunk_bad(c, "chunk data without CRLF");
		c->state = CH_DATA_LF;
		return 0;
	case CH_DATA_LF:
		if (b != '\n')
			return (int)chunk_bad(c, "chunk data without CRLF");
		c->state = CH_SIZE;
		c->line = 0;
		return 0;
	case CH_TRAILER:
		c->state = b == '\r' ? CH_END_LF : CH_TRAILER_LINE;
		break;
	case CH_TRAILER_LINE:
		if (b == '\r')
			c->state = CH_TRAILER_LF;
		break;
	case CH_TRAILER_LF:
		if (b != '\n')
			return (int)chunk_bad(c, "a trailer without CRLF");
		c->state = CH_TRAILER;
		break;
	case CH_END_LF:
		if (b != '\n')
			return (int)chunk_bad(c, "the body does not end in "
			    "CRLF");
		c->done = 1;
		return 0;
	}
	if (++c->trailers > TRAILER_MAX)
		return (int)chunk_bad(c, "trailer fields too long");
	return 0;
}

long
http_unchunk(struct http_chunk *c, unsigned char *p, size_t n,
    size_t *used)
{
	size_t i = 0, o = 0, k;

	while (i < n && !c->done) {
		if (c->state != CH_DATA) {
			if (chunk_byte(c, p[i++]) < 0)
				return -1;
			continue;
		}
		k = n - i;
		if (k > c->left)
			k = (size_t)c->left;
		memmove(p + o, p + i, k);
		o += k;
		i += k;
		c->left -= k;
		if (c->left == 0)
			c->state = CH_DATA_CR;
	}
	*used = i;
	return (long)o;
}

/* ---- percent-encoding and queries -------------------------------------- */

long
http_pct_decode(const char *s, size_t n, char *out, size_t cap, int plus)
{
	size_t i, o = 0;
	int c, hi, lo;

	if (cap == 0)
		return -1;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (n - i < 3)
				goto fail;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				goto fail;
			c = hi << 4 | lo;
			i += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		} else if (c == '\0') {
			goto fail;
		}
		if (o + 1 >= cap)
			goto fail;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (long)o;
fail:
	out[0] = '\0';
	return -1;
}

long
http_pct_encode(const char *s, size_t n, char *out, size_t cap,
    int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0;
	int c;

	if (cap == 0)
		return -1;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || (c == '/' && keep_slash)) {
			if (o + 1 >= cap)
				goto fail;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= cap)
				goto fail;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return (long)o;
fail:
	out[0] = '\0';
	return -1;
}

long
http_query(const char *target, const char *name, char *out, size_t cap)
{
	const char *q = strchr(target, '?'), *amp, *eq;
	size_t nlen = strlen(name), plen;
	long r;

	if (q == NULL)
		return -1;
	for (q++; *q != '\0'; q = *amp ? amp + 1 : amp) {
		amp = strchr(q, '&');
		if (amp == NULL)
			amp = q + strlen(q);
		plen = (size_t)(amp - q);
		eq = memchr(q, '=', plen);
		if ((size_t)((eq ? eq : amp) - q) != nlen ||
		    memcmp(q, name, nlen) != 0)
			continue;
		if (eq == NULL) {
			if (cap == 0)
				return -2;
			out[0] = '\0';
			return 0;
		}
		r = http_pct_decode(eq + 1, (size_t)(amp - eq - 1), out, cap,
		    1);
		return r < 0 ? -2 : r;
	}
	return -1;
}

#endif
