/*
 * s3probe.c — drives cairnd's S3 client (src/server/s3.c) from a test
 * script (t_s3_client.sh):
 *
 *	s3probe [--endpoint URL] [--bucket B] [--prefix P] [--ca FILE]
 *	    [--timeout MS] [--page N] COMMAND ARGS...
 *
 *	mkbucket		create the bucket
 *	put KEY FILE		PUT FILE's bytes (streamed)
 *	putif KEY FILE		the same with If-None-Match: *
 *	cas KEY ETAG FILE	the same with If-Match: ETAG
 *	get KEY [OFF]		the object from byte OFF to standard output
 *	head KEY		prints "SIZE ETAG"
 *	delete KEY
 *	list [PREFIX [AFTER]]	prints "KEY SIZE ETAG" lines
 *	mpu KEY FILE PARTSIZE	a multipart upload of FILE in parts
 *	race KEY N		N processes PUT KEY with If-None-Match: *
 *				at once; prints "won W lost L"
 *
 * The endpoint and keys come from CAIRN_S3_ENDPOINT, CAIRN_S3_ACCESS_KEY,
 * CAIRN_S3_SECRET_KEY (--endpoint overrides the first), the bucket from
 * --bucket or CAIRN_S3_BUCKET. Each command prints "status N" (get: on
 * standard error) and, on
 * standard error, "requests N" (retries count). Exit 0 for a 2xx answer,
 * 1 for another status, 2 when no answer came (the error on stderr), 3
 * when a reader stopped it.
 */
#include "features.h"

#if CAIRN_S3

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port.h"
#include "s3.h"
#include "util.h"

static struct s3 cl;
static struct s3_answer ans;
static char buf[65536];
static int to_stderr;

/* A file as a body: read in order, rewound for a retry, limited to
 * [off, off + len) for a part. */
struct fbody {
	int fd;
	uint64_t off, len, at;
};

static long
f_read(void *arg, void *p, size_t cap)
{
	struct fbody *f = arg;
	long n;

	if (cap > f->len - f->at)
		cap = (size_t)(f->len - f->at);
	n = port_pread(f->fd, p, cap, f->off + f->at);
	if (n > 0)
		f->at += (uint64_t)n;
	return n;
}

static int
f_rewind(void *arg)
{
	((struct fbody *)arg)->at = 0;
	return 0;
}

static void
open_body(const char *path, struct fbody *f, struct s3_body *b)
{
	struct port_stat st;

	f->fd = port_open_read(path);
	if (f->fd < 0 || port_fstat(f->fd, &st) < 0)
		die(2, "%s: %s", path, strerror(errno));
	f->off = f->at = 0;
	f->len = st.size;
	b->len = st.size;
	b->read = f_read;
	b->rewind = f_rewind;
	b->arg = f;
}

/* Print the status and the request count; the exit status for rc. */
static int
done(int rc)
{
	fprintf(stderr, "requests %llu\n",
	    (unsigned long long)s3_requests(&cl));
	if (rc == -2)
		return 3;
	if (rc < 0) {
		fprintf(stderr, "s3probe: %s\n", s3_error(&cl));
		return 2;
	}
	/* a GET's bytes are standard output: its status goes to stderr */
	fprintf(to_stderr ? stderr : stdout, "status %d\n", rc);
	if (rc >= 300 && s3_error(&cl)[0])
		fprintf(stderr, "s3probe: %s\n", s3_error(&cl));
	return rc >= 200 && rc < 300 ? 0 : 1;
}

static int
cmd_put(int argc, char **argv, unsigned flags, const char *if_match)
{
	struct fbody f;
	struct s3_body b;
	int rc;

	if (argc != 2)
		die(2, "put KEY FILE");
	open_body(argv[1], &f, &b);
	rc = s3_put(&cl, argv[0], &b, flags, if_match, &ans);
	if (rc >= 200 && rc < 300)
		printf("etag %s tries %u\n", ans.etag, ans.tries);
	return done(rc);
}

