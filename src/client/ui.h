/*
 * ui.h — cairn --ui: a small HTTP/1.1 server in the client for the web
 * page (features.h's CAIRN_UI), on the serve loop without forking.
 *
 * The parts:
 *	ui.c		listening, connections, requests, the security checks,
 *			answers, the embedded files, event streams
 *	ui_api.c	the JSON endpoints, one table row each
 *	ui_job.c	commands run in a child process (client_main): jobs
 *			in the background, quick reads that a request waits
 *			for, the history of runs, the scheduler
 *	ui_settings.c	the --config file read, checked and written back
 *
 * The API is in the man page (cairn(1), WEB UI) and DESIGN.md.
 */
#ifndef CAIRN_UI_H
#define CAIRN_UI_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "features.h"
#include "http.h"
#include "util.h"

#define UI_LISTEN_DEFAULT "127.0.0.1:8480"

/* --ui's options (NULL when not given). */
struct ui_args {
	const char *listen;	/* ADDR:PORT */
	const char *cert, *key;	/* --ui-cert, --ui-key */
	const char *config;	/* --config, the settings' file */
	const char *state;	/* --state: the UI's files go beside it */
};

/* Serve the page until SIGTERM or SIGINT: the exit status (2 when it
 * cannot start, with a message). */
int ui_run(const struct ui_args *a);

/* The page's files, gzip-compressed, made at build time from src/client/ui/
 * (the page's generated table; name without the leading '/'). */
struct ui_file {
	const char *name, *type;
	const unsigned char *gz;
	size_t len;
};
extern const struct ui_file ui_files[];
extern const size_t ui_nfiles;

#if CAIRN_UI

#define UI_BODY_MAX 65536	/* a request's body */
#define UI_OUTPUT_MAX 262144	/* what a child's output file is read to */

/* ---- ui.c: requests and answers -------------------------------------- */

struct ui_conn;

/* One request, as a handler sees it. */
struct ui_req {
	struct ui_conn *c;
	const struct http_head *h;
	const char *target;	/* "/api/ls?target=..." */
	const char *body;	/* the body (not NUL-terminated: what
				 * follows may be the next request) */
	size_t blen;
};

/* What a handler returns. */
enum { UI_ANSWERED, UI_WAITING, UI_STREAMING };

/* The shared buffer answers are built in, emptied. */
struct buf *ui_out(void);
/* The same, as the handler left it. */
const struct buf *ui_out_last(void);
/* Answer status with n bytes of body of the content type. */
void ui_answer(struct ui_conn *c, unsigned status, const char *type,
    const void *body, size_t n);
/* Answer status with the JSON in b. */
void ui_json(struct ui_conn *c, unsigned status, const struct buf *b);
/* Answer status with {"error":"words"}. */
void ui_error(struct ui_conn *c, unsigned status, const char *words);
/* A request that waited (UI_WAITING) has been answered: go on with the
 * connection (the next request, or close it). */
void ui_resume(struct ui_conn *c);
/* The request on c waits for a quick read (ui_job.c calls it). */
void ui_wait(struct ui_conn *c);
/* Close every descriptor of the server (in a child, after fork). */
void ui_close_all(void);
/* Whether the server speaks TLS; the state directory (no trailing '/'). */
int ui_tls(void);
const char *ui_dir(void);
/* Whether the connection c is still the one that waited as serial. */
unsigned ui_serial(const struct ui_conn *c);

/* The pure checks, for the unit tests. The Host field v[n] against
 * the listening "addr:port" (IPv6 in brackets) and port: 1 if allowed. */
int ui_host_ok(const char *v, size_t n, const char *listen, unsigned port);
/* The Origin field o[n] against the Host h[hn] and the scheme: 1 if it
 * names the same origin. */
int ui_origin_ok(const char *o, size_t n, const char *h, size_t hn,
    int tls);
/* The value of the cookie name in the Cookie field v[n] into out[cap]:
 * its length, or -1. */
long ui_cookie(const char *v, size_t n, const char *name, char *out,
    size_t cap);
/* 1 if v[n] is exactly s, letters in any case. */
int ui_same_text(const char *v, size_t n, const char *s);
/* 1 if a[n] and b[n] are equal, in time independent of where they
 * differ. */
int ui_equal(const char *a, const char *b, size_t n);
/* n bytes as 2n lower-case hex digits and a NUL into out. */
void ui_hex(char *out, const uint8_t *p, size_t n);
/* The CSRF value of session sid (64 hex) under key[32] into out[65]. */
void ui_csrf(const uint8_t key[32], const char *sid, char out[65]);

/* ---- ui_api.c: the endpoints ------------------------------------------ */

