/*
 * ui_job.c — the web UI's commands, each run by client_main() in a
 * forked child (never a shell: every value is its own argument).
 *
 * The child's results (stdout), messages (stderr) and progress record
 * (report_record) go to files in the state directory, which the UI reads
 * when asked: it never waits on a pipe, and its own memory stays small
 * whatever the command prints. SIGCHLD wakes the loop, whose tick reaps
 * the child. A job (backup, restore, remove, prune, test-hook) runs one
 * at a time in the background; a quick read (--list, --ls, --find,
 * --diff) answers the request that started it when it ends, within
 * UI_READ_MS. Each job's end is one line of the history (ui-history,
 * newest first, the last UI_HISTORY_MAX, rewritten durably).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "ui.h"

#if CAIRN_UI

#include "client.h"
#include "json.h"
#include "port.h"
#include "report.h"

#define UI_READS 4		/* quick reads at once */
#define UI_HISTORY_MAX 200	/* runs the history keeps */
#define UI_HISTORY_LINE 1024	/* one run's record */
#define UI_LINES_MAX 2000	/* lines of output /api/job gives */

enum { JOB_NONE, JOB_RUNNING, JOB_DONE, JOB_FAILED };

static struct {
	unsigned n;		/* the last job's number, 0: none yet */
	char kind[16];
	long pid;		/* while it runs */
	int state;
	int rc;
	int64_t started;
	unsigned gen;		/* ui_job_generation() */
	char rec[REPORT_RECORD];	/* the last progress record seen */
} job;

static struct {
	int64_t next;		/* wall clock of the next run, 0: off */
	uint64_t every_ms;
} sched;

static struct ui_read {
	struct ui_conn *c;	/* NULL: free */
	unsigned serial;
	long pid;		/* 0 once its child has been reaped */
} reads[UI_READS];

static char text[UI_OUTPUT_MAX + 1];	/* one output file, read */

/* ---- command lines -------------------------------------------------- */

void
ui_argv_init(struct ui_argv *a)
{
	a->argc = 0;
	a->err = 0;
	a->used = 0;
	a->argv[0] = NULL;
	ui_arg(a, "cairn");
}

void
ui_arg(struct ui_argv *a, const char *s)
{
	size_t n = strlen(s) + 1;

	if (a->argc >= UI_ARGS || n > sizeof a->text - a->used) {
		a->err = 1;
		return;
	}
	memcpy(a->text + a->used, s, n);
	a->argv[a->argc++] = a->text + a->used;
	a->argv[a->argc] = NULL;
	a->used += n;
}

void
ui_arg2(struct ui_argv *a, const char *key, const char *value)
{
	ui_arg(a, key);
	ui_arg(a, value);
}

/* ---- children -------------------------------------------------------- */

/* dfd/name, emptied, for a child's output: its descriptor, or -1. */
static int
open_out(int dfd, const char *name)
{
	int fd = port_openat_rw(dfd, name, 0600);

	if (fd >= 0 && port_ftruncate(fd, 0) < 0) {
		port_close(fd);
		return -1;
	}
	return fd;
}

/* The file names of a child's output: prefix.out, .err, .progress. */
static void
names(const char *prefix, char out[3][48])
{
	snprintf(out[0], 48, "%s.out", prefix);
	snprintf(out[1], 48, "%s.err", prefix);
	snprintf(out[2], 48, "%s.progress", prefix);
}

/* The test of the post-hook, in the child: the hook with the
 * environment of a failed run and CAIRN_HOOK_TEST=1. */
static int
hook_test(const char *hook)
{
	const char *const argv[] = { "/bin/sh", "-c", hook, NULL };
	const char *const env[] = { "CAIRN_HOOK_TEST=1", "CAIRN_STATUS=3",
	    "CAIRN_SNAPSHOT=", "CAIRN_FILES=0", "CAIRN_ERRORS=0",
	    "CAIRN_ID=", NULL };
	int st;

	if (hook[0] == 0) {
		msg("no post-hook is set");
		return EXIT_USAGE;
	}
	if (port_run(argv, env, &st) < 0) {
		msg("post-hook could not start: %s", strerror(errno));
		return EXIT_USAGE;
	}
	if (st != 0)
		msg("post-hook failed (exit %d)", st);
	else
		msg("post-hook ran (exit 0)");
	return st == 0 ? 0 : EXIT_PARTIAL;
}

