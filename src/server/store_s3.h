/*
 * store_s3.h — the store on an S3-compatible object store (DESIGN.md, "The
 * object store"). These files are the only ones that know its layout, below
 * the configured prefix:
 *
 *	_clients/<client>			empty: the client has backups
 *	<client>/catalog			id → source, newest (JSON lines)
 *	<client>/data/<md5hex>-<size>		a file's content
 *	<client>/<id>/snap/<snapshot>		its manifest: the commit record
 *	<client>/<id>/lock			the run's lease: owner, expiry
 *	<client>/<id>/resume			content an unfinished run sent
 *	<client>/<id>/read/<expiry>-<owner>	a restore's read lease
 *	<client>/sweep/lock			the sweep's lease
 *	<client>/usage				--quota: "usage <bytes>\n"
 *
 * A snapshot exists exactly when its manifest object does; the manifest is
 * put (If-None-Match: *) only after every object it names was uploaded and
 * its MD5 checked while it was spooled. What a run needs to know of the
 * bucket is read at begin in a handful of requests (the lock, the catalog,
 * the newest manifest, the resume list) into files of a local spool
 * directory, which also holds the data of the file being received, the
 * manifest being written and the manifests being read. Nothing grows in
 * memory with the number of files.
 *
 * store_s3.c runs a backup; store_s3_cat.c answers the catalog, reads
 * snapshots and removes them; store_s3_obj.c holds what both use: keys,
 * spool files, uploads, downloads, the catalog object and the lease.
 * Everything is inside #if CAIRN_S3.
 */
#ifndef CAIRN_STORE_S3_H
#define CAIRN_STORE_S3_H

#include "features.h"

#if CAIRN_S3

#include <stdint.h>

#include "json.h"
#include "md5.h"
#include "mdindex.h"
#include "proto.h"
#include "record.h"
#include "s3.h"
#include "store.h"

#define S3_PART ((uint64_t)16 << 20)	/* multipart part size, and the
					 * largest object put in one PUT */
#define S3_LEASE 60			/* seconds a lease lives unrenewed (default) */
#define S3_IO_BUF 65536			/* bytes moved between spool and net */
#define S3_NEEDS NEED_MAX		/* files needed ahead of their data */
#define S3_NEED_TEXT (WINDOW_BYTES + PATH_CAP)	/* their paths (a ring) */
#define S3_OWNER 33			/* a lease's owner token, hex + NUL */

/* A file offered and needed, until its data has come. */
struct s3_need {
	uint32_t off;		/* its path in need_text */
	uint16_t plen;
	uint64_t size;
	uint8_t md5[MD5_LEN];
};

/* A backup run. */
struct s3_run {
	struct store_run *out;
	char client[CLIENT_MAX + 1];
	char prev[SNAP_MAX];		/* the newest snapshot, "" if none */
	int64_t time;
	int active, dry, committed;
	/* the lease, when held */
	int locked;
	char lock_etag[S3_ETAG_MAX];
	int64_t lock_expiry;
	int in_catalog;			/* the catalog had the backup */
	int had_resume;			/* <id>/resume was there */
	int resume_fd;			/* it, spooled, or -1 */
	/* the previous manifest, read in step with the offers */
	int prev_fd;
	struct lines prev_lines;
	struct json prev_j;
	struct entry prev_e;
	int prev_have;
	/* content the bucket holds: MD5 → size + 1 (the previous snapshot's),
	 * or size + 1 + 2^63 (what an unfinished run sent) */
	struct mdindex cidx;
	int cidx_ok;
	/* this run's files by path MD5 (hard links' targets), and the paths
	 * left out at commit */
	struct mdindex fidx, gone;
	int fidx_ok, gone_ok;
	/* the draft: entries as offered (JSON lines), one tag byte each
	 * ('R' recorded, 'N' needed), and the needs' outcomes in need order
	 * (u8 ok, u64 size, MD5, u8 flags) */
	int draft_fd, tags_fd, res_fd;
	struct linew dw;
	uint64_t tags_n, res_n;
	/* content this run uploaded (md5 16, size 8), for the resume list */
	int sent_fd;
	uint64_t sent_n;
	char last[PATH_CAP];
	size_t last_len;
	char dir[PATH_CAP];		/* the last directory offered */
	size_t dlen;
	int any;
	/* the file being received, spooled */
	int up_fd;
	int up_v2;
	int up_holed;			/* a hole came: written by offset */
	struct md5 up_md5;
	uint64_t up_bytes;
	struct entry up_e;
	/* --quota: the client's usage object as this run last read or wrote
	 * it, and what the run has reserved there and not yet used */
	int use_known;
	char use_etag[S3_ETAG_MAX];
	uint64_t use_bytes;
	uint64_t held;
	/* needs */
	unsigned need_head, need_count;
	size_t need_pbytes;
	struct s3_need needs[S3_NEEDS];
	char need_text[S3_NEED_TEXT];
	void (*tick)(void *arg);
	void *tick_arg;
};

