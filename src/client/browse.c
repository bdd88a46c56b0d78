/*
 * browse.c — the client's --ls, --find and --diff (PROTOCOL.md,
 * "Browsing, restoring and removing in v2"): one request each, its items
 * checked as they arrive (kinds, path order, counts) and shown as lines
 * like `ls -l` and `restic diff`, or with --json as one object whose
 * array holds one element per line.
 */
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "conn.h"
#include "glob.h"
#include "json.h"
#include "path.h"
#include "port.h"
#include "record.h"
#include "report.h"

#define NO_OWNER 0xffffffffu	/* uid, gid: none recorded (v1 manifest) */
#define SHOWN_CAP (4 * PATH_CAP + 8)	/* a path with every byte escaped */

static struct cconn conn;
static struct entry ent;
static uint8_t line[LINE_MAX_BYTES];
static char shown_a[SHOWN_CAP], shown_b[SHOWN_CAP];

/* A command's listing: where it goes, and what the checks remember. */
struct browse {
	struct report rep;
	const struct copts *o;
	int json, started;	/* started: the JSON head is out */
	char id[TARGET_MAX], snap[TARGET_MAX], snap_b[TARGET_MAX];
	char last[PATH_CAP];	/* the previous entry of the snapshot */
	size_t last_len;
	int have_last;
	uint64_t count;		/* entries (changes) shown */
	unsigned end;		/* I_END's status */
	char end_text[MSG_MAX + 1];
	/* --ls: the path asked for */
	const char *path;
	size_t plen;
	int one;		/* it named a file: one entry only */
	/* --find */
	const char *pattern;
	uint32_t backups, told;	/* the reply's count, I_BACKUPs seen */
	char backup[TARGET_MAX], in_snap[TARGET_MAX];	/* "" before them */
	char source[PATH_CAP];
	/* --diff */
	uint64_t added, removed, changed;
};

static void malformed(const struct browse *b, const char *what)
    __attribute__((noreturn));

/* Exit 3: the server sent what PROTOCOL.md does not allow. */
static void
malformed(const struct browse *b, const char *what)
{
	die(EXIT_NET, "malformed %s from %s:%u", what, b->o->server,
	    b->o->port);
}

/* ---- entries: checks and their forms ------------------------------------- */

/* The entry of an item into ent, checked: valid, not the root, and after
 * the previous one of its snapshot in path order. */
static void
take_entry(struct browse *b, struct rd *r, const char *what)
{
	if (entry2_get(r, &ent, E2_ITEM) < 0 || rd_end(r) < 0 ||
	    ent.plen == 0)
		malformed(b, what);
	if (b->have_last && path_cmp(b->last, b->last_len, ent.path,
	    ent.plen) >= 0)
		die(EXIT_NET, "malformed %s from %s:%u: entries out of order "
		    "at %s", what, b->o->server, b->o->port, shown_path(&ent));
	memcpy(b->last, ent.path, ent.plen + 1);
	b->last_len = ent.plen;
	b->have_last = 1;
}

/* "drwxr-xr-x" of e, with setuid, setgid and sticky as ls shows them. */
static void
mode_string(const struct entry *e, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	unsigned i;

	out[0] = "?-dlpcbh"[e->type <= E_TYPE_MAX ? e->type : 0];
	for (i = 0; i < 9; i++)
		out[1 + i] = e->mode & (0400u >> i) ? rwx[i] : '-';
	if (e->mode & 04000)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (e->mode & 02000)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (e->mode & 01000)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = 0;
}

/* t as local time, "2026-12-02 01:13", into out[17]. */
static void
local_time(int64_t t, char out[17])
{
	char u[21];

	utc_name(t + port_utc_offset(t), u);	/* 2026-12-02T01-13-05Z */
	memcpy(out, u, 10);
	out[10] = ' ';
	memcpy(out + 11, u + 11, 2);
	out[13] = ':';
	memcpy(out + 14, u + 14, 2);
	out[16] = 0;
}

