/* client.h — the client's options and its commands. */
#ifndef CAIRN_CLIENT_H
#define CAIRN_CLIENT_H

#include <signal.h>
#include <stdint.h>

#include "filter.h"
#include "opts.h"
#include "proto.h"
#include "tls.h"

struct cconn;
struct report;

struct copts {
	const char *server;
	const char *server_name;
	const char *fingerprint;	/* --server-fingerprint */
	unsigned port;
	const char *cert, *key, *ca;
	const char *source;
	const char *state;
	const char *extensions;
	struct opt_list exclude;	/* --exclude PATTERN */
	struct opt_list exclude_from;	/* --exclude-from FILE */
	int exclude_caches;	/* --exclude-caches: CACHEDIR.TAG */
	int dry_run;		/* --dry-run: change nothing, say what would */
	const char *pre_hook, *post_hook;	/* --pre-hook, --post-hook */
	int json;
	int checksum;		/* re-hash every file */
	int ignore_inode;	/* inode and ctime do not count */
	int one_fs;		/* --one-file-system: no other mounts */
	int timeout_ms;
	/* The command's operands: ID[@SNAPSHOT] (--list, --restore,
	 * --remove, --ls, --prune, --diff's first), or NULL */
	const char *target;
	const char *target2;	/* --diff's second ID@SNAP, or NULL */
	const char *ls_path;	/* --ls's PATH, or NULL */
	const char *pattern;	/* --find's PATTERN */
	int recursive;		/* --ls -R */
	const char *path;	/* --path */
	struct opt_list include;	/* --restore --include PATH */
	int delete_extra;	/* --restore --delete */
	struct retention keep;	/* --keep-last (--keep) ... --keep-yearly */
	uint64_t interval_ms;	/* --interval, 0: once */
	uint64_t bwlimit;	/* --bwlimit, bytes per second, 0: none */
	int daemon, syslog;
	const char *pidfile;
	/* Where progress and results go; NULL: stderr (a terminal) and
	 * stdout. */
	const struct report *report;
};

/* Back up o->source; returns the exit status. */
int backup_run(const struct copts *o);
/* Load --extensions and the exclusions: 0, or -1 with a message. */
int backup_prepare(const struct copts *o);
/* What the post-hook is told of a run (hooks.c). */
struct backup_figures {
	char id[TARGET_MAX];	/* the backup's, "" if not known yet */
	char snap[TARGET_MAX];	/* the snapshot committed, or "" */
	uint64_t files, errors;
};
/* The figures of this process's backup so far. */
void backup_figures(struct backup_figures *f);
/*
 * A backup with its --pre-hook and --post-hook (hooks.c): the pre-hook,
 * the run in a child process (*child its pid while it runs, when child
 * is not NULL; killed at once if *stopping is set), the post-hook with
 * the run's status. Without hooks, backup_run. The exit status.
 */
int hooks_backup(const struct copts *o, volatile long *child,
    volatile sig_atomic_t *stopping);
/* Back up now and then every interval until SIGTERM or SIGINT; SIGHUP
 * reads the options again (client_reload) for the runs that follow. */
int periodic_run(const struct copts *o);
/*
 * The client's main, callable again in one process (main.c): the options
 * start from their defaults, argv is read (and split at '=' in place) as
 * main's is, and the command runs with its results and progress on
 * chosen's descriptors (NULL: stdout, and stderr when a terminal). The
 * command's exit status; usage errors exit the process (status 2), as
 * from main. The web UI's children run their commands with it.
 */
int client_main(int argc, char **argv, const struct report *chosen);
/* Read the command line and --config file given to client_main again,
 * into the options periodic_run() was given: first in a child process,
 * so that a file that no longer reads (exit 2 there) leaves them as they
 * were. 0, or -1 with a message. */
int client_reload(void);
/* --list, --restore, --remove: the exit status. */
int list_run(const struct copts *o);
int restore_run(const struct copts *o);
int remove_run(const struct copts *o);
/* --ls, --find, --diff (browse.c); --prune (prune.c). */
int ls_run(const struct copts *o);
int find_run(const struct copts *o);
int diff_run(const struct copts *o);
int prune_run(const struct copts *o);

/*
 * The backup a command names, on the open connection c: arg is an ID, a
 * unique prefix of one (at least 4 characters) or a source's absolute
 * path, with "@SNAPSHOT" (or a unique prefix of its name) or not; NULL
 * with o->source set (--list --source DIR): that source's backup. All
 * but a full ID alone are matched on a LIST. id[TARGET_MAX] gets the full
 * ID, snap[TARGET_MAX] the snapshot ("" when none was named). Exits 2
 * for an ambiguous prefix (naming the candidates), 4 when nothing
 * matches.
 */
void resolve_target(struct cconn *c, const struct copts *o, const char *arg,
    char *id, char *snap);

/* Where the state lives without --state and a home directory. */
#define STATE_DIR_FALLBACK "/var/lib/cairn"

/*
 * The certificate, key and CA not given (paths.c): client_cert.pem,
 * client_key.pem and ca_cert.pem from the first of ./certs,
 * $XDG_CONFIG_HOME/cairn (or ~/.config/cairn) and /etc/cairn that holds
 * a client_cert.pem. Exits 2 naming where it looked when none does.
 */
void cert_defaults(struct copts *o);
/* The default state directory into dir[cap]: ~/.cairn, or /var/lib/cairn
 * when HOME is unset, empty, not a directory or will not hold it (made
 * 0700 as needed). Exits 2 naming both when neither will do. */
void state_dir(char *dir, size_t cap);

/* Split "ID[@SNAPSHOT]"; exits with a usage error when malformed. */
void split_target(const char *arg, char *id, size_t idcap, char *snap,
    size_t scap);
/* A policy in words ("--keep-last 3 --keep-daily 7") into out[cap]:
 * 0, or -1 if cut short (prune.c). */
int retention_text(const struct retention *k, char *out, size_t cap);
/* Exit 4 with the server's reason. */
void refused(unsigned status, const char *text) __attribute__((noreturn));

#endif
