/*
 * store_fs_cat.c — the local backend's catalog (backups, snapshots, their
 * totals), reading a snapshot, removal, the state file and usage counts;
 * see store_fs.h.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "fsutil.h"
#include "json.h"
#include "port.h"
#include "store_fs.h"

#define STATE_FILE "backup_state.json"
#define STATE_LOCK ".backup_state.lock"

int
fs_open_backup(int root, const char *client, const char *id)
{
	int c, b;

	if (!store_is_id(id, strlen(id))) {
		errno = ENOENT;
		return -1;
	}
	c = port_openat_dir(root, client);
	if (c < 0)
		return -1;
	b = port_openat_dir(c, id);
	port_close(c);
	return b;
}

static int
wanted(int dfd, int kind, const char *name, enum port_type type)
{
	struct port_stat st;
	size_t n = strlen(name);

	if (kind == FS_IDS ? !store_is_id(name, n) : kind == FS_SNAPS ?
	    !store_is_snap(name, n) : (n > CLIENT_MAX ||
	    !fs_client_ok(NULL, name)))
		return 0;
	if (type == PORT_UNKNOWN) {
		if (port_fstatat(dfd, name, &st) < 0)
			return 0;
		type = st.type;
	}
	return type == PORT_DIR;
}

int
fs_next(int dfd, int kind, const char *after_in, char *out)
{
	struct port_dir *d;
	const char *name;
	enum port_type type;
	char after[FS_NAME_MAX];
	int r, found = 0;

	snprintf(after, sizeof after, "%s", after_in);	/* may be out */
	d = port_dir_open(dfd);
	if (d == NULL)
		return -1;
	while ((r = port_dir_next(d, &name, &type)) > 0) {
		if (strcmp(name, after) <= 0 || (found && strcmp(name, out) >= 0))
			continue;
		if (!wanted(dfd, kind, name, type))
			continue;
		snprintf(out, FS_NAME_MAX, "%s", name);	/* as long as its
							 * kind allows */
		found = 1;
	}
	port_dir_close(d);
	return r < 0 ? -1 : found;
}

int
fs_newest(int backup, char *out)
{
	struct port_dir *d;
	const char *name;
	enum port_type type;
	int r;

	out[0] = 0;
	d = port_dir_open(backup);
	if (d == NULL)
		return -1;
	while ((r = port_dir_next(d, &name, &type)) > 0)
		if (strcmp(name, out) > 0 && wanted(backup, FS_SNAPS, name,
		    type))
			snprintf(out, SNAP_MAX, "%s", name);
	port_dir_close(d);
	return r;
}

int
fs_open_manifest(int backup, const char *snap)
{
	char name[SNAP_MAX + 8];
	int mdir, fd;

	snprintf(name, sizeof name, "%s.json", snap);
	mdir = port_openat_dir(backup, ".manifests");
	if (mdir < 0)
		return -1;
	fd = port_openat_read(mdir, name);
	port_close(mdir);
	return fd;
}

int
fs_info(int backup, const char *snap, struct snapinfo *si)
{
	static struct lines l;
	static struct json j;
	size_t n;
	const char *p;
	int fd, r = -1;

	memset(si, 0, sizeof *si);
	snprintf(si->name, sizeof si->name, "%s", snap);
	fd = fs_open_manifest(backup, snap);
	if (fd < 0)
		return -1;
	lines_open(&l, fd);
	if (lines_next(&l, &p, &n) == 1 && json_parse(&j, p, n) == 0 &&
	    json_find(&j, "cairn_manifest") >= 0) {
		/* Totals are missing from a manifest cut short: 0. */
		json_u64(&j, "files", &si->files);
		json_u64(&j, "bytes", &si->bytes);
		json_u64(&j, "failed", &si->failed);	/* v2; v1: 0 */
		json_i64(&j, "time", &si->time);
		json_str(&j, "source", si->source, sizeof si->source, &n);
		r = 0;
	}
	port_close(fd);
	if (r < 0)
		errno = EINVAL;
	return r;
}

static uint64_t manifest_charge(int mdir, const char *name);

