/*
 * query.c — the client's --list and --remove.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "conn.h"
#include "port.h"
#include "record.h"
#include "report.h"

#define SOURCE_SHOWN_MAX 120	/* a source in the listing's table */

static struct cconn conn;
static uint8_t line[LINE_MAX_BYTES];

/* Split "ID[@SNAPSHOT]" into id and snap ("" when absent). */
void
split_target(const char *arg, char *id, size_t idcap, char *snap,
    size_t scap)
{
	const char *at = strchr(arg, '@');
	size_t n = at != NULL ? (size_t)(at - arg) : strlen(arg);

	if (n == 0 || n >= idcap || (at != NULL && (at[1] == 0 ||
	    strlen(at + 1) >= scap)))
		die(EXIT_USAGE, "%s: want ID or ID@SNAPSHOT (see --list)", arg);
	memcpy(id, arg, n);
	id[n] = 0;
	snprintf(snap, scap, "%s", at != NULL ? at + 1 : "");
}

#define ID_HEX 16		/* the characters of a full ID */
#define ID_PREFIX_MIN 4		/* of a prefix */
#define CANDIDATES_MAX 8	/* named when a prefix is ambiguous */

/* A backup that matched, with the snapshot of it that matched. */
struct candidate {
	char id[TARGET_MAX];
	char source[SOURCE_SHOWN_MAX];
	char snap[TARGET_MAX];	/* the snapshot the name picked, or "" */
	unsigned snaps;		/* snapshots whose name starts so */
	int exact;		/* one of them is the name itself */
};

/* What resolve_target looks for in a LIST of every backup. */
struct matcher {
	const char *prefix;	/* of the id, or NULL */
	const char *source;	/* the source's path, or NULL */
	const char *snap;	/* the snapshot named, maybe a prefix */
	unsigned n;		/* backups that matched */
	int cur;		/* the backup being listed is c[n - 1] */
	struct candidate c[CANDIDATES_MAX];
	char src[PATH_CAP];	/* the I_BACKUP being read */
};

/* 1 if s is n lower-case hex digits. */
static int
lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (hexval((unsigned char)s[i]) < 0 ||
		    (s[i] >= 'A' && s[i] <= 'F'))
			return 0;
	return 1;
}

/* I_BACKUP: note it when its id starts with the prefix or its source is
 * the one looked for. */
static int
match_backup(void *ctx, struct rd *r)
{
	struct matcher *m = ctx;
	struct candidate *c;
	char id[TARGET_MAX];

	if (get_str(r, id, sizeof id) < 0 ||
	    get_str(r, m->src, sizeof m->src) < 0)
		die(EXIT_NET, "malformed listing");
	m->cur = m->prefix != NULL ?
	    strncmp(id, m->prefix, strlen(m->prefix)) == 0 :
	    strcmp(m->src, m->source) == 0;
	if (!m->cur)
		return 0;
	if (m->n++ >= CANDIDATES_MAX) {
		m->cur = 0;
		return 0;
	}
	c = &m->c[m->n - 1];
	memset(c, 0, sizeof *c);
	memcpy(c->id, id, sizeof id);
	shown(m->src, strlen(m->src), c->source, sizeof c->source);
	return 0;
}

/* I_SNAPSHOT of a matching backup: note it when its name starts with the
 * snapshot named. */
static int
match_snapshot(void *ctx, struct rd *r)
{
	struct matcher *m = ctx;
	struct candidate *c;
	char name[TARGET_MAX];

	if (!m->cur || m->snap[0] == 0)
		return 0;
	c = &m->c[m->n - 1];
	if (get_str(r, name, sizeof name) < 0)
		die(EXIT_NET, "malformed listing");
	if (strncmp(name, m->snap, strlen(m->snap)) != 0 || c->exact)
		return 0;
	c->exact = strcmp(name, m->snap) == 0;
	c->snaps++;
	memcpy(c->snap, name, sizeof name);
	return 0;
}

static const struct item_row match_items[] = {
	{ I_BACKUP, match_backup },
	{ I_SNAPSHOT, match_snapshot },
};

/* LIST every backup on c and match each as m says. */
static void
match_list(struct cconn *c, struct matcher *m)
{
	const struct item_row *h;
	struct reply *rp;
	struct buf b;

	cconn_buf(c, &b);
	put_str(&b, "", 0);
	cconn_send(c, T_LIST, b.p, b.len, NULL);
	for (;;) {
		rp = cconn_reply(c, T_LIST, &check_items);
		if (rp->type != T_ITEM && rp->status != ST_OK)
			refused(rp->status, rp->text);
		if (rp->type != T_ITEM)
			return;
		h = item_find(match_items, sizeof match_items /
		    sizeof match_items[0], rd_u8(&rp->body));
		if (h != NULL)
			h->handle(m, &rp->body);
	}
}

