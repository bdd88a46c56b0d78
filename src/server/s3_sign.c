/*
 * s3_sign.c — AWS Signature Version 4 (s3_sign.h): the canonical request
 * is hashed as it is made, never held whole; the signing key is derived
 * from the secret, the date, the region and "s3" by HMAC-SHA256.
 */
#include "features.h"

#if CAIRN_S3

#include <stdio.h>
#include <string.h>

#include <bearssl.h>

#include "http.h"
#include "s3_sign.h"
#include "util.h"

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char digit[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digit[p[i] >> 4];
		out[2 * i + 1] = digit[p[i] & 15];
	}
	out[2 * n] = 0;
}

void
s3_sha256_hex(const void *p, size_t n, char out[65])
{
	br_sha256_context c;
	unsigned char h[32];

	br_sha256_init(&c);
	br_sha256_update(&c, p, n);
	br_sha256_out(&c, h);
	hex(h, sizeof h, out);
}

/* One encoded pair, pointing into the caller's scratch. */
struct qpair {
	const char *n, *v;
};

static int
qpair_less(const struct qpair *a, const struct qpair *b)
{
	int c = strcmp(a->n, b->n);

	return c < 0 || (c == 0 && strcmp(a->v, b->v) < 0);
}

/* Percent-encode s into *at (advancing it, NUL included); NULL if full. */
static const char *
enc(const char *s, char **at, const char *end)
{
	char *p = *at;
	long n = http_pct_encode(s, strlen(s), p, (size_t)(end - p), 0);

	if (n < 0)
		return NULL;
	*at = p + n + 1;
	return p;
}

long
s3_sign_query(const struct s3_param *p, unsigned n, char *out, size_t cap)
{
	char scratch[S3_QUERY_MAX], *at = scratch;
	const char *end = scratch + sizeof scratch;
	struct qpair q[S3_QUERY_PARAMS], t;
	size_t len = 0;
	unsigned i, j;
	int w;

	if (n > S3_QUERY_PARAMS || cap == 0)
		return -1;
	for (i = 0; i < n; i++) {
		q[i].n = enc(p[i].name, &at, end);
		q[i].v = q[i].n ? enc(p[i].value, &at, end) : NULL;
		if (q[i].v == NULL)
			return -1;
		for (j = i; j > 0 && qpair_less(&q[j], &q[j - 1]); j--) {
			t = q[j];
			q[j] = q[j - 1];
			q[j - 1] = t;
		}
	}
	out[0] = 0;
	for (i = 0; i < n; i++) {
		w = snprintf(out + len, cap - len, "%s%s=%s", i ? "&" : "",
		    q[i].n, q[i].v);
		if (w < 0 || (size_t)w >= cap - len)
			return -1;
		len += (size_t)w;
	}
	return (long)len;
}

static void
put(br_sha256_context *c, const char *s)
{
	br_sha256_update(c, s, strlen(s));
}

/* The hex SHA-256 of the canonical request, and the signed header
 * names ("host;x-amz-date") into names[cap]. */
static int
canonical(const struct s3_sign_in *in, char hash[65], char *names,
    size_t cap)
{
	br_sha256_context c;
	unsigned char h[32];
	size_t len = 0, k;
	unsigned i;

	br_sha256_init(&c);
	put(&c, in->method);
	put(&c, "\n");
	put(&c, in->uri);
	put(&c, "\n");
	put(&c, in->query);
	put(&c, "\n");
	for (i = 0; i < in->nhdr; i++) {
		put(&c, in->hdr[i].name);
		put(&c, ":");
		put(&c, in->hdr[i].value);
		put(&c, "\n");
		k = strlen(in->hdr[i].name);
		if (k + 2 > cap - len)
			return -1;
		if (i)
			names[len++] = ';';
		memcpy(names + len, in->hdr[i].name, k + 1);
		len += k;
	}
	put(&c, "\n");
	put(&c, names);
	put(&c, "\n");
	put(&c, in->payload);
	br_sha256_out(&c, h);
	hex(h, sizeof h, hash);
	return 0;
}

/* out[32] = HMAC-SHA256 of msg under key[klen]. */
static void
hmac(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
	br_hmac_key_context kc;
	br_hmac_context hc;

	br_hmac_key_init(&kc, &br_sha256_vtable, key, klen);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, msg, strlen(msg));
	br_hmac_out(&hc, out);
}

int
s3_sign(const struct s3_sign_in *in, char *out, size_t cap)
{
	char names[256], hash[65], date[9], secret[136], sts[256];
	unsigned char k[32];
	char sig[65];
	int w;

	if (strlen(in->amz_date) != 16 || strlen(in->secret_key) > 128)
		return -1;
	memcpy(date, in->amz_date, 8);
	date[8] = 0;
	if (canonical(in, hash, names, sizeof names) < 0)
		return -1;
	w = snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/s3/"
	    "aws4_request\n%s", in->amz_date, date, in->region, hash);
	if (w < 0 || (size_t)w >= sizeof sts)
		return -1;
	w = snprintf(secret, sizeof secret, "AWS4%s", in->secret_key);
	hmac(secret, (size_t)w, date, k);
	wipe(secret, sizeof secret);
	hmac(k, sizeof k, in->region, k);
	hmac(k, sizeof k, "s3", k);
	hmac(k, sizeof k, "aws4_request", k);
	hmac(k, sizeof k, sts, k);
	hex(k, sizeof k, sig);
	wipe(k, sizeof k);
	w = snprintf(out, cap, "AWS4-HMAC-SHA256 Credential=%s/%s/%s/s3/"
	    "aws4_request,SignedHeaders=%s,Signature=%s", in->access_key,
	    date, in->region, names, sig);
	return w < 0 || (size_t)w >= cap ? -1 : 0;
}

#endif
