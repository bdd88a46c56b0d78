/*
 * report.h — what the client tells people: a progress line, a run's
 * figures as JSON, listings. Each goes to a file descriptor the caller
 * chooses (the web UI reads them from a pipe); by default, progress on
 * stderr when it is a terminal and results on stdout.
 */
#ifndef CAIRN_REPORT_H
#define CAIRN_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"

#define PROGRESS_EVERY_MS 250	/* the progress line at most this often */

#define REPORT_RECORD 256	/* one progress record (report_record) */

/* Where a run's words go, and the progress line's clock. */
struct report {
	int progress_fd;	/* the progress line, or -1: none */
	int out_fd;		/* results: the JSON object, listings */
	uint64_t start_ms, shown_ms;
	int on_screen;		/* a progress line is shown, not ended */
	/* a backup's measure (report_measure): bytes examined so far, and
	 * what they are measured against (0: not known) */
	int measured;
	uint64_t done_bytes, total_bytes;
};

/* Start a run's report on the fds of chosen, or, when chosen is NULL,
 * progress on stderr (only a terminal, without --quiet or --syslog) and
 * results on stdout. */
void report_start(struct report *rp, const struct report *chosen);
/* A backup's progress line counts the bytes examined (rp->done_bytes,
 * kept by the caller: hashed, or known unchanged) against total (the
 * previous snapshot's bytes; 0: unknown), for a percent and an ETA. */
void report_measure(struct report *rp, uint64_t total);
/* "N files, M <what>, X MB at Y KB/s" (measured: "N files, M <what>
 * (X MB), E MB examined at Y KB/s, P%, ETA T"), at most every
 * PROGRESS_EVERY_MS; last clears the line for the summary that follows.
 * A message (util.h's msg) clears the line first; it is drawn again at
 * the next call. */
void report_progress(struct report *rp, int last, uint64_t files,
    const char *what, uint64_t count, uint64_t bytes);
/*
 * From now on, every report's progress also goes to fd as one record
 * (the web UI's children: the UI reads the latest whenever it likes),
 * rewritten in place at offset 0 as often as the progress line would
 * be drawn: a JSON object {"what","files","count","bytes","done_bytes",
 * "total_bytes","rate" (bytes/s),"elapsed" (s)[,"percent","eta" (s)],
 * "last"} padded with blanks to REPORT_RECORD bytes, the last a newline.
 * -1: none (the default).
 */
void report_record(int fd);
/* A run's figures as one JSON object: id, snapshot, path (when not
 * NULL), then n named counters. */
void report_json(const struct report *rp, const char *id, const char *snap,
    const char *path, const char *const *keys, const uint64_t *vals,
    size_t n);
/* The same with flag (when not NULL) true after the snapshot: a dry
 * run's "dry_run". */
void report_json_as(const struct report *rp, const char *id,
    const char *snap, const char *path, const char *flag,
    const char *const *keys, const uint64_t *vals, size_t n);
/* Results: n bytes of p, or a formatted line. */
void report_put(const struct report *rp, const void *p, size_t n);
void report_printf(const struct report *rp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* An entry's path made printable, for one message at a time. */
const char *shown_path(const struct entry *e);

#endif
