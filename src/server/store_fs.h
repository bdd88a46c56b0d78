/*
 * store_fs.h — the store on a local directory tree (DESIGN.md, "The local
 * backend"). These files are the only ones that know its layout:
 *
 *	DIR/backup_state.json			id → client, source, newest
 *	DIR/<client>/<id>/<snapshot>/...	committed snapshots (plain files)
 *	DIR/<client>/<id>/.manifests/<snapshot>.json	its manifest
 *	DIR/<client>/<id>/.manifests/<snapshot>.idx	MD5 → manifest record
 *	DIR/<client>/<id>/.partial/		the snapshot being received
 *	DIR/<client>/<id>/.received		files stored in .partial (log)
 *	DIR/<client>/<id>/.resume/, .resume.log	an interrupted run's files
 *	DIR/<client>/<id>/.incoming/		the file being received
 *	DIR/<client>/<id>/.lock			held by the run in progress
 *	DIR/<client>/<id>/.charged		what that run has charged (--quota)
 *	DIR/<client>/.usage			the client's bytes (--quota)
 *	.trash-*				a removal not finished yet
 *
 * A snapshot is visible only once its directory has its final name: the
 * data is made durable first (one syncfs), then the manifest (fsync and
 * rename into .manifests), then one rename of .partial commits it.
 *
 * store_fs.c runs a backup; store_fs_cat.c answers the catalog, reads
 * snapshots, removes them and keeps the state file and the usage counts;
 * store_fs_retain.c applies a retention policy.
 */
#ifndef CAIRN_STORE_FS_H
#define CAIRN_STORE_FS_H

#include <stdint.h>

#include "json.h"
#include "md5.h"
#include "mdindex.h"
#include "path.h"
#include "port.h"
#include "proto.h"
#include "record.h"
#include "retain.h"
#include "store.h"

#define COPY_CHUNK 32768	/* bytes per read when a file is copied */
/* The paths, users and groups of the files needed, at most: the client's
 * window bounds their paths (v1: 64 paths of at most PATH_LEN_MAX). */
#define NEED_TEXT (WINDOW_BYTES + NEED_MAX * 2 * OWNER_NAME_MAX)

/* A file offered and needed, until its data has come: what put_begin, the
 * upload's checks and its record use. Its path, then its user and group,
 * are in the run's need_text ring from off. */
struct need {
	uint32_t off;
	uint16_t plen;
	uint8_t ulen, glen, flags, owned;
	uint32_t mode, mtime_ns, uid, gid;
	uint64_t size;
	int64_t mtime;
	uint8_t md5[MD5_LEN];
	/* MD5_LATER: where its record's MD5 is, in the manifest (the hex)
	 * and in the index log (NOWHERE: not there), written when it comes */
	uint64_t md5_at, ilog_at;
};

#define NOWHERE UINT64_MAX	/* an offset of nothing */
#define ILOG_REC (MD5_LEN + 8)	/* one entry of the index log */
#define ILOG_BUF (ILOG_REC * 256)

