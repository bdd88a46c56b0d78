/*
 * main.c — cairnd, the backup server: options, the listening socket,
 * and the limits on whom the serve loop serves (one process per
 * connection): at most --max-clients authenticated clients, and apart
 * from them at most --max-handshakes connections still in their
 * handshake, the oldest staller dropped to make room.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "keypass.h"
#include "migrate.h"
#include "opts.h"
#include "port.h"
#include "s3.h"
#include "serve.h"
#include "session.h"
#include "store_fs.h"
#include "store_s3.h"
#include "tls.h"
#include "util.h"

#define CLIENTS_MAX 1024	/* the most --max-clients may say */
#define HANDSHAKES_MAX 256	/* the most --max-handshakes may say */
#define REFUSERS_MAX 4		/* children telling clients "busy" at once */

/* Served, in their handshake, refusing, and one just accepted. */
#if CLIENTS_MAX + HANDSHAKES_MAX + REFUSERS_MAX + 1 > SERVE_SLOTS_MAX
#error "the serve loop has too few slots for the most the limits allow"
#endif

enum { BUSY_ALL = 1, BUSY_HOST };	/* why a client is told "busy" */

/* Everything the options say. */
static struct sopts {
	const char *host, *dir, *cert, *key, *ca, *pidfile;
	const char *deny;		/* --deny */
	const char *append_file;	/* --append-only-clients */
	const char *prune;		/* --prune CLIENT/ID */
	unsigned keep;			/* its --keep */
	uint64_t port, max_clients, max_host, max_hs, max_hs_host;
	int daemon, syslog;
	int check;			/* --check */
	int migrate;			/* --migrate */
	struct check_opts chk;
	struct server_opts o;
	const char *store;		/* --store: "dir" or "s3" */
	const char *s3_credentials;	/* --s3-credentials */
	struct s3_conf s3;		/* --s3-* */
	const char *s3_spool;		/* --s3-spool */
	uint64_t s3_lease;		/* --s3-lease */
} so = {
	.host = "127.0.0.1",
	.dir = "backup",
	.cert = "certs/server_cert.pem",
	.key = "certs/server_key.pem",
	.ca = "certs/ca_cert.pem",
	.port = CAIRN_PORT,
	.max_clients = 16,
	.max_hs = 32,
	.o = { .handshake_ms = 10000, .idle_ms = 60000 },
};

/* Two configurations, each with its deny list: SIGHUP loads the idle one
 * and, if it loads, makes it the current one. */
static struct tls_conf confs[2];
static struct tls_deny denies[2];
static struct tls_conf *conf = &confs[0];
static struct names append_list;	/* --append-only-clients */

/* The certificates, key, CA and deny list into confs[i]. 0 or -1. */
static int
load_conf(unsigned i)
{
	if (tls_conf_load(&confs[i], so.cert, so.key, so.ca,
	    keypass_unlock) < 0)
		return -1;
	if (so.deny != NULL) {
		if (tls_deny_load(&denies[i], so.deny) < 0) {
			tls_conf_wipe(&confs[i]);
			return -1;
		}
		confs[i].deny = &denies[i];
	}
	return 0;
}

/* What the serve loop's callbacks need. */
static struct server {
	const struct server_opts *o;
	char why[TLS_WHY_MAX];		/* for a refuser: the reason */
} srv;

