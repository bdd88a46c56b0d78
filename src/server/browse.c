/*
 * browse.c — LS, FIND and DIFF (PROTOCOL.md, "Browsing, restoring and
 * removing in v2"): a client looks into its snapshots, streamed from the
 * store's cursors in fixed memory, beside a snapshot it may be restoring.
 * The root entry (path empty) is never listed by them.
 */
#include <stdio.h>
#include <string.h>

#include "glob.h"
#include "path.h"
#include "sessint.h"

static uint8_t item_b[FRAME_MAX - 1];	/* one item being built */
static struct entry ea, eb;		/* the cursors' current entries */
static struct snapinfo si_a, si_b;

static const char damaged[] = "the snapshot's manifest is damaged";

int
sess_entry2(struct buf *b, struct entry *e)
{
	if (!e->owned)
		e->uid = e->gid = NO_OWNER;	/* a v1 manifest's record */
	return entry2_put(b, e);
}

/* I_END with status st and text. */
static void
send_end(struct session *s, unsigned st, const char *text)
{
	struct buf b;
	size_t n = strlen(text);

	buf_init(&b, item_b, sizeof item_b);
	buf_u8(&b, st);
	put_str(&b, text, n > MSG_MAX ? MSG_MAX : n);
	sess_item(s, I_END, &b);
}

/* An item of kind: change and what (I_DIFF only), then entry e. */
static int
send_entry(struct session *s, unsigned kind, unsigned change, unsigned what,
    struct entry *e)
{
	struct buf b;

	buf_init(&b, item_b, sizeof item_b);
	if (kind == I_DIFF) {
		buf_u8(&b, change);
		buf_u16(&b, what);
	}
	sess_entry2(&b, e);
	return sess_item(s, kind, &b);
}

/* A reply whose body is the strings a and b (b NULL: a alone). */
static int
reply_names(struct session *s, unsigned type, const char *a, const char *b)
{
	uint8_t body_b[2 * SNAP_MAX + 4];
	struct buf body;

	buf_init(&body, body_b, sizeof body_b);
	put_str(&body, a, strlen(a));
	if (b != NULL)
		put_str(&body, b, strlen(b));
	return sess_reply(s, type, ST_OK, "listing", &body);
}

/* ---- LS ------------------------------------------------------------------ */

/* Where entry path p[n] stands to LS's path q[qn]: 1 to send, 0 to skip,
 * -1 past every entry at q (stop). Sets *seen when p is q. */
static int
ls_at(const char *q, size_t qn, int recursive, const struct entry *e,
    int *seen)
{
	const char *rest;
	int below;

	if (e->plen == 0)
		return 0;	/* the root entry */
	if (qn == 0) {
		rest = e->path;
	} else if (e->plen == qn && memcmp(e->path, q, qn) == 0) {
		*seen = 1;
		return e->type != E_DIR;	/* a file: itself */
	} else {
		below = e->plen > qn && e->path[qn] == '/' &&
		    memcmp(e->path, q, qn) == 0;
		if (!below)
			return path_cmp(e->path, e->plen, q, qn) > 0 ? -1 : 0;
		rest = e->path + qn + 1;
	}
	return recursive || strchr(rest, '/') == NULL;
}

/* The entries at path q[qn] of cursor 0, then I_END. */
static void
ls_stream(struct session *s, const char *q, size_t qn, int recursive)
{
	int got, at, seen = qn == 0;

	while ((got = (*s->st)->cursor_next(s->st, 0, &ea)) == 1) {
		at = ls_at(q, qn, recursive, &ea, &seen);
		if (at < 0)
			break;
		if (at == 1 && send_entry(s, I_ENTRY, 0, 0, &ea) < 0)
			return;
		sess_alive(s);
	}
	if (got < 0)
		send_end(s, ST_IO, damaged);
	else if (!seen)
		send_end(s, ST_NOT_FOUND, "no such path in the snapshot");
	else
		send_end(s, ST_OK, "");
}

/* LS id snapshot path flags: the snapshot's name, then its entries at
 * path (PROTOCOL.md). */
int
do_ls(struct session *s, struct rd *r)
{
	static char path[PATH_CAP];
	char id[TARGET_MAX], snap[TARGET_MAX], text[MSG_MAX + 1];
	unsigned flags, st;
	size_t n;

	if (get_str(r, id, sizeof id) < 0 || get_str(r, snap, sizeof snap) < 0
	    || get_str(r, path, sizeof path) < 0)
		return -1;
	flags = rd_u8(r);
	if (rd_end(r) < 0)
		return -1;
	n = strlen(path);
	if ((n > 0 && path_check(path, n) < 0) || (flags & ~LS_RECURSIVE))
		return sess_fatal(s, ST_BAD_REQUEST, "LS: not a valid path, "
		    "or unknown flags");
	st = (*s->st)->cursor_open(s->st, 0, s->conn.peer_cn, id, snap, &si_a,
	    text, sizeof text);
	if (st != ST_OK) {
		sess_reply(s, T_LS, st, text, NULL);
		return 0;
	}
	if (reply_names(s, T_LS, si_a.name, NULL) == 0)
		ls_stream(s, path, n, flags & LS_RECURSIVE);
	(*s->st)->cursor_close(s->st, 0);
	return 0;
}

