/*
 * config.h — --config FILE: "key value" lines, the keys being long option
 * names without their dashes ("server backup.example.org", "interval 6",
 * "quiet"), '#' comments and blank lines. The file becomes a list of
 * arguments ("--server", "backup.example.org", ...) that the program
 * parses before its command line, so flags given there win.
 */
#ifndef CAIRN_CONFIG_H
#define CAIRN_CONFIG_H

#define CONFIG_TEXT 16384
#define CONFIG_ARGS 128

struct config {
	int argc;
	char *argv[CONFIG_ARGS];
	char text[CONFIG_TEXT + 2 * CONFIG_ARGS];
};

/* Read path into c. 0, or -1 with a message naming the file and line. */
int config_read(struct config *c, const char *path);
/* The value following "--config" in argv, or NULL. */
const char *config_arg(int argc, char **argv);

#endif