static const char usage[] =
"usage: cairnd [options]\n"
"       cairnd --check [--read-data] [--stale DURATION] [CLIENT[/ID]]\n"
"              [--dir DIR]\n"
"       cairnd --prune CLIENT/ID --keep N [--dir DIR]\n"
"       cairnd --migrate --dir DIR --store s3 --s3-endpoint URL --s3-bucket B ...\n"
"\n"
"Accept backups from cairn clients over mutually authenticated TLS and\n"
"keep them as versioned snapshots under DIR/<client>/<id>/<snapshot>/.\n"
"\n"
"  --host ADDR\tnumeric address to listen on (default 127.0.0.1;\n"
"\t0.0.0.0 or :: for every interface)\n"
"  --port N\tTCP port (default " CAIRN_STR(CAIRN_PORT) ")\n"
"  --dir DIR\tstore directory (default backup)\n"
"  --cert F\tserver certificate chain (default certs/server_cert.pem)\n"
"  --key F\tserver private key (default certs/server_key.pem)\n"
"  --ca F\tCA that signs client certificates\n"
"\t(default certs/ca_cert.pem)\n"
"  --key-pass-file F\tpass phrase of an encrypted key, first line of F\n"
"\t(else $CAIRN_KEY_PASS, else asked on the terminal)\n"
"  --append-only\tclients may back up, list and restore, but not\n"
"\tremove or prune (--keep) their backups\n"
"  --append-only-clients F  the same for the clients named in F, one a line\n"
"  --deny F\trefuse the client certificates listed in F: SHA-256\n"
"\tfingerprints or serial=HEX, one a line (re-read on\n"
"\tSIGHUP)\n"
"  --max-clients N\tclients served at once (default 16); more are\n"
"\ttold the server is busy\n"
"  --max-per-host N\tclients served from one address at once\n"
"\t(default: half of --max-clients, at least 2)\n"
"  --max-handshakes N\tconnections in their TLS handshake at once, apart\n"
"\tfrom the clients served (default 32); when full,\n"
"\tthe oldest is dropped to make room\n"
"  --max-handshakes-per-host N  the same from one address (default: half\n"
"\tof --max-handshakes, at least 2)\n"
"  --handshake-timeout S  seconds for a TLS handshake (default 10)\n"
"  --idle-timeout S\tseconds a session may stay silent (default 60)\n"
"  --store dir|s3\twhere backups are kept: under --dir (the default)\n"
"\tor in an S3 bucket (the --s3-* options)\n"
"  --s3-endpoint URL\thttp://HOST[:PORT] or https://... of the object store\n"
"  --s3-bucket NAME\tthe bucket (path-style addressing)\n"
"  --s3-prefix P\tkeys begin with P/ in the bucket (default: none)\n"
"  --s3-region R\tthe region signed for (default us-east-1)\n"
"  --s3-ca F\twith https: the CAs the endpoint's certificate\n"
"\tmust chain to (PEM, RSA or EC)\n"
"  --s3-credentials F\tACCESS_KEY:SECRET_KEY on one line of F, mode 0600\n"
"\t(else $CAIRN_S3_ACCESS_KEY and $CAIRN_S3_SECRET_KEY)\n"
"  --s3-spool DIR      local room for the file being received and the\n"
"\tmanifests being read (default /tmp)\n"
"  --s3-lease S\tseconds a run's lock on the bucket lives unrenewed:\n"
"\ta killed cairnd's run blocks its backup this long\n"
"\t(default 60)\n"
"  --quota BYTES\tspace each client may use, on disk or in the bucket\n"
"\t(suffix K, M, G, T for powers of 1024; default: no\n"
"\tlimit)\n"
"  --daemon\tdetach from the terminal once listening\n"
"  --pidfile F\twith --daemon: write the process id to F\n"
"  --syslog\tlog to syslog instead of standard error\n"
"  --config F\tread options from F: \"key value\" lines, keys\n"
"\tbeing the long option names (flags win over it)\n"
"  --quiet\tlog only errors\n"
"  --check\tcheck the store instead of serving: every snapshot\n"
"\t(or CLIENT's, or CLIENT/ID's) against its manifest,\n"
"\tone line per problem and one per snapshot\n"
"  --read-data\twith --check: read every file and compare its MD5\n"
"  --stale DURATION\twith --check: list the backups whose newest snapshot\n"
"\tis older (90s, 30m, 26h, 7d)\n"
"  --prune CLIENT/ID\tremove all but the newest --keep N snapshots of\n"
"\tthat backup, then exit\n"
"  --migrate\tcopy every client's backups and snapshots from the\n"
"\tlocal store under --dir to the --store s3 bucket,\n"
"\teach file checked by MD5, then exit; run it again\n"
"\tto go on after an interruption (--dir is only read)\n"
"  --version\tprint the version and exit\n"
"  --help\tprint this help and exit\n"
"\n"
"A client's name is its certificate's common name; it sees only its own\n"
"backups. SIGHUP re-reads the certificates and the deny list; SIGTERM\n"
"stops accepting.\n"
"Exit status: 0 stopped by a signal, 2 usage or configuration error,\n"
"3 cannot listen; with --check, 0 clean, 1 problems or stale backups.\n";

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