/* In the child: drop the server, put the output where it goes, run. */
static void __attribute__((noreturn))
child(const struct ui_argv *a, const int fd[3])
{
	static struct ui_argv copy;
	static struct report rep;

	ui_close_all();
	port_signal(SIGTERM, SIG_DFL);
	port_signal(SIGINT, SIG_DFL);
	port_signal(SIGHUP, SIG_DFL);
	port_signal(SIGCHLD, SIG_DFL);
	if (port_dup2(fd[0], 1) < 0 || port_dup2(fd[1], 2) < 0)
		exit(EXIT_USAGE);
	port_close(fd[0]);
	port_close(fd[1]);
	log_stamp = 0;
	rep.progress_fd = -1;
	rep.out_fd = 1;
	report_record(fd[2]);
	copy = *a;	/* client_main splits its arguments */
	if (a->argc == 3 && strcmp(a->argv[1], "--ui-hook-test") == 0)
		exit(hook_test(a->argv[2]));
	exit(client_main(copy.argc, copy.argv, &rep));
}

/* Start a with its output in prefix.*: the child's pid, or -1. */
static long
spawn(const struct ui_argv *a, const char *prefix, int progress)
{
	char n[3][48];
	int dfd, fd[3] = { -1, -1, -1 }, i;
	long pid = -1;

	if (a->err) {
		errno = E2BIG;
		return -1;
	}
	names(prefix, n);
	if ((dfd = port_open_dir(ui_dir())) < 0)
		return -1;
	for (i = 0; i < (progress ? 3 : 2); i++)
		if ((fd[i] = open_out(dfd, n[i])) < 0)
			goto out;
	if ((pid = port_fork()) == 0)
		child(a, fd);
out:
	for (i = 0; i < 3; i++)
		if (fd[i] >= 0)
			port_close(fd[i]);
	port_close(dfd);
	return pid;
}

/* The output file prefix.ext (at most UI_OUTPUT_MAX bytes) into text:
 * its length (0 when missing); *cut 1 when there was more. */
static size_t
read_out(const char *prefix, const char *ext, int *cut)
{
	char p[PATH_CAP + 64];
	long n;
	int fd;

	*cut = 0;
	snprintf(p, sizeof p, "%s/%s%s", ui_dir(), prefix, ext);
	if ((fd = port_open_read(p)) < 0)
		return 0;
	n = port_read_full(fd, text, UI_OUTPUT_MAX + 1);
	port_close(fd);
	if (n < 0)
		return 0;
	if (n > UI_OUTPUT_MAX) {
		*cut = 1;
		n = UI_OUTPUT_MAX;
	}
	text[n] = 0;
	return (size_t)n;
}

/* ---- quick reads -------------------------------------------------------- */

int
ui_read_start(struct ui_conn *c, const struct ui_argv *a)
{
	char prefix[16];
	unsigned i;

	for (i = 0; i < UI_READS && (reads[i].c != NULL || reads[i].pid > 0);
	    i++)
		;
	if (i == UI_READS) {
		ui_error(c, 503, "too many reads at once: try again");
		return UI_ANSWERED;
	}
	snprintf(prefix, sizeof prefix, "ui-read-%u", i);
	if ((reads[i].pid = spawn(a, prefix, 0)) < 0) {
		reads[i].pid = 0;
		ui_error(c, 500, "cannot start the command");
		return UI_ANSWERED;
	}
	reads[i].c = c;
	reads[i].serial = ui_serial(c);
	ui_wait(c);
	return UI_WAITING;
}

/* The status for a command's exit status. */
static unsigned
status_of(int rc)
{
	return rc == 0 || rc == EXIT_PARTIAL ? 200 : rc == EXIT_USAGE ? 400 :
	    rc == EXIT_NET ? 502 : rc == EXIT_REFUSED ? 404 : 500;
}

/* The last line of the messages in text[0..n), "cairn: " dropped. */
static const char *
last_message(size_t n)
{
	char *s;

	while (n > 0 && text[n - 1] == '\n')
		text[--n] = 0;
	for (s = text + n; s > text && s[-1] != '\n'; s--)
		;
	if (strncmp(s, "cairn: ", 7) == 0)
		s += 7;
	return s[0] ? s : "the command failed";
}

