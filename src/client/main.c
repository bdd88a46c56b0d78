/*
 * main.c — cairn, the backup client: options and dispatch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "config.h"
#include "features.h"
#include "opts.h"
#include "port.h"
#include "ui.h"
#include "util.h"

#if CAIRN_UI
#define UI_SYNOPSIS \
"       cairn --ui [--listen ADDR:PORT] [--config F] [--ui-cert F --ui-key F]\n"
#define UI_OPTIONS \
"  --ui\tserve the web page on --listen (default\n" \
"\t" UI_LISTEN_DEFAULT "): the settings of --config F\n" \
"\t(default ~/.config/cairn/cairn.conf), backups,\n" \
"\tsnapshots, restore; prints the URL with its token\n" \
"  --listen ADDR:PORT\twhere --ui listens; an address other than loopback\n" \
"\tneeds --ui-cert and --ui-key (served over TLS)\n" \
"  --ui-cert F, --ui-key F\n" \
"\tthe web page's server certificate and key (PEM;\n" \
"\ttools/gen-certs.sh --ui NAME DIR makes them)\n"
#else
#define UI_SYNOPSIS ""
#define UI_OPTIONS ""
#endif

static const char usage[] =
"usage: cairn --server HOST [--port N] --source DIR [--extensions FILE]\n"
"             [--exclude PATTERN]... [--dry-run] [--interval HOURS]\n"
"       cairn --server HOST --list [ID | --source DIR]\n"
"       cairn --server HOST --ls ID[@SNAPSHOT] [PATH] [-R]\n"
"       cairn --server HOST --find PATTERN [ID]\n"
"       cairn --server HOST --diff ID@SNAPSHOT [ID@SNAPSHOT]\n"
"       cairn --server HOST --restore ID[@SNAPSHOT] [--include PATH]...\n"
"             [--path DIR] [--delete] [--dry-run]\n"
"       cairn --server HOST --remove ID[@SNAPSHOT] [--dry-run]\n"
"       cairn --server HOST --prune ID --keep-daily N ... [--dry-run]\n"
UI_SYNOPSIS
"\n"
"Back up DIR to the cairnd server at HOST over mutually authenticated TLS.\n"
"Each run makes a snapshot on the server; only files the server does not\n"
"already hold (by MD5) are sent. A source's backups share one ID; any\n"
"unique prefix of it (4 characters or more) will do.\n"
"\n"
"  --server HOST\tserver address or name (required)\n"
"  --port N\tserver port (default " CAIRN_STR(CAIRN_PORT) ")\n"
"  --server-name NAME\tname the server's certificate must carry\n"
"\t(default: HOST)\n"
"  --server-fingerprint SHA256\n"
"\taccept exactly the server certificate with this\n"
"\tSHA-256 fingerprint, whatever the clock says\n"
"\t(openssl x509 -noout -fingerprint -sha256)\n"
"  --source DIR\tdirectory to back up\n"
"  --extensions FILE\tback up only regular files with these extensions:\n"
"\tone per line, leading dot and case ignored, '#'\n"
"\tcomments (default: every file)\n"
"  --exclude PATTERN\tleave out what matches PATTERN (repeatable): * ? [..]\n"
"\tand ** as in rsync; a leading / anchors it at DIR,\n"
"\ta trailing / matches directories only, a pattern\n"
"\twithout / matches a name at any depth; exclusions\n"
"\twin over --extensions\n"
"  --exclude-from FILE\tthe same, one pattern a line ('#' comments)\n"
"  --exclude-caches\tleave out directories holding a CACHEDIR.TAG\n"
"  --checksum\thash every file, even ones unchanged since the\n"
"\tlast run\n"
"  --ignore-inode\tjudge files unchanged by size and mtime alone, for\n"
"\tfilesystems that renumber inodes (btrfs snapshots,\n"
"\tFAT, network mounts)\n"
"  -x, --one-file-system\n"
"\tdo not enter other filesystems mounted below DIR\n"
"  --dry-run\tchange nothing: a backup says which files it would\n"
"\tsend, a restore what it would create, change and\n"
"\tdelete, --remove and --prune which snapshots would go\n"
"  --keep-last N\tafter a run without errors (or with --prune), keep\n"
"\tthe newest N snapshots (--keep N is the same)\n"
"  --keep-hourly N, --keep-daily N, --keep-weekly N, --keep-monthly N,\n"
"  --keep-yearly N\t... and the newest snapshot of each of the last N\n"
"\thours, days, weeks, months, years that have one, in\n"
"\tthis machine's local time; a snapshot any rule keeps\n"
"\tstays\n"
"  --pre-hook CMD\trun CMD (with /bin/sh) before the backup; if it\n"
"\tfails, so does the run\n"
"  --post-hook CMD\trun CMD after the backup, with CAIRN_STATUS,\n"
"\tCAIRN_SNAPSHOT, CAIRN_FILES, CAIRN_ERRORS set\n"
"  --interval HOURS\tback up now, then every HOURS (fractions allowed)\n"
"\tuntil SIGTERM or SIGINT; a failed run is retried\n"
"\tsooner while the server cannot be reached\n"
"  --daemon\twith --interval: detach from the terminal\n"
"  --pidfile F\twith --daemon: write the process id to F\n"
"  --syslog\tlog to syslog instead of standard error\n"
"  --bwlimit KBPS\tsend at most KBPS kilobytes per second\n"
"  --config F\tread options from F: \"key value\" lines, keys\n"
"\tbeing the long option names (flags win over it;\n"
"\tpaths in it are relative to F)\n"
"  --list [ID]\tlist this client's backups, or one backup's\n"
"\tsnapshots; with --source DIR, that directory's\n"
"  --ls ID[@SNAP] [PATH]\n"
"\tlist the entries of a snapshot (the newest without\n"
"\t@SNAP) in directory PATH, or PATH itself; -R (or\n"
"\t--recursive) lists all below it\n"
"  --find PATTERN [ID]\tevery snapshot holding a path that matches PATTERN\n"
"\t(the --exclude rules), each version with its size,\n"
"\tmtime and MD5\n"
"  --diff ID@A [ID@B]\twhat was added, removed and changed from snapshot A\n"
"\tto B (default: the newest)\n"
"  --restore ID[@SNAP]\trestore the newest (or the named) snapshot into\n"
"\tits source directory, or into --path DIR; files\n"
"\talready right are left alone\n"
"  --include PATH\twith --restore: only PATH of the snapshot, a file\n"
"\tor a directory (repeatable)\n"
"  --delete\twith --restore: remove what the snapshot does not\n"
"\thold, below the included paths (or all of the\n"
"\ttarget); never across a mount or through a symlink\n"
"  --path DIR\twhere --restore writes\n"
"  --remove ID[@SNAP]\tremove a whole backup, or one snapshot\n"
"  --prune ID\tapply the --keep-* policy to a backup now\n"
UI_OPTIONS
"  --state FILE\tclient state (default ~/.cairn/state-<hash>.json,\n"
"\tor /var/lib/cairn/ without a home directory)\n"
"  --cert F\tclient certificate (default client_cert.pem in\n"
"\t./certs, $XDG_CONFIG_HOME/cairn or ~/.config/cairn,\n"
"\tor /etc/cairn: the first that has one)\n"
"  --key F\tclient private key (default client_key.pem, found\n"
"\tlikewise)\n"
"  --ca F\tCA that signed the server's certificate (default\n"
"\tca_cert.pem, found likewise)\n"
"  --timeout SECONDS\tnetwork timeout (default 60)\n"
"  --json\tprint the run's figures as one JSON object\n"
"  --quiet\tprint only errors\n"
"  --version\tprint the version and exit\n"
"  --help\tprint this help and exit\n"
"\n"
"Options take their value as --opt VALUE or --opt=VALUE.\n"
"Symlinks are stored as links and never followed; owners, xattrs, hard\n"
"links, holes, FIFOs and devices are kept; sockets are skipped.\n"
"\n"
"Exit status: 0 success; 1 finished, but some files could not be read or\n"
"sent; 2 usage or configuration error; 3 network or TLS failure;\n"
"4 refused by the server.\n";

static struct copts o;		/* zero, then the defaults main() sets:
				 * initialised, its lists would take 1.8 KiB
				 * of the file */
