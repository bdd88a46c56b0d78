/* test_path.c — path checks, order, and resolution beneath a directory. */
#include <stdio.h>
#include <string.h>

#include "path.h"
#include "unit.h"
#include "util.h"

static int
ok(const char *p)
{
	return path_check(p, strlen(p)) == 0;
}

static int
cmp(const char *a, const char *b)
{
	return path_cmp(a, strlen(a), b, strlen(b));
}

void
suite_path(void)
{
	static char longp[PATH_CAP + 8];
	char comp[300];
	static const char *const bad[] = {
		"", ".", "..", "/", "/etc/passwd", "a/", "a//b", "./a", "a/.",
		"a/..", "../x", "a/../../x", "a/./b", "//x", "a/b/..",
	};
	static const char *const good[] = {
		"a", "a/b", "...", "..a", "a..", ".hidden/x", "a b/c d",
		"-x", "a\\b", "\xff\xfe", "x/y/z/w",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!CHECK(!ok(bad[i])))
			fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!CHECK(ok(good[i])))
			fprintf(stderr, "  refused \"%s\"\n", good[i]);
	CHECK(path_check("a\0b", 3) == -1);		/* NUL inside */
	memset(comp, 'x', sizeof comp);
	CHECK(path_check(comp, 255) == 0);
	CHECK(path_check(comp, 256) == -1);		/* component too long */
	for (i = 0; i < sizeof longp; i++)
		longp[i] = (i % 100 == 99) ? '/' : 'a';
	CHECK(path_check(longp, PATH_LEN_MAX - 1) == 0 ||
	    longp[PATH_LEN_MAX - 2] == '/');
	CHECK(path_check(longp, PATH_LEN_MAX + 1) == -1);	/* too long */

	/* The walk order: a directory's contents before its longer
	 * siblings. */
	CHECK(cmp("a/b", "a.txt") < 0);
	CHECK(cmp("a", "a/b") < 0);
	CHECK(cmp("a/b", "a") > 0);
	CHECK(cmp("a/z", "ab") < 0);
	CHECK(cmp("a", "a") == 0);
	CHECK(cmp("\xff", "a") > 0);			/* unsigned bytes */
	CHECK(cmp("a-b/c", "a/b") > 0);
	CHECK(cmp("x/a b", "x/a/b") > 0);
}
