/* test_opts.c — the option reader's "did you mean" distance
 * (opts.c's opt_distance): Levenshtein's, by known pairs, its symmetry,
 * and the bound past which it gives up. */
#include <string.h>

#include "opts.h"
#include "unit.h"

struct dvec {
	const char *a, *b;
	unsigned want;
};

static const struct dvec vecs[] = {
	{ "", "", 0 },
	{ "--exclude", "--exclude", 0 },
	{ "--exclud", "--exclude", 1 },		/* one left out */
	{ "--excluded", "--exclude", 1 },	/* one too many */
	{ "--exculde", "--exclude", 2 },	/* two swapped */
	{ "--sever", "--server", 1 },
	{ "--srever", "--server", 2 },
	{ "--port", "--path", 3 },
	{ "kitten", "sitting", 3 },
	{ "", "--keep", 6 },
	{ "--keep-daly", "--keep-daily", 1 },
	{ "--restore", "--remove", 3 },
};

void
suite_opts(void)
{
	static char long_a[70], long_b[70];
	const struct dvec *v;
	size_t i;

	for (i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		v = &vecs[i];
		CHECK(opt_distance(v->a, strlen(v->a), v->b, strlen(v->b)) ==
		    v->want);
		CHECK(opt_distance(v->b, strlen(v->b), v->a, strlen(v->a)) ==
		    v->want);
	}
	/* 64 bytes are counted; past that it gives up with 64. */
	memset(long_a, 'a', sizeof long_a);
	memset(long_b, 'a', sizeof long_b);
	CHECK(opt_distance(long_a, 64, long_b, 64) == 0);
	long_b[63] = 'b';
	CHECK(opt_distance(long_a, 64, long_b, 64) == 1);
	CHECK(opt_distance(long_a, 65, long_b, 3) == 64);
	CHECK(opt_distance(long_a, 3, long_b, 70) == 64);
}