static const char *cmd;		/* the command (--list, ...), or NULL */
static struct ui_args ui;	/* --ui's options */

#define KEEP_BAD(name) "--keep" name " wants 1..1000000"
static const struct opt table[] = {
	OPT_S("--server", &o.server),
	OPT_N("--port", &o.port, OPT_UINT, 1, 65535, 0,
	    "--port wants 1..65535"),
	OPT_S("--server-name", &o.server_name),
	OPT_S("--server-fingerprint", &o.fingerprint),
	OPT_SP("--source", &o.source),
	OPT_SP("--extensions", &o.extensions),
	OPT_L("--exclude", &o.exclude),
	OPT_LP("--exclude-from", &o.exclude_from),
	OPT_F("--exclude-caches", &o.exclude_caches),
	OPT_SP("--state", &o.state),
	OPT_SP("--cert", &o.cert),
	OPT_SP("--key", &o.key),
	OPT_SP("--ca", &o.ca),
	OPT_N("--timeout", &o.timeout_ms, OPT_INT, 1, 86400, 1000,
	    "--timeout wants 1..86400 seconds"),
	OPT_F("--checksum", &o.checksum),
	OPT_F("--ignore-inode", &o.ignore_inode),
	OPT_F("--one-file-system", &o.one_fs),
	OPT_F("-x", &o.one_fs),
	OPT_F("--dry-run", &o.dry_run),
	OPT_F("--json", &o.json),
	OPT_F("--quiet", &log_quiet),
	OPT_F("--syslog", &o.syslog),
	OPT_F("--daemon", &o.daemon),
	OPT_SP("--pidfile", &o.pidfile),
	OPT_S("--pre-hook", &o.pre_hook),
	OPT_S("--post-hook", &o.post_hook),
	OPT_P("--interval", &o.interval_ms, parse_hours,
	    "--interval wants hours, e.g. 6 or 0.5"),
	OPT_N("--bwlimit", &o.bwlimit, OPT_U64, 1, 100000000, 1000,
	    "--bwlimit wants kilobytes per second, 1..100000000"),
	OPT_S("--listen", &ui.listen),
	OPT_SP("--ui-cert", &ui.cert),
	OPT_SP("--ui-key", &ui.key),
	OPT_SP("--path", &o.path),
	OPT_L("--include", &o.include),
	OPT_F("--delete", &o.delete_extra),
	OPT_F("--recursive", &o.recursive),
	OPT_F("-R", &o.recursive),
	OPT_N("--keep", &o.keep.last, OPT_UINT, 1, RETAIN_MAX, 0, KEEP_BAD("")),
	OPT_N("--keep-last", &o.keep.last, OPT_UINT, 1, RETAIN_MAX, 0,
	    KEEP_BAD("-last")),
	OPT_N("--keep-hourly", &o.keep.hourly, OPT_UINT, 1, RETAIN_MAX, 0,
	    KEEP_BAD("-hourly")),
	OPT_N("--keep-daily", &o.keep.daily, OPT_UINT, 1, RETAIN_MAX, 0,
	    KEEP_BAD("-daily")),
	OPT_N("--keep-weekly", &o.keep.weekly, OPT_UINT, 1, RETAIN_MAX, 0,
	    KEEP_BAD("-weekly")),
	OPT_N("--keep-monthly", &o.keep.monthly, OPT_UINT, 1, RETAIN_MAX, 0,
	    KEEP_BAD("-monthly")),
	OPT_N("--keep-yearly", &o.keep.yearly, OPT_UINT, 1, RETAIN_MAX, 0,
	    KEEP_BAD("-yearly")),
};

