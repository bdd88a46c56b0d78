/*
 * ui.c — cairn --ui's HTTP server (ui.h): one process, the serve loop
 * without forking, a fixed slot per connection.
 *
 * A request is read into its slot's buffer (a head of at most
 * HTTP_HEAD_MAX bytes, within UI_HEADER_MS; a body of at most UI_BODY_MAX
 * with Content-Length, within UI_BODY_MS), checked, and answered at once
 * from the shared answer buffer; a quick read waits for its child
 * (ui_job.c) and an event stream stays open. Keep-alive is HTTP/1.1's;
 * an idle connection closes after UI_IDLE_MS. Every bad request is
 * answered with its status in words and the connection closed.
 *
 * Security (DESIGN.md, "The web UI"): the Host field must name the
 * listening address or loopback with its port (DNS rebinding); the token
 * printed at start is exchanged for a session cookie (HttpOnly,
 * SameSite=Strict); every other request needs the cookie; a POST also
 * needs X-Cairn-CSRF (an HMAC-SHA256 of its session under a key made at
 * start), Content-Type application/json and, when there is an Origin, the
 * same origin. No CORS headers; a strict Content-Security-Policy on
 * every answer. Nothing on disk is served.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "features.h"
#include "json.h"
#include "ui.h"

#if CAIRN_UI

#include <bearssl.h>

#include "port.h"
#include "serve.h"
#include "ui_tls.h"

#define UI_CONNS 20		/* connections served at once ... */
#define UI_STREAMS 4		/* ... of which event streams */
#define UI_SLOTS (UI_CONNS + 1)	/* one to admit into when full */
#define UI_SESSIONS 16		/* sessions kept; the oldest goes */
#define UI_HEADER_MS 10000	/* a head must come within this */
#define UI_BODY_MS 10000	/* and its body within this */
#define UI_IDLE_MS 60000	/* between requests */
#define UI_READ_MS 30000	/* a quick read's child */
#define UI_EVENT_MS 1000	/* an event stream looks at the job */
#define UI_KEEPALIVE_MS 15000	/* a comment on an idle stream */
#define UI_WRITE_MS 5000	/* one write of an answer */
#define UI_OUT_MAX (2 * UI_OUTPUT_MAX + 65536)	/* an answer's body */
#define UI_IN_MAX (HTTP_HEAD_MAX + UI_BODY_MAX + 1)
#define UI_HEX 65		/* 64 hex digits and a NUL */

enum { ST_HEAD, ST_BODY, ST_WAIT, ST_STREAM };

struct ui_conn {
	struct serve_slot *s;
	int state;
	int closing;		/* close after this answer */
	int broken;		/* a write failed */
	size_t have;		/* bytes in in[] */
	size_t headlen, bodylen;
	unsigned serial;	/* changes with each connection in the slot */
	uint64_t keepalive;	/* ST_STREAM: the next comment */
	unsigned seen;		/* ST_STREAM: the job generation sent */
	int ended;		/* ST_STREAM: "done" sent */
	struct ui_tls *tls;	/* NULL: plain */
	struct http_head h;
	char in[UI_IN_MAX];
};

static struct {
	const struct ui_args *a;
	char listen[SERVE_PEER];	/* as a Host field names it */
	unsigned port;
	int tls;
	char token[UI_HEX];
	uint8_t key[32];		/* the CSRF's */
	char sess[UI_SESSIONS][UI_HEX];
	unsigned next_sess;
	char dir[PATH_CAP];		/* the state directory */
	int lfd;
	unsigned serial;
	struct serve sv;
	struct serve_slot slot[UI_SLOTS];
	const char *extra;		/* more header lines for an answer */
	const char *encoding;		/* Content-Encoding, or NULL */
} ui;

static struct ui_conn conns[UI_SLOTS];
static uint8_t out_store[UI_OUT_MAX];
static struct buf outb;