/* An owner as shown: its name, else its number, "-" when none. */
static const char *
owner_shown(const char *name, uint32_t id, char *out, size_t cap)
{
	if (name[0] != 0)
		return shown(name, strlen(name), out, cap);
	if (id == NO_OWNER)
		return "-";
	snprintf(out, cap, "%lu", (unsigned long)id);
	return out;
}

/* " -> target" of a symlink, " => first" of a hard link, else "". */
static const char *
target_shown(const struct entry *e)
{
	static char out[SHOWN_CAP + 4];

	if (e->type != E_LINK && e->type != E_HARD)
		return "";
	memcpy(out, e->type == E_LINK ? " -> " : " => ", 4);
	shown(e->target, e->tlen, out + 4, sizeof out - 4);
	return out;
}

/* One `ls -l` line: mode, owner, group, size (a device's numbers), mtime,
 * path and target. */
static void
long_line(const struct browse *b, const char *indent, const struct entry *e)
{
	char mode[11], user[4 * OWNER_NAME_MAX + 8], group[sizeof user];
	char size[32], when[17];

	mode_string(e, mode);
	if (e->type == E_CHR || e->type == E_BLK)
		snprintf(size, sizeof size, "%lu, %lu",
		    (unsigned long)e->major, (unsigned long)e->minor);
	else
		snprintf(size, sizeof size, "%llu", (unsigned long long)e->size);
	local_time(e->mtime, when);
	report_printf(&b->rep, "%s%s %-8s %-8s %10s %s %s%s\n", indent, mode,
	    owner_shown(e->user, e->uid, user, sizeof user),
	    owner_shown(e->group, e->gid, group, sizeof group), size, when,
	    shown(e->path, e->plen, shown_a, sizeof shown_a), target_shown(e));
}

static const char *const type_names[] = { "?", "file", "dir", "symlink",
    "fifo", "chr", "blk", "hardlink" };

/* e's fields as JSON members, after others (first 0) or first. */
static void
item_json(struct buf *j, const struct entry *e, int first)
{
	char mode[8];

	json_put_key(j, "path", first);
	json_put_str(j, e->path, e->plen);
	json_put_key(j, "type", 0);
	json_put_str(j, type_names[e->type], strlen(type_names[e->type]));
	snprintf(mode, sizeof mode, "%04o", (unsigned)e->mode);
	json_put_key(j, "mode", 0);
	json_put_str(j, mode, strlen(mode));
	if (e->uid != NO_OWNER) {
		json_put_key(j, "uid", 0);
		buf_dec(j, e->uid);
		json_put_key(j, "gid", 0);
		buf_dec(j, e->gid);
	}
	json_put_key(j, "user", 0);
	json_put_str(j, e->user, strlen(e->user));
	json_put_key(j, "group", 0);
	json_put_str(j, e->group, strlen(e->group));
	json_put_key(j, "size", 0);
	buf_dec(j, e->size);
	json_put_key(j, "mtime", 0);
	buf_sdec(j, e->mtime);
	if (ENTRY_HAS_DATA(e)) {
		json_put_key(j, "md5", 0);
		buf_putc(j, '"');
		buf_hex(j, e->md5, MD5_LEN);
		buf_putc(j, '"');
	}
	if (e->tlen > 0) {
		json_put_key(j, "target", 0);
		json_put_str(j, e->target, e->tlen);
	}
	if (e->type == E_CHR || e->type == E_BLK) {
		json_put_key(j, "major", 0);
		buf_dec(j, e->major);
		json_put_key(j, "minor", 0);
		buf_dec(j, e->minor);
	}
}

/* Into j: the JSON head once (the request's names, then the array
 * named key), then the separator before the next element. */