/* Read r's child ended with rc: answer its connection. */
static void
read_done(struct ui_read *r, unsigned i, int rc)
{
	char prefix[16];
	struct ui_conn *c = r->c;
	size_t n;
	int cut;

	r->c = NULL;
	r->pid = 0;
	if (c == NULL || ui_serial(c) != r->serial)
		return;		/* it has gone */
	snprintf(prefix, sizeof prefix, "ui-read-%u", i);
	if (rc == 0) {
		n = read_out(prefix, ".out", &cut);
		if (cut)
			ui_error(c, 500, "the answer is larger than 256 KiB");
		else
			ui_answer(c, 200, "application/json", text, n);
	} else {
		n = read_out(prefix, ".err", &cut);
		ui_error(c, status_of(rc), last_message(n));
	}
	ui_resume(c);
}

void
ui_read_forget(struct ui_conn *c)
{
	unsigned i;

	for (i = 0; i < UI_READS; i++)
		if (reads[i].c == c) {
			reads[i].c = NULL;
			if (reads[i].pid > 0)
				(void)port_kill(reads[i].pid, SIGTERM);
		}
}

void
ui_read_expire(struct ui_conn *c)
{
	ui_read_forget(c);
	ui_error(c, 504, "the command took longer than 30 s");
	ui_resume(c);
}

/* ---- jobs ------------------------------------------------------------- */

unsigned
ui_job_start(const char *kind, const struct ui_argv *a, const char **why)
{
	long pid;

	if (job.pid > 0) {
		*why = "a job is running";
		return 0;
	}
	if ((pid = spawn(a, "ui-job", 1)) < 0) {
		*why = errno == E2BIG ? "the command line is too long" :
		    "cannot start the job";
		return 0;
	}
	job.n++;
	snprintf(job.kind, sizeof job.kind, "%s", kind);
	job.pid = pid;
	job.state = JOB_RUNNING;
	job.rc = -1;
	job.started = port_time();
	job.gen++;
	memset(job.rec, 0, sizeof job.rec);
	return job.n;
}

/* The latest progress record into job.rec: 1 if it changed. */
static int
poll_progress(void)
{
	char rec[REPORT_RECORD], p[PATH_CAP + 32];
	long n;
	int fd;

	snprintf(p, sizeof p, "%s/ui-job.progress", ui_dir());
	if ((fd = port_open_read(p)) < 0)
		return 0;
	n = port_pread(fd, rec, sizeof rec, 0);
	port_close(fd);
	if (n != (long)sizeof rec || rec[0] != '{' ||
	    memcmp(rec, job.rec, sizeof rec) == 0)
		return 0;
	memcpy(job.rec, rec, sizeof rec);
	return 1;
}

unsigned
ui_job_generation(void)
{
	if (job.state == JOB_RUNNING && poll_progress())
		job.gen++;
	return job.gen;
}

int
ui_job_ended(void)
{
	return job.state == JOB_DONE || job.state == JOB_FAILED;
}

/* The last line of text[0..n) that is a JSON object: 1 with it in
 * *r[*rlen], or 0. */
static int
last_object(size_t n, const char **r, size_t *rlen)
{
	size_t i = 0, s;
	int found = 0;

	while (i < n) {
		for (s = i; i < n && text[i] != '\n'; i++)
			;
		if (i > s && text[s] == '{' && text[i - 1] == '}') {
			*r = text + s;
			*rlen = i - s;
			found = 1;
		}
		i++;
	}
	return found;
}

/* Lines of text[0..n) as JSON strings onto b, those that are a JSON
 * object into *result instead (the last one); a note when cut. */
static void
put_lines(struct buf *b, size_t n, int cut, const char **result,
    size_t *rlen)
{
	size_t i = 0, s, k = 0;
	int first = 1;

	buf_putc(b, '[');
	while (i < n && k < UI_LINES_MAX) {
		for (s = i; i < n && text[i] != '\n'; i++)
			;
		if (result != NULL && text[s] == '{' && i > s &&
		    text[i - 1] == '}') {
			*result = text + s;
			*rlen = i - s;
		} else if (i > s) {
			if (!first)
				buf_putc(b, ',');
			json_put_str(b, text + s, i - s);
			first = 0;
			k++;
		}
		i++;
	}
	if (cut || k == UI_LINES_MAX)
		buf_puts(b, first ? "\"(cut short here: more than 256 KiB)\"" :
		    ",\"(cut short here: more than 256 KiB)\"");
	buf_putc(b, ']');
}

/* The progress record without its padding onto b, or null. */
static void
put_progress(struct buf *b)
{
	size_t n = sizeof job.rec;

	while (n > 0 && (job.rec[n - 1] == ' ' || job.rec[n - 1] == '\n' ||
	    job.rec[n - 1] == 0))
		n--;
	if (n > 0 && job.rec[0] == '{' && job.rec[n - 1] == '}')
		buf_put(b, job.rec, n);
	else
		buf_puts(b, "null");
}

