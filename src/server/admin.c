/* admin.c — cairnd --check and --prune; see admin.h. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "md5.h"
#include "path.h"
#include "port.h"
#include "util.h"

#define DATA_READ 32768		/* bytes read at a time with --read-data */

/* Where the check is, and what it found. */
struct chk {
	const store_class **st;
	const struct check_opts *o;
	char where[CLIENT_MAX + ID_LEN + SNAP_MAX + 4];	/* client/id/snap */
	uint64_t problems;	/* in the whole store */
	uint64_t here;		/* in the snapshot being checked */
	uint64_t stale;
};

/* One finding: "client/id/snap: path: what"; a problem counts. */
static void
say(void *arg, const char *path, const char *what, int problem)
{
	struct chk *c = arg;
	char sh[PATH_CAP];

	if (path != NULL && path[0] != 0)
		printf("%s: %s: %s\n", c->where,
		    shown(path, strlen(path), sh, sizeof sh), what);
	else
		printf("%s: %s\n", c->where, what);
	if (problem) {
		c->problems++;
		c->here++;
	}
}

/* Hash n zero bytes (a hole) into m, using buf[cap] as room: n. */
static uint64_t
md5_zeros(struct md5 *m, uint8_t *buf, size_t cap, uint64_t n)
{
	uint64_t left;
	size_t k;

	memset(buf, 0, cap);
	for (left = n; left > 0; left -= k) {
		k = left < cap ? (size_t)left : cap;
		md5_update(m, buf, k);
	}
	return n;
}

/* The file e of the open snapshot: there, of its size, and with
 * --read-data of its MD5. */
static void
check_file(struct chk *c, const struct entry *e)
{
	static uint8_t data[DATA_READ];
	char what[120];
	struct md5 m;
	uint8_t md[MD5_LEN];
	uint64_t size, got = 0, hole;
	long n = 0;

	if ((*c->st)->open_file(c->st, e->path, &size) < 0) {
		say(c, e->path, "missing from the snapshot", 1);
		return;
	}
	if (size != e->size) {
		snprintf(what, sizeof what, "%llu bytes, the manifest says %llu",
		    (unsigned long long)size, (unsigned long long)e->size);
		say(c, e->path, what, 1);
	} else if (c->o->read_data) {
		md5_init(&m);
		while ((n = (*c->st)->read_file(c->st, data, sizeof data,
		    &hole)) > 0 || (n == 0 && hole > 0)) {
			if (n == 0)
				got += md5_zeros(&m, data, sizeof data, hole);
			else
				md5_update(&m, data, (size_t)n);
			got += (uint64_t)n;
		}
		md5_final(&m, md);
		if (n < 0)
			say(c, e->path, "cannot be read", 1);
		else if (got != e->size || memcmp(md, e->md5, MD5_LEN) != 0)
			say(c, e->path, "its data does not match its MD5", 1);
	}
	(*c->st)->close_file(c->st);
}

/* One snapshot: its entries in order, each file there, then what the
 * backend keeps beside them; and its summary line. */
static void
check_snapshot(struct chk *c, const char *client, const char *id,
    const char *snap)
{
	static struct entry e;
	static char last[PATH_CAP];	/* the previous entry's path */
	size_t llen = 0;
	char text[MSG_MAX + 1];
	struct snapinfo si;
	uint64_t entries = 0, files = 0, bytes = 0, links = 0, lbytes = 0;
	int got;

	snprintf(c->where, sizeof c->where, "%s/%s/%s", client, id, snap);
	c->here = 0;
	if ((*c->st)->open_snapshot(c->st, client, id, snap, &si, text,
	    sizeof text) != ST_OK) {
		say(c, NULL, text, 1);
		return;
	}
	while ((got = (*c->st)->next_entry(c->st, &e)) == 1) {
		if (entries++ > 0 && path_cmp(last, llen, e.path, e.plen) >= 0)
			say(c, e.path, "out of order in the manifest", 1);
		memcpy(last, e.path, e.plen + 1);
		llen = e.plen;
		if (!ENTRY_HAS_DATA(&e))
			continue;
		if (e.type == E_FILE) {
			files++;
			bytes += e.size;
		} else {
			links++;
			lbytes += e.size;
		}
		check_file(c, &e);
	}
	if (got < 0)
		say(c, NULL, "the manifest is damaged", 1);
	/* The totals count files, or (as v1 clients see them) files and
	 * hard links. */
	if ((files != si.files || bytes != si.bytes) &&
	    (files + links != si.files || bytes + lbytes != si.bytes))
		say(c, NULL, "the manifest's totals do not match its entries", 1);
	(*c->st)->close_snapshot(c->st);
	(*c->st)->verify(c->st, client, id, snap, say, c);
	printf("%s: %llu entries, %llu files, %llu bytes%s: %s\n", c->where,
	    (unsigned long long)entries, (unsigned long long)files,
	    (unsigned long long)bytes, c->o->read_data ? " read" : "",
	    c->here ? "PROBLEMS" : "ok");
}

