/*
 * ui_api.c — the web UI's JSON endpoints (ui.h): one row of get_routes[]
 * or post_routes[] each. A command's values go to client_main as
 * separate arguments, the first in the attached form (--ls=VALUE), so
 * that no value is ever read as an option; a second operand that looks
 * like one is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "features.h"
#include "ui.h"

#if CAIRN_UI

#include "client.h"
#include "json.h"
#include "port.h"

#define UI_FS_MAX 4000		/* entries /api/fs lists */
#define UI_INCLUDES 40		/* --include paths of one restore */

static struct ui_argv args;	/* the command being built */
static struct json body;	/* a POST's, parsed */
static struct ui_settings settings;

/* Answer the out buffer as JSON. */
static int
answer(struct ui_req *r, unsigned status)
{
	ui_json(r->c, status, ui_out_last());
	return UI_ANSWERED;
}

static int
fail(struct ui_req *r, unsigned status, const char *words)
{
	ui_error(r->c, status, words);
	return UI_ANSWERED;
}

/* Parse the body into body (small objects): 0, or -1 answered. */
static int
parse_body(struct ui_req *r)
{
	if (json_parse(&body, r->body, r->blen) < 0) {
		fail(r, 400, "the body is not a JSON object (or too large)");
		return -1;
	}
	return 0;
}

/* The flag key of the body: 0 when absent or false. */
static int
flag(const char *key)
{
	int v = 0;

	return json_bool(&body, key, &v) == 0 && v;
}

/* "--opt=value" onto args. */
static void
attached(const char *opt, const char *value)
{
	char a[PATH_CAP + 32];

	snprintf(a, sizeof a, "%s=%s", opt, value);
	ui_arg(&args, a);
}

/* A query parameter into out[cap]: 1 present, 0 absent, -1 bad
 * (answered). */
static int
param(struct ui_req *r, const char *name, char *out, size_t cap)
{
	long n = http_query(r->target, name, out, cap);

	if (n == -1)
		return 0;
	if (n < 0) {
		fail(r, 400, "a malformed or too long parameter");
		return -1;
	}
	return 1;
}

/* ---- session and settings --------------------------------------------- */

static int
api_session(struct ui_req *r)
{
	struct buf *b = ui_out();

	buf_puts(b, "{\"csrf\":\"");
	buf_puts(b, ui_req_csrf(r));
	buf_puts(b, "\",\"version\":\"" CAIRN_VERSION "\"}\n");
	return answer(r, 200);
}

static int
api_settings(struct ui_req *r)
{
	const char *why;

	if (ui_settings_read(&settings, &why) < 0)
		return fail(r, 500, why);
	ui_settings_json(&settings, ui_out());
	return answer(r, 200);
}

static int
api_settings_post(struct ui_req *r)
{
	static uint8_t fstore[8192];
	struct buf f, *b;
	const char *why;
	int reloaded;

	buf_init(&f, fstore, sizeof fstore);
	if (ui_settings_parse(&settings, r->body, r->blen, &f) < 0) {
		b = ui_out();
		buf_puts(b, "{\"error\":\"some settings will not do\","
		    "\"fields\":{");
		buf_put(b, f.p, f.len);
		buf_puts(b, "}}\n");
		return answer(r, 400);
	}
	if (ui_settings_write(&settings, &reloaded, &why) < 0)
		return fail(r, 500, why);
	b = ui_out();
	buf_puts(b, reloaded ? "{\"ok\":true,\"reloaded\":true}\n" :
	    "{\"ok\":true,\"reloaded\":false}\n");
	return answer(r, 200);
}

/* ---- the source picker ---------------------------------------------- */

/* The entries of the open directory dfd, directories (dirs 1) or the
 * rest, onto b; *n counts them. */
