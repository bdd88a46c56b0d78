/*
 * browse.c — the client's --ls, --find and --diff (PROTOCOL.md,
 * "Browsing, restoring and removing in v2").
 */
#include "client.h"
#include "util.h"

int
ls_run(const struct copts *o)
{
	(void)o;
	die(EXIT_USAGE, "--ls is not built yet");
}

int
find_run(const struct copts *o)
{
	(void)o;
	die(EXIT_USAGE, "--find is not built yet");
}

int
diff_run(const struct copts *o)
{
	(void)o;
	die(EXIT_USAGE, "--diff is not built yet");
}