void
ui_job_json(struct buf *b)
{
	static const char *const states[] = { "none", "running", "done",
	    "failed" };
	const char *result = NULL;
	size_t n, rlen = 0;
	char iso[21];
	int cut;

	buf_puts(b, "{\"job\":");
	buf_dec(b, job.n);
	if (job.n == 0) {
		buf_putc(b, '}');
		return;
	}
	utc_iso(job.started, iso);
	buf_puts(b, ",\"kind\":\"");
	buf_puts(b, job.kind);
	buf_puts(b, "\",\"state\":\"");
	buf_puts(b, states[job.state]);
	buf_puts(b, "\",\"started\":\"");
	buf_puts(b, iso);
	buf_puts(b, "\",\"progress\":");
	put_progress(b);
	n = read_out("ui-job", ".out", &cut);
	buf_puts(b, ",\"lines\":");
	put_lines(b, n, cut, &result, &rlen);
	buf_puts(b, ",\"result\":");
	if (result != NULL)
		buf_put(b, result, rlen);
	else
		buf_puts(b, "null");
	n = read_out("ui-job", ".err", &cut);
	buf_puts(b, ",\"messages\":");
	put_lines(b, n, cut, NULL, NULL);
	buf_puts(b, ",\"exit\":");
	if (job.state == JOB_RUNNING)
		buf_puts(b, "null");
	else
		buf_dec(b, (uint64_t)job.rc);
	buf_putc(b, '}');
}

/* ---- history ------------------------------------------------------------ */

static char hist[UI_HISTORY_MAX * UI_HISTORY_LINE];

/* The history file into hist: its length. */
static size_t
read_history(void)
{
	char p[PATH_CAP + 16];
	long n;
	int fd;

	snprintf(p, sizeof p, "%s/ui-history", ui_dir());
	if ((fd = port_open_read(p)) < 0)
		return 0;
	n = port_read_full(fd, hist, sizeof hist - 1);
	port_close(fd);
	if (n < 0)
		n = 0;
	hist[n] = 0;
	return (size_t)n;
}

/* The record of the job that just ended, into b (one line). */
static void
record(struct buf *b)
{
	static struct json j;
	static const char *const figs[] = { "files", "sent", "bytes_sent",
	    "errors" };
	const char *result = NULL, *m;
	char iso[21], v[TARGET_MAX];
	size_t n, rlen = 0, i;
	uint64_t x;
	int cut;

	n = read_out("ui-job", ".out", &cut);
	if (!last_object(n, &result, &rlen) || json_parse(&j, result, rlen) < 0)
		j.ntok = j.nkey = 0;
	utc_iso(job.started, iso);
	buf_puts(b, "{\"time\":\"");
	buf_puts(b, iso);
	buf_puts(b, "\",\"kind\":\"");
	buf_puts(b, job.kind);
	buf_puts(b, job.rc == 0 ? "\",\"result\":\"ok\"" : job.rc ==
	    EXIT_PARTIAL ? "\",\"result\":\"errors\"" :
	    "\",\"result\":\"failed\"");
	for (i = 0; i < 4; i++) {
		json_put_key(b, figs[i], 0);
		buf_dec(b, json_u64(&j, figs[i], &x) == 0 ? x : 0);
	}
	for (i = 0; i < 2; i++) {
		if (json_str(&j, i ? "snapshot" : "id", v, sizeof v, &n) < 0)
			n = 0;
		json_put_key(b, i ? "snapshot" : "id", 0);
		json_put_str(b, v, n);
	}
	n = read_out("ui-job", ".err", &cut);
	m = job.rc == 0 ? "" : last_message(n);
	json_put_key(b, "message", 0);
	json_put_str(b, m, strlen(m) > 300 ? 300 : strlen(m));
	buf_puts(b, "}\n");
}

