/*
 * ui_form.c — the settings the page sends (POST /api/settings): one JSON
 * object read with jsmn into a fixed token array, each field checked
 * (a readable source directory, a port, extensions and exclusions that
 * parse, hours) and refused in words, field by field. Strings are
 * decoded by json.c (json_tok_str over a one-token view).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "features.h"
#include "ui.h"

#if CAIRN_UI

#include "glob.h"
#include "json.h"
#include "port.h"
#include "proto.h"

#define UI_TOKENS 512		/* a settings body's JSON tokens */

const char *const ui_keep_names[6] = { "last", "hourly", "daily",
	"weekly", "monthly", "yearly" };

static jsmntok_t tok[UI_TOKENS];
static int ntok;		/* tokens in tok[] */

/* The index after the value at i and all it holds. */
static int
skip(int i)
{
	int left = 1;

	while (left > 0 && i < ntok)
		left += tok[i++].size - 1;
	return i;
}

/* The string token i decoded into out[cap]: 0, or -1. */
static int
tok_str(const char *src, size_t n, int i, char *out, size_t cap)
{
	static struct json view;

	if (i >= ntok || tok[i].type != JSMN_STRING)
		return -1;
	view.src = src;
	view.len = n;
	view.ntok = 1;
	view.tok[0] = tok[i];
	return json_tok_str(&view, 0, out, cap, NULL);
}

/* A number token i (or a string of digits) in 0..max into *v. */
static int
tok_num(const char *src, int i, uint64_t max, uint64_t *v)
{
	char d[24];
	size_t n;

	if (i >= ntok)
		return -1;
	n = (size_t)(tok[i].end - tok[i].start);
	if ((tok[i].type != JSMN_PRIMITIVE && tok[i].type != JSMN_STRING) ||
	    n == 0 || n >= sizeof d)
		return -1;
	memcpy(d, src + tok[i].start, n);
	d[n] = 0;
	return parse_u64(d, 0, max, v);
}

/* Why s cannot be a value in the config file, or NULL. */
static const char *
bad_value(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "holds a control character (a line break?)";
	if (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		return "begins or ends with a blank";
	return NULL;
}

/* One field error: "name":"words". */
static void
field_err(struct buf *f, const char *name, const char *words)
{
	json_put_key(f, name, f->len == 0);
	json_put_str(f, words, strlen(words));
}

/* Why the source directory will not do, or NULL. */
static const char *
bad_source(const char *p)
{
	int fd;

	if (p[0] == 0)
		return "a source directory is required";
	if (p[0] != '/')
		return "give an absolute path (from /)";
	if ((fd = port_open_dir(p)) < 0)
		return errno == ENOENT ? "no such directory" : errno == ENOTDIR ?
		    "not a directory" : errno == EACCES ? "cannot be read "
		    "(permission denied)" : "cannot be opened";
	port_close(fd);
	return NULL;
}

/* Why an extension will not do, or NULL. */
static const char *
bad_ext(const char *e)
{
	size_t n = strlen(e);

	if (n == 0 || n >= 63 || e[0] == '#' || strchr(e, '/') != NULL ||
	    strchr(e, ' ') != NULL || bad_value(e) != NULL)
		return "an extension is a word such as txt or .jpg (no "
		    "blanks, no '/', not '#')";
	return NULL;
}

/* Why an exclusion will not do, or NULL. */
static const char *
bad_excl(const char *x)
{
	if (x[0] == 0 || bad_value(x) != NULL)
		return "an exclusion may not be empty, hold a control "
		    "character or begin or end with a blank";
	if (!glob_ok(x, strlen(x)))
		return "not a pattern: an unclosed '[' or a lone '\\' at the "
		    "end";
	return NULL;
}

/* Why a fingerprint will not do, or NULL: "" or 64 hex digits, colons
 * allowed. */
static const char *
bad_fp(const char *f)
{
	size_t i, hex = 0;

	for (i = 0; f[i] != 0; i++) {
		if (hexval(f[i]) >= 0)
			hex++;
		else if (f[i] != ':')
			return "64 hex digits (colons allowed) or nothing";
	}
	return hex == 0 || hex == 64 ? NULL :
	    "64 hex digits (colons allowed) or nothing";
}

/* A list (array of strings) at i into list[UI_LIST_MAX][cap], checked
 * each by bad; its count into *n. */
static void
take_list(const char *src, size_t len, int i, char *list, size_t cap,
    unsigned *n, const char *(*bad)(const char *), const char *name,
    struct buf *f)
{
	int k, j = i + 1;
	const char *why = NULL;

	*n = 0;
	if (tok[i].type != JSMN_ARRAY) {
		field_err(f, name, "a list of strings");
		return;
	}
	for (k = 0; k < tok[i].size && why == NULL; k++, j = skip(j)) {
		if (*n == UI_LIST_MAX)
			why = "too many (at most 64)";
		else if (tok_str(src, len, j, list + *n * cap, cap) < 0)
			why = "each must be a string, not too long";
		else
			why = bad(list + (*n)++ * cap);
	}
	if (why != NULL)
		field_err(f, name, why);
}

/* A string field at i into out[cap], checked with bad (or NULL). */
static void
take_str(const char *src, size_t len, int i, char *out, size_t cap,
    const char *(*bad)(const char *), const char *name, struct buf *f)
{
	const char *why;

	if (tok_str(src, len, i, out, cap) < 0)
		why = "must be a string, not too long";
	else if ((why = bad_value(out)) == NULL && bad != NULL)
		why = bad(out);
	if (why != NULL)
		field_err(f, name, why);
}

/* Why a server will not do, or NULL. */
static const char *
bad_server(const char *s)
{
	if (s[0] == 0)
		return "a server (address or name) is required";
	return strchr(s, ' ') || strchr(s, '\t') ? "no blanks in a name" :
	    NULL;
}

/* Why an interval will not do, or NULL. */
static const char *
bad_interval(const char *s)
{
	uint64_t ms;

	return s[0] == 0 || parse_hours(s, &ms) == 0 ? NULL :
	    "hours, e.g. 6 or 0.5, or nothing for none";
}

/* The keep object at i. */
static void
take_keep(const char *src, size_t n, int i, struct ui_settings *s,
    struct buf *f)
{
	char name[16];
	uint64_t v;
	int k, j = i + 1, m;

	if (tok[i].type != JSMN_OBJECT) {
		field_err(f, "keep", "an object of counts");
		return;
	}
	for (k = 0; k < tok[i].size; k++, j = skip(j + 1)) {
		if (tok_str(src, n, j, name, sizeof name) < 0)
			continue;
		for (m = 0; m < 6 && strcmp(name, ui_keep_names[m]) != 0; m++)
			;
		if (m == 6)
			continue;
		if (tok_num(src, j + 1, RETAIN_MAX, &v) < 0)
			field_err(f, "keep", "each a count, 0..1000000");
		else
			s->keep[m] = (unsigned)v;
	}
}

#define F(j, k, m, bad) { j, k, offsetof(struct ui_settings, m), \
	sizeof ((struct ui_settings *)0)->m, bad }