int
fs_remove_snapshot(int backup, const char *snap, uint64_t *freed)
{
	char trash[SNAP_MAX + 8], man[SNAP_MAX + 8], idx[SNAP_MAX + 8];
	int mdir;

	snprintf(trash, sizeof trash, ".trash-%s", snap);
	snprintf(man, sizeof man, "%s.json", snap);
	snprintf(idx, sizeof idx, "%s.idx", snap);
	if (rmtree_at(backup, trash) < 0 ||
	    port_renameat(backup, snap, backup, trash) < 0 ||
	    port_fsync(backup) < 0)
		return -1;
	mdir = port_openat_dir(backup, ".manifests");
	if (mdir >= 0) {
		*freed += manifest_charge(mdir, man);
		port_unlinkat(mdir, man, 0);
		port_unlinkat(mdir, idx, 0);
		port_close(mdir);
	}
	return rmtree_count(backup, trash, freed);
}

static int
remove_backup(int client_fd, const char *id, uint64_t *freed)
{
	char trash[ID_LEN + 8];

	snprintf(trash, sizeof trash, ".trash-%s", id);
	if (rmtree_at(client_fd, trash) < 0 ||
	    port_renameat(client_fd, id, client_fd, trash) < 0 ||
	    port_fsync(client_fd) < 0)
		return -1;
	return rmtree_count(client_fd, trash, freed);
}

void
fs_clean_trash(int dfd)
{
	struct port_dir *d;
	const char *name;
	enum port_type type;
	char victim[SNAP_MAX + 8];
	int again = 1;

	/* Each pass removes one name, then reads the directory afresh. */
	while (again) {
		again = 0;
		d = port_dir_open(dfd);
		if (d == NULL)
			return;
		while (port_dir_next(d, &name, &type) > 0)
			if (strncmp(name, ".trash-", 7) == 0 &&
			    strlen(name) < sizeof victim) {
				memcpy(victim, name, strlen(name) + 1);
				again = 1;
				break;
			}
		port_dir_close(d);
		if (again && rmtree_at(dfd, victim) < 0)
			return;
	}
}

int
fs_state(int root, const char *client, const char *id,
    const char *source, const char *snapshot)
{
	static struct lines in;
	static struct linew out;
	static struct json j;
	static uint8_t line[LINE_MAX_BYTES];
	static char oid[64], ocl[CLIENT_MAX + 1];
	char rel[CLIENT_MAX + ID_LEN + 2];
	struct port_tmp t;
	struct buf b;
	const char *p;
	size_t n, idn, cln;
	int lock, fd, r;

	lock = port_openat_rw(root, STATE_LOCK, 0600);
	if (lock < 0 || port_lock(lock) < 0) {
		if (lock >= 0)
			port_close(lock);
		return -1;
	}
	port_tmp_clean(root);	/* what a writer killed meanwhile left */
	if (port_tmp_open(&t, root, 0644) < 0) {
		port_close(lock);
		return -1;
	}
	linew_open(&out, t.fd);
	r = 0;
	fd = port_openat_read(root, STATE_FILE);
	if (fd >= 0) {
		lines_open(&in, fd);
		while ((r = lines_next(&in, &p, &n)) == 1) {
			if (json_parse(&j, p, n) == 0 &&
			    json_str(&j, "id", oid, sizeof oid, &idn) == 0 &&
			    json_str(&j, "client", ocl, sizeof ocl, &cln) == 0 &&
			    strcmp(oid, id) == 0 && strcmp(ocl, client) == 0)
				continue;	/* replaced below, or removed */
			if (linew_put(&out, p, n) < 0)
				break;
		}
		port_close(fd);
		if (r < 0)
			msg("%s was damaged; rewriting what could be read",
			    STATE_FILE);
	}
	r = 0;
	if (snapshot != NULL) {
		buf_init(&b, line, sizeof line);
		buf_putc(&b, '{');
		json_put_key(&b, "id", 1);
		json_put_str(&b, id, strlen(id));
		json_put_key(&b, "client", 0);
		json_put_str(&b, client, strlen(client));
		json_put_key(&b, "source", 0);
		json_put_str(&b, source, strlen(source));
		json_put_key(&b, "path", 0);
		snprintf(rel, sizeof rel, "%s/%s", client, id);
		json_put_str(&b, rel, strlen(rel));
		json_put_key(&b, "snapshot", 0);
		json_put_str(&b, snapshot, strlen(snapshot));
		json_put_key(&b, "date", 0);
		buf_sdec(&b, port_time());
		buf_putc(&b, '}');
		r = b.err || linew_put(&out, b.p, b.len) < 0 ? -1 : 0;
	}
	if (r == 0 && linew_close(&out) == 0) {
		r = port_tmp_commit(&t, STATE_FILE);
	} else {
		port_tmp_abort(&t);
		r = -1;
	}
	port_close(lock);
	return r;
}

/* ---- usage, for --quota ------------------------------------------------ */

