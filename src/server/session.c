/*
 * session.c — the server side of the protocol for one connection
 * (PROTOCOL.md): the TLS handshake, the client named by its certificate,
 * then every frame dispatched by one table of type → handler and the
 * session states in which it is allowed (DESIGN.md, "Sessions"). The
 * store is reached only through its class (store.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "path.h"
#include "port.h"
#include "proto.h"
#include "serve.h"
#include "session.h"
#include "sessint.h"
#include "store.h"
#include "util.h"

static struct session ss;
static uint8_t in[FRAME_MAX];
static uint8_t out[FRAME_MAX];
static uint8_t item[FRAME_MAX];

/* A client name is a safe directory name: [A-Za-z0-9._-], 1..64 bytes,
 * not starting with '.' or '-'. */
static int
client_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > TLS_NAME_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-'))
			return 0;
	}
	return 1;
}

/* The reply to a request of type: status, text, then body if not NULL. */
int
sess_reply(struct session *s, unsigned type, unsigned status, const char *text,
    struct buf *body)
{
	struct buf b;

	buf_init(&b, out, sizeof out);
	reply_start(&b, status, text);
	if (body != NULL)
		buf_put(&b, body->p, body->len);
	if (b.err)
		BUG("reply too large");
	return frame_send(&s->conn, T_REPLY | type, b.p, b.len);
}

/* One T_ITEM frame: kind, then what b holds. */
int
sess_item(struct session *s, unsigned kind, struct buf *b)
{
	item[0] = (uint8_t)kind;
	if (b->err || b->len > sizeof item - 1)
		BUG("item too large");
	memcpy(item + 1, b->p, b->len);
	return frame_send(&s->conn, T_ITEM, item, b->len + 1);
}

/* Release what the session holds in the store. */
static void
release(struct session *s)
{
	(*s->st)->end(s->st);
	(*s->st)->close_snapshot(s->st);
}

/* Tell the client why we stop (logged once), then stop. */
int
sess_fatal(struct session *s, unsigned status, const char *text)
{
	struct buf b;

	msg("%s", text);
	buf_init(&b, out, sizeof out);
	reply_start(&b, status, text);
	frame_send(&s->conn, T_ERROR, b.p, b.len);
	tls_flush(&s->conn);
	release(s);
	s->rc = EXIT_REFUSED;
	return DONE;
}

/* 1 if the client may not remove or prune its backups (--append-only). */
int
sess_append_only(const struct session *s)
{
	const struct names *l = s->o->append;
	unsigned i;

	if (s->o->append_all)
		return 1;
	for (i = 0; l != NULL && i < l->n; i++)
		if (strcmp(l->name[i], s->conn.peer_cn) == 0)
			return 1;
	return 0;
}

static const char *names_path;	/* the list being read, for messages */

static int
name_line(void *ctx, char *p, size_t n, size_t line)
{
	struct names *l = ctx;

	if (l->n == NAMES_MAX || n > TLS_NAME_MAX) {
		msg("%s, line %zu: %s", names_path, line, l->n == NAMES_MAX ?
		    "too many names" : "not a client name (too long)");
		return -1;
	}
	memcpy(l->name[l->n++], p, n);
	l->name[l->n - 1][n] = 0;
	return 0;
}

int
names_load(struct names *l, const char *path)
{
	l->n = 0;
	names_path = path;
	return text_lines(path, "client list", name_line, l) == 0 ? 0 : -1;
}

/* A backup id and snapshot name as the client asked for them. */
int
sess_target(struct rd *r, char *id, size_t idcap, char *snap, size_t scap)
{
	return get_str(r, id, idcap) < 0 || get_str(r, snap, scap) < 0 ||
	    rd_end(r) < 0 ? -1 : 0;
}

/* ---- handlers: 0 go on, -1 malformed, DONE the session is over --------- */

/* The v2 HELLO reply's server_flags (PROTOCOL.md, "Version negotiation"). */
static uint32_t
server_flags(const struct session *s)
{
	return (sess_append_only(s) ? SF_APPEND_ONLY : 0) |
	    (s->o->quota > 0 ? SF_QUOTA : 0);
}

static int
do_hello(struct session *s, struct rd *r)
{
	uint8_t body_b[TLS_NAME_MAX + 12];
	struct buf body;
	unsigned version = rd_u16(r);

	if (rd_end(r) < 0)
		return -1;
	if (version != PROTO_V1 && version != PROTO_V2)
		return sess_fatal(s, ST_BAD_REQUEST, "unsupported protocol version "
		    "(this server speaks versions 1 and 2)");
	s->version = version;
	s->state = S_READY;
	buf_init(&body, body_b, sizeof body_b);
	buf_u16(&body, version);
	put_str(&body, s->conn.peer_cn, strlen(s->conn.peer_cn));
	if (version == PROTO_V2)
		buf_u32(&body, server_flags(s));
	if (body.err)
		BUG("HELLO body does not fit");
	sess_reply(s, T_HELLO, ST_OK, "hello", &body);
	return 0;
}

