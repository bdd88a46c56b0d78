/* report.h — what the client tells people: progress and figures. */
#ifndef CAIRN_REPORT_H
#define CAIRN_REPORT_H

#include <stddef.h>
#include <stdint.h>

/* A one-line progress display on a terminal (stderr), none otherwise. */
struct progress {
	int on;
	uint64_t start_ms, shown_ms;
};

/* Start timing; the line shows only on a terminal and without --quiet. */
void progress_init(struct progress *p);
/* "N files, M <what>, X MB at Y KB/s", at most four times a second;
 * last clears the line for the summary that follows. */
void progress_show(struct progress *p, int last, uint64_t files,
    const char *what, uint64_t count, uint64_t bytes);

/* A run's figures as one JSON object on stdout: id, snapshot, path (when
 * not NULL), then n named counters. */
void report_json(const char *id, const char *snap, const char *path,
    const char *const *keys, const uint64_t *vals, size_t n);

#endif
