/*
 * oldclock.c — a fault to force in tests: with LD_PRELOAD, the wall clock
 * reads 1970-01-02, as on a router that booted without a clock.
 */
#define _GNU_SOURCE
#include <time.h>

#define WHEN 86400

time_t
time(time_t *t)
{
	if (t != NULL)
		*t = WHEN;
	return WHEN;
}

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	ts->tv_sec = id == CLOCK_MONOTONIC ? 1000 : WHEN;
	ts->tv_nsec = 0;
	return 0;
}