/*
 * CHECK_SOURCE: v1 {source}, reply {id, snapshot}; v2 {source, flags},
 * reply {id, snapshot, previous, previous_files, previous_bytes}: the
 * newest snapshot's name and totals, for the client's percent and ETA.
 */
static int
do_check_source(struct session *s, struct rd *r)
{
	char text[MSG_MAX + 1];
	uint8_t body_b[ID_LEN + 2 * SNAP_MAX + 32];
	struct snapinfo *prev = &s->info;
	struct buf body;
	const char *src;
	size_t slen;
	unsigned st, flags = 0;

	src = rd_str(r, PATH_LEN_MAX, &slen);
	if (s->version == PROTO_V2)
		flags = rd_u8(r);
	if (rd_end(r) < 0 || slen == 0 || (flags & ~RQ_DRY_RUN) != 0)
		return -1;
	s->run.need_max = s->version == PROTO_V2 ? NEED_MAX : NEED_MAX_V1;
	st = ((flags & RQ_DRY_RUN) ? (*s->st)->begin_dry : (*s->st)->begin)(
	    s->st, s->conn.peer_cn, src, slen, &s->run, text, sizeof text);
	if (st != ST_OK) {
		if (st != ST_BUSY)
			msg("%s", text);
		sess_reply(s, T_CHECK_SOURCE, st, text, NULL);
		tls_flush(&s->conn);
		s->rc = EXIT_REFUSED;
		return DONE;
	}
	s->state = (flags & RQ_DRY_RUN) ? S_DRYRUN : S_BACKUP;
	buf_init(&body, body_b, sizeof body_b);
	put_str(&body, s->run.id, ID_LEN);
	put_str(&body, s->run.snap, strlen(s->run.snap));
	if (s->version == PROTO_V2) {
		if ((*s->st)->info(s->st, s->conn.peer_cn, s->run.id, NULL,
		    prev) != ST_OK)
			memset(prev, 0, sizeof *prev);
		put_str(&body, prev->name, strlen(prev->name));
		buf_u64(&body, prev->files);
		buf_u64(&body, prev->bytes);
	}
	if (body.err)
		BUG("CHECK_SOURCE body does not fit");
	sess_reply(s, T_CHECK_SOURCE, ST_OK, text, &body);
	info("backup %s of %s %s snapshot %s (%s)", s->run.id, s->run.source,
	    s->state == S_DRYRUN ? "dry run: would begin" : "begins",
	    s->run.snap, tls_suite_name(&s->conn));
	return 0;
}

static int
do_offer(struct session *s, struct rd *r)
{
	static struct entry e;
	char text[MSG_MAX + 1];
	unsigned st;

	if (entry_get(r, &e) < 0 || rd_end(r) < 0)
		return -1;
	st = (*s->st)->offer(s->st, &e, text, sizeof text);
	if (st == ST_BAD_REQUEST || st == ST_IO || st == ST_QUOTA)
		return sess_fatal(s, st, text);
	sess_reply(s, T_OFFER, st, text, NULL);
	return 0;
}

/*
 * OFFER_BATCH (v2): count entries, each offered in turn, and one status
 * each in the reply; a status that ends the session for one ends it for
 * the batch.
 */
static int
do_offer_batch(struct session *s, struct rd *r)
{
	static struct entry e;
	static uint8_t status[OFFER_BATCH_MAX];
	uint8_t body_b[2 + OFFER_BATCH_MAX];
	char text[MSG_MAX + 1];
	struct buf body;
	unsigned count = rd_u16(r), i, st;

	if (r->err || count == 0 || count > OFFER_BATCH_MAX)
		return -1;
	for (i = 0; i < count; i++) {
		if (entry2_get(r, &e, E2_OFFER) < 0)
			return -1;
		st = (*s->st)->offer(s->st, &e, text, sizeof text);
		if (st != ST_OK && st != ST_NEED && st != ST_NOT_FOUND)
			return sess_fatal(s, st, text);
		status[i] = (uint8_t)st;
	}
	if (rd_end(r) < 0)
		return -1;
	s->batches++;
	s->offered += count;
	buf_init(&body, body_b, sizeof body_b);
	buf_u16(&body, count);
	buf_put(&body, status, count);
	sess_reply(s, T_OFFER_BATCH, ST_OK, "", &body);
	return 0;
}

/* FILE_TRANSFER: v1 the entry, v2 its path (PROTOCOL.md). */
static int
do_file_transfer(struct session *s, struct rd *r)
{
	static struct entry e;
	char text[MSG_MAX + 1];
	unsigned st;

	if (s->version == PROTO_V1) {
		if (entry_get(r, &e) < 0)
			return -1;
	} else {
		entry_clear(&e, 0);
		if (get_str(r, e.path, sizeof e.path) < 0)
			return -1;
		e.plen = strlen(e.path);
		if (path_check(e.path, e.plen) < 0)
			return -1;
	}
	if (rd_end(r) < 0)
		return -1;
	st = (*s->st)->put_begin(s->st, &e, text, sizeof text);
	return st == ST_OK ? 0 : sess_fatal(s, st, text);
}

