/*
 * conn.h — the client's connection to cairnd, shared by backup, restore,
 * list and remove: the TLS session, one frame buffer, requests and the
 * check of their replies, network errors, keepalives while hashing, and
 * the pipeline of requests not answered yet (PROTOCOL.md).
 *
 * Every failure of the connection or of the server's replies exits with
 * the documented code and a message naming the server; callers only see
 * replies that passed the check.
 */
#ifndef CAIRN_CONN_H
#define CAIRN_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "entry.h"
#include "proto.h"
#include "tls.h"

struct copts;

/* A reply (or a T_ITEM) as read: frame type, status, message, body. */
struct reply {
	unsigned type;		/* T_REPLY | request, or T_ITEM */
	unsigned status;	/* not set for a T_ITEM */
	char text[MSG_MAX + 1];
	struct rd body;		/* after status and message; a T_ITEM whole */
};

/* How the replies to a request are checked, and what their failures say. */
struct check {
	const char *when;	/* "connection lost WHEN: why"; NULL: none */
	const char *refusal;	/* a T_ERROR exits with "REFUSAL: message" */
	int strict;		/* any status but ST_OK exits 4 as well */
	int items;		/* T_ITEM frames may come before the reply */
};

/* Replies to one-shot requests (RESTORE, REMOVE), and to those answered
 * by T_ITEMs first (LIST, and RESTORE's manifest). */
extern const struct check check_query, check_items;

/* The handler of the reply to one type of pipelined request. */
struct reply_row {
	unsigned type;		/* the request's frame type */
	void (*handle)(void *ctx, const struct entry *e, struct reply *rp);
};

/* A command's pipelined requests: how their replies are checked, and
 * one row per request type. */
struct reply_table {
	struct check check;
	const struct reply_row *rows;
	size_t n;
};

/* The handler of one kind of T_ITEM (I_BACKUP, I_ENTRY, ...): 1 if it
 * was the last item, 0 if more follow. */
struct item_row {
	unsigned kind;
	int (*handle)(void *ctx, struct rd *r);
};

/* A request sent and not answered yet. */
struct pending {
	unsigned type;
	struct entry e;
};

/* One connection. Large: keep it static. */
struct cconn {
	const struct copts *o;
	struct tls t;
	unsigned version;	/* the session's protocol version (2) */
	uint32_t server_flags;	/* SF_* from the HELLO reply */
	char own_cn[TLS_NAME_MAX + 1];	/* our certificate's CN, or "" */
	uint64_t sent_ms;	/* when a frame last went to the server */
	struct reply rp;	/* the last reply read */
	/* the pipeline */
	const struct reply_table *tab;
	void *ctx;		/* the handlers' */
	struct pending q[PIPELINE_MAX];
	unsigned qhead, qlen;
	struct entry cur;	/* the request being answered */
	uint8_t frame[FRAME_MAX];
	uint8_t data[DATA_CHUNK];	/* file bytes, hashed or sent */
};

/* Connect, handshake and say hello; exits with the right status and
 * message when it cannot. */
void cconn_open(struct cconn *c, const struct copts *o);
/* Say goodbye and close. */
void cconn_close(struct cconn *c);
/* Exit 3: "HOST:PORT: connection lost WHEN: why" (no WHEN when NULL). */
void cconn_lost(struct cconn *c, const char *when)
    __attribute__((noreturn));
/* Start a request's payload in the frame buffer. */
void cconn_buf(struct cconn *c, struct buf *b);
/* Send one frame (queued); a failure exits with cconn_lost(when). */
void cconn_send(struct cconn *c, unsigned type, const void *p, size_t n,
    const char *when);
/* Receive one frame into c->frame: its length and *type (v2: the
 * server's KEEPALIVEs are skipped). */
size_t cconn_recv(struct cconn *c, unsigned *type, const char *when);
/* Read the reply to a request of type (or a T_ITEM when k allows),
 * checked as k says. */
struct reply *cconn_reply(struct cconn *c, unsigned type,
    const struct check *k);
/* Send the request in b (from cconn_buf) and read its reply. */
struct reply *cconn_request(struct cconn *c, unsigned type,
    const struct buf *b, const struct check *k);
/* Tell the server we are still here if nothing went to it for a while. */
void cconn_keepalive(struct cconn *c);
/* MD5 of the open file fd, read to its end, with keepalives. 0 or -1. */
int cconn_hash(struct cconn *c, int fd, uint8_t md[MD5_LEN]);

/* Pipeline requests whose replies tab dispatches, with ctx. */
void cconn_pipeline(struct cconn *c, const struct reply_table *tab,
    void *ctx);
/* Note a request just sent; there must be room (cconn_room). */
void cconn_push(struct cconn *c, unsigned type, const struct entry *e);
/* Read the reply to the oldest pending request and dispatch it. */
void cconn_take(struct cconn *c);
/* Take replies until one more request fits. */
void cconn_room(struct cconn *c);
/* Take replies until none is pending. */
void cconn_drain(struct cconn *c);

/* Escape what a terminal would act on in a string from the server, in
 * place in text[cap] (replies' texts come so already). */
void cconn_tidy(char *text, size_t cap);

/* The row of rows[0..n) for kind, or NULL. */
const struct item_row *item_find(const struct item_row *rows, size_t n,
    unsigned kind);

#endif
