/*
 * s3_xml.c — the streaming XML reader of s3_xml.h: one state per kind of
 * byte run (text, tag name, attributes, comment, entity...), a table of
 * one small step function per state, each fed one byte.
 */
#include "features.h"

#if CAIRN_S3

#include <string.h>

#include "s3_xml.h"

enum {
	X_TEXT, X_LT, X_OPEN, X_ATTR, X_AVAL, X_EMPTY, X_CLOSE, X_CLOSE_WS,
	X_PI, X_BANG, X_COMMENT, X_ENT, X_STATES
};

/* Fail the document with why. */
static int
bad(struct s3_xml *x, const char *why)
{
	x->why = why;
	return -1;
}

static int
blank(unsigned c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A byte that may be in a name (first: that may begin one). */
static int
name_byte(unsigned c, int first)
{
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return 1;
	if (c == '_' || c == ':' || c >= 0x80)
		return 1;
	return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
}

/* Append c to name[] (a tag's or an entity's). */
static int
name_add(struct s3_xml *x, unsigned c)
{
	if (x->nlen + 1 >= sizeof x->name)
		return bad(x, "a name too long");
	x->name[x->nlen++] = (char)c;
	x->name[x->nlen] = 0;
	return 0;
}

/* Append c to the current text. */
static int
text_add(struct s3_xml *x, unsigned c)
{
	if (x->tlen + 1 >= sizeof x->text)
		return bad(x, "an element's text too long");
	x->text[x->tlen++] = (char)c;
	x->text[x->tlen] = 0;
	return 0;
}

/* Open the element named in name[]. */
static int
open_elt(struct s3_xml *x)
{
	size_t at = x->plen + (x->depth > 0);

	if (x->root_done)
		return bad(x, "a second root element");
	if (x->depth == S3_XML_DEPTH)
		return bad(x, "elements nested too deep");
	if (at + x->nlen >= sizeof x->path)
		return bad(x, "an element path too long");
	if (x->depth > 0)
		x->path[x->plen] = '/';
	memcpy(x->path + at, x->name, x->nlen + 1);
	x->mark[x->depth++] = at;
	x->plen = at + x->nlen;
	x->tlen = 0;
	x->text[0] = 0;
	return 0;
}

/* Close the innermost element (named name[], or any when check is 0):
 * hand it to the callback, then pop it. */
static int
close_elt(struct s3_xml *x, int check)
{
	size_t at;
	int rc;

	if (x->depth == 0)
		return bad(x, "a close tag without an open one");
	at = x->mark[x->depth - 1];
	if (check && (x->plen - at != x->nlen ||
	    memcmp(x->path + at, x->name, x->nlen) != 0))
		return bad(x, "a close tag that does not match");
	rc = x->fn(x->arg, x->path, x->text, x->tlen);
	if (rc != 0)
		return rc;
	x->depth--;
	x->plen = at > 0 ? at - 1 : 0;
	x->path[x->plen] = 0;
	x->tlen = 0;
	x->text[0] = 0;
	if (x->depth == 0)
		x->root_done = 1;
	return 0;
}

static int
st_text(struct s3_xml *x, unsigned c)
{
	if (c == '<') {
		x->state = X_LT;
		return 0;
	}
	if (x->depth == 0)
		return blank(c) ? 0 : bad(x, "text outside the root element");
	if (c == '&') {
		x->nlen = 0;
		x->state = X_ENT;
		return 0;
	}
	if (c < 0x20 && !blank(c))
		return bad(x, "a control character in text");
	return text_add(x, c);
}

static int
st_lt(struct s3_xml *x, unsigned c)
{
	x->nlen = 0;
	x->skip = 0;
	if (c == '?')
		x->state = X_PI;
	else if (c == '!')
		x->state = X_BANG;
	else if (c == '/')
		x->state = X_CLOSE;
	else if (name_byte(c, 1)) {
		x->state = X_OPEN;
		return name_add(x, c);
	} else
		return bad(x, "a '<' that begins no tag");
	return 0;
}

static int
st_open(struct s3_xml *x, unsigned c)
{
	if (name_byte(c, 0))
		return name_add(x, c);
	if (blank(c))
		x->state = X_ATTR;
	else if (c == '/')
		x->state = X_EMPTY;
	else if (c == '>')
		x->state = X_TEXT;
	else
		return bad(x, "a bad byte in a tag name");
	return open_elt(x);
}

/* Attributes are skipped, their values' quotes respected. */
static int
st_attr(struct s3_xml *x, unsigned c)
{
	if (c == '"' || c == '\'') {
		x->quote = (char)c;
		x->state = X_AVAL;
	} else if (c == '/')
		x->state = X_EMPTY;
	else if (c == '>')
		x->state = X_TEXT;
	else if (c == '<')
		return bad(x, "a '<' inside a tag");
	return 0;
}

static int
st_aval(struct s3_xml *x, unsigned c)
{
	if (c == (unsigned char)x->quote)
		x->state = X_ATTR;
	else if (c == '<')
		return bad(x, "a '<' in an attribute value");
	return 0;
}

static int
st_empty(struct s3_xml *x, unsigned c)
{
	if (c != '>')
		return bad(x, "a '/' in a tag not before its '>'");
	x->state = X_TEXT;
	return close_elt(x, 0);
}

static int
st_close(struct s3_xml *x, unsigned c)
{
	if (name_byte(c, x->nlen == 0))
		return name_add(x, c);
	if (x->nlen > 0 && blank(c)) {
		x->state = X_CLOSE_WS;
		return 0;
	}
	if (x->nlen > 0 && c == '>') {
		x->state = X_TEXT;
		return close_elt(x, 1);
	}
	return bad(x, "a bad close tag");
}

static int
st_close_ws(struct s3_xml *x, unsigned c)
{
	if (blank(c))
		return 0;
	if (c != '>')
		return bad(x, "a bad close tag");
	x->state = X_TEXT;
	return close_elt(x, 1);
}

/* A processing instruction (the XML declaration too), up to "?>". */
static int
st_pi(struct s3_xml *x, unsigned c)
{
	if (x->skip == 1 && c == '>') {
		x->state = X_TEXT;
		return 0;
	}
	x->skip = c == '?';
	return 0;
}

/* "<!" begins a comment here, nothing else (no DOCTYPE, no CDATA). */
static int
st_bang(struct s3_xml *x, unsigned c)
{
	if (c != '-')
		return bad(x, "a DOCTYPE, CDATA or other '<!' declaration");
	if (++x->skip == 2) {
		x->skip = 0;
		x->state = X_COMMENT;
	}
	return 0;
}

static int
st_comment(struct s3_xml *x, unsigned c)
{
	if (x->skip == 2 && c == '>') {
		x->state = X_TEXT;
		return 0;
	}
	x->skip = c == '-' ? (x->skip < 2 ? x->skip + 1 : 2) : 0;
	return 0;
}

/* Code point u as UTF-8 into the text. */
static int
text_utf8(struct s3_xml *x, unsigned long u)
{
	int rc = 0;

	if (u < 0x80)
		return text_add(x, (unsigned)u);
	if (u < 0x800) {
		rc |= text_add(x, 0xc0 | (unsigned)(u >> 6));
	} else if (u < 0x10000) {
		rc |= text_add(x, 0xe0 | (unsigned)(u >> 12));
		rc |= text_add(x, 0x80 | (unsigned)((u >> 6) & 0x3f));
	} else {
		rc |= text_add(x, 0xf0 | (unsigned)(u >> 18));
		rc |= text_add(x, 0x80 | (unsigned)((u >> 12) & 0x3f));
		rc |= text_add(x, 0x80 | (unsigned)((u >> 6) & 0x3f));
	}
	rc |= text_add(x, 0x80 | (unsigned)(u & 0x3f));
	return rc ? -1 : 0;
}

/* A character reference's number (name[] after '#'), or 0 if bad. */
static unsigned long
char_ref(const char *s)
{
	unsigned long u = 0;
	unsigned base = 10, d;

	if (*s == 'x') {
		base = 16;
		s++;
	}
	if (*s == 0)
		return 0;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (unsigned)((*s | 0x20) - 'a' + 10);
		else
			return 0;
		u = u * base + d;
		if (u > 0x10ffff)
			return 0;
	}
	if ((u >= 0xd800 && u <= 0xdfff) || (u < 0x20 && !blank((unsigned)u)))
		return 0;
	return u;
}

