/* test_retain.c — the retention policy (retain.h): each rule on faked
 * dates, local time by offsets, week, month and year boundaries, the
 * guard, and the streamed plan against restic's newest-first walk. */
#include <stdio.h>
#include <string.h>

#include "retain.h"
#include "util.h"
#include "unit.h"

#define SNAPS 64

/* Seconds UTC of a civil time from 1970 on, counted the slow way. */
static int64_t
at(int y, int mo, int d, int h, int mi)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int64_t days = 0;
	int i;

	for (i = 1970; i < y; i++)
		days += (i % 4 == 0 && (i % 100 != 0 || i % 400 == 0)) ? 366 :
		    365;
	for (i = 1; i < mo; i++)
		days += len[i - 1] + (i == 2 && y % 4 == 0 &&
		    (y % 100 != 0 || y % 400 == 0));
	days += d - 1;
	return days * 86400 + h * 3600 + mi * 60;
}

/* The plan over t[n] (oldest first; done[i] 0: incomplete, NULL: all
 * complete) as "0"/"1" per snapshot into out[n + 1]. */
static const char *
plan(const int64_t *t, const int *done, unsigned n,
    const struct retention *k, int guard, char *out)
{
	struct retain_plan p;
	unsigned i;

	retain_init(&p, k, guard);
	for (i = 0; i < n; i++)
		retain_count(&p, t[i], done == NULL || done[i]);
	retain_rewind(&p);
	for (i = 0; i < n; i++)
		out[i] = retain_keep(&p, t[i], i + 1 < n, i + 1 < n ? t[i + 1] :
		    0) ? '1' : '0';
	out[n] = 0;
	return out;
}

static struct retention
pol(uint32_t last, uint32_t h, uint32_t d, uint32_t w, uint32_t m,
    uint32_t y, int32_t off)
{
	struct retention k;

	k.last = last;
	k.hourly = h;
	k.daily = d;
	k.weekly = w;
	k.monthly = m;
	k.yearly = y;
	k.utc_offset = off;
	return k;
}

struct row {
	int64_t t[8];
	unsigned n;
	struct retention k;
	const char *kept;
};