/* The status lines the UI answers with, each after a '\n'. */
static const char reasons[] = "\n200 OK\n303 See Other\n400 Bad Request"
    "\n401 Unauthorized\n403 Forbidden\n404 Not Found"
    "\n405 Method Not Allowed\n408 Request Timeout\n409 Conflict"
    "\n411 Length Required\n413 Content Too Large\n414 URI Too Long"
    "\n431 Request Header Fields Too Large\n500 Internal Server Error"
    "\n501 Not Implemented\n502 Bad Gateway\n503 Service Unavailable"
    "\n504 Gateway Timeout\n505 HTTP Version Not Supported\n";

/* n random bytes as 2n hex digits into out[2n+1]: 0 or -1. */
static int
random_hex(char *out, size_t n)
{
	uint8_t b[32];

	if (n > sizeof b || port_random(b, n) < 0)
		return -1;
	ui_hex(out, b, n);
	return 0;
}

/* ---- answers -------------------------------------------------------- */

struct buf *
ui_out(void)
{
	buf_init(&outb, out_store, sizeof out_store);
	return &outb;
}

const struct buf *
ui_out_last(void)
{
	return &outb;
}

int
ui_tls(void)
{
	return ui.tls;
}

const char *
ui_dir(void)
{
	return ui.dir;
}

unsigned
ui_serial(const struct ui_conn *c)
{
	return c->serial;
}

/* All n bytes of p to c, each write within UI_WRITE_MS; a failure marks
 * it broken (it is closed after the answer). */
static void
send_all(struct ui_conn *c, const void *p, size_t n)
{
	const char *s = p;
	long r;

	if (c->tls != NULL) {
		if (!c->broken && ui_tls_write(c->tls, p, n) < 0)
			c->broken = 1;
		return;
	}
	while (n > 0 && !c->broken) {
		r = port_write(c->s->fd, s, n, UI_WRITE_MS);
		if (r <= 0) {
			c->broken = 1;
			return;
		}
		s += r;
		n -= (size_t)r;
	}
}

/* "NNN Reason" for status onto b. */
static void
put_status(struct buf *b, unsigned status)
{
	char code[8];
	const char *p;

	snprintf(code, sizeof code, "\n%u ", status);
	if ((p = find_str(reasons, code)) == NULL) {
		buf_puts(b, code + 1);
		buf_puts(b, "Error");
		return;
	}
	buf_put(b, p + 1, (size_t)(strchr(p + 1, '\n') - p - 1));
}

/* The status line and fields of an answer (length: -1 for a stream,
 * which ends when the connection closes). */
static void
send_head(struct ui_conn *c, unsigned status, const char *type, long length)
{
	static uint8_t store[2048];
	struct buf b;

	if (status >= 400)
		c->closing = 1;
	buf_init(&b, store, sizeof store);
	buf_puts(&b, "HTTP/1.1 ");
	put_status(&b, status);
	buf_puts(&b, "\r\nContent-Type: ");
	buf_puts(&b, type);
	if (ui.encoding != NULL) {
		buf_puts(&b, "\r\nContent-Encoding: ");
		buf_puts(&b, ui.encoding);
	}
	if (length >= 0) {
		buf_puts(&b, "\r\nContent-Length: ");
		buf_dec(&b, (uint64_t)length);
	}
	if (c->closing || length < 0)
		buf_puts(&b, "\r\nConnection: close");
	buf_puts(&b, "\r\nContent-Security-Policy: default-src 'self'; "
	    "frame-ancestors 'none'\r\nX-Content-Type-Options: nosniff\r\n"
	    "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n");
	if (ui.extra != NULL)
		buf_puts(&b, ui.extra);
	buf_puts(&b, "\r\n");
	ui.extra = ui.encoding = NULL;
	if (b.err)
		c->broken = 1;
	else
		send_all(c, b.p, b.len);
}

void
ui_answer(struct ui_conn *c, unsigned status, const char *type,
    const void *body, size_t n)
{
	send_head(c, status, type, (long)n);
	send_all(c, body, n);
	if (c->tls != NULL && !c->broken && ui_tls_flush(c->tls) < 0)
		c->broken = 1;
}

