/*
 * test_store.c — the store contract (store.h): what every backend must do,
 * driven only through the store class. The local backend runs it here on a
 * fresh directory; a later backend adds its own open function to backends[]
 * and passes the same checks.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "md5.h"
#include "store_fs.h"
#include "store_s3.h"
#include "unit.h"

#define QUOTA 200000		/* bytes, for the quota checks */

/* A backend opened on fresh, empty storage, with a quota or none; and,
 * for the reading checks, a stored file turned into one of size bytes
 * with a hole after its first byte and 'y' last (NULL: cannot). */
struct backend {
	const char *name;
	const store_class **(*open)(uint64_t quota);
	void (*close)(const store_class **st);
	int (*sparsify)(const char *client, const char *id, const char *snap,
	    const char *path, uint64_t size);
	int (*usable)(void);	/* 0: skipped (not configured here) */
	int quota;		/* keeps a quota */
	const char *own;	/* one of its own names (no client's) */
};

static struct store_fs fs;
static char fs_dir[64];

static const store_class **
fs_open(uint64_t quota)
{
	char text[MSG_MAX + 1];
	char tmpl[] = "/tmp/cairn-store-XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return NULL;
	snprintf(fs_dir, sizeof fs_dir, "%s/store", tmpl);
	if (store_fs_init(&fs, fs_dir, quota, text, sizeof text) < 0) {
		fprintf(stderr, "  store_fs_init: %s\n", text);
		return NULL;
	}
	return &fs.vtable;
}

static void
fs_close(const store_class **st)
{
	char cmd[128];

	store_fs_close(&fs);
	snprintf(cmd, sizeof cmd, "rm -rf '%.*s'", (int)(strlen(fs_dir) - 6),
	    fs_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "  could not remove %s\n", fs_dir);
}

static int
fs_sparsify(const char *client, const char *id, const char *snap,
    const char *path, uint64_t size)
{
	char name[256];
	FILE *f;
	int r;

	snprintf(name, sizeof name, "%s/%s/%s/%s/%s", fs_dir, client, id, snap,
	    path);
	if ((f = fopen(name, "r+")) == NULL)
		return -1;
	r = fseek(f, (long)size - 1, SEEK_SET) == 0 && fputc('y', f) == 'y' ?
	    0 : -1;
	return fclose(f) == 0 ? r : -1;
}

#if CAIRN_S3
/*
 * The object store, when CAIRN_S3_ENDPOINT, CAIRN_S3_ACCESS_KEY and
 * CAIRN_S3_SECRET_KEY name one (tools/ceph-up.sh prints them): each open
 * is a fresh prefix of the bucket CAIRN_S3_BUCKET (default cairn-test),
 * made if missing; with a quota, its count is the prefix's usage objects.
 */
static struct store_s3 s3st;
static char s3_spool[64];

static const store_class **
s3_open(uint64_t quota)
{
	static unsigned n;
	static char prefix[64];
	struct s3_conf c;
	struct s3_answer a;
	char text[MSG_MAX + 1];
	char tmpl[] = "/tmp/cairn-spool-XXXXXX";
	const char *b = getenv("CAIRN_S3_BUCKET");

	if (mkdtemp(tmpl) == NULL)
		return NULL;
	signal(SIGPIPE, SIG_IGN);	/* as cairnd: a dropped connection */
	snprintf(s3_spool, sizeof s3_spool, "%s", tmpl);
	snprintf(prefix, sizeof prefix, "t%ld-%u/", (long)getpid(), n++);
	memset(&c, 0, sizeof c);
	c.endpoint = getenv("CAIRN_S3_ENDPOINT");
	c.bucket = b != NULL ? b : "cairn-test";
	c.prefix = prefix;
	c.region = "us-east-1";
	c.access_key = getenv("CAIRN_S3_ACCESS_KEY");
	c.secret_key = getenv("CAIRN_S3_SECRET_KEY");
	c.ca_file = getenv("CAIRN_S3_CA");
	c.timeout_ms = 10000;
	if (s3_init(&s3st.s3, &c, text, sizeof text) == 0)
		s3_bucket_create(&s3st.s3, &a);
	s3_close(&s3st.s3);
	if (store_s3_init(&s3st, &c, s3_spool, text, sizeof text) < 0) {
		fprintf(stderr, "  store_s3_init: %s\n", text);
		return NULL;
	}
	s3st.quota = quota;
	return &s3st.vtable;
}

static void
s3_close_st(const store_class **st)
{
	(void)st;
	store_s3_close(&s3st);
	rmdir(s3_spool);
}

static int
s3_here_env(void)
{
	return getenv("CAIRN_S3_ENDPOINT") != NULL &&
	    getenv("CAIRN_S3_ACCESS_KEY") != NULL &&
	    getenv("CAIRN_S3_SECRET_KEY") != NULL;
}
#endif

static int
always(void)
{
	return 1;
}

static const struct backend backends[] = {
	{ "fs", fs_open, fs_close, fs_sparsify, always, 1,
	    "backup_state.json" },
#if CAIRN_S3
	{ "s3", s3_open, s3_close_st, NULL, s3_here_env, 1, "_clients" },
#endif
};

/* ---- helpers -------------------------------------------------------------- */

static struct store_run run;
static const struct retention last1 = { 1, 0, 0, 0, 0, 0, 0 };
static char text[MSG_MAX + 1];
static const uint8_t *mk_xattr;	/* when set, mk() gives these xattrs and
				 * an owner */
static size_t mk_xlen;

