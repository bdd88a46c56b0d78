/*
 * util.h — messages, exit codes, small helpers shared by both programs.
 *
 * Error convention: functions return 0 on success and -1 on failure. The
 * function that knows the cause (which file, which peer) prints the
 * message with msg(); its callers only propagate -1. die() prints and
 * exits with one of the documented exit codes.
 */
#ifndef CAIRN_UTIL_H
#define CAIRN_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define CAIRN_VERSION "0.1.0"
#define CAIRN_PORT 12345	/* the default TCP port of both programs */
#define CAIRN_STR_(x) #x
#define CAIRN_STR(x) CAIRN_STR_(x)	/* a number as a string literal */

/* Exit codes (DESIGN.md, "Errors and exit codes"). */
#define EXIT_PARTIAL 1		/* finished, some files failed */
#define EXIT_USAGE 2		/* usage or configuration error */
#define EXIT_NET 3		/* network or TLS failure */
#define EXIT_REFUSED 4		/* refused by the server */

/* Longest relative path on the wire or in a manifest, and its buffer. */
#define PATH_LEN_MAX 4095
#define PATH_CAP (PATH_LEN_MAX + 1)
#define NAME_LEN_MAX 255

extern const char *progname;
extern int log_quiet;		/* suppress informational messages */
extern int log_syslog;		/* messages go to syslog, not stderr */
extern const char *log_who;	/* when set, every message names it once:
				 * "progname: who: message" (the peer) */
extern int log_stamp;		/* messages on stderr begin with the UTC
				 * time, "2026-12-02T01:13:34Z progname: " */
extern void (*log_before)(void);	/* called before a message goes to
					 * stderr (the progress line clears
					 * itself) */

/* "progname: message\n" on stderr. */
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An informational line, unless quiet. */
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* msg(), then exit with code. */
void die(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* "1 file", "2 files": n and the word for it (one or many), in one of
 * NWORDS_MAX rotating buffers: that many in one message at most. */
#define NWORDS_MAX 6
const char *nwords(uint64_t n, const char *one, const char *many);

/* A printable rendering of n arbitrary bytes (escapes control and
 * non-ASCII bytes as \xNN) into out[cap], for messages. */
const char *shown(const char *s, size_t n, char *out, size_t cap);

/* Value of one hex digit (either case), or -1. */
int hexval(int c);
/* The 2n hex digits at s as n bytes into out: 0, or -1 at the first that
 * is not a hex digit (out then partly written). */
int unhex(const char *s, size_t n, uint8_t *out);

/* Parse a decimal number in [min, max]; 0 or -1. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v);

/* The civil date (proleptic Gregorian) of day number days, 0 being
 * 1970-01-01. */
void civil_date(int64_t days, int64_t *year, unsigned *month,
    unsigned *day);
/* Format t (seconds since 1970, UTC) as 2026-11-28T15-04-05Z into
 * out[21]. */
void utc_name(int64_t t, char out[21]);
/* The same as ISO 8601, 2026-11-28T15:04:05Z, into out[21]. */
void utc_iso(int64_t t, char out[21]);

/* Hours with an optional fraction ("6", "0.5", "0.0005") in
 * milliseconds, at least 1. 0 or -1. */
int parse_hours(const char *s, uint64_t *ms);

/* Write "pid\n" into path, atomically. 0 or -1. */
int write_pidfile(const char *path, long pid);

/* Run fn when the process exits (exit() or a return from main), the last
 * registered first, as atexit(3) but once however often it is asked for
 * and without the C library's allocator behind it (musl's atexit keeps a
 * calloc for its 33rd function). At most AT_EXIT_MAX functions. */
#define AT_EXIT_MAX 4
void at_exit(void (*fn)(void));

/* Wipe n bytes in a way the compiler keeps. */
void wipe(void *p, size_t n);

/* The first t in s, as strstr; a plain search (the short texts searched
 * here do not need musl's two-way one, 1.2 KiB of code). */
const char *find_str(const char *s, const char *t);

#endif
