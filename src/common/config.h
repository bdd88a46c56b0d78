/*
 * config.h — --config FILE: "key value" lines, the keys being long option
 * names without their dashes ("server backup.example.org", "interval 6",
 * "quiet"), '#' comments and blank lines. The file becomes a list of
 * arguments ("--server", "backup.example.org", ...) that the program
 * parses before its command line, so flags given there win.
 */
#ifndef CAIRN_CONFIG_H
#define CAIRN_CONFIG_H

#include <stddef.h>

#define CONFIG_TEXT 16384
#define CONFIG_ARGS 128

struct config {
	int argc;
	char *argv[CONFIG_ARGS];
	char text[CONFIG_TEXT + 2 * CONFIG_ARGS];
};

/*
 * Read the small text file path (at most CONFIG_TEXT bytes; what names it
 * in messages) and call each(ctx, s, n, line) for every line that is not
 * blank or a '#' comment, with the blanks around it trimmed (s[n] may be
 * written). Stops at the first nonzero return, which it returns; 0 when
 * all went well, -1 when the file cannot be read (message printed).
 */
int text_lines(const char *path, const char *what,
    int (*each)(void *ctx, char *s, size_t n, size_t line), void *ctx);

/* Read path into c. 0, or -1 with a message naming the file and line. */
int config_read(struct config *c, const char *path);
/* The value of "--config F" or "--config=F" in argv, or NULL. */
const char *config_arg(int argc, char **argv);

#endif