/* The value after the '=' of argv[*i], or after argv[*i] if there is one
 * that is not an option. */
static const char *
operand(int argc, char **argv, int *i)
{
	const char *v = opt_attached();

	if (v != NULL)
		return v;
	if (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0 &&
	    strcmp(argv[*i + 1], "-R") != 0 && strcmp(argv[*i + 1], "-x") != 0)
		return argv[++*i];
	return NULL;
}

/* The commands, whose values say what they act on, and --ui. */
static int
other(int argc, char **argv, int *i)
{
	static const char *const one[] = {	/* one operand, required */
		"--restore", "--remove", "--prune"
	};
	const char *a = argv[*i];
	size_t k;

	for (k = 0; k < sizeof one / sizeof one[0]; k++)
		if (strcmp(a, one[k]) == 0) {
			cmd = one[k];
			o.target = opt_value(argc, argv, i);
			return 1;
		}
	if (strcmp(a, "--list") == 0) {
		cmd = a;
		o.target = operand(argc, argv, i);
	} else if (strcmp(a, "--ls") == 0) {
		cmd = a;
		o.target = opt_value(argc, argv, i);
		o.ls_path = operand(argc, argv, i);
	} else if (strcmp(a, "--find") == 0) {
		cmd = a;
		o.pattern = opt_value(argc, argv, i);
		o.target = operand(argc, argv, i);
	} else if (strcmp(a, "--diff") == 0) {
		cmd = a;
		o.target = opt_value(argc, argv, i);
		o.target2 = operand(argc, argv, i);
	} else if (strcmp(a, "--ui") == 0) {
		cmd = a;
	} else {
		return 0;
	}
	return 1;
}

