/*
 * prune.c — the client's --prune ID: a retention policy applied now
 * (PROTOCOL.md, PRUNE), or with --dry-run told; and the policy in words
 * for the messages of both --prune and a backup's retention.
 */
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "conn.h"
#include "json.h"
#include "port.h"
#include "report.h"
#include "util.h"

static struct cconn conn;
static uint8_t line[TARGET_MAX * 8 + 96];	/* one JSON item */

int
retention_text(const struct retention *k, char *out, size_t cap)
{
	static const char *const name[] = { "last", "hourly", "daily",
	    "weekly", "monthly", "yearly" };
	const uint32_t n[] = { k->last, k->hourly, k->daily, k->weekly,
	    k->monthly, k->yearly };
	size_t i, len = 0;

	out[0] = 0;
	for (i = 0; i < sizeof n / sizeof n[0]; i++)
		if (n[i] > 0 && len < cap)
			len += (size_t)snprintf(out + len, cap - len,
			    "%s--keep-%s %lu", len ? " " : "", name[i],
			    (unsigned long)n[i]);
	return len < cap ? 0 : -1;
}

/* What came of one PRUNE: the items so far, checked against the reply. */
struct pruning {
	struct report rep;
	int json, dry;
	uint32_t count, got;
	uint64_t files, bytes;
	char last[TARGET_MAX];	/* the name of the last item, for order */
};

/* One I_SNAPSHOT: a snapshot removed (or that would be), oldest first. */
static void
pruned_one(struct pruning *p, struct rd *r)
{
	char name[TARGET_MAX], sh[TARGET_MAX * 4];
	uint64_t files, bytes;
	struct buf b;

	if (get_str(r, name, sizeof name) < 0)
		die(EXIT_NET, "malformed item while pruning");
	files = rd_u64(r);
	bytes = rd_u64(r);
	rd_u64(r);	/* time */
	rd_u32(r);	/* failed */
	if (rd_end(r) < 0 || name[0] == 0 || ++p->got > p->count ||
	    (p->got > 1 && strcmp(name, p->last) <= 0))
		die(EXIT_NET, "%s:%u sent a malformed list of pruned snapshots",
		    conn.o->server, conn.o->port);
	memcpy(p->last, name, sizeof name);
	p->files += files;
	p->bytes += bytes;
	if (!p->json) {
		report_printf(&p->rep, "%s %s (%llu files, %llu bytes)\n",
		    p->dry ? "would remove" : "removed",
		    shown(name, strlen(name), sh, sizeof sh),
		    (unsigned long long)files, (unsigned long long)bytes);
		return;
	}
	buf_init(&b, line, sizeof line);
	buf_puts(&b, p->got > 1 ? "," : "");
	buf_putc(&b, '{');
	json_put_key(&b, "name", 1);
	json_put_str(&b, name, strlen(name));
	json_put_key(&b, "files", 0);
	buf_dec(&b, files);
	json_put_key(&b, "bytes", 0);
	buf_dec(&b, bytes);
	buf_putc(&b, '}');
	report_put(&p->rep, b.p, b.len);
}

/* The items after the reply, to I_END: its status and message. */
static unsigned
prune_items(struct pruning *p, char *why, size_t cap)
{
	struct rd rd;
	unsigned type, kind, st;
	size_t n;

	for (;;) {
		n = cconn_recv(&conn, &type, "while pruning");
		rd_init(&rd, conn.frame, n);
		kind = rd_u8(&rd);
		if (type != T_ITEM || (kind != I_SNAPSHOT && kind != I_END))
			die(EXIT_NET, "%s:%u sent a malformed item while "
			    "pruning", conn.o->server, conn.o->port);
		if (kind == I_END)
			break;
		pruned_one(p, &rd);
	}
	st = rd_u8(&rd);
	if (get_str(&rd, why, cap) < 0 || rd_end(&rd) < 0 ||
	    (st == ST_OK && p->got != p->count))
		die(EXIT_NET, "%s:%u said it would prune %lu snapshots but "
		    "named %lu", conn.o->server, conn.o->port,
		    (unsigned long)p->count, (unsigned long)p->got);
	cconn_tidy(why, cap);
	return st;
}

/* The summary: a line, or the JSON object's end. */
static void
prune_summary(const struct pruning *p, const char *id, const char *policy,
    int errors)
{
	if (p->json) {
		report_printf(&p->rep, "],\"count\":%lu,\"files\":%llu,"
		    "\"bytes\":%llu,\"errors\":%d,\"dry_run\":%s}\n",
		    (unsigned long)p->got, (unsigned long long)p->files,
		    (unsigned long long)p->bytes, errors,
		    p->dry ? "true" : "false");
		return;
	}
	report_printf(&p->rep, "backup %s: %lu snapshot%s %s (%s)\n", id,
	    (unsigned long)p->got, p->got == 1 ? "" : "s",
	    p->dry ? "would be removed" : "removed", policy);
}

int
prune_run(const struct copts *o)
{
	static struct pruning p;
	char id[TARGET_MAX], snap[TARGET_MAX], why[MSG_MAX + 1];
	char policy[160];
	struct retention k = o->keep;
	struct reply *rp;
	struct buf b;
	unsigned st;

	memset(&p, 0, sizeof p);
	report_start(&p.rep, o->report);
	p.json = o->json;
	p.dry = o->dry_run;
	k.utc_offset = port_utc_offset(port_time());
	retention_text(&k, policy, sizeof policy);
	cconn_open(&conn, o);
	resolve_target(&conn, o, o->target, id, snap);
	if (snap[0])
		die(EXIT_USAGE, "--prune takes a backup ID, not a snapshot");
	cconn_buf(&conn, &b);
	put_str(&b, id, strlen(id));
	retention_put(&b, &k);
	buf_u8(&b, p.dry ? RQ_DRY_RUN : 0);
	rp = cconn_request(&conn, T_PRUNE, &b, &check_query);
	if (rp->status != ST_OK)
		refused(rp->status, rp->text);
	p.count = rd_u32(&rp->body);
	if (rd_end(&rp->body) < 0)
		die(EXIT_NET, "malformed reply from %s", o->server);
	if (p.json) {
		buf_init(&b, line, sizeof line);
		buf_putc(&b, '{');
		json_put_key(&b, "id", 1);
		json_put_str(&b, id, strlen(id));
		buf_puts(&b, ",\"removed\":[");
		report_put(&p.rep, b.p, b.len);
	}
	st = prune_items(&p, why, sizeof why);
	cconn_close(&conn);
	prune_summary(&p, id, policy, st != ST_OK);
	if (st != ST_OK) {
		/* The snapshots named are gone; the rest stay. */
		msg("pruning stopped: %s", why);
		return 1;
	}
	return 0;
}