/* A manifest downloaded into the spool and read from there. */
struct s3_man {
	int open;		/* 0: closed (so a zeroed one is) */
	int fd;
	int damaged;
	struct lines l;
	struct json j;
	uint8_t xattr[XATTR_MAX];
};

/* The snapshot open for reading, and its file being read. */
struct s3_read {
	char client[CLIENT_MAX + 1], id[ID_LEN + 1];
	struct s3_man man;
	struct mdindex pidx;	/* path MD5 → record offset */
	int pidx_ok;
	int file_fd;		/* the content, downloaded: -1 none */
	char lease[S3_KEY_MAX];	/* its read lease, "" none */
	int64_t lease_expiry;
	uint64_t pos, size;
	int sparse;		/* offered with holes: zero blocks go as holes */
};

struct store_s3 {
	const store_class *vtable;
	struct s3 s3;
	int spool;		/* this context's spool directory */
	char spool_name[PATH_CAP];
	char endpoint[256];
	long pid;		/* whose connection s3 is (sessions fork) */
	unsigned lease;		/* seconds a lease lives unrenewed */
	uint64_t quota;		/* bytes each client may keep, 0 none */
	char owner[S3_OWNER];	/* this process's lease owner token */
	struct s3_read rd;
	struct s3_man cur[STORE_CURSORS];
	struct s3_run run;
	uint8_t io[S3_IO_BUF];
};

extern const store_class store_s3_class;

/*
 * Set up the store on the bucket of conf with a spool directory (made if
 * missing): the client made, and the store's conditional writes probed —
 * without them several cairnd could not share the bucket safely, so the
 * store is refused. 0, or -1 with text saying why.
 */
int store_s3_init(struct store_s3 *s, const struct s3_conf *conf,
    const char *spool, char *text, size_t cap);
/* Close it: the connection, the spool. */
void store_s3_close(struct store_s3 *s);
/* Requests sent to the store so far (tests, the bench). */
uint64_t store_s3_requests(const struct store_s3 *s);

/* ---- store_s3_obj.c: shared by the others ---- */

/* A key below the prefix from printf-style parts, into k[S3_KEY_MAX]:
 * 0, or -1 when it does not fit. */
int s3k(char *k, const char *fmt, ...) __attribute__((format(printf, 2,
    3)));
/* The content key of md5 and size into k. */
void s3_data_key(char *k, const char *client, const uint8_t md5[MD5_LEN],
    uint64_t size);
/* Called before requests: in a process forked since the connection was
 * made, forget it (the parent keeps it) and open one's own. */
void s3_here(struct store_s3 *s);
/* A fresh empty spool file named name (replacing one): fd or -1. */
int s3_spool_file(struct store_s3 *s, const char *name);
/* Upload len bytes of fd from its start as key (flags as s3_put: one PUT
 * up to S3_PART, multipart beyond): 0, 1 when a condition failed (412),
 * -1 with text. */