static void
mk(struct entry *e, unsigned type, const char *path, const char *data)
{
	struct md5 c;

	memset(e, 0, sizeof *e);
	e->type = type;
	e->plen = strlen(path);
	memcpy(e->path, path, e->plen + 1);
	e->mode = type == E_DIR ? 0755 : 0644;
	e->mtime = 1700000000;
	e->mtime_ns = 5;
	if (mk_xattr != NULL) {
		e->owned = 1;
		e->uid = 1234;
		e->gid = 5678;
		e->xattr = mk_xattr;
		e->xlen = mk_xlen;
	}
	if (type == E_FILE) {
		e->size = strlen(data);
		md5_init(&c);
		md5_update(&c, data, e->size);
		md5_final(&c, e->md5);
	} else if (type == E_LINK) {
		e->tlen = strlen(data);
		memcpy(e->target, data, e->tlen + 1);
	}
}

static unsigned
begin(const store_class **st, const char *client, const char *source)
{
	unsigned r = (*st)->begin(st, client, source, strlen(source), &run,
	    text, sizeof text);

	if (r != ST_OK)
		fprintf(stderr, "  begin: %u %s\n", r, text);
	return r;
}

/* Offer one entry; send its data when asked. The offer's status. */
static unsigned
offer(const store_class **st, unsigned type, const char *path,
    const char *data)
{
	static struct entry e;
	unsigned s;

	mk(&e, type, path, data);
	s = (*st)->offer(st, &e, text, sizeof text);
	if (s != ST_NEED)
		return s;
	if (!CHECK((*st)->put_begin(st, &e, text, sizeof text) == ST_OK) ||
	    !CHECK((*st)->put_data(st, data, e.size, text, sizeof text) ==
	    ST_OK) ||
	    !CHECK((*st)->put_end(st, NULL, text, sizeof text) == ST_OK))
		fprintf(stderr, "  %s: %s\n", path, text);
	return s;
}

static unsigned
commit(const store_class **st)
{
	unsigned s = (*st)->commit(st, 0, &run, text, sizeof text);

	if (s != ST_OK)
		fprintf(stderr, "  commit: %s\n", text);
	(*st)->end(st);
	return s;
}

/* How many committed snapshots backup id of client has. */
static int
snapshots(const store_class **st, const char *client, const char *id)
{
	char name[SNAP_MAX] = "";
	int n = 0;

	while ((*st)->next_snapshot(st, client, id, name, name) == 1)
		n++;
	return n;
}

/* 1 if the file at path in the open snapshot holds exactly data. */
static int
reads_back(const store_class **st, const char *path, const char *data)
{
	char got[256];
	uint64_t size, hole;
	size_t have = 0;
	long n;

	if ((*st)->open_file(st, path, &size) < 0)
		return 0;
	while (have < sizeof got && ((n = (*st)->read_file(st, got + have,
	    sizeof got - have, &hole)) > 0 || (n == 0 && hole > 0 &&
	    hole <= sizeof got - have))) {
		if (n == 0)
			memset(got + have, 0, (size_t)hole);
		have += n > 0 ? (size_t)n : (size_t)hole;
	}
	(*st)->close_file(st);
	return size == strlen(data) && have == size &&
	    memcmp(got, data, have) == 0;
}

/* ---- the contract ---------------------------------------------------------- */

/* A snapshot is invisible until commit; then listed, with its totals. */
static void
visible_at_commit(const store_class **st)
{
	char id[ID_LEN + 1] = "";
	struct snapinfo si;

	CHECK(begin(st, "alice", "/src") == ST_OK);
	memcpy(id, run.id, sizeof id);
	CHECK(store_is_id(id, strlen(id)));
	CHECK(store_is_snap(run.snap, strlen(run.snap)));
	CHECK(offer(st, E_DIR, "d", NULL) == ST_OK);
	CHECK(offer(st, E_FILE, "d/a", "apple") == ST_NEED);
	CHECK(offer(st, E_LINK, "d/l", "../elsewhere") == ST_OK);
	CHECK(snapshots(st, "alice", id) == 0);
	CHECK((*st)->info(st, "alice", id, NULL, &si) == ST_NOT_FOUND);
	CHECK((*st)->open_snapshot(st, "alice", id, NULL, &si, text,
	    sizeof text) == ST_NOT_FOUND);
	CHECK(commit(st) == ST_OK);
	CHECK(run.files == 1 && run.bytes == 5 && run.received == 1);
	CHECK(snapshots(st, "alice", id) == 1);
	CHECK((*st)->info(st, "alice", id, "", &si) == ST_OK);
	CHECK(si.files == 1 && si.bytes == 5);
	CHECK(strcmp(si.source, "/src") == 0);
	CHECK(strcmp(si.name, run.snap) == 0);
}

/* A run that ends without a commit shows nothing; the next run reuses
 * what it received. */
static void
abort_then_resume(const store_class **st)
{
	CHECK(begin(st, "alice", "/src") == ST_OK);
	CHECK(offer(st, E_DIR, "d", NULL) == ST_OK);
	CHECK(offer(st, E_FILE, "d/b", "banana") == ST_NEED);
	(*st)->end(st);
	(*st)->end(st);		/* twice is harmless */
	CHECK(snapshots(st, "alice", run.id) == 1);
	CHECK(begin(st, "alice", "/src") == ST_OK);
	CHECK(offer(st, E_DIR, "d", NULL) == ST_OK);
	CHECK(offer(st, E_FILE, "d/a", "apple") == ST_OK);
	CHECK(offer(st, E_FILE, "d/b", "banana") == ST_OK);
	CHECK(commit(st) == ST_OK);
	CHECK(run.linked == 1 && run.reused == 1 && run.received == 0);
	CHECK(snapshots(st, "alice", run.id) == 2);
}

/* Unchanged files are found by path, renamed ones by content; a changed
 * one is asked for. */