static void
json_element(struct browse *b, struct buf *j, const char *key)
{
	buf_init(j, line, sizeof line);
	if (b->started) {
		buf_puts(j, ",\n");
		return;
	}
	b->started = 1;
	buf_putc(j, '{');
	if (b->pattern != NULL) {
		json_put_key(j, "pattern", 1);
		json_put_str(j, b->pattern, strlen(b->pattern));
	} else {
		json_put_key(j, "id", 1);
		json_put_str(j, b->id, strlen(b->id));
	}
	if (b->snap[0] != 0) {
		json_put_key(j, b->snap_b[0] ? "a" : "snapshot", 0);
		json_put_str(j, b->snap, strlen(b->snap));
	}
	if (b->snap_b[0] != 0) {
		json_put_key(j, "b", 0);
		json_put_str(j, b->snap_b, strlen(b->snap_b));
	}
	buf_puts(j, ",\"");
	buf_puts(j, key);
	buf_puts(j, "\":[\n");
}

/* The JSON's end (its head first if no element came). */
static void
json_finish(struct browse *b, const char *key)
{
	struct buf j;

	if (!b->json)
		return;
	if (!b->started) {
		json_element(b, &j, key);
		report_put(&b->rep, j.p, j.len);
		report_printf(&b->rep, "]}\n");
	} else {
		report_printf(&b->rep, "\n]}\n");
	}
}

/* ---- the exchange --------------------------------------------------------- */

/* I_END: its status and message, kept for the command to act on. */
static int
item_end(void *ctx, struct rd *r)
{
	struct browse *b = ctx;

	b->end = rd_u8(r);
	if (get_str(r, b->end_text, sizeof b->end_text) < 0 ||
	    rd_end(r) < 0)
		malformed(b, "end of listing");
	cconn_tidy(b->end_text, sizeof b->end_text);
	return 1;
}

/* Items after the reply to type, each by its row of rows[n], up to the
 * one that ends them. */
static void
read_items(struct browse *b, unsigned type, const struct item_row *rows,
    size_t n, const char *what)
{
	const struct item_row *h;
	struct reply *rp;

	do {
		rp = cconn_reply(&conn, type, &check_items);
		if (rp->type != T_ITEM)
			malformed(b, what);
		h = item_find(rows, n, rd_u8(&rp->body));
		if (h == NULL)
			malformed(b, what);
	} while (h->handle(b, &rp->body) == 0);
}

/* Start: the report, the connection, and the backup named by arg. */
static void
browse_open(struct browse *b, const struct copts *o, const char *arg)
{
	report_start(&b->rep, o->report);
	b->o = o;
	b->json = o->json;
	cconn_open(&conn, o);
	resolve_target(&conn, o, arg, b->id, b->snap);
}

/* The request in buf j, and its reply: refusals exit 4. */
static struct rd *
browse_request(struct browse *b, unsigned type, const struct buf *j)
{
	struct reply *rp = cconn_request(&conn, type, j, &check_query);

	if (rp->status != ST_OK)
		refused(rp->status, rp->text);
	(void)b;
	return &rp->body;
}

/* The end: the listing's status says how it went. */
static int
browse_close(struct browse *b)
{
	cconn_close(&conn);
	if (b->end == ST_OK)
		return 0;
	msg("the server could not list it all: %s", b->end_text);
	return EXIT_PARTIAL;
}

/* ---- --ls ---------------------------------------------------------------- */

/* 1 if e is what LS of b's path may send (PROTOCOL.md). */
static int
ls_fits(struct browse *b, const struct entry *e)
{
	const char *rest = e->path;

	if (b->one)
		return 0;	/* a file was named: nothing after it */
	if (b->plen > 0) {
		if (e->plen == b->plen && memcmp(e->path, b->path,
		    b->plen) == 0)
			return b->one = e->type != E_DIR;
		if (e->plen <= b->plen || e->path[b->plen] != '/' ||
		    memcmp(e->path, b->path, b->plen) != 0)
			return 0;
		rest = e->path + b->plen + 1;
	}
	return b->o->recursive || strchr(rest, '/') == NULL;
}

