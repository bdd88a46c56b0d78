/* retain.c — the retention policy, streamed in fixed memory (retain.h). */
#include "retain.h"
#include "util.h"

#define DAY 86400
#define DAYS_0000_03_01 719468	/* from 0000-03-01 to 1970-01-01 */
#define DAYS_400Y 146097	/* a Gregorian cycle */

/* a / b rounded down (b > 0), for times before 1970 too. */
static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return q * b > a ? q - 1 : q;
}

/* The day number of a civil date (the inverse of civil_date). */
static int64_t
civil_days(int64_t year, unsigned month, unsigned day)
{
	int64_t y = year - (month <= 2), cyc = floordiv(y, 400);
	int64_t yoc = y - cyc * 400;
	unsigned m = month > 2 ? month - 3 : month + 9;
	int64_t doy = (153 * m + 2) / 5 + day - 1;

	return cyc * DAYS_400Y + yoc * 365 + yoc / 4 - yoc / 100 + doy -
	    DAYS_0000_03_01;
}

void
retain_iso_week(int64_t days, int64_t *year, unsigned *week)
{
	int64_t wd = days + 3 - floordiv(days + 3, 7) * 7;	/* 0: Monday */
	int64_t thu = days - wd + 3;
	unsigned m, d;

	/* A week belongs to the year of its Thursday. */
	civil_date(thu, year, &m, &d);
	*week = (unsigned)((thu - civil_days(*year, 1, 1)) / 7 + 1);
}

int64_t
retain_bucket(int64_t time, int32_t utc_offset, unsigned b)
{
	int64_t local, days, y;
	unsigned m, d;

	if (time > INT64_MAX - 86400)
		time = INT64_MAX - 86400;
	else if (time < INT64_MIN + 86400)
		time = INT64_MIN + 86400;
	local = time + utc_offset;
	days = floordiv(local, DAY);
	switch (b) {
	case RB_HOUR:
		return floordiv(local, 3600);
	case RB_DAY:
		return days;
	case RB_WEEK:
		return floordiv(days + 3, 7);	/* Monday to Sunday */
	}
	civil_date(days, &y, &m, &d);
	return b == RB_MONTH ? y * 12 + m - 1 : y;
}

void
retain_init(struct retain_plan *p, const struct retention *k, int guard)
{
	unsigned b;

	p->k = *k;
	p->n[RB_HOUR] = k->hourly;
	p->n[RB_DAY] = k->daily;
	p->n[RB_WEEK] = k->weekly;
	p->n[RB_MONTH] = k->monthly;
	p->n[RB_YEAR] = k->yearly;
	p->guard = guard;
	p->count = p->complete = p->at = 0;
	for (b = 0; b < RB_COUNT; b++) {
		p->runs[b] = p->run[b] = 0;
		p->last[b] = 0;
	}
}

void
retain_count(struct retain_plan *p, int64_t time, int complete)
{
	unsigned b;
	int64_t v;

	for (b = 0; b < RB_COUNT; b++) {
		v = retain_bucket(time, p->k.utc_offset, b);
		if (p->count == 0 || v != p->last[b])
			p->runs[b]++;
		p->last[b] = v;
	}
	if (complete)
		p->complete = p->count;
	p->count++;
}

void
retain_rewind(struct retain_plan *p)
{
	unsigned b;

	p->at = 0;
	for (b = 0; b < RB_COUNT; b++)
		p->run[b] = 0;
}

/*
 * Restic walks newest first and keeps, per rule, the first snapshot of
 * each bucket until N buckets are taken. Oldest first that is: the last
 * snapshot of its bucket (the next one is in another), in one of the N
 * newest buckets — buckets counted as runs of equal values, so that a
 * clock set back makes a new bucket, as it does for restic.
 */
int
retain_keep(struct retain_plan *p, int64_t time, int has_next, int64_t next)
{
	uint64_t i = p->at++;
	int keep = 0;
	unsigned b;
	int64_t v;

	if (!retention_any(&p->k) || i >= p->count)
		return 1;
	if (p->guard && i >= p->complete)
		keep = 1;
	if (p->k.last > 0 && i + p->k.last >= p->count)
		keep = 1;
	for (b = 0; b < RB_COUNT; b++) {
		v = retain_bucket(time, p->k.utc_offset, b);
		if (i == 0 || v != p->last[b])
			p->run[b]++;
		p->last[b] = v;
		if (p->n[b] > 0 && p->run[b] + p->n[b] > p->runs[b] &&
		    (!has_next ||
		    retain_bucket(next, p->k.utc_offset, b) != v))
			keep = 1;
	}
	return keep;
}
