/* client.h — the client's options and its commands. */
#ifndef CAIRN_CLIENT_H
#define CAIRN_CLIENT_H

#include <stdint.h>

#include "filter.h"
#include "tls.h"

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
	int json;
	int checksum;		/* re-hash every file */
	int ignore_inode;	/* inode and ctime do not count */
	int one_fs;		/* --one-file-system: no other mounts */
	int timeout_ms;
	const char *target;	/* ID[@SNAPSHOT] for --list/--restore/--remove */
	const char *path;	/* --path */
	unsigned keep;		/* --keep */
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
/* Back up now and then every interval until SIGTERM or SIGINT. */
int periodic_run(const struct copts *o);
/* --list, --restore, --remove: the exit status. */
int list_run(const struct copts *o);
int restore_run(const struct copts *o);
int remove_run(const struct copts *o);

/* Split "ID[@SNAPSHOT]"; exits with a usage error when malformed. */
void split_target(const char *arg, char *id, size_t idcap, char *snap,
    size_t scap);
/* Exit 4 with the server's reason. */
void refused(unsigned status, const char *text) __attribute__((noreturn));

#endif