/* The "charge" of a manifest's header (what its entries cost), or 0. */
static uint64_t
manifest_charge(int mdir, const char *name)
{
	static struct lines l;
	static struct json j;
	uint64_t v = 0;
	const char *p;
	size_t n;
	int fd = port_openat_read(mdir, name);

	if (fd < 0)
		return 0;
	lines_open(&l, fd);
	if (lines_next(&l, &p, &n) != 1 || json_parse(&j, p, n) < 0 ||
	    json_u64(&j, "charge", &v) < 0)
		v = 0;
	port_close(fd);
	return v;
}

/* Add what the manifests in mdir charge. */
static void
count_manifests(int mdir, uint64_t *bytes)
{
	struct port_dir *d = port_dir_open(mdir);
	const char *name;
	enum port_type type;
	size_t n;

	if (d == NULL)
		return;
	while (port_dir_next(d, &name, &type) > 0)
		if (name[0] != '.' && (n = strlen(name)) > 5 &&
		    strcmp(name + n - 5, ".json") == 0)
			*bytes += manifest_charge(mdir, name);
	port_dir_close(d);
}

/*
 * What one backup charges: the files of its snapshots, of its partial
 * and interrupted runs (each counted size / links, so that hard links
 * count once), and its manifests' charges. 0 or -1.
 */
static int
count_backup(int bfd, uint64_t *bytes)
{
	struct port_dir *d = port_dir_open(bfd);
	struct port_stat st;
	const char *name;
	enum port_type type;
	int mdir, r = 0;

	if (d == NULL)
		return -1;
	while (r == 0 && port_dir_next(d, &name, &type) > 0) {
		if (strcmp(name, ".manifests") == 0) {
			if ((mdir = port_openat_dir(bfd, name)) >= 0) {
				count_manifests(mdir, bytes);
				port_close(mdir);
			}
			continue;
		}
		if (type == PORT_UNKNOWN && port_fstatat(bfd, name, &st) == 0)
			type = st.type;
		if (type == PORT_DIR)
			r = du_at(bfd, name, bytes);
	}
	port_dir_close(d);
	return r;
}

/* What all the client's backups (open in cfd) charge. 0 or -1. */
static int
count_client(int cfd, uint64_t *bytes)
{
	char id[SNAP_MAX] = "";
	int bfd, r = 0;

	*bytes = 0;
	while (r == 0 && fs_next(cfd, FS_IDS, id, id) == 1) {
		bfd = port_openat_dir(cfd, id);
		r = bfd < 0 ? -1 : count_backup(bfd, bytes);
		if (bfd >= 0)
			port_close(bfd);
	}
	return r;
}

/* Read DIR/<client>/.usage: 0, or -1 when missing or damaged. */
static int
usage_read(int cfd, uint64_t *bytes)
{
	static struct lines l;
	static struct json j;
	const char *p;
	size_t n;
	int fd, r = -1;

	fd = port_openat_read(cfd, ".usage");
	if (fd < 0)
		return -1;
	lines_open(&l, fd);
	if (lines_next(&l, &p, &n) == 1 && json_parse(&j, p, n) == 0 &&
	    json_u64(&j, "bytes", bytes) == 0)
		r = 0;
	port_close(fd);
	return r;
}

/* Replace DIR/<client>/.usage. Not made durable: it is a count that
 * cairnd --quota takes anew when it starts. */
static int
usage_write(int cfd, uint64_t bytes)
{
	static struct linew w;
	char line[64];
	struct port_tmp t;
	int n;

	if (port_tmp_open(&t, cfd, 0644) < 0)
		return -1;
	linew_open(&w, t.fd);
	n = snprintf(line, sizeof line, "{\"bytes\":%llu}",
	    (unsigned long long)bytes);
	if (linew_put(&w, line, (size_t)n) < 0 || linew_close(&w) < 0) {
		port_tmp_abort(&t);
		return -1;
	}
	return port_tmp_rename(&t, ".usage");
}

/* The client's directory and its usage lock, held, and its usage (counted
 * when it is not known). */
static int
usage_lock(int root, const char *client, int *cfd, uint64_t *bytes)
{
	int lock;

	*cfd = mkdir_open(root, client, 0700);
	if (*cfd < 0)
		return -1;
	lock = port_openat_rw(*cfd, ".usage.lock", 0600);
	if (lock < 0 || port_lock(lock) < 0) {
		if (lock >= 0)
			port_close(lock);
		port_close(*cfd);
		return -1;
	}
	port_tmp_clean(*cfd);	/* what a writer killed meanwhile left */
	if (usage_read(*cfd, bytes) < 0 && (count_client(*cfd, bytes) < 0 ||
	    usage_write(*cfd, *bytes) < 0)) {
		port_close(lock);
		port_close(*cfd);
		return -1;
	}
	return lock;
}