static void
found_by_path_and_md5(const store_class **st)
{
	CHECK(begin(st, "alice", "/src") == ST_OK);
	CHECK(offer(st, E_DIR, "d", NULL) == ST_OK);
	CHECK(offer(st, E_FILE, "d/a", "apple") == ST_OK);
	CHECK(offer(st, E_FILE, "d/b", "blueberry") == ST_NEED);
	CHECK(offer(st, E_DIR, "e", NULL) == ST_OK);
	CHECK(offer(st, E_FILE, "e/moved", "banana") == ST_OK);
	CHECK(commit(st) == ST_OK);
	CHECK(run.linked == 1 && run.deduped == 1 && run.received == 1);
}

/* The newest snapshot reads back entry by entry and file by file. */
static void
read_back(const store_class **st)
{
	static const char *const paths[] = { "d", "d/a", "d/b", "e",
	    "e/moved" };
	static struct entry e;
	struct snapinfo si;
	size_t i = 0;
	int got;

	CHECK((*st)->open_snapshot(st, "alice", run.id, NULL, &si, text,
	    sizeof text) == ST_OK);
	CHECK(strcmp(si.name, run.snap) == 0 && si.files == 3);
	while ((got = (*st)->next_entry(st, &e)) == 1) {
		if (i < 5 && !CHECK(strcmp(e.path, paths[i]) == 0))
			fprintf(stderr, "  entry %zu is %s\n", i, e.path);
		i++;
	}
	CHECK(got == 0 && i == 5);
	CHECK(reads_back(st, "d/a", "apple"));
	CHECK(reads_back(st, "d/b", "blueberry"));
	CHECK(reads_back(st, "e/moved", "banana"));
	CHECK(!reads_back(st, "d", ""));		/* not a file */
	CHECK(!reads_back(st, "nothing", ""));
	CHECK(!reads_back(st, "../d/a", "apple"));
	(*st)->close_snapshot(st);
	CHECK((*st)->open_snapshot(st, "alice", run.id, "1999-01-01T00-00-00Z",
	    &si, text, sizeof text) == ST_NOT_FOUND);
	CHECK((*st)->open_snapshot(st, "alice", "0123456789abcdef", NULL, &si,
	    text, sizeof text) == ST_NOT_FOUND);
	CHECK((*st)->open_snapshot(st, "alice", "../alice", NULL, &si, text,
	    sizeof text) == ST_NOT_FOUND);
}

/* Two cursors read two snapshots in step, beside the one open for
 * files, which they leave alone. */
static void
cursors_in_step(const store_class **st)
{
	static const char *const old[] = { "d", "d/a", "d/l" };
	static const char *const now[] = { "d", "d/a", "d/b", "e", "e/moved" };
	static struct entry e0, e1, e;
	char first[SNAP_MAX];
	struct snapinfo si;
	size_t i;
	int g0 = 1, g1 = 1;

	CHECK((*st)->next_snapshot(st, "alice", run.id, "", first) == 1);
	CHECK((*st)->open_snapshot(st, "alice", run.id, NULL, &si, text,
	    sizeof text) == ST_OK);
	CHECK((*st)->cursor_open(st, 0, "alice", run.id, first, &si, text,
	    sizeof text) == ST_OK && strcmp(si.name, first) == 0);
	CHECK((*st)->cursor_open(st, 1, "alice", run.id, "", &si, text,
	    sizeof text) == ST_OK && strcmp(si.name, run.snap) == 0);
	CHECK((*st)->next_entry(st, &e) == 1 && strcmp(e.path, "d") == 0);
	for (i = 0; i < 5; i++) {
		if (i < 3)
			g0 = (*st)->cursor_next(st, 0, &e0);
		g1 = (*st)->cursor_next(st, 1, &e1);
		CHECK(i >= 3 || (g0 == 1 && strcmp(e0.path, old[i]) == 0));
		CHECK(g1 == 1 && strcmp(e1.path, now[i]) == 0);
	}
	CHECK((*st)->cursor_next(st, 0, &e0) == 0);
	CHECK((*st)->cursor_next(st, 1, &e1) == 0);
	CHECK((*st)->next_entry(st, &e) == 1 && strcmp(e.path, "d/a") == 0);
	CHECK(reads_back(st, "d/b", "blueberry"));
	/* Reopening starts again; a closed cursor is at its end. */
	CHECK((*st)->cursor_open(st, 1, "alice", run.id, first, &si, text,
	    sizeof text) == ST_OK);
	CHECK((*st)->cursor_next(st, 1, &e1) == 1 && strcmp(e1.path, "d") == 0);
	(*st)->cursor_close(st, 1);
	(*st)->cursor_close(st, 1);
	CHECK((*st)->cursor_next(st, 1, &e1) == 0);
	CHECK((*st)->cursor_open(st, 0, "alice", run.id,
	    "1999-01-01T00-00-00Z", &si, text, sizeof text) == ST_NOT_FOUND);
	CHECK((*st)->cursor_open(st, 0, "alice", run.id, "../x", &si, text,
	    sizeof text) == ST_NOT_FOUND);
	CHECK((*st)->cursor_open(st, 0, "alice", "0123456789abcdef", NULL,
	    &si, text, sizeof text) == ST_NOT_FOUND);
	CHECK((*st)->cursor_open(st, 0, "bob", run.id, NULL, &si, text,
	    sizeof text) == ST_NOT_FOUND);
	CHECK((*st)->cursor_next(st, 0, &e0) == 0);
	(*st)->close_snapshot(st);
}