static const struct {
	const char *name;
	char c;
} entities[] = {
	{ "lt", '<' }, { "gt", '>' }, { "amp", '&' }, { "quot", '"' },
	{ "apos", '\'' },
};

static int
st_ent(struct s3_xml *x, unsigned c)
{
	unsigned long u;
	size_t i;

	if (c != ';' && !name_byte(c, 0) && c != '#')
		return bad(x, "a bad entity");
	if (c != ';')
		return x->nlen < 8 ? name_add(x, c) :
		    bad(x, "an entity too long");
	x->state = X_TEXT;
	if (x->name[0] == '#') {
		u = char_ref(x->name + 1);
		return u ? text_utf8(x, u) : bad(x, "a bad character reference");
	}
	for (i = 0; i < sizeof entities / sizeof entities[0]; i++)
		if (x->nlen > 0 && strcmp(x->name, entities[i].name) == 0)
			return text_add(x, (unsigned char)entities[i].c);
	return bad(x, "an unknown entity");
}

static int (*const step[X_STATES])(struct s3_xml *, unsigned) = {
	[X_TEXT] = st_text, [X_LT] = st_lt, [X_OPEN] = st_open,
	[X_ATTR] = st_attr, [X_AVAL] = st_aval, [X_EMPTY] = st_empty,
	[X_CLOSE] = st_close, [X_CLOSE_WS] = st_close_ws, [X_PI] = st_pi,
	[X_BANG] = st_bang, [X_COMMENT] = st_comment, [X_ENT] = st_ent,
};

void
s3_xml_init(struct s3_xml *x, s3_xml_fn *fn, void *arg)
{
	memset(x, 0, sizeof *x);
	x->fn = fn;
	x->arg = arg;
	x->state = X_TEXT;
}

int
s3_xml_push(struct s3_xml *x, const char *p, size_t n)
{
	size_t i;
	int rc;

	if (x->why != NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] == 0)
			return bad(x, "a NUL byte");
		rc = step[x->state](x, (unsigned char)p[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
s3_xml_end(struct s3_xml *x)
{
	if (x->why != NULL)
		return -1;
	if (!x->root_done || x->state != X_TEXT)
		return bad(x, "the document ends early");
	return 0;
}

#endif