static void
table(void)
{
	const struct row rows[] = {
		/* keep-last: the newest N; N past the count keeps all */
		{ { 1, 2, 3, 4, 5 }, 5, pol(2, 0, 0, 0, 0, 0, 0), "00011" },
		{ { 1, 2, 3 }, 3, pol(9, 0, 0, 0, 0, 0, 0), "111" },
		{ { 1, 2, 3 }, 3, pol(0, 0, 0, 0, 0, 0, 0), "111" },
		/* hourly: the newest of each of the N newest hours */
		{ { at(2024, 5, 1, 10, 0), at(2024, 5, 1, 10, 30),
		    at(2024, 5, 1, 11, 10), at(2024, 5, 1, 11, 50),
		    at(2024, 5, 1, 12, 5) }, 5, pol(0, 2, 0, 0, 0, 0, 0),
		    "00011" },
		{ { at(2024, 5, 1, 10, 0), at(2024, 5, 1, 10, 30),
		    at(2024, 5, 1, 11, 10), at(2024, 5, 1, 11, 50),
		    at(2024, 5, 1, 12, 5) }, 5, pol(0, 3, 0, 0, 0, 0, 0),
		    "01011" },
		/* daily: days without a snapshot do not count */
		{ { at(2024, 5, 1, 8, 0), at(2024, 5, 1, 20, 0),
		    at(2024, 5, 2, 9, 0), at(2024, 5, 4, 10, 0),
		    at(2024, 5, 4, 11, 0) }, 5, pol(0, 0, 2, 0, 0, 0, 0),
		    "00101" },
		{ { at(2024, 5, 1, 8, 0), at(2024, 5, 1, 20, 0),
		    at(2024, 5, 2, 9, 0) }, 3, pol(0, 0, 30, 0, 0, 0, 0),
		    "011" },
		/* the client's day: 23:30 and 00:30 UTC are one day at +1 h
		 * and at -1 h, two at UTC */
		{ { at(2024, 3, 10, 23, 30), at(2024, 3, 11, 0, 30) }, 2,
		    pol(0, 0, 2, 0, 0, 0, 0), "11" },
		{ { at(2024, 3, 10, 23, 30), at(2024, 3, 11, 0, 30) }, 2,
		    pol(0, 0, 2, 0, 0, 0, 3600), "01" },
		{ { at(2024, 3, 10, 23, 30), at(2024, 3, 11, 0, 30) }, 2,
		    pol(0, 0, 2, 0, 0, 0, -3600), "01" },
		{ { at(2024, 3, 10, 17, 0), at(2024, 3, 10, 19, 0) }, 2,
		    pol(0, 0, 2, 0, 0, 0, -64800), "11" },
		{ { at(2024, 3, 10, 17, 0), at(2024, 3, 10, 19, 0) }, 2,
		    pol(0, 0, 2, 0, 0, 0, 0), "01" },
		/* weekly, ISO weeks: Thursday 2020-12-31 and Sunday
		 * 2021-01-03 are one week, Monday 2021-01-04 the next */
		{ { at(2020, 12, 31, 12, 0), at(2021, 1, 3, 12, 0),
		    at(2021, 1, 4, 12, 0) }, 3, pol(0, 0, 0, 5, 0, 0, 0),
		    "011" },
		{ { at(2021, 1, 3, 23, 30), at(2021, 1, 4, 0, 30) }, 2,
		    pol(0, 0, 0, 1, 0, 0, 3600), "01" },
		{ { at(2021, 1, 3, 23, 30), at(2021, 1, 4, 0, 30) }, 2,
		    pol(0, 0, 0, 2, 0, 0, 0), "11" },
		/* monthly: a leap February */
		{ { at(2024, 1, 31, 23, 0), at(2024, 2, 1, 1, 0),
		    at(2024, 2, 29, 12, 0), at(2024, 3, 1, 0, 0) }, 4,
		    pol(0, 0, 0, 0, 2, 0, 0), "0011" },
		{ { at(2024, 1, 31, 23, 0), at(2024, 2, 1, 1, 0),
		    at(2024, 2, 29, 12, 0), at(2024, 3, 1, 0, 0) }, 4,
		    pol(0, 0, 0, 0, 10, 0, 0), "1011" },
		{ { at(2024, 1, 31, 23, 0), at(2024, 2, 1, 1, 0) }, 2,
		    pol(0, 0, 0, 0, 2, 0, 7200), "01" },
		/* yearly: the last second of a year and the first */
		{ { at(2022, 12, 31, 23, 59) + 59, at(2023, 1, 1, 0, 0),
		    at(2023, 6, 1, 0, 0), at(2024, 1, 1, 0, 0) }, 4,
		    pol(0, 0, 0, 0, 0, 2, 0), "0011" },
		{ { at(2022, 12, 31, 23, 59) + 59, at(2023, 1, 1, 0, 0),
		    at(2023, 6, 1, 0, 0), at(2024, 1, 1, 0, 0) }, 4,
		    pol(0, 0, 0, 0, 0, 3, 0), "1011" },
		{ { at(2022, 12, 31, 23, 0), at(2023, 1, 1, 0, 30) }, 2,
		    pol(0, 0, 0, 0, 0, 2, -3600), "01" },
		/* combined: any rule keeps */
		{ { at(2024, 4, 30, 9, 0), at(2024, 5, 1, 9, 0),
		    at(2024, 5, 1, 21, 0), at(2024, 5, 2, 9, 0),
		    at(2024, 5, 2, 10, 0), at(2024, 5, 2, 11, 0) }, 6,
		    pol(2, 0, 2, 0, 2, 0, 0), "101011" },
		/* a clock set back: buckets are runs in the store's order */
		{ { at(2024, 5, 3, 9, 0), at(2024, 5, 1, 9, 0),
		    at(2024, 5, 3, 10, 0) }, 3, pol(0, 0, 2, 0, 0, 0, 0),
		    "011" },
		/* before 1970 */
		{ { -86400 - 3600, -86400 + 3600, -3600, 3600 }, 4,
		    pol(0, 0, 9, 0, 0, 0, 0), "1011" },
	};
	char out[SNAPS + 1];
	unsigned i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (!CHECK(strcmp(plan(rows[i].t, NULL, rows[i].n, &rows[i].k, 1,
		    out), rows[i].kept) == 0))
			fprintf(stderr, "  row %u: kept %s, not %s\n", i, out,
			    rows[i].kept);
}

/* The guard: from the newest complete snapshot on, all when none is;
 * not for v1's --keep. */
static void
guard(void)
{
	const int64_t t[4] = { 100, 200, 300, 400 };
	const int some[4] = { 1, 1, 0, 0 }, none[4] = { 0, 0, 0, 0 };
	const int last[4] = { 1, 0, 1, 1 };
	struct retention k = pol(1, 0, 0, 0, 0, 0, 0);
	char out[8];

	CHECK(strcmp(plan(t, NULL, 4, &k, 1, out), "0001") == 0);
	CHECK(strcmp(plan(t, some, 4, &k, 1, out), "0111") == 0);
	CHECK(strcmp(plan(t, none, 4, &k, 1, out), "1111") == 0);
	CHECK(strcmp(plan(t, last, 4, &k, 1, out), "0001") == 0);
	CHECK(strcmp(plan(t, none, 4, &k, 0, out), "0001") == 0);
	k = pol(0, 0, 0, 0, 0, 0, 0);
	CHECK(strcmp(plan(t, none, 4, &k, 0, out), "1111") == 0);
}

/* Dates: every day from 1600 to 2400 against a count kept by hand, and
 * ISO weeks at their edges. */