static int
do_data(struct session *s, struct rd *r)
{
	char text[MSG_MAX + 1];
	unsigned st;

	st = (*s->st)->put_data(s->st, r->p, r->len, text, sizeof text);
	return st == ST_OK ? 0 : sess_fatal(s, st, text);
}

/* HOLE (v2): that many zero bytes, not sent, stored as a hole. */
static int
do_hole(struct session *s, struct rd *r)
{
	char text[MSG_MAX + 1];
	uint64_t n = rd_u64(r);
	unsigned st;

	if (rd_end(r) < 0 || n == 0)
		return -1;
	st = (*s->st)->put_hole(s->st, n, text, sizeof text);
	return st == ST_OK ? 0 : sess_fatal(s, st, text);
}

/* TRANSFER_COMPLETE: v1 empty, v2 the trailer {size, md5, flags}. */
static int
do_transfer_complete(struct session *s, struct rd *r)
{
	char text[MSG_MAX + 1];
	struct put_trailer t, *tp = NULL;
	const uint8_t *md;
	unsigned st, flags;

	if (s->version == PROTO_V2) {
		t.size = rd_u64(r);
		md = rd_bytes(r, MD5_LEN);
		flags = rd_u8(r);
		if (md == NULL || flags > 1)	/* bit 0 CHANGED, no other */
			return -1;
		t.flags = flags ? EF_CHANGED : 0;
		memcpy(t.md5, md, MD5_LEN);
		tp = &t;
	}
	if (rd_end(r) < 0)
		return -1;
	st = (*s->st)->put_end(s->st, tp, text, sizeof text);
	if (st == ST_BAD_REQUEST || st == ST_IO || st == ST_QUOTA)
		return sess_fatal(s, st, text);
	sess_reply(s, T_TRANSFER_COMPLETE, st, text, NULL);
	return 0;
}

static int
do_keepalive(struct session *s, struct rd *r)
{
	return r->len == 0 ? 0 : -1;
}

/* The figures of a committed run (and v2's failed and prune). */
static void
complete_reply(struct session *s, unsigned st, const char *text, int prune)
{
	uint8_t body_b[SNAP_MAX + 40];
	struct store_run *run = &s->run;
	struct buf body;

	buf_init(&body, body_b, sizeof body_b);
	put_str(&body, run->snap, strlen(run->snap));
	buf_u64(&body, run->files);
	buf_u64(&body, run->bytes);
	buf_u64(&body, run->received);
	if (s->version == PROTO_V2) {
		buf_u32(&body, (uint32_t)run->failed);
		buf_u8(&body, (unsigned)prune);
	}
	if (body.err)
		BUG("BACKUP_COMPLETE body does not fit");
	sess_reply(s, T_BACKUP_COMPLETE, st, text, &body);
	tls_flush(&s->conn);
	if (s->version == PROTO_V2)
		info("backup %s: %llu entries offered in %llu OFFER_BATCHes",
		    run->id, (unsigned long long)s->offered,
		    (unsigned long long)s->batches);
	if (s->state == S_DRYRUN)
		info("backup %s dry run: %llu files, %llu would be sent",
		    run->id, (unsigned long long)run->files,
		    (unsigned long long)run->received);
	else if (st == ST_OK || st == ST_DENIED)
		info("backup %s snapshot %s: %llu files, %llu received, %llu "
		    "unchanged, %llu found by content, %llu from an interrupted "
		    "run, %llu kept from before, %llu left out", run->id,
		    run->snap, (unsigned long long)run->files,
		    (unsigned long long)run->received,
		    (unsigned long long)run->linked,
		    (unsigned long long)run->deduped,
		    (unsigned long long)run->reused,
		    (unsigned long long)run->kept,
		    (unsigned long long)run->failed);
	else
		msg("%s", text);
}

/* The session is over once the run is. */
static int
complete_end(struct session *s, unsigned st)
{
	s->rc = st == ST_OK || st == ST_DENIED ? 0 : EXIT_REFUSED;
	release(s);
	tls_close(&s->conn);
	return DONE;
}

static const char append_only_keep[] = "this client is append-only: it may "
    "not prune its backups (the administrator does, with cairnd --prune)";

/* BACKUP_COMPLETE v1: {keep}, pruning before the reply. */
static int
backup_complete_v1(struct session *s, struct rd *r)
{
	char text[MSG_MAX + 1];
	uint32_t keep = r->len == 4 ? rd_u32(r) : 0;
	int refuse_keep = keep > 0 && sess_append_only(s);
	unsigned st;

	if (rd_end(r) < 0)
		return -1;
	st = (*s->st)->commit(s->st, refuse_keep ? 0 : keep, &s->run, text,
	    sizeof text);
	if (st == ST_OK && refuse_keep) {
		/* Committed; only the pruning is refused (PROTOCOL.md). */
		st = ST_DENIED;
		snprintf(text, sizeof text, "%s", append_only_keep);
	}
	complete_reply(s, st, text, 0);
	return complete_end(s, st);
}

