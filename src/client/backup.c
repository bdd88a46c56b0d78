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
#include "meta.h"
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

/*
 * The window (PROTOCOL.md, "Backing up in v2"): offers go in OFFER_BATCHes
 * of up to OFFER_BATCH_MAX entries and the frame's bytes; at most
 * PIPELINE_MAX requests are unanswered, and at most WINDOW_ENTRIES
 * entries and WINDOW_BYTES bytes of their paths are held, in the batches
 * not handled yet and in the files sent whose verdict has not come. A
 * batch goes when full, when the window needs room, when its first entry
 * has waited BATCH_WAIT_MS, before hashing a file of BATCH_HASH_BYTES or
 * more, and at the end.
 */
#define BATCH_WAIT_MS 20
#define BATCH_HASH_BYTES 65536

/* An entry offered: what the handling of its status uses, and a file's
 * record of the new state, written then (in offer order, which is path
 * order: an MD5_LATER file's MD5 is known once it is sent); its path is
 * in the window's ring from off. */
struct offered {
	uint32_t off;
	uint16_t plen;
	uint8_t type, flags;
	uint8_t status;		/* the reply's, once read */
	uint8_t put;		/* a state record is due: x holds its stamp */
	uint32_t mtime_ns, mode;
	uint64_t size;
	int64_t mtime;
	uint8_t md5[MD5_LEN];
	struct stamp x;
};

/* A file sent whose TRANSFER_COMPLETE is not answered yet. */
struct sentfile {
	unsigned flags;		/* SENT_* */
	size_t plen;
	char path[PATH_CAP];
};

/* A request unanswered: its type and how many entries it holds. */
struct asked {
	uint8_t type;
	uint16_t n;
};

struct window {
	/* offered entries, oldest first: [0, stat) answered, [0, sent)
	 * sent, [sent, count) in the batch being filled */
	struct offered rec[WINDOW_ENTRIES];
	unsigned head, count, stat, sent;
	size_t bytes;			/* their paths' */
	char ring[WINDOW_BYTES];	/* their paths */
	struct sentfile tc[PIPELINE_MAX];
	unsigned tc_head, tc_count;
	size_t tc_bytes;
	struct asked req[PIPELINE_MAX];
	unsigned req_head, req_count;
	int handling;			/* win_handle is running */
	/* the batch being filled */
	uint8_t batch[FRAME_MAX];
	struct buf b;
	unsigned bn;
	uint64_t first_ms;		/* when its first entry came */
};

struct run {
	const struct copts *o;
	struct cconn c;
	int root;		/* the source directory */
	struct dircache src_dir;	/* where the last file sent lives */
	char source[PATH_CAP];
	char id[TARGET_MAX], snap[TARGET_MAX];
	/* the newest snapshot before this run (CHECK_SOURCE v2): what
	 * percent and ETA are measured against; "" and 0 when none */
	char prev[TARGET_MAX];
	uint64_t prev_files, prev_bytes;
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
	/* MD5_LATER offers (PROTOCOL.md, "How cairn reads"): a first backup
	 * that follows no interrupted run reads each new file once */
	int interrupted;	/* a killed run of this state left its temporary */
	int began;		/* the server began this run (CHECK_SOURCE) */
	int later;
	/* figures */
	uint64_t files, sent, bytes_sent, errors;
	uint64_t skipped;	/* sockets: counted, not said one by one */
	uint64_t failed;	/* entries the server left out */
	int committed;		/* BACKUP_COMPLETE said so */
	uint64_t would, would_bytes;	/* --dry-run: files it would send */
	struct window w;
};

/* The progress line: files walked, sent, and the bytes examined. */
static void
progress(struct run *r, int last)
{
	report_progress(&r->rep, last, r->files, "sent", r->sent,
	    r->bytes_sent);
}

/* Markers on a sent file's pending entry, for its reply. */
#define SENT_CHANGED EF_CHANGED	/* it changed while read */
#define SENT_UNREAD EF_KEEP	/* it could not be read to its end */

static struct run run;
static struct walk walk;
static struct links links;
static uint8_t xattrs[XATTR_MAX];	/* the entry being offered's */
static struct filter filter;
static struct excl excl;
static struct json js;
static uint8_t line[LINE_MAX_BYTES];

/* On any exit before the state is saved, remove its temporary; but
 * once the server began the run and until it committed, leave it as the
 * mark of an interrupted run (the next one clears it). */