static void
fs_entries(struct buf *b, int dfd, int dirs, unsigned *n)
{
	struct port_dir *d = port_dir_open(dfd);
	struct port_stat st;
	enum port_type t;
	const char *name;

	if (d == NULL)
		return;
	while (*n < UI_FS_MAX && port_dir_next(d, &name, &t) == 1) {
		if (t == PORT_UNKNOWN)
			t = port_fstatat(dfd, name, &st) == 0 ? st.type :
			    PORT_OTHER;
		if ((t == PORT_DIR) != dirs)
			continue;
		buf_puts(b, *n ? ",{\"name\":" : "{\"name\":");
		json_put_str(b, name, strlen(name));
		buf_puts(b, dirs ? ",\"dir\":true}" : ",\"dir\":false}");
		++*n;
	}
	port_dir_close(d);
}

static int
api_fs(struct ui_req *r)
{
	char path[PATH_CAP], real[PATH_CAP], *slash;
	struct buf *b;
	unsigned n = 0;
	int dfd, k;

	if ((k = param(r, "path", path, sizeof path)) < 0)
		return UI_ANSWERED;
	if (k == 0 || path[0] != '/')
		return fail(r, 400, "path= wants an absolute path");
	if (port_realpath(path, real, sizeof real) < 0 ||
	    (dfd = port_open_dir(real)) < 0)
		return fail(r, errno == ENOENT || errno == ENOTDIR ? 404 : 403,
		    errno == ENOENT ? "no such directory" : errno == ENOTDIR ?
		    "not a directory" : "the directory cannot be read");
	b = ui_out();
	buf_puts(b, "{\"path\":");
	json_put_str(b, real, strlen(real));
	slash = strrchr(real, '/');
	buf_puts(b, ",\"parent\":");
	if (slash == real && real[1] == 0)
		buf_puts(b, "null");
	else
		json_put_str(b, real, slash == real ? 1 : (size_t)(slash - real));
	buf_puts(b, ",\"entries\":[");
	fs_entries(b, dfd, 1, &n);
	fs_entries(b, dfd, 0, &n);
	port_close(dfd);
	buf_puts(b, n >= UI_FS_MAX ? "],\"truncated\":true}\n" : "]}\n");
	return answer(r, 200);
}

/* ---- jobs ---------------------------------------------------------------- */

/* Start the job built in args: {"job":N}, or 409 / 500. */
static int
start(struct ui_req *r, const char *kind)
{
	struct buf *b;
	const char *why;
	unsigned n = ui_job_start(kind, &args, &why);

	if (n == 0)
		return fail(r, strcmp(why, "a job is running") == 0 ? 409 : 500,
		    why);
	b = ui_out();
	buf_puts(b, "{\"job\":");
	buf_dec(b, n);
	buf_puts(b, "}\n");
	return answer(r, 200);
}

/* A job on a target: the body parsed, args begun with the connection's
 * options and opt=ID[@SNAP]. 0, or -1 answered. */
static int
begin(struct ui_req *r, const char *opt)
{
	char t[TARGET_MAX * 2];

	if (parse_body(r) < 0)
		return -1;
	if (json_str(&body, "target", t, sizeof t, NULL) < 0 || t[0] == 0)
		return fail(r, 400, "target wants ID or ID@SNAPSHOT"), -1;
	ui_argv_init(&args);
	ui_conn_args(&args);
	attached(opt, t);
	return 0;
}

/* The job's last options (--dry-run when asked, --json), started. */
static int
finish(struct ui_req *r, const char *kind)
{
	if (flag("dry_run"))
		ui_arg(&args, "--dry-run");
	ui_arg(&args, "--json");
	return start(r, kind);
}

static int
api_backup(struct ui_req *r)
{
	if (parse_body(r) < 0)
		return UI_ANSWERED;
	ui_argv_init(&args);
	ui_backup_args(&args);
	return finish(r, "backup");
}

