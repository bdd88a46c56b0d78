/*
 * prune.c — PRUNE (PROTOCOL.md, "Browsing, restoring and removing in
 * v2"): a backup's retention applied on its own, or, dry, told.
 */
#include <string.h>

#include "port.h"
#include "sessint.h"
#include "util.h"

/* Whether planned() has answered the PRUNE being served. */
static int answered;

/* The reply, once the store knows how many snapshots go. */
static void
planned(void *arg, unsigned count)
{
	uint8_t body_b[4];
	struct session *s = arg;
	struct buf b;

	buf_init(&b, body_b, sizeof body_b);
	buf_u32(&b, count);
	sess_reply(s, T_PRUNE, ST_OK, "", &b);
	s->alive_ms = port_ms();
	answered = 1;
}

/*
 * PRUNE {str id, retention, i32 utc_offset, u8 flags}: reply {u32 count},
 * an I_SNAPSHOT per snapshot removed (or, dry, that would be), oldest
 * first, then I_END. Append-only: DENIED; a run or a restore holding the
 * backup: BUSY; no reply body, no items. A policy of all 0 is refused
 * (the client never sends one): BAD_REQUEST, fatal.
 */
int
do_prune(struct session *s, struct rd *r)
{
	char id[TARGET_MAX], text[MSG_MAX + 1];
	struct retention k;
	unsigned flags, st;

	if (get_str(r, id, sizeof id) < 0 || retention_get(r, &k) < 0)
		return -1;
	flags = rd_u8(r);
	if (r->err || (flags & ~(unsigned)RQ_DRY_RUN) != 0 || rd_end(r) < 0)
		return -1;
	if (!retention_any(&k))
		return sess_fatal(s, ST_BAD_REQUEST, "PRUNE without a policy");
	if (sess_append_only(s)) {
		sess_reply(s, T_PRUNE, ST_DENIED, "this client is append-only: it "
		    "may not prune its backups (the administrator does, with "
		    "cairnd --prune)", NULL);
		return 0;
	}
	answered = 0;
	s->alive_ms = port_ms();
	(*s->st)->set_tick(s->st, sess_alive, s);
	st = (*s->st)->prune(s->st, s->conn.peer_cn, id, &k, flags & RQ_DRY_RUN,
	    planned, sess_pruned, s, text, sizeof text);
	(*s->st)->set_tick(s->st, NULL, NULL);
	if (!answered) {
		sess_reply(s, T_PRUNE, st, text, NULL);
		return 0;
	}
	sess_end_item(s, st, text);
	if (st == ST_OK)
		info("backup %s: pruned%s", id, flags & RQ_DRY_RUN ?
		    " (dry run)" : "");
	return 0;
}