/* A backup run on the local tree. */
struct fs_run {
	int root, client, backup, lock, partial, incoming, manifests, prev;
	char client_name[CLIENT_MAX + 1];
	struct store_run *out;	/* the caller's figures */
	char prev_snap[SNAP_MAX];
	int64_t time;		/* when the run began */
	size_t hdr_len;		/* the manifest header's fixed length */
	/* the previous snapshot's manifest, read in step with the offers */
	int prev_ok;
	struct lines prev_lines;
	struct entry prev_e;
	int prev_have;
	/* an interrupted run's files, read in step with the offers, and
	 * the log of what this run has stored in .partial */
	int resume;
	struct lines res_lines;
	struct entry res_e;
	int res_have;
	struct dircache rdir;
	struct linew rlog;
	int rlog_ok;
	/* files by MD5: the previous snapshot's index, and this one's */
	struct mdindex pidx, nidx;
	int pidx_ok, nidx_ok;
	struct port_tmp idx_tmp;
	/* copies instead of hard links (a filesystem without them) */
	int copying;
	/* the new manifest */
	struct port_tmp man;
	struct linew mw;
	char last[PATH_CAP];
	size_t last_len;
	int any;		/* an entry was offered (the root must be first) */
	/* the directories of the last entry, in the new and the previous
	 * snapshot: sorted entries mostly share them */
	struct dircache pdir, vdir;
	/* the file being received: at logical offset up_bytes, holes
	 * included; up_data bytes of it written, up_charged charged */
	int up_fd;
	int up_v2;		/* v2: any count of bytes, a trailer at the end */
	struct md5 up_md5;
	uint64_t up_bytes, up_data, up_charged;
	unsigned missing;	/* files offered but not stored */
	/* files stored otherwise than offered (a trailer's size, MD5 or
	 * CHANGED), in path order, merged into the manifest at commit:
	 * records of u16 path length, path, u64 size, MD5, u8 flags */
	int amend_fd;
	unsigned amends;
	uint64_t amend_off;	/* read back at commit, in step */
	int amend_have;
	unsigned hard_pending;	/* hard links whose first is still to come */
	/* the new MD5 index's entries as the manifest's file records are
	 * written (MD5, then the record's u64 offset, big-endian), so that
	 * commit need not parse the manifest again unless it rewrote it */
	struct port_tmp ilog;
	int ilog_ok;
	size_t ilog_n;
	uint64_t ilog_done;	/* bytes of it written out */
	/* the last record manifest_add wrote: where it begins in the
	 * manifest, its length, and its index log entry (or NOWHERE) */
	uint64_t rec_at, rec_ilog;
	size_t rec_len;
	uint8_t ilog_b[ILOG_BUF];
	/* --quota: what this run has charged that nothing committed or kept
	 * in .partial holds yet (the entries' allowance, the upload in
	 * flight), also written in .charged, so that the next run gives it
	 * back if this one dies */
	uint64_t quota;
	uint64_t meta;		/* what this run's entries cost */
	uint64_t allow;		/* charged for entries so far */
	uint64_t inflight;	/* the upload being received */
	int ledger;		/* .charged, or -1 */
	int committed;		/* commit has made the snapshot visible */
	/* set_tick's: told while the commit and retention work */
	void (*tick)(void *arg);
	void *tick_arg;
	/* a dry run (begin_dry): nothing is written; the last directory
	 * offered, for the parent check */
	int dry;
	char dry_dir[PATH_CAP];
	size_t dry_dlen;
	/* files offered and needed, in the order their data must come:
	 * how many, and the bytes of their paths and of all their text */
	unsigned need_head, need_count;
	size_t need_pbytes, need_tbytes;
	struct need needs[NEED_MAX];
	char need_text[NEED_TEXT];	/* a ring */
	struct entry up_e;	/* the need being received (put_begin's) */
	uint64_t up_md5_at, up_ilog_at;	/* its need's md5_at, ilog_at */
};

/* A snapshot open for reading. */
struct fs_read {
	char client[CLIENT_MAX + 1], id[ID_LEN + 1];	/* whose */
	int lock;		/* holding LOCK_READ, shared */
	int snap;		/* its directory, or -1 */
	int file;		/* the file being read, or -1 */
	int damaged;		/* its manifest could not be read */
	uint64_t pos, size;	/* the file: where read_file is, its size */
	uint64_t data_end;	/* the end of the data extent at pos */
	struct dircache dir;
	struct lines man;
	struct json j;
	uint8_t xattr[XATTR_MAX];	/* the last entry's xattrs */
};

/* A cursor: a manifest read beside the open snapshot. */
struct fs_cursor {
	int damaged;		/* its header could not be read */
	struct lines man;	/* man.fd -1: closed */
	struct json j;
	uint8_t xattr[XATTR_MAX];	/* the last entry's xattrs */
};

struct store_fs {
	const store_class *vtable;
	int root;		/* DIR */
	uint64_t quota;		/* bytes a client may store; 0: no limit */
	int began;
	struct fs_read rd;
	struct fs_cursor cur[STORE_CURSORS];
	struct fs_run run;
};

extern const store_class store_fs_class;

/*
 * Open the store at dir (made if missing) with a quota per client (0: no
 * limit; with one, the usage counts are taken anew as they are needed).
 * 0, or -1 with text saying what failed.
 */
int store_fs_init(struct store_fs *fs, const char *dir, uint64_t quota,
    char *text, size_t cap);
/* Close it (after the session). */
void store_fs_close(struct store_fs *fs);

/* ---- shared by store_fs.c and store_fs_cat.c ---- */

/* DIR/<client>/<id> open, or -1 (errno ENOENT when there is none). */
int fs_open_backup(int root, const char *client, const char *id);
/* The newest committed snapshot of a backup into out ("" if none): 0 or
 * -1. */
int fs_newest(int backup, char *out);
enum { FS_IDS, FS_SNAPS, FS_CLIENTS };
#define FS_NAME_MAX 72		/* the longest name of any kind, NUL included */
/* The smallest name of the kind in dfd that sorts after "after": 1 with
 * out filled (room for the longest name of its kind: ID_LEN + 1, SNAP_MAX,
 * CLIENT_MAX + 1), 0 when none is left, -1 on error. */
int fs_next(int dfd, int kind, const char *after, char *out);
/* Totals and source of a snapshot, from its manifest's header. 0 or -1. */
int fs_info(int backup, const char *snap, struct snapinfo *si);
/* The manifest of a snapshot, open for reading, or -1. */
int fs_open_manifest(int backup, const char *snap);
/* Remove one snapshot (the caller holds the lock), adding the bytes
 * given back to *freed. 0 or -1. */