int
fs_usage(int root, const char *client, uint64_t *bytes)
{
	int cfd, lock = usage_lock(root, client, &cfd, bytes);

	if (lock < 0)
		return -1;
	port_close(lock);
	port_close(cfd);
	return 0;
}

int
fs_charge(int root, const char *client, int64_t delta, uint64_t quota,
    uint64_t *used)
{
	uint64_t bytes = 0;
	int cfd, lock, r = 0;

	lock = usage_lock(root, client, &cfd, &bytes);
	if (lock < 0)
		return -1;
	if (delta > 0 && quota > 0 && (bytes > quota ||
	    (uint64_t)delta > quota - bytes))
		r = 1;
	else if (delta < 0)
		bytes = (uint64_t)-delta > bytes ? 0 : bytes - (uint64_t)-delta;
	else
		bytes += (uint64_t)delta;
	if (r == 0 && delta != 0 && usage_write(cfd, bytes) < 0)
		r = -1;
	if (used != NULL)
		*used = bytes;
	port_close(lock);
	port_close(cfd);
	return r;
}

int
fs_lock(int backup, unsigned which, int how)
{
	int fd = port_openat_rw(backup, ".lock", 0600);

	if (fd >= 0 && port_lock_byte(fd, which, how) < 0) {
		int e = errno;
		port_close(fd);
		errno = e;
		fd = -1;
	}
	return fd;
}

/* ---- the catalog -------------------------------------------------------- */

/* DIR holds the clients' directories and the store's own files: names
 * beginning with '.' (which no client name does) and the catalog. Every
 * "*.json" is kept for the store, so that later files of its own cannot
 * collide with a client either. */
int
fs_client_ok(const store_class **ctx, const char *client)
{
	size_t n = strlen(client);

	(void)ctx;
	return client[0] != '.' && !(n >= 5 && strcmp(client + n - 5,
	    ".json") == 0);
}

int
fs_next_backup(const store_class **ctx, const char *client, const char *after,
    char *id)
{
	struct store_fs *fs = (struct store_fs *)ctx;
	char name[SNAP_MAX];
	int cfd, r;

	cfd = port_openat_dir(fs->root, client);
	if (cfd < 0)
		return errno == ENOENT ? 0 : -1;
	r = fs_next(cfd, FS_IDS, after, name);
	port_close(cfd);
	if (r == 1)
		memcpy(id, name, ID_LEN + 1);
	return r;
}

int
fs_next_snapshot(const store_class **ctx, const char *client, const char *id,
    const char *after, char *name)
{
	struct store_fs *fs = (struct store_fs *)ctx;
	int bfd, r;

	bfd = fs_open_backup(fs->root, client, id);
	if (bfd < 0)
		return -1;
	r = fs_next(bfd, FS_SNAPS, after, name);
	port_close(bfd);
	return r;
}

unsigned
fs_info_of(const store_class **ctx, const char *client, const char *id,
    const char *snap, struct snapinfo *si)
{
	struct store_fs *fs = (struct store_fs *)ctx;
	char newest[SNAP_MAX];
	unsigned st = ST_OK;
	int bfd;

	memset(si, 0, sizeof *si);
	bfd = fs_open_backup(fs->root, client, id);
	if (bfd < 0)
		return errno == ENOENT ? ST_NOT_FOUND : ST_IO;
	if (snap == NULL || snap[0] == 0) {
		if (fs_newest(bfd, newest) < 0)
			st = ST_IO;
		snap = newest;
	}
	if (st == ST_OK && (!store_is_snap(snap, strlen(snap)) ||
	    fs_info(bfd, snap, si) < 0))
		st = ST_NOT_FOUND;
	port_close(bfd);
	return st;
}

/* ---- reading a snapshot ------------------------------------------------- */

void
fs_close_snapshot(const store_class **ctx)
{
	struct fs_read *r = &((struct store_fs *)ctx)->rd;

	close_fd(&r->file);
	close_fd(&r->man.fd);
	dircache_close(&r->dir);
	close_fd(&r->snap);
	close_fd(&r->lock);
	r->client[0] = r->id[0] = 0;
}

