/*
 * http.h — HTTP/1.1 message heads and chunked bodies (RFC 9112), for the
 * web UI, which serves HTTP, and the object store, which speaks it to an
 * endpoint (features.h's CAIRN_HTTP). No sockets here: the caller reads
 * bytes into its own fixed buffer and hands them over.
 *
 * A head is parsed in place once it is whole: http_head_end() says where
 * it ends, http_parse_request() or http_parse_response() then splits it,
 * writing NULs into it, so that its fields point into the caller's buffer
 * for as long as that holds the head. Parsing is strict where leniency
 * lets one message be read as two (request smuggling, RFC 9112 section
 * 11.2): no obsolete line folding, no space before a field's colon, one
 * Content-Length (repeats must agree), never both Content-Length and
 * Transfer-Encoding, and no transfer coding but "chunked".
 *
 * A bad message gets status, the answer a server gives it (400, 414, 431,
 * 501, 505), and why, words for a log line.
 */
#ifndef CAIRN_HTTP_H
#define CAIRN_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_HEAD_MAX 8192	/* a whole head: start line and fields */
#define HTTP_LINE_MAX 4096	/* the start line, one field */
#define HTTP_FIELDS 48		/* fields of one head */

struct http_field {
	const char *name;	/* as sent; compared without case */
	const char *value;	/* leading and trailing blanks trimmed */
	size_t vlen;
};

struct http_head {
	/* a request's */
	const char *method;	/* "GET", "POST", ... (a token) */
	const char *target;	/* origin form: "/path?query" */
	/* a response's */
	unsigned status;	/* 100 .. 599 */
	const char *reason;

	unsigned minor;		/* HTTP/1.minor: 0 or 1 */
	unsigned nfields;
	struct http_field field[HTTP_FIELDS];

	/* What the fields say of the body and the connection. */
	int has_length;		/* Content-Length given */
	uint64_t length;	/* its value */
	int chunked;		/* Transfer-Encoding: chunked */
	int close;		/* no further message on this connection
				 * (HTTP/1.0 without keep-alive, or
				 * "Connection: close") */

	/* When a parse fails. */
	unsigned error;		/* the status to answer with */
	const char *why;
};

/*
 * The length of the head at the start of p[n] — through its blank line
 * (CRLF CRLF; a bare LF is taken for CRLF) — or 0 when it has not ended
 * yet, or -1 when it cannot end within HTTP_HEAD_MAX bytes (or a line
 * within HTTP_LINE_MAX). Empty lines before a request line (RFC 9112
 * section 2.2) count as part of the head.
 */
long http_head_end(const char *p, size_t n);
/* After http_head_end gave -1 on p[n]: the status a server answers with,
 * 414 when the request line itself is too long, else 431. */
unsigned http_head_too_long(const char *p, size_t n);

/*
 * Parse the whole head p[n] (n from http_head_end) into h: a request
 * (method, origin-form target, HTTP/1.0 or 1.1) or a response. p is
 * written (NULs end each piece). 0, or -1 with h->error and h->why.
 */
int http_parse_request(struct http_head *h, char *p, size_t n);
int http_parse_response(struct http_head *h, char *p, size_t n);

/* The value of the first field named name (any case), with its length in
 * *vlen when not NULL; NULL when there is none. */
const char *http_field(const struct http_head *h, const char *name,
    size_t *vlen);
/* 1 if the comma-separated list v[n] holds token (any case), as in
 * "Connection: keep-alive, close". */
int http_list_has(const char *v, size_t n, const char *token);

/*
 * A chunked body, decoded in place as it arrives. Zero the struct to
 * begin. http_unchunk() reads p[n]: it moves the data it finds to the
 * front of p and returns how many bytes of data are there, with *used
 * the bytes of p it consumed — all of them, unless the body ended, when
 * the rest belongs to the next message. done is 1 once the last chunk and
 * the trailer fields (read and dropped, bounded) are through. -1 on bad
 * framing (a chunk size that is not hex or too large, a missing CRLF, a
 * line or trailer too long), with why.
 */
struct http_chunk {
	int state;
	uint64_t left;		/* data bytes left in this chunk */
	unsigned line;		/* bytes of the current framing line */
	unsigned trailers;	/* trailer bytes so far */
	int done;
	const char *why;
};

long http_unchunk(struct http_chunk *c, unsigned char *p, size_t n,
    size_t *used);

/*
 * Percent-encoding. http_pct_decode decodes s[n] into out[cap] ('+' as a
 * space when plus, for form and query values): its length, or -1 when
 * an escape is malformed, one decodes to NUL, or out is too small.
 * http_pct_encode encodes s[n] into out[cap] as AWS Signature Version 4
 * does: every byte but A-Z a-z 0-9 - . _ ~ (and '/' when keep_slash) as
 * %XX in capitals: its length, or -1 when out is too small. out is
 * NUL-terminated either way (when cap > 0).
 */
long http_pct_decode(const char *s, size_t n, char *out, size_t cap,
    int plus);
long http_pct_encode(const char *s, size_t n, char *out, size_t cap,
    int keep_slash);

/*
 * The value of parameter name in the query of target (after its '?'),
 * percent-decoded ('+' a space) into out[cap]: its length, -1 when the
 * parameter is absent, -2 when it is malformed or too long. A parameter
 * given without '=' has the value "".
 */
long http_query(const char *target, const char *name, char *out,
    size_t cap);

#endif
