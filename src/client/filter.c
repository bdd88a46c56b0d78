/* filter.c — the extension filter and the exclusions; see filter.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "filter.h"
#include "glob.h"
#include "port.h"
#include "util.h"

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

struct filter_ctx {
	struct filter *f;
	const char *path;
};

/* One line of the extension file: "txt", ".jpg", any case. */
static int
filter_line(void *ctx, char *s, size_t n, size_t line)
{
	struct filter_ctx *x = ctx;
	struct filter *f = x->f;
	size_t k;

	if (s[0] == '.') {
		s++;
		n--;
	}
	if (n == 0 || n > FILTER_EXT_MAX || memchr(s, '/', n) ||
	    memchr(s, '.', n) || memchr(s, 0, n)) {
		msg("%s:%zu: not an extension (want e.g. \"txt\" or \".jpg\", "
		    "at most %d bytes)", x->path, line, FILTER_EXT_MAX);
		return -1;
	}
	if (f->n == FILTER_MAX) {
		msg("%s: more than %d extensions", x->path, FILTER_MAX);
		return -1;
	}
	for (k = 0; k < n; k++)
		f->ext[f->n][k] = (char)lower((unsigned char)s[k]);
	f->ext[f->n][n] = 0;
	f->n++;
	return 0;
}

int
filter_load(struct filter *f, const char *path)
{
	struct filter_ctx x = { f, path };

	f->active = 1;
	f->n = 0;
	if (text_lines(path, "extension file", filter_line, &x) != 0)
		return -1;
	if (f->n == 0) {
		msg("%s lists no extension: nothing would be backed up", path);
		return -1;
	}
	return 0;
}

int
filter_match(const struct filter *f, const char *name, size_t n)
{
	const char *dot = NULL;
	size_t i, elen;
	unsigned k;

	if (!f->active)
		return 1;
	for (i = n; i > 1; i--)
		if (name[i - 1] == '.') {
			dot = name + i;
			break;
		}
	if (dot == NULL)
		return 0;
	elen = n - (size_t)(dot - name);
	if (elen == 0 || elen > FILTER_EXT_MAX)
		return 0;
	for (k = 0; k < f->n; k++) {
		for (i = 0; i < elen; i++)
			if (f->ext[k][i] != lower((unsigned char)dot[i]))
				break;
		if (i == elen && f->ext[k][i] == 0)
			return 1;
	}
	return 0;
}

/* ---- exclusions ------------------------------------------------------ */

int
excl_add(struct excl *x, const char *pat, size_t n, const char *where)
{
	if (!glob_ok(pat, n)) {
		msg("%s: not a pattern: \"%.*s\" (an unclosed '[', a lone "
		    "'\\' at the end, or over %d bytes)", where,
		    n > 200 ? 200 : (int)n, pat, GLOB_MAX);
		return -1;
	}
	if (x->n == EXCL_MAX || n > sizeof x->pool - x->used) {
		msg("%s: too many exclusions (at most %d patterns, %d KiB in "
		    "all)", where, EXCL_MAX, EXCL_POOL / 1024);
		return -1;
	}
	memcpy(x->pool + x->used, pat, n);
	x->off[x->n] = (uint32_t)x->used;
	x->len[x->n] = (uint16_t)n;
	x->used += n;
	x->n++;
	return 0;
}

int
excl_init(struct excl *x, const char *const *pats, unsigned np,
    const char *const *files, unsigned nf, int caches)
{
	unsigned i;

	x->n = 0;
	x->used = 0;
	x->caches = caches;
	for (i = 0; i < np; i++)
		if (excl_add(x, pats[i], strlen(pats[i]), "--exclude") < 0)
			return -1;
	for (i = 0; i < nf; i++)
		if (excl_load(x, files[i]) < 0)
			return -1;
	return 0;
}

/* One line of an exclusion file, trimmed; '#' and blank lines skipped. */
static int
excl_line(struct excl *x, const char *path, char *s, size_t n, size_t line)
{
	char where[PATH_CAP + 24];

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n == 0 || *s == '#')
		return 0;
	snprintf(where, sizeof where, "%s:%zu", path, line);
	return excl_add(x, s, n, where);
}

int
excl_load(struct excl *x, const char *path)
{
	static char blk[4096], ln[GLOB_MAX + 2];
	size_t n = 0, line = 1, i;
	long got;
	int fd, rc = -1;

	if ((fd = port_open_read(path)) < 0) {
		msg("cannot open the exclusion file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while ((got = port_read_full(fd, blk, sizeof blk)) > 0) {
		for (i = 0; i < (size_t)got; i++) {
			if (blk[i] != '\n') {
				if (n == sizeof ln - 1)
					goto long_line;
				ln[n++] = blk[i];
				continue;
			}
			if (excl_line(x, path, ln, n, line++) < 0)
				goto out;
			n = 0;
		}
	}
	if (got < 0) {
		msg("cannot read the exclusion file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = excl_line(x, path, ln, n, line);
	goto out;
long_line:
	msg("%s:%zu: a line over %d bytes", path, line, GLOB_MAX);
out:
	port_close(fd);
	return rc;
}

int
excl_match(const struct excl *x, const char *path, size_t n, int is_dir)
{
	unsigned i;

	for (i = 0; i < x->n; i++)
		if (glob_match(x->pool + x->off[i], x->len[i], path, n,
		    is_dir))
			return 1;
	return 0;
}

int
excl_cache(const struct excl *x, int dfd, const char *name)
{
	char sig[CACHEDIR_SIG_LEN];
	int d, fd;
	long n = -1;

	if (!x->caches || (d = port_openat_dir(dfd, name)) < 0)
		return 0;
	fd = port_openat_read(d, "CACHEDIR.TAG");
	if (fd >= 0) {
		n = port_read_full(fd, sig, sizeof sig);
		port_close(fd);
	}
	port_close(d);
	return n == CACHEDIR_SIG_LEN &&
	    memcmp(sig, CACHEDIR_SIG, CACHEDIR_SIG_LEN) == 0;
}
