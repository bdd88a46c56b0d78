/*
 * sessint.h — what the session's handlers share (session.c, browse.c,
 * prune.c): the session itself, its states, and the helpers that answer
 * a request. Nothing outside src/server/session*.c, browse.c and prune.c
 * includes it.
 */
#ifndef CAIRN_SESSINT_H
#define CAIRN_SESSINT_H

#include "buf.h"
#include "proto.h"
#include "session.h"
#include "store.h"

#define WHO_MAX (TLS_NAME_MAX + 80)	/* "name (address:port)" */
#define ITEM_MAX (PATH_CAP + 64)	/* the largest item body but entries */
#define NO_OWNER 0xffffffffu	/* v2 I_ENTRY uid and gid: none recorded */

/* Session states: each frame type is allowed in some of them. */
enum {
	S_NEW = 1,		/* before HELLO */
	S_READY = 2,		/* after HELLO, nothing under way */
	S_BACKUP = 4,		/* a backup run (CHECK_SOURCE) */
	S_RESTORE = 8,		/* a snapshot open for FETCH (RESTORE) */
	S_DRYRUN = 16		/* a dry run: offers answered, nothing stored */
};
#define S_ANY (S_READY | S_BACKUP | S_RESTORE | S_DRYRUN)

/* What a handler returns besides 0 (go on) and -1 (malformed). */
#define DONE 1

struct session {
	struct tls conn;
	const store_class **st;
	const struct server_opts *o;
	unsigned state;
	unsigned version;	/* PROTO_V1 or PROTO_V2, from HELLO */
	uint64_t alive_ms;	/* when we last spoke while the store worked */
	int rc;			/* the exit status once DONE */
	char who[WHO_MAX];
	struct store_run run;
	struct snapinfo info;
	uint64_t batches, offered;	/* OFFER_BATCHes, their entries */
};

/* The reply to a request of type: status, text, then body if not NULL.
 * 0, or -1 if the connection failed. */
int sess_reply(struct session *s, unsigned type, unsigned status,
    const char *text, struct buf *body);
/* One T_ITEM frame: kind, then what b holds. */
int sess_item(struct session *s, unsigned kind, struct buf *b);
/* Tell the client why we stop (logged once), then stop: DONE. */
int sess_fatal(struct session *s, unsigned status, const char *text);
/* 1 if the client may not remove or prune its backups (--append-only). */
int sess_append_only(const struct session *s);
/* A backup id and snapshot name as the client asked for them, and the
 * end of the request. 0 or -1. */
int sess_target(struct rd *r, char *id, size_t idcap, char *snap,
    size_t scap);
/* Entry e as v2 items carry it (browse.c): a record with no owner
 * (a v1 manifest's) goes with uid and gid NO_OWNER. 0 or -1. */
int sess_entry2(struct buf *b, struct entry *e);
/* A snapshot removed (or that would be) by a retention, as a v2
 * I_SNAPSHOT item to the session arg: the store's removed() callback. */
void sess_pruned(void *arg, const struct snapinfo *si);
/* I_END {status, text unless ST_OK}, flushed. */
void sess_end_item(struct session *s, unsigned st, const char *text);
/* Tell the client we are alive if the store has been working long
 * (a tick of set_tick, also for long listings). */
void sess_alive(void *arg);

/* Handlers of the v2 requests kept outside session.c: 0 go on, -1
 * malformed, DONE. */
int do_ls(struct session *s, struct rd *r);	/* browse.c */
int do_find(struct session *s, struct rd *r);	/* browse.c */
int do_diff(struct session *s, struct rd *r);	/* browse.c */
int do_prune(struct session *s, struct rd *r);	/* prune.c */

#endif
