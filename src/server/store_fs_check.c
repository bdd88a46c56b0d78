/*
 * store_fs_check.c — what the local backend keeps beside the entries,
 * held against them for cairnd --check: each snapshot's tree (the types
 * and link targets of its entries, and nothing more than they), its MD5
 * index, and per backup the manifests without a snapshot and the catalog
 * record. See store_fs.h for the layout.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fsutil.h"
#include "store_fs.h"

typedef void (*say_fn)(void *arg, const char *path, const char *what,
    int problem);

/* 1 if e is in the manifest only, not in the tree: FIFOs, devices and
 * the root entry (store_fs.h). */
static int
manifest_only(const struct entry *e)
{
	return e->plen == 0 || e->type == E_FIFO || e->type == E_CHR ||
	    e->type == E_BLK;
}

/* The hard link e: the same inode in the tree as its first path. */
static void
tree_hard(int sfd, struct dircache *dc, const struct entry *e,
    const struct port_stat *st, say_fn say, void *arg)
{
	struct port_stat fst;
	const char *leaf;
	int dfd = dircache_parent(dc, sfd, e->target, &leaf);

	if (dfd < 0 || port_fstatat(dfd, leaf, &fst) < 0 ||
	    fst.ino != st->ino || fst.dev != st->dev || st->nlink < 2)
		say(arg, e->path, "not a hard link to its first path", 1);
}

/* Entry e as the snapshot's tree (beneath sfd) holds it: its type, a
 * link's target, a hard link's inode. */
static void
tree_entry(int sfd, struct dircache *dc, const struct entry *e, say_fn say,
    void *arg)
{
	static char target[PATH_CAP];
	struct port_stat st;
	const char *leaf;
	long n;
	int dfd = dircache_parent(dc, sfd, e->path, &leaf);

	if (dfd < 0 || port_fstatat(dfd, leaf, &st) < 0) {
		if (!ENTRY_HAS_DATA(e))	/* files are told missing already */
			say(arg, e->path, "missing from the snapshot", 1);
		return;
	}
	if ((e->type == E_DIR && st.type != PORT_DIR) ||
	    (e->type == E_LINK && st.type != PORT_LNK) ||
	    (ENTRY_HAS_DATA(e) && st.type != PORT_REG)) {
		say(arg, e->path, "not of the type the manifest says", 1);
		return;
	}
	if (e->type == E_LINK && ((n = port_readlinkat(dfd, leaf, target,
	    sizeof target)) < 0 || (size_t)n != e->tlen ||
	    memcmp(target, e->target, e->tlen) != 0))
		say(arg, e->path, "the link's target is not the manifest's", 1);
	if (e->type == E_HARD)
		tree_hard(sfd, dc, e, &st, say, arg);
}

/* A file of the manifest found through the MD5 index (a record with the
 * same MD5: the first one). */
static void
index_entry(struct mdindex *x, int man, const struct entry *e, say_fn say,
    void *arg)
{
	static char line[LINE_MAX_BYTES];
	static struct json j;
	static struct entry pe;
	const char *nl;
	uint64_t off;
	long n;

	if (mdindex_find(x, e->md5, &off) != 1) {
		say(arg, e->path, "not in the MD5 index", 1);
		return;
	}
	n = port_pread(man, line, sizeof line, off);
	nl = n > 0 ? memchr(line, '\n', (size_t)n) : NULL;
	if (nl == NULL || json_parse(&j, line, (size_t)(nl - line)) < 0 ||
	    entry_parse(&j, &pe, NULL) < 0 ||
	    memcmp(pe.md5, e->md5, MD5_LEN) != 0)
		say(arg, e->path, "the MD5 index points at another record", 1);
}