int s3_upload(struct store_s3 *s, const char *key, int fd, uint64_t len,
    unsigned flags, const char *if_match, char *etag, char *text,
    size_t cap);
/* Download key into the spool file fd (truncated first), with its ETag
 * into etag (may be NULL) and its MD5 into md5 (may be NULL): 0, 1 when
 * absent (404), -1 with text. */
int s3_download(struct store_s3 *s, const char *key, int fd, char *etag,
    uint8_t md5[MD5_LEN], char *text, size_t cap);
/* Upload content that may be there already, as --quota needs to know:
 * one PUT with If-None-Match: * up to S3_PART (put again unconditionally
 * when it is there, so a damaged copy is replaced), a HEAD before a
 * multipart upload beyond. 0 put new, 1 it was there, -1 with text. */
int s3_upload_new(struct store_s3 *s, const char *key, int fd, uint64_t len,
    char *text, size_t cap);
/* Delete key: 0 or -1 with text. */
int s3_remove_key(struct store_s3 *s, const char *key, char *text,
    size_t cap);

/* The catalog of client: each record (id, source, newest) through
 * each(arg, id, source, newest), stopping when it returns nonzero. 0 (also
 * when there is none), -1 with text. */
int s3_catalog_read(struct store_s3 *s, const char *client,
    int (*each)(void *arg, const char *id, const char *source,
    const char *newest), void *arg, char *text, size_t cap);
/* Set backup id's record (newest NULL: remove it), compare-and-swap
 * against other servers. 0 or -1 with text. */
int s3_catalog_set(struct store_s3 *s, const char *client, const char *id,
    const char *source, const char *newest, char *text, size_t cap);
/* The newest snapshot and source of backup id: 1 found, 0 not, -1. */
int s3_catalog_get(struct store_s3 *s, const char *client, const char *id,
    char *newest, char *source, size_t scap, char *text, size_t cap);

/* Take the lease of backup id (*etag, *expiry filled): ST_OK, ST_BUSY
 * (held by another and alive), ST_IO; *took 1 when an expired lease was
 * taken over (its run died). */
unsigned s3_lock(struct store_s3 *s, const char *client, const char *id,
    char *etag, int64_t *expiry, int *took, char *text, size_t cap);
/* Renew it when half its time has gone (cheap otherwise: runs call it
 * as data comes): 0, -1 when lost. */
int s3_lock_renew(struct store_s3 *s, const char *client, const char *id,
    char *etag, int64_t *expiry, char *text, size_t cap);
/* Give it up (best effort). */
void s3_unlock(struct store_s3 *s, const char *client, const char *id,
    char *etag);
/* 1 if backup id's lease is held by a live run, 0 if not, -1. */
int s3_lock_held(struct store_s3 *s, const char *client, const char *id);

/* A read lease on backup id while a snapshot of it is open (key into
 * key[S3_KEY_MAX]; renew moves it on when half its time has gone): 0 or
 * -1. s3_readers: 1 if a live one is there, 0 not, -1. */
int s3_read_hold(struct store_s3 *s, const char *client, const char *id,
    char *key, int64_t *expiry);
int s3_read_renew(struct store_s3 *s, const char *client, const char *id,
    char *key, int64_t *expiry);
void s3_read_release(struct store_s3 *s, char *key);
int s3_readers(struct store_s3 *s, const char *client, const char *id);

/* A manifest downloaded into spool file name and opened: ST_OK with *si
 * from its header, ST_NOT_FOUND, ST_IO. */
unsigned s3_man_open(struct store_s3 *s, struct s3_man *m, const char *name,
    const char *client, const char *id, const char *snap,
    struct snapinfo *si, char *text, size_t cap);
/* The next entry of m: as store.h's next_entry. */
int s3_man_next(struct s3_man *m, struct entry *e);
void s3_man_close(struct s3_man *m);
/* The header of a manifest read from m's lines into *si: 0 or -1. */
int s3_man_header(struct s3_man *m, struct snapinfo *si);

