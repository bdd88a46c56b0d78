/*
 * admin.h — the administrator's commands, run on the server's store
 * through the store class: cairnd --check (every snapshot read back and
 * held against its manifest: DESIGN.md, "Checking the store") and
 * cairnd --prune.
 */
#ifndef CAIRN_ADMIN_H
#define CAIRN_ADMIN_H

#include <stdint.h>

#include "store.h"

struct check_opts {
	const char *client;	/* only this client (NULL: all) */
	const char *id;		/* only this backup of it (NULL: all) */
	int read_data;		/* read every file and compare its MD5 */
	uint64_t stale_s;	/* > 0: say which backups have no snapshot
				 * newer than this many seconds */
};

/*
 * Check the store, one line on stdout per problem and a summary per
 * snapshot. The exit status: 0 clean, 1 problems (or stale backups), 2 a
 * client or backup named that is not there.
 */
int check_run(const store_class **st, const struct check_opts *o);

/*
 * Remove all but the newest keep snapshots of backup id of client, one
 * line on stdout for each removed. 0, 1 if one could not be removed
 * (busy: a run or a restore of it), 2 no such backup.
 */
int prune_run(const store_class **st, const char *client, const char *id,
    unsigned keep);

/* A duration: digits and s, m, h or d ("90s", "30m", "26h", "7d"), in
 * seconds. 0 or -1. */
int parse_duration(const char *s, uint64_t *v);

#endif