/* ---- FIND ---------------------------------------------------------------- */

struct finding {
	const char *pat;
	size_t plen;
	const char *id;
	int told_backup;	/* its I_BACKUP went */
	int failed;		/* a manifest could not be read */
};

/* I_BACKUP of f's backup, once, before its first match. */
static int
find_backup_item(struct session *s, struct finding *f)
{
	struct buf b;

	if (f->told_backup)
		return 0;
	f->told_backup = 1;
	(*s->st)->info(s->st, s->conn.peer_cn, f->id, NULL, &si_b);
	buf_init(&b, item_b, sizeof item_b);
	put_str(&b, f->id, strlen(f->id));
	put_str(&b, si_b.source, strlen(si_b.source));
	return sess_item(s, I_BACKUP, &b);
}

/* I_SNAPSHOT of si, as LIST sends it in v2. */
static int
find_snapshot_item(struct session *s, const struct snapinfo *si)
{
	struct buf b;

	buf_init(&b, item_b, sizeof item_b);
	put_str(&b, si->name, strlen(si->name));
	buf_u64(&b, si->files);
	buf_u64(&b, si->bytes);
	buf_u64(&b, (uint64_t)si->time);
	buf_u32(&b, si->failed > 0xffffffffu ? 0xffffffffu :
	    (uint32_t)si->failed);
	return sess_item(s, I_SNAPSHOT, &b);
}

/* The matches of snapshot name of f's backup as items. 0 or -1 (the
 * connection failed). */
static int
find_snapshot(struct session *s, struct finding *f, const char *name)
{
	char text[MSG_MAX + 1];
	int got, told = 0;

	if ((*s->st)->cursor_open(s->st, 0, s->conn.peer_cn, f->id, name,
	    &si_a, text, sizeof text) != ST_OK)
		return 0;	/* removed meanwhile */
	while ((got = (*s->st)->cursor_next(s->st, 0, &ea)) == 1) {
		sess_alive(s);
		if (ea.plen == 0 || !glob_match(f->pat, f->plen, ea.path,
		    ea.plen, ea.type == E_DIR))
			continue;
		if (find_backup_item(s, f) < 0 || (!told++ &&
		    find_snapshot_item(s, &si_a) < 0) ||
		    send_entry(s, I_ENTRY, 0, 0, &ea) < 0)
			return -1;
	}
	if (got < 0) {
		f->failed = 1;
		msg("backup %s snapshot %s: damaged manifest", f->id, name);
	}
	(*s->st)->cursor_close(s->st, 0);
	return 0;
}

/* Every snapshot of backup id, oldest first. 0 or -1. */
static int
find_in_backup(struct session *s, struct finding *f, const char *id)
{
	char name[SNAP_MAX] = "";

	f->id = id;
	f->told_backup = 0;
	while ((*s->st)->next_snapshot(s->st, s->conn.peer_cn, id, name,
	    name) == 1)
		if (find_snapshot(s, f, name) < 0)
			return -1;
	return 0;
}

/* The backups FIND searches: id alone, or all the client's. */
static uint32_t
find_count(struct session *s, const char *id)
{
	char cur[ID_LEN + 1] = "", name[SNAP_MAX];
	uint32_t n = 0;

	if (id[0] != 0)
		return (*s->st)->next_snapshot(s->st, s->conn.peer_cn, id, "",
		    name) < 0 ? 0 : 1;
	while ((*s->st)->next_backup(s->st, s->conn.peer_cn, cur, cur) == 1)
		n++;
	return n;
}

/* FIND pattern id: how many backups are searched, then the matches. */
int
do_find(struct session *s, struct rd *r)
{
	static char pat[GLOB_MAX + 1];
	char id[TARGET_MAX], cur[ID_LEN + 1] = "", text[MSG_MAX + 1];
	uint8_t body_b[4];
	struct buf body;
	struct finding f = { pat, 0, NULL, 0, 0 };
	uint32_t count;
	int ok = 0;

	if (get_str(r, pat, sizeof pat) < 0 || get_str(r, id, sizeof id) < 0
	    || rd_end(r) < 0)
		return -1;
	f.plen = strlen(pat);
	if (!glob_ok(pat, f.plen))
		return sess_fatal(s, ST_BAD_REQUEST, "FIND: bad pattern");
	count = find_count(s, id);
	if (id[0] != 0 && count == 0) {
		snprintf(text, sizeof text, "backup %.40s: not found or not "
		    "yours", id);
		sess_reply(s, T_FIND, ST_NOT_FOUND, text, NULL);
		return 0;
	}
	buf_init(&body, body_b, sizeof body_b);
	buf_u32(&body, count);
	if (sess_reply(s, T_FIND, ST_OK, "searching", &body) < 0)
		return 0;
	if (id[0] != 0)
		ok = find_in_backup(s, &f, id);
	else
		while (ok == 0 && (*s->st)->next_backup(s->st,
		    s->conn.peer_cn, cur, cur) == 1)
			ok = find_in_backup(s, &f, cur);
	if (ok == 0)
		send_end(s, f.failed ? ST_IO : ST_OK, f.failed ? "a "
		    "snapshot's manifest is damaged: its matches are not all "
		    "listed" : "");
	return 0;
}

