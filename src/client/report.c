/* report.c — progress, figures and listings; see report.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "features.h"
#include "json.h"
#include "port.h"
#include "report.h"
#include "util.h"

#define SHOWN_MAX 200		/* a path in a message, escapes included */
#define REPORT_LINE_MAX 1024	/* a progress line or a listing's row */
#define REPORT_JSON_MAX (2 * PATH_CAP + 512)	/* a run's figures */

static struct report *drawn;	/* the report whose line may be shown */
static int record_fd = -1;	/* report_record()'s */

/* Before a message on stderr: end the progress line, so that the message
 * has a line of its own; the next report_progress draws it again. */
static void
clear_line(void)
{
	if (drawn == NULL || !drawn->on_screen)
		return;
	port_write_all(drawn->progress_fd, "\r\033[K", 4);
	drawn->on_screen = 0;
	drawn->shown_ms = 0;
}

void
report_start(struct report *rp, const struct report *chosen)
{
	if (chosen != NULL) {
		rp->progress_fd = chosen->progress_fd;
		rp->out_fd = chosen->out_fd;
	} else {
		rp->progress_fd = !log_quiet && !log_syslog &&
		    port_isatty(2) ? 2 : -1;
		rp->out_fd = 1;
	}
	rp->start_ms = port_ms();
	rp->shown_ms = 0;
	rp->on_screen = 0;
	rp->measured = 0;
	rp->done_bytes = rp->total_bytes = 0;
	if (rp->progress_fd >= 0) {
		drawn = rp;
		log_before = clear_line;
	}
}

void
report_measure(struct report *rp, uint64_t total)
{
	rp->measured = 1;
	rp->total_bytes = total;
}

/* A measured run's percent (capped at 99 until the last line, 100 then)
 * and seconds left (0 once the total is passed, or before any bytes):
 * 1, or 0 when there is no total to measure against. */
static int
measure(const struct report *rp, int last, uint64_t ms, uint64_t *pct,
    uint64_t *left)
{
	uint64_t done = rp->done_bytes, total = rp->total_bytes;

	if (!rp->measured || total == 0)
		return 0;
	*pct = last ? 100 : done >= total ? 99 : (uint64_t)((double)done *
	    100.0 / (double)total);
	*left = last || done == 0 || done >= total ? 0 : (uint64_t)((double)ms *
	    (double)(total - done) / (double)done / 1000.0) + 1;
	return 1;
}

/* ", P%, ETA T" for a measured run with a total, into out[cap]: T left
 * out once the total is passed. */
static void
eta(const struct report *rp, int last, uint64_t ms, char *out, size_t cap)
{
	uint64_t pct, left;

	out[0] = 0;
	if (!measure(rp, last, ms, &pct, &left))
		return;
	if (left == 0)
		snprintf(out, cap, ", %llu%%", (unsigned long long)pct);
	else if (left >= 3600)
		snprintf(out, cap, ", %llu%%, ETA %lluh%02llum",
		    (unsigned long long)pct, (unsigned long long)(left / 3600),
		    (unsigned long long)(left / 60 % 60));
	else
		snprintf(out, cap, ", %llu%%, ETA %llum%02llus",
		    (unsigned long long)pct, (unsigned long long)(left / 60),
		    (unsigned long long)(left % 60));
}

void
report_record(int fd)
{
	record_fd = CAIRN_UI ? fd : -1;	/* only the web UI reads it */
}

/* The progress as one record at the start of record_fd: a JSON object
 * padded with blanks to REPORT_RECORD bytes, the last a newline. */
static void
put_record(const struct report *rp, int last, uint64_t files,
    const char *what, uint64_t count, uint64_t bytes, uint64_t ms)
{
	static const char *const keys[] = { "files", "count", "bytes",
	    "done_bytes", "total_bytes", "rate", "elapsed" };
	uint64_t vals[7], pct, left, done = rp->measured ? rp->done_bytes :
	    bytes;
	uint8_t rec[REPORT_RECORD];
	struct buf b;
	size_t i;

	vals[0] = files;
	vals[1] = count;
	vals[2] = bytes;
	vals[3] = rp->done_bytes;
	vals[4] = rp->total_bytes;
	vals[5] = ms > 0 ? done * 1000 / ms : 0;
	vals[6] = ms / 1000;
	buf_init(&b, rec, sizeof rec - 1);
	buf_puts(&b, "{\"what\":");
	json_put_str(&b, what, strlen(what));
	for (i = 0; i < 7; i++) {
		json_put_key(&b, keys[i], 0);
		buf_dec(&b, vals[i]);
	}
	if (measure(rp, last, ms, &pct, &left)) {
		json_put_key(&b, "percent", 0);
		buf_dec(&b, pct);
		json_put_key(&b, "eta", 0);
		buf_dec(&b, left);
	}
	buf_puts(&b, last ? ",\"last\":true}" : ",\"last\":false}");
	if (b.err)
		return;
	memset(rec + b.len, ' ', sizeof rec - 1 - b.len);
	rec[sizeof rec - 1] = '\n';
	(void)port_pwrite_all(record_fd, rec, sizeof rec, 0);
}