static void
state_cleanup(void)
{
	if (run.st_tmp.fd >= 0 && (!run.began || run.committed))
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
	state_dir(dir, dcap);
	snprintf(name, ncap, "state-%.16s.json", hex);
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

/* The old state, and the new one's temporary (a dry run reads the old
 * one only: no lock, nothing written). */
static void
state_open(struct run *r)
{
	char dir[PATH_CAP], prefix[PORT_TMP_PREFIX_MAX + 1];

	state_path(r->o, r->source, dir, sizeof dir, r->st_name,
	    sizeof r->st_name);
	r->st_dir = port_open_dir(dir);
	if (r->st_dir < 0 && r->o->dry_run) {
		r->old.fd = -1;
		return;	/* never backed up from here: all is hashed */
	}
	if (r->st_dir < 0)
		die(EXIT_USAGE, "cannot open the state directory %s: %s", dir,
		    strerror(errno));
	if (r->o->dry_run) {
		old_open(r, dir);
		state_tmp_prefix(r, prefix);
		r->interrupted = port_tmp_left_as(r->st_dir, prefix) > 0;
		return;
	}
	take_run_lock(r, dir);
	old_open(r, dir);
	md5_init(&r->st_sum);
	state_tmp_prefix(r, prefix);
	/* a killed run's: the server may hold what it sent */
	r->interrupted = port_tmp_clean_as(r->st_dir, prefix) > 0;
	if (port_tmp_open_as(&r->st_tmp, r->st_dir, prefix, 0600) < 0)
		die(EXIT_USAGE, "cannot write the state in %s: %s", dir,
		    strerror(errno));
	at_exit(state_cleanup);
	linew_open(&r->st_w, r->st_tmp.fd);
}

/* One line of the new state, counted in its checksum. */
static void
state_line(struct run *r, const struct buf *b)
{
	if (r->o->dry_run)
		return;
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

/* The state record of file e, with its stamp x. */
static void
state_put(struct run *r, const struct entry *e, const struct stamp *x)
{
	struct buf b;

	buf_init(&b, line, sizeof line);
	entry_json(&b, e, x);
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

/* 1 if the file moved between a and b: size, mtime or ctime. */
static int
moved(const struct port_stat *a, const struct port_stat *b)
{
	return a->size != b->size || a->mtime != b->mtime ||
	    a->mtime_ns != b->mtime_ns || a->ctime != b->ctime ||
	    a->ctime_ns != b->ctime_ns;
}

#define HASH_TRIES 3		/* a file that keeps changing: offered as read */

/* The MD5 of fd's content, with keepalives; the bytes read are examined
 * (the progress line). 0 or -1 (errno). */
static int
hash_fd(struct run *r, int fd, uint8_t md[MD5_LEN])
{
	struct md5 m;
	long n;

	md5_init(&m);
	while ((n = port_read(fd, r->c.data, sizeof r->c.data, -1)) > 0) {
		md5_update(&m, r->c.data, (size_t)n);
		cconn_keepalive(&r->c);
		r->rep.done_bytes += (uint64_t)n;
		progress(r, 0);
	}
	if (n < 0)
		return -1;
	md5_final(&m, md);
	return 0;
}

/*
 * The MD5 of dfd/leaf, with keepalives, read again while the file moves
 * under the read (up to HASH_TRIES times); *st becomes the look taken
 * after the last read. 0 or -1 (errno).
 */
static int
hash_file(struct run *r, int dfd, const char *leaf, struct port_stat *st,
    uint8_t md[MD5_LEN])
{
	struct port_stat before = *st;
	uint64_t done = r->rep.done_bytes;
	int fd, rc, i;

	for (i = 0; i < HASH_TRIES; i++) {
		r->rep.done_bytes = done;	/* a file read again counts once */
		fd = port_openat_read(dfd, leaf);
		if (fd < 0)
			return -1;
		rc = hash_fd(r, fd, md);
		if (rc == 0 && port_fstat(fd, st) < 0)
			rc = -1;
		port_close(fd);
		if (rc < 0 || !moved(&before, st))
			return rc;
		before = *st;
	}
	return 0;
}

/* A file's content as it is read: n bytes of data, or (data NULL) a
 * hole of n zero bytes, into the MD5 and onto the wire. */
static void
send_part(struct run *r, struct md5 *m, const uint8_t *data, uint64_t n)
{
	static uint8_t zeros[DATA_CHUNK];	/* bss: never written */
	uint8_t len[8];
	struct buf b;
	uint64_t left;
	size_t k;

	if (data == NULL) {
		for (left = n; left > 0; left -= k) {
			k = left < DATA_CHUNK ? (size_t)left : DATA_CHUNK;
			md5_update(m, zeros, k);
		}
		buf_init(&b, len, sizeof len);
		buf_u64(&b, n);
		cconn_send(&r->c, T_HOLE, b.p, b.len, "sending a file");
		return;
	}
	md5_update(m, data, (size_t)n);
	cconn_send(&r->c, T_DATA_TRANSFER, data, (size_t)n, "sending a file");
	r->bytes_sent += n;
	throttle(r, n);
	progress(r, 0);
}

#define ZERO_BLOCK 4096		/* all zeros: sent as a hole (sparse files) */

/* 1 if p[0..n) is all zeros. */
static int
zeros(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/*
 * Bytes [off, end) of fd, or to its end when end is UINT64_MAX: data,
 * and with sparse, all-zero blocks as holes. The offset reached, or -1
 * if a read failed.
 */
static int64_t
send_range(struct run *r, struct md5 *m, int fd, uint64_t off, uint64_t end,
    int sparse)
{
	uint8_t *data = r->c.data;
	uint64_t hole = 0;
	size_t want, i, k, from;
	long n = 0;

	for (; off < end; off += (uint64_t)n) {
		want = end - off < DATA_CHUNK ? (size_t)(end - off) : DATA_CHUNK;
		if ((n = port_pread(fd, data, want, off)) <= 0)
			break;
		/* Data runs from `from`; a zero block ends one, and the
		 * hole so begun goes before the next data. */
		for (i = from = 0; i < (size_t)n; i += k) {
			k = (size_t)n - i < ZERO_BLOCK ? (size_t)n - i :
			    ZERO_BLOCK;
			if (sparse && zeros(data + i, k)) {
				if (i > from)
					send_part(r, m, data + from, i - from);
				hole += k;
				from = i + k;
			} else if (hole > 0) {
				send_part(r, m, NULL, hole);
				hole = 0;
			}
		}
		if (from < (size_t)n)
			send_part(r, m, data + from, (size_t)n - from);
	}
	if (hole > 0)
		send_part(r, m, NULL, hole);
	return n < 0 ? -1 : (int64_t)off;
}

/*
 * A sparse file: its data extents as found by SEEK_DATA and SEEK_HOLE,
 * the gaps as holes; where the filesystem cannot say, all-zero blocks
 * are holes. The offset reached, or -1.
 */
static int64_t
send_sparse(struct run *r, struct md5 *m, int fd)
{
	struct port_stat st;
	int64_t d, h, off = 0;

	for (;;) {
		d = port_seek(fd, (uint64_t)off, PORT_SEEK_DATA);
		if (d < 0 && errno == ENXIO) {	/* a hole to the end */
			if (port_fstat(fd, &st) < 0)
				return -1;
			if (st.size > (uint64_t)off)
				send_part(r, m, NULL, st.size - (uint64_t)off);
			return st.size > (uint64_t)off ? (int64_t)st.size : off;
		}
		if (d < 0 && errno == EINVAL)
			return send_range(r, m, fd, (uint64_t)off,
			    UINT64_MAX, 1);
		if (d < 0 || (h = port_seek(fd, (uint64_t)d,
		    PORT_SEEK_HOLE)) < d)
			return -1;
		if (d > off)
			send_part(r, m, NULL, (uint64_t)(d - off));
		off = send_range(r, m, fd, (uint64_t)d, (uint64_t)h, 0);
		if (off < h)	/* shrunk, or a read failed */
			return off;
		if (h == d)
			return off;
	}
}

static void tc_push(struct run *r, const struct entry *e, unsigned flags);
static void win_room(struct run *r);

/*
 * A needed file: FILE_TRANSFER {path}, its content as read (data and
 * holes), then TRANSFER_COMPLETE {size, md5, flags}, whose reply comes
 * later. CHANGED when what was read differs from the offer (an MD5_LATER
 * offer has no MD5 to differ: e->md5 becomes what was read); a file that
 * cannot be read to its end gets a trailer that cannot match (the server
 * leaves it out). Its SENT_* flags.
 */
static unsigned
send_file(struct run *r, struct entry *e)
{
	struct port_stat before, after;
	struct md5 m;
	uint8_t md[MD5_LEN];
	struct buf b;
	int64_t size = -1;
	unsigned flags = 0;
	int fd;

	win_room(r);	/* for the TRANSFER_COMPLETE */
	cconn_buf(&r->c, &b);
	put_str(&b, e->path, e->plen);
	cconn_send(&r->c, T_FILE_TRANSFER, b.p, b.len, "sending a file");
	md5_init(&m);
	if ((fd = open_source(r, e->path)) >= 0 && port_fstat(fd, &before) == 0)
		size = before.blocks * 512 < before.size ?
		    send_sparse(r, &m, fd) : send_range(r, &m, fd, 0,
		    UINT64_MAX, 0);
	if (size < 0 || port_fstat(fd, &after) < 0) {
		msg("%s: cannot read: %s; left out of the snapshot",
		    shown_path(e), strerror(errno));
		r->errors++;
		flags |= SENT_UNREAD;
		size = size < 0 ? 0 : size;
	}
	if (fd >= 0)
		port_close(fd);
	md5_final(&m, md);
	if (e->flags & EF_MD5_LATER)
		memcpy(e->md5, md, MD5_LEN);
	if (!(flags & SENT_UNREAD) && ((uint64_t)size != e->size ||
	    memcmp(md, e->md5, MD5_LEN) != 0 || moved(&before, &after) ||
	    after.mtime != e->mtime || after.mtime_ns != e->mtime_ns))
		flags |= SENT_CHANGED;
	if (flags & SENT_UNREAD)
		md[0] ^= 1;	/* cannot match what was sent */
	cconn_buf(&r->c, &b);
	buf_u64(&b, (uint64_t)size);
	buf_put(&b, md, MD5_LEN);
	buf_u8(&b, (flags & SENT_CHANGED) ? 1 : 0);
	cconn_send(&r->c, T_TRANSFER_COMPLETE, b.p, b.len, "sending a file");
	tc_push(r, e, flags);
	return flags;
}

/* ---- replies ------------------------------------------------------------- */

/* An offer answered with status st: the server has it, wants the file,
 * or has no previous version to keep. -1 if e's state record is not to
 * be written (it was not read), else 0. */
static int
offer_replied(struct run *r, struct entry *e, unsigned st)
{
	if (st == ST_NEED && !(e->flags & EF_KEEP) && r->o->dry_run) {
		r->would++;
		r->would_bytes += e->size;
		if (!log_quiet && !r->o->json)
			report_printf(&r->rep, "would send %s\n", shown_path(e));
	} else if (st == ST_NEED && !(e->flags & EF_KEEP)) {
		return (send_file(r, e) & SENT_UNREAD) ? -1 : 0;
	} else if (st == ST_NOT_FOUND && (e->flags & EF_KEEP)) {
		msg("%s: not in the new snapshot: no earlier version of it "
		    "was backed up", shown_path(e));
	} else if (st != ST_OK) {
		msg("%s: the server could not store it (status %u)",
		    shown_path(e), st);
		r->errors++;
	}
	return 0;
}

/* A file sent, and the server's verdict on it. */
static void
transfer_replied(struct run *r, const struct entry *e, struct reply *rp)
{
	if (rp->status == ST_OK && (e->flags & SENT_CHANGED)) {
		msg("%s: changed while read: stored as read", shown_path(e));
		r->errors++;
		state_drop(r, e);	/* its record is not what was stored */
	}
	if (rp->status == ST_OK) {
		r->sent++;
		return;
	}
	if (!(e->flags & SENT_UNREAD)) {	/* that one was said */
		msg("%s: not backed up: %s", shown_path(e), rp->text);
		r->errors++;
	}
	/* Its MD5 may be what is wrong (a damaged state): read it again
	 * next run. */
	if (rp->status == ST_BAD_DATA)
		state_drop(r, e);
}

/* ---- the window ---------------------------------------------------------- */

static const struct check backup_check = { "waiting for a reply",
    "the server stopped the backup", 0, 0 };

/* n bytes of p into the path ring at off, wrapping; and back. */
static void
ring_put(struct window *w, size_t off, const char *p, size_t n)
{
	size_t k = WINDOW_BYTES - off < n ? WINDOW_BYTES - off : n;

	memcpy(w->ring + off, p, k);
	memcpy(w->ring, p + k, n - k);
}

static void
ring_get(const struct window *w, size_t off, char *p, size_t n)
{
	size_t k = WINDOW_BYTES - off < n ? WINDOW_BYTES - off : n;

	memcpy(p, w->ring + off, k);
	memcpy(p + k, w->ring, n - k);
	p[n] = 0;
}

/* The reply to an OFFER_BATCH of n entries: their statuses, kept until
 * they are handled (in order, by win_handle). */
static void
batch_replied(struct run *r, struct reply *rp, unsigned n)
{
	struct window *w = &r->w;
	unsigned count = rd_u16(&rp->body), i;

	if (count != n || w->stat + n > w->sent)
		die(EXIT_NET, "%s:%u sent a malformed reply to an offer",
		    r->o->server, r->o->port);
	for (i = 0; i < n; i++)
		w->rec[(w->head + w->stat + i) % WINDOW_ENTRIES].status =
		    (uint8_t)rd_u8(&rp->body);
	if (rd_end(&rp->body) < 0)
		die(EXIT_NET, "%s:%u sent a malformed reply to an offer",
		    r->o->server, r->o->port);
	w->stat += n;
}

/* The reply to the oldest TRANSFER_COMPLETE. */
static void
sent_replied(struct run *r, struct reply *rp, unsigned n)
{
	static struct entry e;
	struct window *w = &r->w;
	struct sentfile *f = &w->tc[w->tc_head];

	(void)n;
	entry_clear(&e, E_FILE);
	e.flags = f->flags;
	e.plen = f->plen;
	memcpy(e.path, f->path, f->plen + 1);
	w->tc_head = (w->tc_head + 1) % PIPELINE_MAX;
	w->tc_count--;
	w->tc_bytes -= f->plen;
	transfer_replied(r, &e, rp);
}

/* How the reply to each kind of request is taken. */
static const struct {
	unsigned type;
	void (*take)(struct run *r, struct reply *rp, unsigned n);
} takers[] = {
	{ T_OFFER_BATCH, batch_replied },
	{ T_TRANSFER_COMPLETE, sent_replied },
};

/* Read the reply to the oldest request. A batch's statuses are only
 * kept: sending the files it needs is win_handle's. */
static void
win_take(struct run *r)
{
	struct window *w = &r->w;
	struct asked q;
	struct reply *rp;
	size_t i;

	if (w->req_count == 0)
		BUG("no request pending");
	q = w->req[w->req_head];
	rp = cconn_reply(&r->c, q.type, &backup_check);
	w->req_head = (w->req_head + 1) % PIPELINE_MAX;
	w->req_count--;
	for (i = 0; i < sizeof takers / sizeof takers[0]; i++)
		if (takers[i].type == q.type) {
			takers[i].take(r, rp, q.n);
			return;
		}
	BUG("a request without a reply handler");
}

/* Take replies until one more request may be sent. */
static void
win_room(struct run *r)
{
	while (r->w.req_count >= PIPELINE_MAX)
		win_take(r);
}

/* Note a request of type holding n entries, just sent. */
static void
win_asked(struct run *r, unsigned type, unsigned n)
{
	struct window *w = &r->w;
	struct asked *q;

	if (w->req_count >= PIPELINE_MAX)
		BUG("pipeline overflow");
	q = &w->req[(w->req_head + w->req_count++) % PIPELINE_MAX];
	q->type = (uint8_t)type;
	q->n = (uint16_t)n;
}

/* Note file e sent (flags SENT_*), its TRANSFER_COMPLETE unanswered. */
static void
tc_push(struct run *r, const struct entry *e, unsigned flags)
{
	struct window *w = &r->w;
	struct sentfile *f;

	if (w->tc_count >= PIPELINE_MAX)
		BUG("too many files sent unanswered");
	f = &w->tc[(w->tc_head + w->tc_count++) % PIPELINE_MAX];
	f->flags = flags;
	f->plen = e->plen;
	memcpy(f->path, e->path, e->plen + 1);
	w->tc_bytes += e->plen;
	win_asked(r, T_TRANSFER_COMPLETE, 1);
}

/* Handle the answered entries, oldest first: a NEED's file is sent at
 * once. Their records are free before (the window stays as full). */
static void
win_handle(struct run *r)
{
	static struct entry e;
	struct window *w = &r->w;
	struct offered *o;
	struct stamp x;
	int put;

	if (w->handling)
		return;
	w->handling = 1;
	while (w->stat > 0) {
		o = &w->rec[w->head];
		entry_clear(&e, o->type);
		e.flags = o->flags;
		e.plen = o->plen;
		ring_get(w, o->off, e.path, o->plen);
		e.size = o->size;
		e.mode = o->mode;
		e.mtime = o->mtime;
		e.mtime_ns = o->mtime_ns;
		memcpy(e.md5, o->md5, MD5_LEN);
		x = o->x;
		put = o->put;
		w->head = (w->head + 1) % WINDOW_ENTRIES;
		w->stat--;
		w->sent--;
		w->count--;
		w->bytes -= o->plen;
		if (offer_replied(r, &e, o->status) == 0 && put) {
			e.flags &= ~(unsigned)EF_MD5_LATER;
			state_put(r, &e, &x);
		}
	}
	w->handling = 0;
}

/* Send the batch being filled, if any. */
static void
batch_send(struct run *r)
{
	struct window *w = &r->w;

	if (w->bn == 0)
		return;
	win_room(r);
	w->b.p[0] = (uint8_t)(w->bn >> 8);
	w->b.p[1] = (uint8_t)w->bn;
	cconn_send(&r->c, T_OFFER_BATCH, w->b.p, w->b.len, "sending an offer");
	win_asked(r, T_OFFER_BATCH, w->bn);
	w->sent += w->bn;
	w->bn = 0;
	win_handle(r);
}

/* Make room in the window for one more entry of plen path bytes. */
static void
win_make_room(struct run *r, size_t plen)
{
	struct window *w = &r->w;

	while (w->count + w->tc_count + 1 > WINDOW_ENTRIES ||
	    w->bytes + w->tc_bytes + plen > WINDOW_BYTES) {
		if (w->stat > 0)
			win_handle(r);
		else if (w->bn > 0)
			batch_send(r);
		else
			win_take(r);
	}
}

/* Offer e: into the batch being filled, which goes when it is full or
 * has waited long enough; with x (not NULL), e's state record is written
 * when its status is handled. */
static void
offer(struct run *r, const struct entry *e, const struct stamp *x)
{
	struct window *w = &r->w;
	struct offered *o;
	size_t need = entry2_size(e);

	if (w->bn > 0 && (w->bn == OFFER_BATCH_MAX ||
	    w->b.len + need > FRAME_MAX))
		batch_send(r);
	win_make_room(r, e->plen);
	if (w->bn == 0) {
		buf_init(&w->b, w->batch, sizeof w->batch);
		buf_u16(&w->b, 0);	/* the count, set when sent */
		w->first_ms = port_ms();
	}
	if (entry2_put(&w->b, e) < 0)
		BUG("entry does not fit a frame");
	o = &w->rec[(w->head + w->count) % WINDOW_ENTRIES];
	o->off = (uint32_t)(w->count == 0 ? 0 : (w->rec[w->head].off +
	    w->bytes) % WINDOW_BYTES);
	o->plen = (uint16_t)e->plen;
	o->type = (uint8_t)e->type;
	o->flags = (uint8_t)e->flags;
	o->put = x != NULL;
	if (x != NULL)
		o->x = *x;
	o->mode = e->mode;
	o->size = e->size;
	o->mtime = e->mtime;
	o->mtime_ns = e->mtime_ns;
	memcpy(o->md5, e->md5, MD5_LEN);
	ring_put(w, o->off, e->path, e->plen);
	w->bytes += e->plen;
	w->count++;
	w->bn++;
	if (w->bn == OFFER_BATCH_MAX || port_ms() - w->first_ms >=
	    BATCH_WAIT_MS)
		batch_send(r);
}

/* Send what is left and take every reply. */
static void
win_drain(struct run *r)
{
	struct window *w = &r->w;

	batch_send(r);
	while (w->count > 0 || w->tc_count > 0) {
		if (w->stat > 0)
			win_handle(r);
		else
			win_take(r);
	}
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
	buf_u8(&b, r->o->dry_run ? RQ_DRY_RUN : 0);
	rp = cconn_request(&r->c, T_CHECK_SOURCE, &b, &k);
	if (get_name(&rp->body, r->id) < 0 ||
	    get_name(&rp->body, r->snap) < 0 ||
	    get_str(&rp->body, r->prev, sizeof r->prev) < 0)
		die(EXIT_NET, "malformed reply from %s", r->o->server);
	r->prev_files = rd_u64(&rp->body);
	r->prev_bytes = rd_u64(&rp->body);
	if (rd_end(&rp->body) < 0)
		die(EXIT_NET, "malformed reply from %s", r->o->server);
}

/* The walk's current file hashed into md; one this big would keep the
 * server waiting, so the batch being filled goes first. 0 or -1. */
static int
hash_walked(struct run *r, struct port_stat *st, uint8_t md[MD5_LEN])
{
	if (st->size >= BATCH_HASH_BYTES)
		batch_send(r);
	return hash_file(r, walk.dfd, walk.leaf, st, md);
}

/*
 * A regular file's entry: a hard link to a name offered before, or its
 * MD5 from the state, or MD5_LATER (a first backup's new file of one
 * link: read once, as it is sent), or by hashing; a file that cannot be
 * read is offered KEEP (the server keeps the previous version). 1 with
 * *x the stamp of its state record, 0 with none, or -1 if it is not
 * offered.
 */
static int
file_entry(struct run *r, struct entry *e, struct port_stat *st,
    struct stamp *x)
{
	if (!filter_match(&filter, walk.leaf, strlen(walk.leaf)))
		return -1;
	r->files++;
	if (links_find(&links, st, e)) {
		r->rep.done_bytes += st->size;
		return 0;
	}
	e->type = E_FILE;
	if (state_lookup(r, e, st))
		r->rep.done_bytes += st->size;	/* known: examined */
	else if (r->later && st->nlink == 1) {
		e->flags = EF_MD5_LATER;	/* md5 zeros */
		r->rep.done_bytes += st->size;	/* read when it is sent */
	} else if (hash_walked(r, st, e->md5) < 0) {
		if (errno == ENOENT) {	/* vanished: not an error */
			r->files--;
			return -1;
		}
		msg("%s: cannot read: %s; its previous version is kept",
		    shown_path(e), strerror(errno));
		r->errors++;
		e->flags = EF_KEEP;
		memset(e->md5, 0, MD5_LEN);
		e->size = st->size;
		return 0;
	}
	e->size = st->size;
	e->mode = st->mode;
	e->mtime = st->mtime;
	e->mtime_ns = st->mtime_ns;
	if (st->blocks * 512 < st->size)
		e->flags |= EF_SPARSE;
	x->ctime = st->ctime;
	x->ctime_ns = st->ctime_ns;
	x->ino = st->ino;
	links_add(&links, st, e);
	return 1;
}

/* What every entry carries: mode, mtime, owner, xattrs (of dfd/leaf). */
static void
entry_meta(struct run *r, struct entry *e, const struct port_stat *st,
    int dfd, const char *leaf)
{
	static char left[MSG_MAX];

	e->mode = st->mode;
	e->mtime = st->mtime;
	e->mtime_ns = st->mtime_ns;
	e->owned = 1;
	e->uid = st->uid;
	e->gid = st->gid;
	meta_owner(e);
	e->xattr = xattrs;
	if (meta_xattrs(dfd, leaf, xattrs, &e->xlen, left, sizeof left) < 0)
		msg("%s: cannot read its extended attributes: %s",
		    e->plen ? shown_path(e) : r->source, strerror(errno));
	else if (left[0] != 0)
		msg("%s: extended attributes left out (over %d bytes): %s",
		    e->plen ? shown_path(e) : r->source, XATTR_MAX, left);
}

/* A FIFO or device node's type and numbers: 0, or -1 for a socket or
 * anything else not carried (counted). */
static int
special_entry(struct run *r, struct entry *e, const struct port_stat *st)
{
	switch (st->special) {
	case PORT_SP_FIFO:
		e->type = E_FIFO;
		return 0;
	case PORT_SP_CHR:
	case PORT_SP_BLK:
		e->type = st->special == PORT_SP_CHR ? E_CHR : E_BLK;
		e->major = st->rmajor;
		e->minor = st->rminor;
		return 0;
	case PORT_SP_SOCK:
		r->skipped++;	/* counted in the summary, not said */
		return -1;
	default:
		msg("%s: skipped: not a file type cairn knows", shown_path(e));
		r->skipped++;
		return -1;
	}
}

/* The walk's current entry, offered. */
static void
offer_entry(struct run *r, struct port_stat *st)
{
	static struct entry e;
	struct stamp x;
	int put = 0;
	long n;

	entry_clear(&e, 0);
	e.plen = walk.plen;
	memcpy(e.path, walk.path, walk.plen + 1);
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
		if ((put = file_entry(r, &e, st, &x)) < 0)
			return;
		break;
	default:
		if (special_entry(r, &e, st) < 0)
			return;
		break;
	}
	entry_meta(r, &e, st, walk.dfd, walk.leaf);
	offer(r, &e, put ? &x : NULL);
}

/* The source root's own entry (path ""), first of all. */
static void
offer_root(struct run *r)
{
	static struct entry e;
	struct port_stat st;

	if (port_fstat(r->root, &st) < 0)
		die(EXIT_USAGE, "cannot use the source %s: %s", r->source,
		    strerror(errno));
	entry_clear(&e, E_DIR);
	entry_meta(r, &e, &st, r->root, ".");
	offer(r, &e, NULL);
}

/* The snapshots the retention removed, as items after the reply, to
 * I_END. */
static void
pruned(struct run *r)
{
	static char name[TARGET_MAX], why[MSG_MAX + 1], policy[160];
	struct rd rd;
	unsigned type, kind;
	size_t n;

	retention_text(&r->o->keep, policy, sizeof policy);
	for (;;) {
		n = cconn_recv(&r->c, &type, "while pruning");
		rd_init(&rd, r->c.frame, n);
		kind = rd_u8(&rd);
		if (type != T_ITEM || (kind != I_SNAPSHOT && kind != I_END))
			die(EXIT_NET, "%s:%u sent a malformed item while "
			    "pruning", r->o->server, r->o->port);
		if (kind == I_END)
			break;
		if (get_name(&rd, name) < 0)
			die(EXIT_NET, "malformed item from %s", r->o->server);
		info("%s snapshot %s (retention: %s)", r->o->dry_run ?
		    "would remove" : "removed", name, policy);
	}
	if (rd_u8(&rd) != ST_OK && get_str(&rd, why, sizeof why) == 0) {
		cconn_tidy(why, sizeof why);
		msg("pruning stopped: %s", why);
	}
}

/*
 * Every reply in, BACKUP_COMPLETE {errors, the retention} commits the
 * snapshot:
 * the reply names it and says whether pruning follows.
 */
static void
finish(struct run *r)
{
	static const struct check k = { "committing the snapshot",
	    "the server could not commit the snapshot", 0, 0 };
	struct retention keep = r->o->keep;
	struct reply *rp;
	struct buf b;
	unsigned prune;

	win_drain(r);
	/* The commit may sync much data: the server sends KEEPALIVE while it
	 * works, and our normal timeout holds (PROTOCOL.md, "Version 2"). */
	cconn_buf(&r->c, &b);
	buf_u32(&b, (uint32_t)r->errors);	/* the walk's counted in */
	/* The buckets are the client's local days (PROTOCOL.md). */
	keep.utc_offset = port_utc_offset(port_time());
	retention_put(&b, &keep);
	rp = cconn_request(&r->c, T_BACKUP_COMPLETE, &b, &k);
	/* DENIED: committed, but --keep refused (PROTOCOL.md). */
	if (rp->status != ST_OK && rp->status != ST_DENIED)
		die(EXIT_REFUSED, "%s: %s", k.refusal, rp->text);
	get_name(&rp->body, r->snap);
	r->committed = 1;
	rd_u64(&rp->body);	/* files, bytes, received: ours are shown */
	rd_u64(&rp->body);
	rd_u64(&rp->body);
	r->failed = rd_u32(&rp->body);
	prune = rd_u8(&rp->body);
	if (rd_end(&rp->body) < 0 || prune > 2)
		die(EXIT_NET, "malformed reply from %s", r->o->server);
	if (rp->status == ST_DENIED)
		snprintf(r->refused, sizeof r->refused, "%s", rp->text);
	if (prune == 2)
		msg("%s", rp->text);
	if (prune == 1)
		pruned(r);
	cconn_close(&r->c);
}

/* Where a dry run keeps its hard links' spill file, or -1 (then the
 * names of hard links go as files). */
static int
spill_dir(void)
{
	const char *t = getenv("TMPDIR");

	return port_open_dir(t != NULL && *t ? t : "/tmp");
}

/* Resolve and open the source, the filter and the state. */
static void
source_open(struct run *r)
{
	const struct copts *o = r->o;
	char prefix[PORT_TMP_PREFIX_MAX + 1];

	if (port_realpath(o->source, r->source, sizeof r->source) < 0)
		die(EXIT_USAGE, "cannot use the source %s: %s", o->source,
		    strerror(errno));
	r->root = port_open_dir(r->source);
	dircache_init(&r->src_dir);
	if (r->root < 0 || walk_open(&walk, r->source, o->one_fs) < 0)
		die(EXIT_USAGE, "cannot open the source directory %s: %s",
		    o->source, strerror(errno));
	state_open(r);
	state_tmp_prefix(r, prefix);
	prefix[7] = 'h';	/* ".cairn-ht-": the hard links' spill file */
	/* A dry run leaves the state's directory alone: its spill file, a
	 * temporary, goes to $TMPDIR (or /tmp). */
	links_init(&links, o->dry_run ? spill_dir() : r->st_dir, prefix);
}

/* The state for the next run, and the figures of this one. */
static int
backup_done(struct run *r)
{
	static const char *const keys[] = { "files", "sent", "bytes_sent",
	    "errors", "skipped", "failed" };
	const uint64_t vals[] = { r->files, r->sent, r->bytes_sent,
	    r->errors, r->skipped, r->failed };
	char skipped[48];

	if (state_close(r) < 0 ||
	    port_tmp_commit(&r->st_tmp, r->st_name) < 0)
		msg("cannot save the state %s: %s (the next run hashes every "
		    "file again)", r->st_name, strerror(errno));
	if (r->o->json)
		report_json(&r->rep, r->id, r->snap, NULL, keys, vals,
		    sizeof vals / sizeof vals[0]);
	links_close(&links);
	snprintf(skipped, sizeof skipped, ", %llu skipped (sockets)",
	    (unsigned long long)r->skipped);
	info("backup %s snapshot %s: %s, %llu sent (%s), %s%s", r->id, r->snap,
	    nwords(r->files, "file", "files"), (unsigned long long)r->sent,
	    nwords(r->bytes_sent, "byte", "bytes"),
	    nwords(r->errors, "error", "errors"), r->skipped > 0 ? skipped : "");
	if (r->failed > 0)
		msg("%s left out of snapshot %s (see the messages above)",
		    nwords(r->failed, "entry was", "entries were"), r->snap);
	if (r->refused[0]) {
		msg("snapshot %s committed, but the server refused --keep: %s",
		    r->snap, r->refused);
		return EXIT_REFUSED;
	}
	return r->errors || r->failed ? EXIT_PARTIAL : 0;
}

void
backup_figures(struct backup_figures *f)
{
	snprintf(f->id, sizeof f->id, "%s", run.id);
	snprintf(f->snap, sizeof f->snap, "%s", run.committed ? run.snap : "");
	f->files = run.files;
	f->errors = run.errors + walk.errors;
}

int
backup_prepare(const struct copts *o)
{
	if (o->extensions != NULL && filter_load(&filter, o->extensions) < 0)
		return -1;
	return excl_init(&excl, o->exclude.v, o->exclude.n,
	    o->exclude_from.v, o->exclude_from.n, o->exclude_caches);
}

/* A dry run's figures: what the server would have been sent, in the
 * same names as a run's (--json adds "dry_run": true). Nothing saved. */
static int
dry_done(struct run *r)
{
	static const char *const keys[] = { "files", "sent", "bytes_sent",
	    "unchanged", "errors", "skipped", "failed" };
	const uint64_t vals[] = { r->files, r->would, r->would_bytes,
	    r->files - r->would, r->errors, r->skipped, r->failed };

	if (r->o->json)
		report_json_as(&r->rep, r->id, r->snap, NULL, "dry_run", keys,
		    vals, sizeof vals / sizeof vals[0]);
	links_close(&links);
	info("dry run of backup %s (snapshot %s): would send %s, %s (%s "
	    "unchanged)%s", r->id, r->snap, nwords(r->would, "file", "files"),
	    nwords(r->would_bytes, "byte", "bytes"),
	    nwords(r->files - r->would, "file", "files"),
	    r->errors ? "; see the errors above" : "");
	if (r->refused[0]) {
		msg("the server would refuse --keep: %s", r->refused);
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
	r->began = r->committed = r->interrupted = r->later = 0;
	r->start = port_time();
	report_start(&r->rep, o->report);
	if (backup_prepare(o) < 0)
		return EXIT_USAGE;
	source_open(r);
	walk.excl = &excl;

	cconn_open(&r->c, o);
	check_source(r);
	r->began = 1;
	/* nothing stored to find a file in by content: read each once */
	r->later = r->prev[0] == 0 && !r->interrupted;
	report_measure(&r->rep, r->prev_bytes);
	state_put_header(r);
	offer_root(r);
	info("%s %s to %s:%u as backup %s", o->dry_run ? "dry run: what a "
	    "backup would send of" : "backing up", r->source, o->server,
	    o->port, r->id);

	while (walk_next(&walk, &st) > 0) {
		offer_entry(r, &st);
		progress(r, 0);
	}
	walk_close(&walk);
	r->errors += walk.errors;
	walk.errors = 0;	/* counted: backup_figures adds what is left */
	finish(r);
	progress(r, 1);
	return o->dry_run ? dry_done(r) : backup_done(r);
}