const struct ui_field ui_fields[UI_FIELDS] = {
	F("server", "server", server, bad_server),
	F("server_name", "server-name", server_name, bad_server),
	F("server_fingerprint", "server-fingerprint", fingerprint, bad_fp),
	F("source", "source", source, bad_source),
	F("interval", "interval", interval, bad_interval),
	F("post_hook", "post-hook", post_hook, NULL),
};
#undef F

/* The value at i for the key name. */
static void
take(const char *src, size_t n, const char *name, int i,
    struct ui_settings *s, struct buf *f)
{
	const struct ui_field *u;
	uint64_t v;

	for (u = ui_fields; u < ui_fields + UI_FIELDS; u++)
		if (strcmp(name, u->json) == 0) {
			take_str(src, n, i, UI_FIELD(s, u), u->cap, u->bad,
			    u->json, f);
			return;
		}
	if (strcmp(name, "port") == 0) {
		if (tok_num(src, i, 65535, &v) < 0 || v == 0)
			field_err(f, "port", "a port is 1..65535");
		else
			s->port = (unsigned)v;
	} else if (strcmp(name, "extensions") == 0)
		take_list(src, n, i, s->ext[0], sizeof s->ext[0], &s->next,
		    bad_ext, "extensions", f);
	else if (strcmp(name, "exclude") == 0)
		take_list(src, n, i, s->excl[0], sizeof s->excl[0], &s->nexcl,
		    bad_excl, "exclude", f);
	else if (strcmp(name, "keep") == 0)
		take_keep(src, n, i, s, f);
}

int
ui_settings_parse(struct ui_settings *s, const char *body, size_t n,
    struct buf *fields)
{
	static char name[32];
	jsmn_parser p;
	int r, i, k, seen = 0;

	memset(s, 0, sizeof *s);
	s->port = CAIRN_PORT;
	jsmn_init(&p);
	r = jsmn_parse(&p, body, n, tok, UI_TOKENS);
	ntok = r > 0 ? r : 0;
	if (r < 1 || tok[0].type != JSMN_OBJECT) {
		field_err(fields, "body", "not one JSON object (or too large)");
		return -1;
	}
	for (k = 0, i = 1; k < tok[0].size && i + 1 < r; k++) {
		if (tok_str(body, n, i, name, sizeof name) == 0) {
			seen |= strcmp(name, "server") == 0 ? 1 :
			    strcmp(name, "source") == 0 ? 2 : 0;
			take(body, n, name, i + 1, s, fields);
		}
		i = skip(i + 1);
	}
	if (!(seen & 1))
		field_err(fields, "server", "a server (address or name) is "
		    "required");
	if (!(seen & 2))
		field_err(fields, "source", "a source directory is required");
	return fields->len == 0 && !fields->err ? 0 : -1;
}

#endif
