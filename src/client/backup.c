/*
 * backup.c — one backup run: walk the source in sorted order, merge it
 * with the previous client state to skip unchanged files, offer every
 * entry to the server in pipelined batches, send the files it lacks,
 * commit, and write the new state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "conn.h"
#include "path.h"
#include "port.h"
#include "proto.h"
#include "record.h"
#include "report.h"
#include "walk.h"

/*
 * The client state is a JSON-lines file (record.h): a header, one record
 * per entry in path order, a "drop" line for each file whose data the
 * server rejected (its record is not to be trusted), and last the MD5 of
 * all the lines before, each with its newline. A state that fails the
 * check is reported, and every file is hashed again.
 */
#define STATE_DROPS_MAX 64	/* more: the whole state is not trusted */
#define STATE_DROP "{\"drop\":"
#define STATE_SUM "{\"state_md5\":"

struct run {
	const struct copts *o;
	struct cconn c;
	int root;		/* the source directory */
	struct dircache src_dir;	/* where the last file sent lives */
	char source[PATH_CAP];
	char id[TARGET_MAX], snap[TARGET_MAX];
	char refused[MSG_MAX + 1];	/* committed, but --keep was refused */
	/* old state, read in step with the walk */
	int old_ok;
	int64_t old_time;
	struct lines old;
	struct entry old_e;
	struct stamp old_x;
	int old_have;
	/* records the server rejected last run, by the MD5 of their path */
	uint8_t drops[STATE_DROPS_MAX][MD5_LEN];
	unsigned ndrops;
	/* new state */
	struct port_tmp st_tmp;
	int st_dir;
	char st_name[NAME_LEN_MAX + 1];
	struct linew st_w;
	struct md5 st_sum;	/* of every line so far */
	int64_t start;
	uint64_t bw_start, bw_bytes;	/* --bwlimit accounting */
	struct report rep;
	/* figures */
	uint64_t files, sent, bytes_sent, errors, skipped;
};

static struct run run;
static struct walk walk;
static struct filter filter;
static struct json js;
static uint8_t line[LINE_MAX_BYTES];

/* On any exit before the state is saved, remove its temporary. */
static void
state_cleanup(void)
{
	if (run.st_tmp.fd >= 0)
		port_tmp_abort(&run.st_tmp);
}

/* --bwlimit: sleep as long as it takes to stay under the rate. */
static void
throttle(struct run *r, uint64_t n)
{
	uint64_t due, now;

	if (r->o->bwlimit == 0)
		return;
	if (r->bw_bytes == 0)
		r->bw_start = port_ms();
	r->bw_bytes += n;
	due = r->bw_start + r->bw_bytes * 1000 / r->o->bwlimit;
	now = port_ms();
	if (due > now) {
		/* Send what is queued first, so the pause is a real gap. */
		tls_flush(&r->c.t);
		port_sleep_ms((unsigned)(due - now));
	}
}

/* ---- client state -------------------------------------------------------- */

/* Where the state lives when --state is not given. */
static void
state_path(const struct copts *o, const char *source, char *dir, size_t dcap,
    char *name, size_t ncap)
{
	const char *home = getenv("HOME");
	struct md5 c;
	uint8_t md[MD5_LEN];
	char hex[MD5_HEXLEN + 1];

	if (o->state != NULL) {
		const char *slash = strrchr(o->state, '/');
		if (slash == NULL) {
			snprintf(dir, dcap, ".");
			snprintf(name, ncap, "%s", o->state);
		} else {
			snprintf(dir, dcap, "%.*s", (int)(slash - o->state + 1),
			    o->state);
			snprintf(name, ncap, "%s", slash + 1);
		}
		return;
	}
	md5_init(&c);
	md5_update(&c, source, strlen(source));
	md5_final(&c, md);
	md5_hex(md, hex);
	snprintf(dir, dcap, "%s/.cairn", home && *home ? home : ".");
	snprintf(name, ncap, "state-%.16s.json", hex);
	port_mkdir(dir, 0700);
}

/* 1 if the object p[0..n) starts with the text pre. */
static int
starts(const char *p, size_t n, const char *pre)
{
	return n >= strlen(pre) && memcmp(p, pre, strlen(pre)) == 0;
}

/* The next entry of the old state (past drop lines), if it can be
 * trusted. */