static void
dates(void)
{
	static const unsigned len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int64_t days = -135140, y = 1600, gy;	/* 1600-01-01 */
	unsigned m = 1, d = 1, gm, gd, w, bad = 0, ml;

	while (y <= 2400) {
		civil_date(days, &gy, &gm, &gd);
		if (gy != y || gm != m || gd != d)
			bad++;
		ml = len[m - 1] + (m == 2 && y % 4 == 0 &&
		    (y % 100 != 0 || y % 400 == 0));
		days++;
		if (++d > ml) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	CHECK(bad == 0);
	civil_date(0, &gy, &gm, &gd);
	CHECK(gy == 1970 && gm == 1 && gd == 1);
	civil_date(-1, &gy, &gm, &gd);
	CHECK(gy == 1969 && gm == 12 && gd == 31);
	civil_date(11016, &gy, &gm, &gd);
	CHECK(gy == 2000 && gm == 2 && gd == 29);
	retain_iso_week(18627, &gy, &w);	/* 2020-12-31 */
	CHECK(gy == 2020 && w == 53);
	retain_iso_week(18630, &gy, &w);	/* 2021-01-03 */
	CHECK(gy == 2020 && w == 53);
	retain_iso_week(18631, &gy, &w);	/* 2021-01-04 */
	CHECK(gy == 2021 && w == 1);
	retain_iso_week(14242, &gy, &w);	/* 2008-12-29 */
	CHECK(gy == 2009 && w == 1);
	retain_iso_week(-1, &gy, &w);		/* 1969-12-31 */
	CHECK(gy == 1970 && w == 1);
	retain_iso_week(157419, &gy, &w);	/* 2400-12-31 */
	CHECK(gy == 2400 && w == 52);
	/* ISO weeks and the weekly bucket agree */
	CHECK(retain_bucket(at(2020, 12, 31, 0, 0), 0, RB_WEEK) ==
	    retain_bucket(at(2021, 1, 3, 23, 59), 0, RB_WEEK));
	CHECK(retain_bucket(at(2021, 1, 3, 23, 59), 0, RB_WEEK) + 1 ==
	    retain_bucket(at(2021, 1, 4, 0, 0), 0, RB_WEEK));
	/* the extremes do not overflow */
	CHECK(retain_bucket(INT64_MAX, UTC_OFFSET_MAX, RB_YEAR) > 0);
	CHECK(retain_bucket(INT64_MIN, -UTC_OFFSET_MAX, RB_MONTH) < 0);
}

/* restic's walk, newest first over an array, for comparison. */
static void
restic(const int64_t *t, unsigned n, const struct retention *k, char *out)
{
	uint32_t left[RB_COUNT] = { k->hourly, k->daily, k->weekly,
	    k->monthly, k->yearly };
	int64_t last[RB_COUNT];
	int seen[RB_COUNT] = { 0 };
	unsigned i, b;
	int64_t v;

	for (i = 0; i < n; i++)
		out[i] = '0';
	out[n] = 0;
	for (i = n; i-- > 0;) {
		if (n - 1 - i < k->last)
			out[i] = '1';
		for (b = 0; b < RB_COUNT; b++) {
			v = retain_bucket(t[i], k->utc_offset, b);
			if (left[b] == 0 || (seen[b] && v == last[b]))
				continue;
			out[i] = '1';
			last[b] = v;
			seen[b] = 1;
			left[b]--;
		}
	}
}

/* A small generator, the same numbers every run. */
static uint32_t
rnd(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return (*x >> 8) & 0xffff;
}

static void
against_restic(void)
{
	int64_t t[SNAPS];
	char a[SNAPS + 1], b[SNAPS + 1];
	struct retention k;
	uint32_t x = 12345;
	unsigned round, i, n, bad = 0;

	for (round = 0; round < 2000; round++) {
		n = 1 + rnd(&x) % SNAPS;
		t[0] = at(2020, 1, 1, 0, 0) + (int64_t)rnd(&x) * 60;
		for (i = 1; i < n; i++)	/* minutes to months apart */
			t[i] = t[i - 1] + (int64_t)(rnd(&x) % 5000) *
			    (rnd(&x) % 2 ? 60 : 3600);
		k = pol(rnd(&x) % 4, rnd(&x) % 5, rnd(&x) % 5, rnd(&x) % 4, rnd(&x) % 4,
		    rnd(&x) % 3, (int32_t)(rnd(&x) % 129601) - 64800);
		if (!retention_any(&k))
			k.last = 1;
		plan(t, NULL, n, &k, 0, a);
		restic(t, n, &k, b);
		if (strcmp(a, b) != 0 && bad++ == 0)
			fprintf(stderr, "  round %u: %s, restic %s\n", round,
			    a, b);
	}
	CHECK(bad == 0);
}

void
suite_retain(void)
{
	table();
	guard();
	dates();
	against_restic();
}
