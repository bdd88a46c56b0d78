/*
 * store.h — the server's store interface (DESIGN.md, "The store").
 *
 * A backend is a class, in BearSSL's idiom: a const table of functions,
 * and a context owned by the caller whose first field points at that
 * table. Callers hold a `const struct store_class **` and call through it:
 *
 *	const struct store_class **st = &fs.vtable;
 *	status = (*st)->begin(st, client, source, slen, &run, text, cap);
 *
 * One context serves one session at a time: one backup run, or one open
 * snapshot, plus catalog requests between them. Names from the network
 * (client, backup id, snapshot) are checked by the backend before use.
 *
 * Functions that answer a request return a reply status (ST_OK, ST_NEED,
 * ST_NOT_FOUND, ST_BUSY, ST_QUOTA, ST_IO, ST_BAD_REQUEST, ST_BAD_DATA, as
 * in PROTOCOL.md) with text[cap] saying why. The backend does not log the
 * failures it returns (the session does, once); it logs only what it
 * cannot return, such as a retention step that failed after a commit.
 *
 * The contract every backend keeps, checked by test/unit/test_store.c:
 * a snapshot is invisible until commit returns ST_OK; a run that ends
 * without a commit leaves nothing visible, and its received files are
 * reused by the next run of the same backup; a file offered unchanged
 * (same path, size and MD5 as the newest snapshot) or with content the
 * newest snapshot holds anywhere (same MD5 and size) is not asked for;
 * entries may bear any name, the backend's own internal names included.
 */
#ifndef CAIRN_STORE_H
#define CAIRN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "backupid.h"
#include "entry.h"
#include "status.h"
#include "util.h"

#define SNAP_MAX 40		/* a snapshot name, NUL included */
#define CLIENT_MAX 64		/* a client's name (its certificate's CN) */
#define STORE_TICK_MS 5000	/* set_tick's longest silence */
#define STORE_CURSORS 2		/* manifest readers beside the open snapshot */

struct retention;		/* proto.h */

/* A committed snapshot, from its manifest. */
struct snapinfo {
	char name[SNAP_MAX];
	uint64_t files, bytes;
	uint64_t failed;		/* entries left out or kept from before */
	int64_t time;			/* when its run began */
	char source[PATH_CAP];		/* the client's source directory */
};

/* A backup run under way, and its figures when it is committed. */
struct store_run {
	unsigned need_max;		/* the caller's: files offered ahead
					 * of their data (0: NEED_MAX_V1) */
	int64_t at;			/* the caller's: the time the snapshot
					 * is named and dated for (0: now;
					 * cairnd --migrate gives the copied
					 * snapshot's own) */
	char id[ID_LEN + 1];
	char snap[SNAP_MAX];
	char source[PATH_CAP];
	uint64_t files, bytes;		/* files in the snapshot, their bytes */
	uint64_t received;		/* files whose data was sent */
	uint64_t linked;		/* unchanged since the previous snapshot */
	uint64_t deduped;		/* found by content elsewhere */
	uint64_t reused;		/* kept from an interrupted run */
	uint64_t failed;		/* entries left out (bad data, KEEP
					 * without a previous version, links
					 * to them) */
	uint64_t kept;			/* KEEP: the previous version put in */
};

/* What a v2 TRANSFER_COMPLETE says of the data just sent. */
struct put_trailer {
	uint64_t size;			/* bytes of logical content */
	uint8_t md5[MD5_LEN];		/* their MD5 */
	unsigned flags;			/* EF_CHANGED or 0 */
};

typedef struct store_class store_class;

struct store_class {
	/* 1 if client can be a client's name here: not one of the store's
	 * own names (the session has checked it is a safe name). */
	int (*client_ok)(const store_class **ctx, const char *client);

	/* ---- a backup run ---- */