/* ---- DIFF ---------------------------------------------------------------- */

/* What differs between entries a and b of the same path (DW_* bits). An
 * owner is compared only when both recorded one (a v1 record has none). */
static unsigned
diff_what(const struct entry *a, const struct entry *b)
{
	unsigned w = 0;

	w |= a->type != b->type ? DW_TYPE : 0;
	w |= a->size != b->size ? DW_SIZE : 0;
	w |= memcmp(a->md5, b->md5, MD5_LEN) != 0 ? DW_CONTENT : 0;
	w |= a->mode != b->mode ? DW_MODE : 0;
	w |= a->owned && b->owned && (a->uid != b->uid || a->gid != b->gid) ?
	    DW_OWNER : 0;
	w |= a->mtime != b->mtime || a->mtime_ns != b->mtime_ns ? DW_MTIME : 0;
	w |= a->xlen != b->xlen || (a->xlen > 0 && memcmp(a->xattr, b->xattr,
	    a->xlen) != 0) ? DW_XATTRS : 0;
	w |= a->tlen != b->tlen || memcmp(a->target, b->target, a->tlen) != 0 ?
	    DW_TARGET : 0;
	w |= a->major != b->major || a->minor != b->minor ? DW_DEVICE : 0;
	w |= a->flags != b->flags ? DW_FLAGS : 0;
	return w;
}

/* The next entry of cursor c but the root's. */
static int
diff_next(struct session *s, unsigned c, struct entry *e)
{
	int got;

	do
		got = (*s->st)->cursor_next(s->st, c, e);
	while (got == 1 && e->plen == 0);
	return got;
}

/* Cursors 0 (a) and 1 (b) merged in path order: an I_DIFF per
 * difference, then I_END. */
static void
diff_stream(struct session *s)
{
	int ga = diff_next(s, 0, &ea), gb = diff_next(s, 1, &eb), c, sent = 0;
	unsigned w;

	while (sent == 0 && (ga == 1 || gb == 1)) {
		sess_alive(s);
		c = ga != 1 ? 1 : gb != 1 ? -1 : path_cmp(ea.path, ea.plen,
		    eb.path, eb.plen);
		if (c < 0) {
			sent = send_entry(s, I_DIFF, D_REMOVED, 0, &ea);
		} else if (c > 0) {
			sent = send_entry(s, I_DIFF, D_ADDED, 0, &eb);
		} else if ((w = diff_what(&ea, &eb)) != 0) {
			sent = send_entry(s, I_DIFF, D_CHANGED, w, &eb);
		}
		if (c <= 0)
			ga = diff_next(s, 0, &ea);
		if (c >= 0)
			gb = diff_next(s, 1, &eb);
	}
	if (sent == 0)
		send_end(s, ga < 0 || gb < 0 ? ST_IO : ST_OK, ga < 0 ||
		    gb < 0 ? damaged : "");
}

/* DIFF id a b: the names compared, then what changed from a to b. */
int
do_diff(struct session *s, struct rd *r)
{
	char id[TARGET_MAX], a[TARGET_MAX], b[TARGET_MAX];
	char text[MSG_MAX + 1];
	unsigned st;

	if (get_str(r, id, sizeof id) < 0 || get_str(r, a, sizeof a) < 0 ||
	    get_str(r, b, sizeof b) < 0 || rd_end(r) < 0 || a[0] == 0)
		return -1;
	st = (*s->st)->cursor_open(s->st, 0, s->conn.peer_cn, id, a, &si_a,
	    text, sizeof text);
	if (st == ST_OK)
		st = (*s->st)->cursor_open(s->st, 1, s->conn.peer_cn, id, b,
		    &si_b, text, sizeof text);
	if (st != ST_OK) {
		(*s->st)->cursor_close(s->st, 0);
		sess_reply(s, T_DIFF, st, text, NULL);
		return 0;
	}
	if (reply_names(s, T_DIFF, si_a.name, si_b.name) == 0)
		diff_stream(s);
	(*s->st)->cursor_close(s->st, 0);
	(*s->st)->cursor_close(s->st, 1);
	return 0;
}