void
report_progress(struct report *rp, int last, uint64_t files,
    const char *what, uint64_t count, uint64_t bytes)
{
	char line[REPORT_LINE_MAX], tail[64];
	uint64_t now, secs;
	int n;

	if (rp->progress_fd < 0 && (!CAIRN_UI || record_fd < 0))
		return;
	now = port_ms();
	if (!last && now - rp->shown_ms < PROGRESS_EVERY_MS)
		return;
	rp->shown_ms = now;
	if (CAIRN_UI && record_fd >= 0)
		put_record(rp, last, files, what, count, bytes,
		    now - rp->start_ms);
	if (rp->progress_fd < 0)
		return;
	secs = (now - rp->start_ms) / 1000 + 1;
	eta(rp, last, now - rp->start_ms, tail, sizeof tail);
	if (rp->measured)
		n = snprintf(line, sizeof line, "\r%s, %llu %s (%llu MB), %llu "
		    "MB examined at %llu KB/s%s\033[K%s", nwords(files, "file",
		    "files"), (unsigned long long)count, what,
		    (unsigned long long)(bytes / 1000000),
		    (unsigned long long)(rp->done_bytes / 1000000),
		    (unsigned long long)(rp->done_bytes / 1000 / secs), tail,
		    last ? "\r\033[K" : "");
	else
		n = snprintf(line, sizeof line, "\r%s, %llu %s, %llu MB at "
		    "%llu KB/s\033[K%s", nwords(files, "file", "files"),
		    (unsigned long long)count, what,
		    (unsigned long long)(bytes / 1000000),
		    (unsigned long long)(bytes / 1000 / secs), last ?
		    "\r\033[K" : "");
	if (n > 0)
		port_write_all(rp->progress_fd, line, (size_t)n < sizeof line ?
		    (size_t)n : sizeof line - 1);
	rp->on_screen = !last;
}

void
report_json(const struct report *rp, const char *id, const char *snap,
    const char *path, const char *const *keys, const uint64_t *vals,
    size_t n)
{
	report_json_as(rp, id, snap, path, NULL, keys, vals, n);
}

void
report_json_as(const struct report *rp, const char *id, const char *snap,
    const char *path, const char *flag, const char *const *keys,
    const uint64_t *vals, size_t n)
{
	static uint8_t line[REPORT_JSON_MAX];
	struct buf b;
	size_t i;

	buf_init(&b, line, sizeof line);
	buf_putc(&b, '{');
	json_put_key(&b, "id", 1);
	json_put_str(&b, id, strlen(id));
	json_put_key(&b, "snapshot", 0);
	json_put_str(&b, snap, strlen(snap));
	if (path != NULL) {
		json_put_key(&b, "path", 0);
		json_put_str(&b, path, strlen(path));
	}
	if (flag != NULL) {
		json_put_key(&b, flag, 0);
		buf_puts(&b, "true");
	}
	for (i = 0; i < n; i++) {
		json_put_key(&b, keys[i], 0);
		buf_dec(&b, vals[i]);
	}
	buf_puts(&b, "}\n");
	report_put(rp, b.p, b.len);
}

void
report_put(const struct report *rp, const void *p, size_t n)
{
	if (rp->out_fd >= 0)
		port_write_all(rp->out_fd, p, n);
}

void
report_printf(const struct report *rp, const char *fmt, ...)
{
	char line[REPORT_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n > 0)
		report_put(rp, line, (size_t)n < sizeof line ? (size_t)n :
		    sizeof line - 1);
}

const char *
shown_path(const struct entry *e)
{
	static char out[SHOWN_MAX];

	return shown(e->path, e->plen, out, sizeof out);
}
