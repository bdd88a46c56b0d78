/*
 * retain.h — which snapshots a retention policy keeps (PROTOCOL.md,
 * BACKUP_COMPLETE; restic's rules, "Removing snapshots according to a
 * policy"):
 *
 *   last N     the N newest snapshots;
 *   hourly N   for the N newest hours that have a snapshot, the newest
 *              snapshot of each; daily, weekly, monthly, yearly alike;
 *
 * a snapshot kept by any rule stays; a policy of all 0 keeps every one.
 * Hours, days, weeks, months and years are the client's local calendar:
 * a snapshot's time plus utc_offset, then the proleptic Gregorian
 * calendar in UTC arithmetic (so no daylight saving: the offset is the
 * one the client had when it asked). Weeks are ISO 8601 weeks: Monday to
 * Sunday, so that a week across New Year is one week (2020-12-31 and
 * 2021-01-03 are both in 2020-W53).
 *
 * The guard keeps, besides, every snapshot from the newest complete one
 * (failed 0) to the newest, all of them when none is complete, and so
 * always the newest: pruning never removes the snapshot holding the
 * newest complete copy of a file that failed (DESIGN.md).
 *
 * The plan streams, in fixed memory, over the snapshots in the store's
 * order (oldest first: by name, which is by begin time): a first pass
 * counts (retain_count), a second decides each in turn (retain_keep),
 * given the time of the one after it. There is no bound on their number.
 */
#ifndef CAIRN_RETAIN_H
#define CAIRN_RETAIN_H

#include <stdint.h>

#include "proto.h"

enum { RB_HOUR, RB_DAY, RB_WEEK, RB_MONTH, RB_YEAR, RB_COUNT };

struct retain_plan {
	struct retention k;
	uint32_t n[RB_COUNT];	/* hourly .. yearly, by RB_* */
	int guard;		/* keep from the newest complete one on */
	uint64_t count;		/* snapshots counted */
	uint64_t complete;	/* index of the newest complete one (0: none) */
	uint64_t runs[RB_COUNT];	/* distinct buckets counted */
	int64_t last[RB_COUNT];	/* the bucket of the snapshot before */
	uint64_t at;		/* second pass: the snapshot's index */
	uint64_t run[RB_COUNT];	/* its bucket's rank, 1 for the oldest */
};

/* Start a plan for policy k (guard 0 only for v1's --keep). */
void retain_init(struct retain_plan *p, const struct retention *k,
    int guard);
/* First pass: the next snapshot, its begin time and whether it is
 * complete (failed 0). */
void retain_count(struct retain_plan *p, int64_t time, int complete);
/* Between the passes. */
void retain_rewind(struct retain_plan *p);
/* Second pass: 1 if the next snapshot (time) stays, 0 if it goes; next
 * is the time of the one after it, has_next 0 when it is the newest.
 * A snapshot past the count (one committed between the passes) stays. */
int retain_keep(struct retain_plan *p, int64_t time, int has_next,
    int64_t next);

/* The local bucket of time (seconds UTC) for rule b, at utc_offset. */
int64_t retain_bucket(int64_t time, int32_t utc_offset, unsigned b);
/* The ISO 8601 week of day number days: *year (the week's Thursday's)
 * and *week (1..53). */
void retain_iso_week(int64_t days, int64_t *year, unsigned *week);

#endif