/* SIGHUP: read the certificates, key and CA again; keep the old ones if
 * the new do not load. Sessions already running keep theirs. */
static void
reload(struct serve *sv)
{
	unsigned i = conf == &confs[0] ? 1 : 0;
	struct tls_conf *next = &confs[i];

	if (load_conf(i) < 0) {
		msg("SIGHUP: the new certificates or deny list did not load; "
		    "still using the old ones");
		return;
	}
	tls_conf_wipe(conf);
	conf = next;
	info("SIGHUP: certificates reloaded");
}

/* The words for BUSY_ALL or BUSY_HOST. */
static const char *
busy_why(int why)
{
	return why == BUSY_HOST ? "the server is busy (too many connections "
	    "from this address): try again later" : "the server is busy (all "
	    "connections in use): try again later";
}

/* Whether one more client may be served where c counts: 0, or BUSY_ALL
 * (--max-clients) or BUSY_HOST (--max-per-host). Only authenticated
 * clients count. */
static int
over_limit(const struct serve_counts *c)
{
	if (c->all - c->unauth >= so.max_clients)
		return BUSY_ALL;
	if (c->host - c->unauth_host >= so.max_host)
		return BUSY_HOST;
	return 0;
}

/* A handshake slot for s: when --max-handshakes are in their handshake,
 * or --max-handshakes-per-host from its address, the staller picked by
 * serve_staller() is dropped. */
static void
make_room(struct serve *sv, struct serve_slot *s, const struct serve_counts *c)
{
	struct serve_slot *v;
	int all = c->unauth >= so.max_hs;

	if (!all && c->unauth_host < so.max_hs_host)
		return;
	if ((v = serve_staller(sv, s->peer)) == NULL)
		return;
	info("%s: dropped, %lu ms without a handshake: the handshake slots "
	    "are full (%s)", v->peer, (unsigned long)(port_ms() - v->born),
	    all ? "all in use" : "too many from this address");
	serve_drop(sv, v);
}

/*
 * A new connection: it gets a handshake slot unless the clients served
 * are at a limit; then it is told the server is busy, by at most
 * REFUSERS_MAX children at once; beyond that, closed.
 */
static int
admit(struct serve *sv, struct serve_slot *s, const struct serve_counts *c)
{
	struct server *x = sv->ctx;
	int why = over_limit(c);

	if (why == 0) {
		make_room(sv, s, c);
		return SERVE_SERVE;
	}
	if (c->refusers >= REFUSERS_MAX)
		return SERVE_DROP;	/* too busy even to say so */
	snprintf(x->why, sizeof x->why, "%s", busy_why(why));
	return SERVE_REFUSE;
}

/* A child's client has authenticated: served within the limits, else
 * refused (the child says why in busy_why's words). */
static int
authenticated(struct serve *sv, struct serve_slot *s,
    const struct serve_counts *c)
{
	return over_limit(c);
}

/* In the child: one session, or one refusal. */
static int
child(struct serve *sv, struct serve_slot *s, int fd)
{
	struct server *x = sv->ctx;
	int status;

	status = s->refuser ? session_refuse(fd, s->peer, conf, x->o, x->why) :
	    session_run(fd, s->peer, conf, x->o);
	tls_conf_wipe(conf);
	port_linger_close(fd, 2000);
	return status;
}