	/*
	 * Begin a snapshot of source (slen bytes) for client: take the
	 * backup's lock, name the snapshot. ST_OK with *run filled (id,
	 * snap, source), ST_BUSY when another run holds the lock, ST_IO.
	 */
	unsigned (*begin)(const store_class **ctx, const char *client,
	    const char *source, size_t slen, struct store_run *run,
	    char *text, size_t cap);
	/*
	 * The same run read-only, for a dry run: no lock taken, nothing
	 * made, moved or written in the store, run->snap the name begin
	 * would give. offer then answers as begin's run would (the same
	 * decisions: unchanged, interrupted run's copy, same content) and
	 * remembers no need (run->received counts the ST_NEED answers);
	 * put_begin, commit and retain refuse (ST_BAD_REQUEST). ST_OK, ST_IO.
	 */
	unsigned (*begin_dry)(const store_class **ctx, const char *client,
	    const char *source, size_t slen, struct store_run *run,
	    char *text, size_t cap);
	/*
	 * One entry, in path_cmp order (v1 or v2: a v1 entry has owned 0
	 * and no xattrs, and is stored so): ST_OK (stored: a directory,
	 * link, special file or root entry recorded, a hard link made or
	 * to be made at commit, a file the store has, or a KEEP offer's
	 * previous version put in), ST_NEED (send its data), ST_NOT_FOUND
	 * (KEEP without a previous version: left out), ST_QUOTA,
	 * ST_BAD_REQUEST (out of order, no parent, a root entry not first,
	 * a hard link's target not an earlier file, too many in flight),
	 * ST_IO.
	 */
	unsigned (*offer)(const store_class **ctx, const struct entry *e,
	    char *text, size_t cap);
	/*
	 * The data of the oldest needed file: begin, data and holes (runs
	 * of zeros, kept as holes), end. v1: e is the FILE_TRANSFER entry,
	 * whose path, size and MD5 must be the need's, exactly size bytes
	 * follow, and end (t NULL) checks them. v2: only e's path is given
	 * (e->type 0), any count of bytes follows, and end checks them
	 * against the trailer t: the file is stored with t's size, MD5 and
	 * CHANGED flag. ST_BAD_DATA at end leaves the file out, and the
	 * run goes on.
	 */
	unsigned (*put_begin)(const store_class **ctx, const struct entry *e,
	    char *text, size_t cap);
	unsigned (*put_data)(const store_class **ctx, const void *p, size_t n,
	    char *text, size_t cap);
	unsigned (*put_hole)(const store_class **ctx, uint64_t n, char *text,
	    size_t cap);
	unsigned (*put_end)(const store_class **ctx,
	    const struct put_trailer *t, char *text, size_t cap);
	/*
	 * Make the snapshot durable and visible, then with keep > 0 remove
	 * all but the newest keep snapshots (v1's --keep, as v1 did it; v2
	 * passes 0 and calls retain). ST_OK with run's totals.
	 */
	unsigned (*commit)(const store_class **ctx, unsigned keep,
	    struct store_run *run, char *text, size_t cap);
	/*
	 * After a commit with keep 0, or in a dry run's session: apply the
	 * retention policy k (retain.h: restic's rules, the fidelity guard)
	 * to the backup's snapshots, removing those it does not keep, oldest
	 * first, telling removed(arg, its info) of each as it goes. dry: remove
	 * nothing and take no lock, tell each that would go; in a dry run's
	 * session (nothing committed) the snapshot the run would have made
	 * counts as the newest. A policy of all 0 keeps every snapshot.
	 * ST_OK, ST_BUSY (a restore holds them: nothing removed), ST_IO (a
	 * removal failed: the rest stay), ST_BAD_REQUEST (no run, or a run
	 * neither committed nor dry).
	 */
	unsigned (*retain)(const store_class **ctx, const struct retention *k,
	    int dry, void (*removed)(void *arg, const struct snapinfo *si),
	    void *arg, char *text, size_t cap);
	/* Release the run, committed or not; an uncommitted snapshot stays
	 * hidden, kept for the next run to reuse. Safe to call twice. */
	void (*end)(const store_class **ctx);
	/*
	 * For the rest of the run (until end), call tick(arg) at least every
	 * STORE_TICK_MS while commit or retain works long (the data's sync,
	 * removals), so that the caller can tell its peer that it is alive.
	 * tick may be called more often, and must be cheap.
	 */
	void (*set_tick)(const store_class **ctx, void (*tick)(void *arg),
	    void *arg);

	/* ---- the catalog: what a client may see ---- */

	/* The client's backup whose id sorts first after "after" ("" for
	 * the first), into id[ID_LEN + 1]: 1, 0 when none is left, -1. */
	int (*next_backup)(const store_class **ctx, const char *client,
	    const char *after, char *id);
	/* Likewise a committed snapshot of backup id, oldest first, into
	 * name[SNAP_MAX]. */
	int (*next_snapshot)(const store_class **ctx, const char *client,
	    const char *id, const char *after, char *name);
	/* A snapshot's totals, failed count and source (snap "" or NULL:
	 * the newest).
	 * ST_OK, ST_NOT_FOUND (no such backup or snapshot, or not the
	 * client's), ST_IO. */
	unsigned (*info)(const store_class **ctx, const char *client,
	    const char *id, const char *snap, struct snapinfo *si);

	/* ---- reading a snapshot ---- */

	/* Open a snapshot (snap "" or NULL: the newest) for reading, with
	 * its info. ST_OK, ST_NOT_FOUND, ST_IO. */
	unsigned (*open_snapshot)(const store_class **ctx, const char *client,
	    const char *id, const char *snap, struct snapinfo *si,
	    char *text, size_t cap);
	/* Its entries in path order, as recorded (v2 entries: owners,
	 * xattrs pointing into the reader's storage until the next call,
	 * specials and the root entry included; v1 manifests give owned 0):
	 * 1, 0 at the end, -1 if damaged. */
	int (*next_entry)(const store_class **ctx, struct entry *e);
	/*
	 * One of its regular files (a hard link's name too): open with
	 * *size, read, close. -1 from open: not in the snapshot. read goes
	 * on from where the last call ended: data into p[cap] (its length,
	 * > 0, *hole 0), or a hole the file does not store (0 with *hole its
	 * length, > 0: that many zero bytes; p may have been written); 0
	 * with *hole 0 at the end; -1. A backend that cannot tell where
	 * holes are gives all as data.
	 */
	int (*open_file)(const store_class **ctx, const char *path,
	    uint64_t *size);
	long (*read_file)(const store_class **ctx, void *p, size_t cap,
	    uint64_t *hole);
	void (*close_file)(const store_class **ctx);
	void (*close_snapshot)(const store_class **ctx);

