/*
 * catalog.h — what a client may read and remove in the store: its
 * backups, their snapshots and their totals, and DIR/backup_state.json.
 * Every name from the network is checked before it touches the disk.
 */
#ifndef CAIRN_CATALOG_H
#define CAIRN_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define ID_LEN 16
#define SNAP_MAX 40

struct snapinfo {
	uint64_t files, bytes;
	int64_t time;
	char source[PATH_CAP];
};

/* 1 if s is a backup id (16 lower-case hex digits). */
int catalog_is_id(const char *s, size_t n);
/* 1 if s can be a snapshot name (not hidden, no '/', short). */
int catalog_is_snap(const char *s, size_t n);

/* DIR/<client>/<id> open, or -1 (errno ENOENT when there is none). */
int catalog_open_backup(int root, const char *client, const char *id);

enum { CAT_IDS, CAT_SNAPS };
/*
 * The smallest name of the kind in directory dfd that sorts after
 * "after" ("" for the first): 1 with out filled, 0 when none is left,
 * -1 on error. Sorted without holding the listing: each call reads the
 * directory once.
 */
int catalog_next(int dfd, int kind, const char *after, char *out);
/* The newest snapshot of a backup into out ("" if none): 0 or -1. */
int catalog_newest(int backup, char *out);
/* Totals and source of a snapshot, from its manifest's header. */
int catalog_info(int backup, const char *snap, struct snapinfo *si);

/*
 * Remove snapshot snap of a backup (the caller holds its lock): renamed
 * out of sight first, then its manifest, then its files. 0 or -1.
 */
int catalog_remove_snapshot(int backup, const char *snap, uint64_t *freed);
/* Remove the whole backup id of client: renamed out of sight, then
 * deleted. The caller holds its lock. 0 or -1. Both add the bytes given
 * back to *freed. */
int catalog_remove_backup(int client_fd, const char *id, uint64_t *freed);

/* Finish removals that were interrupted: every ".trash-*" in dfd. */
void catalog_clean_trash(int dfd);

/*
 * Record in DIR/backup_state.json that backup id of client (from source)
 * has snapshot as its newest; snapshot NULL removes the record. The file
 * is rewritten whole under a lock, one record at a time. 0 or -1.
 */
int catalog_state(int root, const char *client, const char *id,
    const char *source, const char *snapshot);

/*
 * The bytes a client's backups take on disk, for --quota: kept in
 * DIR/<client>/.usage, counted once (du_at) when that is missing, and
 * moved by catalog_usage_add as snapshots come and go. 0 or -1.
 */
int catalog_usage(int root, const char *client, uint64_t *bytes);
int catalog_usage_add(int root, const char *client, int64_t delta);

#endif
