/* catalog.c — backups, snapshots, totals and removal; see catalog.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "fsutil.h"
#include "json.h"
#include "port.h"
#include "record.h"
#include "tls.h"

#define STATE_FILE "backup_state.json"
#define STATE_LOCK ".backup_state.lock"

int
catalog_is_id(const char *s, size_t n)
{
	size_t i;

	if (n != ID_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int
catalog_is_snap(const char *s, size_t n)
{
	return n > 0 && n < SNAP_MAX && s[0] != '.' &&
	    memchr(s, '/', n) == NULL && memchr(s, 0, n) == NULL;
}

int
catalog_open_backup(int root, const char *client, const char *id)
{
	int c, b;

	if (!catalog_is_id(id, strlen(id))) {
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

	if (kind == CAT_IDS ? !catalog_is_id(name, n) :
	    !catalog_is_snap(name, n))
		return 0;
	if (type == PORT_UNKNOWN) {
		if (port_fstatat(dfd, name, &st) < 0)
			return 0;
		type = st.type;
	}
	return type == PORT_DIR;
}

int
catalog_next(int dfd, int kind, const char *after_in, char *out)
{
	struct port_dir *d;
	const char *name;
	enum port_type type;
	char after[SNAP_MAX];
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
		snprintf(out, SNAP_MAX, "%s", name);
		found = 1;
	}
	port_dir_close(d);
	return r < 0 ? -1 : found;
}

int
catalog_newest(int backup, char *out)
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
		if (strcmp(name, out) > 0 && wanted(backup, CAT_SNAPS, name,
		    type))
			snprintf(out, SNAP_MAX, "%s", name);
	port_dir_close(d);
	return r;
}

int
catalog_info(int backup, const char *snap, struct snapinfo *si)
{
	static struct lines l;
	static struct json j;
	char name[SNAP_MAX + 8];
	const char *p;
	size_t n;
	int mdir, fd, r = -1;

	memset(si, 0, sizeof *si);
	snprintf(name, sizeof name, "%s.json", snap);
	mdir = port_openat_dir(backup, ".manifests");
	if (mdir < 0)
		return -1;
	fd = port_openat_read(mdir, name);
	port_close(mdir);
	if (fd < 0)
		return -1;
	lines_open(&l, fd);
	if (lines_next(&l, &p, &n) == 1 && json_parse(&j, p, n) == 0 &&
	    json_find(&j, "cairn_manifest") >= 0) {
		/* Totals are missing from a manifest cut short: 0. */
		json_u64(&j, "files", &si->files);
		json_u64(&j, "bytes", &si->bytes);
		json_i64(&j, "time", &si->time);
		json_str(&j, "source", si->source, sizeof si->source, &n);
		r = 0;
	}
	port_close(fd);
	if (r < 0)
		errno = EINVAL;
	return r;
}

int
catalog_remove_snapshot(int backup, const char *snap, uint64_t *freed)
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
		port_unlinkat(mdir, man, 0);
		port_unlinkat(mdir, idx, 0);
		port_close(mdir);
	}
	return rmtree_count(backup, trash, freed);
}

int
catalog_remove_backup(int client_fd, const char *id, uint64_t *freed)
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
catalog_clean_trash(int dfd)
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
catalog_state(int root, const char *client, const char *id,
    const char *source, const char *snapshot)
{
	static struct lines in;
	static struct linew out;
	static struct json j;
	static uint8_t line[LINE_MAX_BYTES];
	static char oid[64], ocl[TLS_NAME_MAX + 1];
	char rel[TLS_NAME_MAX + ID_LEN + 2];
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
	return port_tmp_commit(&t, ".usage");
}

/* The client's directory and its usage lock, held. */
static int
usage_lock(int root, const char *client, int *cfd)
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
	return lock;
}

int
catalog_usage(int root, const char *client, uint64_t *bytes)
{
	int cfd, lock, r = 0;

	lock = usage_lock(root, client, &cfd);
	if (lock < 0)
		return -1;
	if (usage_read(cfd, bytes) < 0) {
		*bytes = 0;
		r = du_at(root, client, bytes);
		if (r == 0)
			usage_write(cfd, *bytes);
	}
	port_close(lock);
	port_close(cfd);
	return r;
}

int
catalog_usage_add(int root, const char *client, int64_t delta)
{
	uint64_t bytes = 0;
	int cfd, lock, r;

	lock = usage_lock(root, client, &cfd);
	if (lock < 0)
		return -1;
	if (usage_read(cfd, &bytes) < 0) {
		/* Never counted: count now, which includes this change. */
		bytes = 0;
		du_at(root, client, &bytes);
	} else if (delta < 0 && (uint64_t)-delta > bytes) {
		bytes = 0;
	} else {
		bytes += (uint64_t)delta;
	}
	r = usage_write(cfd, bytes);
	port_close(lock);
	port_close(cfd);
	return r;
}