/* Put the ended job first in the history, durably. */
static void
history_add(void)
{
	static uint8_t line[UI_HISTORY_LINE];
	struct port_tmp t;
	struct buf b;
	size_t n = read_history(), i, k = 0;
	int dfd;

	buf_init(&b, line, sizeof line);
	record(&b);
	if (b.err)
		return;
	for (i = 0; i < n && k < UI_HISTORY_MAX - 1; i++)
		k += hist[i] == '\n';
	if ((dfd = port_open_dir(ui_dir())) < 0)
		return;
	if (port_tmp_open(&t, dfd, 0600) < 0) {
		port_close(dfd);
		return;
	}
	if (port_write_all(t.fd, b.p, b.len) < 0 ||
	    port_write_all(t.fd, hist, i) < 0)
		port_tmp_abort(&t);
	else if (port_tmp_commit(&t, "ui-history") < 0)
		msg("cannot save the history: %s", strerror(errno));
	port_close(dfd);
}

void
ui_history_json(struct buf *b)
{
	size_t n = read_history(), i = 0, s;
	const char *ok;
	char iso[21];
	int first = 1;

	buf_puts(b, "{\"runs\":[");
	while (i < n) {
		for (s = i; i < n && hist[i] != '\n'; i++)
			;
		if (i > s && hist[s] == '{' && hist[i - 1] == '}') {
			if (!first)
				buf_putc(b, ',');
			buf_put(b, hist + s, i - s);
			first = 0;
		}
		i++;
	}
	buf_puts(b, "],\"next_run\":");
	if (sched.next != 0) {
		utc_iso(sched.next, iso);
		buf_putc(b, '"');
		buf_puts(b, iso);
		buf_putc(b, '"');
	} else {
		buf_puts(b, "null");
	}
	buf_puts(b, ",\"last_success\":");
	ok = find_str(hist, "\"kind\":\"backup\",\"result\":\"ok\"");
	while (ok != NULL && ok > hist && ok[-1] != '\n')
		ok--;
	if (ok != NULL && strncmp(ok, "{\"time\":\"", 9) == 0) {
		buf_putc(b, '"');
		buf_put(b, ok + 9, 20);
		buf_putc(b, '"');
	} else {
		buf_puts(b, "null");
	}
	buf_puts(b, sched.next != 0 ? ",\"schedule\":true}" :
	    ",\"schedule\":false}");
}

/* ---- the loop's tick ---------------------------------------------------- */

/* The scheduler's interval in seconds, at least 1. */
static int64_t
every(void)
{
	return sched.every_ms >= 2000 ? (int64_t)(sched.every_ms / 1000) : 1;
}

int64_t
ui_schedule(int on)
{
	sched.every_ms = on ? ui_interval_ms() : 0;
	sched.next = sched.every_ms ? port_time() + every() : 0;
	return sched.next;
}

/* The scheduler's backup, when due and nothing else runs. */
static void
scheduled(void)
{
	static struct ui_argv a;
	const char *why;

	if (sched.next == 0 || port_time() < sched.next || job.pid > 0)
		return;
	sched.next = port_time() + every();
	ui_argv_init(&a);
	ui_backup_args(&a);
	ui_arg(&a, "--json");
	if (ui_job_start("backup", &a, &why) == 0)
		msg("the scheduled backup did not start: %s", why);
}

/* The ended job's output files cut to what is read of them (one byte
 * more, so that the reader still says they were cut). */
static void
bound_output(void)
{
	static const char *const name[] = { "ui-job.out", "ui-job.err" };
	struct port_stat st;
	size_t i;
	int dfd = port_open_dir(ui_dir()), fd;

	for (i = 0; dfd >= 0 && i < 2; i++) {
		if ((fd = port_openat_rw(dfd, name[i], 0600)) < 0)
			continue;
		if (port_fstat(fd, &st) == 0 && st.size > UI_OUTPUT_MAX + 1)
			(void)port_ftruncate(fd, UI_OUTPUT_MAX + 1);
		port_close(fd);
	}
	if (dfd >= 0)
		port_close(dfd);
}

/* The job's child ended with rc. */
static void
job_done(int rc)
{
	job.pid = 0;
	job.rc = rc;
	job.state = rc == 0 || rc == EXIT_PARTIAL ? JOB_DONE : JOB_FAILED;
	(void)poll_progress();
	job.gen++;
	bound_output();
	history_add();
}

void
ui_job_tick(void)
{
	unsigned i;
	long pid;
	int rc;

	while ((pid = port_reap_rc(&rc)) > 0) {
		if (pid == job.pid) {
			job_done(rc);
			continue;
		}
		for (i = 0; i < UI_READS; i++)
			if (reads[i].pid == pid) {
				if (reads[i].c != NULL)
					read_done(&reads[i], i, rc);
				reads[i].pid = 0;
			}
	}
	scheduled();
}

#endif
