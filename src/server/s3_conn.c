/*
 * s3_conn.c — the S3 client's set-up and connection (s3.h, s3_conn.h):
 * the endpoint URL taken apart, the CA file read into trust anchors (RSA
 * and EC keys: real endpoints present RSA chains, some P-384), and one
 * connection, plain TCP or TLS 1.2 with BearSSL verifying the endpoint's
 * chain and name. port/ does the sockets and resolves host names.
 */
#include "features.h"

#if CAIRN_S3

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "port.h"
#include "s3_conn.h"
#include "tls.h"
#include "util.h"

/* ---- the endpoint and the configuration ------------------------------- */

/* Copy s into out[cap]: 0, or -1 when it does not fit. */
static int
copy(char *out, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(out, s, n);
	out[n] = 0;
	return 0;
}

/* A host name or IPv4 address: letters, digits, '.', '-'. */
static int
host_ok(const char *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((h[i] | 0x20) >= 'a' && (h[i] | 0x20) <= 'z') &&
		    !(h[i] >= '0' && h[i] <= '9') && h[i] != '.' && h[i] != '-')
			return 0;
	return n > 0;
}

/* "http[s]://host[:port][/]" into s: 0, or -1 with why. */
static int
parse_endpoint(struct s3 *s, const char *url, const char **why)
{
	const char *h, *end, *colon;
	uint64_t port;
	size_t hn;

	*why = "the S3 endpoint must be http://HOST[:PORT] or https://...";
	if (strncmp(url, "http://", 7) == 0)
		h = url + 7, s->tls = 0, s->port = 80;
	else if (strncmp(url, "https://", 8) == 0)
		h = url + 8, s->tls = 1, s->port = 443;
	else
		return -1;
	end = h + strcspn(h, "/?#");
	if (*end == '/' && end[1] == 0)
		;
	else if (*end != 0) {
		*why = "the S3 endpoint may have no path (the bucket is "
		    "--s3-bucket)";
		return -1;
	}
	if (*h == '[') {
		colon = memchr(h, ']', (size_t)(end - h));
		if (colon == NULL || copy(s->host, sizeof s->host, h + 1,
		    (size_t)(colon - h - 1)) < 0 || colon == h + 1)
			return -1;
		if (strspn(s->host, "0123456789abcdefABCDEF:.") !=
		    strlen(s->host))
			return -1;
		colon++;
		if (colon != end && *colon != ':')
			return -1;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		hn = (size_t)((colon ? colon : end) - h);
		if (!host_ok(h, hn) || copy(s->host, sizeof s->host, h, hn) < 0)
			return -1;
		if (colon == NULL)
			colon = end;
	}
	if (colon != end) {
		char num[8];

		if (copy(num, sizeof num, colon + 1,
		    (size_t)(end - colon - 1)) < 0 ||
		    parse_u64(num, 1, 65535, &port) < 0)
			return -1;
		s->port = (unsigned)port;
	}
	return copy(s->authority, sizeof s->authority, h, (size_t)(end - h));
}

