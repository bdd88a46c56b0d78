/*
 * fmt.c — the printf family for the static builds, without floating point
 * (DESIGN.md, "Feature flags and size budgets"). musl's vfprintf brings
 * its float formatting with it, some 9 KiB of every binary for a
 * conversion cairn never uses; this one is a tenth of that. The Makefile
 * links it into the static builds only; the others use their C library's.
 *
 * What it does: the conversions d i u x X o c s and %%; the flags - 0 + and
 * space; a width and a precision, as digits or *; the lengths hh h l ll z
 * j t. Anything else (%f, %p, %n, %ls...) is written out as it stands, so
 * a mistake shows in the output instead of reading arguments wrongly.
 *
 * The unit test compiles this file with FMT_TEST, which renames the
 * functions fmt_*, and compares them with the C library's.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef FMT_TEST
#define FMT(name) fmt_##name
int fmt_snprintf(char *, size_t, const char *, ...);
int fmt_vsnprintf(char *, size_t, const char *, va_list);
int fmt_sprintf(char *, const char *, ...);
int fmt_vsprintf(char *, const char *, va_list);
int fmt_fprintf(FILE *, const char *, ...);
int fmt_vfprintf(FILE *, const char *, va_list);
int fmt_printf(const char *, ...);
int fmt_vprintf(const char *, va_list);
int fmt_dprintf(int, const char *, ...);
int fmt_vdprintf(int, const char *, va_list);
#else
#define FMT(name) name
#endif

/* Where the text goes: a bounded buffer, a stdio stream or a descriptor. */
struct sink {
	void (*put)(struct sink *k, const char *p, size_t n);
	size_t n;		/* bytes formatted so far */
	char *buf;		/* buffer sinks: buf[cap] */
	size_t cap;
	FILE *f;		/* stream sinks */
	int fd;			/* descriptor sinks */
	int err;
};

static void
put_buf(struct sink *k, const char *p, size_t n)
{
	size_t room;

	if (k->n < k->cap) {
		room = k->cap - k->n;
		memcpy(k->buf + k->n, p, n < room ? n : room);
	}
}

static void
put_file(struct sink *k, const char *p, size_t n)
{
	if (n > 0 && fwrite(p, 1, n, k->f) != n)
		k->err = 1;
}

static void
put_fd(struct sink *k, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0 && !k->err) {
		if ((w = write(k->fd, p, n)) < 0)
			k->err = 1;
		else {
			p += w;
			n -= (size_t)w;
		}
	}
}

/* Out n bytes at p, counted. */
static void
out(struct sink *k, const char *p, size_t n)
{
	k->put(k, p, n);
	k->n += n;
}

/* Out c, n times. */
static void
pad(struct sink *k, char c, int n)
{
	char run[16];
	int m;

	memset(run, c, sizeof run);
	for (; n > 0; n -= m) {
		m = n < (int)sizeof run ? n : (int)sizeof run;
		out(k, run, (size_t)m);
	}
}

/* One conversion's flags, width and precision (-1: none). */
struct spec {
	int left, zero, plus, space;
	int width, prec;
	char len;		/* 'H' hh, 'h', 'l', 'L' ll, 'z', 'j', 't', 0 */
};

/* The digits of v in base (10, 8, 16; upper for X) at the end of
 * d[24]: their count. */
static int
digits(uintmax_t v, unsigned base, int upper, char d[24])
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	do {
		d[23 - n++] = dig[v % base];
		v /= base;
	} while (v != 0);
	return n;
}

/* An integer conversion: sign (0, '-', '+' or ' '), the digits, with
 * precision, zeros and width as the spec says. */