/* The snapshot directory, manifest and info of backup bfd's snap. */
static int
open_snap(struct fs_read *r, int bfd, const char *snap, struct snapinfo *si)
{
	const char *p;
	size_t n;
	int fd;

	r->snap = store_is_snap(snap, strlen(snap)) ?
	    port_openat_dir(bfd, snap) : -1;
	fd = fs_open_manifest(bfd, snap);
	if (r->snap < 0 || fd < 0 || fs_info(bfd, snap, si) < 0) {
		if (fd >= 0)
			port_close(fd);
		return -1;
	}
	lines_open(&r->man, fd);
	r->damaged = lines_next(&r->man, &p, &n) < 0;	/* the header */
	return 0;
}

unsigned
fs_open_snapshot(const store_class **ctx, const char *client, const char *id,
    const char *snap, struct snapinfo *si, char *text, size_t cap)
{
	struct store_fs *fs = (struct store_fs *)ctx;
	struct fs_read *r = &fs->rd;
	char newest[SNAP_MAX];
	int bfd;

	fs_close_snapshot(ctx);
	bfd = fs_open_backup(fs->root, client, id);
	if (bfd < 0) {
		snprintf(text, cap, "backup %.40s: not found or not yours", id);
		return ST_NOT_FOUND;
	}
	if (snap == NULL || snap[0] == 0) {
		if (fs_newest(bfd, newest) < 0 || !newest[0]) {
			port_close(bfd);
			snprintf(text, cap, "this backup has no snapshot yet");
			return ST_NOT_FOUND;
		}
		snap = newest;
	}
	r->lock = fs_lock(bfd, LOCK_READ, PORT_LOCK_SHARED);
	if (r->lock < 0) {
		port_close(bfd);
		snprintf(text, cap, "backup %.40s is busy: being removed", id);
		return errno == EWOULDBLOCK ? ST_BUSY : ST_IO;
	}
	if (open_snap(r, bfd, snap, si) < 0) {
		port_close(bfd);
		fs_close_snapshot(ctx);
		snprintf(text, cap, "backup %.40s has no snapshot %.40s", id,
		    snap);
		return ST_NOT_FOUND;
	}
	port_close(bfd);
	snprintf(r->client, sizeof r->client, "%s", client);
	snprintf(r->id, sizeof r->id, "%s", id);
	dircache_init(&r->dir);
	snprintf(text, cap, "restoring");
	return ST_OK;
}

/* The next entry of manifest l (parsed in j), its xattrs into
 * xattr[XATTR_MAX]: 1, 0 at the end, -1 if damaged. */
static int
manifest_entry(struct lines *l, struct json *j, uint8_t *xattr,
    struct entry *e)
{
	int got;

	if (l->fd < 0)
		return 0;
	got = entry_next(l, j, e, NULL);
	if (got == 1) {
		if (entry_xattrs(j, xattr, XATTR_MAX, &e->xlen) < 0)
			return -1;
		e->xattr = e->xlen > 0 ? xattr : NULL;
	}
	return got;
}

int
fs_next_entry(const store_class **ctx, struct entry *e)
{
	struct fs_read *r = &((struct store_fs *)ctx)->rd;

	return r->damaged ? -1 : manifest_entry(&r->man, &r->j, r->xattr, e);
}

/* ---- cursors ------------------------------------------------------------ */

void
fs_cursor_close(const store_class **ctx, unsigned c)
{
	struct store_fs *fs = (struct store_fs *)ctx;

	if (c < STORE_CURSORS)
		close_fd(&fs->cur[c].man.fd);
}

/* Backup bfd's snapshot snap ("" or NULL: the newest) into name[SNAP_MAX]:
 * 0, or -1 with text saying there is none. */
static int
snap_named(int bfd, const char *id, const char *snap, char *name,
    char *text, size_t cap)
{
	if (snap == NULL || snap[0] == 0) {
		if (fs_newest(bfd, name) == 0 && name[0] != 0)
			return 0;
		snprintf(text, cap, "backup %.40s has no snapshot yet", id);
		return -1;
	}
	if (store_is_snap(snap, strlen(snap))) {
		snprintf(name, SNAP_MAX, "%s", snap);
		return 0;
	}
	snprintf(text, cap, "backup %.40s has no snapshot %.40s", id, snap);
	return -1;
}

