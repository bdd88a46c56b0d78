/*
 * main.c — cairn, the backup client: options and dispatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "port.h"
#include "util.h"

static const char usage[] =
"usage: cairn --server HOST [--port N] --source DIR [--extensions FILE]\n"
"       cairn --server HOST --list [ID]\n"
"       cairn --server HOST --restore ID[@SNAPSHOT] [--path DIR]\n"
"       cairn --server HOST --remove ID[@SNAPSHOT]\n"
"\n"
"Back up DIR to the cairnd server at HOST over mutually authenticated TLS.\n"
"Each run makes a snapshot on the server; only files the server does not\n"
"already hold (by MD5) are sent. A source's backups share one ID.\n"
"\n"
"  --server HOST        server address or name (required)\n"
"  --port N             server port (default 12345)\n"
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
"  --keep N             after the backup, keep only the newest N snapshots\n"
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

int
main(int argc, char **argv)
{
	struct copts o;
	const char *cmd = NULL;
	uint64_t v;
	int i;

	progname = "cairn";
	memset(&o, 0, sizeof o);
	o.port = 12345;
	o.cert = "certs/client_cert.pem";
	o.key = "certs/client_key.pem";
	o.ca = "certs/ca_cert.pem";
	o.timeout_ms = 60000;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("cairn %s\n", CAIRN_VERSION);
			return 0;
		} else if (strcmp(a, "--server") == 0) {
			o.server = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--port") == 0) {
			if (parse_u64(need_arg(argc, argv, &i), 1, 65535, &v))
				die(EXIT_USAGE, "--port wants 1..65535");
			o.port = (unsigned)v;
		} else if (strcmp(a, "--server-name") == 0) {
			o.server_name = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--server-fingerprint") == 0) {
			o.fingerprint = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--source") == 0) {
			o.source = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--extensions") == 0) {
			o.extensions = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--state") == 0) {
			o.state = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--cert") == 0) {
			o.cert = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--key") == 0) {
			o.key = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--ca") == 0) {
			o.ca = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--timeout") == 0) {
			if (parse_u64(need_arg(argc, argv, &i), 1, 86400, &v))
				die(EXIT_USAGE, "--timeout wants 1..86400 "
				    "seconds");
			o.timeout_ms = (int)v * 1000;
		} else if (strcmp(a, "--checksum") == 0) {
			o.checksum = 1;
		} else if (strcmp(a, "--json") == 0) {
			o.json = 1;
		} else if (strcmp(a, "--quiet") == 0) {
			log_quiet = 1;
		} else if (strcmp(a, "--list") == 0) {
			cmd = a;
			if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
				o.target = argv[++i];
		} else if (strcmp(a, "--restore") == 0 ||
		    strcmp(a, "--remove") == 0) {
			cmd = a;
			o.target = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--path") == 0) {
			o.path = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--keep") == 0) {
			if (parse_u64(need_arg(argc, argv, &i), 1, 100000, &v))
				die(EXIT_USAGE, "--keep wants 1..100000");
			o.keep = (unsigned)v;
		} else if (strcmp(a, "--ui") == 0 ||
		    strcmp(a, "--interval") == 0) {
			die(EXIT_USAGE, "%s is not available in cairn %s yet; "
			    "this version backs up only", a, CAIRN_VERSION);
		} else {
			bad_usage("unknown option ", a);
		}
	}
	if (o.server == NULL)
		bad_usage("--server HOST is required", NULL);
	if (cmd != NULL && o.source != NULL)
		bad_usage("--source does not go with ", cmd);
	if (cmd == NULL && o.source == NULL)
		bad_usage("--source DIR (or --list, --restore, --remove) is "
		    "required", NULL);
	if (o.path != NULL && (cmd == NULL || strcmp(cmd, "--restore") != 0))
		bad_usage("--path goes with --restore", NULL);
	if (o.server_name == NULL)
		o.server_name = o.server;
	port_ignore_sigpipe();
	if (cmd == NULL)
		return backup_run(&o);
	if (strcmp(cmd, "--list") == 0)
		return list_run(&o);
	if (strcmp(cmd, "--restore") == 0)
		return restore_run(&o);
	return remove_run(&o);
}