/* I_ENTRY of LS. */
static int
ls_entry(void *ctx, struct rd *r)
{
	struct browse *b = ctx;
	struct buf j;

	take_entry(b, r, "listing");
	if (!ls_fits(b, &ent))
		malformed(b, "listing (an entry not at the path asked)");
	b->count++;
	if (!b->json) {
		long_line(b, "", &ent);
		return 0;
	}
	json_element(b, &j, "entries");
	buf_putc(&j, '{');
	item_json(&j, &ent, 1);
	buf_putc(&j, '}');
	report_put(&b->rep, j.p, j.len);
	return 0;
}

static const struct item_row ls_items[] = {
	{ I_ENTRY, ls_entry },
	{ I_END, item_end },
};

int
ls_run(const struct copts *o)
{
	static struct browse b;
	struct buf j;
	struct rd *r;
	const char *p = o->ls_path != NULL ? o->ls_path : "";

	while (*p == '/')
		p++;	/* "/etc/x": the snapshot's paths are relative */
	b.path = p;
	b.plen = strlen(p);
	while (b.plen > 0 && p[b.plen - 1] == '/')
		b.plen--;
	if (b.plen > 0 && path_check(p, b.plen) < 0)
		die(EXIT_USAGE, "%s: not a path in a snapshot", o->ls_path);
	browse_open(&b, o, o->target);
	cconn_buf(&conn, &j);
	put_str(&j, b.id, strlen(b.id));
	put_str(&j, b.snap, strlen(b.snap));
	put_str(&j, p, b.plen);
	buf_u8(&j, o->recursive ? LS_RECURSIVE : 0);
	r = browse_request(&b, T_LS, &j);
	if (get_str(r, b.snap, sizeof b.snap) < 0 || rd_end(r) < 0 ||
	    b.snap[0] == 0)
		malformed(&b, "LS reply");
	cconn_tidy(b.snap, sizeof b.snap);
	read_items(&b, T_LS, ls_items, sizeof ls_items / sizeof ls_items[0],
	    "listing");
	if (b.end == ST_NOT_FOUND && b.count == 0)
		die(EXIT_REFUSED, "%s: no such path in snapshot %s of backup %s",
		    shown(p, b.plen, shown_b, sizeof shown_b), b.snap, b.id);
	json_finish(&b, "entries");
	return browse_close(&b);
}

/* ---- --find -------------------------------------------------------------- */

/* I_BACKUP of FIND: a backup with matches, in id order, as many as the
 * reply said at most (the one asked for, if one was). */
static int
find_backup(void *ctx, struct rd *r)
{
	struct browse *b = ctx;
	char id[TARGET_MAX];

	if (get_str(r, id, sizeof id) < 0 || get_str(r, b->source,
	    sizeof b->source) < 0 || rd_end(r) < 0 || id[0] == 0 ||
	    ++b->told > b->backups || strcmp(id, b->backup) <= 0 ||
	    (b->id[0] != 0 && strcmp(id, b->id) != 0))
		malformed(b, "search result (backup)");
	cconn_tidy(id, sizeof id);
	memcpy(b->backup, id, sizeof id);
	b->in_snap[0] = 0;
	if (!b->json)
		report_printf(&b->rep, "%s  %s\n", b->backup, shown(b->source,
		    strlen(b->source), shown_a, sizeof shown_a));
	return 0;
}

/* I_SNAPSHOT of FIND: one of the backup's, oldest first. */
static int
find_snapshot(void *ctx, struct rd *r)
{
	struct browse *b = ctx;
	char name[TARGET_MAX];

	if (get_str(r, name, sizeof name) < 0 || b->backup[0] == 0 ||
	    name[0] == 0 || strcmp(name, b->in_snap) <= 0)
		malformed(b, "search result (snapshot)");
	rd_u64(r);	/* files, bytes, time, failed */
	rd_u64(r);
	rd_u64(r);
	rd_u32(r);
	if (rd_end(r) < 0)
		malformed(b, "search result (snapshot)");
	cconn_tidy(name, sizeof name);
	memcpy(b->in_snap, name, sizeof name);
	b->have_last = 0;
	if (!b->json)
		report_printf(&b->rep, "  %s\n", b->in_snap);
	return 0;
}

