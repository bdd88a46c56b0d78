/* filter.c — extension filter; see filter.h. */
#include <errno.h>
#include <string.h>

#include "filter.h"
#include "port.h"
#include "util.h"

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int
filter_load(struct filter *f, const char *path)
{
	char text[16384];
	long len;
	size_t i = 0, line = 0;
	int fd;

	f->active = 1;
	f->n = 0;
	fd = port_open_read(path);
	if (fd < 0) {
		msg("cannot open the extension file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	len = port_read_full(fd, text, sizeof text);
	port_close(fd);
	if (len < 0 || (size_t)len == sizeof text) {
		msg("cannot read the extension file %s: %s", path,
		    len < 0 ? strerror(errno) : "larger than 16 KiB");
		return -1;
	}
	while (i < (size_t)len) {
		size_t s = i, e;
		line++;
		while (i < (size_t)len && text[i] != '\n')
			i++;
		e = i++;
		while (s < e && (text[s] == ' ' || text[s] == '\t'))
			s++;
		while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t' ||
		    text[e - 1] == '\r'))
			e--;
		if (s == e || text[s] == '#')
			continue;
		if (text[s] == '.')
			s++;
		if (s == e || e - s > FILTER_EXT_MAX ||
		    memchr(text + s, '/', e - s) || memchr(text + s, '.', e - s) ||
		    memchr(text + s, 0, e - s)) {
			msg("%s:%zu: not an extension (want e.g. \"txt\" or "
			    "\".jpg\", at most %d bytes)", path, line,
			    FILTER_EXT_MAX);
			return -1;
		}
		if (f->n == FILTER_MAX) {
			msg("%s: more than %d extensions", path, FILTER_MAX);
			return -1;
		}
		for (size_t k = 0; k < e - s; k++)
			f->ext[f->n][k] = (char)lower((unsigned char)text[s + k]);
		f->ext[f->n][e - s] = 0;
		f->n++;
	}
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