static const struct serve_class serve_vt = {
	admit, child, NULL, NULL, NULL, reload, authenticated, NULL
};

/* --s3-lease: seconds, 4 .. 3600. */
static int
parse_lease(const char *s, uint64_t *v)
{
	return parse_u64(s, 4, 3600, v);
}

static const struct opt table[] = {
	OPT_S("--host", &so.host),
	OPT_N("--port", &so.port, OPT_U64, 1, 65535, 0,
	    "--port wants 1..65535"),
	OPT_SP("--dir", &so.dir),
	OPT_SP("--cert", &so.cert),
	OPT_SP("--key", &so.key),
	OPT_SP("--ca", &so.ca),
	OPT_SP("--key-pass-file", &keypass_file),
	OPT_SP("--deny", &so.deny),
	OPT_F("--append-only", &so.o.append_all),
	OPT_SP("--append-only-clients", &so.append_file),
	OPT_S("--prune", &so.prune),
	OPT_N("--keep", &so.keep, OPT_UINT, 1, 1000000, 0,
	    "--keep wants a number of snapshots, 1..1000000"),
	OPT_N("--max-clients", &so.max_clients, OPT_U64, 1, CLIENTS_MAX, 0,
	    "--max-clients wants 1..1024"),
	OPT_N("--max-per-host", &so.max_host, OPT_U64, 1, CLIENTS_MAX, 0,
	    "--max-per-host wants 1..1024"),
	OPT_N("--max-handshakes", &so.max_hs, OPT_U64, 1, HANDSHAKES_MAX, 0,
	    "--max-handshakes wants 1..256"),
	OPT_N("--max-handshakes-per-host", &so.max_hs_host, OPT_U64, 1,
	    HANDSHAKES_MAX, 0, "--max-handshakes-per-host wants 1..256"),
	OPT_N("--handshake-timeout", &so.o.handshake_ms, OPT_INT, 1, 3600, 1000,
	    "--handshake-timeout wants 1..3600 seconds"),
	OPT_N("--idle-timeout", &so.o.idle_ms, OPT_INT, 1, 86400, 1000,
	    "--idle-timeout wants 1..86400 seconds"),
	OPT_P("--quota", &so.o.quota, parse_size,
	    "--quota wants a size in bytes, e.g. 500M or 20G"),
	OPT_F("--daemon", &so.daemon),
	OPT_SP("--pidfile", &so.pidfile),
	OPT_F("--syslog", &so.syslog),
	OPT_F("--quiet", &log_quiet),
	OPT_F("--check", &so.check),
	OPT_F("--migrate", &so.migrate),
	OPT_F("--read-data", &so.chk.read_data),
	OPT_P("--stale", &so.chk.stale_s, parse_duration,
	    "--stale wants a duration such as 90s, 30m, 26h or 7d"),
	OPT_S("--store", &so.store),
	OPT_S("--s3-endpoint", &so.s3.endpoint),
	OPT_S("--s3-bucket", &so.s3.bucket),
	OPT_S("--s3-prefix", &so.s3.prefix),
	OPT_S("--s3-region", &so.s3.region),
	OPT_SP("--s3-ca", &so.s3.ca_file),
	OPT_SP("--s3-credentials", &so.s3_credentials),
	OPT_SP("--s3-spool", &so.s3_spool),
	OPT_P("--s3-lease", &so.s3_lease, parse_lease,
	    "--s3-lease wants seconds, 4 to 3600"),
};

/* ACCESS:SECRET from the first line of path that is not blank or a '#'
 * comment, into out[cap] (split at the colon); the file must be the
 * owner's alone (mode 0600 or stricter). 0, or -1 with why. */