/* One client never sees another's backups. */
static void
clients_apart(const store_class **st)
{
	char id[ID_LEN + 1];
	struct snapinfo si;
	uint64_t files, bytes;

	CHECK((*st)->next_backup(st, "bob", "", id) == 0);
	CHECK((*st)->info(st, "bob", run.id, NULL, &si) == ST_NOT_FOUND);
	CHECK((*st)->open_snapshot(st, "bob", run.id, NULL, &si, text,
	    sizeof text) == ST_NOT_FOUND);
	CHECK((*st)->remove(st, "bob", run.id, "", 0, &files, &bytes, text,
	    sizeof text) == ST_NOT_FOUND);
	CHECK((*st)->next_backup(st, "alice", "", id) == 1 &&
	    strcmp(id, run.id) == 0);
	CHECK((*st)->next_backup(st, "alice", id, id) == 0);
}

/* The store's own names are no client's. */
static void
own_names(const store_class **st, const struct backend *b)
{
	CHECK((*st)->client_ok(st, "alice"));
	CHECK((*st)->client_ok(st, "router-1.example.org"));
	CHECK(!(*st)->client_ok(st, b->own));
}

/* Remove one snapshot, then the whole backup. */
static void
removal(const store_class **st)
{
	char first[SNAP_MAX] = "", id[ID_LEN + 1];
	uint64_t files, bytes;

	CHECK((*st)->next_snapshot(st, "alice", run.id, "", first) == 1);
	CHECK((*st)->remove(st, "alice", run.id, first, 0, &files, &bytes, text,
	    sizeof text) == ST_OK);
	CHECK(files == 1 && bytes == 5);
	CHECK(snapshots(st, "alice", run.id) == 2);
	CHECK((*st)->remove(st, "alice", run.id, first, 0, &files, &bytes, text,
	    sizeof text) == ST_NOT_FOUND);
	CHECK((*st)->remove(st, "alice", run.id, "", 0, &files, &bytes, text,
	    sizeof text) == ST_OK);
	CHECK(files == 5 && bytes == 31);
	CHECK((*st)->next_backup(st, "alice", "", id) == 0);
}

/* Entries may bear the backend's own names, at any depth. */
static void
internal_names(const store_class **st)
{
	/* in path order, as offers come */
	static const char *const names[] = { ".idx", ".incoming", ".lock",
	    ".manifests", ".partial", ".received", ".resume", ".resume.log",
	    ".trash-x", ".usage", "backup_state.json", "upload" };
	static struct entry e;
	char path[64];
	struct snapinfo si;
	size_t i, n = sizeof names / sizeof names[0], seen = 0;
	int round, ok = 1;

	for (round = 0; round < 2; round++) {
		CHECK(begin(st, "carol", "/names") == ST_OK);
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof path, "%s", names[i]);
			ok &= offer(st, E_DIR, path, NULL) == ST_OK;
			snprintf(path, sizeof path, "%s/%s", names[i],
			    names[i]);
			ok &= offer(st, E_FILE, path, names[i]) != ST_BAD_REQUEST;
		}
		CHECK(ok);
		CHECK(commit(st) == ST_OK);
	}
	CHECK(run.linked == n);
	CHECK((*st)->open_snapshot(st, "carol", run.id, NULL, &si, text,
	    sizeof text) == ST_OK);
	while ((*st)->next_entry(st, &e) == 1)
		seen++;
	CHECK(seen == 2 * n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", names[i], names[i]);
		if (!CHECK(reads_back(st, path, names[i])))
			fprintf(stderr, "  %s\n", path);
	}
	(*st)->close_snapshot(st);
}

/* A v2 entry reads back with its owner and xattrs; a file's holes read
 * as holes (where the backend can say), the rest as data. */
static void
read_v2(const store_class **st, const struct backend *b)
{
	static const uint8_t xa[] = { 8, 'u', 's', 'e', 'r', '.', 'o', 'n',
	    'e', 0, 2, 'h', 'i' };
	static struct entry e;
	static char data[65536];
	struct snapinfo si;
	uint64_t size, hole, have = 0, holes = 0;
	long n;
	int ok = 1;

	CHECK(begin(st, "frank", "/v2") == ST_OK);
	mk_xattr = xa;
	mk_xlen = sizeof xa;
	CHECK(offer(st, E_FILE, "f", "x") == ST_NEED);
	mk_xattr = NULL;
	CHECK(commit(st) == ST_OK);
	CHECK((*st)->open_snapshot(st, "frank", run.id, NULL, &si, text,
	    sizeof text) == ST_OK);
	CHECK(si.failed == 0);
	CHECK((*st)->next_entry(st, &e) == 1 && e.owned && e.uid == 1234 &&
	    e.gid == 5678 && e.xlen == sizeof xa &&
	    memcmp(e.xattr, xa, sizeof xa) == 0);
	if (b->sparsify == NULL || !CHECK(b->sparsify("frank", run.id,
	    si.name, "f", 1 << 20) == 0) ||
	    !CHECK((*st)->open_file(st, "f", &size) == 0 && size == 1 << 20))
		goto out;
	while ((n = (*st)->read_file(st, data, sizeof data, &hole)) > 0 ||
	    (n == 0 && hole > 0)) {
		if (n == 0) {
			holes += hole;
			have += hole;
			continue;
		}
		if (have == 0)
			ok &= data[0] == 'x';
		have += (uint64_t)n;
		if (have == size)
			ok &= data[n - 1] == 'y';
	}
	CHECK(n == 0 && have == size && ok);
	CHECK(holes > 0 && holes < size);	/* ext4, tmpfs: they can say */
out:
	(*st)->close_file(st);
	(*st)->close_snapshot(st);
}

/* A run holds its backup: another process can neither run it nor
 * remove it meanwhile. */
