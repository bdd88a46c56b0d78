/*
 * apply.h — what restore puts on an entry once it is made (DESIGN.md,
 * "One restore"): its owner (as root only: as anyone else the restoring
 * user keeps it, silently, as rsync does), then its mode (so that the
 * setuid and setgid bits survive the chown), then its xattrs (a file
 * capability after the chown, which clears it; ACLs are
 * system.posix_acl_* xattrs), then its modification time, last. What
 * cannot be set is reported, naming the entry, and counted.
 */
#ifndef CAIRN_APPLY_H
#define CAIRN_APPLY_H

#include "entry.h"

/* What an entry is made as: an open fd (-1: none, use dfd/name), and
 * its name in its directory (for xattrs, which are set by name). */
struct made {
	int fd;
	int dfd;
	const char *name;
};

/* Put e's owner, mode, xattrs and time on m: the failures, each
 * reported. A symlink gets no mode. */
unsigned apply_meta(const struct made *m, const struct entry *e);
/* Make the FIFO or device node e at dfd/name (one of another type there
 * goes, a directory stays and fails) with its metadata: the failures,
 * each reported. Device nodes need root. */
unsigned apply_special(int dfd, const char *name, const struct entry *e);

#endif