static void
old_advance(struct run *r)
{
	const char *p;
	size_t n;

	r->old_have = 0;
	while (r->old_ok && lines_next(&r->old, &p, &n) == 1) {
		if (starts(p, n, STATE_DROP) || starts(p, n, STATE_SUM))
			continue;
		r->old_have = json_parse(&js, p, n) == 0 &&
		    entry_parse(&js, &r->old_e, &r->old_x) == 0;
		break;
	}
	r->old_ok = r->old_have;
}

/* 1 if the server rejected the data of path last run. */
static int
dropped(const struct run *r, const char *path, size_t n)
{
	struct md5 c;
	uint8_t md[MD5_LEN];
	unsigned i;

	if (r->ndrops == 0)
		return 0;
	md5_init(&c);
	md5_update(&c, path, n);
	md5_final(&c, md);
	for (i = 0; i < r->ndrops; i++)
		if (memcmp(r->drops[i], md, MD5_LEN) == 0)
			return 1;
	return 0;
}

/* A drop line of the old state: remember its path. -1 if it is not one
 * or there are too many. */
static int
old_drop(struct run *r)
{
	static char path[PATH_CAP];
	struct md5 c;
	size_t n;

	if (json_str(&js, "drop", path, sizeof path, &n) < 0 ||
	    r->ndrops == STATE_DROPS_MAX)
		return -1;
	md5_init(&c);
	md5_update(&c, path, n);
	md5_final(&c, r->drops[r->ndrops++]);
	return 0;
}

/*
 * Read the old state once whole: its header must be for this source,
 * and its lines must match its checksum. NULL if it can be trusted,
 * else why not, in words.
 */
static const char *
old_check(struct run *r)
{
	static char src[PATH_CAP];
	char hex[MD5_HEXLEN + 1], want[MD5_HEXLEN + 1];
	struct md5 c;
	uint8_t md[MD5_LEN];
	const char *p;
	size_t n, len;
	int got;

	md5_init(&c);
	if (lines_next(&r->old, &p, &n) != 1 || json_parse(&js, p, n) < 0 ||
	    json_str(&js, "source", src, sizeof src, &len) < 0 ||
	    json_i64(&js, "time", &r->old_time) < 0)
		return "not a cairn state file";
	if (strcmp(src, r->source) != 0)
		return "the state of another source";
	do {
		md5_update(&c, p, n);
		md5_update(&c, "\n", 1);
		got = lines_next(&r->old, &p, &n);
		if (got == 1 && starts(p, n, STATE_DROP) &&
		    (json_parse(&js, p, n) < 0 || old_drop(r) < 0))
			return "damaged, or lists too many rejected files";
	} while (got == 1 && !starts(p, n, STATE_SUM));
	if (got != 1)
		return got == 0 ? "without its checksum (damaged, or "
		    "written by an older cairn)" : "truncated or damaged";
	md5_final(&c, md);
	md5_hex(md, hex);
	if (json_parse(&js, p, n) < 0 ||
	    json_str(&js, "state_md5", want, sizeof want, &len) < 0 ||
	    strcmp(want, hex) != 0)
		return "damaged (its checksum does not match)";
	if (lines_next(&r->old, &p, &n) != 0)
		return "damaged (lines after its checksum)";
	return NULL;
}

/* Open the old state and check it whole, then again to read it in step
 * with the walk; a state that fails the check is reported and not
 * used. */
static void
old_open(struct run *r, const char *dir)
{
	const char *why, *p;
	size_t n;
	int fd;

	r->old_ok = 0;
	r->old_have = 0;
	r->ndrops = 0;
	r->old.fd = -1;
	fd = port_openat_read(r->st_dir, r->st_name);
	if (fd < 0)
		return;
	lines_open(&r->old, fd);
	why = old_check(r);
	port_close(fd);
	if (why != NULL) {
		msg("the state %s%s%s is %s: every file is hashed again this "
		    "run", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
		    r->st_name, why);
		r->ndrops = 0;
		return;
	}
	fd = port_openat_read(r->st_dir, r->st_name);
	if (fd < 0)
		return;
	lines_open(&r->old, fd);
	r->old_ok = lines_next(&r->old, &p, &n) == 1;
	old_advance(r);
}

/*
 * One run of a source at a time: a lock beside its state (with the pid
 * in it, for people), released by the kernel when the run ends, however
 * it ends — so a stale lock cannot exist.
 */