	/* ---- cursors: manifests read beside the open snapshot ---- */

	/*
	 * The context holds STORE_CURSORS readers of snapshots' entries,
	 * apart from the snapshot open for files, so that a listing can walk
	 * one manifest, or two in step (LS, FIND, DIFF), in a session that
	 * is restoring. Cursor c (0 .. STORE_CURSORS - 1) opens snap of
	 * backup id (snap "" or NULL: the newest), closing what it had open:
	 * ST_OK with *si, ST_NOT_FOUND (text says why), ST_IO. cursor_next
	 * gives its entries as next_entry does (xattrs in the cursor's own
	 * storage until its next call): 1, 0 at the end (or not open), -1 if
	 * damaged. A cursor holds no lock: a removal may go on while it
	 * reads, and it reads the manifest as it was opened.
	 */
	unsigned (*cursor_open)(const store_class **ctx, unsigned c,
	    const char *client, const char *id, const char *snap,
	    struct snapinfo *si, char *text, size_t cap);
	int (*cursor_next)(const store_class **ctx, unsigned c,
	    struct entry *e);
	void (*cursor_close)(const store_class **ctx, unsigned c);

	/* ---- removal and quotas ---- */

	/*
	 * Remove snapshot snap of backup id, or with snap "" the whole
	 * backup, under the backup's lock; *files and *bytes get what it
	 * held. dry: the same checks and figures, nothing removed. ST_OK,
	 * ST_NOT_FOUND, ST_BUSY (a run or a restore holds it), ST_IO.
	 */
	unsigned (*remove)(const store_class **ctx, const char *client,
	    const char *id, const char *snap, int dry, uint64_t *files,
	    uint64_t *bytes, char *text, size_t cap);
	/*
	 * PRUNE: apply the retention policy k to backup id outside a run,
	 * under the backup's locks (dry: the same checks, nothing removed).
	 * First planned(arg, how many snapshots go), then removed(arg, its
	 * info) of each as it goes (or would), oldest first. Never removes the
	 * newest snapshot (retain.h's guard). ST_OK, ST_NOT_FOUND, ST_BUSY (a
	 * run or a restore holds the backup), ST_IO (before planned: nothing
	 * removed; after: a removal failed, the rest stay).
	 */
	unsigned (*prune)(const store_class **ctx, const char *client,
	    const char *id, const struct retention *k, int dry,
	    void (*planned)(void *arg, unsigned count),
	    void (*removed)(void *arg, const struct snapinfo *si), void *arg,
	    char *text, size_t cap);
	/* The bytes client's backups take in the store. 0 or -1. */
	int (*usage)(const store_class **ctx, const char *client,
	    uint64_t *bytes);

	/* ---- the administrator's view (cairnd --check) ---- */

	/* The client sorting first after "after" ("" for the first), into
	 * name[CLIENT_MAX + 1]: 1, 0 when none is left, -1. */
	int (*next_client)(const store_class **ctx, const char *after,
	    char *name);
	/*
	 * What the backend keeps beside a snapshot's entries, held against
	 * them (snap given), or beside a backup's snapshots (snap NULL):
	 * each finding told to say(arg, path or NULL, what, problem), with
	 * problem 0 for what costs nothing but time (a cache to rebuild, a
	 * record the next run brings up to date).
	 */
	void (*verify)(const store_class **ctx, const char *client,
	    const char *id, const char *snap,
	    void (*say)(void *arg, const char *path, const char *what,
	    int problem), void *arg);
};

struct buf;

/*
 * A manifest's header line, what every backend's manifest begins with
 * (DESIGN.md, "The local backend"): client, id, snapshot, source, time,
 * then run's totals and charge (final 0: all four zeros, for a header
 * rewritten in place at commit), padded with spaces to width bytes (0:
 * no padding). 0, or -1 when b overflowed or the header is longer than
 * width.
 */
int store_manifest_header(struct buf *b, const char *client,
    const struct store_run *run, int64_t time, uint64_t charge, int final,
    size_t width);
/* 1 if s is a backup id (16 lower-case hex digits). */
int store_is_id(const char *s, size_t n);
/* 1 if s can be a snapshot name (short, not hidden, no '/' or NUL). */
int store_is_snap(const char *s, size_t n);

#endif
