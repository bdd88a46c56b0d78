/*
 * ui_settings.c — the web UI's settings: the --config file (config.h's
 * "key value" lines) read, checked field by field and written back
 * durably, and the command lines the UI's children are given from it.
 *
 * The keys the page edits are rewritten; every other line of the file
 * (comments, cert, state, pidfile, ...) is kept as it was. The
 * extensions go to a list file beside the config (NAME.extensions, the
 * "extensions" key naming it), since --extensions takes a file.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "ui.h"

#if CAIRN_UI

#include "client.h"
#include "config.h"
#include "glob.h"
#include "json.h"
#include "port.h"

#define UI_TEXT_MAX CONFIG_TEXT	/* the config file written */

enum { K_CONN = 1, K_BACKUP = 2, K_PAGE = 4, K_PATH = 8 };

/* The keys the UI knows: who gets them, and whether the page edits
 * them (rewritten on a save). */
static const struct ui_key {
	const char *name;
	unsigned char use;
} keys[] = {
	{ "server", K_CONN | K_PAGE }, { "port", K_CONN | K_PAGE },
	{ "server-name", K_CONN | K_PAGE },
	{ "server-fingerprint", K_CONN | K_PAGE },
	{ "cert", K_CONN | K_PATH }, { "key", K_CONN | K_PATH },
	{ "ca", K_CONN | K_PATH }, { "state", K_CONN | K_PATH },
	{ "timeout", K_CONN },
	{ "source", K_BACKUP | K_PAGE | K_PATH },
	{ "extensions", K_BACKUP | K_PAGE | K_PATH },
	{ "exclude", K_BACKUP | K_PAGE },
	{ "exclude-from", K_BACKUP | K_PATH },
	{ "exclude-caches", K_BACKUP }, { "checksum", K_BACKUP },
	{ "ignore-inode", K_BACKUP }, { "one-file-system", K_BACKUP },
	{ "pre-hook", K_BACKUP }, { "post-hook", K_BACKUP | K_PAGE },
	{ "bwlimit", K_BACKUP }, { "interval", K_PAGE },
	{ "keep", K_BACKUP | K_PAGE }, { "keep-last", K_BACKUP | K_PAGE },
	{ "keep-hourly", K_BACKUP | K_PAGE },
	{ "keep-daily", K_BACKUP | K_PAGE },
	{ "keep-weekly", K_BACKUP | K_PAGE },
	{ "keep-monthly", K_BACKUP | K_PAGE },
	{ "keep-yearly", K_BACKUP | K_PAGE },
};


static char cfpath[PATH_CAP];	/* the config file */
static char cfdir[PATH_CAP];	/* its directory */

/* ---- the file's path -------------------------------------------------- */

const char *
ui_config_path(void)
{
	return cfpath;
}

int
ui_config_init(const char *given)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *slash;
	int n;

	if (given != NULL && given[0] == '/')
		n = snprintf(cfpath, sizeof cfpath, "%s", given);
	else if (given != NULL && port_realpath(".", cfdir, sizeof cfdir) == 0)
		n = snprintf(cfpath, sizeof cfpath, "%s/%s", cfdir, given);
	else if (given == NULL && xdg != NULL && xdg[0] == '/')
		n = snprintf(cfpath, sizeof cfpath, "%s/cairn/cairn.conf", xdg);
	else if (given == NULL && home != NULL && home[0] == '/')
		n = snprintf(cfpath, sizeof cfpath,
		    "%s/.config/cairn/cairn.conf", home);
	else
		n = -1;
	if (n < 0 || (size_t)n >= sizeof cfpath) {
		msg("--ui: no configuration file to keep the settings in "
		    "(give --config F)");
		return -1;
	}
	memcpy(cfdir, cfpath, sizeof cfdir);
	slash = strrchr(cfdir, '/');
	slash[slash == cfdir] = 0;
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* The row of keys for k[n], or NULL. */
static const struct ui_key *
key_of(const char *k, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strlen(keys[i].name) == n && memcmp(keys[i].name, k, n) == 0)
			return &keys[i];
	return NULL;
}

/* One line split: key[kn], value (NUL-terminated, "" for a flag). */
struct line {
	const char *key;
	size_t kn;
	const char *val;
};

static void
split(char *s, size_t n, struct line *l)
{
	size_t k = 0;

	while (k < n && s[k] != ' ' && s[k] != '\t')
		k++;
	l->key = s;
	l->kn = k;
	while (k < n && (s[k] == ' ' || s[k] == '\t'))
		k++;
	s[n] = 0;
	l->val = s + k;
}

/* A path value made absolute against the config's directory, into
 * out[PATH_CAP]. */
