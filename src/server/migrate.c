/*
 * migrate.c — cairnd --migrate: every client's backups and snapshots
 * copied from one store to another (the local tree to the object store),
 * through the store class alone (DESIGN.md, "Moving a store").
 *
 * Each snapshot, oldest first, is replayed into the destination as the
 * run that made it: begin (dated for the snapshot's own time, so that it
 * gets its name), every entry offered in path order, the content of each
 * one the destination asks for read from the source and checked against
 * the source manifest's MD5 before the file's end is sent, commit. A
 * snapshot the destination already holds is left alone, so a second
 * --migrate goes on where an interrupted one stopped; content the
 * destination holds by MD5 and size is not sent again. The source is
 * only read.
 */
#include "features.h"

#if CAIRN_S3

#include <stdio.h>
#include <string.h>

#include "md5.h"
#include "migrate.h"
#include "util.h"

/* What one migration did, and its buffers. */
struct mig {
	const store_class **from, **to;
	const char *client, *id;
	struct entry e;
	uint8_t data[64 * 1024];
	char text[MSG_MAX + 1];
	uint64_t snaps, skipped, failed;
};

/* The content of the file the destination asked for (m->e), sent from
 * the source: ST_OK, or the status with m->text saying why. */
static unsigned
send_file(struct mig *m)
{
	const store_class **from = m->from, **to = m->to;
	struct put_trailer t;
	struct entry p;
	struct md5 c;
	uint64_t size, hole;
	unsigned st;
	long n;

	if ((*from)->open_file(from, m->e.path, &size) < 0) {
		snprintf(m->text, sizeof m->text, "%.300s: not readable in the "
		    "source store", m->e.path);
		return ST_IO;
	}
	entry_clear(&p, 0);
	memcpy(p.path, m->e.path, m->e.plen + 1);
	p.plen = m->e.plen;
	st = (*to)->put_begin(to, &p, m->text, sizeof m->text);
	md5_init(&c);
	t.size = 0;
	while (st == ST_OK) {
		hole = 0;
		n = (*from)->read_file(from, m->data, sizeof m->data, &hole);
		if (n == 0 && hole == 0)
			break;	/* the end */
		if (n < 0) {
			snprintf(m->text, sizeof m->text, "%.300s: a read error in "
			    "the source store", m->e.path);
			st = ST_IO;
			break;
		}
		if (n > 0) {
			md5_update(&c, m->data, (size_t)n);
			t.size += (uint64_t)n;
			st = (*to)->put_data(to, m->data, (size_t)n, m->text,
			    sizeof m->text);
			continue;
		}
		/* a hole: zeros for the MD5, a hole for the destination */
		st = (*to)->put_hole(to, hole, m->text, sizeof m->text);
		t.size += hole;
		memset(m->data, 0, sizeof m->data);
		for (; hole > sizeof m->data; hole -= sizeof m->data)
			md5_update(&c, m->data, sizeof m->data);
		md5_update(&c, m->data, (size_t)hole);
	}
	(*from)->close_file(from);
	if (st != ST_OK)
		return st;
	md5_final(&c, t.md5);
	t.flags = 0;
	if (t.size != m->e.size || memcmp(t.md5, m->e.md5, MD5_LEN) != 0) {
		snprintf(m->text, sizeof m->text, "%.300s: its content in the "
		    "source store does not match its manifest's size and MD5",
		    m->e.path);
		return ST_BAD_DATA;
	}
	return (*to)->put_end(to, &t, m->text, sizeof m->text);
}

/* Snapshot snap of m's backup replayed into the destination: ST_OK. The
 * source's record (its time and source directory) comes with its opening. */
