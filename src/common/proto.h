/*
 * proto.h — cairn protocol versions 1 and 2 (see PROTOCOL.md):
 * length-prefixed frames over TLS, and the encoding of each message.
 */
#ifndef CAIRN_PROTO_H
#define CAIRN_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "entry.h"
#include "status.h"
#include "tls.h"
#include "util.h"

#define PROTO_V1 1
#define PROTO_V2 2		/* PROTOCOL.md, "Version 2" */
#define FRAME_HDR 4
#define FRAME_MAX 65535		/* payload bytes; the header is separate */
#define DATA_CHUNK 32768	/* file bytes per DATA_TRANSFER frame */
#define PIPELINE_MAX 32		/* requests a client may have unanswered */
#define KEEPALIVE_MS 15000	/* a peer busy for long (hashing, committing)
				 * says so this often */
#define TARGET_MAX 64		/* an ID or snapshot name in a request, NUL included */
#define OFFER_BATCH_MAX 256	/* entries of one OFFER_BATCH (v2) */
#define WINDOW_ENTRIES 1024	/* v2: entries of the requests unanswered */
#define WINDOW_BYTES 262144	/* v2: bytes of their paths */
#define NEED_MAX_V1 64		/* files a v1 session may have needed ahead
				 * of their data */
#define NEED_MAX 1024		/* v2: the same (WINDOW_ENTRIES) */

/* Frame types. Replies are the request's type | 0x80. */
enum {
	T_HELLO = 1,
	T_CHECK_SOURCE = 2,
	T_OFFER = 3,
	T_FILE_TRANSFER = 4,
	T_DATA_TRANSFER = 5,
	T_TRANSFER_COMPLETE = 6,
	T_BACKUP_COMPLETE = 7,
	T_KEEPALIVE = 8,	/* no reply; keeps an idle session open */
	T_LIST = 9,
	T_RESTORE = 10,
	T_FETCH = 11,
	T_REMOVE = 12,
	T_LS = 0x0d,		/* v2: the entries of a snapshot */
	T_FIND = 0x0e,		/* v2: snapshots holding a matching path */
	T_DIFF = 0x0f,		/* v2: what changed between two snapshots */
	T_ITEM = 0x10,		/* server → client: one item of a listing */
	T_OFFER_BATCH = 0x12,	/* v2: offers, one status each */
	T_PRUNE = 0x11,		/* v2: apply a retention policy now */
	T_HOLE = 0x13,		/* v2: a run of zero bytes in file data */
	T_REPLY = 0x80,
	T_ERROR = 0xff		/* server → client, then the server closes */
};

/* Kinds of T_ITEM. */
enum { I_END = 0, I_BACKUP = 1, I_SNAPSHOT = 2, I_ENTRY = 3, I_DIFF = 4 };

/* Request flags (v2): CHECK_SOURCE, REMOVE, PRUNE; LS. */
enum { RQ_DRY_RUN = 1 };
enum { LS_RECURSIVE = 1 };
#define INCLUDES_MAX 64		/* includes of one RESTORE (v2) */

/* I_DIFF changes, and what differs in a changed entry (bits of `what`). */
enum { D_ADDED = 1, D_REMOVED = 2, D_CHANGED = 3 };
enum {
	DW_TYPE = 1, DW_SIZE = 2, DW_CONTENT = 4, DW_MODE = 8, DW_OWNER = 16,
	DW_MTIME = 32, DW_XATTRS = 64, DW_TARGET = 128, DW_DEVICE = 256,
	DW_FLAGS = 512
};

/*
 * A retention policy (PROTOCOL.md, BACKUP_COMPLETE): how many of the
 * newest snapshots to keep, and one per hour, day, week, month and year
 * for that many of each, the buckets in the client's local time
 * (utc_offset seconds east of UTC). All 0: keep every snapshot.
 */
#define RETAIN_MAX 1000000
#define UTC_OFFSET_MAX 64800
struct retention {
	uint32_t last, hourly, daily, weekly, monthly, yearly;
	int32_t utc_offset;
};
/* The retention fields as BACKUP_COMPLETE and PRUNE carry them. */
void retention_put(struct buf *b, const struct retention *k);
/* Decode and check them (each 0..RETAIN_MAX, the offset within
 * UTC_OFFSET_MAX): 0 or -1. */
int retention_get(struct rd *r, struct retention *k);
/* 1 if k asks for any retention. */
int retention_any(const struct retention *k);

/* Send one frame: header and payload (queued; tls_flush sends). */
int frame_send(struct tls *t, unsigned type, const void *p, size_t n);
/* Receive one frame into p[FRAME_MAX]: 0, -1 if the connection failed,
 * -2 if the frame header is malformed (the session cannot go on). */
int frame_recv(struct tls *t, unsigned *type, uint8_t *p, size_t *n);
/* Decode a frame header: 0, or -1 if the reserved byte is not zero. */
int frame_hdr(const uint8_t h[FRAME_HDR], unsigned *type, size_t *n);

/* Server flags in the v2 HELLO reply. */
enum { SF_APPEND_ONLY = 1, SF_QUOTA = 2 };

/* An entry as carried by OFFER and FILE_TRANSFER (v1). */
int entry_put(struct buf *b, const struct entry *e);
/* Decode and check an entry: valid path and type, a target only for
 * links (non-empty, no NUL, at most PATH_LEN_MAX bytes: stored as is,
 * never resolved), mode within 07777. 0 or -1. */
int entry_get(struct rd *r, struct entry *e);

/*
 * The v2 entry (PROTOCOL.md, "The v2 entry"). entry2_get decodes and
 * checks one by the rules of its Limits table, for an offer (E2_OFFER:
 * CHANGED refused, the root's empty path allowed) or an item from the
 * server (E2_ITEM: any known flag, the root allowed). It checks what one
 * entry can say; the session checks what depends on the others (the
 * root first, a hard link's target offered before). e->xattr points
 * into r's bytes.
 */
enum { E2_OFFER, E2_ITEM };
int entry2_put(struct buf *b, const struct entry *e);
int entry2_get(struct rd *r, struct entry *e, unsigned ctx);
/* The v2 entry's wire size, for packing batches. */
size_t entry2_size(const struct entry *e);

/* A reply: status and message, then the caller appends its body. */
int reply_start(struct buf *b, unsigned status, const char *text);
/* Decode status and message (copied into text[MSG_MAX + 1]). */
int reply_get(struct rd *r, unsigned *status, char *text);
/* A string: u16 length and bytes. */
int put_str(struct buf *b, const char *s, size_t n);
/* A string into out[cap] (NUL-terminated; at most cap-1 bytes). */
int get_str(struct rd *r, char *out, size_t cap);

#endif
