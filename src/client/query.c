/*
 * query.c — the client's --list and --remove, and the request/reply
 * helper they share with --restore.
 */
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "proto.h"
#include "record.h"
#include "report.h"

static uint8_t frame[FRAME_MAX];
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

int
client_request(struct tls *t, const struct copts *o, unsigned type,
    struct buf *req, struct rd *r, char *text)
{
	unsigned got, status;
	size_t n;
	char why[TLS_WHY_MAX];

	if (frame_send(t, type, req->p, req->len) < 0)
		die(EXIT_NET, "%s:%u: connection lost: %s", o->server, o->port,
		    tls_why(t, why, sizeof why));
	return client_reply(t, o, type, r, text, &status, &got, &n) < 0 ?
	    -1 : (int)status;
}

int
client_reply(struct tls *t, const struct copts *o, unsigned type,
    struct rd *r, char *text, unsigned *status, unsigned *got, size_t *n)
{
	char why[TLS_WHY_MAX];

	if (frame_recv(t, got, frame, n) < 0)
		die(EXIT_NET, "%s:%u: connection lost: %s", o->server, o->port,
		    tls_why(t, why, sizeof why));
	rd_init(r, frame, *n);
	if (*got == T_ITEM)
		return 0;
	if (reply_get(r, status, text) < 0)
		die(EXIT_NET, "%s:%u sent a malformed reply", o->server,
		    o->port);
	if (*got == T_ERROR)
		die(*status == ST_BAD_REQUEST ? EXIT_NET : EXIT_REFUSED,
		    "the server refused: %s", text);
	if (*got != (T_REPLY | type))
		die(EXIT_NET, "%s:%u sent a reply out of order", o->server,
		    o->port);
	return 0;
}

/* Exit for a refusal: not found, busy, and so on. */
void
refused(unsigned status, const char *text)
{
	die(EXIT_REFUSED, "%s%s", text, status == ST_BUSY ?
	    " (try again when it is done)" : "");
}

/* ---- --list --------------------------------------------------------------- */

struct listing {
	int started;
	int json;
	int first_backup, first_snap;
	int with_id;
	char id[TARGET_MAX], source[PATH_CAP], newest[TARGET_MAX];
	unsigned snaps;
	uint64_t files, bytes;
};

static void
flush_backup_text(struct listing *l)
{
	char src[120];

	if (l->id[0] == 0 || l->with_id || l->json)
		return;
	printf("%-16s  %-32s  %9u  %-24s  %10llu  %14llu\n", l->id,
	    shown(l->source, strlen(l->source), src, sizeof src), l->snaps,
	    l->snaps ? l->newest : "-", (unsigned long long)l->files,
	    (unsigned long long)l->bytes);
}

int
list_run(const struct copts *o)
{
	static struct listing l;
	char text[MSG_MAX + 1];
	struct tls *t;
	struct buf b;
	struct rd r;
	unsigned status, type, kind;
	size_t n;
	uint64_t files, bytes;

	t = client_connect(o);
	buf_init(&b, frame, sizeof frame);
	put_str(&b, o->target ? o->target : "", o->target ?
	    strlen(o->target) : 0);
	if (frame_send(t, T_LIST, b.p, b.len) < 0)
		die(EXIT_NET, "%s:%u: connection lost", o->server, o->port);
	l.json = o->json;
	l.with_id = o->target != NULL;
	l.first_backup = 1;
	for (;;) {
		client_reply(t, o, T_LIST, &r, text, &status, &type, &n);
		if (type != T_ITEM && status != ST_OK)
			refused(status, text);
		if (!l.started) {
			/* Nothing is printed before the server has agreed. */
			l.started = 1;
			if (l.json)
				fputs("{\"backups\":[", stdout);
			else if (l.with_id)
				printf("%-24s  %10s  %14s\n", "SNAPSHOT",
				    "FILES", "BYTES");
			else
				printf("%-16s  %-32s  %9s  %-24s  %10s  %14s\n",
				    "ID", "SOURCE", "SNAPSHOTS", "NEWEST",
				    "FILES", "BYTES");
		}
		if (type != T_ITEM)
			break;
		kind = rd_u8(&r);
		if (kind == I_BACKUP) {
			flush_backup_text(&l);
			if (get_str(&r, l.id, sizeof l.id) < 0 ||
			    get_str(&r, l.source, sizeof l.source) < 0)
				die(EXIT_NET, "malformed listing");
			l.snaps = 0;
			l.files = l.bytes = 0;
			if (l.json) {
				buf_init(&b, line, sizeof line);
				if (!l.first_backup)
					buf_puts(&b, "]},");
				buf_putc(&b, '{');
				json_put_key(&b, "id", 1);
				json_put_str(&b, l.id, strlen(l.id));
				json_put_key(&b, "source", 0);
				json_put_str(&b, l.source, strlen(l.source));
				buf_puts(&b, ",\"snapshots\":[");
				fwrite(b.p, 1, b.len, stdout);
			}
			l.first_backup = 0;
			l.first_snap = 1;
		} else if (kind == I_SNAPSHOT) {
			if (get_str(&r, l.newest, sizeof l.newest) < 0)
				die(EXIT_NET, "malformed listing");
			files = rd_u64(&r);
			bytes = rd_u64(&r);
			l.snaps++;
			l.files = files;
			l.bytes = bytes;
			if (l.json) {
				buf_init(&b, line, sizeof line);
				if (!l.first_snap)
					buf_putc(&b, ',');
				buf_putc(&b, '{');
				json_put_key(&b, "name", 1);
				json_put_str(&b, l.newest, strlen(l.newest));
				json_put_key(&b, "files", 0);
				buf_dec(&b, files);
				json_put_key(&b, "bytes", 0);
				buf_dec(&b, bytes);
				buf_putc(&b, '}');
				fwrite(b.p, 1, b.len, stdout);
			} else if (l.with_id) {
				printf("%-24s  %10llu  %14llu\n", l.newest,
				    (unsigned long long)files,
				    (unsigned long long)bytes);
			}
			l.first_snap = 0;
		}
	}
	if (l.json)
		fputs(l.first_backup ? "]}\n" : "]}]}\n", stdout);
	else
		flush_backup_text(&l);
	tls_close(t);
	return 0;
}

/* ---- --remove ------------------------------------------------------------- */

int
remove_run(const struct copts *o)
{
	char text[MSG_MAX + 1], id[TARGET_MAX], snap[TARGET_MAX];
	char got_snap[TARGET_MAX];
	struct tls *t;
	struct buf b;
	struct rd r;
	int status;
	uint64_t files, bytes;

	split_target(o->target, id, sizeof id, snap, sizeof snap);
	t = client_connect(o);
	buf_init(&b, frame, sizeof frame);
	put_str(&b, id, strlen(id));
	put_str(&b, snap, strlen(snap));
	status = client_request(t, o, T_REMOVE, &b, &r, text);
	if (status != ST_OK)
		refused((unsigned)status, text);
	if (get_str(&r, got_snap, sizeof got_snap) < 0)
		die(EXIT_NET, "malformed reply");
	files = rd_u64(&r);
	bytes = rd_u64(&r);
	tls_close(t);
	if (o->json) {
		static const char *const keys[] = { "files", "bytes",
		    "errors" };
		const uint64_t vals[] = { files, bytes, 0 };
		report_json(id, snap, NULL, keys, vals, 3);
	}
	if (snap[0])
		info("removed snapshot %s of backup %s (%llu files, %llu bytes)",
		    snap, id, (unsigned long long)files,
		    (unsigned long long)bytes);
	else
		info("removed backup %s", id);
	return 0;
}