static void
put_int(struct sink *k, const struct spec *s, int sign, uintmax_t v,
    unsigned base, int upper)
{
	char d[24];
	int n = digits(v, base, upper, d), zeros = 0, len;

	if (s->prec == 0 && v == 0)
		n = 0;			/* "%.0d" of 0 is empty */
	if (s->prec > n)
		zeros = s->prec - n;
	len = n + zeros + (sign != 0);
	if (s->zero && !s->left && s->prec < 0 && s->width > len) {
		zeros += s->width - len;
		len = s->width;
	}
	if (!s->left)
		pad(k, ' ', s->width - len);
	if (sign != 0)
		out(k, &(char){ (char)sign }, 1);
	pad(k, '0', zeros);
	out(k, d + 24 - n, (size_t)n);
	if (s->left)
		pad(k, ' ', s->width - len);
}

/* The next signed argument, of the spec's length. */
static intmax_t
arg_signed(const struct spec *s, va_list *ap)
{
	switch (s->len) {
	case 'H':	return (signed char)va_arg(*ap, int);
	case 'h':	return (short)va_arg(*ap, int);
	case 'l':	return va_arg(*ap, long);
	case 'L':	return va_arg(*ap, long long);
	case 'z':	return (intmax_t)va_arg(*ap, ssize_t);
	case 'j':	return va_arg(*ap, intmax_t);
	case 't':	return va_arg(*ap, ptrdiff_t);
	}
	return va_arg(*ap, int);
}

/* The next unsigned argument, of the spec's length. */
static uintmax_t
arg_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->len) {
	case 'H':	return (unsigned char)va_arg(*ap, unsigned);
	case 'h':	return (unsigned short)va_arg(*ap, unsigned);
	case 'l':	return va_arg(*ap, unsigned long);
	case 'L':	return va_arg(*ap, unsigned long long);
	case 'z':	return va_arg(*ap, size_t);
	case 'j':	return va_arg(*ap, uintmax_t);
	case 't':	return (uintmax_t)va_arg(*ap, ptrdiff_t);
	}
	return va_arg(*ap, unsigned);
}

/* A string conversion (%s, %c): at most prec bytes, padded to width. */
static void
put_str(struct sink *k, const struct spec *s, const char *p, size_t n)
{
	if (s->prec >= 0 && (size_t)s->prec < n)
		n = (size_t)s->prec;
	if (!s->left)
		pad(k, ' ', s->width - (int)(n < INT_MAX ? n : INT_MAX));
	out(k, p, n);
	if (s->left)
		pad(k, ' ', s->width - (int)(n < INT_MAX ? n : INT_MAX));
}

/* A width or precision at *f: digits, or '*' taking an argument. */
static int
number(const char **f, va_list *ap)
{
	int v = 0;

	if (**f == '*') {
		(*f)++;
		return va_arg(*ap, int);
	}
	while (**f >= '0' && **f <= '9') {
		if (v < INT_MAX / 10)
			v = v * 10 + (**f - '0');
		(*f)++;
	}
	return v;
}

/* Read the flags, width, precision and length after a '%' at *f. */
static void
parse_spec(struct spec *s, const char **f, va_list *ap)
{
	memset(s, 0, sizeof *s);
	for (;; (*f)++) {
		if (**f == '-')
			s->left = 1;
		else if (**f == '0')
			s->zero = 1;
		else if (**f == '+')
			s->plus = 1;
		else if (**f == ' ')
			s->space = 1;
		else
			break;
	}
	if ((s->width = number(f, ap)) < 0) {	/* "%*s" with -n: left */
		s->left = 1;
		s->width = s->width == INT_MIN ? INT_MAX : -s->width;
	}
	s->prec = -1;
	if (**f == '.') {
		(*f)++;
		if ((s->prec = number(f, ap)) < 0)
			s->prec = -1;
	}
	if (**f == 'h' || **f == 'l') {
		s->len = *(*f)++;
		if (**f == s->len) {
			s->len = s->len == 'h' ? 'H' : 'L';
			(*f)++;
		}
	} else if (**f == 'z' || **f == 'j' || **f == 't') {
		s->len = *(*f)++;
	}
}

/* One conversion at f (just after its '%'): the text after it; NULL
 * for one this file does not know, written out as it stands. */
