/*
 * md5bench.c — MD5 throughput, measured the way `openssl speed -bytes 16384
 * md5` does: one digest (init, update, final) per 16 KiB buffer, repeated
 * for a few seconds. Prints one line, in MB/s with MB = 1e6 bytes.
 *
 *   md5bench [seconds]		default 3
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "md5.h"

#define BENCH_BYTES 16384
#define BENCH_SECONDS 3.0
#define BENCH_CHECK 16		/* digests between looks at the clock */

static uint8_t data[BENCH_BYTES];
static volatile uint8_t sink;	/* keeps every digest live */

/* Seconds on the monotonic clock. */
static double
now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		perror("md5bench: clock_gettime");
		exit(1);
	}
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct md5 c;
	uint8_t md[MD5_LEN];
	double secs = BENCH_SECONDS, t0, t;
	unsigned long long count = 0;
	char *end;
	size_t i;
	int k;

	if (argc > 2) {
		fprintf(stderr, "usage: md5bench [seconds]\n");
		return 2;
	}
	if (argc == 2) {
		secs = strtod(argv[1], &end);
		if (end == argv[1] || *end != '\0' || !(secs > 0 && secs < 1e6)) {
			fprintf(stderr, "md5bench: bad seconds: %s\n", argv[1]);
			return 2;
		}
	}
	for (i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 131 + 7);

	t0 = now();
	do {
		for (k = 0; k < BENCH_CHECK; k++) {
			md5_init(&c);
			md5_update(&c, data, sizeof data);
			md5_final(&c, md);
			sink = md[0];
		}
		count += BENCH_CHECK;
		t = now() - t0;
	} while (t < secs);

	printf("md5 %d-byte blocks: %.1f MB/s\n", BENCH_BYTES,
	    (double)count * BENCH_BYTES / t / 1e6);
	return 0;
}