static void
take_run_lock(struct run *r, const char *dir)
{
	char lock[sizeof r->st_name + 8], pid[24];
	int n, fd;

	snprintf(lock, sizeof lock, "%s.lock", r->st_name);
	fd = port_openat_rw(r->st_dir, lock, 0600);
	if (fd < 0)
		die(EXIT_USAGE, "cannot open the lock %s/%s: %s", dir, lock,
		    strerror(errno));
	if (port_trylock(fd) < 0) {
		n = (int)port_read_full(fd, pid, sizeof pid - 1);
		pid[n > 0 ? n : 0] = 0;
		pid[strcspn(pid, "\n")] = 0;
		die(EXIT_REFUSED, "busy: another run of this backup is in "
		    "progress (pid %s, holding %s/%s)", pid[0] ? pid : "?", dir,
		    lock);
	}
	n = snprintf(pid, sizeof pid, "%ld\n", port_getpid());
	if (port_ftruncate(fd, 0) < 0 ||
	    port_pwrite_all(fd, pid, (size_t)n, 0) < 0)
		msg("cannot write the pid into %s/%s: %s", dir, lock,
		    strerror(errno));
	/* fd stays open, and the lock held, for the whole run */
}

/* The prefix of this state's temporaries: ".cairn-st-" and 8 hex digits
 * of the MD5 of its name, so that a run (holding this state's lock) can
 * clear what a killed run of the same state left, and nothing else. */
static void
state_tmp_prefix(const struct run *r, char out[PORT_TMP_PREFIX_MAX + 1])
{
	struct md5 c;
	uint8_t md[MD5_LEN];
	char hex[MD5_HEXLEN + 1];

	md5_init(&c);
	md5_update(&c, r->st_name, strlen(r->st_name));
	md5_final(&c, md);
	md5_hex(md, hex);
	snprintf(out, PORT_TMP_PREFIX_MAX + 1, ".cairn-st-%.8s-", hex);
}

static void
state_open(struct run *r)
{
	char dir[PATH_CAP], prefix[PORT_TMP_PREFIX_MAX + 1];

	state_path(r->o, r->source, dir, sizeof dir, r->st_name,
	    sizeof r->st_name);
	r->st_dir = port_open_dir(dir);
	if (r->st_dir < 0)
		die(EXIT_USAGE, "cannot open the state directory %s: %s", dir,
		    strerror(errno));
	take_run_lock(r, dir);
	old_open(r, dir);
	md5_init(&r->st_sum);
	state_tmp_prefix(r, prefix);
	port_tmp_clean_as(r->st_dir, prefix);	/* a killed run's */
	if (port_tmp_open_as(&r->st_tmp, r->st_dir, prefix, 0600) < 0)
		die(EXIT_USAGE, "cannot write the state in %s: %s", dir,
		    strerror(errno));
	atexit(state_cleanup);
	linew_open(&r->st_w, r->st_tmp.fd);
}

/* One line of the new state, counted in its checksum. */
static void
state_line(struct run *r, const struct buf *b)
{
	md5_update(&r->st_sum, b->p, b->len);
	md5_update(&r->st_sum, "\n", 1);
	if (b->err || linew_put(&r->st_w, b->p, b->len) < 0)
		die(EXIT_USAGE, "cannot write the state %s: %s", r->st_name,
		    strerror(errno));
}

static void
state_put_header(struct run *r)
{
	struct buf b;

	buf_init(&b, line, sizeof line);
	buf_puts(&b, "{\"cairn_state\":1");
	json_put_key(&b, "source", 0);
	json_put_str(&b, r->source, strlen(r->source));
	json_put_key(&b, "id", 0);
	json_put_str(&b, r->id, strlen(r->id));
	json_put_key(&b, "time", 0);
	buf_sdec(&b, r->start);
	buf_putc(&b, '}');
	state_line(r, &b);
}

static void
state_put(struct run *r, const struct entry *e, const struct port_stat *st)
{
	struct stamp x;
	struct buf b;

	x.ctime = st->ctime;
	x.ctime_ns = st->ctime_ns;
	x.ino = st->ino;
	buf_init(&b, line, sizeof line);
	entry_json(&b, e, &x);
	state_line(r, &b);
}

/* The server rejected e's data: its record, written already, must not
 * be trusted next run. */
static void
state_drop(struct run *r, const struct entry *e)
{
	struct buf b;

	buf_init(&b, line, sizeof line);
	buf_puts(&b, STATE_DROP);
	json_put_str(&b, e->path, e->plen);
	buf_putc(&b, '}');
	state_line(r, &b);
}