static void
busy(const store_class **st)
{
	uint64_t files, bytes;
	int ready[2], go[2], status;
	char c = 0;
	pid_t pid;

	if (!CHECK(pipe(ready) == 0 && pipe(go) == 0))
		return;
	pid = fork();
	if (pid == 0) {
		if (begin(st, "dave", "/busy") == ST_OK)
			c = 1;
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		(*st)->end(st);
		_exit(0);
	}
	CHECK(read(ready[0], &c, 1) == 1 && c == 1);
	CHECK(begin(st, "dave", "/busy") == ST_BUSY);
	backup_id("dave", "/busy", 5, run.id);
	CHECK((*st)->remove(st, "dave", run.id, "", 0, &files, &bytes, text,
	    sizeof text) == ST_BUSY);
	CHECK((*st)->remove(st, "dave", run.id, "", 1, &files, &bytes, text,
	    sizeof text) == ST_BUSY);
	CHECK((*st)->prune(st, "dave", run.id, &last1, 0, NULL, NULL, NULL,
	    text, sizeof text) == ST_BUSY);
	CHECK(write(go[1], &c, 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid && status == 0);
	CHECK(begin(st, "dave", "/busy") == ST_OK);
	(*st)->end(st);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

/* A snapshot being read holds its backup against removal (by another
 * process, or by the reading session itself), but not against a run. */
static void
read_holds(const store_class **st)
{
	struct snapinfo si;
	uint64_t files, bytes;
	int ready[2], go[2], status;
	char c = 0;
	pid_t pid;

	CHECK(begin(st, "frank", "/r") == ST_OK);
	CHECK(offer(st, E_FILE, "f", "read me") == ST_NEED);
	CHECK(commit(st) == ST_OK);
	if (!CHECK(pipe(ready) == 0 && pipe(go) == 0))
		return;
	pid = fork();
	if (pid == 0) {
		if ((*st)->open_snapshot(st, "frank", run.id, NULL, &si, text,
		    sizeof text) == ST_OK)
			c = 1;
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		(*st)->close_snapshot(st);
		_exit(0);
	}
	CHECK(read(ready[0], &c, 1) == 1 && c == 1);
	CHECK((*st)->remove(st, "frank", run.id, "", 0, &files, &bytes, text,
	    sizeof text) == ST_BUSY);
	CHECK((*st)->remove(st, "frank", run.id, run.snap, 0, &files, &bytes,
	    text, sizeof text) == ST_BUSY);
	CHECK(begin(st, "frank", "/r") == ST_OK);
	CHECK(offer(st, E_FILE, "f", "read me") == ST_OK);
	CHECK((*st)->commit(st, 1, &run, text, sizeof text) == ST_OK);
	(*st)->end(st);
	CHECK(snapshots(st, "frank", run.id) == 2);	/* --keep 1 waits */
	CHECK(write(go[1], &c, 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid && status == 0);
	CHECK((*st)->open_snapshot(st, "frank", run.id, NULL, &si, text,
	    sizeof text) == ST_OK);
	CHECK((*st)->remove(st, "frank", run.id, "", 0, &files, &bytes, text,
	    sizeof text) == ST_BUSY);
	(*st)->close_snapshot(st);
	CHECK((*st)->remove(st, "frank", run.id, "", 0, &files, &bytes, text,
	    sizeof text) == ST_OK);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

/* A file of n bytes of c, as a string. */
static const char *
filled(char *buf, size_t n, int c)
{
	memset(buf, c, n);
	buf[n] = 0;
	return buf;
}

/*
 * Usage counts what is stored, an interrupted run's files included; the
 * quota refuses what would exceed it, counting every run of the client
 * at once; a removal gives the space back. What an entry costs beside its
 * data is the backend's; the checks leave room for it (and do not count
 * on it: the files alone go over, 60 + 30 + 115 kB).
 */
static void
quota(const store_class **st)
{
	static char a[60001], b[30001], c[115001];
	uint64_t used = 1, files, bytes;
	char id1[ID_LEN + 1];

	CHECK((*st)->usage(st, "erin", &used) == 0 && used == 0);
	CHECK(begin(st, "erin", "/q") == ST_OK);
	memcpy(id1, run.id, sizeof id1);
	CHECK(offer(st, E_FILE, "sixty", filled(a, 60000, 'a')) == ST_NEED);
	CHECK(commit(st) == ST_OK);
	CHECK((*st)->usage(st, "erin", &used) == 0 && used >= 60000 &&
	    used < QUOTA);
	CHECK(begin(st, "erin", "/q2") == ST_OK);
	CHECK(offer(st, E_FILE, "thirty", filled(b, 30000, 'b')) == ST_NEED);
	(*st)->end(st);			/* interrupted: its file stays */
	CHECK((*st)->usage(st, "erin", &used) == 0 && used >= 90000);
	CHECK(begin(st, "erin", "/q3") == ST_OK);
	CHECK(offer(st, E_FILE, "hundred", filled(c, 115000, 'c')) ==
	    ST_QUOTA);
	(*st)->end(st);
	CHECK((*st)->remove(st, "erin", id1, "", 0, &files, &bytes, text,
	    sizeof text) == ST_OK);
	CHECK(begin(st, "erin", "/q3") == ST_OK);
	CHECK(offer(st, E_FILE, "hundred", c) == ST_NEED);
	CHECK(commit(st) == ST_OK);
	backup_id("erin", "/q2", 3, id1);
	CHECK((*st)->remove(st, "erin", id1, "", 0, &files, &bytes, text,
	    sizeof text) == ST_OK);
	CHECK((*st)->remove(st, "erin", run.id, "", 0, &files, &bytes, text,
	    sizeof text) == ST_OK);
	CHECK((*st)->usage(st, "erin", &used) == 0 && used == 0);
}

/* ---- version 2 entries and uploads (the run group) --------------------- */

static const struct backend *cur;	/* the one under test */

/* The bytes allocated to a file of a snapshot where the backend keeps
 * files on the local disk (fs), else -1. */
static long long
allocated(const char *client, const char *id, const char *snap,
    const char *path)
{
	char p[512];
	struct stat st;

	if (strcmp(cur->name, "fs") != 0)
		return -1;
	snprintf(p, sizeof p, "%s/%s/%s/%s/%s", fs_dir, client, id, snap, path);
	return stat(p, &st) < 0 ? -1 : (long long)st.st_blocks * 512;
}

/* A v2 entry: owned, with flags; a hard link's target, a file's
 * content (n bytes of data, or its MD5 given). */
static void
mk2(struct entry *e, unsigned type, unsigned flags, const char *path,
    const char *target)
{
	mk(e, type == E_HARD ? E_FILE : type, path, "");
	e->type = type;
	e->flags = flags;
	e->owned = 1;
	e->uid = 1234;
	e->gid = 5678;
	if (type == E_HARD || type == E_LINK) {
		e->tlen = strlen(target);
		memcpy(e->target, target, e->tlen + 1);
	}
}

/* The MD5 of n zero bytes, then tail. */
static void
md5_hole_then(uint64_t n, const char *tail, uint8_t md[MD5_LEN])
{
	static const uint8_t z[4096];
	struct md5 c;

	md5_init(&c);
	for (; n > 0; n -= n < sizeof z ? n : sizeof z)
		md5_update(&c, z, n < sizeof z ? (size_t)n : sizeof z);
	md5_update(&c, tail, strlen(tail));
	md5_final(&c, md);
}

/* Send the oldest need by path (v2): a hole of hole bytes, data, then
 * the trailer (size, md5, flags). put_end's status. */
static unsigned
put2(const store_class **st, const char *path, uint64_t hole,
    const char *data, const struct put_trailer *t)
{
	static struct entry e;

	entry_clear(&e, 0);
	e.plen = strlen(path);
	memcpy(e.path, path, e.plen + 1);
	if (!CHECK((*st)->put_begin(st, &e, text, sizeof text) == ST_OK) ||
	    (hole > 0 && !CHECK((*st)->put_hole(st, hole, text,
	    sizeof text) == ST_OK)) ||
	    !CHECK((*st)->put_data(st, data, strlen(data), text,
	    sizeof text) == ST_OK))
		fprintf(stderr, "  %s: %s\n", path, text);
	return (*st)->put_end(st, t, text, sizeof text);
}

/* The entry at path of the newest snapshot of client's backup id, into
 * *e: 1 found, 0 not. */
static int
entry_of(const store_class **st, const char *client, const char *id,
    const char *path, struct entry *e)
{
	struct snapinfo si;
	int got, found = 0;

	if ((*st)->open_snapshot(st, client, id, NULL, &si, text,
	    sizeof text) != ST_OK)
		return 0;
	while (!found && (got = (*st)->next_entry(st, e)) == 1)
		found = strcmp(e->path, path) == 0;
	(*st)->close_snapshot(st);
	return found;
}

/* 1 if path in the newest snapshot of client's backup id holds data. */
static int
reads_newest(const store_class **st, const char *client, const char *id,
    const char *path, const char *data)
{
	struct snapinfo si;
	int r;

	if ((*st)->open_snapshot(st, client, id, NULL, &si, text,
	    sizeof text) != ST_OK)
		return 0;
	r = reads_back(st, path, data);
	(*st)->close_snapshot(st);
	return r;
}

/*
 * A sparse upload: holes are not written, the MD5 covers them, the file
 * reads back whole; a trailer that does not match what came leaves the
 * file out, counted in failed.
 */
static void
v2_holes(const store_class **st)
{
	static struct entry e, got;
	struct put_trailer t = { 0 };
	uint64_t hole = 3 * 1024 * 1024;

	CHECK(begin(st, "gina", "/h") == ST_OK);
	mk2(&e, E_DIR, 0, "", NULL);
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_OK);
	mk2(&e, E_FILE, EF_SPARSE, "sparse", NULL);
	e.size = hole + 4;
	md5_hole_then(hole, "tail", e.md5);
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_NEED);
	t.size = e.size;
	memcpy(t.md5, e.md5, MD5_LEN);
	CHECK(put2(st, "sparse", hole, "tail", &t) == ST_OK);
	mk2(&e, E_FILE, 0, "torn", NULL);
	e.size = 4;
	md5_hole_then(0, "torn", e.md5);
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_NEED);
	t.size = 5;	/* not what is sent */
	CHECK(put2(st, "torn", 0, "torn", &t) == ST_BAD_DATA);
	CHECK(commit(st) == ST_OK);
	CHECK(run.files == 1 && run.bytes == hole + 4 && run.failed == 1);
	CHECK(entry_of(st, "gina", run.id, "sparse", &got) &&
	    got.size == hole + 4 && (got.flags & EF_SPARSE) && got.uid == 1234);
	CHECK(!entry_of(st, "gina", run.id, "torn", &got));
	if (strcmp(cur->name, "fs") == 0)
		CHECK(allocated("gina", run.id, run.snap, "sparse") < 65536);
	CHECK(entry_of(st, "gina", run.id, "", &got) && got.type == E_DIR);
}

/*
 * A file that changed while read is stored as read: the trailer's size
 * and MD5, flagged CHANGED, in the manifest and in the totals.
 */
static void
v2_changed(const store_class **st)
{
	static struct entry e, got;
	struct put_trailer t = { 0 };
	const char *now = "it grew while it was read";

	CHECK(begin(st, "gina", "/c") == ST_OK);
	mk2(&e, E_FILE, 0, "log", NULL);
	e.size = 3;
	md5_hole_then(0, "old", e.md5);
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_NEED);
	t.size = strlen(now);
	md5_hole_then(0, now, t.md5);
	t.flags = EF_CHANGED;
	CHECK(put2(st, "log", 0, now, &t) == ST_OK);
	CHECK(commit(st) == ST_OK);
	CHECK(run.files == 1 && run.bytes == strlen(now) && run.failed == 0);
	CHECK(entry_of(st, "gina", run.id, "log", &got) &&
	    got.size == strlen(now) && (got.flags & EF_CHANGED) &&
	    memcmp(got.md5, t.md5, MD5_LEN) == 0);
	CHECK(reads_newest(st, "gina", run.id, "log", now));
}