/* One snapshot: its tree and its index against its manifest. */
static void
verify_snapshot(int bfd, const char *snap, say_fn say, void *arg)
{
	static struct lines l;
	static struct json j;
	static struct entry e;
	static struct dircache dc;
	char what[120], name[SNAP_MAX + 8];
	struct mdindex x;
	uint64_t entries = 0, tree = 0;
	const char *p;
	size_t n;
	int man, sfd, mdir, ifd, ix = 0;

	man = fs_open_manifest(bfd, snap);
	sfd = port_openat_dir(bfd, snap);
	if (man < 0 || sfd < 0) {
		say(arg, NULL, "its manifest or its tree cannot be opened", 1);
		goto out;
	}
	snprintf(name, sizeof name, "%s.idx", snap);
	mdir = port_openat_dir(bfd, ".manifests");
	ifd = mdir < 0 ? -1 : port_openat_read(mdir, name);
	if (mdir >= 0)
		port_close(mdir);
	if (ifd >= 0 && mdindex_open(&x, ifd) == 0)
		ix = 1;
	else
		say(arg, NULL, "note: no MD5 index (renamed files would be sent "
		    "again once)", 0);
	dircache_init(&dc);
	lines_open(&l, man);
	if (lines_next(&l, &p, &n) == 1)	/* the header */
		while (entry_next(&l, &j, &e, NULL) == 1) {
			if (manifest_only(&e))
				continue;
			entries++;
			tree_entry(sfd, &dc, &e, say, arg);
			if (ix && e.type == E_FILE)
				index_entry(&x, man, &e, say, arg);
		}
	dircache_close(&dc);
	if (count_at(bfd, snap, &tree) < 0)
		say(arg, NULL, "its tree cannot be read whole", 1);
	else if (tree != entries) {
		snprintf(what, sizeof what, "its tree holds %llu entries, the "
		    "manifest %llu", (unsigned long long)tree,
		    (unsigned long long)entries);
		say(arg, NULL, what, 1);
	}
	if (ifd >= 0)
		port_close(ifd);
out:
	if (man >= 0)
		port_close(man);
	if (sfd >= 0)
		port_close(sfd);
}

/* The catalog's record of backup id: there, naming its newest snapshot. */
static void
verify_catalog(int root, const char *client, const char *id,
    const char *newest, say_fn say, void *arg)
{
	static struct lines l;
	static struct json j;
	char cl[CLIENT_MAX + 1], bid[ID_LEN + 1], snap[SNAP_MAX];
	const char *p;
	size_t n, k;
	int fd, found = 0;

	if ((fd = port_openat_read(root, "backup_state.json")) < 0) {
		if (newest[0])
			say(arg, NULL, "note: backup_state.json is missing (the "
			    "next run makes it)", 0);
		return;
	}
	lines_open(&l, fd);
	while (!found && lines_next(&l, &p, &n) == 1)
		if (json_parse(&j, p, n) == 0 &&
		    json_str(&j, "client", cl, sizeof cl, &k) == 0 &&
		    json_str(&j, "id", bid, sizeof bid, &k) == 0 &&
		    strcmp(cl, client) == 0 && strcmp(bid, id) == 0)
			found = json_str(&j, "snapshot", snap, sizeof snap,
			    &k) == 0 ? 1 : 2;
	port_close(fd);
	if (newest[0] && !found)
		say(arg, NULL, "note: backup_state.json has no record of it "
		    "(its next run makes one)", 0);
	else if (found == 2 || (found && strcmp(snap, newest) != 0))
		say(arg, NULL, "note: backup_state.json names another newest "
		    "snapshot (its next run brings it up to date)", 0);
}

/* Manifests whose snapshot is not there. */
static void
verify_manifests(int bfd, say_fn say, void *arg)
{
	struct port_stat st;
	struct port_dir *d;
	const char *name;
	enum port_type type;
	char snap[SNAP_MAX + 8];
	size_t n;
	int mdir = port_openat_dir(bfd, ".manifests");

	if (mdir < 0 || (d = port_dir_open(mdir)) == NULL) {
		if (mdir >= 0)
			port_close(mdir);
		return;
	}
	while (port_dir_next(d, &name, &type) > 0) {
		n = strlen(name);
		if (name[0] == '.' || n <= 5 || n >= sizeof snap ||
		    strcmp(name + n - 5, ".json") != 0)
			continue;
		memcpy(snap, name, n - 5);
		snap[n - 5] = 0;
		if (port_fstatat(bfd, snap, &st) < 0 || st.type != PORT_DIR)
			say(arg, name, "note: a manifest without its snapshot (a "
			    "commit that did not finish: the next run removes "
			    "it)", 0);
	}
	port_dir_close(d);
	port_close(mdir);
}

void
fs_verify(const store_class **ctx, const char *client, const char *id,
    const char *snap, say_fn say, void *arg)
{
	struct store_fs *fs = (struct store_fs *)ctx;
	char newest[SNAP_MAX];
	int bfd = fs_open_backup(fs->root, client, id);

	if (bfd < 0) {
		say(arg, NULL, strerror(errno), 1);
		return;
	}
	if (snap != NULL) {
		verify_snapshot(bfd, snap, say, arg);
	} else {
		verify_manifests(bfd, say, arg);
		if (fs_newest(bfd, newest) == 0)
			verify_catalog(fs->root, client, id, newest, say, arg);
	}
	port_close(bfd);
}