/* The checksum, last, and the state closed. 0 or -1 (errno). */
static int
state_close(struct run *r)
{
	char hex[MD5_HEXLEN + 1];
	uint8_t md[MD5_LEN];
	struct buf b;

	md5_final(&r->st_sum, md);
	md5_hex(md, hex);
	buf_init(&b, line, sizeof line);
	buf_puts(&b, STATE_SUM "\"");
	buf_puts(&b, hex);
	buf_puts(&b, "\"}");
	if (linew_put(&r->st_w, b.p, b.len) < 0)
		return -1;
	return linew_close(&r->st_w);
}

/*
 * The MD5 the state holds for this file, if the file is unchanged since
 * (size, mtime, ctime, inode). A file changed in the second the previous
 * run started is not trusted: it may have changed again unseen.
 */
static int
state_lookup(struct run *r, struct entry *e, const struct port_stat *st)
{
	int c = 1;

	while (r->old_have && (c = path_cmp(r->old_e.path, r->old_e.plen,
	    e->path, e->plen)) < 0)
		old_advance(r);
	if (!r->old_have || c != 0 || r->o->checksum ||
	    dropped(r, e->path, e->plen) ||
	    r->old_e.type != E_FILE || r->old_e.size != st->size ||
	    r->old_e.mtime != st->mtime || r->old_e.mtime_ns != st->mtime_ns ||
	    st->mtime >= r->old_time)
		return 0;
	if (!r->o->ignore_inode && (r->old_x.ctime != st->ctime ||
	    r->old_x.ctime_ns != st->ctime_ns || r->old_x.ino != st->ino ||
	    st->ctime >= r->old_time))
		return 0;
	memcpy(e->md5, r->old_e.md5, MD5_LEN);
	return 1;
}

/* ---- reading and sending files ------------------------------------------- */

/* Open the file at the relative path beneath the source, no symlinks. */
static int
open_source(struct run *r, const char *path)
{
	const char *leaf;
	int dfd;

	dfd = dircache_parent(&r->src_dir, r->root, path, &leaf);
	return dfd < 0 ? -1 : port_openat_read(dfd, leaf);
}

/* The MD5 of dfd/leaf, with keepalives. 0 or -1 (errno). */
static int
hash_file(struct run *r, int dfd, const char *leaf, uint8_t md[MD5_LEN])
{
	int fd = port_openat_read(dfd, leaf), rc;

	if (fd < 0)
		return -1;
	rc = cconn_hash(&r->c, fd, md);
	port_close(fd);
	return rc;
}

/* e's bytes as DATA_TRANSFER frames: exactly e->size of them whatever
 * happens to the file meanwhile (padded with zeros; the MD5 fails). */
static void
send_data(struct run *r, const struct entry *e)
{
	uint8_t *data = r->c.data;
	uint64_t left = e->size;
	long n;
	int fd;

	fd = open_source(r, e->path);
	if (fd < 0)
		msg("%s: cannot open: %s", shown_path(e), strerror(errno));
	while (left > 0) {
		size_t want = left < DATA_CHUNK ? (size_t)left : DATA_CHUNK;
		n = fd >= 0 ? port_read(fd, data, want, -1) : -1;
		if (n <= 0) {
			/* Shrunk or unreadable: pad, and let the MD5 fail. */
			memset(data, 0, want);
			n = (long)want;
			if (fd >= 0) {
				port_close(fd);
				fd = -1;
			}
		}
		cconn_send(&r->c, T_DATA_TRANSFER, data, (size_t)n,
		    "sending a file");
		left -= (uint64_t)n;
		r->bytes_sent += (uint64_t)n;
		throttle(r, (uint64_t)n);
		report_progress(&r->rep, 0, r->files, "sent", r->sent,
		    r->bytes_sent);
	}
	if (fd >= 0)
		port_close(fd);
}

/* Send a file the server asked for: FILE_TRANSFER, its data, then
 * TRANSFER_COMPLETE, whose reply comes later. */
static void
send_file(struct run *r, const struct entry *e)
{
	struct buf b;

	cconn_buf(&r->c, &b);
	entry_put(&b, e);
	cconn_send(&r->c, T_FILE_TRANSFER, b.p, b.len, "sending a file");
	send_data(r, e);
	cconn_send(&r->c, T_TRANSFER_COMPLETE, NULL, 0, "sending a file");
	cconn_push(&r->c, T_TRANSFER_COMPLETE, e);
}

/* ---- replies ------------------------------------------------------------- */