static const char *
abs_path(const char *v, char *out)
{
	size_t dn = strlen(cfdir), n = strlen(v);

	if (v[0] == '/' || v[0] == 0 || dn + 1 + n >= PATH_CAP)
		return v;
	memcpy(out, cfdir, dn);
	out[dn] = '/';
	memcpy(out + dn + 1, v, n + 1);
	return out;
}

/* Copy v into out[cap], "" when too long. */
static void
put(char *out, size_t cap, const char *v)
{
	if (strlen(v) < cap)
		memcpy(out, v, strlen(v) + 1);
	else
		out[0] = 0;
}

/* An extensions file's line. */
static int
ext_line(void *ctx, char *s, size_t n, size_t line)
{
	struct ui_settings *st = ctx;

	(void)line;
	if (st->next < UI_LIST_MAX && n < sizeof st->ext[0]) {
		memcpy(st->ext[st->next], s, n);
		st->ext[st->next++][n] = 0;
	}
	return 0;
}

/* One config line into the settings the page sees. */
static int
setting_line(void *ctx, char *s, size_t n, size_t line)
{
	struct ui_settings *st = ctx;
	const struct ui_field *f;
	char p[PATH_CAP];
	struct line l;
	uint64_t v;
	size_t i;

	(void)line;
	split(s, n, &l);
#define IS(k) (l.kn == strlen(k) && memcmp(l.key, k, l.kn) == 0)
	for (f = ui_fields; f < ui_fields + UI_FIELDS; f++)
		if (IS(f->key))
			put(UI_FIELD(st, f), f->cap, f->off == offsetof(struct
			    ui_settings, source) ? abs_path(l.val, p) : l.val);
	if (IS("port") && parse_u64(l.val, 1, 65535, &v) == 0)
		st->port = (unsigned)v;
	else if (IS("extensions"))
		(void)text_lines(abs_path(l.val, p), "extension file",
		    ext_line, st);
	else if (IS("exclude") && st->nexcl < UI_LIST_MAX)
		put(st->excl[st->nexcl++], sizeof st->excl[0], l.val);
	else if (IS("keep") && parse_u64(l.val, 0, RETAIN_MAX, &v) == 0)
		st->keep[0] = (unsigned)v;
	for (i = 0; i < 6; i++)
		if (l.kn == 5 + strlen(ui_keep_names[i]) &&
		    memcmp(l.key, "keep-", 5) == 0 &&
		    memcmp(l.key + 5, ui_keep_names[i], l.kn - 5) == 0 &&
		    parse_u64(l.val, 0, RETAIN_MAX, &v) == 0)
			st->keep[i] = (unsigned)v;
#undef IS
	return 0;
}

/* 1 if the config file exists (0: the defaults), -1 if it cannot be
 * read. */
static int
exists(void)
{
	int fd = port_open_read(cfpath);

	if (fd >= 0) {
		port_close(fd);
		return 1;
	}
	return errno == ENOENT ? 0 : -1;
}

int
ui_settings_read(struct ui_settings *s, const char **why)
{
	int e;

	memset(s, 0, sizeof *s);
	s->port = CAIRN_PORT;
	if ((e = exists()) <= 0) {
		*why = "the configuration file cannot be read";
		return e == 0 ? 0 : -1;
	}
	if (text_lines(cfpath, "configuration file", setting_line, s) != 0) {
		*why = "the configuration file cannot be read";
		return -1;
	}
	return 0;
}

/* Whether a new file can be made in the config's directory. */
static int
writable(void)
{
	struct port_tmp t;
	int dfd = port_open_dir(cfdir);

	if (dfd < 0)
		return errno == ENOENT;	/* made on the first save */
	if (port_tmp_open_as(&t, dfd, ".cairn-ui-", 0600) < 0) {
		port_close(dfd);
		return 0;
	}
	port_tmp_abort(&t);
	port_close(dfd);
	return 1;
}

/* "key":[strings of list[n][cap]] */
static void
put_list(struct buf *b, const char *key, const char *list, size_t cap,
    unsigned n)
{
	unsigned i;

	json_put_key(b, key, 0);
	buf_putc(b, '[');
	for (i = 0; i < n; i++, list += cap) {
		if (i)
			buf_putc(b, ',');
		json_put_str(b, list, strlen(list));
	}
	buf_putc(b, ']');
}