static const char *
convert(struct sink *k, const char *f, va_list *ap)
{
	const char *str;
	struct spec s;
	intmax_t v;
	char c;

	parse_spec(&s, &f, ap);
	switch (c = *f++) {
	case 'd': case 'i':
		v = arg_signed(&s, ap);
		put_int(k, &s, v < 0 ? '-' : s.plus ? '+' : s.space ? ' ' : 0,
		    v < 0 ? -(uintmax_t)v : (uintmax_t)v, 10, 0);
		break;
	case 'u': case 'x': case 'X': case 'o':
		put_int(k, &s, 0, arg_unsigned(&s, ap),
		    c == 'u' ? 10 : c == 'o' ? 8 : 16, c == 'X');
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		s.prec = -1;
		put_str(k, &s, &c, 1);
		break;
	case 's':
		str = va_arg(*ap, const char *);
		if (str == NULL)
			str = "(null)";
		put_str(k, &s, str, s.prec >= 0 ?
		    strnlen(str, (size_t)s.prec) : strlen(str));
		break;
	case '%':
		out(k, "%", 1);
		break;
	default:
		return NULL;
	}
	return f;
}

/* Format f with ap into k. After a conversion it does not know, the
 * rest of f goes out as written: no more arguments are read. */
static void
format(struct sink *k, const char *f, va_list ap)
{
	const char *pct, *next;
	va_list aq;

	va_copy(aq, ap);
	while ((pct = strchr(f, '%')) != NULL) {
		out(k, f, (size_t)(pct - f));
		if ((next = convert(k, pct + 1, &aq)) == NULL) {
			f = pct;
			break;
		}
		f = next;
	}
	out(k, f, strlen(f));
	va_end(aq);
}

/* What the printf family returns: the count, or -1 past INT_MAX. */
static int
count(const struct sink *k)
{
	return k->err || k->n > INT_MAX ? -1 : (int)k->n;
}

int
FMT(vsnprintf)(char *restrict buf, size_t cap, const char *restrict f,
    va_list ap)
{
	struct sink k = { put_buf, 0, buf, cap, NULL, -1, 0 };

	format(&k, f, ap);
	if (cap > 0)
		buf[k.n < cap ? k.n : cap - 1] = 0;
	return count(&k);
}

int
FMT(snprintf)(char *restrict buf, size_t cap, const char *restrict f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = FMT(vsnprintf)(buf, cap, f, ap);
	va_end(ap);
	return r;
}

int
FMT(vsprintf)(char *restrict buf, const char *restrict f, va_list ap)
{
	return FMT(vsnprintf)(buf, INT_MAX, f, ap);
}

int
FMT(sprintf)(char *restrict buf, const char *restrict f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = FMT(vsnprintf)(buf, INT_MAX, f, ap);
	va_end(ap);
	return r;
}

int
FMT(vfprintf)(FILE *restrict fp, const char *restrict f, va_list ap)
{
	struct sink k = { put_file, 0, NULL, 0, fp, -1, 0 };

	format(&k, f, ap);
	return count(&k);
}

int
FMT(fprintf)(FILE *restrict fp, const char *restrict f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = FMT(vfprintf)(fp, f, ap);
	va_end(ap);
	return r;
}

int
FMT(vprintf)(const char *restrict f, va_list ap)
{
	return FMT(vfprintf)(stdout, f, ap);
}

int
FMT(printf)(const char *restrict f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = FMT(vfprintf)(stdout, f, ap);
	va_end(ap);
	return r;
}

int
FMT(vdprintf)(int fd, const char *restrict f, va_list ap)
{
	struct sink k = { put_fd, 0, NULL, 0, NULL, fd, 0 };

	format(&k, f, ap);
	return count(&k);
}

int
FMT(dprintf)(int fd, const char *restrict f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = FMT(vdprintf)(fd, f, ap);
	va_end(ap);
	return r;
}