/* Exit 2 naming the backups an ambiguous prefix matches. */
static void __attribute__((noreturn))
ambiguous(const struct matcher *m, const char *arg)
{
	unsigned i;

	msg("%s matches %u backups (give more of the ID):", arg, m->n);
	for (i = 0; i < m->n && i < CANDIDATES_MAX; i++)
		fprintf(stderr, "  %s  %s\n", m->c[i].id, m->c[i].source);
	if (m->n > CANDIDATES_MAX)
		fprintf(stderr, "  ... and %u more\n", m->n - CANDIDATES_MAX);
	exit(EXIT_USAGE);
}

/* The source path to look for: dir's real path, or (when it is gone, as
 * after a disaster) dir itself, absolute, without trailing slashes. */
static void
source_wanted(const char *dir, char *out, size_t cap)
{
	size_t n = strlen(dir);

	if (port_realpath(dir, out, cap) == 0)
		return;
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (dir[0] != '/' || n >= cap)
		die(EXIT_REFUSED, "no backup of yours matches %s (give the "
		    "source's absolute path)", dir);
	memcpy(out, dir, n);
	out[n] = 0;
}

/* Split "/source[@SNAPSHOT]" at its last '@' followed by no '/'. */
static void
split_source(const char *arg, char *dir, size_t cap, char *snap)
{
	const char *at = strrchr(arg, '@');
	size_t n = strlen(arg);

	if (at != NULL && strchr(at, '/') == NULL && at[1] != 0 &&
	    strlen(at + 1) < TARGET_MAX)
		n = (size_t)(at - arg);
	else
		at = NULL;
	if (n >= cap)
		die(EXIT_USAGE, "%s: path too long", arg);
	memcpy(dir, arg, n);
	dir[n] = 0;
	snprintf(snap, TARGET_MAX, "%s", at != NULL ? at + 1 : "");
}

/* Take the one backup m matched into id, and the snapshot into snap. */
static void
resolved(const struct matcher *m, const char *arg, char *id, char *snap)
{
	char s[SOURCE_SHOWN_MAX];

	if (m->n == 0)
		die(EXIT_REFUSED, "no backup of yours matches %s",
		    shown(arg, strlen(arg), s, sizeof s));
	if (m->n > 1)
		ambiguous(m, arg);
	memcpy(id, m->c[0].id, TARGET_MAX);
	if (m->c[0].exact || m->c[0].snaps == 1)
		memcpy(snap, m->c[0].snap, TARGET_MAX);
	else if (m->c[0].snaps > 1)
		die(EXIT_USAGE, "%s: %u snapshots of backup %s start with %s "
		    "(see --list %s)", arg, m->c[0].snaps, id, snap, id);
}

void
resolve_target(struct cconn *c, const struct copts *o, const char *arg,
    char *id, char *snap)
{
	static struct matcher m;
	static char dir[PATH_CAP], want[PATH_CAP];
	size_t n;

	memset(&m, 0, sizeof m);
	m.snap = snap;
	if (arg == NULL || arg[0] == '/') {
		if (arg == NULL)
			snprintf(dir, sizeof dir, "%s", o->source), snap[0] = 0;
		else
			split_source(arg, dir, sizeof dir, snap);
		source_wanted(dir, want, sizeof want);
		m.source = want;
		match_list(c, &m);
		resolved(&m, arg != NULL ? arg : o->source, id, snap);
		return;
	}
	split_target(arg, id, TARGET_MAX, snap, TARGET_MAX);
	n = strlen(id);
	if (!lower_hex(id, n) || (n == ID_HEX && snap[0] == 0))
		return;		/* the server's answer says it */
	if (n < ID_PREFIX_MIN)
		die(EXIT_USAGE, "%s: an ID prefix needs %d characters or more "
		    "(see --list)", arg, ID_PREFIX_MIN);
	m.prefix = id;
	match_list(c, &m);
	if (n == ID_HEX && m.n == 0)
		return;		/* a full ID: as above */
	resolved(&m, arg, id, snap);
}

/* Exit for a refusal: not found, busy, and so on. */
void
refused(unsigned status, const char *text)
{
	die(EXIT_REFUSED, "%s%s", text, status == ST_BUSY ?
	    " (try again when it is done)" : "");
}

