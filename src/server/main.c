/*
 * main.c — cairnd, the backup server: options, the listening socket,
 * and one process per client connection (at most --max-clients).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "keypass.h"
#include "port.h"
#include "session.h"
#include "store_fs.h"
#include "tls.h"
#include "util.h"

#define CHILDREN_MAX 1024
#define REFUSERS_MAX 4		/* children telling clients "busy" at once */

/* Everything the options say. */
struct sopts {
	const char *host, *dir, *cert, *key, *ca, *pidfile;
	uint64_t port, max_clients, max_host;
	int daemon, syslog;
	struct server_opts o;
};

/* Two configurations: SIGHUP loads the idle one and, if it loads, makes
 * it the current one. */
static struct tls_conf confs[2];
static struct tls_conf *conf = &confs[0];
static volatile sig_atomic_t stopping, reloading;

/* The processes serving connections, and whom. */
static struct child {
	long pid;
	int refuser;
	char host[64];
} kids[CHILDREN_MAX + REFUSERS_MAX];
static unsigned nkids;

static const char usage[] =
"usage: cairnd [options]\n"
"\n"
"Accept backups from cairn clients over mutually authenticated TLS and\n"
"keep them as versioned snapshots under DIR/<client>/<id>/<snapshot>/.\n"
"\n"
"  --host ADDR          numeric address to listen on (default 127.0.0.1;\n"
"                       0.0.0.0 or :: for every interface)\n"
"  --port N             TCP port (default " CAIRN_STR(CAIRN_PORT) ")\n"
"  --dir DIR            store directory (default backup)\n"
"  --cert F             server certificate chain (default certs/server_cert.pem)\n"
"  --key F              server private key (default certs/server_key.pem)\n"
"  --ca F               CA that signs client certificates\n"
"                       (default certs/ca_cert.pem)\n"
"  --key-pass-file F    pass phrase of an encrypted key, first line of F\n"
"                       (else $CAIRN_KEY_PASS, else asked on the terminal)\n"
"  --max-clients N      connections served at once (default 16); more\n"
"                       are told the server is busy\n"
"  --max-per-host N     connections from one address at once (default:\n"
"                       half of --max-clients, at least 2)\n"
"  --handshake-timeout S  seconds for a TLS handshake (default 10)\n"
"  --idle-timeout S     seconds a session may stay silent (default 60)\n"
"  --quota BYTES        disk space each client may use (suffix K, M, G, T\n"
"                       for powers of 1024; default: no limit)\n"
"  --daemon             detach from the terminal once listening\n"
"  --pidfile F          with --daemon: write the process id to F\n"
"  --syslog             log to syslog instead of standard error\n"
"  --config F           read options from F: \"key value\" lines, keys\n"
"                       being the long option names (flags win over it)\n"
"  --quiet              log only errors\n"
"  --version            print the version and exit\n"
"  --help               print this help and exit\n"
"\n"
"A client's name is its certificate's common name; it sees only its own\n"
"backups. SIGHUP re-reads the certificates; SIGTERM stops accepting.\n"
"Exit status: 0 stopped by a signal, 2 usage or configuration error,\n"
"3 cannot listen.\n";

/* A size: digits, then K, M, G or T (powers of 1024). 0 or -1. */
static int
parse_size(const char *s, uint64_t *v)
{
	char num[24];
	size_t n = strlen(s);
	unsigned shift = 0;

	if (n == 0 || n >= sizeof num)
		return -1;
	switch (s[n - 1]) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	case 'T': case 't': shift = 40; break;
	}
	memcpy(num, s, n + 1);
	if (shift)
		num[n - 1] = 0;
	if (parse_u64(num, 1, UINT64_MAX >> shift, v) < 0)
		return -1;
	*v <<= shift;
	return 0;
}

/* The address part of "address:port". */
static void
host_of(const char *peer, char *host, size_t cap)
{
	const char *colon = strrchr(peer, ':');
	size_t n = colon != NULL ? (size_t)(colon - peer) : strlen(peer);

	if (n >= cap)
		n = cap - 1;
	memcpy(host, peer, n);
	host[n] = 0;
}

/* Forget the children that have ended. */
static void
reap(void)
{
	unsigned i;
	long pid;

	while ((pid = port_reap(NULL)) > 0)
		for (i = 0; i < nkids; i++)
			if (kids[i].pid == pid) {
				kids[i] = kids[--nkids];
				break;
			}
}