void
ui_json(struct ui_conn *c, unsigned status, const struct buf *b)
{
	if (b->err) {
		ui_error(c, 500, "the answer did not fit in its buffer");
		return;
	}
	ui_answer(c, status, "application/json", b->p, b->len);
}

void
ui_error(struct ui_conn *c, unsigned status, const char *words)
{
	static uint8_t store[1024];
	struct buf b;

	buf_init(&b, store, sizeof store);
	buf_puts(&b, "{\"error\":");
	json_put_str(&b, words, strlen(words));
	buf_puts(&b, "}\n");
	ui_answer(c, status, "application/json", b.p, b.len);
}

/* ---- sessions and the gate ------------------------------------------- */

/* The session the request's cookie names: its index, or -1. */
static int
session_of(const struct http_head *h)
{
	char sid[UI_HEX + 1];
	const char *v;
	size_t n;
	unsigned i;

	if ((v = http_field(h, "Cookie", &n)) == NULL ||
	    ui_cookie(v, n, "cairn_session", sid, sizeof sid) != 64)
		return -1;
	for (i = 0; i < UI_SESSIONS; i++)
		if (ui.sess[i][0] != 0 && ui_equal(ui.sess[i], sid, 64))
			return (int)i;
	return -1;
}

/* GET /?token=T: a new session and its cookie, or 403. */
static void
exchange(struct ui_conn *c, const char *target)
{
	static char extra[256];
	char tok[UI_HEX + 1], *sid;

	if (http_query(target, "token", tok, sizeof tok) != 64 ||
	    !ui_equal(tok, ui.token, 64)) {
		ui_error(c, 403, "wrong token: open the URL cairn --ui printed");
		return;
	}
	sid = ui.sess[ui.next_sess++ % UI_SESSIONS];
	if (random_hex(sid, 32) < 0) {
		sid[0] = 0;
		ui_error(c, 500, "no random bytes for a session");
		return;
	}
	snprintf(extra, sizeof extra, "Location: /\r\nSet-Cookie: "
	    "cairn_session=%s; HttpOnly; SameSite=Strict; Path=/%s\r\n", sid,
	    ui.tls ? "; Secure" : "");
	ui.extra = extra;
	ui_answer(c, 303, "text/plain", "", 0);
}

/* Whether a state-changing request carries its proofs: 0, or -1 with
 * the answer given. */
static int
check_post(struct ui_conn *c, int sess)
{
	const struct http_head *h = &c->h;
	const char *v, *host;
	char want[UI_HEX];
	size_t n, hn;

	host = http_field(h, "Host", &hn);
	if ((v = http_field(h, "Origin", &n)) != NULL &&
	    !ui_origin_ok(v, n, host, hn, ui.tls)) {
		ui_error(c, 403, "cross-origin request refused");
		return -1;
	}
	v = http_field(h, "Content-Type", &n);
	if (v == NULL || n < 16 || !ui_same_text(v, 16, "application/json") ||
	    (n > 16 && v[16] != ';' && v[16] != ' ')) {
		ui_error(c, 403, "a POST must be application/json");
		return -1;
	}
	ui_csrf(ui.key, ui.sess[sess], want);
	v = http_field(h, "X-Cairn-CSRF", &n);
	if (v == NULL || n != 64 || !ui_equal(v, want, 64)) {
		ui_error(c, 403, "missing or wrong X-Cairn-CSRF");
		return -1;
	}
	return 0;
}

/* Before the body: the Host, the session and, for a POST, its proofs.
 * 0 to go on, 1 when answered (the token exchange), -1 when refused. */
