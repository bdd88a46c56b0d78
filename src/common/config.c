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
config_read(struct config *c, const char *path)
{
	static char raw[CONFIG_TEXT + 1];
	size_t i = 0, o = 0, line = 0, s, e, k;
	long n;
	int fd;

	c->argc = 0;
	fd = port_open_read(path);
	if (fd < 0) {
		msg("cannot open the configuration file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	n = port_read_full(fd, raw, sizeof raw);
	port_close(fd);
	if (n < 0 || (size_t)n == sizeof raw) {
		msg("cannot read the configuration file %s: %s", path,
		    n < 0 ? strerror(errno) : "larger than 16 KiB");
		return -1;
	}
	while (i < (size_t)n) {
		line++;
		for (s = i; i < (size_t)n && raw[i] != '\n'; i++)
			if (raw[i] == 0) {
				msg("%s:%zu: a NUL byte", path, line);
				return -1;
			}
		e = i++;
		while (s < e && blank(raw[s]))
			s++;
		while (e > s && blank(raw[e - 1]))
			e--;
		if (s == e || raw[s] == '#')
			continue;
		for (k = s; k < e && !blank(raw[k]); k++)
			;
		if (c->argc + 2 > CONFIG_ARGS) {
			msg("%s:%zu: too many settings", path, line);
			return -1;
		}
		/* "--key", then the value if there is one. */
		c->argv[c->argc++] = c->text + o;
		memcpy(c->text + o, "--", 2);
		memcpy(c->text + o + 2, raw + s, k - s);
		o += 2 + (k - s);
		c->text[o++] = 0;
		while (k < e && blank(raw[k]))
			k++;
		if (k < e) {
			c->argv[c->argc++] = c->text + o;
			memcpy(c->text + o, raw + k, e - k);
			o += e - k;
			c->text[o++] = 0;
		}
	}
	return 0;
}

const char *
config_arg(int argc, char **argv)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--config") == 0)
			return argv[i + 1];
	return NULL;
}
