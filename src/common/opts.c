/* opts.c — the table-driven option reader; see opts.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "opts.h"
#include "port.h"
#include "util.h"

#define NAME_CMP_MAX 64		/* bytes of a name opt_distance counts */
#define CONFIG_PATHS 32768	/* the config file's paths, made absolute */

static const char *attached;	/* after the '=' of the option being read */
static char cfdir[PATH_CAP];	/* the --config file's directory */
static char arena[CONFIG_PATHS];	/* its paths, joined to cfdir */
static size_t arena_used;

/* The reader's own options, for "did you mean". */
static const char *const own[] = { "--help", "--version", "--config", NULL };

const char *
opt_attached(void)
{
	const char *v = attached;

	attached = NULL;
	return v;
}

const char *
opt_value(int argc, char **argv, int *i)
{
	if (attached != NULL)
		return opt_attached();
	if (*i + 1 >= argc)
		die(EXIT_USAGE, "%s needs a value; see %s --help", argv[*i],
		    progname);
	return argv[++*i];
}

void
opt_usage_error(const struct opts *o, const char *what, const char *arg)
{
	(void)o;
	fprintf(stderr, "%s: %s%s; see %s --help\n", progname, what,
	    arg ? arg : "", progname);
	exit(EXIT_USAGE);
}

