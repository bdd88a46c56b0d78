/*
 * prune.c — PRUNE (PROTOCOL.md, "Browsing, restoring and removing in
 * v2"): a backup's retention applied on its own.
 */
#include "sessint.h"

int
do_prune(struct session *s, struct rd *r)
{
	(void)r;
	return sess_fatal(s, ST_BAD_REQUEST, "PRUNE is not built yet");
}