/* ---- --list -------------------------------------------------------------- */

struct listing {
	struct report rep;
	int json;
	int first_backup, first_snap;
	int with_id;
	char id[TARGET_MAX], source[PATH_CAP], newest[TARGET_MAX];
	unsigned snaps;
	uint32_t backups;	/* I_BACKUP items received */
	uint64_t files, bytes;
	uint32_t failed;	/* of the snapshot listed last (v2) */
	unsigned version;	/* the session's */
};

/* The table's row of the backup listed last (the listing of all). */
static void
flush_backup_text(struct listing *l)
{
	char src[SOURCE_SHOWN_MAX], id[TARGET_MAX], newest[TARGET_MAX];

	if (l->id[0] == 0 || l->with_id || l->json)
		return;
	report_printf(&l->rep, "%-16s  %-32s  %9u  %-24s  %10llu  %14llu\n",
	    shown(l->id, strlen(l->id), id, sizeof id),
	    shown(l->source, strlen(l->source), src, sizeof src),
	    l->snaps, l->snaps ? shown(l->newest, strlen(l->newest), newest,
	    sizeof newest) : "-",
	    (unsigned long long)l->files, (unsigned long long)l->bytes);
}

/* The JSON array, or the table's header. */
static void
list_start(struct listing *l)
{
	if (l->json)
		report_printf(&l->rep, "{\"backups\":[");
	else if (l->with_id)
		report_printf(&l->rep, "%-24s  %10s  %14s\n", "SNAPSHOT",
		    "FILES", "BYTES");
	else
		report_printf(&l->rep, "%-16s  %-32s  %9s  %-24s  %10s  %14s\n",
		    "ID", "SOURCE", "SNAPSHOTS", "NEWEST", "FILES", "BYTES");
}

/* Start a JSON object after sep, with its first field key: val. */
static void
object_start(struct buf *b, const char *sep, const char *key,
    const char *val)
{
	buf_init(b, line, sizeof line);
	buf_puts(b, sep);
	buf_putc(b, '{');
	json_put_key(b, key, 1);
	json_put_str(b, val, strlen(val));
}

/* I_BACKUP: id and source; its snapshots follow. */
static int
list_backup(void *ctx, struct rd *r)
{
	struct listing *l = ctx;
	struct buf b;

	flush_backup_text(l);
	if (get_str(r, l->id, sizeof l->id) < 0 ||
	    get_str(r, l->source, sizeof l->source) < 0)
		die(EXIT_NET, "malformed listing");
	l->snaps = 0;
	l->backups++;
	l->files = l->bytes = 0;
	if (l->json) {
		object_start(&b, l->first_backup ? "" : "]},", "id", l->id);
		json_put_key(&b, "source", 0);
		json_put_str(&b, l->source, strlen(l->source));
		buf_puts(&b, ",\"snapshots\":[");
		report_put(&l->rep, b.p, b.len);
	}
	l->first_backup = 0;
	l->first_snap = 1;
	return 0;
}

/* The table's row of the snapshot listed last (the listing of one
 * backup), marked when the run left entries out or kept old ones. */
static void
list_snapshot_row(const struct listing *l)
{
	char name[TARGET_MAX], mark[64] = "";

	if (l->failed > 0)
		snprintf(mark, sizeof mark, "  (%lu entr%s kept from before or "
		    "left out)", (unsigned long)l->failed, l->failed == 1 ?
		    "y" : "ies");
	report_printf(&l->rep, "%-24s  %10llu  %14llu%s\n",
	    shown(l->newest, strlen(l->newest), name, sizeof name),
	    (unsigned long long)l->files, (unsigned long long)l->bytes, mark);
}

/* I_SNAPSHOT: name, files, bytes, time and (v2) failed of one snapshot
 * of the backup. */
static int
list_snapshot(void *ctx, struct rd *r)
{
	struct listing *l = ctx;
	struct buf b;

	if (get_str(r, l->newest, sizeof l->newest) < 0)
		die(EXIT_NET, "malformed listing");
	l->files = rd_u64(r);
	l->bytes = rd_u64(r);
	rd_u64(r);	/* time */
	l->failed = l->version == PROTO_V2 ? rd_u32(r) : 0;
	if (r->err)
		die(EXIT_NET, "malformed listing");
	l->snaps++;
	if (l->json) {
		object_start(&b, l->first_snap ? "" : ",", "name", l->newest);
		json_put_key(&b, "files", 0);
		buf_dec(&b, l->files);
		json_put_key(&b, "bytes", 0);
		buf_dec(&b, l->bytes);
		if (l->failed > 0) {
			json_put_key(&b, "failed", 0);
			buf_dec(&b, l->failed);
		}
		buf_putc(&b, '}');
		report_put(&l->rep, b.p, b.len);
	} else if (l->with_id) {
		list_snapshot_row(l);
	}
	l->first_snap = 0;
	return 0;
}