/* With --stale: whether the newest snapshot of a backup is too old. */
static void
check_age(struct chk *c, const char *client, const char *id)
{
	struct snapinfo si;
	int64_t now = port_time();

	if (c->o->stale_s == 0)
		return;
	snprintf(c->where, sizeof c->where, "%s/%s", client, id);
	if ((*c->st)->info(c->st, client, id, NULL, &si) != ST_OK) {
		printf("%s: stale: no snapshot\n", c->where);
		c->stale++;
	} else if (si.time < now - (int64_t)c->o->stale_s) {
		printf("%s: stale: the newest snapshot, %s, is %lld hours old\n",
		    c->where, si.name, (long long)(now - si.time) / 3600);
		c->stale++;
	}
}

/* Every snapshot of one backup, then the backend's records of it. */
static void
check_backup(struct chk *c, const char *client, const char *id)
{
	char snap[SNAP_MAX] = "";

	while ((*c->st)->next_snapshot(c->st, client, id, snap, snap) == 1)
		check_snapshot(c, client, id, snap);
	snprintf(c->where, sizeof c->where, "%s/%s", client, id);
	(*c->st)->verify(c->st, client, id, NULL, say, c);
	check_age(c, client, id);
}

/* Every backup of one client (or the one asked for). 0, or -1 when the
 * one asked for is not there. */
static int
check_client(struct chk *c, const char *client)
{
	char id[ID_LEN + 1] = "", snap[SNAP_MAX];

	if (c->o->id != NULL) {
		if ((*c->st)->next_snapshot(c->st, client, c->o->id, "",
		    snap) < 0)
			return -1;
		check_backup(c, client, c->o->id);
		return 0;
	}
	while ((*c->st)->next_backup(c->st, client, id, id) == 1)
		check_backup(c, client, id);
	return 0;
}

int
check_run(const store_class **st, const struct check_opts *o)
{
	static struct chk c;
	char client[CLIENT_MAX + 1] = "";

	c.st = st;
	c.o = o;
	if (o->client != NULL) {
		if (check_client(&c, o->client) < 0) {
			msg("%s/%s: no such backup", o->client, o->id);
			return EXIT_USAGE;
		}
	} else {
		while ((*st)->next_client(st, client, client) == 1)
			check_client(&c, client);
	}
	fflush(stdout);
	if (c.problems > 0 || c.stale > 0)
		msg("%llu problem(s), %llu stale backup(s)",
		    (unsigned long long)c.problems, (unsigned long long)c.stale);
	return c.problems > 0 || c.stale > 0 ? 1 : 0;
}

int
prune_run(const store_class **st, const char *client, const char *id,
    unsigned keep)
{
	char name[SNAP_MAX] = "", text[MSG_MAX + 1];
	uint64_t files, bytes;
	unsigned count = 0;
	int got;

	while ((got = (*st)->next_snapshot(st, client, id, name, name)) == 1)
		count++;
	if (got < 0) {
		msg("%s/%s: no such backup", client, id);
		return EXIT_USAGE;
	}
	for (; count > keep; count--) {
		name[0] = 0;
		if ((*st)->next_snapshot(st, client, id, name, name) != 1)
			break;
		if ((*st)->remove(st, client, id, name, 0, &files, &bytes, text,
		    sizeof text) != ST_OK) {
			msg("%s/%s/%s: %s", client, id, name, text);
			return 1;
		}
		printf("%s/%s/%s: removed (%llu files, %llu bytes)\n", client,
		    id, name, (unsigned long long)files,
		    (unsigned long long)bytes);
	}
	return 0;
}

int
parse_duration(const char *s, uint64_t *v)
{
	char num[24];
	size_t n = strlen(s);
	uint64_t mul;

	if (n < 2 || n >= sizeof num)
		return -1;
	switch (s[n - 1]) {
	case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	default: return -1;
	}
	memcpy(num, s, n - 1);
	num[n - 1] = 0;
	if (parse_u64(num, 1, UINT64_MAX / 86400, v) < 0)
		return -1;
	*v *= mul;
	return 0;
}