int fs_remove_snapshot(int backup, const char *snap, uint64_t *freed);
/* Finish removals that were interrupted: every ".trash-*" in dfd. */
void fs_clean_trash(int dfd);
/* Record in DIR/backup_state.json that backup id of client (from source)
 * has snapshot as its newest; snapshot NULL removes the record. 0 or -1. */
int fs_state(int root, const char *client, const char *id,
    const char *source, const char *snapshot);
/*
 * The client's usage, for --quota: the bytes of its files (hard links
 * once) and ENTRY_COST for each entry and a symlink's target, counted from
 * the tree when not known. fs_charge adds delta under the usage lock; a
 * positive one that would take it past quota (not 0) is refused: 1 and
 * nothing charged. *used (if not NULL) gets the usage. 0, 1 or -1.
 */
#define ENTRY_COST 256		/* a manifest line, an inode, a name */
int fs_usage(int root, const char *client, uint64_t *bytes);
int fs_charge(int root, const char *client, int64_t delta, uint64_t quota,
    uint64_t *used);
/*
 * The locks of a backup, bytes of its .lock file: LOCK_RUN is held
 * exclusively by a run and by a removal; LOCK_READ is shared by the
 * sessions reading a snapshot and taken exclusively by whatever removes
 * snapshots (a removal, retention), so nothing goes while it is read.
 */
enum { LOCK_RUN = 0, LOCK_READ = 1 };
/* Open the backup's lock file and take one of its locks (shared or
 * exclusive): the fd holding it, or -1 with errno (EWOULDBLOCK when
 * another process holds a conflicting lock). */
int fs_lock(int backup, unsigned which, int how);


/*
 * Retention (store_fs_retain.c): the policy plan (retain_init done by the
 * caller) over the snapshots of backup (-1: none yet), oldest first, and
 * with extra the dry run's snapshot to be, as the newest. The caller holds
 * the locks a removal needs (none when dry).
 */
struct fs_prune {
	int backup;
	struct retain_plan plan;
	int dry;
	int extra;
	int64_t extra_time;
	void (*removed)(void *arg, const struct snapinfo *si);
	void *arg;
	void (*tick)(void *arg);	/* while removing, or NULL */
	void *tick_arg;
	uint64_t freed;			/* bytes given back */
};
/* Tell planned(arg, how many go) (if not NULL), then remove each that
 * goes (dry: none), telling removed(arg, its info). ST_OK, or ST_IO with
 * text when a removal failed (the rest stay). */
unsigned fs_apply_retention(struct fs_prune *p,
    void (*planned)(void *arg, unsigned count), char *text, size_t cap);

/* The methods of store_fs_cat.c (see store.h for their contracts). */
int fs_client_ok(const store_class **ctx, const char *client);
int fs_next_backup(const store_class **ctx, const char *client,
    const char *after, char *id);
int fs_next_snapshot(const store_class **ctx, const char *client,
    const char *id, const char *after, char *name);
unsigned fs_info_of(const store_class **ctx, const char *client,
    const char *id, const char *snap, struct snapinfo *si);
unsigned fs_open_snapshot(const store_class **ctx, const char *client,
    const char *id, const char *snap, struct snapinfo *si, char *text,
    size_t cap);
int fs_next_entry(const store_class **ctx, struct entry *e);
int fs_open_file(const store_class **ctx, const char *path, uint64_t *size);
long fs_read_file(const store_class **ctx, void *p, size_t cap,
    uint64_t *hole);
void fs_close_file(const store_class **ctx);
void fs_close_snapshot(const store_class **ctx);
unsigned fs_cursor_open(const store_class **ctx, unsigned c,
    const char *client, const char *id, const char *snap,
    struct snapinfo *si, char *text, size_t cap);
int fs_cursor_next(const store_class **ctx, unsigned c, struct entry *e);
void fs_cursor_close(const store_class **ctx, unsigned c);
unsigned fs_remove(const store_class **ctx, const char *client,
    const char *id, const char *snap, int dry, uint64_t *files,
    uint64_t *bytes, char *text, size_t cap);
unsigned fs_prune(const store_class **ctx, const char *client,
    const char *id, const struct retention *k, int dry,
    void (*planned)(void *arg, unsigned count),
    void (*removed)(void *arg, const struct snapinfo *si), void *arg,
    char *text, size_t cap);
int fs_usage_of(const store_class **ctx, const char *client,
    uint64_t *bytes);
int fs_next_client(const store_class **ctx, const char *after, char *name);
/* store_fs_check.c */
void fs_verify(const store_class **ctx, const char *client, const char *id,
    const char *snap, void (*say)(void *arg, const char *path,
    const char *what, int problem), void *arg);

#endif