/* What other() takes, for "did you mean". */
static const char *const words[] = {
	"--restore", "--remove", "--prune", "--list", "--ls", "--find",
	"--diff", "--ui", NULL
};

static const struct opts opts = {
	usage, table, sizeof table / sizeof table[0], other, words
};

static void
bad_usage(const char *what, const char *arg)
{
	opt_usage_error(&opts, what, arg);
}

/* 1 if the command is one of the names in list ("" for a backup). */
static int
cmd_in(const char *const *list, size_t n)
{
	const char *c = cmd != NULL ? cmd : "";
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(c, list[i]) == 0)
			return 1;
	return 0;
}
#define CMD_IN(...) cmd_in((const char *const []){ __VA_ARGS__ }, \
	sizeof (const char *const []){ __VA_ARGS__ } / sizeof (const char *))

/* Options that only some commands take. */
static void
check_combinations(void)
{
	const char *c = cmd != NULL ? cmd : "a backup";
	int backup = cmd == NULL;

	if (o.source != NULL && !backup && !CMD_IN("--list"))
		bad_usage("--source does not go with ", cmd);
	if (o.source != NULL && o.target != NULL && CMD_IN("--list"))
		bad_usage("--list takes ID or --source DIR, not both", NULL);
	if (backup && o.source == NULL)
		bad_usage("--source DIR (or a command: --list, --ls, --find, "
		    "--diff, --restore, --remove, --prune) is required", NULL);
	if ((o.exclude.n || o.exclude_from.n || o.exclude_caches ||
	    o.pre_hook || o.post_hook || o.extensions) && !backup)
		bad_usage("--extensions, --exclude*, --pre-hook and "
		    "--post-hook go with a backup, not ", cmd);
	if ((o.path || o.include.n || o.delete_extra) &&
	    !CMD_IN("--restore"))
		bad_usage("--path, --include and --delete go with --restore, "
		    "not ", c);
	if (o.dry_run && !CMD_IN("", "--restore", "--remove", "--prune"))
		bad_usage("--dry-run goes with a backup, --restore, --remove "
		    "or --prune, not ", c);
	if (o.recursive && !CMD_IN("--ls"))
		bad_usage("-R goes with --ls, not ", c);
	if (retention_any(&o.keep) && !CMD_IN("", "--prune"))
		bad_usage("--keep-* go with a backup or --prune, not ", c);
	if (CMD_IN("--prune") && !retention_any(&o.keep))
		bad_usage("--prune needs a policy: --keep-last N, "
		    "--keep-daily N, ...", NULL);
	if ((o.interval_ms || o.daemon) && !backup)
		bad_usage("--interval and --daemon go with a backup, not ",
		    cmd);
	if (o.daemon && o.interval_ms == 0)
		bad_usage("--daemon needs --interval", NULL);
	if (o.pidfile != NULL && !o.daemon)
		bad_usage("--pidfile goes with --daemon", NULL);
	if (o.dry_run && o.interval_ms)
		bad_usage("--dry-run does not go with --interval", NULL);
}

/* --ui's options: only with it; --ui takes the rest from the --config
 * file, which may be a daemon's (so nothing else is checked). */
static void
check_ui(void)
{
	int is_ui = cmd != NULL && strcmp(cmd, "--ui") == 0;

	if (!is_ui && (ui.listen || ui.cert || ui.key))
		bad_usage("--listen, --ui-cert and --ui-key go with --ui", NULL);
	if (is_ui && !CAIRN_UI)
		die(EXIT_USAGE, "this cairn was built without the web UI "
		    "(--ui)");
	if (is_ui && (ui.cert != NULL) != (ui.key != NULL))
		bad_usage("--ui-cert and --ui-key go together", NULL);
}

/* Each command's function. */
static const struct {
	const char *name;
	int (*run)(const struct copts *o);
} commands[] = {
	{ "--list", list_run }, { "--ls", ls_run }, { "--find", find_run },
	{ "--diff", diff_run }, { "--restore", restore_run },
	{ "--remove", remove_run }, { "--prune", prune_run },
};

#define SAVED_ARGS 256		/* arguments client_reload() can read again */
#define SAVED_TEXT 16384	/* ... and their bytes */

static int saved_argc;		/* 0: too many to keep */
static char *saved_argv[SAVED_ARGS + 1];
static char saved_text[SAVED_TEXT];