static int
gate(struct ui_conn *c)
{
	static const char nopage[] = "<!doctype html><title>cairn</title>"
	    "<p>Open the URL that <code>cairn --ui</code> printed (it holds "
	    "the token), or the one in the file ui-url beside the state.\n";
	const struct http_head *h = &c->h;
	const char *v;
	size_t n;
	int sess, get = strcmp(h->method, "GET") == 0;

	v = http_field(h, "Host", &n);
	if (!ui_host_ok(v, n, ui.listen, ui.port)) {
		ui_error(c, 403, "wrong Host: use the address cairn --ui "
		    "printed");
		return -1;
	}
	if (get && strncmp(h->target, "/?", 2) == 0 &&
	    http_query(h->target, "token", NULL, 0) != -1) {
		exchange(c, h->target);
		return 1;
	}
	if ((sess = session_of(h)) < 0) {
		if (get && strcmp(h->target, "/") == 0)
			ui_answer(c, 401, "text/html; charset=utf-8", nopage,
			    sizeof nopage - 1);
		else
			ui_error(c, 401, "no session: open the URL cairn --ui "
			    "printed");
		return -1;
	}
	c->s->auth = 1;
	if (!get && check_post(c, sess) < 0)
		return -1;
	return 0;
}

const char *
ui_req_csrf(const struct ui_req *r)
{
	static char v[UI_HEX];
	int sess = session_of(r->h);

	if (sess < 0)
		return "";
	ui_csrf(ui.key, ui.sess[sess], v);
	return v;
}

/* ---- requests ------------------------------------------------------------ */

/* GET of an embedded file, or 404. */
static void
static_file(struct ui_conn *c, const char *path)
{
	const char *name = strcmp(path, "/") == 0 ? "index.html" : path + 1;
	size_t i;

	for (i = 0; i < ui_nfiles; i++)
		if (strcmp(ui_files[i].name, name) == 0) {
			ui.encoding = "gzip";
			ui_answer(c, 200, ui_files[i].type, ui_files[i].gz,
			    ui_files[i].len);
			return;
		}
	ui_error(c, 404, "no such page");
}

/* An event stream's next words, if any are due. */
static void
stream_step(struct ui_conn *c)
{
	static const char keep[] = ": keepalive\n\n";
	struct buf *b;
	uint64_t now = port_ms();
	unsigned gen = ui_job_generation();

	if (gen != c->seen) {
		c->seen = gen;
		c->ended = ui_job_ended();
		b = ui_out();
		buf_puts(b, c->ended ? "event: done\ndata: " :
		    "event: progress\ndata: ");
		ui_job_json(b);
		buf_puts(b, "\n\n");
		if (!b->err)
			send_all(c, b->p, b->len);
		c->keepalive = now + UI_KEEPALIVE_MS;
	} else if (now >= c->keepalive) {
		send_all(c, keep, sizeof keep - 1);
		c->keepalive = now + UI_KEEPALIVE_MS;
	}
	if (c->tls != NULL && !c->broken && ui_tls_flush(c->tls) < 0)
		c->broken = 1;
	c->s->deadline = now + UI_EVENT_MS;
}

/* GET /api/events: room made (the oldest stream goes), the head sent. */
static void
stream_start(struct ui_conn *c)
{
	struct ui_conn *oldest = NULL;
	unsigned i, n = 0;

	for (i = 0; i < UI_SLOTS; i++)
		if (ui.slot[i].used && conns[i].state == ST_STREAM) {
			n++;
			if (oldest == NULL || conns[i].s->born <
			    oldest->s->born)
				oldest = &conns[i];
		}
	if (n >= UI_STREAMS && oldest != NULL)
		serve_drop(&ui.sv, oldest->s);
	send_head(c, 200, "text/event-stream", -1);
	c->state = ST_STREAM;
	c->seen = ui_job_generation() - 1;	/* the state now, at once */
	stream_step(c);
}

/* The whole request is in: answer it. UI_ANSWERED, UI_WAITING or
 * UI_STREAMING. */
