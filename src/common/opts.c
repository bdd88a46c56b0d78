/* opts.c — the table-driven option reader; see opts.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "opts.h"
#include "util.h"

const char *
opt_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		die(EXIT_USAGE, "%s needs a value (see --help)", argv[*i]);
	return argv[++*i];
}

void
opt_usage_error(const struct opts *o, const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s%s\n\n%s", progname, what, arg ? arg : "",
	    o->usage);
	exit(EXIT_USAGE);
}

/* Store s, the value of option t. */
static void
opt_set(const struct opt *t, const char *s)
{
	uint64_t v = 0;

	if (t->type == OPT_STR) {
		*(const char **)t->p = s;
		return;
	}
	if (t->type == OPT_LIST) {
		struct opt_list *l = t->p;
		if (l->n == OPT_LIST_MAX)
			die(EXIT_USAGE, "%s: at most %d of them", t->name,
			    OPT_LIST_MAX);
		l->v[l->n++] = s;
		return;
	}
	if (t->parse != NULL ? t->parse(s, &v) < 0 :
	    parse_u64(s, t->min, t->max, &v) < 0)
		die(EXIT_USAGE, "%s", t->bad);
	if (t->mul)
		v *= t->mul;
	if (t->type == OPT_INT)
		*(int *)t->p = (int)v;
	else if (t->type == OPT_UINT)
		*(unsigned *)t->p = (unsigned)v;
	else
		*(uint64_t *)t->p = v;
}

/* argv[*i], one option with its value if it takes one. */
static void
opt_one(const struct opts *o, int argc, char **argv, int *i,
    const char *where)
{
	const char *a = argv[*i];
	unsigned k;

	if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
		fputs(o->usage, stdout);
		exit(0);
	}
	if (strcmp(a, "--version") == 0) {
		printf("%s %s\n", progname, CAIRN_VERSION);
		exit(0);
	}
	if (strcmp(a, "--config") == 0) {
		if (where != NULL)
			die(EXIT_USAGE, "%s: --config inside a configuration "
			    "file", where);
		opt_value(argc, argv, i);	/* read already */
		return;
	}
	for (k = 0; k < o->n; k++)
		if (strcmp(a, o->opt[k].name) == 0) {
			if (o->opt[k].type == OPT_FLAG)
				*(int *)o->opt[k].p = 1;
			else
				opt_set(&o->opt[k], opt_value(argc, argv, i));
			return;
		}
	if (o->other != NULL && o->other(argc, argv, i))
		return;
	if (where != NULL)
		die(EXIT_USAGE, "%s: unknown setting \"%s\"", where, a + 2);
	opt_usage_error(o, "unknown option ", a);
}

void
opts_read(const struct opts *o, int argc, char **argv)
{
	static struct config cf;
	const char *cfile = config_arg(argc, argv);
	int i;

	if (cfile != NULL) {
		if (config_read(&cf, cfile) < 0)
			exit(EXIT_USAGE);
		for (i = 0; i < cf.argc; i++)
			opt_one(o, cf.argc, cf.argv, &i, cfile);
	}
	for (i = 1; i < argc; i++)
		opt_one(o, argc, argv, &i, NULL);
}
