/*
 * opts.h — one option reader for both programs: a table of long options
 * saying where each value goes and how it is checked, read from the
 * --config file first and then from the command line, so flags win.
 * --help, --version and --config are the reader's own.
 */
#ifndef CAIRN_OPTS_H
#define CAIRN_OPTS_H

#include <stddef.h>
#include <stdint.h>

enum opt_type {
	OPT_FLAG,	/* int, set to 1 */
	OPT_STR,	/* const char *, the value */
	OPT_INT,	/* int: a number in min..max, times mul */
	OPT_UINT,	/* unsigned, likewise */
	OPT_U64,	/* uint64_t, likewise, or what parse makes */
	OPT_LIST	/* struct opt_list: each use adds its value */
};

#define OPT_LIST_MAX 64		/* values of one repeatable option */

/* A repeatable option's values, in the order given (the --config file's
 * first). */
struct opt_list {
	unsigned n;
	const char *v[OPT_LIST_MAX];
};

#define OPT_PATH 1	/* a path: relative in a --config file means
			 * relative to the file's directory */

struct opt {
	const char *name;	/* "--port" */
	void *p;		/* where the value goes */
	const char *bad;	/* the message for a wrong value */
	int (*parse)(const char *s, uint64_t *v);	/* 0 or -1; NULL:
							 * min..max */
	uint32_t min, max;
	unsigned short mul;	/* 0: 1 */
	unsigned char type;
	unsigned char flags;	/* OPT_PATH */
};

#define OPT_F(name, p) { name, p, NULL, NULL, 0, 0, 0, OPT_FLAG, 0 }
#define OPT_S(name, p) { name, p, NULL, NULL, 0, 0, 0, OPT_STR, 0 }
#define OPT_SP(name, p) { name, p, NULL, NULL, 0, 0, 0, OPT_STR, OPT_PATH }
#define OPT_N(name, p, type, min, max, mul, bad) \
	{ name, p, bad, NULL, min, max, mul, type, 0 }
#define OPT_P(name, p, parse, bad) \
	{ name, p, bad, parse, 0, 0, 0, OPT_U64, 0 }
#define OPT_L(name, p) { name, p, NULL, NULL, 0, 0, 0, OPT_LIST, 0 }
#define OPT_LP(name, p) { name, p, NULL, NULL, 0, 0, 0, OPT_LIST, OPT_PATH }

struct opts {
	const char *usage;	/* the --help text: a tab goes to column 23 */
	const struct opt *opt;
	unsigned n;
	/* Options the table cannot say (or NULL): 1 when argv[*i] was one
	 * (values taken with opt_value), 0 when it is unknown. */
	int (*other)(int argc, char **argv, int *i);
	/* The options other() takes, for "did you mean" (NULL-terminated,
	 * or NULL). */
	const char *const *words;
};

/*
 * Read the options: the --config file's, then argv[1..argc). An option
 * takes its value as "--opt VALUE" or "--opt=VALUE" (argv is split in
 * place at the '='). Exits 0 after --help or --version, 2 with a one-line
 * message on a usage error (an unknown option with the closest known one).
 */
void opts_read(const struct opts *o, int argc, char **argv);
/* The value of argv[*i]: the one after its '=', or the next argument,
 * moving *i on to it; exits 2 when there is none. */
const char *opt_value(int argc, char **argv, int *i);
/* The value after the '=' of the option being read, taken, or NULL. */
const char *opt_attached(void);
/* Levenshtein distance of a[0..an) and b[0..bn), at most 64 bytes each
 * counted (beyond that, 64 is returned). */
unsigned opt_distance(const char *a, size_t an, const char *b, size_t bn);
/* "progname: what arg; see progname --help" on stderr, then exit 2. */
void opt_usage_error(const struct opts *o, const char *what,
    const char *arg) __attribute__((noreturn));

#endif