unsigned
fs_cursor_open(const store_class **ctx, unsigned c, const char *client,
    const char *id, const char *snap, struct snapinfo *si, char *text,
    size_t cap)
{
	struct store_fs *fs = (struct store_fs *)ctx;
	struct fs_cursor *k = &fs->cur[c];
	char name[SNAP_MAX];
	const char *p;
	size_t n;
	int bfd, fd = -1;
	unsigned st = ST_NOT_FOUND;

	fs_cursor_close(ctx, c);
	bfd = fs_open_backup(fs->root, client, id);
	if (bfd < 0) {
		snprintf(text, cap, "backup %.40s: not found or not yours", id);
		return errno == ENOENT ? ST_NOT_FOUND : ST_IO;
	}
	if (snap_named(bfd, id, snap, name, text, cap) == 0) {
		fd = fs_open_manifest(bfd, name);
		if (fd < 0 || fs_info(bfd, name, si) < 0)
			snprintf(text, cap, "backup %.40s has no snapshot "
			    "%.40s", id, name);
		else
			st = ST_OK;
	}
	port_close(bfd);
	if (st != ST_OK) {
		if (fd >= 0)
			port_close(fd);
		return st;
	}
	lines_open(&k->man, fd);
	k->damaged = lines_next(&k->man, &p, &n) < 0;	/* the header */
	snprintf(text, cap, "open");
	return ST_OK;
}

int
fs_cursor_next(const store_class **ctx, unsigned c, struct entry *e)
{
	struct fs_cursor *k = &((struct store_fs *)ctx)->cur[c];

	return k->damaged ? -1 : manifest_entry(&k->man, &k->j, k->xattr, e);
}

int
fs_open_file(const store_class **ctx, const char *path, uint64_t *size)
{
	struct fs_read *r = &((struct store_fs *)ctx)->rd;
	struct port_stat st;
	const char *leaf;
	int dfd;

	close_fd(&r->file);
	if (r->snap < 0 || path_check(path, strlen(path)) < 0)
		return -1;
	dfd = dircache_parent(&r->dir, r->snap, path, &leaf);
	r->file = dfd < 0 ? -1 : port_openat_read(dfd, leaf);
	if (r->file < 0 || port_fstat(r->file, &st) < 0 ||
	    st.type != PORT_REG) {
		close_fd(&r->file);
		return -1;
	}
	*size = r->size = st.size;
	r->pos = 0;
	/* Blocks for every byte: no hole to look for (SEEK_DATA, SEEK_HOLE
	 * are two syscalls a file). The store writes holes as holes and
	 * never allocates past the end. */
	r->data_end = st.blocks * 512 >= st.size ? st.size : 0;
	return 0;
}

/* Where the data extent at or after r->pos ends, when r->pos is in a
 * hole: the hole's length (0: r->pos is in data, now up to data_end). */
static uint64_t
next_extent(struct fs_read *r)
{
	int64_t d, h;

	d = port_seek(r->file, r->pos, PORT_SEEK_DATA);
	if (d < 0) {
		/* ENXIO: only a hole is left; else the filesystem cannot
		 * say, and all of it is data. */
		if (errno == ENXIO)
			return r->size - r->pos;
		r->data_end = r->size;
		return 0;
	}
	if ((uint64_t)d > r->pos)
		return ((uint64_t)d < r->size ? (uint64_t)d : r->size) - r->pos;
	h = port_seek(r->file, r->pos, PORT_SEEK_HOLE);
	r->data_end = h < 0 || (uint64_t)h > r->size ? r->size : (uint64_t)h;
	if (r->data_end <= r->pos)
		r->data_end = r->size;
	return 0;
}

long
fs_read_file(const store_class **ctx, void *p, size_t cap, uint64_t *hole)
{
	struct fs_read *r = &((struct store_fs *)ctx)->rd;
	uint64_t left;
	long n;

	*hole = 0;
	if (r->file < 0)
		return -1;
	if (r->pos >= r->size)
		return 0;
	if (r->pos >= r->data_end && (*hole = next_extent(r)) > 0) {
		r->pos += *hole;
		return 0;
	}
	left = r->data_end - r->pos;
	n = port_pread(r->file, p, left < cap ? (size_t)left : cap, r->pos);
	if (n == 0) {
		errno = EIO;	/* shorter than it was: a stored file never is */
		return -1;
	}
	if (n > 0)
		r->pos += (uint64_t)n;
	return n;
}

void
fs_close_file(const store_class **ctx)
{
	close_fd(&((struct store_fs *)ctx)->rd.file);
}

/* ---- removal ------------------------------------------------------------ */