void
ui_settings_json(const struct ui_settings *s, struct buf *b)
{
	const struct ui_field *f;
	unsigned i;

	buf_putc(b, '{');
	for (f = ui_fields; f < ui_fields + UI_FIELDS; f++) {
		json_put_key(b, f->json, f == ui_fields);
		json_put_str(b, UI_FIELD(s, f), strlen(UI_FIELD(s, f)));
	}
	json_put_key(b, "port", 0);
	buf_dec(b, s->port);
	put_list(b, "extensions", s->ext[0], sizeof s->ext[0], s->next);
	put_list(b, "exclude", s->excl[0], sizeof s->excl[0], s->nexcl);
	json_put_key(b, "keep", 0);
	buf_putc(b, '{');
	for (i = 0; i < 6; i++) {
		json_put_key(b, ui_keep_names[i], i == 0);
		buf_dec(b, s->keep[i]);
	}
	buf_putc(b, '}');
	json_put_key(b, "config", 0);
	json_put_str(b, cfpath, strlen(cfpath));
	json_put_key(b, "writable", 0);
	buf_puts(b, writable() ? "true}\n" : "false}\n");
}

/* ---- the command lines ---------------------------------------------- */

struct args_ctx {
	struct ui_argv *a;
	unsigned want;
};

/* One config line onto a command line, if its key is wanted. */
static int
arg_line(void *ctx, char *s, size_t n, size_t line)
{
	struct args_ctx *x = ctx;
	const struct ui_key *k;
	char opt[64], p[PATH_CAP];
	struct line l;

	(void)line;
	split(s, n, &l);
	if ((k = key_of(l.key, l.kn)) == NULL || !(k->use & x->want))
		return 0;
	snprintf(opt, sizeof opt, "--%s", k->name);
	if (l.val[0] == 0)
		ui_arg(x->a, opt);
	else
		ui_arg2(x->a, opt, k->use & K_PATH ? abs_path(l.val, p) : l.val);
	return 0;
}

/* The config's keys of want onto a (nothing when there is no file). */
static void
args_of(struct ui_argv *a, unsigned want)
{
	struct args_ctx x = { a, want };

	if (exists() == 1 &&
	    text_lines(cfpath, "configuration file", arg_line, &x) != 0)
		a->err = 1;
}

void
ui_conn_args(struct ui_argv *a)
{
	args_of(a, K_CONN);
}

void
ui_backup_args(struct ui_argv *a)
{
	args_of(a, K_CONN | K_BACKUP);
}

uint64_t
ui_interval_ms(void)
{
	static struct ui_settings s;
	const char *why;
	uint64_t ms;

	if (ui_settings_read(&s, &why) < 0 || s.interval[0] == 0 ||
	    parse_hours(s.interval, &ms) < 0)
		return 0;
	return ms;
}

/* ---- writing ------------------------------------------------------------ */

static char old_text[UI_TEXT_MAX + 1];
static uint8_t new_text[UI_TEXT_MAX];
static uint8_t ext_text[UI_LIST_MAX * 80];

/* The lines of the old file the page does not edit, onto b. 0, or -1
 * when it cannot be read. */
static int
keep_others(struct buf *b)
{
	size_t i = 0, s, k;
	long n = 0;
	int fd = port_open_read(cfpath);
	const struct ui_key *key;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	n = port_read_full(fd, old_text, sizeof old_text);
	port_close(fd);
	if (n < 0 || (size_t)n == sizeof old_text)
		return -1;
	while (i < (size_t)n) {
		for (s = i; i < (size_t)n && old_text[i] != '\n'; i++)
			;
		for (k = s; k < i && (old_text[k] == ' ' ||
		    old_text[k] == '\t'); k++)
			;
		s = k;
		while (k < i && old_text[k] != ' ' && old_text[k] != '\t' &&
		    old_text[k] != '\r')
			k++;
		key = key_of(old_text + s, k - s);
		if (key == NULL || !(key->use & K_PAGE))
			buf_put(b, old_text + s, i - s + (i < (size_t)n));
		i++;
	}
	return 0;
}

/* "key value\n" onto b (nothing when value is ""). */
static void
line_out(struct buf *b, const char *key, const char *value)
{
	if (value[0] == 0)
		return;
	buf_puts(b, key);
	buf_putc(b, ' ');
	buf_puts(b, value);
	buf_putc(b, '\n');
}

/* The name of the extensions file beside the config, into out[cap]. */
static void
ext_name(char *out, size_t cap)
{
	snprintf(out, cap, "%s.extensions", strrchr(cfpath, '/') + 1);
}

