/*
 * main.c — cairn, the backup client: options and dispatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "opts.h"
#include "port.h"
#include "util.h"

static const char usage[] =
"usage: cairn --server HOST [--port N] --source DIR [--extensions FILE]\n"
"             [--interval HOURS]\n"
"       cairn --server HOST --list [ID]\n"
"       cairn --server HOST --restore ID[@SNAPSHOT] [--path DIR]\n"
"       cairn --server HOST --remove ID[@SNAPSHOT]\n"
"\n"
"Back up DIR to the cairnd server at HOST over mutually authenticated TLS.\n"
"Each run makes a snapshot on the server; only files the server does not\n"
"already hold (by MD5) are sent. A source's backups share one ID.\n"
"\n"
"  --server HOST        server address or name (required)\n"
"  --port N             server port (default " CAIRN_STR(CAIRN_PORT) ")\n"
"  --server-name NAME   name the server's certificate must carry\n"
"                       (default: HOST)\n"
"  --server-fingerprint SHA256\n"
"                       accept exactly the server certificate with this\n"
"                       SHA-256 fingerprint, whatever the clock says\n"
"                       (openssl x509 -noout -fingerprint -sha256)\n"
"  --source DIR         directory to back up\n"
"  --extensions FILE    back up only regular files with these extensions:\n"
"                       one per line, leading dot and case ignored, '#'\n"
"                       comments (default: every file)\n"
"  --checksum           hash every file, even ones unchanged since the\n"
"                       last run\n"
"  --ignore-inode       judge files unchanged by size and mtime alone, for\n"
"                       filesystems that renumber inodes (btrfs snapshots,\n"
"                       FAT, network mounts)\n"
"  -x, --one-file-system\n"
"                       do not enter other filesystems mounted below DIR\n"
"  --keep N             after a run without errors, keep only the newest N\n"
"                       snapshots\n"
"  --interval HOURS     back up now, then every HOURS (fractions allowed)\n"
"                       until SIGTERM or SIGINT; a failed run is retried\n"
"                       sooner while the server cannot be reached\n"
"  --daemon             with --interval: detach from the terminal\n"
"  --pidfile F          with --daemon: write the process id to F\n"
"  --syslog             log to syslog instead of standard error\n"
"  --bwlimit KBPS       send at most KBPS kilobytes per second\n"
"  --config F           read options from F: \"key value\" lines, keys\n"
"                       being the long option names (flags win over it)\n"
"  --list [ID]          list this client's backups, or one backup's\n"
"                       snapshots\n"
"  --restore ID[@SNAP]  restore the newest (or the named) snapshot into\n"
"                       its source directory, or into --path DIR; files\n"
"                       already right are left alone\n"
"  --path DIR           where --restore writes\n"
"  --remove ID[@SNAP]   remove a whole backup, or one snapshot\n"
"  --state FILE         client state (default ~/.cairn/state-<hash>.json)\n"
"  --cert F             client certificate (default certs/client_cert.pem)\n"
"  --key F              client private key (default certs/client_key.pem)\n"
"  --ca F               CA that signed the server's certificate\n"
"                       (default certs/ca_cert.pem)\n"
"  --timeout SECONDS    network timeout (default 60)\n"
"  --json               print the run's figures as one JSON object\n"
"  --quiet              print only errors\n"
"  --version            print the version and exit\n"
"  --help               print this help and exit\n"
"\n"
"Symlinks are stored as links and never followed; owners, xattrs, hard\n"
"links, holes, FIFOs and devices are kept; sockets are skipped.\n"
"\n"
"Exit status: 0 success; 1 finished, but some files could not be read or\n"
"sent; 2 usage or configuration error; 3 network or TLS failure;\n"
"4 refused by the server.\n";

static struct copts o = {
	.port = CAIRN_PORT,
	.cert = "certs/client_cert.pem",
	.key = "certs/client_key.pem",
	.ca = "certs/ca_cert.pem",
	.timeout_ms = 60000,
};
static const char *cmd;		/* --list, --restore, --remove, or NULL */