/* Count serving children, all and from host; and refusers. */
static void
count_kids(const char *host, unsigned *all, unsigned *same, unsigned *ref)
{
	unsigned i;

	*all = *same = *ref = 0;
	for (i = 0; i < nkids; i++) {
		if (kids[i].refuser) {
			(*ref)++;
			continue;
		}
		(*all)++;
		if (strcmp(kids[i].host, host) == 0)
			(*same)++;
	}
}

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
on_hup(int sig)
{
	(void)sig;
	reloading = 1;
}

/* SIGHUP: read the certificates, key and CA again; keep the old ones if
 * the new do not load. Sessions already running keep theirs. */
static void
reload(const struct sopts *so)
{
	struct tls_conf *next = conf == &confs[0] ? &confs[1] : &confs[0];

	if (tls_conf_load(next, so->cert, so->key, so->ca,
	    keypass_unlock) < 0) {
		msg("SIGHUP: the new certificates did not load; still using "
		    "the old ones");
		return;
	}
	tls_conf_wipe(conf);
	conf = next;
	info("SIGHUP: certificates reloaded");
}

static void
on_child(int sig)
{
	(void)sig;	/* only to interrupt poll() */
}

static const char *
need_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		die(EXIT_USAGE, "%s needs a value (see --help)", argv[*i]);
	return argv[++*i];
}


/* Options from argv[first..argc): the command line, or a --config file
 * turned into arguments (where names it). */
static void
parse(struct sopts *so, int argc, char **argv, int first, const char *where)
{
	uint64_t v;
	int i;

	for (i = first; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			exit(0);
		} else if (strcmp(a, "--version") == 0) {
			printf("cairnd %s\n", CAIRN_VERSION);
			exit(0);
		} else if (strcmp(a, "--config") == 0) {
			if (where != NULL)
				die(EXIT_USAGE, "%s: --config inside a "
				    "configuration file", where);
			need_arg(argc, argv, &i);	/* read already */
		} else if (strcmp(a, "--host") == 0) {
			so->host = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--port") == 0) {
			if (parse_u64(need_arg(argc, argv, &i), 1, 65535,
			    &so->port))
				die(EXIT_USAGE, "--port wants 1..65535");
		} else if (strcmp(a, "--dir") == 0) {
			so->dir = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--cert") == 0) {
			so->cert = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--key") == 0) {
			so->key = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--ca") == 0) {
			so->ca = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--key-pass-file") == 0) {
			keypass_file = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--max-clients") == 0) {
			if (parse_u64(need_arg(argc, argv, &i), 1, 1024,
			    &so->max_clients))
				die(EXIT_USAGE, "--max-clients wants 1..1024");
		} else if (strcmp(a, "--max-per-host") == 0) {
			if (parse_u64(need_arg(argc, argv, &i), 1, 1024,
			    &so->max_host))
				die(EXIT_USAGE, "--max-per-host wants 1..1024");
		} else if (strcmp(a, "--handshake-timeout") == 0) {
			if (parse_u64(need_arg(argc, argv, &i), 1, 3600, &v))
				die(EXIT_USAGE, "--handshake-timeout wants "
				    "1..3600 seconds");
			so->o.handshake_ms = (int)v * 1000;
		} else if (strcmp(a, "--idle-timeout") == 0) {
			if (parse_u64(need_arg(argc, argv, &i), 1, 86400, &v))
				die(EXIT_USAGE, "--idle-timeout wants 1..86400 "
				    "seconds");
			so->o.idle_ms = (int)v * 1000;
		} else if (strcmp(a, "--quota") == 0) {
			if (parse_size(need_arg(argc, argv, &i),
			    &so->o.quota) < 0)
				die(EXIT_USAGE, "--quota wants a size in bytes, "
				    "e.g. 500M or 20G");
		} else if (strcmp(a, "--daemon") == 0) {
			so->daemon = 1;
		} else if (strcmp(a, "--pidfile") == 0) {
			so->pidfile = need_arg(argc, argv, &i);
		} else if (strcmp(a, "--syslog") == 0) {
			so->syslog = 1;
		} else if (strcmp(a, "--quiet") == 0) {
			log_quiet = 1;
		} else if (where != NULL) {
			die(EXIT_USAGE, "%s: unknown setting \"%s\"", where,
			    a + 2);
		} else {
			fprintf(stderr, "cairnd: unknown option %s\n\n%s", a,
			    usage);
			exit(EXIT_USAGE);
		}
	}
}