/* One snapshot removed by the retention, as a v2 I_SNAPSHOT item. */
void
sess_pruned(void *arg, const struct snapinfo *si)
{
	static uint8_t b_store[ITEM_MAX];
	struct session *s = arg;
	struct buf b;

	buf_init(&b, b_store, sizeof b_store);
	put_str(&b, si->name, strlen(si->name));
	buf_u64(&b, si->files);
	buf_u64(&b, si->bytes);
	buf_u64(&b, (uint64_t)si->time);
	buf_u32(&b, (uint32_t)si->failed);
	sess_item(s, I_SNAPSHOT, &b);
}

/*
 * The store's tick while it commits or prunes for a v2 client: a KEEPALIVE
 * when we have been silent for a third of KEEPALIVE_MS, so that the client
 * keeps its normal timeout throughout (PROTOCOL.md, "Version 2").
 */
void
sess_alive(void *arg)
{
	struct session *s = arg;
	uint64_t now = port_ms();

	if (now - s->alive_ms < KEEPALIVE_MS / 3)
		return;
	s->alive_ms = now;
	if (frame_send(&s->conn, T_KEEPALIVE, NULL, 0) == 0)
		tls_flush(&s->conn);
}

/* I_END with st and, unless OK, text. */
void
sess_end_item(struct session *s, unsigned st, const char *text)
{
	uint8_t end_b[MSG_MAX + 4];
	size_t n = st == ST_OK ? 0 : strlen(text);
	struct buf b;

	buf_init(&b, end_b, sizeof end_b);
	buf_u8(&b, st);
	put_str(&b, text, n > MSG_MAX ? MSG_MAX : n);
	sess_item(s, I_END, &b);
	tls_flush(&s->conn);
}

/*
 * Whether the retention k follows the run (PROTOCOL.md, BACKUP_COMPLETE):
 * 0 none was asked, or an append-only client's (*st DENIED, text says
 * why); 1 it follows; 2 it is skipped after a run with errors or entries
 * left out (text says so).
 */
static int
prune_answer(struct session *s, const struct retention *k, uint32_t errors,
    int dry, unsigned *st, char *text, size_t cap)
{
	if (!retention_any(k))
		return 0;
	if (sess_append_only(s)) {
		*st = ST_DENIED;
		snprintf(text, cap, "%s", append_only_keep);
		return 0;
	}
	if (errors == 0 && s->run.failed == 0)
		return 1;
	snprintf(text, cap, "%s %s; retention %s: the run had %s and %s left "
	    "out, and the server never prunes after a run with errors",
	    dry ? "dry run of snapshot" : "committed snapshot", s->run.snap,
	    dry ? "would be skipped" : "skipped",
	    nwords(errors, "error", "errors"),
	    nwords(s->run.failed, "entry", "entries"));
	return 2;
}

/* The BACKUP_COMPLETE reply (text[MSG_MAX + 1]), then with prune 1 the
 * snapshots the retention removes (dry: would remove) as items, I_END. */
static int
complete_prune(struct session *s, const struct retention *k, int dry,
    unsigned st, char *text, int prune)
{
	complete_reply(s, st, text, prune);
	if (prune == 1) {
		st = (*s->st)->retain(s->st, k, dry, sess_pruned, s, text,
		    MSG_MAX + 1);
		sess_end_item(s, st, text);
		st = ST_OK;	/* committed: the pruning's status is told */
	}
	return complete_end(s, st);
}

/*
 * BACKUP_COMPLETE v2: {errors, retention, utc_offset}. The reply as soon
 * as the snapshot is committed; then, when pruning follows (prune 1),
 * an I_SNAPSHOT per snapshot removed and I_END. No pruning after a run
 * with errors or entries left out (prune 2).
 */
static int
backup_complete_v2(struct session *s, struct rd *r)
{
	char text[MSG_MAX + 1];
	uint32_t errors = rd_u32(r);
	struct retention k;
	unsigned st;
	int prune;

	if (retention_get(r, &k) < 0 || rd_end(r) < 0)
		return -1;
	s->alive_ms = port_ms();
	(*s->st)->set_tick(s->st, sess_alive, s);
	st = (*s->st)->commit(s->st, 0, &s->run, text, sizeof text);
	prune = st == ST_OK ? prune_answer(s, &k, errors, 0, &st, text,
	    sizeof text) : 0;
	return complete_prune(s, &k, 0, st, text, prune);
}

/*
 * BACKUP_COMPLETE in a dry run: nothing committed; the figures of the
 * offers (received: the files that would have been sent), the same
 * refusals and prune answer as a real run's, and with prune 1 the
 * snapshots the retention would remove, the run's own counted as the
 * newest (PROTOCOL.md, BACKUP_COMPLETE).
 */
