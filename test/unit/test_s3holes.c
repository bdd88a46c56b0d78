/*
 * test_s3holes.c — how the object store backend finds a sparse file's
 * holes again as it reads the content back for a restore (store_s3_cat.c,
 * s3_zero_run): all-zero blocks of S3_ZERO_BLOCK bytes at multiples of it
 * from the file's start, a run of them a hole, data up to the first.
 */
#include <string.h>

#include "features.h"
#include "store_s3.h"
#include "unit.h"

#if CAIRN_S3

#define BL S3_ZERO_BLOCK

static uint8_t p[8 * BL];

static size_t
run(size_t n, uint64_t off, int *zero)
{
	*zero = 7;
	return s3_zero_run(p, n, off, zero);
}

static void
runs(void)
{
	size_t i;
	int z;

	memset(p, 0, sizeof p);
	CHECK(run(0, 0, &z) == 0 && z == 0);
	CHECK(run(sizeof p, 0, &z) == sizeof p && z == 1);
	CHECK(run(1, 0, &z) == 1 && z == 1);	/* a short last block */
	/* Data in the third block: two blocks of hole, then it. */
	p[2 * BL + 5] = 1;
	CHECK(run(sizeof p, 0, &z) == 2 * BL && z == 1);
	CHECK(s3_zero_run(p + 2 * BL, 6 * BL, 2 * BL, &z) == BL && z == 0);
	CHECK(s3_zero_run(p + 3 * BL, 5 * BL, 3 * BL, &z) == 5 * BL && z == 1);
	/* Its last byte non-zero: the whole block is data. */
	memset(p, 0, sizeof p);
	p[BL - 1] = 9;
	CHECK(run(sizeof p, 0, &z) == BL && z == 0);
	/* Data in every block: one run of data. */
	for (i = 0; i < sizeof p; i += BL)
		p[i + 100] = 1;
	CHECK(run(sizeof p, 0, &z) == sizeof p && z == 0);
	/* Blocks are aligned to the file's start, not to p: p begins 100
	 * bytes before a block's end. */
	memset(p, 0, sizeof p);
	p[50] = 1;
	CHECK(run(sizeof p, BL - 100, &z) == 100 && z == 0);
	CHECK(s3_zero_run(p + 100, 2 * BL, BL, &z) == 2 * BL && z == 1);
	memset(p, 0, sizeof p);
	p[150] = 1;		/* in the second block, which starts at 100 */
	CHECK(run(sizeof p, BL - 100, &z) == 100 && z == 1);
	/* A zero block after data ends the data, the short tail too. */
	memset(p, 0, sizeof p);
	p[0] = 1;
	CHECK(run(BL + 10, 0, &z) == BL && z == 0);
	CHECK(s3_zero_run(p + BL, 10, BL, &z) == 10 && z == 1);
}

void
suite_s3holes(void)
{
	runs();
}

#else

void
suite_s3holes(void)
{
}

#endif