int
main(int argc, char **argv)
{
	static struct config cf;
	static struct sopts so;
	static struct store_fs fs;
	struct server_opts o;
	const char *host, *dir, *cert, *key, *ca, *cfile;
	uint64_t port, max_clients, max_host;
	unsigned all, same, refusers;
	char peer[80], from[64], why[TLS_WHY_MAX];
	int lfd, fd, status, refuse;
	long pid;

	progname = "cairnd";
	so.host = "127.0.0.1";
	so.dir = "backup";
	so.cert = "certs/server_cert.pem";
	so.key = "certs/server_key.pem";
	so.ca = "certs/ca_cert.pem";
	so.port = CAIRN_PORT;
	so.max_clients = 16;
	so.o.handshake_ms = 10000;
	so.o.idle_ms = 60000;
	/* The configuration file first, so that flags override it. */
	cfile = config_arg(argc, argv);
	if (cfile != NULL) {
		if (config_read(&cf, cfile) < 0)
			return EXIT_USAGE;
		parse(&so, cf.argc, cf.argv, 0, cfile);
	}
	parse(&so, argc, argv, 1, NULL);
	host = so.host;
	dir = so.dir;
	cert = so.cert;
	key = so.key;
	ca = so.ca;
	port = so.port;
	max_clients = so.max_clients;
	max_host = so.max_host;
	o = so.o;
	if (so.syslog) {
		port_syslog_open("cairnd");
		log_syslog = 1;
	}
	if (so.pidfile != NULL && !so.daemon)
		die(EXIT_USAGE, "--pidfile goes with --daemon");

	if (tls_conf_load(conf, cert, key, ca, keypass_unlock) < 0)
		die(EXIT_USAGE, "cannot load the server's certificates "
		    "(make them with tools/gen-certs.sh)");
	if (store_fs_init(&fs, dir, o.quota, why, sizeof why) < 0)
		die(EXIT_USAGE, "%s", why);
	o.store = &fs.vtable;
	if (max_host == 0)
		max_host = max_clients / 2 < 2 ? 2 : max_clients / 2;

	lfd = port_tcp_listen(host, (unsigned)port, 64);
	if (lfd < 0 && errno == EINVAL)
		die(EXIT_USAGE, "--host wants a numeric address such as "
		    "0.0.0.0, 127.0.0.1 or ::, not %s", host);
	if (lfd < 0)
		die(EXIT_NET, "cannot listen on %s:%u: %s", host,
		    (unsigned)port, strerror(errno));
	port_ignore_sigpipe();
	port_signal(SIGTERM, on_stop);
	port_signal(SIGINT, on_stop);
	port_signal(SIGCHLD, on_child);
	port_signal(SIGHUP, on_hup);
	info("listening on %s:%u, store %s", host, (unsigned)port, dir);
	if (so.daemon) {
		if (port_daemonize() < 0)
			die(EXIT_USAGE, "cannot detach from the terminal: %s",
			    strerror(errno));
		if (so.pidfile != NULL &&
		    write_pidfile(so.pidfile, port_getpid()) < 0)
			die(EXIT_USAGE, "cannot write the pid file %s: %s",
			    so.pidfile, strerror(errno));
	}

	while (!stopping) {
		reap();
		if (reloading) {
			reloading = 0;
			reload(&so);
		}
		if (port_wait_readable(lfd, 1000) <= 0)
			continue;
		fd = port_tcp_accept(lfd, peer, sizeof peer);
		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				msg("accept: %s", strerror(errno));
			continue;
		}
		reap();
		host_of(peer, from, sizeof from);
		count_kids(from, &all, &same, &refusers);
		refuse = all >= max_clients || same >= max_host;
		if (refuse && refusers >= REFUSERS_MAX) {
			/* Too busy even to say so. */
			port_close(fd);
			continue;
		}
		if (refuse)
			snprintf(why, sizeof why, "the server is busy (%s): try "
			    "again later", all >= max_clients ?
			    "all connections in use" :
			    "too many connections from this address");
		pid = port_fork();
		if (pid < 0) {
			msg("%s: cannot fork: %s", peer, strerror(errno));
			port_close(fd);
			continue;
		}
		if (pid == 0) {
			port_close(lfd);
			port_signal(SIGTERM, SIG_DFL);
			port_signal(SIGINT, SIG_DFL);
			status = refuse ? session_refuse(fd, peer, conf, &o, why) :
			    session_run(fd, peer, conf, &o);
			tls_conf_wipe(conf);
			port_linger_close(fd, 2000);
			exit(status);
		}
		kids[nkids].pid = pid;
		kids[nkids].refuser = refuse;
		memcpy(kids[nkids].host, from, sizeof from);
		nkids++;
		port_close(fd);
	}
	info("stopping");
	if (so.pidfile != NULL)
		port_unlink(so.pidfile);
	tls_conf_wipe(conf);
	return 0;
}
