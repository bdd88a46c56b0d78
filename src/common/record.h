/*
 * record.h — cairn's JSON-lines files: client state, manifests and the
 * server's state file. A file is one JSON array holding one object per
 * line, so it is read and written one record at a time:
 *
 *	[{"cairn_manifest":1,...}
 *	,{"path":"a","type":"dir",...}
 *	,{"path":"a/b","type":"file",...}
 *	]
 *
 * The first object is a header; the records after it are sorted by
 * path_cmp() where the file holds entries.
 */
#ifndef CAIRN_RECORD_H
#define CAIRN_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "entry.h"

/* One record, escapes included: a v2 entry's worst case is two paths of
 * 4095 control bytes (6 each escaped), 16 KiB of xattrs in hex and the
 * rest; about 82 000 bytes. */
#define LINE_MAX_BYTES 98304

struct lines {
	int fd;
	size_t start, end;
	uint64_t base;		/* file offset of buf[0] */
	uint64_t off;		/* file offset of the last object returned */
	int state;		/* 0 before "[", 1 inside, 2 after "]" */
	char buf[LINE_MAX_BYTES + 1];
};

/* Start reading the JSON-lines file open on fd. */
void lines_open(struct lines *l, int fd);
/*
 * The next object's text: 1 with *p and *n, 0 after the closing "]",
 * -1 if the file is malformed, truncated (no "]"), has a line longer
 * than LINE_MAX_BYTES, or cannot be read (errno set, or EINVAL).
 */
int lines_next(struct lines *l, const char **p, size_t *n);

struct linew {
	int fd;
	int count;
	uint64_t written;	/* bytes already in the file */
	struct buf b;
	uint8_t store[LINE_MAX_BYTES * 2];
};

/* Start writing a JSON-lines file on fd ("[" comes with the first). */
void linew_open(struct linew *w, int fd);
/* Append one object (its text, without newline). 0 or -1 (errno). */
int linew_put(struct linew *w, const void *obj, size_t n);
/* Write out what is buffered. 0 or -1. */
int linew_flush(struct linew *w);
/* Write the closing "]" and flush. 0 or -1. */
int linew_close(struct linew *w);

/* Extra fields the client state keeps to skip unchanged files. */
struct stamp {
	int64_t ctime;
	uint32_t ctime_ns;
	uint64_t ino;
};

/* An entry as a JSON object, with a stamp when x is not NULL. */
int entry_json(struct buf *b, const struct entry *e, const struct stamp *x);
/* Decode an entry (and its stamp when x is not NULL: zero if absent). A
 * record without "uid" is v1's: owned 0. The xattrs are left in j
 * (e->xattr NULL): entry_xattrs decodes them into out[cap], *n bytes
 * (0 when there are none). 0 or -1 when damaged. */
int entry_parse(const struct json *j, struct entry *e, struct stamp *x);
int entry_xattrs(const struct json *j, uint8_t *out, size_t cap, size_t *n);
/*
 * The next record of l as an entry (and stamp, when x is not NULL), parsed
 * in j, which keeps the record for other fields: 1, 0 at the end, -1 if
 * the file or the record is damaged.
 */
int entry_next(struct lines *l, struct json *j, struct entry *e,
    struct stamp *x);

#endif