static int
handle(struct ui_conn *c)
{
	char path[256];
	struct ui_req r;
	const char *q = strchr(c->h.target, '?');
	size_t n = q != NULL ? (size_t)(q - c->h.target) : strlen(c->h.target);
	int rc;

	if (n >= sizeof path) {
		ui_error(c, 404, "no such page");
		return UI_ANSWERED;
	}
	memcpy(path, c->h.target, n);
	path[n] = 0;
	r.c = c;
	r.h = &c->h;
	r.target = c->h.target;
	r.body = c->in + c->headlen;
	r.blen = c->bodylen;
	if (strcmp(c->h.method, "GET") == 0 &&
	    strcmp(path, "/api/events") == 0) {
		stream_start(c);
		return UI_STREAMING;
	}
	if (strncmp(path, "/api/", 5) == 0) {
		if ((rc = ui_api(&r, c->h.method, path)) < 0)
			ui_error(c, 404, "no such endpoint");
		return rc < 0 ? UI_ANSWERED : rc;
	}
	if (strcmp(c->h.method, "GET") != 0) {
		ui_error(c, 405, "only GET here");
		return UI_ANSWERED;
	}
	static_file(c, path);
	return UI_ANSWERED;
}

/* Answer a bad request with status and why, and close it. */
static int
refuse(struct ui_conn *c, unsigned status, const char *why)
{
	ui_error(c, status, why != NULL ? why : "bad request");
	return -1;
}

/* A head is whole at in[0..e): parse it, check it, wait for its body.
 * 0, or -1 to close. */
static int
take_head(struct ui_conn *c, long e)
{
	int g;

	if (http_parse_request(&c->h, c->in, (size_t)e) < 0)
		return refuse(c, c->h.error, c->h.why);
	c->headlen = (size_t)e;
	c->closing = c->h.close;
	if (c->h.chunked)
		return refuse(c, 411, "a body needs a Content-Length");
	if (c->h.has_length && c->h.length > UI_BODY_MAX)
		return refuse(c, 413, "the body is larger than 64 KiB");
	c->bodylen = c->h.has_length ? (size_t)c->h.length : 0;
	if ((g = gate(c)) != 0)
		return g < 0 || c->bodylen > 0 ? -1 : 1;
	c->state = ST_BODY;
	c->s->deadline = port_ms() + UI_BODY_MS;
	return 0;
}

/* Drop the request just answered, keeping what follows it. */
static void
consume(struct ui_conn *c)
{
	size_t n = c->headlen + c->bodylen;

	memmove(c->in, c->in + n, c->have - n);
	c->have -= n;
	c->headlen = c->bodylen = 0;
	c->state = ST_HEAD;
	c->s->deadline = port_ms() + (c->have ? UI_HEADER_MS : UI_IDLE_MS);
}

/* Read on from what is in the buffer: 0 to keep the connection, -1 to
 * close it. */
static int
advance(struct ui_conn *c)
{
	long e;
	int r;

	for (;;) {
		if (c->broken)
			return -1;
		if (c->state == ST_HEAD) {
			if ((e = http_head_end(c->in, c->have)) < 0)
				return refuse(c, http_head_too_long(c->in,
				    c->have), "the request's head is too long");
			if (e == 0)
				return c->have > HTTP_HEAD_MAX ? refuse(c, 431,
				    "the request's head is too long") : 0;
			if ((r = take_head(c, e)) != 0) {
				if (r < 0 || c->closing)
					return -1;
				consume(c);
				continue;
			}
		}
		if (c->have < c->headlen + c->bodylen)
			return 0;
		if ((r = handle(c)) != UI_ANSWERED)
			return c->broken ? -1 : 0;
		if (c->closing || c->broken)
			return -1;
		consume(c);
		if (c->have == 0)
			return 0;
	}
}

void
ui_resume(struct ui_conn *c)
{
	if (c->closing || c->broken) {
		serve_drop(&ui.sv, c->s);
		return;
	}
	consume(c);
	if (advance(c) < 0)
		serve_drop(&ui.sv, c->s);
}

/* ---- the loop's callbacks ---------------------------------------------- */