/* Offer a v2 hard link path → target: the status. */
static unsigned
offer_hard(const store_class **st, const char *path, const char *target,
    const char *data)
{
	static struct entry e;

	mk2(&e, E_HARD, 0, path, target);
	e.size = strlen(data);
	md5_hole_then(0, data, e.md5);
	return (*st)->offer(st, &e, text, sizeof text);
}

/*
 * Hard links are never asked for: made at once when their first is
 * stored, at commit when it came later, dropped (failed) when it never
 * came; a target that is not an earlier file is refused.
 */
static void
v2_hard_links(const store_class **st)
{
	static struct entry e, got;
	struct put_trailer t = { 0 };

	CHECK(begin(st, "hank", "/l") == ST_OK);
	mk2(&e, E_FILE, 0, "a", NULL);
	e.size = 5;
	md5_hole_then(0, "first", e.md5);
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_NEED);
	t.size = 5;
	memcpy(t.md5, e.md5, MD5_LEN);
	CHECK(offer_hard(st, "b", "a", "first") == ST_OK);	/* pending */
	CHECK(put2(st, "a", 0, "first", &t) == ST_OK);
	CHECK(offer_hard(st, "c", "a", "first") == ST_OK);	/* at once */
	mk2(&e, E_DIR, 0, "d", NULL);
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_OK);
	mk2(&e, E_FILE, 0, "x", NULL);
	e.size = 4;
	md5_hole_then(0, "lost", e.md5);
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_NEED);
	CHECK(offer_hard(st, "y", "x", "lost") == ST_OK);
	t.size = 3;
	CHECK(put2(st, "x", 0, "los", &t) == ST_BAD_DATA);
	CHECK(commit(st) == ST_OK);
	CHECK(run.files == 3 && run.bytes == 15 && run.failed == 2);
	CHECK(entry_of(st, "hank", run.id, "b", &got) && got.type == E_HARD &&
	    strcmp(got.target, "a") == 0);
	CHECK(entry_of(st, "hank", run.id, "c", &got) && got.type == E_HARD);
	CHECK(!entry_of(st, "hank", run.id, "y", &got));
	CHECK(reads_newest(st, "hank", run.id, "b", "first") &&
	    reads_newest(st, "hank", run.id, "c", "first"));
	CHECK(begin(st, "hank", "/l") == ST_OK);
	mk2(&e, E_DIR, 0, "d", NULL);
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_OK);
	CHECK(offer_hard(st, "e", "d", "") == ST_BAD_REQUEST);
	(*st)->end(st);
}

