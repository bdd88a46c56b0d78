/*
 * s3.c — requests of the S3 client (s3.h): each one a struct rq, made
 * into a signed HTTP/1.1 head (s3_sign.c), sent with its body streamed,
 * its answer's head parsed (http.h) and its body read through fixed
 * buffers — into the XML reader (s3_xml.c) for listings, multipart
 * results and error replies, or left to the caller for a GET. One loop,
 * s3_do, retries with back-off; the connection (s3_conn.c) is kept
 * alive between requests.
 */
#include "features.h"

#if CAIRN_S3

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "port.h"
#include "s3.h"
#include "s3_conn.h"
#include "s3_sign.h"
#include "s3_xml.h"
#include "util.h"

#define EMPTY_SHA \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define XML_MAX (8u << 20)	/* an XML answer (a list page: ~300 KiB) */
#define ERR_MAX (64u << 10)	/* an error reply */

enum { F_NONE, F_LENGTH, F_CHUNKED, F_CLOSE };	/* framing of a body */
/* How an attempt ended; R_STALE: a kept-alive connection turned out
 * closed by the peer before a byte of the answer (its idle timeout). */
enum { R_ANSWER, R_RETRY, R_FATAL, R_STOPPED, R_STALE };

/* One request, as the operations below describe it. */
struct rq {
	const char *method;
	const char *key;		/* below the prefix; NULL: the bucket */
	struct s3_param q[6];
	unsigned nq;
	const struct s3_body *body;
	const char *sha;		/* the body's SHA-256 in hex; NULL:
					 * UNSIGNED-PAYLOAD, or none's */
	unsigned flags;
	const char *if_match;
	uint64_t from;			/* GET from this byte */
	int stream;			/* GET: body left to s3_get_read */
	s3_xml_fn *xml;			/* a 2xx body is XML for this */
	void *xml_arg;
};

/* ---- the request's head ------------------------------------------------- */

/* x-amz-date's form of now: 20130524T000000Z. */
static void
amz_date(char out[17])
{
	int64_t t = port_time(), y;
	unsigned m, d;
	int64_t secs = ((t % 86400) + 86400) % 86400;

	civil_date((t - secs) / 86400, &y, &m, &d);
	snprintf(out, 17, "%04u%02u%02uT%02u%02u%02uZ", (unsigned)y % 10000,
	    m, d, (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60),
	    (unsigned)(secs % 60));
}