/* One snapshot of the locked backup bfd, with what it held. */
static unsigned
remove_one(struct store_fs *fs, const char *client, int bfd, const char *id,
    const char *snap, int dry, uint64_t *files, uint64_t *bytes, char *text,
    size_t cap)
{
	static struct snapinfo si;
	struct port_stat st;
	char newest[SNAP_MAX];
	uint64_t freed = 0;

	if (!store_is_snap(snap, strlen(snap)) ||
	    port_fstatat(bfd, snap, &st) < 0 || st.type != PORT_DIR) {
		snprintf(text, cap, "backup %.40s has no snapshot %.40s", id,
		    snap);
		return ST_NOT_FOUND;
	}
	fs_info(bfd, snap, &si);
	*files = si.files;
	*bytes = si.bytes;
	if (dry)
		return ST_OK;
	if (fs_remove_snapshot(bfd, snap, &freed) < 0) {
		snprintf(text, cap, "cannot remove snapshot %.40s: %s", snap,
		    strerror(errno));
		return ST_IO;
	}
	if (fs_newest(bfd, newest) == 0)
		fs_state(fs->root, client, id, si.source,
		    newest[0] ? newest : NULL);
	if (fs->quota > 0 && freed > 0)
		fs_charge(fs->root, client, -(int64_t)freed, 0, NULL);
	return ST_OK;
}

/* The whole locked backup bfd of the client's directory cfd. */
static unsigned
remove_all(struct store_fs *fs, const char *client, int cfd, int bfd,
    const char *id, int dry, uint64_t *files, uint64_t *bytes, char *text,
    size_t cap)
{
	static struct snapinfo si;
	char cur[SNAP_MAX] = "";
	uint64_t freed = 0, charged = 0;

	while (fs_next(bfd, FS_SNAPS, cur, cur) == 1) {
		if (fs_info(bfd, cur, &si) < 0)
			continue;
		*files += si.files;
		*bytes += si.bytes;
	}
	if (dry)
		return ST_OK;
	if (fs->quota > 0 && count_backup(bfd, &charged) < 0)
		charged = 0;
	if (remove_backup(cfd, id, &freed) < 0) {
		snprintf(text, cap, "cannot remove backup %.40s: %s", id,
		    strerror(errno));
		return ST_IO;
	}
	fs_state(fs->root, client, id, NULL, NULL);
	if (charged > 0)
		fs_charge(fs->root, client, -(int64_t)charged, 0, NULL);
	return ST_OK;
}

/* 1 if this session has a snapshot of backup id open: a removal would
 * take it from under its own restore. */
static int
reading(const struct store_fs *fs, const char *client, const char *id)
{
	return fs->rd.snap >= 0 && strcmp(fs->rd.client, client) == 0 &&
	    strcmp(fs->rd.id, id) == 0;
}

/*
 * The backup id of client, opened and locked for a removal: its run's
 * lock, then its readers' lock, exclusive. ST_OK with *cfd, *bfd and
 * *lock open (the caller closes them), else ST_NOT_FOUND, ST_BUSY or
 * ST_IO with text and nothing open.
 */
static unsigned
lock_backup(struct store_fs *fs, const char *client, const char *id,
    int *cfd, int *bfd, int *lock, char *text, size_t cap)
{
	unsigned st = ST_OK;

	*cfd = port_openat_dir(fs->root, client);
	*bfd = *cfd < 0 || !store_is_id(id, strlen(id)) ? -1 :
	    port_openat_dir(*cfd, id);
	*lock = -1;
	if (*bfd < 0) {
		snprintf(text, cap, "backup %.40s: not found or not yours", id);
		st = ST_NOT_FOUND;
		goto out;
	}
	*lock = fs_lock(*bfd, LOCK_RUN, PORT_LOCK_EXCL);
	if (*lock < 0 && errno == EWOULDBLOCK) {
		snprintf(text, cap, "backup %s is busy: a run of it is in "
		    "progress", id);
		st = ST_BUSY;
	} else if (*lock < 0) {
		snprintf(text, cap, "cannot lock backup %s: %s", id,
		    strerror(errno));
		st = ST_IO;
	} else if (reading(fs, client, id) ||
	    port_lock_byte(*lock, LOCK_READ, PORT_LOCK_EXCL) < 0) {
		snprintf(text, cap, "backup %s is busy: a restore of it is in "
		    "progress", id);
		st = ST_BUSY;
	}
out:
	if (st != ST_OK) {
		close_fd(lock);
		close_fd(bfd);
		close_fd(cfd);
	}
	return st;
}