static struct ui_conn *
conn_of(struct serve_slot *s)
{
	return &conns[s - ui.slot];
}

static int
ui_admit(struct serve *sv, struct serve_slot *s, const struct serve_counts *n)
{
	struct ui_conn *c = conn_of(s);
	struct serve_slot *old;

	if (n->all >= UI_CONNS) {
		if ((old = serve_staller(sv, s->peer)) == NULL)
			return SERVE_DROP;
		serve_drop(sv, old);
	}
	memset(c, 0, offsetof(struct ui_conn, h));
	c->s = s;
	c->serial = ++ui.serial;
	s->deadline = port_ms() + UI_HEADER_MS;
	if (ui.tls && (c->tls = ui_tls_open(s - ui.slot, s->fd)) == NULL)
		return SERVE_DROP;
	return SERVE_SERVE;
}

static int
ui_readable(struct serve *sv, struct serve_slot *s)
{
	struct ui_conn *c = conn_of(s);
	size_t room = sizeof c->in - 1 - c->have;
	long n;

	(void)sv;
	if (c->tls != NULL) {
		n = ui_tls_read(c->tls, c->in + c->have, room);
		if (n == 0 && room > 0)
			return 0;	/* only handshake bytes so far */
	} else {
		n = port_read(s->fd, c->in + c->have, room, 0);
	}
	if (n <= 0)
		return -1;
	if (c->state == ST_HEAD && c->have == 0)
		s->deadline = port_ms() + UI_HEADER_MS;
	c->have += (size_t)n;
	if (c->state == ST_WAIT || c->state == ST_STREAM)
		return 0;	/* read once this answer is out */
	return advance(c);
}

static int
ui_deadline(struct serve *sv, struct serve_slot *s)
{
	struct ui_conn *c = conn_of(s);

	(void)sv;
	switch (c->state) {
	case ST_STREAM:
		stream_step(c);
		return c->broken ? -1 : 0;
	case ST_WAIT:
		ui_read_expire(c);
		return 0;
	case ST_HEAD:
		if (c->have == 0)
			return -1;	/* idle */
		break;
	}
	ui_error(c, 408, "the request took too long to arrive");
	return -1;
}

static void
ui_closed(struct serve *sv, struct serve_slot *s)
{
	struct ui_conn *c = conn_of(s);

	(void)sv;
	if (c->state == ST_WAIT)
		ui_read_forget(c);
	if (c->tls != NULL)
		ui_tls_close(c->tls);
	c->tls = NULL;
	c->state = ST_HEAD;
	c->serial = 0;
}

static void
ui_tick(struct serve *sv)
{
	(void)sv;
	ui_job_tick();
}

void
ui_wait(struct ui_conn *c)
{
	c->state = ST_WAIT;
	c->s->deadline = port_ms() + UI_READ_MS;
}

void
ui_close_all(void)
{
	unsigned i;

	port_close(ui.lfd);
	for (i = 0; i < UI_SLOTS; i++)
		if (ui.slot[i].used)
			port_close(ui.slot[i].fd);
}

static const struct serve_class ui_vt = {
	ui_admit, NULL, ui_readable, ui_deadline, ui_closed, NULL, NULL,
	ui_tick
};

/* ---- starting -------------------------------------------------------- */

/* Whether host (brackets gone) is a loopback address. */
static int
loopback(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "localhost") == 0;
}

/* --listen ADDR:PORT into host[cap] and ui.port, ui.listen. 0 or -1. */
static int
parse_listen(const char *s, char *host, size_t cap)
{
	const char *colon = strrchr(s, ':');
	uint64_t port;
	size_t n;

	if (colon == NULL || parse_u64(colon + 1, 1, 65535, &port) < 0)
		return -1;
	n = (size_t)(colon - s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	} else if (memchr(s, ':', n) != NULL) {
		return -1;	/* IPv6 needs brackets */
	}
	if (n == 0 || n >= cap || n >= 64)
		return -1;
	memcpy(host, s, n);
	host[n] = 0;
	ui.port = (unsigned)port;
	snprintf(ui.listen, sizeof ui.listen, "%s%s%s:%u",
	    strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
	    ui.port);
	return 0;
}