/* Bucket names as S3 has them: 3 to 63 of a-z 0-9 . -. */
static int
bucket_ok(const char *b)
{
	size_t n = strlen(b);

	return n >= 3 && n <= 63 &&
	    strspn(b, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n;
}

/* ---- trust anchors from the CA file ------------------------------------ */

struct ca_load {
	struct s3 *s;
	unsigned char *der;
	size_t len, cap;
	int over;
	const char *why;
};

static void
der_add(void *ctx, const void *p, size_t n)
{
	struct ca_load *c = ctx;

	if (n > c->cap - c->len) {
		c->over = 1;
		return;
	}
	memcpy(c->der + c->len, p, n);
	c->len += n;
}

/* n bytes of the anchors' store, or NULL. */
static unsigned char *
ta_alloc(struct s3 *s, size_t n)
{
	unsigned char *p = s->tastore + s->taused;

	if (n > sizeof s->tastore - s->taused)
		return NULL;
	s->taused += n;
	return p;
}

static void
dn_add(void *ctx, const void *p, size_t n)
{
	struct ca_load *c = ctx;
	unsigned char *q = ta_alloc(c->s, n);

	if (q == NULL)
		c->over = 1;
	else
		memcpy(q, p, n);
}

static unsigned char *
ta_copy(struct s3 *s, const unsigned char *p, size_t n)
{
	unsigned char *q = ta_alloc(s, n);

	return q ? memcpy(q, p, n) : NULL;
}

/* The certificate in c->der as one more trust anchor: 0 or -1. */
static int
add_anchor(struct ca_load *c)
{
	struct s3 *s = c->s;
	br_x509_trust_anchor *ta = &s->ta[s->nta];
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;
	unsigned char *dn = s->tastore + s->taused;

	if (s->nta == S3_TA_MAX)
		return c->why = "too many certificates", -1;
	br_x509_decoder_init(&dc, dn_add, c);
	br_x509_decoder_push(&dc, c->der, c->len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (pk == NULL)
		return c->why = "a certificate that does not decode", -1;
	memset(ta, 0, sizeof *ta);
	ta->dn.data = dn;
	ta->dn.len = (size_t)(s->tastore + s->taused - dn);
	ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = ta_copy(s, pk->key.rsa.n, pk->key.rsa.nlen);
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta->pkey.key.rsa.e = ta_copy(s, pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
		if (ta->pkey.key.rsa.n == NULL || ta->pkey.key.rsa.e == NULL)
			c->over = 1;
	} else {
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = ta_copy(s, pk->key.ec.q, pk->key.ec.qlen);
		ta->pkey.key.ec.qlen = pk->key.ec.qlen;
		if (ta->pkey.key.ec.q == NULL)
			c->over = 1;
	}
	if (c->over)
		return c->why = "too large", -1;
	s->nta++;
	return 0;
}

/* One event of the PEM decoder: 0, or -1 with c->why. */
static int
pem_event(br_pem_decoder_context *pc, struct ca_load *c)
{
	switch (br_pem_decoder_event(pc)) {
	case BR_PEM_BEGIN_OBJ:
		c->len = 0;
		c->over = 0;
		br_pem_decoder_setdest(pc, strcmp(br_pem_decoder_name(pc),
		    "CERTIFICATE") == 0 ? der_add : NULL, c);
		break;
	case BR_PEM_END_OBJ:
		if (c->over)
			return c->why = "a certificate too large", -1;
		if (c->len > 0 && add_anchor(c) < 0)
			return -1;
		break;
	case BR_PEM_ERROR:
		return c->why = "not valid PEM", -1;
	}
	return 0;
}

/* Read the CA file path into s's anchors (its buffers as scratch). */
static int
load_ca(struct s3 *s, const char *path, char *text, size_t cap)
{
	br_pem_decoder_context pc;
	struct ca_load c = { s, s->in, 0, sizeof s->in, 0, NULL };
	size_t off;
	long n;
	int fd, rc = -1;

	if ((fd = port_open_read(path)) < 0) {
		snprintf(text, cap, "cannot open the S3 CA file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	br_pem_decoder_init(&pc);
	while ((n = port_read(fd, s->out, sizeof s->out, -1)) > 0)
		for (off = 0; off < (size_t)n;) {
			off += br_pem_decoder_push(&pc, s->out + off,
			    (size_t)n - off);
			if (pem_event(&pc, &c) < 0)
				goto out;
		}
	if (n < 0)
		c.why = strerror(errno);
	else if (s->nta == 0)
		c.why = "no certificate in it";
	else
		rc = 0;
out:
	port_close(fd);
	if (rc < 0)
		snprintf(text, cap, "the S3 CA file %s: %s", path, c.why);
	return rc;
}

int
s3_init(struct s3 *s, const struct s3_conf *conf, char *text, size_t cap)
{
	const char *why = NULL;

	memset(s, 0, sizeof *s);
	s->fd = -1;
	if (parse_endpoint(s, conf->endpoint, &why) < 0)
		goto bad;
	why = "the S3 bucket name must be 3 to 63 of a-z 0-9 . -";
	if (conf->bucket == NULL || !bucket_ok(conf->bucket))
		goto bad;
	snprintf(s->bucket, sizeof s->bucket, "%s", conf->bucket);
	why = "the S3 prefix is too long, or does not end in '/'";
	if (conf->prefix != NULL && conf->prefix[0] != 0 &&
	    (copy(s->prefix, sizeof s->prefix, conf->prefix,
	    strlen(conf->prefix)) < 0 ||
	    conf->prefix[strlen(conf->prefix) - 1] != '/'))
		goto bad;
	why = "the S3 region is too long or not letters, digits and '-'";
	if (copy(s->region, sizeof s->region, conf->region ? conf->region :
	    "us-east-1", strlen(conf->region ? conf->region : "us-east-1")) < 0 ||
	    strspn(s->region, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
	    strlen(s->region) || s->region[0] == 0)
		goto bad;
	why = "the S3 access key or secret key is missing, too long or "
	    "not printable";
	if (conf->access_key == NULL || conf->secret_key == NULL ||
	    copy(s->access, sizeof s->access, conf->access_key,
	    strlen(conf->access_key)) < 0 ||
	    copy(s->secret, sizeof s->secret, conf->secret_key,
	    strlen(conf->secret_key)) < 0 || !s->access[0] || !s->secret[0] ||
	    strcspn(s->access, "/, \t\r\n") != strlen(s->access))
		goto bad;
	s->timeout_ms = conf->timeout_ms ? conf->timeout_ms : 30000;
	s->list_page = conf->list_page;
	if (s->tls && conf->ca_file == NULL) {
		why = "an https S3 endpoint needs a CA file (--s3-ca)";
		goto bad;
	}
	if (s->tls && load_ca(s, conf->ca_file, text, cap) < 0)
		return -1;
	return 0;
bad:
	snprintf(text, cap, "%s", why);
	wipe(s->secret, sizeof s->secret);
	return -1;
}

/* ---- the connection ------------------------------------------------------ */

static int
sock_read(void *ctx, unsigned char *p, size_t n)
{
	struct s3 *s = ctx;
	long r;

	port_tcp_quickack(s->fd);
	r = port_read(s->fd, p, n, (int)s->timeout_ms);
	if (r > 0)
		return (int)r;
	if (r == 0)
		s->eof = 1;
	else
		s->io_err = errno;
	return -1;
}

static int
sock_write(void *ctx, const unsigned char *p, size_t n)
{
	struct s3 *s = ctx;
	long r = port_write(s->fd, p, n, (int)s->timeout_ms);

	if (r > 0)
		return (int)r;
	s->io_err = r < 0 ? errno : EPIPE;
	return -1;
}

/* ---- elliptic curves ------------------------------------------------------ */

/* P-256 by the m31 code cairn's own TLS links, P-384 and P-521 by the
 * generic i31 code; no Curve25519 (br_ec_all_m31 would bring it: 4 KiB). */
static const br_ec_impl *
ec_for(int curve)
{
	return curve == BR_EC_secp256r1 ? &br_ec_p256_m31 : &br_ec_prime_i31;
}

static const unsigned char *
ec_generator(int curve, size_t *len)
{
	return ec_for(curve)->generator(curve, len);
}

static const unsigned char *
ec_order(int curve, size_t *len)
{
	return ec_for(curve)->order(curve, len);
}

static size_t
ec_xoff(int curve, size_t *len)
{
	return ec_for(curve)->xoff(curve, len);
}

static uint32_t
ec_mul(unsigned char *g, size_t glen, const unsigned char *x, size_t xlen,
    int curve)
{
	return ec_for(curve)->mul(g, glen, x, xlen, curve);
}

static size_t
ec_mulgen(unsigned char *r, const unsigned char *x, size_t xlen, int curve)
{
	return ec_for(curve)->mulgen(r, x, xlen, curve);
}

static uint32_t
ec_muladd(unsigned char *a, const unsigned char *b, size_t len,
    const unsigned char *x, size_t xlen, const unsigned char *y, size_t ylen,
    int curve)
{
	return ec_for(curve)->muladd(a, b, len, x, xlen, y, ylen, curve);
}

static const br_ec_impl ec_nist = {
	(uint32_t)1 << BR_EC_secp256r1 | (uint32_t)1 << BR_EC_secp384r1 |
	    (uint32_t)1 << BR_EC_secp521r1,
	ec_generator, ec_order, ec_xoff, ec_mul, ec_mulgen, ec_muladd
};

/* TLS 1.2, forward secret, AEAD: with ECDSA and RSA certificates. */
static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

/* The hashes of certificate and handshake signatures. */
static const struct {
	int id;
	const br_hash_class *vt;
} hashes[] = {
	{ br_sha256_ID, &br_sha256_vtable },
	{ br_sha384_ID, &br_sha384_vtable },
	{ br_sha512_ID, &br_sha512_vtable },
};

/* Set up the client engine for s->host and start the handshake. */
static int
tls_start(struct s3 *s)
{
	br_ssl_engine_context *eng = &s->sc.eng;
	unsigned char seed[32];
	size_t i;

	br_ssl_client_zero(&s->sc);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, sizeof suites / sizeof suites[0]);
	br_ssl_engine_set_ec(eng, &ec_nist);
	br_ssl_engine_set_rsavrfy(eng, br_rsa_i31_pkcs1_vrfy);
	br_ssl_engine_set_ecdsa(eng, br_ecdsa_i31_vrfy_asn1);
	br_x509_minimal_init(&s->xc, &br_sha256_vtable, s->ta, s->nta);
	for (i = 0; i < sizeof hashes / sizeof hashes[0]; i++) {
		br_ssl_engine_set_hash(eng, hashes[i].id, hashes[i].vt);
		br_x509_minimal_set_hash(&s->xc, hashes[i].id, hashes[i].vt);
	}
	br_x509_minimal_set_rsa(&s->xc, br_rsa_i31_pkcs1_vrfy);
	br_x509_minimal_set_ecdsa(&s->xc, &ec_nist,
	    br_ecdsa_i31_vrfy_asn1);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(eng);
	tls_set_chapol(eng);
	br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
	br_ssl_engine_set_x509(eng, &s->xc.vtable);
	br_ssl_engine_set_buffer(eng, s->iobuf, sizeof s->iobuf, 0);
	if (port_random(seed, sizeof seed) == 0)
		br_ssl_engine_inject_entropy(eng, seed, sizeof seed);
	wipe(seed, sizeof seed);
	if (!br_ssl_client_reset(&s->sc, s->host, s->resume))
		return -1;
	br_sslio_init(&s->io, eng, sock_read, s, sock_write, s);
	if (br_sslio_flush(&s->io) < 0 ||
	    (br_ssl_engine_current_state(eng) & BR_SSL_CLOSED))
		return -1;
	s->resume = 1;
	return 0;
}

static const struct {
	int code;
	const char *text;
} tls_text[] = {
	{ BR_ERR_X509_EXPIRED, "its certificate has expired or is not yet "
	    "valid" },
	{ BR_ERR_X509_NOT_TRUSTED, "its certificate is not signed by a CA "
	    "of --s3-ca" },
	{ BR_ERR_X509_BAD_SERVER_NAME, "its certificate is not for this "
	    "host name" },
	{ BR_ERR_X509_UNSUPPORTED, "its certificate uses an algorithm not "
	    "supported" },
	{ BR_ERR_X509_BAD_SIGNATURE, "its certificate's signature is wrong" },
	{ BR_ERR_X509_NOT_CA, "its issuer is not a CA" },
	{ BR_ERR_BAD_CIPHER_SUITE, "no cipher suite in common (TLS 1.2 with "
	    "ECDHE and AES-GCM or ChaCha20)" },
	{ BR_ERR_UNSUPPORTED_VERSION, "it does not speak TLS 1.2" },
};

void
s3c_why(struct s3 *s, const char *what)
{
	int e = s->tls && s->fd >= 0 ? br_ssl_engine_last_error(&s->sc.eng) :
	    0;
	const char *t = NULL;
	size_t i;

	for (i = 0; i < sizeof tls_text / sizeof tls_text[0]; i++)
		if (tls_text[i].code == e)
			t = tls_text[i].text;
	if (t == NULL && s->io_err == ETIMEDOUT)
		t = "timed out";
	else if (t == NULL && s->io_err == ENOENT)
		t = "no such host name";
	else if (t == NULL && s->io_err)
		t = strerror(s->io_err);
	else if (t == NULL && (s->eof || e == 0 || e == BR_ERR_IO))
		t = "the connection was closed";
	if (t != NULL)
		snprintf(s->err, sizeof s->err, "%s %.64s:%u: %s", what, s->host,
		    s->port, t);
	else
		snprintf(s->err, sizeof s->err, "%s %.64s:%u: TLS failed "
		    "(BearSSL error %d)", what, s->host, s->port, e);
}

int
s3c_open(struct s3 *s)
{
	int e;

	if (s->fd >= 0)
		return S3C_OK;
	s->io_err = 0;
	s->eof = 0;
	s->in_off = s->in_len = 0;
	s->fd = port_tcp_connect(s->host, s->port, (int)s->timeout_ms);
	if (s->fd < 0) {
		s->io_err = errno;
		s3c_why(s, "cannot connect to");
		return S3C_RETRY;
	}
	if (!s->tls || tls_start(s) == 0)
		return S3C_OK;
	e = br_ssl_engine_last_error(&s->sc.eng);
	s3c_why(s, "TLS with");
	s3c_drop(s);
	s->resume = 0;
	return e >= BR_ERR_X509_OK && e < 64 ? S3C_FATAL : S3C_RETRY;
}

void
s3c_drop(struct s3 *s)
{
	if (s->fd >= 0)
		port_close(s->fd);
	s->fd = -1;
	s->in_off = s->in_len = 0;
	s->keep = 0;
	s->in_get = 0;
}

long
s3c_read(struct s3 *s, void *p, size_t cap)
{
	size_t n = s->in_len - s->in_off;

	if (n > 0) {
		if (n > cap)
			n = cap;
		memmove(p, s->in + s->in_off, n);
		s->in_off += n;
		return (long)n;
	}
	return s3c_recv(s, p, cap);
}

long
s3c_recv(struct s3 *s, void *p, size_t cap)
{
	int r;

	if (s->fd < 0)
		return -1;
	if (!s->tls) {
		long k;

		port_tcp_quickack(s->fd);
		k = port_read(s->fd, p, cap, (int)s->timeout_ms);

		if (k < 0)
			s->io_err = errno;
		else if (k == 0)
			s->eof = 1;
		return k;
	}
	r = br_sslio_read(&s->io, p, cap);
	if (r > 0)
		return r;
	return s->eof || br_ssl_engine_last_error(&s->sc.eng) == 0 ? 0 : -1;
}

int
s3c_write(struct s3 *s, const void *p, size_t n)
{
	const unsigned char *q = p;
	int r;

	if (s->tls)
		return br_sslio_write_all(&s->io, p, n);
	while (n > 0) {
		r = sock_write(s, q, n);
		if (r < 0)
			return -1;
		q += r;
		n -= (size_t)r;
	}
	return 0;
}

int
s3c_flush(struct s3 *s)
{
	return s->tls ? br_sslio_flush(&s->io) : 0;
}

void
s3_close(struct s3 *s)
{
	s3c_drop(s);
}

const char *
s3_error(const struct s3 *s)
{
	return s->err;
}

uint64_t
s3_requests(const struct s3 *s)
{
	return s->nreq;
}

#endif