static int
s3_read_credentials(const char *path, char *out, size_t cap,
    char *why, size_t wcap)
{
	struct port_stat st;
	char *line, *end, *next, *colon;
	long n;
	int fd;

	if ((fd = port_open_read(path)) < 0 || port_fstat(fd, &st) < 0) {
		snprintf(why, wcap, "cannot open %s: %s", path, strerror(errno));
		if (fd >= 0)
			port_close(fd);
		return -1;
	}
	if (st.mode & 077) {
		port_close(fd);
		snprintf(why, wcap, "%s may be read by others (mode %03o): it "
		    "holds a secret key, chmod 600 it", path,
		    (unsigned)(st.mode & 0777));
		return -1;
	}
	n = port_read_full(fd, out, cap - 1);
	port_close(fd);
	if (n < 0 || (size_t)n == cap - 1) {
		snprintf(why, wcap, "%s: %s", path, n < 0 ? strerror(errno) :
		    "too large");
		return -1;
	}
	out[n] = 0;
	for (line = out; *line; line = next) {
		end = line + strcspn(line, "\n");
		next = *end ? end + 1 : end;
		*end = 0;
		if (end > line && end[-1] == '\r')
			end[-1] = 0;
		if (line[strspn(line, " \t")] == 0 || line[0] == '#')
			continue;
		if ((colon = strchr(line, ':')) == NULL || colon == line ||
		    colon[1] == 0)
			break;
		*colon = 0;
		memmove(out, line, strlen(line) + 1);
		so.s3.access_key = out;
		so.s3.secret_key = out + strlen(out) + 1;
		memmove(out + strlen(out) + 1, colon + 1, strlen(colon + 1) + 1);
		return 0;
	}
	snprintf(why, wcap, "%s holds no ACCESS_KEY:SECRET_KEY line", path);
	return -1;
}

/*
 * Fill so.s3 from the --store and --s3-* options: 1 for --store s3
 * (credentials from --s3-credentials, else the environment), 0 for the
 * local store. Exits 2 in words on a contradiction, a missing option, a
 * credentials file others may read, or --store s3 in a build without it.
 */
static int
s3_options(void)
{
	static char cred[2 * S3_CRED_MAX + 8];
	static char prefix[S3_PREFIX_MAX + 2];
	char why[MSG_MAX + 1];
	int s3 = so.store != NULL && strcmp(so.store, "s3") == 0;
	int any = so.s3.endpoint || so.s3.bucket || so.s3.prefix ||
	    so.s3.region || so.s3.ca_file || so.s3_credentials;

	if (so.store != NULL && !s3 && strcmp(so.store, "dir") != 0)
		die(EXIT_USAGE, "--store wants dir or s3, not %s", so.store);
	if (!CAIRN_S3 && (s3 || any))
		die(EXIT_USAGE, "this cairnd was built without the S3 object "
		    "store (CAIRN_S3=0): --store s3 and --s3-* are not here");
	if (!s3) {
		if (any)
			die(EXIT_USAGE, "the --s3-* options go with --store s3");
		return 0;
	}
	if (so.s3.endpoint == NULL || so.s3.bucket == NULL)
		die(EXIT_USAGE, "--store s3 needs --s3-endpoint and --s3-bucket");
	if (so.s3_credentials != NULL) {
		if (s3_read_credentials(so.s3_credentials, cred, sizeof cred,
		    why, sizeof why) < 0)
			die(EXIT_USAGE, "--s3-credentials: %s", why);
	} else {
		so.s3.access_key = getenv("CAIRN_S3_ACCESS_KEY");
		so.s3.secret_key = getenv("CAIRN_S3_SECRET_KEY");
		if (so.s3.access_key == NULL || so.s3.secret_key == NULL)
			die(EXIT_USAGE, "--store s3 needs --s3-credentials FILE or "
			    "CAIRN_S3_ACCESS_KEY and CAIRN_S3_SECRET_KEY");
	}
	if (so.s3.prefix != NULL && so.s3.prefix[0] != 0 &&
	    so.s3.prefix[strlen(so.s3.prefix) - 1] != '/') {
		if (strlen(so.s3.prefix) >= S3_PREFIX_MAX)
			die(EXIT_USAGE, "--s3-prefix is too long");
		snprintf(prefix, sizeof prefix, "%s/", so.s3.prefix);
		so.s3.prefix = prefix;
	}
	return 1;
}