/* An offer answered: the server has the file, wants it, or cannot. */
static void
offer_replied(void *ctx, const struct entry *e, struct reply *rp)
{
	struct run *r = ctx;

	if (rp->status == ST_NEED) {
		send_file(r, e);
	} else if (rp->status != ST_OK) {
		msg("%s: the server could not store it: %s", shown_path(e),
		    rp->text);
		r->errors++;
	}
}

/* A file sent, and the server's verdict on it. */
static void
transfer_replied(void *ctx, const struct entry *e, struct reply *rp)
{
	struct run *r = ctx;

	if (rp->status == ST_OK) {
		r->sent++;
		return;
	}
	msg("%s: not backed up: %s", shown_path(e), rp->text);
	r->errors++;
	/* Its MD5 may be what is wrong (a damaged state): read it again
	 * next run. */
	if (rp->status == ST_BAD_DATA)
		state_drop(r, e);
}

static const struct reply_row backup_rows[] = {
	{ T_OFFER, offer_replied },
	{ T_TRANSFER_COMPLETE, transfer_replied },
};

static const struct reply_table backup_replies = {
	{ "waiting for a reply", "the server stopped the backup", 0, 0 },
	backup_rows, sizeof backup_rows / sizeof backup_rows[0]
};

/* Offer e, once there is room in the pipeline. */
static void
offer(struct run *r, const struct entry *e)
{
	struct buf b;

	cconn_room(&r->c);
	cconn_buf(&r->c, &b);
	if (entry_put(&b, e) < 0)
		BUG("entry does not fit a frame");
	cconn_send(&r->c, T_OFFER, b.p, b.len, "sending an offer");
	cconn_push(&r->c, T_OFFER, e);
}

/* ---- the run ------------------------------------------------------------- */

/* An id or a snapshot name from a reply's body into out[TARGET_MAX]. */
static int
get_name(struct rd *rd, char out[TARGET_MAX])
{
	const char *s;
	size_t n;

	s = rd_str(rd, TARGET_MAX - 1, &n);
	if (s == NULL)
		return -1;
	memcpy(out, s, n);
	out[n] = 0;
	cconn_tidy(out, TARGET_MAX);
	return 0;
}

/* CHECK_SOURCE: the server agrees to back up our source, and names the
 * backup and the snapshot to be. */
static void
check_source(struct run *r)
{
#define REFUSED_BACKUP "the server refused the backup of "
	static char refusal[sizeof REFUSED_BACKUP + PATH_CAP];
	struct check k = { "starting the backup", refusal, 1, 0 };
	struct reply *rp;
	struct buf b;
	size_t len = strlen(r->source);

	snprintf(refusal, sizeof refusal, REFUSED_BACKUP "%s", r->source);
	cconn_buf(&r->c, &b);
	buf_u16(&b, (unsigned)len);
	buf_put(&b, r->source, len);
	rp = cconn_request(&r->c, T_CHECK_SOURCE, &b, &k);
	if (get_name(&rp->body, r->id) < 0 || get_name(&rp->body, r->snap) < 0)
		die(EXIT_NET, "malformed reply from %s", r->o->server);
}

/* A regular file's entry: its MD5 from the state or by hashing. 0, or -1
 * if it is not offered. */
static int
file_entry(struct run *r, struct entry *e, const struct port_stat *st)
{
	if (!filter_match(&filter, walk.leaf, strlen(walk.leaf)))
		return -1;
	e->type = E_FILE;
	e->size = st->size;
	r->files++;
	if (!state_lookup(r, e, st) &&
	    hash_file(r, walk.dfd, walk.leaf, e->md5) < 0) {
		msg("%s: cannot read: %s", shown_path(e), strerror(errno));
		r->errors++;
		return -1;
	}
	state_put(r, e, st);
	return 0;
}

/* The walk's current entry, offered. */
static void
offer_entry(struct run *r, const struct port_stat *st)
{
	static struct entry e;
	long n;

	e.plen = walk.plen;
	memcpy(e.path, walk.path, walk.plen + 1);
	e.size = 0;
	e.mode = st->mode;
	e.mtime = st->mtime;
	e.mtime_ns = st->mtime_ns;
	e.tlen = 0;
	e.target[0] = 0;
	memset(e.md5, 0, MD5_LEN);
	switch (st->type) {
	case PORT_DIR:
		e.type = E_DIR;
		break;
	case PORT_LNK:
		e.type = E_LINK;
		n = port_readlinkat(walk.dfd, walk.leaf, e.target,
		    sizeof e.target);
		if (n <= 0) {
			msg("%s: cannot read the symlink: %s", shown_path(&e),
			    strerror(errno));
			r->errors++;
			return;
		}
		e.tlen = (size_t)n;
		break;
	case PORT_REG:
		if (file_entry(r, &e, st) < 0)
			return;
		break;
	default:
		msg("%s: skipped: not a regular file, directory or symlink",
		    shown_path(&e));
		r->skipped++;
		return;
	}
	offer(r, &e);
}