/* An ETag fit for a field or an XML body: hex digits, letters, '-'. */
static int
etag_ok(const char *e)
{
	size_t n = strlen(e);

	return n > 0 && n < S3_ETAG_MAX && strspn(e,
	    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")
	    == n;
}

/* "/bucket[/prefix+key]", encoded, into uri[cap]: 0, or -1. */
static int
make_uri(struct s3 *s, const char *key, char *uri, size_t cap)
{
	char full[S3_PREFIX_MAX + S3_KEY_MAX + 1];
	int w;

	w = snprintf(uri, cap, "/%s", s->bucket);
	if (key == NULL)
		return 0;
	if (key[0] == 0 || strlen(key) > S3_KEY_MAX) {
		snprintf(s->err, sizeof s->err, "an S3 key that is empty or "
		    "over %d bytes", S3_KEY_MAX);
		return -1;
	}
	snprintf(full, sizeof full, "%s%s", s->prefix, key);
	uri[w++] = '/';
	return http_pct_encode(full, strlen(full), uri + w, cap - (size_t)w,
	    1) < 0 ? -1 : 0;
}

/* The optional fields of rq's head into p[cap]: its length, or -1. */
static int
extra_fields(const struct rq *rq, char *p, size_t cap)
{
	size_t len = 0;
	int w = 0;

	if (cap > 0)
		p[0] = 0;	/* a GET or DELETE has none */
	if (rq->body != NULL || strcmp(rq->method, "PUT") == 0 ||
	    strcmp(rq->method, "POST") == 0)
		w = snprintf(p, cap, "Content-Length: %llu\r\n",
		    (unsigned long long)(rq->body ? rq->body->len : 0));
	len += (size_t)w;
	if (rq->from > 0 && len < cap)
		len += (size_t)snprintf(p + len, cap - len, "Range: bytes=%llu-\r\n",
		    (unsigned long long)rq->from);
	if ((rq->flags & S3_IF_NONE_MATCH) && len < cap)
		len += (size_t)snprintf(p + len, cap - len, "If-None-Match: *\r\n");
	if (rq->if_match != NULL && len < cap)
		len += (size_t)snprintf(p + len, cap - len, "If-Match: %s\r\n",
		    rq->if_match);
	return len < cap ? (int)len : -1;
}

/* rq's whole head, signed, into s->out: its length, or -1 (s->err). */
static long
make_head(struct s3 *s, const struct rq *rq)
{
	char uri[S3_OUT / 2], qs[S3_QUERY_MAX], date[17], auth[S3_SIGN_AUTH_MAX];
	char extra[256];
	const char *payload = rq->sha ? rq->sha : rq->body ? "UNSIGNED-PAYLOAD" :
	    EMPTY_SHA;
	struct s3_hdr h[3] = { { "host", s->authority },
	    { "x-amz-content-sha256", payload }, { "x-amz-date", date } };
	struct s3_sign_in in = { rq->method, uri, qs, h, 3, payload, date,
	    s->region, s->access, s->secret };
	int w, x;

	if (rq->if_match != NULL && !etag_ok(rq->if_match)) {
		snprintf(s->err, sizeof s->err, "an If-Match ETag that is not "
		    "hex digits and letters");
		return -1;
	}
	amz_date(date);
	if (make_uri(s, rq->key, uri, sizeof uri) < 0)
		goto big;
	if (s3_sign_query(rq->q, rq->nq, qs, sizeof qs) < 0 ||
	    s3_sign(&in, auth, sizeof auth) < 0 ||
	    (x = extra_fields(rq, extra, sizeof extra)) < 0)
		goto big;
	w = snprintf(s->out, sizeof s->out, "%s %s%s%s HTTP/1.1\r\n"
	    "Host: %s\r\nx-amz-date: %s\r\nx-amz-content-sha256: %s\r\n"
	    "Authorization: %s\r\n%s\r\n", rq->method, uri, qs[0] ? "?" : "",
	    qs, s->authority, date, payload, auth, extra);
	if (w > 0 && (size_t)w < sizeof s->out)
		return w;
big:
	if (s->err[0] == 0)
		snprintf(s->err, sizeof s->err, "an S3 request too large for "
		    "its buffer");
	return -1;
}

/* ---- the answer ----------------------------------------------------------- */

/* Bytes of the body of the answer being read into p[cap]: the count, 0
 * at its end, -1 when the connection fails or the framing is bad. */
static long
body_read(struct s3 *s, void *p, size_t cap)
{
	size_t used;
	long n, k;

	switch (s->framing) {
	case F_LENGTH:
		if (s->left == 0)
			return 0;
		if (cap > s->left)
			cap = (size_t)s->left;
		n = s3c_read(s, p, cap);
		if (n <= 0)
			return -1;
		s->left -= (uint64_t)n;
		return n;
	case F_CLOSE:
		return s3c_read(s, p, cap);
	case F_CHUNKED:
		while (!s->chunk.done) {
			n = s3c_read(s, p, cap);
			if (n <= 0)
				return -1;
			k = http_unchunk(&s->chunk, p, (size_t)n, &used);
			if (k < 0)
				return -1;
			if (used < (size_t)n)
				s->keep = 0;	/* bytes past the body */
			if (k > 0)
				return k;
		}
		return 0;
	}
	return 0;
}

/* The body is through: keep the connection for the next request, or
 * drop it when it cannot carry one. */
static void
body_end(struct s3 *s)
{
	if (!s->keep || s->in_off != s->in_len)
		s3c_drop(s);
	s->in_off = s->in_len = 0;
}

/* The quotes off an ETag value v[n], into etag. */
static void
unquote(char etag[S3_ETAG_MAX], const char *v, size_t n)
{
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
		v++, n -= 2;
	if (n >= S3_ETAG_MAX)
		n = 0;
	memcpy(etag, v, n);
	etag[n] = 0;
}

/* Read the answer's head into s->head and a: R_ANSWER, or R_RETRY. */
static int
read_head(struct s3 *s, const struct rq *rq, struct s3_answer *a)
{
	long end = 0, n;
	size_t vlen;
	const char *v;

	s->in_off = s->in_len = 0;
	for (;;) {
		while ((end = http_head_end((char *)s->in, s->in_len)) == 0) {
			if (s->in_len == sizeof s->in)
				break;
			n = s3c_recv(s, s->in + s->in_len,
			    sizeof s->in - s->in_len);
			if (n <= 0) {
				s3c_why(s, "no answer from");
				return R_RETRY;
			}
			s->in_len += (size_t)n;
		}
		if (end <= 0 || http_parse_response(&s->head, (char *)s->in,
		    (size_t)end) < 0) {
			snprintf(s->err, sizeof s->err, "a malformed answer "
			    "from %.64s:%u", s->host, s->port);
			return R_RETRY;
		}
		s->in_off = (size_t)end;
		if (s->head.status >= 200)
			break;
		memmove(s->in, s->in + end, s->in_len - (size_t)end);
		s->in_len -= (size_t)end;
	}
	a->status = s->head.status;
	a->length = s->head.has_length ? s->head.length : 0;
	v = http_field(&s->head, "ETag", &vlen);
	if (v != NULL)
		unquote(a->etag, v, vlen);
	s->framing = strcmp(rq->method, "HEAD") == 0 || a->status == 204 ||
	    a->status == 304 ? F_NONE : s->head.chunked ? F_CHUNKED :
	    s->head.has_length ? F_LENGTH : F_CLOSE;
	s->left = a->length;
	memset(&s->chunk, 0, sizeof s->chunk);
	s->keep = !s->head.close && s->framing != F_CLOSE;
	return R_ANSWER;
}

/* The XML glue: an error reply's Code and Message are kept, the rest
 * goes to the request's own reader. */
struct xml_glue {
	const struct rq *rq;
	struct s3_answer *a;
	char msg[128];
};

static int
glue_fn(void *arg, const char *path, const char *text, size_t len)
{
	struct xml_glue *g = arg;

	if (strcmp(path, "Error/Code") == 0)
		snprintf(g->a->code, sizeof g->a->code, "%s", text);
	else if (strcmp(path, "Error/Message") == 0)
		snprintf(g->msg, sizeof g->msg, "%s", text);
	else if (g->rq->xml != NULL && g->a->status < 300)
		return g->rq->xml(g->rq->xml_arg, path, text, len) ? 2 : 0;
	return 0;
}

/* Read the body as XML (at most max bytes): R_ANSWER, R_RETRY (the
 * connection failed, or the XML was malformed: in a 2xx answer) or
 * R_STOPPED (the reader said so). */
static int
read_xml(struct s3 *s, struct xml_glue *g, size_t max)
{
	struct s3_xml x;
	size_t total = 0;
	long n;
	int rc = 0;

	s3_xml_init(&x, glue_fn, g);
	while ((n = body_read(s, s->out, sizeof s->out)) > 0) {
		total += (size_t)n;
		if (total > max) {
			x.why = "too large";
			rc = -1;
			break;
		}
		if ((rc = s3_xml_push(&x, s->out, (size_t)n)) != 0)
			break;
	}
	if (rc == 2)
		return s3c_drop(s), R_STOPPED;
	if (n < 0) {
		s3c_why(s, "the answer was cut short by");
		return s3c_drop(s), R_RETRY;
	}
	if (rc != 0)
		s3c_drop(s);	/* the rest of the body is still to come */
	else
		body_end(s);
	if ((rc != 0 || s3_xml_end(&x) < 0) && g->a->status < 300) {
		snprintf(s->err, sizeof s->err, "malformed XML from %.64s:%u: %s",
		    s->host, s->port, x.why ? x.why : "?");
		return R_RETRY;
	}
	return R_ANSWER;
}

/* An answer that is not 2xx, in words into s->err. */
static void
say_status(struct s3 *s, const struct rq *rq, const struct s3_answer *a,
    const char *msg)
{
	snprintf(s->err, sizeof s->err, "%s %.100s: %u%s%s%s%.100s", rq->method,
	    rq->key ? rq->key : s->bucket, a->status, a->code[0] ? " " : "",
	    a->code, msg[0] ? ": " : "", msg);
}

/* Take the body after the head: R_ANSWER, or as read_xml. */
static int
read_body(struct s3 *s, const struct rq *rq, struct s3_answer *a)
{
	struct xml_glue g = { rq, a, "" };
	int r;

	if (a->status < 300 && rq->stream) {
		s->in_get = 1;
		return R_ANSWER;
	}
	if (a->status >= 300 || rq->xml != NULL) {
		r = read_xml(s, &g, a->status >= 300 ? ERR_MAX : XML_MAX);
		if (r != R_ANSWER)
			return r;
		if (a->status < 300 && a->code[0])
			a->status = 500;	/* an error inside a 200 */
		if (a->status >= 300)
			say_status(s, rq, a, g.msg);
		return R_ANSWER;
	}
	while ((r = (int)body_read(s, s->out, sizeof s->out)) > 0)
		;
	if (r < 0) {
		s3c_why(s, "the answer was cut short by");
		return s3c_drop(s), R_RETRY;
	}
	body_end(s);
	return R_ANSWER;
}

/* ---- one attempt and the retries ------------------------------------------ */

/* Stream the request body: 0, or -1 (R_RETRY or R_FATAL in *why). */
static int
send_body(struct s3 *s, const struct s3_body *b, int *why)
{
	uint64_t left = b->len;
	size_t want;
	long n;

	while (left > 0) {
		want = left < sizeof s->in ? (size_t)left : sizeof s->in;
		n = b->read(b->arg, s->in, want);
		if (n <= 0 || (size_t)n > want) {
			snprintf(s->err, sizeof s->err, "the body to send "
			    "could not be read");
			*why = R_FATAL;
			return -1;
		}
		if (s3c_write(s, s->in, (size_t)n) < 0) {
			s3c_why(s, "sending to");
			*why = R_RETRY;
			return -1;
		}
		left -= (uint64_t)n;
	}
	return 0;
}

/* Send rq and read its answer's head (and body, unless it is a GET's to
 * stream): R_ANSWER with a, or R_RETRY, R_FATAL, R_STOPPED with s->err. */
static int
attempt(struct s3 *s, const struct rq *rq, struct s3_answer *a)
{
	long n;
	int r, reused;

	if (s->in_get)
		s3c_drop(s);
	if ((n = make_head(s, rq)) < 0)
		return R_FATAL;
	reused = s->fd >= 0;
	r = s3c_open(s);
	if (r != S3C_OK)
		return r == S3C_RETRY ? R_RETRY : R_FATAL;
	s->nreq++;
	if (s3c_write(s, s->out, (size_t)n) < 0) {
		s3c_why(s, "sending to");
		r = R_RETRY;
		goto fail;
	}
	if (rq->body != NULL && send_body(s, rq->body, &r) < 0)
		goto fail;
	if (s3c_flush(s) < 0) {
		s3c_why(s, "sending to");
		r = R_RETRY;
		goto fail;
	}
	if ((r = read_head(s, rq, a)) != R_ANSWER)
		goto fail;
	return read_body(s, rq, a);
fail:
	if (r == R_RETRY && reused && s->in_len == 0 && (s->eof ||
	    s->io_err == ECONNRESET || s->io_err == EPIPE))
		r = R_STALE;
	s3c_drop(s);
	return r;
}

/* Wait before try number n (1, 2, ...): 100 ms doubling, up to 4 s, a
 * random part added, never past the deadline. */
static void
back_off(unsigned n, uint64_t deadline)
{
	uint64_t ms = 100u << (n < 6 ? n - 1 : 5), now = port_ms();
	unsigned char r = 0;

	if (ms > 4000)
		ms = 4000;
	port_random(&r, 1);
	ms += ms * r / 512;
	if (now + ms > deadline)
		ms = deadline > now ? deadline - now : 0;
	port_sleep_ms((unsigned)ms);
}

/* rq until an answer below 500, S3_TRIES tries or S3_RETRY_MS: the last
 * status, -1 when no answer came, -2 when a reader stopped it. A kept
 * connection the peer had closed is replaced once without a back-off and
 * without counting it. */
static int
s3_do(struct s3 *s, const struct rq *rq, struct s3_answer *a)
{
	uint64_t deadline = port_ms() + S3_RETRY_MS;
	const struct s3_body *b = rq->body;
	unsigned n, tries = 0;
	int r = R_RETRY, again = 0, stale = 0;

	s->err[0] = 0;
	for (n = 0; n < S3_TRIES && (n == 0 || again || port_ms() < deadline);
	    n++) {
		if (n > 0 || again) {
			if (!again)
				back_off(n, deadline);
			again = 0;
			if (b != NULL && (b->rewind == NULL ||
			    b->rewind(b->arg) < 0)) {
				snprintf(s->err + strlen(s->err), sizeof s->err -
				    strlen(s->err), " (not retried: the body "
				    "cannot be read again)");
				break;
			}
		}
		memset(a, 0, sizeof *a);
		a->tries = ++tries;
		r = attempt(s, rq, a);
		if (r == R_STALE) {
			/* once, at once, and not counted as a try */
			r = R_RETRY;
			if (!stale)
				stale = again = 1, n--;
			continue;
		}
		if (r == R_FATAL)
			return -1;
		if (r == R_STOPPED)
			return -2;
		if (r == R_ANSWER && a->status < 500)
			return (int)a->status;
	}
	snprintf(s->err + strlen(s->err), sizeof s->err - strlen(s->err),
	    " (after %u %s)", tries, tries == 1 ? "try" : "tries");
	return r == R_ANSWER ? (int)a->status : -1;
}

/* ---- objects ------------------------------------------------------------ */

int
s3_put(struct s3 *s, const char *key, const struct s3_body *b,
    unsigned flags, const char *if_match, struct s3_answer *a)
{
	struct rq rq = { .method = "PUT", .key = key, .body = b,
	    .flags = flags, .if_match = if_match };

	return s3_do(s, &rq, a);
}

int
s3_bucket_create(struct s3 *s, struct s3_answer *a)
{
	struct rq rq = { .method = "PUT" };

	return s3_do(s, &rq, a);
}

int
s3_head(struct s3 *s, const char *key, struct s3_answer *a)
{
	struct rq rq = { .method = "HEAD", .key = key };

	return s3_do(s, &rq, a);
}

int
s3_delete(struct s3 *s, const char *key, struct s3_answer *a)
{
	struct rq rq = { .method = "DELETE", .key = key };

	return s3_do(s, &rq, a);
}

int
s3_get_begin(struct s3 *s, const char *key, uint64_t off,
    struct s3_answer *a)
{
	struct rq rq = { .method = "GET", .key = key, .from = off,
	    .stream = 1 };

	return s3_do(s, &rq, a);
}

long
s3_get_read(struct s3 *s, void *p, size_t cap)
{
	long n;

	if (!s->in_get)
		return s->err[0] ? -1 : 0;
	n = body_read(s, p, cap);
	if (n > 0)
		return n;
	s->in_get = 0;
	if (n == 0) {
		body_end(s);
		return 0;
	}
	s3c_why(s, "the object's bytes were cut short by");
	s3c_drop(s);
	return -1;
}

void
s3_get_end(struct s3 *s)
{
	if (s->in_get)
		s3c_drop(s);
}

/* ---- listing -------------------------------------------------------------- */

struct list_ctx {
	struct s3 *s;
	int (*each)(void *, const char *, uint64_t, const char *);
	void *arg;
	int truncated;
	int have_last;
	uint64_t size;
	char etag[S3_ETAG_MAX];
	char key[S3_XML_TEXT];
	char last[S3_XML_TEXT];		/* the last key handed over */
	char token[S3_XML_TEXT];	/* NextContinuationToken */
};

/* One key of a page to the caller: once only (a page read again after
 * a retry begins anew), relative to the prefix. */
static int
list_emit(struct list_ctx *c)
{
	size_t pn = strlen(c->s->prefix);

	if (c->have_last && strcmp(c->key, c->last) <= 0)
		return 0;
	memcpy(c->last, c->key, sizeof c->last);
	c->have_last = 1;
	if (strncmp(c->key, c->s->prefix, pn) != 0 || c->key[pn] == 0)
		return 0;
	return c->each(c->arg, c->key + pn, c->size, c->etag);
}

static int
list_fn(void *arg, const char *path, const char *text, size_t len)
{
	struct list_ctx *c = arg;

	if (strncmp(path, "ListBucketResult/", 17) != 0)
		return 0;
	path += 17;
	if (strcmp(path, "Contents/Key") == 0)
		memcpy(c->key, text, len + 1);
	else if (strcmp(path, "Contents/Size") == 0) {
		if (parse_u64(text, 0, UINT64_MAX, &c->size) < 0)
			return -1;
	} else if (strcmp(path, "Contents/ETag") == 0)
		unquote(c->etag, text, len);
	else if (strcmp(path, "Contents") == 0) {
		if (list_emit(c) != 0)
			return -1;
		c->key[0] = c->etag[0] = 0;
		c->size = 0;
	} else if (strcmp(path, "IsTruncated") == 0)
		c->truncated = strcmp(text, "true") == 0;
	else if (strcmp(path, "NextContinuationToken") == 0)
		memcpy(c->token, text, len + 1);
	return 0;
}

int
s3_list(struct s3 *s, const char *prefix, const char *start_after,
    int (*each)(void *arg, const char *key, uint64_t size,
    const char *etag), void *arg)
{
	struct list_ctx c;
	char pre[S3_PREFIX_MAX + S3_KEY_MAX + 1];
	char after[S3_PREFIX_MAX + S3_KEY_MAX + 1];
	char prev[S3_XML_TEXT], page[12];
	struct rq rq = { .method = "GET", .xml = list_fn, .xml_arg = &c };
	struct s3_answer a;
	unsigned tok = 0;		/* the token's place in rq.q */
	int st;

	memset(&c, 0, sizeof c);
	c.s = s;
	c.each = each;
	c.arg = arg;
	snprintf(pre, sizeof pre, "%s%s", s->prefix, prefix ? prefix : "");
	snprintf(after, sizeof after, "%s%s", s->prefix,
	    start_after ? start_after : "");
	rq.q[0] = (struct s3_param){ "list-type", "2" };
	rq.q[1] = (struct s3_param){ "prefix", pre };
	rq.nq = 2;
	if (s->list_page > 0) {
		snprintf(page, sizeof page, "%u", s->list_page);
		rq.q[rq.nq++] = (struct s3_param){ "max-keys", page };
	}
	if (start_after != NULL)
		rq.q[rq.nq++] = (struct s3_param){ "start-after", after };
	for (;;) {
		c.truncated = 0;
		c.token[0] = 0;
		st = s3_do(s, &rq, &a);
		if (st != 200 || !c.truncated)
			return st;
		if (c.token[0] == 0 || (tok && strcmp(prev, c.token) == 0)) {
			snprintf(s->err, sizeof s->err, "a listing page "
			    "truncated without a new continuation token");
			return -1;
		}
		memcpy(prev, c.token, sizeof prev);
		if (!tok)
			tok = rq.nq++;
		rq.q[tok] = (struct s3_param){ "continuation-token", prev };
	}
}

/* ---- multipart uploads ------------------------------------------------------ */

struct id_ctx {
	char *id;
	size_t cap;
	int got;
};

static int
upload_id_fn(void *arg, const char *path, const char *text, size_t len)
{
	struct id_ctx *c = arg;

	if (strcmp(path, "InitiateMultipartUploadResult/UploadId") != 0)
		return 0;
	if (len == 0 || len >= c->cap)
		return -1;
	memcpy(c->id, text, len + 1);
	c->got = 1;
	return 0;
}

int
s3_mpu_begin(struct s3 *s, const char *key, char *id, size_t cap,
    struct s3_answer *a)
{
	struct id_ctx c = { id, cap, 0 };
	struct rq rq = { .method = "POST", .key = key, .sha = EMPTY_SHA,
	    .q = { { "uploads", "" } }, .nq = 1, .xml = upload_id_fn,
	    .xml_arg = &c };
	int st = s3_do(s, &rq, a);

	if (st == 200 && !c.got) {
		snprintf(s->err, sizeof s->err, "POST %s?uploads: no UploadId "
		    "in the answer", key);
		return -1;
	}
	return st;
}

int
s3_mpu_part(struct s3 *s, const char *key, const char *id,
    unsigned part, const struct s3_body *b, char etag[S3_ETAG_MAX],
    struct s3_answer *a)
{
	char num[12];
	struct rq rq = { .method = "PUT", .key = key, .body = b,
	    .q = { { "partNumber", num }, { "uploadId", id } }, .nq = 2 };
	int st;

	snprintf(num, sizeof num, "%u", part);
	st = s3_do(s, &rq, a);
	if (st == 200) {
		if (!etag_ok(a->etag)) {
			snprintf(s->err, sizeof s->err, "PUT %s part %u: no "
			    "usable ETag in the answer", key, part);
			return -1;
		}
		memcpy(etag, a->etag, S3_ETAG_MAX);
	}
	return st;
}

/* CompleteMultipartUpload's body, made a line at a time from etag_of. */
struct cmpu {
	const char *(*etag_of)(void *, unsigned);
	void *arg;
	unsigned n, next;		/* lines: 0 head, 1..n parts, n+1 end */
	char line[64 + S3_ETAG_MAX];
	size_t len, off;
};

static long
cmpu_read(void *arg, void *p, size_t cap)
{
	struct cmpu *c = arg;
	const char *e;
	int w;

	if (c->off == c->len) {
		if (c->next == 0)
			w = snprintf(c->line, sizeof c->line,
			    "<CompleteMultipartUpload>");
		else if (c->next <= c->n) {
			e = c->etag_of(c->arg, c->next);
			if (e == NULL || !etag_ok(e))
				return -1;
			w = snprintf(c->line, sizeof c->line, "<Part><PartNumber>"
			    "%u</PartNumber><ETag>\"%s\"</ETag></Part>", c->next,
			    e);
		} else if (c->next == c->n + 1)
			w = snprintf(c->line, sizeof c->line,
			    "</CompleteMultipartUpload>");
		else
			return 0;
		c->next++;
		c->len = (size_t)w;
		c->off = 0;
	}
	if (cap > c->len - c->off)
		cap = c->len - c->off;
	memcpy(p, c->line + c->off, cap);
	c->off += cap;
	return (long)cap;
}

static int
cmpu_rewind(void *arg)
{
	struct cmpu *c = arg;

	c->next = 0;
	c->len = c->off = 0;
	return 0;
}

static int
complete_fn(void *arg, const char *path, const char *text, size_t len)
{
	struct s3_answer *a = arg;

	if (strcmp(path, "CompleteMultipartUploadResult/ETag") == 0 && len)
		unquote(a->etag, text, len);
	return 0;
}

int
s3_mpu_complete(struct s3 *s, const char *key, const char *id,
    unsigned nparts, const char *(*etag_of)(void *arg, unsigned part),
    void *arg, struct s3_answer *a)
{
	struct cmpu c = { etag_of, arg, nparts, 0, "", 0, 0 };
	struct s3_body b = { 0, cmpu_read, cmpu_rewind, &c };
	struct rq rq = { .method = "POST", .key = key, .body = &b,
	    .q = { { "uploadId", id } }, .nq = 1, .xml = complete_fn };
	br_sha256_context h;
	unsigned char d[32];
	char sha[65];
	long n;

	/* A first pass for the body's length and SHA-256. */
	br_sha256_init(&h);
	while (nparts > 0 && (n = cmpu_read(&c, s->out, sizeof s->out)) > 0) {
		br_sha256_update(&h, s->out, (size_t)n);
		b.len += (uint64_t)n;
	}
	if (nparts == 0 || n < 0) {
		snprintf(s->err, sizeof s->err, "complete %s: no parts, or a "
		    "part without a usable ETag", key);
		return -1;
	}
	br_sha256_out(&h, d);
	for (n = 0; n < 32; n++)
		snprintf(sha + 2 * n, 3, "%02x", d[n]);
	rq.sha = sha;
	rq.xml_arg = a;
	cmpu_rewind(&c);
	return s3_do(s, &rq, a);
}

int
s3_mpu_abort(struct s3 *s, const char *key, const char *id,
    struct s3_answer *a)
{
	struct rq rq = { .method = "DELETE", .key = key,
	    .q = { { "uploadId", id } }, .nq = 1 };

	return s3_do(s, &rq, a);
}

#endif