/* The endpoint for method and path ("/api/..."), run: UI_ANSWERED, ...;
 * -1 when there is none (the caller answers 404 or 405). */
int ui_api(struct ui_req *r, const char *method, const char *path);
/* The GET /api/session answer's CSRF value for the request's session. */
const char *ui_req_csrf(const struct ui_req *r);

/* ---- ui_job.c: commands in a child ------------------------------------ */

#define UI_ARGS 160		/* a command's arguments */
#define UI_ARGTEXT 32768	/* ... and their bytes */

/* A command line for client_main, built in caller storage. */
struct ui_argv {
	int argc;
	int err;		/* set once something did not fit */
	char *argv[UI_ARGS + 1];
	size_t used;
	char text[UI_ARGTEXT];
};

void ui_argv_init(struct ui_argv *a);
/* Add one argument (copied). */
void ui_arg(struct ui_argv *a, const char *s);
/* Add "--key" and value. */
void ui_arg2(struct ui_argv *a, const char *key, const char *value);

/* Start the background job kind ("backup", ...) with a: its number, or
 * 0 with *why words (a job is running, cannot fork). */
unsigned ui_job_start(const char *kind, const struct ui_argv *a,
    const char **why);
/* Run a quick read for c: its output answers c when the child ends
 * (UI_WAITING), or an error answers it now (UI_ANSWERED). */
int ui_read_start(struct ui_conn *c, const struct ui_argv *a);
/* The connection c has gone: forget any read it waits for. */
void ui_read_forget(struct ui_conn *c);
/* A read's deadline passed: stop it and answer 504. */
void ui_read_expire(struct ui_conn *c);
/* Reap children, finish what ended, run the scheduler when due. */
void ui_job_tick(void);
/* The job as /api/job says it, into b. */
void ui_job_json(struct buf *b);
/* A number that changes whenever what ui_job_json says may have; and
 * whether the last job has ended. */
unsigned ui_job_generation(void);
int ui_job_ended(void);
/* The history as /api/history says it, into b. */
void ui_history_json(struct buf *b);
/* Turn the UI's own scheduler on or off; the next run's time (0: off). */
int64_t ui_schedule(int on);

/* ---- ui_settings.c: the --config file --------------------------------- */

#define UI_LIST_MAX 64		/* extensions, exclusions */
#define UI_VALUE_MAX 1024	/* a value */

/* What the page edits, and what the commands are told. */
struct ui_settings {
	char server[256], server_name[256], fingerprint[128];
	unsigned port;
	char source[PATH_CAP];
	unsigned next, nexcl;
	char ext[UI_LIST_MAX][64];
	char excl[UI_LIST_MAX][256];
	char interval[32];	/* hours, "" for none */
	unsigned keep[6];	/* last, hourly, daily, weekly, monthly,
				 * yearly */
	char post_hook[UI_VALUE_MAX];
};

/* The retention counts' names, in struct ui_settings's keep[] order. */
extern const char *const ui_keep_names[6];

/* The settings that are one string each: the page's name, the config
 * key, where it sits in struct ui_settings and its room, and its check
 * (NULL: any value a config line can hold). */
struct ui_field {
	const char *json, *key;
	unsigned short off, cap;
	const char *(*bad)(const char *);
};
#define UI_FIELDS 6
extern const struct ui_field ui_fields[UI_FIELDS];
#define UI_FIELD(s, f) ((char *)(s) + (f)->off)

/* The config file's path (given or the default): NULL when there is no
 * way to name one. */
const char *ui_config_path(void);
/* Set the config path from --config (NULL: the default). 0 or -1. */
int ui_config_init(const char *given);
/* The settings from the config file (defaults when it does not exist):
 * 0, or -1 with *why. */
int ui_settings_read(struct ui_settings *s, const char **why);
/* The settings as /api/settings says them, into b. */
void ui_settings_json(const struct ui_settings *s, struct buf *b);
/* Parse a POST body into s (checked field by field): 0, or -1 with the
 * field errors as a JSON object's members in fields ("name":"words",
 * ...). */
int ui_settings_parse(struct ui_settings *s, const char *body, size_t n,
    struct buf *fields);
/* Write s to the config file durably; 0, or -1 with *why. *reloaded 1
 * when a daemon named by the file's pidfile was sent SIGHUP. */
int ui_settings_write(const struct ui_settings *s, int *reloaded,
    const char **why);
/* The options that reach the server, from the config file, onto a:
 * --server ... --cert ... --state ... */
void ui_conn_args(struct ui_argv *a);
/* The same and a backup's: --source, --extensions, ... */
void ui_backup_args(struct ui_argv *a);
/* The interval in milliseconds (0: none); the post-hook ("" none). */
uint64_t ui_interval_ms(void);

#endif /* CAIRN_UI */
#endif