static const struct opt table[] = {
	OPT_S("--server", &o.server),
	OPT_N("--port", &o.port, OPT_UINT, 1, 65535, 0,
	    "--port wants 1..65535"),
	OPT_S("--server-name", &o.server_name),
	OPT_S("--server-fingerprint", &o.fingerprint),
	OPT_S("--source", &o.source),
	OPT_S("--extensions", &o.extensions),
	OPT_S("--state", &o.state),
	OPT_S("--cert", &o.cert),
	OPT_S("--key", &o.key),
	OPT_S("--ca", &o.ca),
	OPT_N("--timeout", &o.timeout_ms, OPT_INT, 1, 86400, 1000,
	    "--timeout wants 1..86400 seconds"),
	OPT_F("--checksum", &o.checksum),
	OPT_F("--ignore-inode", &o.ignore_inode),
	OPT_F("--one-file-system", &o.one_fs),
	OPT_F("-x", &o.one_fs),
	OPT_F("--json", &o.json),
	OPT_F("--quiet", &log_quiet),
	OPT_F("--syslog", &o.syslog),
	OPT_F("--daemon", &o.daemon),
	OPT_S("--pidfile", &o.pidfile),
	OPT_P("--interval", &o.interval_ms, parse_hours,
	    "--interval wants hours, e.g. 6 or 0.5"),
	OPT_N("--bwlimit", &o.bwlimit, OPT_U64, 1, 100000000, 1000,
	    "--bwlimit wants kilobytes per second, 1..100000000"),
	OPT_S("--path", &o.path),
	OPT_N("--keep", &o.keep, OPT_UINT, 1, 100000, 0,
	    "--keep wants 1..100000"),
};

/* The commands, whose value says what they act on, and --ui. */
static int
other(int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (strcmp(a, "--list") == 0) {
		cmd = a;
		if (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0)
			o.target = argv[++*i];
	} else if (strcmp(a, "--restore") == 0 || strcmp(a, "--remove") == 0) {
		cmd = a;
		o.target = opt_value(argc, argv, i);
	} else if (strcmp(a, "--ui") == 0) {
		die(EXIT_USAGE, "--ui is not available in cairn %s yet",
		    CAIRN_VERSION);
	} else {
		return 0;
	}
	return 1;
}

static const struct opts opts = {
	usage, table, sizeof table / sizeof table[0], other
};

static void
bad_usage(const char *what, const char *arg)
{
	opt_usage_error(&opts, what, arg);
}

int
main(int argc, char **argv)
{
	progname = "cairn";
	opts_read(&opts, argc, argv);
	if (o.server == NULL)
		bad_usage("--server HOST is required", NULL);
	if (cmd != NULL && o.source != NULL)
		bad_usage("--source does not go with ", cmd);
	if (cmd == NULL && o.source == NULL)
		bad_usage("--source DIR (or --list, --restore, --remove) is "
		    "required", NULL);
	if (o.path != NULL && (cmd == NULL || strcmp(cmd, "--restore") != 0))
		bad_usage("--path goes with --restore", NULL);
	if ((o.interval_ms || o.daemon) && cmd != NULL)
		bad_usage("--interval and --daemon go with a backup, not ",
		    cmd);
	if (o.daemon && o.interval_ms == 0)
		bad_usage("--daemon needs --interval", NULL);
	if (o.pidfile != NULL && !o.daemon)
		bad_usage("--pidfile goes with --daemon", NULL);
	if (o.server_name == NULL)
		o.server_name = o.server;
	port_ignore_sigpipe();
	if (o.syslog) {
		port_syslog_open("cairn");
		log_syslog = 1;
	}
	if (cmd == NULL)
		return o.interval_ms ? periodic_run(&o) : backup_run(&o);
	if (strcmp(cmd, "--list") == 0)
		return list_run(&o);
	if (strcmp(cmd, "--restore") == 0)
		return restore_run(&o);
	return remove_run(&o);
}