/* The URL with its token: printed, and into ui-url (0600). */
static void
announce(void)
{
	char url[SERVE_PEER + 128], name[PATH_CAP + 16];
	struct port_tmp t;
	int dfd, n;

	n = snprintf(url, sizeof url, "%s://%s/?token=%s\n", ui.tls ?
	    "https" : "http", ui.listen, ui.token);
	msg("web UI at %.*s", n - 1, url);
	snprintf(name, sizeof name, "%s", ui.dir);
	if ((dfd = port_open_dir(name)) < 0 ||
	    port_tmp_open(&t, dfd, 0600) < 0) {
		msg("cannot write %s/ui-url: %s", ui.dir, strerror(errno));
		if (dfd >= 0)
			port_close(dfd);
		return;
	}
	if (port_write_all(t.fd, url, (size_t)n) < 0 ||
	    port_tmp_commit(&t, "ui-url") < 0)
		msg("cannot write %s/ui-url: %s", ui.dir, strerror(errno));
	port_close(dfd);
}

/* The state directory: beside --state, or the default one. */
static void
find_dir(const char *state)
{
	const char *slash = state != NULL ? strrchr(state, '/') : NULL;

	if (slash == NULL) {
		state_dir(ui.dir, sizeof ui.dir);
		return;
	}
	snprintf(ui.dir, sizeof ui.dir, "%.*s", (int)(slash - state),
	    slash == state ? "/" : state);
}

/* Listen where asked, over TLS when not loopback. 0, or exits 2. */
static void
open_listener(const struct ui_args *a)
{
	char host[64];

	if (parse_listen(a->listen ? a->listen : UI_LISTEN_DEFAULT, host,
	    sizeof host) < 0)
		die(EXIT_USAGE, "--listen wants ADDR:PORT with a numeric "
		    "address (IPv6 in brackets) and a port 1..65535");
	if (!loopback(host) && a->cert == NULL)
		die(EXIT_USAGE, "--listen %s is not a loopback address: the web "
		    "UI is served there only over TLS, with --ui-cert and "
		    "--ui-key (tools/gen-certs.sh --ui NAME DIR makes them), "
		    "or reach it with ssh -L", a->listen);
	if (!loopback(host))
		msg("warning: the web UI listens on %s, beyond this machine: "
		    "anyone who gets its URL can change your backups", host);
	if (a->cert != NULL) {
		if (ui_tls_init(a->cert, a->key) < 0)
			exit(EXIT_USAGE);
		ui.tls = 1;
	}
	ui.lfd = port_tcp_listen(host, ui.port, 64);
	if (ui.lfd < 0)
		die(EXIT_USAGE, "cannot listen on %s: %s", ui.listen,
		    strerror(errno));
}

int
ui_run(const struct ui_args *a)
{
	ui.a = a;
	if (ui_config_init(a->config) < 0)
		return EXIT_USAGE;
	find_dir(a->state);
	open_listener(a);
	if (random_hex(ui.token, 32) < 0 || port_random(ui.key, 32) < 0)
		die(EXIT_USAGE, "no random bytes: %s", strerror(errno));
	port_ignore_sigpipe();
	announce();
	if (serve_init(&ui.sv, &ui_vt, NULL, ui.lfd, 0, ui.slot,
	    UI_SLOTS) < 0)
		die(EXIT_USAGE, "cannot start the loop");
	serve_signals();
	serve_run(&ui.sv);
	port_close(ui.lfd);
	wipe(ui.key, sizeof ui.key);
	return 0;
}

#else

int
ui_run(const struct ui_args *a)
{
	(void)a;
	die(EXIT_USAGE, "this cairn was built without the web UI (--ui)");
}

#endif