static unsigned
copy_snapshot(struct mig *m, const char *snap)
{
	const store_class **from = m->from, **to = m->to;
	struct store_run run;
	struct snapinfo si;
	unsigned st;
	int r;

	st = (*from)->open_snapshot(from, m->client, m->id, snap, &si,
	    m->text, sizeof m->text);
	if (st != ST_OK)
		return st;
	memset(&run, 0, sizeof run);
	run.need_max = 1;	/* each needed file sent as it is asked for */
	run.at = si.time;
	st = (*to)->begin(to, m->client, si.source, strlen(si.source), &run,
	    m->text, sizeof m->text);
	if (st == ST_OK && (strcmp(run.id, m->id) != 0 ||
	    strcmp(run.snap, snap) != 0)) {
		snprintf(m->text, sizeof m->text, "the destination would name "
		    "it %s@%s", run.id, run.snap);
		st = ST_IO;
	}
	while (st == ST_OK && (r = (*from)->next_entry(from, &m->e)) != 0) {
		if (r < 0) {
			snprintf(m->text, sizeof m->text, "its manifest in the "
			    "source store is damaged");
			st = ST_IO;
			break;
		}
		st = (*to)->offer(to, &m->e, m->text, sizeof m->text);
		if (st == ST_NEED)
			st = send_file(m);
	}
	(*from)->close_snapshot(from);
	if (st == ST_OK)
		st = (*to)->commit(to, 0, &run, m->text, sizeof m->text);
	(*to)->end(to);
	if (st == ST_OK)
		info("%s/%s@%s: copied, %s, %s sent", m->client, m->id,
		    snap, nwords(run.files, "file", "files"),
		    nwords(run.received, "file", "files"));
	return st;
}

/* Every snapshot of backup m->id the destination does not hold yet. */
static void
copy_backup(struct mig *m)
{
	const store_class **from = m->from, **to = m->to;
	struct snapinfo have;
	char snap[SNAP_MAX], newest[SNAP_MAX] = "";
	int r;

	if ((*to)->info(to, m->client, m->id, NULL, &have) == ST_OK)
		memcpy(newest, have.name, SNAP_MAX);
	snap[0] = 0;
	while ((r = (*from)->next_snapshot(from, m->client, m->id, snap,
	    snap)) == 1) {
		if ((*to)->info(to, m->client, m->id, snap, &have) == ST_OK) {
			m->skipped++;
			continue;
		}
		if (strcmp(snap, newest) <= 0) {
			msg("%s/%s@%s: not copied: the destination has a newer "
			    "snapshot of this backup (%s), and snapshots go in "
			    "in order", m->client, m->id, snap, newest);
			m->failed++;
			continue;
		}
		m->text[0] = 0;
		if (copy_snapshot(m, snap) != ST_OK) {
			/* The later ones wait for it: names must grow. */
			msg("%s/%s@%s: not copied: %s; the later snapshots of "
			    "this backup wait for it", m->client, m->id, snap,
			    m->text[0] ? m->text : "the store refused it");
			m->failed++;
			return;
		}
		memcpy(newest, snap, SNAP_MAX);
		m->snaps++;
	}
	if (r < 0) {
		msg("%s/%s: its snapshots in the source store cannot be "
		    "listed", m->client, m->id);
		m->failed++;
	}
}

int
migrate_run(const store_class **from, const store_class **to)
{
	static struct mig m;
	char client[CLIENT_MAX + 1] = "", id[ID_LEN + 1];
	int r, b;

	memset(&m, 0, sizeof m);
	m.from = from;
	m.to = to;
	while ((r = (*from)->next_client(from, client, client)) == 1) {
		if (!(*to)->client_ok(to, client)) {
			msg("%s: not a client name the destination can hold",
			    client);
			m.failed++;
			continue;
		}
		m.client = client;
		id[0] = 0;
		while ((b = (*from)->next_backup(from, client, id, id)) == 1) {
			m.id = id;
			copy_backup(&m);
		}
		if (b < 0) {
			msg("%s: its backups in the source store cannot be "
			    "listed", client);
			m.failed++;
		}
	}
	if (r < 0) {
		msg("the clients of the source store cannot be listed");
		m.failed++;
	}
	info("migrate: %s copied, %s already there, %s",
	    nwords(m.snaps, "snapshot", "snapshots"),
	    nwords(m.skipped, "snapshot", "snapshots"),
	    m.failed ? nwords(m.failed, "failure", "failures") : "no failure");
	return m.failed ? 1 : 0;
}

#endif /* CAIRN_S3 */
