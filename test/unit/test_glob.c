/* test_glob.c — rsync's pattern rules (glob.c): the man page's examples,
 * anchoring, directories only, names at any depth, hostile patterns. */
#include <stdio.h>
#include <string.h>

#include "glob.h"
#include "unit.h"

struct gvec {
	const char *pat, *path;
	int is_dir, want;
};

static const struct gvec vecs[] = {
	/* A name pattern matches the last name, at any depth. */
	{ "*.o", "main.o", 0, 1 },
	{ "*.o", "src/lib/main.o", 0, 1 },
	{ "*.o", "main.c", 0, 0 },
	{ "*.o", "x.o/main.c", 0, 0 },
	{ "*.o", "dir.o", 1, 1 },
	{ "foo", "foo", 0, 1 },
	{ "foo", "a/b/foo", 1, 1 },
	{ "foo", "afoo", 0, 0 },
	{ "foo", "foo/bar", 0, 0 },
	/* Anchored: the whole path from the root. */
	{ "/foo", "foo", 0, 1 },
	{ "/foo", "a/foo", 0, 0 },
	{ "/foo", "foo/x", 0, 0 },
	/* Directories only. */
	{ "foo/", "foo", 1, 1 },
	{ "foo/", "foo", 0, 0 },
	{ "foo/", "a/foo", 1, 1 },
	{ "/foo/", "a/foo", 1, 0 },
	{ "foo\\/", "foo/", 0, 0 },
	/* '*' stops at '/', "**" does not. */
	{ "/foo/*/bar", "foo/x/bar", 0, 1 },
	{ "/foo/*/bar", "foo/x/y/bar", 0, 0 },
	{ "/foo/*/bar", "foo/bar", 0, 0 },
	{ "/foo/**/bar", "foo/x/y/bar", 0, 1 },
	{ "/foo/**/bar", "foo/x/bar", 0, 1 },
	{ "/foo/**/bar", "foo/bar", 0, 1 },
	{ "/foo/**/bar", "foo/xbar", 0, 0 },
	{ "/foo/**/bar", "a/foo/x/bar", 0, 0 },
	{ "**/foo", "foo", 0, 1 },
	{ "**/foo", "a/b/foo", 0, 1 },
	{ "**/foo", "a/bfoo", 0, 0 },
	{ "foo/**", "foo/a/b", 0, 1 },
	{ "foo/**", "x/foo/a", 0, 1 },
	{ "foo/**", "foo", 1, 0 },
	{ "foo**", "x/foobar/baz", 0, 1 },
	{ "/**", "a/b", 0, 1 },
	/* A pattern with a '/' matches the path's end at a name boundary. */
	{ "b/c", "b/c", 0, 1 },
	{ "b/c", "a/b/c", 0, 1 },
	{ "b/c", "ab/c", 0, 0 },
	{ "b/c", "b/c/d", 0, 0 },
	{ "a/*.txt", "x/a/y.txt", 0, 1 },
	/* '?' and classes. */
	{ "?", "a", 0, 1 },
	{ "?", "ab", 0, 0 },
	{ "a?c", "a/c", 0, 0 },
	{ "[a-z]*", "hello", 0, 1 },
	{ "[a-z]*", "Hello", 0, 0 },
	{ "[!0-9]*", "x1", 0, 1 },
	{ "[!0-9]*", "1x", 0, 0 },
	{ "[^0-9]", "a", 0, 1 },
	{ "[]x]", "]", 0, 1 },
	{ "[]x]", "x", 0, 1 },
	{ "[]x]", "y", 0, 0 },
	{ "[a-]", "-", 0, 1 },
	{ "[\\]]", "]", 0, 1 },
	{ "/a[/]b", "a/b", 0, 0 },
	{ "/a[!x]b", "a/b", 0, 0 },
	/* Escapes. */
	{ "\\*", "*", 0, 1 },
	{ "\\*", "x", 0, 0 },
	{ "\\?x", "?x", 0, 1 },
	{ "\\[a]", "[a]", 0, 1 },
	{ "a\\\\b", "a\\b", 0, 1 },
	/* Empty paths and stars. */
	{ "*", "", 0, 0 },
	{ "*", "a", 0, 1 },
	{ "*", "a/b", 0, 1 },
	{ "/*", "a/b", 0, 0 },
	{ "a*b*c", "aXbYc", 0, 1 },
	{ "a*b*c", "aXbY", 0, 0 },
	{ "*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, 0 },
	{ "*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 0, 1 },
	{ "/", "a", 1, 0 },
};

static const char *const bad[] = {
	"[", "a[b", "[!", "[]", "x\\", "[a\\]", "a/[",
};

static const char *const good[] = {
	"*", "/", "a/", "**", "[]]", "[!]]", "\\\\", "[\\]]", "a\\/",
};

/* Patterns and paths far bigger than the table's, timed by the test
 * runner's own limit: each would take ages with backtracking. */
static void
hostile(void)
{
	static char pat[GLOB_MAX + 2], path[4096];
	size_t i;

	for (i = 0; i < 2000; i++)
		pat[i] = i % 2 ? 'a' : '*';
	pat[2000] = 'b';
	memset(path, 'a', sizeof path - 1);
	CHECK(glob_ok(pat, 2001));
	CHECK(!glob_match(pat, 2001, path, sizeof path - 1, 0));
	for (i = 0; i < 4000; i += 3) {
		pat[i] = '*';
		pat[i + 1] = '*';
		pat[i + 2] = '/';
	}
	pat[4000] = 'b';
	for (i = 1; i < sizeof path - 1; i += 2)
		path[i] = '/';
	CHECK(!glob_match(pat, 4001, path, sizeof path - 1, 0));
	path[sizeof path - 2] = 'b';
	CHECK(glob_match(pat, 4001, path, sizeof path - 1, 0));
	memset(pat, '*', sizeof pat);
	CHECK(glob_ok(pat, GLOB_MAX));
	CHECK(!glob_ok(pat, GLOB_MAX + 1));
	CHECK(glob_match(pat, GLOB_MAX, path, sizeof path - 1, 0));
	memset(pat, '[', sizeof pat);
	CHECK(!glob_ok(pat, GLOB_MAX));
	CHECK(!glob_ok("a\0b", 3));
	CHECK(!glob_ok("", 0));
}

void
suite_glob(void)
{
	const struct gvec *v;
	size_t i;

	for (i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		v = &vecs[i];
		if (!CHECK(glob_ok(v->pat, strlen(v->pat))))
			fprintf(stderr, "  refused \"%s\"\n", v->pat);
		if (!CHECK(glob_match(v->pat, strlen(v->pat), v->path,
		    strlen(v->path), v->is_dir) == v->want))
			fprintf(stderr, "  \"%s\" on \"%s\"%s: want %d\n",
			    v->pat, v->path, v->is_dir ? " (dir)" : "",
			    v->want);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!CHECK(!glob_ok(bad[i], strlen(bad[i]))))
			fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!CHECK(glob_ok(good[i], strlen(good[i]))))
			fprintf(stderr, "  refused \"%s\"\n", good[i]);
	hostile();
}