/* The body's include list onto args. 0, or -1 answered. */
static int
includes(struct ui_req *r)
{
	char p[PATH_CAP];
	int t = json_find(&body, "include"), k;

	if (t < 0)
		return 0;
	if (body.tok[t].type != JSMN_ARRAY || body.tok[t].size > UI_INCLUDES)
		return fail(r, 400, "include wants a list of at most 40 paths"),
		    -1;
	for (k = 0; k < body.tok[t].size; k++) {
		if (json_tok_str(&body, t + 1 + k, p, sizeof p, NULL) < 0 ||
		    p[0] == 0)
			return fail(r, 400, "each include is a path"), -1;
		attached("--include", p);
	}
	return 0;
}

static int
api_restore(struct ui_req *r)
{
	char p[PATH_CAP];

	if (begin(r, "--restore") < 0 || includes(r) < 0)
		return UI_ANSWERED;
	if (json_str(&body, "path", p, sizeof p, NULL) == 0 && p[0] != 0) {
		if (p[0] != '/')
			return fail(r, 400, "path wants an absolute path, or "
			    "nothing for the original place");
		attached("--path", p);
	}
	if (flag("delete"))
		ui_arg(&args, "--delete");
	return finish(r, "restore");
}

static int
api_remove(struct ui_req *r)
{
	if (begin(r, "--remove") < 0)
		return UI_ANSWERED;
	return finish(r, "remove");
}

static int
api_prune(struct ui_req *r)
{
	const char *const *names = ui_keep_names;
	char opt[32], num[24];
	uint64_t v;
	int keep, any = 0, k;
	size_t i;

	if (begin(r, "--prune") < 0)
		return UI_ANSWERED;
	if ((keep = json_find(&body, "keep")) < 0 ||
	    body.tok[keep].type != JSMN_OBJECT)
		return fail(r, 400, "keep wants a policy: {\"daily\":7,...}");
	for (i = 0; i < 6; i++) {
		/* the policy's keys are found within its object */
		for (k = keep + 1; k < body.ntok && body.tok[k].start <
		    body.tok[keep].end; k += 2)
			if (json_tok_str(&body, k, opt, sizeof opt, NULL) == 0 &&
			    strcmp(opt, names[i]) == 0 && k + 1 < body.ntok &&
			    body.tok[k + 1].end - body.tok[k + 1].start < 12) {
				snprintf(num, sizeof num, "%.*s",
				    body.tok[k + 1].end - body.tok[k + 1].start,
				    body.src + body.tok[k + 1].start);
				if (parse_u64(num, 0, RETAIN_MAX, &v) < 0)
					return fail(r, 400, "each of keep is "
					    "a count, 0..1000000");
				if (v == 0)
					continue;
				snprintf(opt, sizeof opt, "--keep-%s", names[i]);
				ui_arg2(&args, opt, num);
				any = 1;
			}
	}
	if (!any)
		return fail(r, 400, "keep wants a policy: at least one count");
	return finish(r, "prune");
}

static int
api_test_hook(struct ui_req *r)
{
	const char *why;

	if (ui_settings_read(&settings, &why) < 0)
		return fail(r, 500, why);
	if (settings.post_hook[0] == 0)
		return fail(r, 400, "no post-hook is set in the settings");
	ui_argv_init(&args);
	ui_arg(&args, "--ui-hook-test");
	ui_arg(&args, settings.post_hook);
	return start(r, "test-hook");
}

static int
api_job(struct ui_req *r)
{
	struct buf *b = ui_out();

	ui_job_json(b);
	buf_putc(b, '\n');
	return answer(r, 200);
}

static int
api_history(struct ui_req *r)
{
	struct buf *b = ui_out();

	ui_history_json(b);
	buf_putc(b, '\n');
	return answer(r, 200);
}

static int
api_schedule(struct ui_req *r)
{
	char iso[21];
	int64_t next;
	struct buf *b;

	if (parse_body(r) < 0)
		return UI_ANSWERED;
	next = ui_schedule(flag("enabled"));
	if (flag("enabled") && next == 0)
		return fail(r, 400, "set an interval in the settings first");
	b = ui_out();
	buf_puts(b, "{\"ok\":true,\"next_run\":");
	if (next != 0) {
		utc_iso(next, iso);
		buf_putc(b, '"');
		buf_puts(b, iso);
		buf_puts(b, "\"}\n");
	} else {
		buf_puts(b, "null}\n");
	}
	return answer(r, 200);
}