/* CLIENT[/ID], the one argument that is not an option (with --check). */
static int
what_to_check(int argc, char **argv, int *i)
{
	static char client[CLIENT_MAX + ID_LEN + 2];
	char *slash;

	(void)argc;
	if (argv[*i][0] == '-' || so.chk.client != NULL ||
	    strlen(argv[*i]) >= sizeof client)
		return 0;
	memcpy(client, argv[*i], strlen(argv[*i]) + 1);
	if ((slash = strchr(client, '/')) != NULL) {
		*slash = 0;
		so.chk.id = slash + 1;
	}
	so.chk.client = client;
	return 1;
}

static const struct opts opts = {
	usage, table, sizeof table / sizeof table[0], what_to_check, NULL
};

static int use_s3;		/* --store s3 */
static struct store_fs fs;
#if CAIRN_S3
static struct store_s3 s3st;
#endif

/* The store the options chose, opened (dies in words when it cannot be). */
static const store_class **
store_open(const char *dir, uint64_t quota)
{
	char why[MSG_MAX + 1];

	if (!use_s3 && (so.s3_spool != NULL || so.s3_lease > 0))
		die(EXIT_USAGE, "--s3-spool and --s3-lease go with --store s3");
#if CAIRN_S3
	if (use_s3) {
		if (store_s3_init(&s3st, &so.s3, so.s3_spool != NULL ?
		    so.s3_spool : "/tmp", why, sizeof why) < 0)
			die(EXIT_USAGE, "--store s3: %s", why);
		if (so.s3_lease > 0)
			s3st.lease = (unsigned)so.s3_lease;
		s3st.quota = quota;
		return &s3st.vtable;
	}
#endif
	if (store_fs_init(&fs, dir, quota, why, sizeof why) < 0)
		die(EXIT_USAGE, "%s", why);
	return &fs.vtable;
}

/* --migrate: the local store under --dir copied to the bucket. */
static int
migrate(void)
{
#if CAIRN_S3
	const store_class **to;
	char why[MSG_MAX + 1];
	int rc;

	if (!use_s3)
		die(EXIT_USAGE, "--migrate copies the local store under --dir to "
		    "an object store: it needs --store s3 and the --s3-* options");
	if (so.check || so.prune != NULL)
		die(EXIT_USAGE, "--migrate goes alone, without --check or --prune");
	if (store_fs_init(&fs, so.dir, 0, why, sizeof why) < 0)
		die(EXIT_USAGE, "%s", why);
	to = store_open(so.dir, so.o.quota);
	rc = migrate_run(&fs.vtable, to);
	store_s3_close(&s3st);
	store_fs_close(&fs);
	return rc;
#else
	die(EXIT_USAGE, "this cairnd was built without the object store "
	    "(CAIRN_S3=0): --migrate has nowhere to copy to");
#endif
}

static void
store_close(void)
{
#if CAIRN_S3
	if (use_s3) {
		store_s3_close(&s3st);
		return;
	}
#endif
	store_fs_close(&fs);
}

/* --check or --prune on the store, then exit. */
static int
admin(void)
{
	static char client[CLIENT_MAX + ID_LEN + 2];
	const store_class **st;
	char *id;
	int rc;

	if ((so.chk.client != NULL || so.chk.read_data || so.chk.stale_s) &&
	    !so.check)
		die(EXIT_USAGE, "CLIENT, --read-data and --stale go with --check");
	if (so.prune != NULL && (so.check || so.keep == 0 ||
	    strlen(so.prune) >= sizeof client ||
	    strchr(so.prune, '/') == NULL))
		die(EXIT_USAGE, "--prune wants CLIENT/ID and --keep N, alone");
	st = store_open(so.dir, so.o.quota);
	if (so.prune != NULL) {
		memcpy(client, so.prune, strlen(so.prune) + 1);
		id = strchr(client, '/');
		*id++ = 0;
		rc = prune_run(st, client, id, so.keep);
	} else {
		rc = check_run(st, &so.chk);
	}
	store_close();
	return rc;
}