static int
backup_complete_dry(struct session *s, struct rd *r)
{
	char text[MSG_MAX + 1];
	uint32_t errors = rd_u32(r);
	struct retention k;
	unsigned st = ST_OK;
	int prune;

	if (retention_get(r, &k) < 0 || rd_end(r) < 0)
		return -1;
	snprintf(text, sizeof text, "dry run: nothing committed");
	prune = prune_answer(s, &k, errors, 1, &st, text, sizeof text);
	return complete_prune(s, &k, 1, st, text, prune);
}

/* BACKUP_COMPLETE: commit, in the version's encoding. */
static int
do_backup_complete(struct session *s, struct rd *r)
{
	if (s->state == S_DRYRUN)
		return backup_complete_dry(s, r);
	return s->version == PROTO_V1 ? backup_complete_v1(s, r) :
	    backup_complete_v2(s, r);
}

/* One backup and its snapshots, oldest first, as items. */
static void
list_backup(struct session *s, const char *id)
{
	static uint8_t b_store[ITEM_MAX];
	char name[SNAP_MAX] = "";
	struct snapinfo *si = &s->info;
	struct buf b;

	(*s->st)->info(s->st, s->conn.peer_cn, id, NULL, si);
	buf_init(&b, b_store, sizeof b_store);
	put_str(&b, id, strlen(id));
	put_str(&b, si->source, strlen(si->source));
	sess_item(s, I_BACKUP, &b);
	while ((*s->st)->next_snapshot(s->st, s->conn.peer_cn, id, name,
	    name) == 1) {
		(*s->st)->info(s->st, s->conn.peer_cn, id, name, si);
		buf_init(&b, b_store, sizeof b_store);
		put_str(&b, name, strlen(name));
		buf_u64(&b, si->files);
		buf_u64(&b, si->bytes);
		buf_u64(&b, (uint64_t)si->time);
		if (s->version == PROTO_V2)
			buf_u32(&b, si->failed > 0xffffffffu ? 0xffffffffu :
			    (uint32_t)si->failed);
		sess_item(s, I_SNAPSHOT, &b);
	}
}

/* LIST [id]: the client's backups, or one of them. */
static int
do_list(struct session *s, struct rd *r)
{
	char id[TARGET_MAX], cur[ID_LEN + 1] = "", name[SNAP_MAX] = "";
	char text[MSG_MAX + 1];
	uint8_t body_b[8];
	struct buf body;
	uint32_t count = 0;

	if (get_str(r, id, sizeof id) < 0 || rd_end(r) < 0)
		return -1;
	if (id[0] != 0) {
		if ((*s->st)->next_snapshot(s->st, s->conn.peer_cn, id, "",
		    name) < 0) {
			snprintf(text, sizeof text, "backup %.40s: not found or "
			    "not yours", id);
			sess_reply(s, T_LIST, ST_NOT_FOUND, text, NULL);
			return 0;
		}
		list_backup(s, id);
		count = 1;
	} else {
		while ((*s->st)->next_backup(s->st, s->conn.peer_cn, cur,
		    cur) == 1) {
			list_backup(s, cur);
			count++;
		}
	}
	buf_init(&body, body_b, sizeof body_b);
	buf_u32(&body, count);
	sess_reply(s, T_LIST, ST_OK, "listed", &body);
	return 0;
}

/*
 * Entry e as a v1 session sees it, as v1 would have stored it (PROTOCOL.md,
 * "The v2 entry"): a hard link is a file (the tree holds it under both
 * names); FIFOs, devices and the root entry are not sent (0). Owners and
 * xattrs entry_put leaves out.
 */
static int
v1_view(struct entry *e)
{
	if (e->plen == 0 || e->type == E_FIFO || e->type == E_CHR ||
	    e->type == E_BLK)
		return 0;
	if (e->type == E_HARD) {
		e->type = E_FILE;
		e->target[0] = 0;
		e->tlen = 0;
	}
	return 1;
}

/* The includes of a v2 RESTORE, kept while its entries stream. */
static struct {
	unsigned n;
	size_t len[INCLUDES_MAX];
	const char *p[INCLUDES_MAX];
	char pool[FRAME_MAX];	/* they came in one frame */
} inc;

/* A v2 RESTORE's includes: u16 count (0..INCLUDES_MAX), then count
 * valid paths; the request ends there. 0 or -1. */
static int
includes_get(struct rd *r)
{
	size_t used = 0, n;
	const char *p;
	unsigned i;

	inc.n = rd_u16(r);
	if (r->err || inc.n > INCLUDES_MAX)
		return -1;
	for (i = 0; i < inc.n; i++) {
		p = rd_str(r, PATH_LEN_MAX, &n);
		if (p == NULL || path_check(p, n) < 0 ||
		    n + 1 > sizeof inc.pool - used)
			return -1;
		memcpy(inc.pool + used, p, n);
		inc.pool[used + n] = 0;
		inc.p[i] = inc.pool + used;
		inc.len[i] = n;
		used += n + 1;
	}
	return rd_end(r);
}

