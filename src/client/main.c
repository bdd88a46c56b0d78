/*
 * main.c — cairn, the backup client: options and dispatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "config.h"
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
"  --keep N             after the backup, keep only the newest N snapshots\n"
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
"Symlinks are stored as links and never followed; devices, FIFOs and\n"
"sockets are skipped and reported.\n"
"\n"
"Exit status: 0 success; 1 finished, but some files could not be read or\n"
"sent; 2 usage or configuration error; 3 network or TLS failure;\n"
"4 refused by the server.\n";

static const char *
need_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		die(EXIT_USAGE, "%s needs a value (see --help)", argv[*i]);
	return argv[++*i];
}

static void
bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, "cairn: %s%s\n\n%s", what, arg ? arg : "", usage);
	exit(EXIT_USAGE);
}

static const char *cmd;		/* --list, --restore, --remove, or NULL */

/*
 * Options from argv[first..argc): the command line, or a --config file
 * turned into arguments (where names it, for messages).
 */
static void
parse(struct copts *o, int argc, char **argv, int first, const char *where)
{
	uint64_t v;
	int i;

	for (i = first; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			exit(0);
		} else if (strcmp(a, "--version") == 0) {
			printf("cairn %s\n", CAIRN_VERSION);
			exit(0);
		} else if (strcmp(a, "--config") == 0) {
			if (where != NULL)
				die(EXIT_USAGE, "%s: --config inside a "
				    "configuration file", where);
			need_arg(argc, argv, &i);	/* read already */
		} else if (strcmp(a, "--server") == 0) {
			o->server = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--port") == 0) {
			if (parse_u64(need_arg(argc, argv, &i), 1, 65535, &v))
				die(EXIT_USAGE, "--port wants 1..65535");
			o->port = (unsigned)v;
		} else if (strcmp(a, "--server-name") == 0) {
			o->server_name = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--server-fingerprint") == 0) {
			o->fingerprint = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--source") == 0) {
			o->source = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--extensions") == 0) {
			o->extensions = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--state") == 0) {
			o->state = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--cert") == 0) {
			o->cert = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--key") == 0) {
			o->key = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--ca") == 0) {
			o->ca = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--timeout") == 0) {
			if (parse_u64(need_arg(argc, argv, &i), 1, 86400, &v))
				die(EXIT_USAGE, "--timeout wants 1..86400 "
				    "seconds");
			o->timeout_ms = (int)v * 1000;
		} else if (strcmp(a, "--checksum") == 0) {
			o->checksum = 1;
		} else if (strcmp(a, "--ignore-inode") == 0) {
			o->ignore_inode = 1;
		} else if (strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (strcmp(a, "--quiet") == 0) {
			log_quiet = 1;
		} else if (strcmp(a, "--syslog") == 0) {
			o->syslog = 1;
		} else if (strcmp(a, "--daemon") == 0) {
			o->daemon = 1;
		} else if (strcmp(a, "--pidfile") == 0) {
			o->pidfile = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--interval") == 0) {
			if (parse_hours(need_arg(argc, argv, &i),
			    &o->interval_ms) < 0)
				die(EXIT_USAGE, "--interval wants hours, e.g. 6 "
				    "or 0.5");
		} else if (strcmp(a, "--bwlimit") == 0) {
			if (parse_u64(need_arg(argc, argv, &i), 1, 100000000,
			    &v))
				die(EXIT_USAGE, "--bwlimit wants kilobytes per "
				    "second, 1..100000000");
			o->bwlimit = v * 1000;
		} else if (strcmp(a, "--list") == 0) {
			cmd = a;
			if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
				o->target = argv[++i];
		} else if (strcmp(a, "--restore") == 0 ||
		    strcmp(a, "--remove") == 0) {
			cmd = a;
			o->target = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--path") == 0) {
			o->path = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--keep") == 0) {
			if (parse_u64(need_arg(argc, argv, &i), 1, 100000, &v))
				die(EXIT_USAGE, "--keep wants 1..100000");
			o->keep = (unsigned)v;
		} else if (strcmp(a, "--ui") == 0) {
			die(EXIT_USAGE, "--ui is not available in cairn %s yet",
			    CAIRN_VERSION);
		} else if (where != NULL) {
			die(EXIT_USAGE, "%s: unknown setting \"%s\"", where,
			    a + 2);
		} else {
			bad_usage("unknown option ", a);
		}
	}
}

int
main(int argc, char **argv)
{
	static struct config cf;
	struct copts o;
	const char *cfile;

	progname = "cairn";
	memset(&o, 0, sizeof o);
	o.port = CAIRN_PORT;
	o.cert = "certs/client_cert.pem";
	o.key = "certs/client_key.pem";
	o.ca = "certs/ca_cert.pem";
	o.timeout_ms = 60000;

	/* The configuration file first, so that flags override it. */
	cfile = config_arg(argc, argv);
	if (cfile != NULL) {
		if (config_read(&cf, cfile) < 0)
			return EXIT_USAGE;
		parse(&o, cf.argc, cf.argv, 0, cfile);
	}
	parse(&o, argc, argv, 1, NULL);

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