/* ---- store_s3.c and store_s3_commit.c ---- */

#define S3_RES_REC (1 + 8 + MD5_LEN + 1)	/* a need's outcome */
#define S3_RESUMED ((uint64_t)1 << 63)	/* cidx: sent by an unfinished run */
/* text: "what name: strerror(errno)"; status returned. */
unsigned s3_fail(char *text, size_t cap, unsigned status, const char *what,
    const char *name);
/* The MD5 of a path: the key of the tables of paths. */
void s3_path_md5(const char *p, size_t n, uint8_t md[MD5_LEN]);
/* The run's methods of store_s3_commit.c. */
unsigned s3_commit(const store_class **ctx, unsigned keep,
    struct store_run *out, char *text, size_t cap);
unsigned s3_retain(const store_class **ctx, const struct retention *k,
    int dry, void (*removed)(void *arg, const struct snapinfo *si),
    void *arg, char *text, size_t cap);
void s3_end(const store_class **ctx);

/* ---- store_s3_name.c: what is read back from the bucket ---- */

/* "<md5hex>-<size>" (lower-case hex, a plain decimal): 0 with md5 and
 * *size, -1. */
int s3_parse_content(const char *s, size_t n, uint8_t md5[MD5_LEN],
    uint64_t *size);
/* A lease body, "<owner> <expiry>\n" (owner S3_OWNER - 1 hex digits): 0
 * with owner[S3_OWNER] and *expiry, -1. */
int s3_parse_lease(const char *s, size_t n, char *owner, int64_t *expiry);
/* A read lease's name, "<expiry>-<owner>": 0 with *expiry, -1. */
int s3_parse_reader(const char *s, size_t n, int64_t *expiry);
/* A usage object's body, "usage <bytes>\n" (a plain decimal below
 * 2^63): 0 with *bytes, -1. */
int s3_parse_usage(const char *s, size_t n, uint64_t *bytes);
/* 1 if k[0..n), a key below "<client>/", is one --quota counts: a content
 * object (data/...) or a manifest (<id>/snap/...); 0 otherwise. */
int s3_usage_counts(const char *k, size_t n);

/* ---- store_s3_quota.c: --quota's count, <client>/usage ---- */

/* Room in the quota for n more bytes of the run's (what: named in the
 * refusal), as the count stands: no request once it was read. ST_OK,
 * ST_QUOTA, ST_IO, with text. */
unsigned s3_quota_room(struct store_s3 *s, uint64_t n, const char *what,
    char *text, size_t cap);
/* Charge n bytes the run is about to store, from its reservation, which
 * grows in blocks by compare-and-swap; exact: charge just n and give the
 * rest of the reservation back, in one write (the commit). ST_OK,
 * ST_QUOTA, ST_IO, with text. Without --quota: ST_OK. */
unsigned s3_quota_take(struct store_s3 *s, uint64_t n, int exact,
    const char *what, char *text, size_t cap);
/* n bytes taken but not stored: back into the reservation. */
void s3_quota_give(struct store_s3 *s, uint64_t n);
/* The run's reservation given back (its end; best effort, logged). */
void s3_quota_settle(struct store_s3 *s);
/* What the bucket keeps for client (its content objects and manifests,
 * from a listing) into *bytes: 0 or -1 with text. */
int s3_usage_tally(struct store_s3 *s, const char *client, uint64_t *bytes,
    char *text, size_t cap);
/* The count set to s3_usage_tally's by compare-and-swap (a count changed
 * meanwhile stands): after a sweep, while no run holds a lease (skip
 * NULL); or when no run but skip's holds one, which is checked after the
 * count is read, so that a run that charges after the check changes the
 * ETag first (a run that took over a dead run's lease). */
void s3_quota_recount(struct store_s3 *s, const char *client,
    const char *skip);