static int
cmd_get(int argc, char **argv)
{
	uint64_t off = 0;
	long n;
	int rc;

	if (argc < 1 || (argc == 2 && parse_u64(argv[1], 0, UINT64_MAX,
	    &off) < 0))
		die(2, "get KEY [OFF]");
	to_stderr = 1;
	rc = s3_get_begin(&cl, argv[0], off, &ans);
	if (rc >= 200 && rc < 300) {
		while ((n = s3_get_read(&cl, buf, sizeof buf)) > 0)
			if (port_write_all(1, buf, (size_t)n) < 0)
				die(2, "writing: %s", strerror(errno));
		s3_get_end(&cl);
		if (n < 0)
			rc = -1;
	}
	return done(rc);
}

static int
each_key(void *arg, const char *key, uint64_t size, const char *etag)
{
	long *left = arg;

	printf("%s %llu %s\n", key, (unsigned long long)size, etag);
	return --*left == 0;
}

static int
cmd_list(int argc, char **argv)
{
	long left = -1;
	const char *stop = getenv("S3PROBE_LIST_STOP");

	if (stop != NULL)
		left = atol(stop);
	return done(s3_list(&cl, argc > 0 ? argv[0] : "", argc > 1 ? argv[1] :
	    NULL, each_key, &left));
}

/* The ETags of the parts uploaded so far. */
static char etags[1000][S3_ETAG_MAX];

static const char *
etag_of(void *arg, unsigned part)
{
	return part >= 1 && part <= 1000 ? etags[part - 1] : NULL;
}

static int
cmd_mpu(int argc, char **argv)
{
	char id[256];
	struct fbody f;
	struct s3_body b;
	uint64_t psize, size;
	unsigned n = 0;
	int rc;

	if (argc != 3 || parse_u64(argv[2], 1, UINT64_MAX, &psize) < 0)
		die(2, "mpu KEY FILE PARTSIZE");
	open_body(argv[1], &f, &b);
	size = f.len;
	rc = s3_mpu_begin(&cl, argv[0], id, sizeof id, &ans);
	if (rc != 200)
		return done(rc);
	for (f.off = 0; f.off < size && n < 1000; f.off += psize) {
		f.len = size - f.off < psize ? size - f.off : psize;
		f.at = 0;
		b.len = f.len;
		n++;
		rc = s3_mpu_part(&cl, argv[0], id, n, &b, etags[n - 1], &ans);
		if (rc != 200) {
			s3_mpu_abort(&cl, argv[0], id, &ans);
			return done(rc);
		}
	}
	rc = s3_mpu_complete(&cl, argv[0], id, n, etag_of, NULL, &ans);
	if (rc == 200)
		printf("parts %u etag %s\n", n, ans.etag);
	return done(rc);
}

/* A body in memory. */
struct mbody {
	const char *p;
	size_t len, at;
};

static long
m_read(void *arg, void *p, size_t cap)
{
	struct mbody *m = arg;

	if (cap > m->len - m->at)
		cap = m->len - m->at;
	memcpy(p, m->p + m->at, cap);
	m->at += cap;
	return (long)cap;
}

static int
m_rewind(void *arg)
{
	((struct mbody *)arg)->at = 0;
	return 0;
}

/* One writer of the race: 0 won (200), 1 lost (412), 2 otherwise. */
static int
racer(const struct s3_conf *conf, const char *key, unsigned i, int start)
{
	char text[S3_ERR_MAX], body[32], c;
	struct mbody m = { body, 0, 0 };
	struct s3_body b = { 0, m_read, m_rewind, &m };
	int rc;

	if (s3_init(&cl, conf, text, sizeof text) < 0)
		return 2;
	m.len = (size_t)snprintf(body, sizeof body, "writer %u\n", i);
	b.len = m.len;
	port_read(start, &c, 1, 30000);		/* all go at once */
	rc = s3_put(&cl, key, &b, S3_IF_NONE_MATCH, NULL, &ans);
	if (rc != 200 && rc != 412)
		fprintf(stderr, "racer %u: %d %s\n", i, rc, s3_error(&cl));
	return rc == 200 ? 0 : rc == 412 ? 1 : 2;
}

/* N processes PUT KEY with If-None-Match: *, each on its own
 * connection: exactly one must win. */
