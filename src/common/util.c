/* util.c — messages and small helpers; see util.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port.h"
#include "util.h"

const char *progname = "cairn";
int log_quiet;
int log_syslog;
const char *log_who;
int log_stamp;
void (*log_before)(void);

/* One message: to syslog, or one line on stderr (after the time with
 * log_stamp, and after log_before has cleared the way). */
static void
vmsg(int err, const char *fmt, va_list ap)
{
	char line[1024], when[21 + 1] = "";

	size_t n = 0;

	if (log_who != NULL)
		n = (size_t)snprintf(line, sizeof line, "%s: ", log_who);
	if (n >= sizeof line)
		n = 0;
	vsnprintf(line + n, sizeof line - n, fmt, ap);
	if (log_syslog) {
		port_syslog(err, line);
		return;
	}
	if (log_before != NULL)
		log_before();
	if (log_stamp) {
		utc_iso(port_time(), when);
		when[20] = ' ';
		when[21] = 0;
	}
	fprintf(stderr, "%s%s: %s\n", when, progname, line);
}

const char *
nwords(uint64_t n, const char *one, const char *many)
{
	static char out[NWORDS_MAX][48];
	static unsigned next;
	char *p = out[next++ % NWORDS_MAX];

	snprintf(p, sizeof out[0], "%llu %s", (unsigned long long)n,
	    n == 1 ? one : many);
	return p;
}

void
msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(1, fmt, ap);
	va_end(ap);
}

void
info(const char *fmt, ...)
{
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
}

void
die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(1, fmt, ap);
	va_end(ap);
	exit(code);
}

const char *
shown(const char *s, size_t n, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (i < n && o + 3 < cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = 0;
	return out;
}

int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
unhex(const char *s, size_t n, uint8_t *out)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (*s == 0)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	if (x < min || x > max)
		return -1;
	*v = x;
	return 0;
}

static void
put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/* Proleptic Gregorian calendar from days since 1970-01-01, by 400-year
 * eras counted from 0000-03-01 (a year then ends with its leap day); no
 * time zone tables. */
void
civil_date(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
	int64_t era, yoe, doy, mp;

	days += 719468;			/* from 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doy = days - era * 146097;	/* day of era, 0..146096 */
	yoe = (doy - doy / 1460 + doy / 36524 - doy / 146096) / 365;
	doy = doy - (365 * yoe + yoe / 4 - yoe / 100);	/* day of year */
	mp = (5 * doy + 2) / 153;	/* 0: March .. 11: February */
	*day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

void
utc_name(int64_t t, char out[21])
{
	int64_t days = t / 86400, secs = t % 86400, y;
	unsigned d, m;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_date(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = 0;
	put2(out, (unsigned)(y / 100));
	put2(out + 2, (unsigned)(y % 100));
	memcpy(out + 4, "-00-00T00-00-00Z", 17);
	put2(out + 5, m);
	put2(out + 8, d);
	put2(out + 11, (unsigned)(secs / 3600));
	put2(out + 14, (unsigned)(secs / 60 % 60));
	put2(out + 17, (unsigned)(secs % 60));
}

int
parse_hours(const char *s, uint64_t *ms)
{
	uint64_t whole = 0, frac = 0, scale = 3600000;
	int digits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (whole > 1000000)
			return -1;
		whole = whole * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			if (scale >= 10) {
				scale /= 10;
				frac += (uint64_t)(*s - '0') * scale;
			}
	}
	if (*s != 0 || digits == 0)
		return -1;
	*ms = whole * 3600000 + frac;
	return *ms >= 1 ? 0 : -1;
}

int
write_pidfile(const char *path, long pid)
{
	char dir[4096], text[24];
	const char *slash = strrchr(path, '/');
	struct port_tmp t;
	int dfd, n, r;

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path + 1), path);
	dfd = port_open_dir(dir);
	if (dfd < 0)
		return -1;
	n = snprintf(text, sizeof text, "%ld\n", pid);
	r = port_tmp_open(&t, dfd, 0644) < 0 ||
	    port_write_all(t.fd, text, (size_t)n) < 0 ? -1 :
	    port_tmp_commit(&t, slash != NULL ? slash + 1 : path);
	if (r < 0 && t.fd >= 0)
		port_tmp_abort(&t);
	port_close(dfd);
	return r;
}

static void (*exit_fns[AT_EXIT_MAX])(void);
static size_t exit_nfns;

void
at_exit(void (*fn)(void))
{
	size_t i;

	for (i = 0; i < exit_nfns; i++)
		if (exit_fns[i] == fn)
			return;
	if (exit_nfns == AT_EXIT_MAX)
		abort();	/* a programming error: raise AT_EXIT_MAX */
	exit_fns[exit_nfns++] = fn;
}

/* exit() runs the destructors after atexit's functions, before stdio's
 * buffers are flushed and closed: where atexit's would run. */
__attribute__((destructor)) static void
run_exit_fns(void)
{
	while (exit_nfns > 0)
		exit_fns[--exit_nfns]();
}

const char *
find_str(const char *s, const char *t)
{
	size_t n = strlen(t);

	if (n == 0)
		return s;
	for (; (s = strchr(s, *t)) != NULL; s++)
		if (strncmp(s, t, n) == 0)
			return s;
	return NULL;
}

void
wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

void
utc_iso(int64_t t, char out[21])
{
	utc_name(t, out);
	out[13] = out[16] = ':';
}
