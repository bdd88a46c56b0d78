/*
 * browse.c — LS, FIND and DIFF (PROTOCOL.md, "Browsing, restoring and
 * removing in v2"): a client looks into its snapshots, streamed from the
 * store in fixed memory.
 */
#include "sessint.h"

int
do_ls(struct session *s, struct rd *r)
{
	(void)r;
	return sess_fatal(s, ST_BAD_REQUEST, "LS is not built yet");
}

int
do_find(struct session *s, struct rd *r)
{
	(void)r;
	return sess_fatal(s, ST_BAD_REQUEST, "FIND is not built yet");
}

int
do_diff(struct session *s, struct rd *r)
{
	(void)r;
	return sess_fatal(s, ST_BAD_REQUEST, "DIFF is not built yet");
}
