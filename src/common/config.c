/* config.c — option files; see config.h. */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "port.h"
#include "util.h"

static int
blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int
text_lines(const char *path, const char *what,
    int (*each)(void *ctx, char *s, size_t n, size_t line), void *ctx)
{
	static char text[CONFIG_TEXT + 1];
	size_t i = 0, line = 0, s, e;
	long n;
	int fd, r;

	fd = port_open_read(path);
	if (fd < 0) {
		msg("cannot open the %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	n = port_read_full(fd, text, sizeof text);
	port_close(fd);
	if (n < 0 || (size_t)n == sizeof text) {
		msg("cannot read the %s %s: %s", what, path,
		    n < 0 ? strerror(errno) : "larger than 16 KiB");
		return -1;
	}
	while (i < (size_t)n) {
		line++;
		for (s = i; i < (size_t)n && text[i] != '\n'; i++)
			;
		e = i++;
		while (s < e && blank(text[s]))
			s++;
		while (e > s && blank(text[e - 1]))
			e--;
		if (s == e || text[s] == '#')
			continue;
		if ((r = each(ctx, text + s, e - s, line)) != 0)
			return r;
	}
	return 0;
}

struct config_read_ctx {
	struct config *c;
	const char *path;
	size_t o;
};

/* One "key value" line: "--key", then the value if there is one. */
static int
config_line(void *ctx, char *s, size_t n, size_t line)
{
	struct config_read_ctx *x = ctx;
	struct config *c = x->c;
	size_t k;

	if (memchr(s, 0, n) != NULL) {
		msg("%s:%zu: a NUL byte", x->path, line);
		return -1;
	}
	if (c->argc + 2 > CONFIG_ARGS) {
		msg("%s:%zu: too many settings", x->path, line);
		return -1;
	}
	for (k = 0; k < n && !blank(s[k]); k++)
		;
	c->argv[c->argc++] = c->text + x->o;
	memcpy(c->text + x->o, "--", 2);
	memcpy(c->text + x->o + 2, s, k);
	x->o += 2 + k;
	c->text[x->o++] = 0;
	while (k < n && blank(s[k]))
		k++;
	if (k < n) {
		c->argv[c->argc++] = c->text + x->o;
		memcpy(c->text + x->o, s + k, n - k);
		x->o += n - k;
		c->text[x->o++] = 0;
	}
	return 0;
}

int
config_read(struct config *c, const char *path)
{
	struct config_read_ctx x = { c, path, 0 };

	c->argc = 0;
	return text_lines(path, "configuration file", config_line, &x) == 0 ?
	    0 : -1;
}

const char *
config_arg(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strncmp(argv[i], "--config=", 9) == 0)
			return argv[i] + 9;
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			return argv[i + 1];
	return NULL;
}