static const struct item_row list_items[] = {
	{ I_BACKUP, list_backup },
	{ I_SNAPSHOT, list_snapshot },
};

/* The LIST reply's count of backups must be what came. */
static void
list_count(const struct listing *l, const struct copts *o, struct rd *r)
{
	uint32_t count = rd_u32(r);

	if (rd_end(r) < 0)
		die(EXIT_NET, "%s:%u sent a malformed listing", o->server,
		    o->port);
	if (count != l->backups)
		die(EXIT_NET, "%s:%u says it listed %lu backups but sent %lu",
		    o->server, o->port, (unsigned long)count,
		    (unsigned long)l->backups);
}

int
list_run(const struct copts *o)
{
	static struct listing l;
	char id[TARGET_MAX], snap[TARGET_MAX];
	const struct item_row *h;
	struct reply *rp;
	struct buf b;
	int started = 0;

	report_start(&l.rep, o->report);
	l.json = o->json;
	l.with_id = o->target != NULL || o->source != NULL;
	l.first_backup = 1;
	cconn_open(&conn, o);
	l.version = conn.version;
	id[0] = 0;
	if (l.with_id) {
		resolve_target(&conn, o, o->target, id, snap);
		if (snap[0])
			die(EXIT_USAGE, "--list takes a backup, not a snapshot "
			    "(%s)", o->target);
	}
	cconn_buf(&conn, &b);
	put_str(&b, id, strlen(id));
	cconn_send(&conn, T_LIST, b.p, b.len, NULL);
	for (;;) {
		rp = cconn_reply(&conn, T_LIST, &check_items);
		if (rp->type != T_ITEM && rp->status != ST_OK)
			refused(rp->status, rp->text);
		/* Nothing is printed before the server has agreed. */
		if (!started) {
			started = 1;
			list_start(&l);
		}
		if (rp->type != T_ITEM) {
			list_count(&l, o, &rp->body);
			break;
		}
		h = item_find(list_items, sizeof list_items /
		    sizeof list_items[0], rd_u8(&rp->body));
		if (h != NULL)
			h->handle(&l, &rp->body);
	}
	if (l.json)
		report_printf(&l.rep, "%s", l.first_backup ? "]}\n" : "]}]}\n");
	else
		flush_backup_text(&l);
	cconn_close(&conn);
	return 0;
}

/* ---- --remove ------------------------------------------------------------ */

int
remove_run(const struct copts *o)
{
	static const char *const keys[] = { "files", "bytes", "errors" };
	char id[TARGET_MAX], snap[TARGET_MAX], got_snap[TARGET_MAX];
	struct report rep;
	struct reply *rp;
	struct buf b;
	uint64_t files, bytes;

	report_start(&rep, o->report);
	cconn_open(&conn, o);
	resolve_target(&conn, o, o->target, id, snap);
	cconn_buf(&conn, &b);
	put_str(&b, id, strlen(id));
	put_str(&b, snap, strlen(snap));
	buf_u8(&b, o->dry_run ? RQ_DRY_RUN : 0);	/* v2: the flags */
	rp = cconn_request(&conn, T_REMOVE, &b, &check_query);
	if (rp->status != ST_OK)
		refused(rp->status, rp->text);
	if (get_str(&rp->body, got_snap, sizeof got_snap) < 0)
		die(EXIT_NET, "malformed reply");
	files = rd_u64(&rp->body);
	bytes = rd_u64(&rp->body);
	cconn_close(&conn);
	if (o->json) {
		const uint64_t vals[] = { files, bytes, 0 };
		report_json(&rep, id, snap, NULL, keys, vals, 3);
	}
	if (snap[0])
		info("%s snapshot %s of backup %s (%s, %s)",
		    o->dry_run ? "would remove" : "removed", snap, id,
		    nwords(files, "file", "files"), nwords(bytes, "byte",
		    "bytes"));
	else
		info("%s backup %s (%s, %s in its snapshots)",
		    o->dry_run ? "would remove" : "removed", id,
		    nwords(files, "file", "files"), nwords(bytes, "byte",
		    "bytes"));
	return 0;
}
