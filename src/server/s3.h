/*
 * s3.h — a small client of an S3-compatible object store (Ceph RGW, MinIO,
 * AWS S3): one keep-alive HTTP/1.1 connection, plain TCP or TLS (BearSSL,
 * the endpoint verified against a CA file), AWS Signature Version 4,
 * path-style addressing (http://host:port/bucket/key), fixed buffers.
 * cairnd's object-store backend (store_s3.c, DESIGN.md "The object store")
 * is its one user. Everything here is inside #if CAIRN_S3.
 *
 * Every request is retried on a dropped connection, a 5xx answer or 503
 * SlowDown, with back-off, at most S3_TRIES times in S3_RETRY_MS in all;
 * a request body is read again from its start for each try (rewind).
 * Functions return the HTTP status of the final answer (200 .. 599),
 * or -1 when none came, with s->err saying why in words.
 *
 * Keys are relative to the configured prefix; the client adds bucket and
 * prefix and percent-encodes them (http.h's http_pct_encode).
 */
#ifndef CAIRN_S3_H
#define CAIRN_S3_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "features.h"
#include "http.h"

#define S3_KEY_MAX 512		/* a key below the prefix */
#define S3_ETAG_MAX 80		/* an ETag as the store gives it, quotes off */
#define S3_ERR_MAX 256
#define S3_TRIES 6
#define S3_RETRY_MS 30000
#define S3_HOST_MAX 256		/* the endpoint's host name */
#define S3_BUCKET_MAX 64	/* 3 .. 63 bytes */
#define S3_PREFIX_MAX 256
#define S3_CRED_MAX 128		/* an access key, a secret */
#define S3_TA_MAX 16		/* CA certificates of --s3-ca */
#define S3_TA_STORE 12288	/* their names and keys */
#define S3_IN 16384		/* an answer's head and the bytes after it */
#define S3_OUT 8192		/* a request's head */

/* Where the store is and who we are: from cairnd's --s3-* options. */
struct s3_conf {
	const char *endpoint;		/* "http://host:port" or "https://..." */
	const char *bucket;
	const char *prefix;		/* "" or "dir/": ends in '/' */
	const char *region;		/* "us-east-1" unless given */
	const char *access_key, *secret_key;
	const char *ca_file;		/* https: the CAs to verify against */
	unsigned timeout_ms;		/* one read or write on the socket */
	unsigned list_page;		/* keys per ListObjectsV2 page (0:
					 * the store's own, 1000) */
};

/* What the answer said besides its status. */
struct s3_answer {
	unsigned status;
	uint64_t length;		/* Content-Length, or object size */
	char etag[S3_ETAG_MAX];		/* ETag, quotes removed */
	char code[64];			/* an error reply's <Code> */
	unsigned tries;			/* requests it took: over 1, an
					 * earlier one may have been done
					 * (a conditional PUT's 412 may be
					 * our own first write) */
};

/* A request body of len bytes, read by read(arg, p, cap) (> 0 until len
 * bytes are through; -1 on an error); rewind(arg) goes back to its start
 * for a retry (0, or -1: no retry possible). */
struct s3_body {
	uint64_t len;
	long (*read)(void *arg, void *p, size_t cap);
	int (*rewind)(void *arg);
	void *arg;
};

/* Conditions on a PUT (RGW 16.2 honours both). */
#define S3_IF_NONE_MATCH 1	/* If-None-Match: *: only if absent */

/* The client: one connection, its buffers and TLS engine; the caller
 * owns its storage (a context of store_s3's; about 60 KiB). Members are
 * s3.c's. */
struct s3 {
	/* the configuration, copied */
	char host[S3_HOST_MAX];		/* to connect to, no brackets */
	char authority[S3_HOST_MAX + 8];	/* the Host field */
	unsigned port;
	int tls;
	char bucket[S3_BUCKET_MAX];
	char prefix[S3_PREFIX_MAX];
	char region[32];
	char access[S3_CRED_MAX], secret[S3_CRED_MAX];
	unsigned timeout_ms;
	unsigned list_page;
	br_x509_trust_anchor ta[S3_TA_MAX];
	size_t nta, taused;
	unsigned char tastore[S3_TA_STORE];

