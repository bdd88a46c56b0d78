/*
 * check.h — cairnd --check: every snapshot of the store read back through
 * the store class and held against its manifest (DESIGN.md, "Checking the
 * store").
 */
#ifndef CAIRN_CHECK_H
#define CAIRN_CHECK_H

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

/* A duration: digits and s, m, h or d ("90s", "30m", "26h", "7d"), in
 * seconds. 0 or -1. */
int parse_duration(const char *s, uint64_t *v);

#endif