/* ---- quick reads ------------------------------------------------------ */

/* A second operand: refused when it would read as an option. */
static int
operand(struct ui_req *r, const char *v)
{
	if (v[0] == '-')
		return fail(r, 400, "a value may not begin with '-'"), -1;
	ui_arg(&args, v);
	return 0;
}

static int
api_backups(struct ui_req *r)
{
	ui_argv_init(&args);
	ui_conn_args(&args);
	ui_arg(&args, "--list");
	ui_arg(&args, "--json");
	return ui_read_start(r->c, &args);
}

/* The quick reads with parameters: the option the first parameter's
 * value goes to (required, refused in need's words when missing), and
 * the second parameter, an optional operand; their rooms. */
static const struct quick {
	const char *opt, *first, *second, *need;
	unsigned short cap1, cap2;
} quicks[] = {
	{ "--ls", "target", "path", "target= wants ID or ID@SNAPSHOT",
	    TARGET_MAX * 2, PATH_CAP },
	{ "--find", "pattern", "target", "pattern= wants a pattern",
	    PATH_CAP, TARGET_MAX * 2 },
	{ "--diff", "a", "b", "a= wants ID@SNAPSHOT",
	    TARGET_MAX * 2, TARGET_MAX * 2 },
};

static int
quick(struct ui_req *r, const struct quick *q)
{
	char v1[PATH_CAP], v2[PATH_CAP];
	int k1, k2;

	if ((k1 = param(r, q->first, v1, q->cap1)) < 0 ||
	    (k2 = param(r, q->second, v2, q->cap2)) < 0)
		return UI_ANSWERED;
	if (k1 == 0 || v1[0] == 0)
		return fail(r, 400, q->need);
	ui_argv_init(&args);
	ui_conn_args(&args);
	attached(q->opt, v1);
	if (k2 && v2[0] != 0 && operand(r, v2) < 0)
		return UI_ANSWERED;
	ui_arg(&args, "--json");
	return ui_read_start(r->c, &args);
}

static int
api_ls(struct ui_req *r)
{
	return quick(r, &quicks[0]);
}

static int
api_find(struct ui_req *r)
{
	return quick(r, &quicks[1]);
}

static int
api_diff(struct ui_req *r)
{
	return quick(r, &quicks[2]);
}

/* ---- the table --------------------------------------------------------- */

/* The endpoints by method, their paths after "/api/". */
struct route {
	const char *path;
	int (*run)(struct ui_req *r);
};

static const struct route get_routes[] = {
	{ "session", api_session }, { "settings", api_settings },
	{ "fs", api_fs }, { "job", api_job }, { "history", api_history },
	{ "backups", api_backups }, { "ls", api_ls }, { "find", api_find },
	{ "diff", api_diff }, { NULL, NULL }
}, post_routes[] = {
	{ "settings", api_settings_post }, { "backup", api_backup },
	{ "schedule", api_schedule }, { "restore", api_restore },
	{ "remove", api_remove }, { "prune", api_prune },
	{ "test-hook", api_test_hook }, { NULL, NULL }
};

/* The row of t for path, or NULL. */
static const struct route *
route_of(const struct route *t, const char *path)
{
	for (; t->path != NULL; t++)
		if (strcmp(t->path, path) == 0)
			return t;
	return NULL;
}

int
ui_api(struct ui_req *r, const char *method, const char *path)
{
	int get = strcmp(method, "GET") == 0;
	const struct route *t = route_of(get ? get_routes : post_routes, path + 5);

	if (t != NULL && (get || strcmp(method, "POST") == 0))
		return t->run(r);
	if (route_of(get_routes, path + 5) == NULL &&
	    route_of(post_routes, path + 5) == NULL)
		return -1;
	ui_error(r->c, 405, "not with this method");
	return UI_ANSWERED;
}

#endif