/*
 * A hard link's target is found in the manifest of the run so far when
 * it is not stored: a file left out is a target (the link is dropped),
 * a path never offered is not, among many records.
 */
static void
v2_hard_targets(const store_class **st)
{
	static struct entry e;
	struct put_trailer t = { 0 };
	char name[16];
	int i;

	CHECK(begin(st, "hank", "/t") == ST_OK);
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof name, "d%03d", i);
		mk2(&e, E_DIR, 0, name, NULL);
		CHECK((*st)->offer(st, &e, text, sizeof text) == ST_OK);
		if (i != 300)
			continue;
		mk2(&e, E_FILE, 0, "d300/m", NULL);
		e.size = 4;
		md5_hole_then(0, "gone", e.md5);
		CHECK((*st)->offer(st, &e, text, sizeof text) == ST_NEED);
		CHECK(put2(st, "d300/m", 0, "gon", &t) == ST_BAD_DATA);
	}
	CHECK(offer_hard(st, "z1", "d300/m", "gone") == ST_OK);
	CHECK(offer_hard(st, "z2", "d300/n", "gone") == ST_BAD_REQUEST);
	(*st)->end(st);
	CHECK(begin(st, "hank", "/t") == ST_OK);
	mk2(&e, E_DIR, 0, "a", NULL);
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_OK);
	CHECK(offer_hard(st, "b", "a/never", "gone") == ST_BAD_REQUEST);
	(*st)->end(st);
}

/*
 * KEEP: the previous snapshot's version goes in, its record flagged
 * KEEP; without one the file is left out (NOT_FOUND, failed). Special
 * files and the root are recorded; the root only first.
 */
static void
v2_keep_and_specials(const store_class **st)
{
	static struct entry e, got;

	CHECK(begin(st, "hank", "/k") == ST_OK);
	CHECK(offer(st, E_FILE, "f", "version one") == ST_NEED);
	CHECK(commit(st) == ST_OK);
	CHECK(begin(st, "hank", "/k") == ST_OK);
	mk2(&e, E_DIR, 0, "", NULL);
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_OK);
	mk2(&e, E_FIFO, 0, "a-fifo", NULL);
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_OK);
	mk2(&e, E_CHR, 0, "b-dev", NULL);
	e.major = 1;
	e.minor = 3;
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_OK);
	mk2(&e, E_FILE, EF_KEEP, "f", NULL);
	e.size = 99;
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_OK);
	mk2(&e, E_FILE, EF_KEEP, "g", NULL);
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_NOT_FOUND);
	CHECK(commit(st) == ST_OK);
	CHECK(run.files == 1 && run.kept == 1 && run.failed == 1);
	CHECK(entry_of(st, "hank", run.id, "f", &got) &&
	    (got.flags & EF_KEEP) && got.size == strlen("version one"));
	CHECK(reads_newest(st, "hank", run.id, "f", "version one"));
	CHECK(!entry_of(st, "hank", run.id, "g", &got));
	CHECK(entry_of(st, "hank", run.id, "b-dev", &got) &&
	    got.type == E_CHR && got.major == 1 && got.minor == 3);
	CHECK(entry_of(st, "hank", run.id, "a-fifo", &got) &&
	    got.type == E_FIFO);
	CHECK(begin(st, "hank", "/k") == ST_OK);
	CHECK(offer(st, E_DIR, "d", NULL) == ST_OK);
	mk2(&e, E_DIR, 0, "", NULL);
	CHECK((*st)->offer(st, &e, text, sizeof text) == ST_BAD_REQUEST);
	(*st)->end(st);
}