/* Keep a copy of argv for client_reload(): opts_read() splits it. */
static void
save_args(int argc, char **argv)
{
	size_t used = 0, n;
	int i;

	saved_argc = 0;
	if (argc > SAVED_ARGS)
		return;
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]) + 1;
		if (n > sizeof saved_text - used)
			return;
		memcpy(saved_text + used, argv[i], n);
		saved_argv[i] = saved_text + used;
		used += n;
	}
	saved_argv[argc] = NULL;
	saved_argc = argc;
}

/* The options as main() starts from them: nothing from an earlier run
 * of client_main() in this process stays. */
static void
defaults(void)
{
	memset(&o, 0, sizeof o);
	memset(&ui, 0, sizeof ui);
	cmd = NULL;
	log_quiet = log_syslog = 0;
	o.port = CAIRN_PORT;
	o.timeout_ms = 60000;
}

/* 1 for --ui with a --config file that does not exist yet: the page
 * writes it, so there is nothing to read. */
static int
ui_new_config(int argc, char **argv, const char *cf)
{
	int i, fd;

	if (!CAIRN_UI || cf == NULL)
		return 0;
	for (i = 1; i < argc && strcmp(argv[i], "--ui") != 0; i++)
		;
	if (i == argc)
		return 0;
	if ((fd = port_open_read(cf)) >= 0) {
		port_close(fd);
		return 0;
	}
	return errno == ENOENT;
}

/* argv without its --config F (or --config=F): the new argc. */
static int
drop_config(int argc, char **argv)
{
	int i, k = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			i++;
		else if (strncmp(argv[i], "--config=", 9) != 0)
			argv[k++] = argv[i];
	}
	argv[k] = NULL;
	return k;
}

int
client_main(int argc, char **argv, const struct report *chosen)
{
	size_t i;

	const char *cf = config_arg(argc, argv);

	progname = "cairn";
	defaults();
	save_args(argc, argv);
	if (ui_new_config(argc, argv, cf))
		argc = drop_config(argc, argv);
	opts_read(&opts, argc, argv);
	check_ui();
	if (cmd != NULL && strcmp(cmd, "--ui") == 0) {
		ui.config = cf;
		ui.state = o.state;
		return ui_run(&ui);
	}
	if (o.server == NULL)
		bad_usage("--server HOST is required", NULL);
	check_combinations();
	if (o.server_name == NULL)
		o.server_name = o.server;
	cert_defaults(&o);
	o.report = chosen;
	port_ignore_sigpipe();
	if (o.syslog) {
		port_syslog_open("cairn");
		log_syslog = 1;
	}
	if (cmd == NULL)
		return o.interval_ms ? periodic_run(&o) :
		    hooks_backup(&o, NULL, NULL);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(&o);
	BUG("unknown command");
	return EXIT_USAGE;
}

/* Read the saved arguments into the options, checked as at the start
 * (from a copy: opts_read splits what it reads, and the options point
 * into it until the next reread). */
static void
reread(void)
{
	static char *argv[SAVED_ARGS + 1];
	static char text[SAVED_TEXT];
	const struct report *chosen = o.report;
	int daemon = o.daemon, syslog = log_syslog, i;

	memcpy(text, saved_text, sizeof text);
	for (i = 0; i <= saved_argc; i++)
		argv[i] = saved_argv[i] != NULL ? text + (saved_argv[i] -
		    saved_text) : NULL;
	defaults();
	opts_read(&opts, saved_argc, argv);
	check_combinations();
	if (o.server == NULL)
		bad_usage("--server HOST is required", NULL);
	if (o.server_name == NULL)
		o.server_name = o.server;
	cert_defaults(&o);
	o.report = chosen;
	o.daemon = daemon;	/* detached once, whatever the file says now */
	log_syslog = syslog;	/* and its log opened once */
}

int
client_reload(void)
{
	long pid;
	int rc;

	if (saved_argc == 0) {
		msg("cannot read the options again: too many to keep");
		return -1;
	}
	if ((pid = port_fork()) < 0) {
		msg("cannot read the options again: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		reread();	/* exits 2 on a bad file */
		exit(0);
	}
	while ((rc = port_waitpid(pid)) < 0 && errno == EINTR)
		;
	if (rc != 0) {
		msg("the new configuration does not read (see above): "
		    "going on with the old one");
		return -1;
	}
	reread();
	return 0;
}

int
main(int argc, char **argv)
{
	return client_main(argc, argv, NULL);
}