/* Listen on --host and --port, or exit 2 (not an address) or 3. */
static int
listen_on(void)
{
	int lfd = port_tcp_listen(so.host, (unsigned)so.port, 64);

	if (lfd < 0 && errno == EINVAL)
		die(EXIT_USAGE, "--host wants a numeric address such as "
		    "0.0.0.0, 127.0.0.1 or ::, not %s", so.host);
	if (lfd < 0)
		die(EXIT_NET, "cannot listen on %s:%u: %s", so.host,
		    (unsigned)so.port, strerror(errno));
	return lfd;
}

/* --daemon: detach from the terminal, then write --pidfile. */
static void
detach(void)
{
	if (port_daemonize() < 0)
		die(EXIT_USAGE, "cannot detach from the terminal: %s",
		    strerror(errno));
	if (so.pidfile != NULL && write_pidfile(so.pidfile, port_getpid()) < 0)
		die(EXIT_USAGE, "cannot write the pid file %s: %s", so.pidfile,
		    strerror(errno));
}

int
main(int argc, char **argv)
{
	static struct serve_slot slots[SERVE_SLOTS_MAX];
	static struct serve sv;
	struct server_opts o;
	const char *dir;
	int lfd;

	progname = "cairnd";
	opts_read(&opts, argc, argv);
	use_s3 = s3_options();
	if (so.migrate)
		return migrate();
	if (so.check || so.chk.client != NULL || so.chk.read_data ||
	    so.chk.stale_s || so.prune != NULL)
		return admin();
	if (so.keep > 0)
		die(EXIT_USAGE, "--keep goes with --prune (clients choose their "
		    "own with cairn --keep)");
	if (so.append_file != NULL) {
		if (names_load(&append_list, so.append_file) < 0)
			die(EXIT_USAGE, "cannot load the append-only clients");
		so.o.append = &append_list;
	}
	dir = so.dir;
	o = so.o;
	if (so.syslog) {
		port_syslog_open("cairnd");
		log_syslog = 1;
	}
	log_stamp = !log_syslog;	/* the server's log: each line dated */
	if (so.pidfile != NULL && !so.daemon)
		die(EXIT_USAGE, "--pidfile goes with --daemon");

	if (load_conf(0) < 0)
		die(EXIT_USAGE, "cannot load the server's certificates%s "
		    "(make them with tools/gen-certs.sh)", so.deny != NULL ?
		    " or the deny list" : "");
	o.store = store_open(dir, o.quota);
	if (so.max_host == 0)
		so.max_host = so.max_clients / 2 < 2 ? 2 : so.max_clients / 2;
	if (so.max_hs_host == 0)
		so.max_hs_host = so.max_hs / 2 < 2 ? 2 : so.max_hs / 2;
	o.busy = busy_why;

	lfd = listen_on();
	port_ignore_sigpipe();
	serve_signals();
	info("listening on %s:%u, store %s%s%s", so.host, (unsigned)so.port,
	    use_s3 ? so.s3.endpoint : dir, use_s3 ? "/" : "",
	    use_s3 ? so.s3.bucket : "");
	if (so.daemon)
		detach();
	srv.o = &o;
	serve_init(&sv, &serve_vt, &srv, lfd, 1, slots, (unsigned)(so.max_clients +
	    so.max_hs + REFUSERS_MAX + 1));
	serve_run(&sv);
	info("stopping");
	if (so.pidfile != NULL)
		port_unlink(so.pidfile);
	tls_conf_wipe(conf);
	store_close();
	return 0;
}