/*
 * 1 if e goes out with the includes: at or below one of them, or a
 * directory above one (so its mode comes back). Without includes every
 * entry goes; with them the root entry does not (the restore directory
 * itself is left as it is).
 */
static int
included(const struct entry *e)
{
	size_t n = e->plen, k;
	unsigned i;

	if (inc.n == 0)
		return 1;
	for (i = 0; i < inc.n && n > 0; i++) {
		k = inc.len[i];
		if (path_within(e->path, n, inc.p[i], k) || (n < k &&
		    e->type == E_DIR && path_within(inc.p[i], k, e->path, n)))
			return 1;
	}
	return 0;
}

/* The open snapshot's entries as items (those the includes take), then
 * I_END with its status. */
static void
send_entries(struct session *s, const char *id)
{
	static uint8_t b_store[FRAME_MAX - 1];
	static struct entry e;
	const char *why = "";
	struct buf b;
	int got;

	while ((got = (*s->st)->next_entry(s->st, &e)) == 1) {
		if (!included(&e))
			continue;
		buf_init(&b, b_store, sizeof b_store);
		if (s->version == PROTO_V2)
			sess_entry2(&b, &e);
		else if (v1_view(&e))
			entry_put(&b, &e);
		else
			continue;
		if (sess_item(s, I_ENTRY, &b) < 0)
			break;
	}
	if (got < 0) {
		why = "the snapshot's manifest is damaged";
		msg("backup %s snapshot %s: damaged manifest", id, s->info.name);
	}
	buf_init(&b, b_store, sizeof b_store);
	buf_u8(&b, got <= 0 && why[0] == 0 ? ST_OK : ST_IO);
	put_str(&b, why, strlen(why));
	sess_item(s, I_END, &b);
}

/*
 * RESTORE id [snapshot] (v2: and its includes): the snapshot's totals,
 * then the entries of its manifest as items, then I_END; FETCH requests
 * may follow.
 */
static int
do_restore(struct session *s, struct rd *r)
{
	static uint8_t b_store[ITEM_MAX];
	char id[TARGET_MAX], snap[SNAP_MAX + 8], text[MSG_MAX + 1];
	struct snapinfo *si = &s->info;
	struct buf b;
	unsigned st;

	inc.n = 0;
	if (s->version == PROTO_V2 ? get_str(r, id, sizeof id) < 0 ||
	    get_str(r, snap, sizeof snap) < 0 || includes_get(r) < 0 :
	    sess_target(r, id, sizeof id, snap, sizeof snap) < 0)
		return -1;
	st = (*s->st)->open_snapshot(s->st, s->conn.peer_cn, id, snap, si,
	    text, sizeof text);
	if (st != ST_OK) {
		sess_reply(s, T_RESTORE, st, text, NULL);
		return 0;
	}
	buf_init(&b, b_store, sizeof b_store);
	put_str(&b, si->name, strlen(si->name));
	put_str(&b, si->source, strlen(si->source));
	buf_u64(&b, si->files);
	buf_u64(&b, si->bytes);
	if (sess_reply(s, T_RESTORE, ST_OK, text, &b) < 0)
		return 0;
	info("restoring backup %s snapshot %s%s", id, si->name,
	    inc.n ? " (a part of it)" : "");
	send_entries(s, id);
	s->state = S_RESTORE;
	return 0;
}

/* A hole of n bytes of a FETCHed file: a HOLE frame in v2, zeros in v1
 * (PROTOCOL.md, "Browsing, restoring and removing in v2"). */
static int
send_hole(struct session *s, uint8_t *data, size_t cap, uint64_t n)
{
	uint8_t len_b[8];
	struct buf b;
	size_t k;

	if (s->version == PROTO_V2) {
		buf_init(&b, len_b, sizeof len_b);
		buf_u64(&b, n);
		return frame_send(&s->conn, T_HOLE, b.p, b.len);
	}
	memset(data, 0, cap);
	for (; n > 0; n -= k) {
		k = n < cap ? (size_t)n : cap;
		if (frame_send(&s->conn, T_DATA_TRANSFER, data, k) < 0)
			return -1;
	}
	return 0;
}

/* FETCH path: the file's size, then exactly that many bytes of data and
 * (v2) holes. */