/* The count (--quota) or the tally: 0 or -1. */
int s3_quota_used(struct store_s3 *s, const char *client, uint64_t *bytes);

/* ---- store_s3_cat.c: a file's holes, found again as it is read ---- */

/* The block whose zeros a restore sends as a hole: the client's, where its
 * filesystem cannot say (DESIGN.md, "One backup" and "The object store"). */
#define S3_ZERO_BLOCK 4096

/*
 * The run at the start of p[0..n), whose first byte is at offset off of
 * its file: data up to the first all-zero block, or (*zero 1) all-zero
 * blocks up to the first that is not. Blocks are S3_ZERO_BLOCK bytes at
 * multiples of it from the file's start; p's ends may cut the first and
 * the last. Its length: n when p holds one run; 0 when n is 0.
 */
size_t s3_zero_run(const uint8_t *p, size_t n, uint64_t off, int *zero);

/* The methods of store_s3_cat.c (store.h has their contracts). */
int s3_client_ok(const store_class **ctx, const char *client);
int s3_next_backup(const store_class **ctx, const char *client,
    const char *after, char *id);
int s3_next_snapshot(const store_class **ctx, const char *client,
    const char *id, const char *after, char *name);
unsigned s3_info(const store_class **ctx, const char *client,
    const char *id, const char *snap, struct snapinfo *si);
unsigned s3_open_snapshot(const store_class **ctx, const char *client,
    const char *id, const char *snap, struct snapinfo *si, char *text,
    size_t cap);
int s3_next_entry(const store_class **ctx, struct entry *e);
int s3_open_file(const store_class **ctx, const char *path,
    uint64_t *size);
long s3_read_file(const store_class **ctx, void *p, size_t cap,
    uint64_t *hole);
void s3_close_file(const store_class **ctx);
void s3_close_snapshot(const store_class **ctx);
unsigned s3_cursor_open(const store_class **ctx, unsigned c,
    const char *client, const char *id, const char *snap,
    struct snapinfo *si, char *text, size_t cap);
int s3_cursor_next(const store_class **ctx, unsigned c, struct entry *e);
void s3_cursor_close(const store_class **ctx, unsigned c);
unsigned s3_remove(const store_class **ctx, const char *client,
    const char *id, const char *snap, int dry, uint64_t *files,
    uint64_t *bytes, char *text, size_t cap);
unsigned s3_prune(const store_class **ctx, const char *client,
    const char *id, const struct retention *k, int dry,
    void (*planned)(void *arg, unsigned count),
    void (*removed)(void *arg, const struct snapinfo *si), void *arg,
    char *text, size_t cap);
int s3_usage(const store_class **ctx, const char *client, uint64_t *bytes);
int s3_next_client(const store_class **ctx, const char *after, char *name);
void s3_verify(const store_class **ctx, const char *client, const char *id,
    const char *snap, void (*say)(void *arg, const char *path,
    const char *what, int problem), void *arg);
/* Retention over backup id's snapshots (the caller holds the lease, or
 * dry): as store.h's retain, with the run's own snapshot counted when
 * extra. ST_OK, ST_IO. */
unsigned s3_apply_retention(struct store_s3 *s, const char *client,
    const char *id, const struct retention *k, int dry, int extra,
    int64_t extra_time, void (*planned)(void *arg, unsigned count),
    void (*removed)(void *arg, const struct snapinfo *si), void *arg,
    char *text, size_t cap);
/* Collect content objects of client no manifest names: skipped while any
 * run of the client holds a lease (but skip's: the caller's own, or NULL).
 * 0 or -1 (logged, not fatal). */
int s3_sweep(struct store_s3 *s, const char *client, const char *skip);
/* 1 if no run of client but skip's (NULL: none) holds a lease, 0 if one
 * does, -1 when it cannot be told. */
int s3_runs_idle(struct store_s3 *s, const char *client, const char *skip);

#endif /* CAIRN_S3 */
#endif
