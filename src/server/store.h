/*
 * store.h — the server's snapshot store on a local directory tree:
 *
 *	DIR/<client>/<id>/<snapshot>/...	committed snapshots (plain files)
 *	DIR/<client>/<id>/.manifests/<snapshot>.json
 *	DIR/<client>/<id>/.partial/		the snapshot being received
 *	DIR/<client>/<id>/.received		files stored in .partial (log)
 *	DIR/<client>/<id>/.resume/, .resume.log	an interrupted run's files
 *	DIR/<client>/<id>/.incoming/		the file being received
 *	DIR/<client>/<id>/.lock			held by the run in progress
 *	DIR/backup_state.json			id → client, source, newest
 *
 * A snapshot is visible only once its directory has its final name: the
 * data is made durable first (one syncfs), then the manifest (fsync and
 * rename into .manifests), then one rename of .partial commits it.
 */
#ifndef CAIRN_STORE_H
#define CAIRN_STORE_H

#include <stdint.h>

#include "catalog.h"
#include "md5.h"
#include "mdindex.h"
#include "path.h"
#include "port.h"
#include "proto.h"
#include "record.h"

#define NEED_MAX (PIPELINE_MAX * 2)

struct need {
	char path[PATH_CAP];
	size_t plen;
	uint64_t size;
	uint8_t md5[MD5_LEN];
	uint32_t mode;
	int64_t mtime;
	uint32_t mtime_ns;
};

struct store {
	int root, client, backup, lock, partial, incoming, manifests, prev;
	char client_name[TLS_NAME_MAX + 1];
	char source[PATH_CAP];
	char id[ID_LEN + 1];
	char snap[SNAP_MAX];
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
	uint64_t reused;
	/* files by MD5: the previous snapshot's index, and this one's */
	struct mdindex pidx, nidx;
	int pidx_ok, nidx_ok;
	struct port_tmp idx_tmp;
	uint64_t deduped;
	/* copies instead of hard links (a filesystem without them) */
	int copying;
	/* the new manifest */
	struct port_tmp man;
	struct linew mw;
	char last[PATH_CAP];
	size_t last_len;
	/* files offered and needed, in the order they must arrive */
	struct need needs[NEED_MAX];
	unsigned need_head, need_count;
	/* the directories of the last entry, in the new and the previous
	 * snapshot: sorted entries mostly share them */
	struct dircache pdir, vdir;
	/* the file being received */
	int up_fd;
	struct md5 up_md5;
	uint64_t up_bytes;
	unsigned missing;	/* files offered but not stored */
	uint64_t quota, usage;	/* --quota, and what the client used before */
	uint64_t added;		/* bytes this run adds to the store */
	uint64_t files, bytes, linked, received;
};

/*
 * Begin a snapshot of source for client in the store at root. Returns a
 * status (ST_OK, or ST_BUSY / ST_IO, having released everything) with
 * text filled.
 */
unsigned store_begin(struct store *s, int root, const char *client,
    const char *source, size_t slen, char *text, size_t cap);
/* An offered entry: ST_OK (stored or linked), ST_NEED (send it), or an
 * error status with text. */
unsigned store_offer(struct store *s, const struct entry *e, char *text,
    size_t cap);
/* Receiving a needed file: begin (must match the oldest need), data, end
 * (checks size and MD5). Errors as above. */
unsigned store_put_begin(struct store *s, const struct entry *e, char *text,
    size_t cap);
unsigned store_put_data(struct store *s, const void *p, size_t n, char *text,
    size_t cap);
unsigned store_put_end(struct store *s, char *text, size_t cap);
/* Commit the snapshot; then, with keep > 0, remove all but the newest
 * keep snapshots of the backup. */
unsigned store_commit(struct store *s, unsigned keep, char *text,
    size_t cap);
/* Release everything; an uncommitted snapshot stays partial. */
void store_end(struct store *s);

#endif