static int
do_fetch(struct session *s, struct rd *r)
{
	static char path[PATH_CAP];
	static uint8_t data[DATA_CHUNK];
	uint8_t body_b[8];
	struct buf body;
	uint64_t size, left, hole, n;
	long got;
	int sent;

	if (get_str(r, path, sizeof path) < 0 || rd_end(r) < 0 ||
	    path_check(path, strlen(path)) < 0)
		return -1;
	if ((*s->st)->open_file(s->st, path, &size) < 0) {
		sess_reply(s, T_FETCH, ST_NOT_FOUND, "not in the snapshot", NULL);
		return 0;
	}
	buf_init(&body, body_b, sizeof body_b);
	buf_u64(&body, size);
	if (sess_reply(s, T_FETCH, ST_OK, "", &body) < 0)
		goto out;
	for (left = size; left > 0; left -= n) {
		size_t want = left < sizeof data ? (size_t)left : sizeof data;
		got = (*s->st)->read_file(s->st, data, want, &hole);
		if (got == 0 && hole > 0 && hole <= left) {
			sent = send_hole(s, data, sizeof data, hole);
			n = hole;
		} else {
			if (got <= 0) {
				/* Cannot happen to a stored file; the
				 * client's MD5 check catches it if it does. */
				memset(data, 0, want);
				got = (long)want;
			}
			n = (uint64_t)got;
			sent = frame_send(&s->conn, T_DATA_TRANSFER, data,
			    (size_t)got);
		}
		if (sent < 0)
			break;
	}
out:
	(*s->st)->close_file(s->st);
	return 0;
}

/* REMOVE's request: v1 {id, snapshot}; v2 adds {u8 flags}, DRY_RUN the
 * only bit. 0 or -1. */
static int
remove_request(struct session *s, struct rd *r, char *id, size_t idcap,
    char *snap, size_t scap, int *dry)
{
	unsigned flags = 0;

	if (get_str(r, id, idcap) < 0 || get_str(r, snap, scap) < 0)
		return -1;
	if (s->version == PROTO_V2)
		flags = rd_u8(r);
	*dry = (flags & RQ_DRY_RUN) != 0;
	return r->err || (flags & ~(unsigned)RQ_DRY_RUN) != 0 ||
	    rd_end(r) < 0 ? -1 : 0;
}

/* REMOVE id [snapshot]: one snapshot, or the whole backup; v2's dry run
 * answers the same and removes nothing. */
static int
do_remove(struct session *s, struct rd *r)
{
	uint8_t body_b[SNAP_MAX + 32];
	char id[TARGET_MAX], snap[SNAP_MAX + 8], text[MSG_MAX + 1];
	uint64_t files, bytes;
	struct buf body;
	unsigned st;
	int dry;

	if (remove_request(s, r, id, sizeof id, snap, sizeof snap, &dry) < 0)
		return -1;
	if (sess_append_only(s)) {
		sess_reply(s, T_REMOVE, ST_DENIED, "this client is append-only: it "
		    "may not remove its backups (the administrator does, with "
		    "cairnd --prune)", NULL);
		return 0;
	}
	st = (*s->st)->remove(s->st, s->conn.peer_cn, id, snap, dry, &files,
	    &bytes, text, sizeof text);
	if (st != ST_OK) {
		sess_reply(s, T_REMOVE, st, text, NULL);
		return 0;
	}
	if (!dry && snap[0])
		info("removed snapshot %s of backup %s", snap, id);
	else if (!dry)
		info("removed backup %s", id);
	buf_init(&body, body_b, sizeof body_b);
	put_str(&body, snap, strlen(snap));
	buf_u64(&body, files);
	buf_u64(&body, bytes);
	sess_reply(s, T_REMOVE, ST_OK, text, &body);
	return 0;
}

/* ---- dispatch ------------------------------------------------------------ */

/* A row of PROTOCOL.md's dispatch table: the states in which each
 * version allows the frame (0: not in that version). */
struct handler {
	unsigned type;
	unsigned v1, v2;	/* where it is allowed, per version */
	int (*fn)(struct session *s, struct rd *r);
	const char *bad;	/* the reason given when it is not */
};

static const struct handler handlers[] = {
	{ T_HELLO, S_NEW, S_NEW, do_hello, "bad HELLO" },
	{ T_CHECK_SOURCE, S_READY, S_READY, do_check_source,
	    "bad CHECK_SOURCE" },
	{ T_OFFER, S_BACKUP, 0, do_offer, "bad OFFER" },
	{ T_FILE_TRANSFER, S_BACKUP, S_BACKUP, do_file_transfer,
	    "bad FILE_TRANSFER" },
	{ T_DATA_TRANSFER, S_BACKUP, S_BACKUP, do_data, "stray data" },
	{ T_TRANSFER_COMPLETE, S_BACKUP, S_BACKUP, do_transfer_complete,
	    "bad TRANSFER_COMPLETE" },
	{ T_BACKUP_COMPLETE, S_BACKUP, S_BACKUP | S_DRYRUN, do_backup_complete,
	    "bad BACKUP_COMPLETE" },
	{ T_KEEPALIVE, S_ANY, S_ANY, do_keepalive, "bad KEEPALIVE" },
	{ T_LIST, S_READY | S_RESTORE, S_READY | S_RESTORE, do_list,
	    "bad LIST" },
	{ T_RESTORE, S_READY, S_READY, do_restore, "bad RESTORE" },
	{ T_FETCH, S_RESTORE, S_RESTORE, do_fetch, "bad FETCH" },
	{ T_REMOVE, S_READY | S_RESTORE, S_READY, do_remove, "bad REMOVE" },
	{ T_OFFER_BATCH, 0, S_BACKUP | S_DRYRUN, do_offer_batch,
	    "bad OFFER_BATCH" },
	{ T_HOLE, 0, S_BACKUP, do_hole, "bad HOLE" },
	{ T_LS, 0, S_READY | S_RESTORE, do_ls, "bad LS" },
	{ T_FIND, 0, S_READY | S_RESTORE, do_find, "bad FIND" },
	{ T_DIFF, 0, S_READY | S_RESTORE, do_diff, "bad DIFF" },
	{ T_PRUNE, 0, S_READY, do_prune, "bad PRUNE" },
};