/* Every reply in, BACKUP_COMPLETE commits the snapshot (its final name
 * in the reply). */
static void
finish(struct run *r)
{
	static const struct check k = { "committing the snapshot",
	    "the server could not commit the snapshot", 0, 0 };
	struct reply *rp;
	struct buf b;

	cconn_drain(&r->c);
	/* Committing syncs the snapshot's data: give it time. */
	if (r->c.t.timeout_ms < COMMIT_WAIT_MS)
		r->c.t.timeout_ms = COMMIT_WAIT_MS;
	cconn_buf(&r->c, &b);
	buf_u32(&b, r->o->keep);
	rp = cconn_request(&r->c, T_BACKUP_COMPLETE, &b, &k);
	/* DENIED: committed, but --keep refused (PROTOCOL.md). */
	if (rp->status != ST_OK && rp->status != ST_DENIED)
		die(EXIT_REFUSED, "%s: %s", k.refusal, rp->text);
	get_name(&rp->body, r->snap);
	if (rp->status == ST_DENIED)
		snprintf(r->refused, sizeof r->refused, "%s", rp->text);
	cconn_close(&r->c);
}

/* Resolve and open the source, the filter and the state. */
static void
source_open(struct run *r)
{
	const struct copts *o = r->o;

	if (port_realpath(o->source, r->source, sizeof r->source) < 0)
		die(EXIT_USAGE, "cannot use the source %s: %s", o->source,
		    strerror(errno));
	r->root = port_open_dir(r->source);
	dircache_init(&r->src_dir);
	if (r->root < 0 || walk_open(&walk, r->source) < 0)
		die(EXIT_USAGE, "cannot open the source directory %s: %s",
		    o->source, strerror(errno));
	state_open(r);
}

/* The state for the next run, and the figures of this one. */
static int
backup_done(struct run *r)
{
	static const char *const keys[] = { "files", "sent", "bytes_sent",
	    "errors", "skipped" };
	const uint64_t vals[] = { r->files, r->sent, r->bytes_sent,
	    r->errors, r->skipped };

	if (state_close(r) < 0 ||
	    port_tmp_commit(&r->st_tmp, r->st_name) < 0)
		msg("cannot save the state %s: %s (the next run hashes every "
		    "file again)", r->st_name, strerror(errno));
	if (r->o->json)
		report_json(&r->rep, r->id, r->snap, NULL, keys, vals,
		    sizeof vals / sizeof vals[0]);
	info("backup %s snapshot %s: %llu files, %llu sent (%llu bytes), "
	    "%llu errors", r->id, r->snap, (unsigned long long)r->files,
	    (unsigned long long)r->sent, (unsigned long long)r->bytes_sent,
	    (unsigned long long)r->errors);
	if (r->refused[0]) {
		msg("snapshot %s committed, but the server refused --keep: %s",
		    r->snap, r->refused);
		return EXIT_REFUSED;
	}
	return r->errors ? EXIT_PARTIAL : 0;
}

int
backup_run(const struct copts *o)
{
	struct run *r = &run;
	struct port_stat st;

	r->o = o;
	r->st_tmp.fd = -1;
	r->start = port_time();
	report_start(&r->rep, o->report);
	if (o->extensions != NULL && filter_load(&filter, o->extensions) < 0)
		return EXIT_USAGE;
	source_open(r);

	cconn_open(&r->c, o);
	cconn_pipeline(&r->c, &backup_replies, r);
	check_source(r);
	state_put_header(r);
	info("backing up %s to %s:%u as backup %s", r->source, o->server,
	    o->port, r->id);

	while (walk_next(&walk, &st) > 0) {
		offer_entry(r, &st);
		report_progress(&r->rep, 0, r->files, "sent", r->sent,
		    r->bytes_sent);
	}
	walk_close(&walk);
	r->errors += walk.errors;
	finish(r);
	report_progress(&r->rep, 1, r->files, "sent", r->sent,
	    r->bytes_sent);
	return backup_done(r);
}
