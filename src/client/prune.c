/*
 * prune.c — the client's --prune ID: a retention policy applied now
 * (PROTOCOL.md, PRUNE).
 */
#include "client.h"
#include "util.h"

int
prune_run(const struct copts *o)
{
	(void)o;
	die(EXIT_USAGE, "--prune is not built yet");
}