static const struct handler *
handler_of(unsigned type)
{
	size_t i;

	for (i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
		if (handlers[i].type == type)
			return &handlers[i];
	return NULL;
}

/* The connection ended between frames: cleanly, or lost. */
static int
ended(struct session *s)
{
	char why[TLS_WHY_MAX];
	int busy = s->state == S_BACKUP || s->state == S_DRYRUN;

	release(s);
	if (!busy && s->conn.io_err == 0 && tls_error(&s->conn) == 0)
		return 0;	/* a client that is done closes cleanly */
	if (!(s->conn.eof && !busy))
		msg("connection lost: %s", tls_why(&s->conn, why, sizeof why));
	return EXIT_NET;
}

/* One frame of type, n bytes in `in`: checked against the table, then
 * handled. 0 to go on, or DONE. */
static int
dispatch(struct session *s, unsigned type, size_t n)
{
	const struct handler *h;
	struct rd r;
	int got;

	rd_init(&r, in, n);
	if (s->state == S_NEW && type != T_HELLO)
		return sess_fatal(s, ST_BAD_REQUEST, "HELLO must come first");
	if ((h = handler_of(type)) == NULL ||
	    (s->state != S_NEW && (s->version == PROTO_V2 ? h->v2 : h->v1) == 0))
		return sess_fatal(s, ST_BAD_REQUEST, "unknown frame type");
	if (!((s->version == PROTO_V2 ? h->v2 : h->v1) & s->state) ||
	    (got = h->fn(s, &r)) < 0)
		return sess_fatal(s, ST_BAD_REQUEST, h->bad);
	return got;
}

/* Answer frames until the session is over; its exit status. */
static int
serve_frames(struct session *s)
{
	unsigned type;
	size_t n;
	int got;

	do {
		got = frame_recv(&s->conn, &type, in, &n);
		if (got == -2)
			got = sess_fatal(s, ST_BAD_REQUEST, "malformed frame header");
		else if (got < 0)
			return ended(s);
		else
			got = dispatch(s, type, n);
	} while (got != DONE);
	return s->rc;
}

static void
session_init(struct session *s, const char *peer, const struct server_opts *o)
{
	s->o = o;
	s->st = o->store;
	s->state = S_NEW;
	s->version = PROTO_V1;	/* until HELLO says */
	s->rc = 0;
	snprintf(s->who, sizeof s->who, "%s", peer);
	log_who = s->who;	/* every message names the peer once */
}

int
session_refuse(int fd, const char *peer, struct tls_conf *conf,
    const struct server_opts *o, const char *why)
{
	struct session *s = &ss;
	int hs_ms = o->handshake_ms < 5000 ? o->handshake_ms : 5000;

	session_init(s, peer, o);
	if (tls_server(&s->conn, conf, fd, hs_ms) < 0)
		return EXIT_NET;
	sess_fatal(s, ST_BUSY, why);
	return s->rc;
}

int
session_run(int fd, const char *peer, struct tls_conf *conf,
    const struct server_opts *o)
{
	struct session *s = &ss;
	char why[TLS_WHY_MAX], who[WHO_MAX];
	int busy;

	session_init(s, peer, o);
	switch (tls_server(&s->conn, conf, fd, o->handshake_ms)) {
	case 0:
		break;
	case 1:
		sess_fatal(s, ST_DENIED, tls_chain_why(&s->conn));
		return s->rc;
	default:
		msg("TLS handshake failed: %s", tls_why(&s->conn, why,
		    sizeof why));
		return EXIT_NET;
	}
	snprintf(who, sizeof who, "%.64s (%.70s)", s->conn.peer_cn, peer);
	memcpy(s->who, who, sizeof who);
	if (!client_name_ok(s->conn.peer_cn)) {
		sess_fatal(s, ST_DENIED, "the certificate's common name is not a "
		    "usable client name (letters, digits, '.', '_', '-')");
		return s->rc;
	}
	if (!(*s->st)->client_ok(s->st, s->conn.peer_cn)) {
		sess_fatal(s, ST_DENIED, "the certificate's common name is reserved "
		    "by the server's store (names ending in .json): issue the "
		    "client another name");
		return s->rc;
	}
	busy = serve_authenticated();	/* the loop's limits say */
	if (busy != 0) {
		sess_fatal(s, ST_BUSY, o->busy(busy));
		return s->rc;
	}
	s->conn.timeout_ms = o->idle_ms;
	return serve_frames(s);
}