/* The whole new config text into b. */
static void
compose(const struct ui_settings *s, struct buf *b)
{
	const struct ui_field *f;
	char num[24], ext[PATH_CAP];
	unsigned i;

	for (f = ui_fields; f < ui_fields + UI_FIELDS; f++)
		line_out(b, f->key, UI_FIELD(s, f));
	snprintf(num, sizeof num, "%u", s->port);
	line_out(b, "port", num);
	ext_name(ext, sizeof ext);
	if (s->next > 0)
		line_out(b, "extensions", ext);
	for (i = 0; i < s->nexcl; i++)
		line_out(b, "exclude", s->excl[i]);
	for (i = 0; i < 6; i++)
		if (s->keep[i] > 0) {
			snprintf(num, sizeof num, "keep-%s", ui_keep_names[i]);
			buf_puts(b, num);
			snprintf(num, sizeof num, " %u\n", s->keep[i]);
			buf_puts(b, num);
		}
}

/* The config's directory, made (0700) when missing: its descriptor. */
static int
open_cfdir(void)
{
	char p[PATH_CAP];
	size_t i;
	int fd = port_open_dir(cfdir);

	if (fd >= 0 || errno != ENOENT)
		return fd;
	memcpy(p, cfdir, sizeof p);
	for (i = 1; p[i] != 0; i++)
		if (p[i] == '/') {
			p[i] = 0;
			(void)port_mkdir(p, 0700);
			p[i] = '/';
		}
	(void)port_mkdir(p, 0700);
	return port_open_dir(cfdir);
}

/* Write n bytes of p as dfd/name durably (0600). 0 or -1. */
static int
replace(int dfd, const char *name, const void *p, size_t n)
{
	struct port_tmp t;

	if (port_tmp_open_as(&t, dfd, ".cairn-ui-", 0600) < 0)
		return -1;
	if (port_write_all(t.fd, p, n) < 0 || port_fchmod(t.fd, 0600) < 0) {
		port_tmp_abort(&t);
		return -1;
	}
	return port_tmp_commit(&t, name);
}

/* The extensions, one a line, into dfd/NAME.extensions. */
static int
write_ext(int dfd, const struct ui_settings *s)
{
	char name[PATH_CAP];
	struct buf b;
	unsigned i;

	buf_init(&b, ext_text, sizeof ext_text);
	buf_puts(&b, "# extensions backed up (cairn --ui)\n");
	for (i = 0; i < s->next; i++) {
		buf_puts(&b, s->ext[i]);
		buf_putc(&b, '\n');
	}
	ext_name(name, sizeof name);
	return b.err ? -1 : replace(dfd, name, b.p, b.len);
}

/* The pidfile line of the config, into ctx (PATH_CAP). */
static int
pid_line(void *ctx, char *s, size_t n, size_t line)
{
	struct line l;

	(void)line;
	split(s, n, &l);
	if (l.kn == 7 && memcmp(l.key, "pidfile", 7) == 0 && l.val[0] != 0)
		snprintf(ctx, PATH_CAP, "%s", l.val);
	return 0;
}

/* SIGHUP to the daemon the config's pidfile names: 1 if sent. */
static int
signal_daemon(void)
{
	char val[PATH_CAP], p[PATH_CAP], text[32];
	uint64_t pid;
	long n;
	int fd;

	val[0] = 0;
	if (text_lines(cfpath, "configuration file", pid_line, val) != 0 ||
	    val[0] == 0 || (fd = port_open_read(abs_path(val, p))) < 0)
		return 0;
	n = port_read_full(fd, text, sizeof text - 1);
	port_close(fd);
	if (n <= 0)
		return 0;
	text[n] = 0;
	text[strcspn(text, "\n")] = 0;
	if (parse_u64(text, 2, 0x7fffffff, &pid) < 0)
		return 0;
	return port_kill((long)pid, SIGHUP) == 0;
}

/* Why writing failed, in words, from errno. */
static const char *
write_why(void)
{
	return errno == EACCES || errno == EROFS || errno == EPERM ?
	    "the configuration file cannot be written there (permission "
	    "denied or a read-only filesystem)" : "the configuration file "
	    "cannot be written";
}

int
ui_settings_write(const struct ui_settings *s, int *reloaded,
    const char **why)
{
	struct buf b;
	int dfd, r;

	*reloaded = 0;
	buf_init(&b, new_text, sizeof new_text);
	if (keep_others(&b) < 0) {
		*why = "the configuration file cannot be read";
		return -1;
	}
	compose(s, &b);
	if (b.err) {
		*why = "the settings do not fit in 16 KiB";
		return -1;
	}
	if ((dfd = open_cfdir()) < 0) {
		*why = write_why();
		return -1;
	}
	r = (s->next > 0 && write_ext(dfd, s) < 0) ||
	    replace(dfd, strrchr(cfpath, '/') + 1, b.p, b.len) < 0 ? -1 : 0;
	if (r < 0)
		*why = write_why();
	port_close(dfd);
	if (r == 0)
		*reloaded = signal_daemon();
	return r;
}

#endif