static int
cmd_race(int argc, char **argv, const struct s3_conf *conf)
{
	uint64_t n, i;
	long pid[64];
	int won = 0, lost = 0, other = 0, st, pfd[2];

	if (argc != 2 || parse_u64(argv[1], 1, 64, &n) < 0)
		die(2, "race KEY N");
	if (port_pipe(pfd) < 0)
		die(2, "pipe: %s", strerror(errno));
	fflush(stdout);
	for (i = 0; i < n; i++) {
		if ((pid[i] = port_fork()) < 0)
			die(2, "fork: %s", strerror(errno));
		if (pid[i] == 0) {
			port_close(pfd[1]);
			exit(racer(conf, argv[0], (unsigned)i, pfd[0]));
		}
	}
	port_close(pfd[0]);
	port_close(pfd[1]);	/* the start: every child reads its end */
	for (i = 0; i < n; i++) {
		st = port_waitpid(pid[i]);
		if (st == 0)
			won++;
		else if (st == 1)
			lost++;
		else
			other++;
	}
	printf("won %d lost %d other %d\n", won, lost, other);
	return won == 1 && other == 0 ? 0 : 1;
}

static int
dispatch(int argc, char **argv, const struct s3_conf *conf)
{
	const char *c = argv[0];

	argc--, argv++;
	if (strcmp(c, "mkbucket") == 0)
		return done(s3_bucket_create(&cl, &ans));
	if (strcmp(c, "put") == 0)
		return cmd_put(argc, argv, 0, NULL);
	if (strcmp(c, "putif") == 0)
		return cmd_put(argc, argv, S3_IF_NONE_MATCH, NULL);
	if (strcmp(c, "cas") == 0 && argc == 3)
		return cmd_put(2, (char *[]){ argv[0], argv[2] }, 0, argv[1]);
	if (strcmp(c, "get") == 0)
		return cmd_get(argc, argv);
	if (strcmp(c, "head") == 0 && argc == 1) {
		int rc = s3_head(&cl, argv[0], &ans);

		if (rc == 200)
			printf("%llu %s\n", (unsigned long long)ans.length,
			    ans.etag);
		return done(rc);
	}
	if (strcmp(c, "delete") == 0 && argc == 1)
		return done(s3_delete(&cl, argv[0], &ans));
	if (strcmp(c, "list") == 0)
		return cmd_list(argc, argv);
	if (strcmp(c, "mpu") == 0)
		return cmd_mpu(argc, argv);
	if (strcmp(c, "race") == 0)
		return cmd_race(argc, argv, conf);
	die(2, "unknown command %s", c);
	return 2;
}

int
main(int argc, char **argv)
{
	static struct s3_conf conf;
	char text[S3_ERR_MAX];
	uint64_t ms;

	progname = "s3probe";
	port_ignore_sigpipe();
	conf.endpoint = getenv("CAIRN_S3_ENDPOINT");
	conf.access_key = getenv("CAIRN_S3_ACCESS_KEY");
	conf.secret_key = getenv("CAIRN_S3_SECRET_KEY");
	conf.bucket = getenv("CAIRN_S3_BUCKET");
	conf.prefix = "";
	for (argc--, argv++; argc >= 2 && argv[0][0] == '-'; argc -= 2,
	    argv += 2) {
		if (strcmp(argv[0], "--endpoint") == 0)
			conf.endpoint = argv[1];
		else if (strcmp(argv[0], "--bucket") == 0)
			conf.bucket = argv[1];
		else if (strcmp(argv[0], "--prefix") == 0)
			conf.prefix = argv[1];
		else if (strcmp(argv[0], "--ca") == 0)
			conf.ca_file = argv[1];
		else if (strcmp(argv[0], "--page") == 0 &&
		    parse_u64(argv[1], 1, 1000, &ms) == 0)
			conf.list_page = (unsigned)ms;
		else if (strcmp(argv[0], "--timeout") == 0 &&
		    parse_u64(argv[1], 1, 600000, &ms) == 0)
			conf.timeout_ms = (unsigned)ms;
		else
			die(2, "unknown option %s", argv[0]);
	}
	if (argc < 1)
		die(2, "usage: s3probe [--endpoint URL] [--bucket B] "
		    "[--prefix P] [--ca FILE] [--timeout MS] COMMAND ...");
	if (conf.endpoint == NULL)
		die(2, "no endpoint: CAIRN_S3_ENDPOINT or --endpoint");
	if (s3_init(&cl, &conf, text, sizeof text) < 0)
		die(2, "%s", text);
	return dispatch(argc, argv, &conf);
}

#else

#include "util.h"

int
main(void)
{
	progname = "s3probe";
	die(2, "built without the S3 client (CAIRN_S3=0)");
	return 2;
}

#endif