	/* the connection */
	int fd;				/* -1: none */
	int io_err;			/* errno of the last socket failure */
	int eof;
	int resume;			/* a TLS session to resume */
	br_ssl_client_context sc;
	br_x509_minimal_context xc;
	br_sslio_context io;
	unsigned char iobuf[BR_SSL_BUFSIZE_MONO];

	/* the answer being read */
	unsigned char in[S3_IN];
	size_t in_off, in_len;		/* bytes of in[] not yet taken */
	struct http_head head;
	int framing;			/* none, length, chunked, to close */
	uint64_t left;			/* of a Content-Length body */
	struct http_chunk chunk;
	int body_done;
	int keep;			/* the connection may carry another */
	int in_get;			/* s3_get_begin's body is open */

	char out[S3_OUT];
	char err[S3_ERR_MAX];
	uint64_t nreq;
};

/* Set s up for conf (copied where it must be): parse the endpoint,
 * read the CA file. No connection yet. 0, or -1 with text. */
int s3_init(struct s3 *s, const struct s3_conf *conf, char *text,
    size_t cap);
/* Close the connection (a new request opens it again). */
void s3_close(struct s3 *s);
/* Why the last request failed, in words. */
const char *s3_error(const struct s3 *s);
/* Requests sent since s3_init (retries count), for tests and the bench. */
uint64_t s3_requests(const struct s3 *s);

/* PUT key with body b; flags S3_IF_NONE_MATCH, or if_match (an ETag,
 * NULL for none) as a compare-and-swap. */
int s3_put(struct s3 *s, const char *key, const struct s3_body *b,
    unsigned flags, const char *if_match, struct s3_answer *a);
/* Create the bucket itself (tests and first set-up: 200, or 409 when
 * it exists). */
int s3_bucket_create(struct s3 *s, struct s3_answer *a);
/* HEAD key: a->length is its size, a->etag its ETag. */
int s3_head(struct s3 *s, const char *key, struct s3_answer *a);
/* DELETE key (204 also when it was not there). */
int s3_delete(struct s3 *s, const char *key, struct s3_answer *a);

/*
 * GET key from byte off: s3_get_begin sends it and reads the head
 * (a->length: the bytes that follow); then s3_get_read gives them into
 * p[cap] (> 0, 0 at the end, -1), and s3_get_end finishes (the
 * connection is kept when the body was read through). A retry happens
 * only in s3_get_begin: a connection lost mid-body is -1 from read.
 */
int s3_get_begin(struct s3 *s, const char *key, uint64_t off,
    struct s3_answer *a);
long s3_get_read(struct s3 *s, void *p, size_t cap);
void s3_get_end(struct s3 *s);

/*
 * ListObjectsV2 of the keys beginning with prefix that sort after
 * start_after (NULL: from the first), every page: each(arg, key, size,
 * etag) per key, in order (keys relative to the configured prefix);
 * a nonzero return stops the listing (-2 is returned). The status of the
 * last page, or -1.
 */
int s3_list(struct s3 *s, const char *prefix, const char *start_after,
    int (*each)(void *arg, const char *key, uint64_t size,
    const char *etag), void *arg);

/* Multipart upload of key: begin (upload id into id[cap]), parts 1..N
 * (etag of each into etag[S3_ETAG_MAX]), complete with the ETags of parts
 * 1..nparts, which etag_of(arg, part) gives one at a time (the caller
 * keeps them where it likes: a part list need not sit in memory), or
 * abort. */
int s3_mpu_begin(struct s3 *s, const char *key, char *id, size_t cap,
    struct s3_answer *a);
int s3_mpu_part(struct s3 *s, const char *key, const char *id,
    unsigned part, const struct s3_body *b, char etag[S3_ETAG_MAX],
    struct s3_answer *a);
int s3_mpu_complete(struct s3 *s, const char *key, const char *id,
    unsigned nparts, const char *(*etag_of)(void *arg, unsigned part),
    void *arg, struct s3_answer *a);
int s3_mpu_abort(struct s3 *s, const char *key, const char *id,
    struct s3_answer *a);

#endif