static unsigned pruned_count;

static void
count_pruned(void *arg, const struct snapinfo *si)
{
	(void)arg;
	if (si->name[0] != 0)
		pruned_count++;
}

static unsigned planned_count;

static void
count_planned(void *arg, unsigned n)
{
	(void)arg;
	planned_count = n;
}

/* Retention after a commit tells of each snapshot it removes (dry: of
 * each it would, removing none); PRUNE likewise, first how many go. */
static void
v2_retain(const store_class **st)
{
	struct retention k = last1;
	struct snapinfo si;
	uint64_t files, bytes;
	int i;

	for (i = 0; i < 3; i++) {
		CHECK(begin(st, "ivan", "/p") == ST_OK);
		CHECK(offer(st, E_FILE, "f", i == 1 ? "two" : "one") ==
		    ST_NEED);
		if (i < 2)
			CHECK(commit(st) == ST_OK);
	}
	CHECK((*st)->retain(st, &k, 0, count_pruned, NULL, text,
	    sizeof text) == ST_BAD_REQUEST);	/* not committed */
	CHECK((*st)->commit(st, 0, &run, text, sizeof text) == ST_OK);
	pruned_count = 0;
	CHECK((*st)->retain(st, &k, 1, count_pruned, NULL, text,
	    sizeof text) == ST_OK);
	CHECK(pruned_count == 2 && snapshots(st, "ivan", run.id) == 3);
	pruned_count = 0;
	k.daily = 1;	/* one day: its newest, the newest */
	CHECK((*st)->retain(st, &k, 0, count_pruned, NULL, text,
	    sizeof text) == ST_OK);
	(*st)->end(st);
	CHECK(pruned_count == 2 && snapshots(st, "ivan", run.id) == 1);
	for (i = 0; i < 2; i++) {
		CHECK(begin(st, "ivan", "/p") == ST_OK);
		CHECK(commit(st) == ST_OK);
	}
	k = last1;
	planned_count = 99;
	pruned_count = 0;
	CHECK((*st)->prune(st, "ivan", run.id, &k, 1, count_planned,
	    count_pruned, NULL, text, sizeof text) == ST_OK);
	CHECK(planned_count == 2 && pruned_count == 2 &&
	    snapshots(st, "ivan", run.id) == 3);
	CHECK((*st)->remove(st, "ivan", run.id, run.snap, 1, &files, &bytes,
	    text, sizeof text) == ST_OK && snapshots(st, "ivan", run.id) == 3);
	CHECK((*st)->info(st, "ivan", run.id, NULL, &si) == ST_OK);
	CHECK((*st)->remove(st, "ivan", run.id, "", 1, &files, &bytes, text,
	    sizeof text) == ST_OK && files >= si.files && files > 0 &&
	    snapshots(st, "ivan", run.id) == 3);
	k.last = 2;
	planned_count = 99;
	pruned_count = 0;
	CHECK((*st)->prune(st, "ivan", run.id, &k, 0, count_planned,
	    count_pruned, NULL, text, sizeof text) == ST_OK);
	CHECK(planned_count == 1 && pruned_count == 1 &&
	    snapshots(st, "ivan", run.id) == 2);
	planned_count = 99;
	CHECK((*st)->prune(st, "ivan", run.id, &k, 0, count_planned,
	    count_pruned, NULL, text, sizeof text) == ST_OK &&
	    planned_count == 0);
	CHECK((*st)->prune(st, "bob", run.id, &k, 0, count_planned,
	    count_pruned, NULL, text, sizeof text) == ST_NOT_FOUND);
	CHECK((*st)->prune(st, "ivan", "0123456789abcdef", &k, 1,
	    count_planned, count_pruned, NULL, text, sizeof text) ==
	    ST_NOT_FOUND);
}

void
suite_store(void)
{
	const store_class **st;
	size_t i;

	for (i = 0; i < sizeof backends / sizeof backends[0]; i++) {
		const struct backend *b = &backends[i];

		cur = b;
		if (!b->usable()) {
			fprintf(stderr, "  store %s: not configured, skipped\n",
			    b->name);
			continue;
		}
		if (!CHECK((st = b->open(0)) != NULL))
			continue;
		own_names(st, b);
		visible_at_commit(st);
		abort_then_resume(st);
		found_by_path_and_md5(st);
		read_back(st);
		cursors_in_step(st);
		clients_apart(st);
		removal(st);
		internal_names(st);
		read_v2(st, b);
		busy(st);
		log_quiet = 1;	/* read_holds' retention says it waits */
		read_holds(st);
		log_quiet = 0;
		v2_holes(st);
		v2_changed(st);
		v2_hard_links(st);
		v2_hard_targets(st);
		v2_keep_and_specials(st);
		log_quiet = 1;	/* the retention says what it removes */
		v2_retain(st);
		log_quiet = 0;
		b->close(st);
		if (!b->quota)
			continue;
		if (!CHECK((st = b->open(QUOTA)) != NULL))
			continue;
		quota(st);
		b->close(st);
	}
}
