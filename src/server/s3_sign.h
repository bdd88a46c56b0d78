/*
 * s3_sign.h — AWS Signature Version 4 for S3 requests (the
 * Authorization header), SHA-256 and HMAC-SHA256 from BearSSL. s3.c's;
 * apart so that the unit tests can check it against AWS's examples.
 */
#ifndef CAIRN_S3_SIGN_H
#define CAIRN_S3_SIGN_H

#include <stddef.h>

#define S3_SIGN_AUTH_MAX 512	/* an Authorization header's value */
#define S3_QUERY_MAX 1400	/* a canonical query string */
#define S3_QUERY_PARAMS 8

/* A header to sign: name in lower case, value trimmed. */
struct s3_hdr {
	const char *name;
	const char *value;
};

/* A query parameter, not encoded; value "" for one without a value. */
struct s3_param {
	const char *name;
	const char *value;
};

struct s3_sign_in {
	const char *method;
	const char *uri;		/* the path, already percent-encoded */
	const char *query;		/* canonical (s3_sign_query), or "" */
	const struct s3_hdr *hdr;	/* sorted by name */
	unsigned nhdr;
	const char *payload;		/* x-amz-content-sha256's value */
	const char *amz_date;		/* "20130524T000000Z" */
	const char *region;
	const char *access_key, *secret_key;
};

/*
 * The canonical query string of p[n] into out[cap]: each name and value
 * percent-encoded (http_pct_encode), sorted by name then value, each pair
 * as name=value (value may be empty: "uploads="), joined by '&'. It is
 * also what the request sends. Its length, or -1 when out is too small.
 */
long s3_sign_query(const struct s3_param *p, unsigned n, char *out,
    size_t cap);

/* The Authorization header's value for in, into out[cap]: 0, or -1 when
 * it does not fit or in holds too much. */
int s3_sign(const struct s3_sign_in *in, char *out, size_t cap);

/* The SHA-256 of p[n] as 64 lower-case hex digits and a NUL. */
void s3_sha256_hex(const void *p, size_t n, char out[65]);

#endif
