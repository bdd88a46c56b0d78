/* filter.c — extension filter; see filter.h. */
#include <string.h>

#include "config.h"
#include "filter.h"
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