/* I_ENTRY of FIND: a match in the snapshot before it. */
static int
find_entry(void *ctx, struct rd *r)
{
	struct browse *b = ctx;
	char md5[MD5_HEXLEN + 1] = "-";
	struct buf j;

	if (b->in_snap[0] == 0)
		malformed(b, "search result (an entry before its snapshot)");
	take_entry(b, r, "search result");
	if (!glob_match(b->pattern, strlen(b->pattern), ent.path, ent.plen,
	    ent.type == E_DIR))
		malformed(b, "search result (an entry that does not match)");
	b->count++;
	if (!b->json) {
		if (ENTRY_HAS_DATA(&ent))
			md5_hex(ent.md5, md5);
		md5[12] = 0;
		report_printf(&b->rep, "    %-12s ", md5);
		long_line(b, "", &ent);
		return 0;
	}
	json_element(b, &j, "matches");
	buf_putc(&j, '{');
	json_put_key(&j, "id", 1);
	json_put_str(&j, b->backup, strlen(b->backup));
	json_put_key(&j, "snapshot", 0);
	json_put_str(&j, b->in_snap, strlen(b->in_snap));
	item_json(&j, &ent, 0);
	buf_putc(&j, '}');
	report_put(&b->rep, j.p, j.len);
	return 0;
}

static const struct item_row find_items[] = {
	{ I_BACKUP, find_backup },
	{ I_SNAPSHOT, find_snapshot },
	{ I_ENTRY, find_entry },
	{ I_END, item_end },
};

/* Exit 0 with matches, 1 with none (as grep). */
int
find_run(const struct copts *o)
{
	static struct browse b;
	struct buf j;
	struct rd *r;

	if (!glob_ok(o->pattern, strlen(o->pattern)))
		die(EXIT_USAGE, "--find %s: not a well-formed pattern (see "
		    "PATTERNS in cairn(1))", o->pattern);
	b.pattern = o->pattern;
	report_start(&b.rep, o->report);
	b.o = o;
	b.json = o->json;
	cconn_open(&conn, o);
	if (o->target != NULL)
		resolve_target(&conn, o, o->target, b.id, b.snap);
	if (b.snap[0] != 0)
		die(EXIT_USAGE, "--find searches every snapshot: give an ID "
		    "without @SNAPSHOT");
	cconn_buf(&conn, &j);
	put_str(&j, o->pattern, strlen(o->pattern));
	put_str(&j, b.id, strlen(b.id));
	r = browse_request(&b, T_FIND, &j);
	b.backups = rd_u32(r);
	if (rd_end(r) < 0)
		malformed(&b, "FIND reply");
	read_items(&b, T_FIND, find_items, sizeof find_items /
	    sizeof find_items[0], "search result");
	json_finish(&b, "matches");
	if (browse_close(&b) != 0)
		return EXIT_PARTIAL;
	if (b.count == 0)
		info("nothing matches %s", o->pattern);
	return b.count > 0 ? 0 : EXIT_PARTIAL;
}

/* ---- --diff -------------------------------------------------------------- */

static const char *const what_names[] = { "type", "size", "content", "mode",
    "owner", "mtime", "xattrs", "target", "device", "flags" };
#define WHAT_ALL 0x3ffu

/* The names of what's bits: as "(a, b)" into j's text, or a JSON array. */
static void
what_put(struct buf *j, unsigned what, int json)
{
	unsigned i, n = 0;

	buf_puts(j, json ? "[" : " (");
	for (i = 0; i < sizeof what_names / sizeof what_names[0]; i++) {
		if (!(what & (1u << i)))
			continue;
		if (n++ > 0)
			buf_puts(j, json ? "," : ", ");
		if (json)
			json_put_str(j, what_names[i], strlen(what_names[i]));
		else
			buf_puts(j, what_names[i]);
	}
	buf_puts(j, json ? "]" : ")");
}

