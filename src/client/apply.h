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

#include <stdint.h>

#include "entry.h"

/* What an entry is made as: an open fd (-1: none, use dfd/name), and
 * its name in its directory (for xattrs, which are set by name). */
struct made {
	int fd;
	int dfd;
	const char *name;
};

/*
 * Put e's owner, mode, xattrs and time on m, in that order (a symlink
 * gets no mode). An owner or xattr that cannot be set is reported and
 * counted in *bad. A mode or time that cannot be set is the caller's to
 * report: -1 (errno), after the rest was tried; else 0.
 */
int apply_meta(const struct made *m, const struct entry *e, uint64_t *bad);
/* Make the FIFO or device node e at dfd/name (one of another type there
 * goes, a directory stays and fails) with its metadata; each failure is
 * reported and counted in *bad. Device nodes need root. */
void apply_special(int dfd, const char *name, const struct entry *e,
    uint64_t *bad);

#endif