unsigned
opt_distance(const char *a, size_t an, const char *b, size_t bn)
{
	unsigned row[NAME_CMP_MAX + 1], diag, up, best;
	size_t i, j;

	if (an > NAME_CMP_MAX || bn > NAME_CMP_MAX)
		return NAME_CMP_MAX;
	for (j = 0; j <= bn; j++)
		row[j] = (unsigned)j;
	for (i = 1; i <= an; i++) {
		diag = row[0];
		row[0] = (unsigned)i;
		for (j = 1; j <= bn; j++) {
			up = row[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[bn];
}

/* Keep name in *best when it is nearer to a than *d. */
static void
nearer(const char *a, const char *name, const char **best, unsigned *d)
{
	unsigned k = opt_distance(a, strlen(a), name, strlen(name));

	if (k < *d) {
		*d = k;
		*best = name;
	}
}

/* The known option closest to a ("--exclud"), or NULL when none is close
 * enough to be what was meant. */
static const char *
closest(const struct opts *o, const char *a)
{
	const char *best = NULL;
	unsigned d = NAME_CMP_MAX, k;
	size_t n = strlen(a);

	for (k = 0; k < o->n; k++)
		nearer(a, o->opt[k].name, &best, &d);
	for (k = 0; o->words != NULL && o->words[k] != NULL; k++)
		nearer(a, o->words[k], &best, &d);
	for (k = 0; own[k] != NULL; k++)
		nearer(a, own[k], &best, &d);
	return best != NULL && d <= 1 + (n > 2 ? n - 2 : 0) / 4 && d < 4 ?
	    best : NULL;
}

/* Exit 2 for the unknown option a, naming the closest known one; in a
 * configuration file (where), the key without its dashes. */
static void __attribute__((noreturn))
unknown(const struct opts *o, const char *a, const char *where)
{
	const char *near = closest(o, a);
	char hint[NAME_CMP_MAX + 32] = "";

	if (where != NULL) {
		if (near != NULL)
			snprintf(hint, sizeof hint, " (did you mean \"%s\"?)",
			    near + 2);
		die(EXIT_USAGE, "%s: unknown setting \"%s\"%s", where, a + 2,
		    hint);
	}
	if (near != NULL)
		snprintf(hint, sizeof hint, " (did you mean %s?)", near);
	fprintf(stderr, "%s: unknown option %s%s; see %s --help\n", progname,
	    a, hint, progname);
	exit(EXIT_USAGE);
}

/* s, a relative path from the configuration file where, joined to the
 * file's directory (kept for the program's lifetime). */
static const char *
config_path(const char *s, const char *where)
{
	size_t dn = strlen(cfdir), n = strlen(s);
	char *p = arena + arena_used;

	if (s[0] == '/' || s[0] == 0)
		return s;
	if (dn + 1 + n + 1 > sizeof arena - arena_used ||
	    dn + 1 + n >= PATH_CAP)
		die(EXIT_USAGE, "%s: its paths are too long", where);
	memcpy(p, cfdir, dn);
	p[dn] = '/';
	memcpy(p + dn + 1, s, n + 1);
	arena_used += dn + 1 + n + 1;
	return p;
}

/* Store s, the value of option t (from the configuration file where, or
 * the command line when NULL). */
static void
opt_set(const struct opt *t, const char *s, const char *where)
{
	uint64_t v = 0;

	if (where != NULL && (t->flags & OPT_PATH))
		s = config_path(s, where);
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

/* The --help text, each tab taken to the column where the options' words
 * begin: the texts hold a tab where their columns line up (a third less
 * to keep in the binary than the spaces). */
#define HELP_COL 23

static void
put_help(const char *s)
{
	static const char pad[HELP_COL] = "                       ";
	const char *run = s;
	size_t col = 0;

	for (; *s != 0; s++) {
		if (*s == '\n') {
			col = 0;
		} else if (*s != '\t') {
			col++;
		} else {
			fwrite(run, 1, (size_t)(s - run), stdout);
			fwrite(pad, 1, col < HELP_COL ? HELP_COL - col : 1, stdout);
			col = col < HELP_COL ? HELP_COL : col + 1;
			run = s + 1;
		}
	}
	fputs(run, stdout);
}

/* The reader's own options: 1 if a was one. */
static int
opt_own(const struct opts *o, int argc, char **argv, int *i,
    const char *where)
{
	const char *a = argv[*i];

	if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
		put_help(o->usage);
		exit(0);
	}
	if (strcmp(a, "--version") == 0) {
		printf("%s %s\n", progname, CAIRN_VERSION);
		exit(0);
	}
	if (strcmp(a, "--config") != 0)
		return 0;
	if (where != NULL)
		die(EXIT_USAGE, "%s: --config inside a configuration file",
		    where);
	opt_value(argc, argv, i);	/* read already */
	return 1;
}

/* argv[*i], one option with its value if it takes one. */
static void
opt_one(const struct opts *o, int argc, char **argv, int *i,
    const char *where)
{
	char *a = argv[*i], *eq;
	unsigned k;

	attached = NULL;
	if (strncmp(a, "--", 2) == 0 && (eq = strchr(a, '=')) != NULL) {
		*eq = 0;
		attached = eq + 1;
	}
	for (k = 0; k < o->n; k++)
		if (strcmp(a, o->opt[k].name) == 0)
			break;
	if (k < o->n && o->opt[k].type == OPT_FLAG)
		*(int *)o->opt[k].p = 1;
	else if (k < o->n)
		opt_set(&o->opt[k], opt_value(argc, argv, i), where);
	else if (!opt_own(o, argc, argv, i, where) &&
	    (o->other == NULL || !o->other(argc, argv, i)))
		unknown(o, a, where);
	if (attached != NULL)
		die(EXIT_USAGE, "%s%s%s takes no value; see %s --help",
		    where != NULL ? where : "", where != NULL ? ": " : "", a,
		    progname);
}

/* The directory of the configuration file path, as an absolute path. */
static void
config_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_CAP];
	size_t n = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash -
	    path);

	if (n >= sizeof dir)
		die(EXIT_USAGE, "%s: path too long", path);
	memcpy(dir, n ? path : ".", n ? n : 1);
	dir[n ? n : 1] = 0;
	if (port_realpath(dir, cfdir, sizeof cfdir) < 0)
		die(EXIT_USAGE, "%s: cannot find its directory", path);
}

void
opts_read(const struct opts *o, int argc, char **argv)
{
	static struct config cf;
	const char *cfile = config_arg(argc, argv);
	int i;

	arena_used = 0;		/* a second read replaces the first's */
	if (cfile != NULL) {
		if (config_read(&cf, cfile) < 0)
			exit(EXIT_USAGE);
		config_dir(cfile);
		for (i = 0; i < cf.argc; i++)
			opt_one(o, cf.argc, cf.argv, &i, cfile);
	}
	for (i = 1; i < argc; i++)
		opt_one(o, argc, argv, &i, NULL);
}