unsigned
fs_remove(const store_class **ctx, const char *client, const char *id,
    const char *snap, int dry, uint64_t *files, uint64_t *bytes, char *text,
    size_t cap)
{
	struct store_fs *fs = (struct store_fs *)ctx;
	unsigned st;
	int cfd, bfd, lock;

	*files = *bytes = 0;
	st = lock_backup(fs, client, id, &cfd, &bfd, &lock, text, cap);
	if (st != ST_OK)
		return st;
	if (snap != NULL && snap[0] != 0)
		st = remove_one(fs, client, bfd, id, snap, dry, files, bytes,
		    text, cap);
	else
		st = remove_all(fs, client, cfd, bfd, id, dry, files, bytes,
		    text, cap);
	if (st == ST_OK)
		snprintf(text, cap, dry ? "would be removed" : "removed");
	port_close(lock);
	port_close(bfd);
	port_close(cfd);
	return st;
}

unsigned
fs_prune(const store_class **ctx, const char *client, const char *id,
    const struct retention *k, int dry,
    void (*planned)(void *arg, unsigned count),
    void (*removed)(void *arg, const struct snapinfo *si), void *arg,
    char *text, size_t cap)
{
	static struct fs_prune p;
	struct store_fs *fs = (struct store_fs *)ctx;
	unsigned st;
	int cfd, bfd, lock;

	st = lock_backup(fs, client, id, &cfd, &bfd, &lock, text, cap);
	if (st != ST_OK)
		return st;
	memset(&p, 0, sizeof p);
	p.backup = bfd;
	retain_init(&p.plan, k, 1);
	p.dry = dry;
	p.removed = removed;
	p.arg = arg;
	p.tick = fs->run.tick;
	p.tick_arg = fs->run.tick_arg;
	st = fs_apply_retention(&p, planned, text, cap);
	if (fs->quota > 0 && p.freed > 0)
		fs_charge(fs->root, client, -(int64_t)p.freed, 0, NULL);
	port_close(lock);
	port_close(bfd);
	port_close(cfd);
	return st;
}

int
fs_next_client(const store_class **ctx, const char *after, char *name)
{
	char cur[FS_NAME_MAX];
	int r;

	if (strlen(after) >= sizeof cur)
		return 0;
	r = fs_next(((struct store_fs *)ctx)->root, FS_CLIENTS, after, cur);
	if (r == 1)
		memcpy(name, cur, strlen(cur) + 1);
	return r;
}

int
fs_usage_of(const store_class **ctx, const char *client, uint64_t *bytes)
{
	return fs_usage(((struct store_fs *)ctx)->root, client, bytes);
}

/* ---- the store ---------------------------------------------------------- */

/*
 * Usage counts are kept only while quotas are on; when cairnd starts with
 * --quota, the old ones may be stale, so they are counted anew when each
 * client next needs them.
 */
static void
forget_usage(int root)
{
	struct port_dir *d;
	const char *name;
	enum port_type type;
	int cfd;

	d = port_dir_open(root);
	if (d == NULL)
		return;
	while (port_dir_next(d, &name, &type) > 0) {
		if (name[0] == '.' || (type != PORT_DIR && type != PORT_UNKNOWN))
			continue;
		cfd = port_openat_dir(root, name);
		if (cfd >= 0) {
			port_unlinkat(cfd, ".usage", 0);
			port_close(cfd);
		}
	}
	port_dir_close(d);
}

int
store_fs_init(struct store_fs *fs, const char *dir, uint64_t quota,
    char *text, size_t cap)
{
	unsigned c;

	memset(fs, 0, offsetof(struct store_fs, run));
	fs->vtable = &store_fs_class;
	fs->quota = quota;
	fs->rd.snap = fs->rd.file = fs->rd.man.fd = fs->rd.lock = -1;
	for (c = 0; c < STORE_CURSORS; c++)
		fs->cur[c].man.fd = -1;
	dircache_init(&fs->rd.dir);
	if (port_mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(text, cap, "cannot create the store directory %s: %s",
		    dir, strerror(errno));
		return -1;
	}
	fs->root = port_open_dir(dir);
	if (fs->root < 0) {
		snprintf(text, cap, "cannot open the store directory %s: %s",
		    dir, strerror(errno));
		return -1;
	}
	if (quota > 0)
		forget_usage(fs->root);
	return 0;
}

void
store_fs_close(struct store_fs *fs)
{
	unsigned c;

	fs->vtable->end(&fs->vtable);
	fs_close_snapshot(&fs->vtable);
	for (c = 0; c < STORE_CURSORS; c++)
		fs_cursor_close(&fs->vtable, c);
	if (fs->root >= 0)
		port_close(fs->root);
	fs->root = -1;
}