/* One change as a line: "+ path", "- path", "M path (size, mtime)". */
static void
diff_line(struct browse *b, unsigned change, unsigned what)
{
	struct buf j;

	buf_init(&j, line, sizeof line);
	buf_puts(&j, change == D_ADDED ? "+ " : change == D_REMOVED ? "- " :
	    "M ");
	buf_puts(&j, shown(ent.path, ent.plen, shown_a, sizeof shown_a));
	if (ent.type == E_DIR)
		buf_putc(&j, '/');
	if (change == D_CHANGED)
		what_put(&j, what, 0);
	buf_putc(&j, '\n');
	report_put(&b->rep, j.p, j.len);
}

/* I_DIFF: a change, its what (for a changed entry only), the entry. */
static int
diff_item(void *ctx, struct rd *r)
{
	static const char *const changes[] = { "", "added", "removed",
	    "changed" };
	struct browse *b = ctx;
	unsigned change = rd_u8(r), what = rd_u16(r);
	struct buf j;

	if (r->err || change < D_ADDED || change > D_CHANGED ||
	    (change == D_CHANGED) != (what != 0) || (what & ~WHAT_ALL))
		malformed(b, "difference (its change or what)");
	take_entry(b, r, "difference");
	b->added += change == D_ADDED;
	b->removed += change == D_REMOVED;
	b->changed += change == D_CHANGED;
	if (!b->json) {
		diff_line(b, change, what);
		return 0;
	}
	json_element(b, &j, "changes");
	buf_putc(&j, '{');
	json_put_key(&j, "change", 1);
	json_put_str(&j, changes[change], strlen(changes[change]));
	if (change == D_CHANGED) {
		json_put_key(&j, "what", 0);
		what_put(&j, what, 1);
	}
	item_json(&j, &ent, 0);
	buf_putc(&j, '}');
	report_put(&b->rep, j.p, j.len);
	return 0;
}

static const struct item_row diff_items[] = {
	{ I_DIFF, diff_item },
	{ I_END, item_end },
};

/* The DIFF reply: the names compared, as asked (b: any, when not). */
static void
diff_names(struct browse *b, struct rd *r)
{
	char a[TARGET_MAX], bn[TARGET_MAX];

	if (get_str(r, a, sizeof a) < 0 || get_str(r, bn, sizeof bn) < 0 ||
	    rd_end(r) < 0 || strcmp(a, b->snap) != 0 || bn[0] == 0 ||
	    (b->snap_b[0] != 0 && strcmp(bn, b->snap_b) != 0))
		malformed(b, "DIFF reply");
	cconn_tidy(bn, sizeof bn);
	memcpy(b->snap_b, bn, sizeof bn);
}

int
diff_run(const struct copts *o)
{
	static struct browse b;
	char id2[TARGET_MAX];
	struct buf j;

	browse_open(&b, o, o->target);
	if (b.snap[0] == 0)
		die(EXIT_USAGE, "--diff %s: want ID@SNAPSHOT (see --list ID)",
		    o->target);
	if (o->target2 != NULL) {
		resolve_target(&conn, o, o->target2, id2, b.snap_b);
		if (strcmp(id2, b.id) != 0)
			die(EXIT_USAGE, "--diff compares two snapshots of one "
			    "backup: %s is not %s", id2, b.id);
	}
	cconn_buf(&conn, &j);
	put_str(&j, b.id, strlen(b.id));
	put_str(&j, b.snap, strlen(b.snap));
	put_str(&j, b.snap_b, strlen(b.snap_b));
	diff_names(&b, browse_request(&b, T_DIFF, &j));
	read_items(&b, T_DIFF, diff_items, sizeof diff_items /
	    sizeof diff_items[0], "difference");
	json_finish(&b, "changes");
	if (!b.json)
		report_printf(&b.rep, "%llu added, %llu removed, %llu changed\n",
		    (unsigned long long)b.added, (unsigned long long)b.removed,
		    (unsigned long long)b.changed);
	return browse_close(&b);
}
