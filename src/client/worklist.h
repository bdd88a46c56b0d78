/*
 * worklist.h — restore's work list: the entries that wait for a later
 * pass, in an unlinked temporary file of binary records, written once in
 * manifest order and read back whole by each pass.
 *
 * A record is {u32 length, u8 flags, the v2 entry (PROTOCOL.md, "The v2
 * entry")}, so reading one back is a bounds-checked decode, not a parse.
 * The file is ours alone: it is never read by anything else.
 */
#ifndef CAIRN_WORKLIST_H
#define CAIRN_WORKLIST_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"

/* A record's flags. */
enum {
	WF_CHECK = 1,	/* a file of its size is there: hash it first */
	WF_OWNED = 2	/* its owner was recorded (entry.owned) */
};

/* Bytes of the buffer: twice the largest record (two paths, the
 * xattrs and the fixed fields). */
#define WORK_BUF (2 * (2 * PATH_CAP + XATTR_MAX + 1024))

struct worklist {
	int fd;
	uint64_t base;		/* file offset of b[0] */
	uint64_t off;		/* file offset of the record last read */
	size_t start, end;	/* reading: b[start..end) not used yet */
	int err;		/* a write failed */
	uint8_t b[WORK_BUF];
	uint8_t rec[WORK_BUF / 2];	/* one record, read again by offset */
};

/* Start writing the work list on the empty file fd. */
void work_open(struct worklist *w, int fd);
/* Append e with flags (WF_*). 0 or -1 (errno). */
int work_add(struct worklist *w, const struct entry *e, unsigned flags);
/* Write out what is buffered and read from the start. 0 or -1. */
int work_start(struct worklist *w);
/* Read from the start again. 0 or -1. */
int work_restart(struct worklist *w);
/* The next record into *e (e->xattr into the list's buffer, valid until
 * the next call) and *flags: 1, 0 at the end, -1 if damaged or unread. */
int work_read(struct worklist *w, struct entry *e, unsigned *flags);
/* The record at offset off again (an earlier w->off), as work_read does,
 * into w->rec: 0 or -1. */
int work_reread(struct worklist *w, uint64_t off, struct entry *e);

#endif
