/*
 * tls.c — BearSSL set-up for both sides, PEM loading, and the socket
 * callbacks; see tls.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "port.h"
#include "tls.h"
#include "util.h"

#define PEM_FILE_MAX 32768

/*
 * The suites cairn accepts: ECDHE key exchange, ECDSA certificates, AEAD
 * ciphers only. Keys and certificates are ECDSA on P-256, the one curve
 * linked in (RSA and the other curves would cost tens of KiB).
 *
 * Their order follows the CPU (PROTOCOL.md, "Transport"): AES-128-GCM
 * first only where BearSSL has hardware AES and GHASH (x86 AES-NI and
 * PCLMUL, POWER8), ChaCha20-Poly1305 first everywhere else, where it is
 * several times faster than constant-time AES. A side without the
 * hardware offers ChaCha20-Poly1305 alone, so constant-time AES is not
 * linked into cairn at all; only cairnd (tls_server) keeps it, to serve
 * any client that offers AES-GCM alone, enforcing its own order so that a
 * router never pays for AES because its client has AES-NI.
 */
static const uint16_t suites_aes_first[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
};
static const uint16_t suites_chacha_first[] = {
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
};

void
tls_set_chapol(br_ssl_engine_context *eng)
{
#if defined(__x86_64__)
	/* SSE2 and 64-bit multiplies are part of x86-64: BearSSL's
	 * constant-time fallbacks could never run here, so they are not
	 * linked (2 KB). */
	br_ssl_engine_set_chapol(eng, &br_sslrec_in_chapol_vtable,
	    &br_sslrec_out_chapol_vtable);
	br_ssl_engine_set_chacha20(eng, br_chacha20_sse2_get());
	br_ssl_engine_set_poly1305(eng, br_poly1305_ctmulq_get());
#else
	br_ssl_engine_set_default_chapol(eng);
#endif
}

int
tls_set_aead(br_ssl_engine_context *eng)
{
	const br_block_ctr_class *ctr;
	br_ghash gh;

	tls_set_chapol(eng);
	ctr = br_aes_x86ni_ctr_get_vtable();
	gh = br_ghash_pclmul_get();
	if (ctr == NULL || gh == 0) {
		ctr = br_aes_pwr8_ctr_get_vtable();
		gh = br_ghash_pwr8_get();
	}
	if (ctr == NULL || gh == 0) {
		br_ssl_engine_set_suites(eng, suites_chacha_first, 1);
		return 0;
	}
	br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable,
	    &br_sslrec_out_gcm_vtable);
	br_ssl_engine_set_aes_ctr(eng, ctr);
	br_ssl_engine_set_ghash(eng, gh);
	br_ssl_engine_set_suites(eng, suites_aes_first,
	    sizeof suites_aes_first / sizeof suites_aes_first[0]);
	return 1;
}

const char *
tls_suite_name(const struct tls *t)
{
	br_ssl_session_parameters sp;

	br_ssl_engine_get_session_parameters(t->eng, &sp);
	switch (sp.cipher_suite) {
	case BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
		return "ECDHE-ECDSA-AES128-GCM-SHA256";
	case BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
		return "ECDHE-ECDSA-CHACHA20-POLY1305";
	}
	return "none";
}

/* ---- loading PEM files ------------------------------------------------- */

/* Room for n bytes in the configuration's store, or NULL. */
static void *
store_alloc(struct tls_conf *c, size_t n)
{
	void *p;

	if (n > sizeof c->store - c->used)
		return NULL;
	p = c->store + c->used;
	c->used += n;
	return p;
}

static void *
store_copy(struct tls_conf *c, const void *src, size_t n)
{
	void *p = store_alloc(c, n);

	if (p != NULL)
		memcpy(p, src, n);
	return p;
}

struct pem_obj {
	char name[128];
	uint8_t *der;
	size_t len;
};

struct der_sink {
	uint8_t *p;
	size_t len, cap;
	int overflow;
};

static void
der_append(void *ctx, const void *data, size_t n)
{
	struct der_sink *s = ctx;

	if (n > s->cap - s->len) {
		s->overflow = 1;
		return;
	}
	memcpy(s->p + s->len, data, n);
	s->len += n;
}

static uint8_t pem_text[PEM_FILE_MAX];
static uint8_t pem_der[PEM_FILE_MAX];

/*
 * Read path and decode its PEM objects into pem_der; objs[] get names and
 * slices. Returns the number of objects, or -1 (message printed).
 */
static int
pem_read(const char *path, const char *what, struct pem_obj *objs, int max)
{
	br_pem_decoder_context pc;
	struct der_sink sink;
	long n;
	size_t off = 0;
	int fd, count = 0, inobj = 0;

	fd = port_open_read(path);
	if (fd < 0) {
		msg("cannot open the %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	n = port_read_full(fd, pem_text, sizeof pem_text);
	port_close(fd);
	if (n < 0) {
		msg("cannot read the %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if ((size_t)n == sizeof pem_text) {
		msg("the %s %s is too large (over %d bytes)", what, path,
		    PEM_FILE_MAX - 1);
		return -1;
	}
	sink.p = pem_der;
	sink.len = 0;
	sink.cap = sizeof pem_der;
	sink.overflow = 0;
	br_pem_decoder_init(&pc);
	while (off < (size_t)n) {
		off += br_pem_decoder_push(&pc, pem_text + off, (size_t)n - off);
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			if (count == max) {
				msg("the %s %s holds too many objects", what,
				    path);
				return -1;
			}
			snprintf(objs[count].name, sizeof objs[count].name,
			    "%s", br_pem_decoder_name(&pc));
			objs[count].der = sink.p + sink.len;
			br_pem_decoder_setdest(&pc, der_append, &sink);
			inobj = 1;
			break;
		case BR_PEM_END_OBJ:
			objs[count].len = (size_t)(sink.p + sink.len -
			    objs[count].der);
			count++;
			inobj = 0;
			break;
		case BR_PEM_ERROR:
			msg("the %s %s is not valid PEM", what, path);
			return -1;
		}
	}
	if (inobj || sink.overflow) {
		msg("the %s %s is truncated or too large", what, path);
		return -1;
	}
	if (count == 0)
		msg("the %s %s holds no PEM object", what, path);
	return count ? count : -1;
}

struct dn_sink {
	struct tls_conf *c;
	uint8_t *p;
	size_t len;
	int overflow;
};

static void
dn_append(void *ctx, const void *data, size_t n)
{
	struct dn_sink *s = ctx;

	if (s->overflow)
		return;
	if (s->p == NULL)
		s->p = s->c->store + s->c->used;
	if (store_alloc(s->c, n) == NULL) {
		s->overflow = 1;
		return;
	}
	memcpy(s->p + s->len, data, n);
	s->len += n;
}

/* A trust anchor from one CA certificate. */
static int
add_anchor(struct tls_conf *c, const uint8_t *der, size_t len,
    const char *path)
{
	br_x509_decoder_context dc;
	struct dn_sink dn = { c, NULL, 0, 0 };
	br_x509_trust_anchor *ta;
	const br_x509_pkey *pk;

	if (c->ta_len == TLS_TA_MAX) {
		msg("the CA file %s holds too many certificates", path);
		return -1;
	}
	br_x509_decoder_init(&dc, dn_append, &dn);
	br_x509_decoder_push(&dc, der, len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (pk == NULL || dn.overflow) {
		msg("cannot decode a certificate in the CA file %s "
		    "(BearSSL error %d)", path, br_x509_decoder_last_error(&dc));
		return -1;
	}
	ta = &c->ta[c->ta_len];
	memset(ta, 0, sizeof *ta);
	ta->dn.data = dn.p;
	ta->dn.len = dn.len;
	ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	if (pk->key_type != BR_KEYTYPE_EC ||
	    pk->key.ec.curve != BR_EC_secp256r1) {
		msg("the CA certificate in %s does not have an ECDSA P-256 key, "
		    "the only kind cairn uses (make one with tools/gen-certs.sh)",
		    path);
		return -1;
	}
	ta->pkey.key_type = BR_KEYTYPE_EC;
	ta->pkey.key.ec.curve = pk->key.ec.curve;
	ta->pkey.key.ec.q = store_copy(c, pk->key.ec.q, pk->key.ec.qlen);
	ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	if (ta->pkey.key.ec.q == NULL)
		goto full;
	c->ta_len++;
	return 0;
full:
	msg("the CA file %s is too large", path);
	return -1;
}

static int
load_key(struct tls_conf *c, const char *path, tls_unlock_fn *unlock)
{
	struct pem_obj objs[4];
	br_skey_decoder_context kc;
	const uint8_t *der;
	size_t len;
	int n, i, err;

	n = pem_read(path, "key file", objs, 4);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(objs[i].name, "ENCRYPTED PRIVATE KEY") == 0 ||
		    strcmp(objs[i].name, "PRIVATE KEY") == 0 ||
		    strcmp(objs[i].name, "EC PRIVATE KEY") == 0)
			break;
	if (i == n) {
		msg("the key file %s holds no private key (an ECDSA P-256 key "
		    "in PEM is wanted)", path);
		goto fail;
	}
	der = objs[i].der;
	len = objs[i].len;
	if (strcmp(objs[i].name, "ENCRYPTED PRIVATE KEY") == 0) {
		if (unlock == NULL) {
			msg("the key %s is encrypted; this program reads only "
			    "unencrypted keys", path);
			goto fail;
		}
		if (unlock(path, objs[i].der, objs[i].len, &der, &len) < 0)
			goto fail;
	}
	br_skey_decoder_init(&kc);
	br_skey_decoder_push(&kc, der, len);
	err = br_skey_decoder_last_error(&kc);
	if (err != 0) {
		msg("cannot decode the private key in %s (BearSSL error %d)",
		    path, err);
		wipe(&kc, sizeof kc);
		goto fail;
	}
	if (br_skey_decoder_key_type(&kc) != BR_KEYTYPE_EC ||
	    br_skey_decoder_get_ec(&kc)->curve != BR_EC_secp256r1) {
		msg("the key in %s is not an ECDSA P-256 key, the only kind "
		    "cairn uses (make one with the tools/gen-*.sh scripts)", path);
		wipe(&kc, sizeof kc);
		goto fail;
	}
	{
		const br_ec_private_key *k = br_skey_decoder_get_ec(&kc);
		c->ec.curve = k->curve;
		c->ec.x = store_copy(c, k->x, k->xlen);
		c->ec.xlen = k->xlen;
		if (c->ec.x == NULL)
			goto full;
	}
	wipe(&kc, sizeof kc);
	wipe(pem_der, sizeof pem_der);
	wipe(pem_text, sizeof pem_text);
	return 0;
full:
	msg("the key in %s is too large", path);
	wipe(&kc, sizeof kc);
fail:
	wipe(pem_der, sizeof pem_der);
	wipe(pem_text, sizeof pem_text);
	return -1;
}

/* 0 if the private key is the one of the certificate chain[0]; else a
 * message naming both files, and -1. */
static int
key_matches(struct tls_conf *c, const char *cert, const char *key)
{
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;
	uint8_t pub[BR_EC_KBUF_PUB_MAX_SIZE];
	size_t n;

	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, c->chain[0].data, c->chain[0].data_len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (pk == NULL) {
		msg("cannot decode the certificate in %s (BearSSL error %d)",
		    cert, br_x509_decoder_last_error(&dc));
		return -1;
	}
	n = br_ec_compute_pub(&br_ec_p256_m31, NULL, pub, &c->ec);
	if (pk->key_type != BR_KEYTYPE_EC || pk->key.ec.curve != c->ec.curve ||
	    n == 0 || pk->key.ec.qlen != n ||
	    memcmp(pk->key.ec.q, pub, n) != 0) {
		msg("%s does not match %s: the key is not the certificate's "
		    "(give the key made with it)", key, cert);
		return -1;
	}
	return 0;
}

int
tls_conf_load(struct tls_conf *c, const char *cert, const char *key,
    const char *ca, tls_unlock_fn *unlock)
{
	struct pem_obj objs[TLS_CHAIN_MAX + TLS_TA_MAX];
	int n, i;

	memset(c, 0, sizeof *c);
	/* Anchors first: the issuer key type comes from them. */
	n = pem_read(ca, "CA file", objs, TLS_TA_MAX);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(objs[i].name, "CERTIFICATE") == 0 &&
		    add_anchor(c, objs[i].der, objs[i].len, ca) < 0)
			return -1;
	if (c->ta_len == 0) {
		msg("the CA file %s holds no certificate", ca);
		return -1;
	}
	n = pem_read(cert, "certificate file", objs, TLS_CHAIN_MAX);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		br_x509_certificate *xc;
		if (strcmp(objs[i].name, "CERTIFICATE") != 0)
			continue;
		xc = &c->chain[c->chain_len++];
		xc->data = store_copy(c, objs[i].der, objs[i].len);
		xc->data_len = objs[i].len;
		if (xc->data == NULL) {
			msg("the certificate file %s is too large", cert);
			return -1;
		}
	}
	if (c->chain_len == 0) {
		msg("the certificate file %s holds no certificate", cert);
		return -1;
	}
	if (load_key(c, key, unlock) < 0)
		return -1;
	return key_matches(c, cert, key);
}

/* One DER element of p[0..n): *tag, its contents in *body[0..*blen);
 * the bytes it takes, or 0 when it does not fit (lengths of up to two
 * bytes: a name is short) or its tag is of a class BearSSL refuses
 * (application, private) or takes more than a byte. */
static size_t
der_elt(const uint8_t *p, size_t n, unsigned *tag, const uint8_t **body,
    size_t *blen)
{
	size_t h = 2, len, k, i;

	if (n < 2 || (p[0] & 0x1f) == 0x1f || (p[0] & 0x40) != 0)
		return 0;
	*tag = p[0];
	len = p[1];
	if (len & 0x80) {
		k = len & 0x7f;
		if (k == 0 || k > 2 || n < 2 + k)
			return 0;
		for (len = 0, i = 0; i < k; i++)
			len = len << 8 | p[2 + i];
		h += k;
	}
	if (len > n - h)
		return 0;
	*body = p + h;
	*blen = len;
	return h + len;
}

/*
 * The CN is the server's name for us, as BearSSL's X.509 engine gives it
 * there (its name elements): the string converted to UTF-8 as it does.
 * A code point BearSSL would refuse (NUL, a surrogate, a noncharacter)
 * makes the name unreadable; a byte order mark leading the name is
 * dropped.
 */
static int
cn_put(char *out, size_t cap, size_t *len, uint32_t c)
{
	static const uint8_t lead[5] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	size_t k = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4, i;

	if (c == 0xfeff && *len == 0)
		return 0;
	if (c == 0 || c > 0x10ffff || (c >= 0xfdd0 && c <= 0xfedf) ||
	    (c >= 0xd800 && c <= 0xdfff) || (c & 0xffff) >= 0xfffe ||
	    k >= cap - *len)
		return -1;
	if (k == 1) {
		out[(*len)++] = (char)c;
		return 0;
	}
	out[(*len)++] = (char)(uint8_t)(lead[k] | c >> (6 * (k - 1)));
	for (i = k - 1; i-- > 0;)
		out[(*len)++] = (char)(uint8_t)(0x80 | (c >> (6 * i) & 0x3f));
	return 0;
}

/* One code point of UTF-8 at v[*i..n): *c, or -1 if it is malformed
 * (overlong, truncated, past U+10FFFF). */
static int
utf8_next(const uint8_t *v, size_t n, size_t *i, uint32_t *c)
{
	static const uint32_t min[4] = { 0, 0x80, 0x800, 0x10000 };
	uint8_t b = v[(*i)++];
	size_t k = b < 0x80 ? 0 : b < 0xc0 ? 4 : b < 0xe0 ? 1 :
	    b < 0xf0 ? 2 : b < 0xf8 ? 3 : 4, j;

	if (k == 4 || n - *i < k)
		return -1;
	*c = k == 0 ? b : b & (0x3fu >> k);
	for (j = 0; j < k; j++) {
		if ((v[*i] & 0xc0) != 0x80)
			return -1;
		*c = *c << 6 | (v[(*i)++] & 0x3fu);
	}
	return *c >= min[k] ? 0 : -1;
}

/* One 16-bit unit (le: little-endian) at v[*i..n) into *u, or -1. */
static int
utf16_unit(const uint8_t *v, size_t n, size_t *i, int le, uint32_t *u)
{
	if (n - *i < 2)
		return -1;
	*u = le ? (uint32_t)v[*i + 1] << 8 | v[*i] :
	    (uint32_t)v[*i] << 8 | v[*i + 1];
	*i += 2;
	return 0;
}

/* One code point of UTF-16 at v[*i..n): *c, or -1 (cut, or a surrogate
 * out of its pair). */
static int
utf16_next(const uint8_t *v, size_t n, size_t *i, int le, uint32_t *c)
{
	uint32_t lo;

	if (utf16_unit(v, n, i, le, c) < 0 || (*c >= 0xdc00 && *c <= 0xdfff))
		return -1;
	if (*c < 0xd800 || *c > 0xdbff)
		return 0;
	if (utf16_unit(v, n, i, le, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
		return -1;
	*c = 0x10000 + ((*c - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* 1 if tag (its constructed bit aside) is one of the string types that
 * BearSSL reads: UTF8, Numeric, Printable, Teletex, IA5, BMP. */
static int
string_tag(unsigned tag)
{
	tag &= ~0x20u;
	return tag == 0x0c || tag == 0x12 || tag == 0x13 || tag == 0x14 ||
	    tag == 0x16 || tag == 0x1e;
}

/* The string value v[0..n) of type tag as UTF-8 into out[cap]: 0, or -1
 * (a type that is no string, bytes that do not decode, no room). UTF-16
 * is big-endian unless it starts with a little-endian byte order mark. */
static int
dn_string(unsigned tag, const uint8_t *v, size_t n, char *out, size_t cap)
{
	size_t len = 0, i = 0;
	uint32_t c;
	int le = tag == 0x1e && n >= 2 && v[0] == 0xff && v[1] == 0xfe, r;

	if (!string_tag(tag) || (tag & 0x20) != 0)
		return -1;
	if (cap > 256)		/* BearSSL's pad */
		cap = 256;
	for (i = le ? 2 : 0; i < n;) {
		if (tag == 0x0c)
			r = utf8_next(v, n, &i, &c);
		else if (tag == 0x1e)
			r = utf16_next(v, n, &i, le, &c);
		else
			r = 0, c = v[i++];	/* Latin-1 */
		if (r < 0 || cn_put(out, cap, &len, c) < 0)
			return -1;
	}
	out[len] = 0;
	return 0;
}

/*
 * 1 if BearSSL, decoding the BMPString v[0..n) as it decodes every value
 * of a DN, would read past its end and refuse the certificate. It reads
 * 16-bit units (little-endian after a leading FF FE) and stops, without
 * refusing, at the first that does not decode (U+0000, a surrogate out
 * of its pair, a high surrogate at the end): an odd length is refused
 * only when no such unit comes before the last byte (fuzz_dn found the
 * difference).
 */
static int
bmp_refused(const uint8_t *v, size_t n)
{
	int le = n >= 2 && v[0] == 0xff && v[1] == 0xfe;
	size_t i = le ? 2 : 0;
	uint32_t u;

	while (i < n) {
		if (utf16_unit(v, n, &i, le, &u) < 0)
			return 1;
		if (u == 0 || (u >= 0xdc00 && u <= 0xdfff))
			return 0;
		if (u < 0xd800 || u > 0xdbff)
			continue;
		if (i == n)
			return 0;
		if (utf16_unit(v, n, &i, le, &u) < 0)
			return 1;
		if (u < 0xdc00 || u > 0xdfff)
			return 0;
	}
	return 0;
}

/* The attribute {OID, value} at a[0..n): *cn set if it is the CN, its
 * value's tag and contents in *vtag, *v[0..*vlen). 0, or -1 malformed. */
static int
dn_atv(const uint8_t *a, size_t n, int *cn, unsigned *vtag,
    const uint8_t **v, size_t *vlen)
{
	const uint8_t *oid;
	size_t olen, k;
	unsigned tag;

	if ((k = der_elt(a, n, &tag, &oid, &olen)) == 0 || tag != 0x06 ||
	    k == n || der_elt(a + k, n - k, vtag, v, vlen) != n - k ||
	    (string_tag(*vtag) && (*vtag & 0x20) != 0) ||
	    (*vtag == 0x1e && bmp_refused(*v, *vlen)))
		return -1;	/* what makes BearSSL refuse the certificate */
	*cn = olen == 3 && memcmp(oid, "\x55\x04\x03", 3) == 0;
	return 0;
}

int
tls_dn_cn(const uint8_t *dn, size_t n, char *out, size_t cap)
{
	const uint8_t *names, *set, *atv, *v;
	size_t nlen, slen, alen, vlen, k, j;
	unsigned tag, vtag;
	int cn, got = 0;

	if (cap == 0)
		return -1;
	out[0] = 0;
	if (der_elt(dn, n, &tag, &names, &nlen) != n || tag != 0x30)
		return -1;
	for (; nlen > 0; names += k, nlen -= k) {
		if ((k = der_elt(names, nlen, &tag, &set, &slen)) == 0 ||
		    tag != 0x31 || slen == 0)
			goto bad;
		for (; slen > 0; set += j, slen -= j) {
			if ((j = der_elt(set, slen, &tag, &atv, &alen)) == 0 ||
			    tag != 0x30 ||
			    dn_atv(atv, alen, &cn, &vtag, &v, &vlen) < 0)
				goto bad;
			if (cn && !got++ &&
			    dn_string(vtag, v, vlen, out, cap) < 0)
				goto bad;
		}
	}
	if (out[0] != 0)
		return 0;
bad:
	out[0] = 0;
	return -1;
}

/* The subject DN of our own certificate, into a fixed buffer. */
struct own_dn {
	uint8_t b[1024];
	size_t len;
	int overflow;
};

static void
own_dn_append(void *ctx, const void *data, size_t n)
{
	struct own_dn *d = ctx;

	if (d->overflow || n > sizeof d->b - d->len) {
		d->overflow = 1;
		return;
	}
	memcpy(d->b + d->len, data, n);
	d->len += n;
}

int
tls_own_cn(const struct tls_conf *c, char *out, size_t cap)
{
	static struct own_dn dn;
	br_x509_decoder_context dc;

	out[0] = 0;
	if (c->chain_len == 0)
		return -1;
	dn.len = 0;
	dn.overflow = 0;
	br_x509_decoder_init(&dc, own_dn_append, &dn);
	br_x509_decoder_push(&dc, c->chain[0].data, c->chain[0].data_len);
	if (br_x509_decoder_get_pkey(&dc) == NULL || dn.overflow)
		return -1;
	return tls_dn_cn(dn.b, dn.len, out, cap);
}

void
tls_conf_wipe(struct tls_conf *c)
{
	wipe(&c->ec, sizeof c->ec);
	wipe(c->store, sizeof c->store);
}

/* ---- socket callbacks ------------------------------------------------- */

/* The wait for one read or write into *ms: the connection's timeout,
 * cut to what is left before the deadline when there is one. -1 when
 * the deadline has passed. */
static int
sock_wait(struct tls *t, int *ms)
{
	uint64_t now;

	*ms = t->timeout_ms;
	if (t->deadline == 0)
		return 0;
	now = port_ms();
	if (now >= t->deadline) {
		t->io_err = ETIMEDOUT;
		return -1;
	}
	if (*ms < 0 || (uint64_t)*ms > t->deadline - now)
		*ms = (int)(t->deadline - now);
	return 0;
}

/* BearSSL reads a record as two asks, its 5-byte header and then its
 * body: each would be a poll and a read of its own. One read takes what
 * the socket holds instead (up to two whole records), and the asks are
 * served from it; a syscall then carries one record or more. */
static int
sock_read(void *ctx, unsigned char *buf, size_t len)
{
	struct tls *t = ctx;
	long r;
	int ms;

	if (t->rpos == t->rlen) {
		if (sock_wait(t, &ms) < 0)
			return -1;
		r = port_read(t->fd, t->rbuf, sizeof t->rbuf, ms);
		if (r <= 0) {
			if (r == 0)
				t->eof = 1;
			else
				t->io_err = errno;
			return -1;
		}
		t->rpos = 0;
		t->rlen = (size_t)r;
	}
	if (len > t->rlen - t->rpos)
		len = t->rlen - t->rpos;
	memcpy(buf, t->rbuf + t->rpos, len);
	t->rpos += len;
	return (int)len;
}

static int
sock_write(void *ctx, const unsigned char *buf, size_t len)
{
	struct tls *t = ctx;
	long r;
	int ms;

	if (sock_wait(t, &ms) < 0)
		return -1;
	r = port_write(t->fd, buf, len, ms);
	if (r > 0)
		return (int)r;
	t->io_err = r < 0 ? errno : EPIPE;
	return -1;
}

/* ---- engine set-up ---------------------------------------------------- */

/* What both sides configure the same way: 1 if the CPU has AES and GHASH
 * hardware (AES-128-GCM offered first), 0 if not (tls_set_aead). */
static int
engine_common(struct tls *t, br_ssl_engine_context *eng,
    struct tls_conf *c)
{
	uint8_t seed[32];
	int hw;

	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	hw = tls_set_aead(eng);
	br_ssl_engine_set_ec(eng, &br_ec_p256_m31);
	br_ssl_engine_set_ecdsa(eng, br_ecdsa_i31_vrfy_asn1);
	br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);

	br_x509_minimal_init(&t->xc, &br_sha256_vtable, c->ta, c->ta_len);
	br_x509_minimal_set_hash(&t->xc, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_ecdsa(&t->xc, &br_ec_p256_m31,
	    br_ecdsa_i31_vrfy_asn1);
	br_ssl_engine_set_x509(eng, &t->xc.vtable);
	br_ssl_engine_set_buffer(eng, t->iobuf, sizeof t->iobuf, 1);

	/* Seed from the kernel in this very process (we may have forked). */
	if (port_random(seed, sizeof seed) == 0)
		br_ssl_engine_inject_entropy(eng, seed, sizeof seed);
	wipe(seed, sizeof seed);
	return hw;
}

/* Run the handshake: a flush drives the engine until application data
 * can flow both ways, or the connection fails. The timeout bounds the
 * whole handshake, not each read: a peer dripping bytes is cut off. */
static int
handshake(struct tls *t)
{
	int rc = 0;

	t->deadline = t->timeout_ms > 0 ? port_ms() + (uint64_t)t->timeout_ms :
	    0;
	br_sslio_init(&t->io, t->eng, sock_read, t, sock_write, t);
	if (br_sslio_flush(&t->io) < 0 ||
	    (br_ssl_engine_current_state(t->eng) & BR_SSL_CLOSED))
		rc = -1;
	t->deadline = 0;
	return rc;
}

/* ---- pinning the server's certificate (client side) ---------------------- */

static struct tls_pin *
pin_of(const br_x509_class *const *ctx)
{
	return (struct tls_pin *)(void *)ctx;
}

static void
pin_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct tls_pin *p = pin_of(ctx);

	(void)server_name;	/* the pin names the server */
	p->first = 1;
	p->seen = 0;
}

static void
pin_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct tls_pin *p = pin_of(ctx);

	(void)length;
	if (p->first) {
		br_sha256_init(&p->sha);
		br_x509_decoder_init(&p->dec, NULL, NULL);
	}
}

static void
pin_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct tls_pin *p = pin_of(ctx);

	if (p->first) {
		br_sha256_update(&p->sha, buf, len);
		br_x509_decoder_push(&p->dec, buf, len);
	}
}

static void
pin_end_cert(const br_x509_class **ctx)
{
	struct tls_pin *p = pin_of(ctx);

	if (p->first) {
		p->first = 0;
		p->seen = 1;
	}
}

static unsigned
pin_end_chain(const br_x509_class **ctx)
{
	struct tls_pin *p = pin_of(ctx);
	uint8_t got[32];

	if (!p->seen || br_x509_decoder_get_pkey(&p->dec) == NULL)
		return BR_ERR_X509_EMPTY_CHAIN;
	br_sha256_out(&p->sha, got);
	/* Not secret, but compare without shortcuts anyway. */
	{
		unsigned d = 0, i;
		for (i = 0; i < sizeof got; i++)
			d |= got[i] ^ p->fp[i];
		if (d != 0)
			return BR_ERR_X509_NOT_TRUSTED;
	}
	return 0;
}

static const br_x509_pkey *
pin_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct tls_pin *p = pin_of(ctx);

	if (usages != NULL)
		*usages = BR_KEYTYPE_SIGN | BR_KEYTYPE_KEYX;
	return br_x509_decoder_get_pkey(&p->dec);
}

static const br_x509_class pin_class = {
	sizeof(struct tls_pin),
	pin_start_chain, pin_start_cert, pin_append, pin_end_cert,
	pin_end_chain, pin_get_pkey
};

int
tls_pin(struct tls *t, const char *fp)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *fp; fp++) {
		if (*fp == ':')
			continue;
		v = hexval((unsigned char)*fp);
		if (v < 0 || n == sizeof t->pin.fp)
			return -1;
		if (hi < 0) {
			hi = v;
		} else {
			t->pin.fp[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (n != sizeof t->pin.fp || hi >= 0)
		return -1;
	t->pin.want = 1;
	return 0;
}

int
tls_client(struct tls *t, struct tls_conf *c, int fd,
    const char *server_name, int timeout_ms)
{
	br_ssl_client_context *cc = &t->u.c;

	t->fd = fd;
	t->timeout_ms = timeout_ms;
	t->io_err = 0;
	t->eof = 0;
	t->rpos = t->rlen = 0;
	t->peer_cn[0] = 0;
	br_ssl_client_zero(cc);
	t->eng = &cc->eng;
	engine_common(t, t->eng, c);
	br_ssl_client_set_single_ec(cc, c->chain, c->chain_len, &c->ec,
	    BR_KEYTYPE_SIGN, BR_KEYTYPE_EC, &br_ec_p256_m31,
	    br_ecdsa_i31_sign_asn1);
	if (t->pin.want) {
		t->pin.vtable = &pin_class;
		br_ssl_engine_set_x509(t->eng, &t->pin.vtable);
	}
	if (!br_ssl_client_reset(cc, server_name, 0))
		return -1;
	return handshake(t);
}

/* ---- watching the client's chain (server side) ------------------------ */

/*
 * The DER element at *p, before end: its tag, and its contents in
 * [*v, *v + *n); *p moves past it. 0, or -1 if it is malformed.
 */
static int
der_next(const uint8_t **p, const uint8_t *end, unsigned *tag,
    const uint8_t **v, size_t *n)
{
	const uint8_t *q = *p;
	size_t len, k;

	if (end - q < 2)
		return -1;
	*tag = *q++;
	len = *q++;
	if (len & 0x80) {
		k = len & 0x7f;
		if (k == 0 || k > 2 || (size_t)(end - q) < k)
			return -1;
		for (len = 0; k > 0; k--)
			len = len << 8 | *q++;
	}
	if (len > (size_t)(end - q))
		return -1;
	*v = q;
	*n = len;
	*p = q + len;
	return 0;
}

#define OID_EKU "\x55\x1d\x25"		/* 2.5.29.37 */
#define OID_BASIC "\x55\x1d\x13"	/* 2.5.29.19 */
/* 1.3.6.1.5.5.7.3.2 */
#define OID_CLIENT_AUTH "\x2b\x06\x01\x05\x05\x07\x03\x02"
#define OID_ANY_EKU "\x55\x1d\x25\x00"

/* 1 if the DER contents [v, v + n) are the OID oid (of len bytes). */
static int
oid_is(const uint8_t *v, size_t n, const char *oid, size_t len)
{
	return n == len && memcmp(v, oid, len) == 0;
}

/* One extension's value: 0, or why it makes the certificate no
 * client's. */
static unsigned
ext_check(const uint8_t *oid, size_t olen, const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n, *v, *in;
	unsigned tag, ok = 0, basic = oid_is(oid, olen, OID_BASIC, 3);

	if (!basic && !oid_is(oid, olen, OID_EKU, 3))
		return 0;
	if (der_next(&p, end, &tag, &in, &n) < 0 || tag != 0x30)
		return TLS_CHAIN_UNREADABLE;
	p = in;
	end = in + n;
	if (basic)
		/* SEQUENCE { cA BOOLEAN DEFAULT FALSE, ... } */
		return der_next(&p, end, &tag, &v, &n) == 0 && tag == 0x01 &&
		    n == 1 && v[0] != 0 ? TLS_CHAIN_IS_CA : 0;
	while (p < end) {
		if (der_next(&p, end, &tag, &v, &n) < 0 || tag != 0x06)
			return TLS_CHAIN_UNREADABLE;
		ok |= oid_is(v, n, OID_CLIENT_AUTH, 8) ||
		    oid_is(v, n, OID_ANY_EKU, 4);
	}
	return ok ? 0 : TLS_CHAIN_NOT_CLIENT;
}

/*
 * What BearSSL's minimal engine leaves out for a client's own
 * certificate (DER in [der, der + len)): an extended key usage, when
 * there is one, must allow clientAuth, and a CA certificate is no
 * client's. 0, or a TLS_CHAIN_* reason.
 */
static unsigned
ee_check(const uint8_t *der, size_t len)
{
	const uint8_t *p = der, *end = der + len, *v, *oid, *ext, *xend;
	size_t n, olen;
	unsigned tag = 0, why;

	/* Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { ... } } */
	if (der_next(&p, end, &tag, &v, &n) < 0 || tag != 0x30 ||
	    der_next(&v, v + n, &tag, &p, &n) < 0 || tag != 0x30)
		return TLS_CHAIN_UNREADABLE;
	/* its last field: extensions [3] EXPLICIT SEQUENCE OF Extension */
	for (end = p + n, tag = 0; p < end && tag != 0xa3; )
		if (der_next(&p, end, &tag, &v, &n) < 0)
			return TLS_CHAIN_UNREADABLE;
	if (tag != 0xa3)
		return 0;
	if (der_next(&v, v + n, &tag, &p, &n) < 0 || tag != 0x30)
		return TLS_CHAIN_UNREADABLE;
	for (end = p + n; p < end; ) {
		/* Extension ::= SEQUENCE { extnID OID, critical BOOLEAN
		 * DEFAULT FALSE, extnValue OCTET STRING } */
		if (der_next(&p, end, &tag, &ext, &n) < 0 || tag != 0x30)
			return TLS_CHAIN_UNREADABLE;
		xend = ext + n;
		if (der_next(&ext, xend, &tag, &oid, &olen) < 0 ||
		    tag != 0x06 || der_next(&ext, xend, &tag, &v, &n) < 0 ||
		    (tag == 0x01 && der_next(&ext, xend, &tag, &v, &n) < 0) ||
		    tag != 0x04)
			return TLS_CHAIN_UNREADABLE;
		why = ext_check(oid, olen, v, n);
		if (why != 0)
			return why;
	}
	return 0;
}

int
tls_conf_client_ok(const struct tls_conf *c, const char *cert)
{
	unsigned why = ee_check(c->chain[0].data, c->chain[0].data_len);

	if (why == TLS_CHAIN_NOT_CLIENT)
		msg("the certificate in %s is not for client authentication "
		    "(its extended key usage lacks clientAuth): give a client "
		    "certificate (tools/gen-client-cert.sh makes one)", cert);
	else if (why == TLS_CHAIN_IS_CA)
		msg("the certificate in %s is a CA's, not a client's", cert);
	else if (why != 0)
		msg("cannot read the certificate in %s", cert);
	return why == 0 ? 0 : -1;
}

/* The serial number of a certificate (DER), leading zeros dropped:
 * *p and *n, or -1. */
static int
serial_of(const uint8_t *der, size_t len, const uint8_t **sp, size_t *sn)
{
	const uint8_t *p = der, *end = der + len, *v;
	size_t n;
	unsigned tag;

	/* Certificate { tbsCertificate { [0] version OPTIONAL, serial } } */
	if (der_next(&p, end, &tag, &v, &n) < 0 || tag != 0x30 ||
	    der_next(&v, v + n, &tag, &p, &n) < 0 || tag != 0x30)
		return -1;
	end = p + n;
	if (der_next(&p, end, &tag, &v, &n) < 0)
		return -1;
	if (tag == 0xa0 && der_next(&p, end, &tag, &v, &n) < 0)
		return -1;
	if (tag != 0x02 || n == 0)
		return -1;
	while (n > 1 && v[0] == 0) {
		v++;
		n--;
	}
	*sp = v;
	*sn = n;
	return 0;
}

/* 1 if the client's certificate (DER) is on the deny list. */
static int
denied(const struct tls_deny *d, const uint8_t *der, size_t len)
{
	br_sha256_context h;
	uint8_t fp[32];
	const uint8_t *sp = NULL;
	size_t sn = 0;
	unsigned i;

	if (d == NULL || d->n == 0)
		return 0;
	br_sha256_init(&h);
	br_sha256_update(&h, der, len);
	br_sha256_out(&h, fp);
	if (serial_of(der, len, &sp, &sn) < 0)
		sn = 0;
	for (i = 0; i < d->n; i++) {
		if (d->e[i].slen == 0 && memcmp(d->e[i].fp, fp, 32) == 0)
			return 1;
		if (d->e[i].slen > 0 && d->e[i].slen == sn &&
		    memcmp(d->e[i].serial, sp, sn) == 0)
			return 1;
	}
	return 0;
}

/* Hex digits (colons between allowed) into out[cap]: the byte count,
 * or -1. */
static int
hex_bytes(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t i, k = 0;
	int hi = -1, v;

	for (i = 0; i < n; i++) {
		if (s[i] == ':')
			continue;
		if ((v = hexval((unsigned char)s[i])) < 0 || k == cap)
			return -1;
		if (hi < 0) {
			hi = v;
		} else {
			out[k++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi >= 0 ? -1 : (int)k;
}

static const char *deny_path;	/* the list being read, for messages */

/* One line of a deny list. */
static int
deny_line(void *ctx, char *s, size_t n, size_t line)
{
	static const char serial_tag[] = "serial=";
	const char *eq;
	struct tls_deny *d = ctx;
	int k;

	if (d->n == TLS_DENY_MAX) {
		msg("%s, line %zu: more than %d certificates", deny_path, line,
		    TLS_DENY_MAX);
		return -1;
	}
	d->e[d->n].slen = 0;
	if (n > sizeof serial_tag - 1 && strncmp(s, serial_tag,
	    sizeof serial_tag - 1) == 0) {
		k = hex_bytes(s + sizeof serial_tag - 1, n - (sizeof serial_tag
		    - 1), d->e[d->n].serial, TLS_SERIAL_MAX);
		while (k > 1 && d->e[d->n].serial[0] == 0)
			memmove(d->e[d->n].serial, d->e[d->n].serial + 1,
			    (size_t)--k);
		if (k > 0) {
			d->e[d->n++].slen = (size_t)k;
			return 0;
		}
	} else {
		/* "sha256 Fingerprint=AB:CD:..." as openssl prints it */
		if ((eq = memchr(s, '=', n)) != NULL) {
			n -= (size_t)(eq + 1 - s);
			s = (char *)eq + 1;
		}
		if (hex_bytes(s, n, d->e[d->n].fp, 32) == 32) {
			d->n++;
			return 0;
		}
	}
	msg("%s, line %zu: want a SHA-256 fingerprint (64 hex digits) or "
	    "serial=HEX", deny_path, line);
	return -1;
}

int
tls_deny_load(struct tls_deny *d, const char *path)
{
	d->n = 0;
	deny_path = path;
	return text_lines(path, "deny list", deny_line, d) == 0 ? 0 : -1;
}

/* The connection a watcher context belongs to. */
static struct tls *
watch_tls(const br_x509_class *const *ctx)
{
	return ((const struct tls_watch *)(const void *)ctx)->t;
}

#define WATCH_INNER(ctx) (&watch_tls(ctx)->xc.vtable)

static void
watch_start_chain(const br_x509_class **ctx, const char *server_name)
{
	const br_x509_class **in = WATCH_INNER(ctx);

	struct tls *t = watch_tls(ctx);

	t->chain_seen = 1;
	t->chain_certs = 0;
	t->ee_len = 0;
	t->ee_over = 0;
	(*in)->start_chain(in, server_name);
}

static void
watch_start_cert(const br_x509_class **ctx, uint32_t length)
{
	const br_x509_class **in = WATCH_INNER(ctx);

	(*in)->start_cert(in, length);
}

static void
watch_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	const br_x509_class **in = WATCH_INNER(ctx);
	struct tls *t = watch_tls(ctx);

	if (t->chain_certs == 0) {
		if (len > sizeof t->ee - t->ee_len)
			t->ee_over = 1;
		else
			memcpy(t->ee + t->ee_len, buf, len);
		t->ee_len += t->ee_over ? 0 : len;
	}
	(*in)->append(in, buf, len);
}

static void
watch_end_cert(const br_x509_class **ctx)
{
	const br_x509_class **in = WATCH_INNER(ctx);

	watch_tls(ctx)->chain_certs++;
	(*in)->end_cert(in);
}

static unsigned
watch_end_chain(const br_x509_class **ctx)
{
	const br_x509_class **in = WATCH_INNER(ctx);
	struct tls *t = watch_tls(ctx);

	t->chain_err = (*in)->end_chain(in);
	if (t->chain_err == 0)
		t->chain_err = t->ee_over ? TLS_CHAIN_UNREADABLE :
		    ee_check(t->ee, t->ee_len);
	if (t->chain_err == 0 && denied(t->deny, t->ee, t->ee_len))
		t->chain_err = TLS_CHAIN_DENIED;
	/* BearSSL is told in its own terms. */
	return t->chain_err > 0xffff ? BR_ERR_X509_FORBIDDEN_KEY_USAGE :
	    t->chain_err;
}

static const br_x509_pkey *
watch_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const br_x509_class *const *in = WATCH_INNER(ctx);

	return (*in)->get_pkey(in, usages);
}

static const br_x509_class watch_class = {
	sizeof(((struct tls *)0)->watch),
	watch_start_chain, watch_start_cert, watch_append, watch_end_cert,
	watch_end_chain, watch_get_pkey
};

const char *
tls_chain_why(struct tls *t)
{
	if (!t->chain_seen)
		return "no client certificate was sent";
	if (t->chain_err == 0)
		return "the client certificate has no usable common name "
		    "(at most 64 bytes)";
	switch (t->chain_err) {
	case BR_ERR_X509_NOT_TRUSTED:
		return "the client certificate is not signed by this "
		    "server's CA";
	case BR_ERR_X509_EXPIRED:
		return "the client certificate has expired or is not yet "
		    "valid";
	case BR_ERR_X509_FORBIDDEN_KEY_USAGE:
		return "the client certificate may not be used for this";
	case TLS_CHAIN_NOT_CLIENT:
		return "the client certificate is not for clients: its extended "
		    "key usage does not allow clientAuth (a server's "
		    "certificate?)";
	case TLS_CHAIN_IS_CA:
		return "the client certificate is a CA certificate "
		    "(basicConstraints CA:TRUE), not a client's";
	case TLS_CHAIN_UNREADABLE:
		return "the client certificate is too large or malformed to "
		    "check its usage";
	case TLS_CHAIN_DENIED:
		return "the client certificate is revoked: it is on the "
		    "server's deny list";
	default:
		return "the client certificate could not be validated";
	}
}

int
tls_server(struct tls *t, struct tls_conf *c, int fd, int timeout_ms)
{
	br_ssl_server_context *sc = &t->u.s;
	int hw;

	t->fd = fd;
	t->timeout_ms = timeout_ms;
	t->io_err = 0;
	t->eof = 0;
	t->rpos = t->rlen = 0;
	t->peer_cn[0] = 0;
	t->deny = c->deny;
	br_ssl_server_zero(sc);
	t->eng = &sc->eng;
	hw = engine_common(t, t->eng, c);
	br_ssl_server_set_single_ec(sc, c->chain, c->chain_len, &c->ec,
	    BR_KEYTYPE_SIGN, BR_KEYTYPE_EC, &br_ec_p256_m31,
	    br_ecdsa_i31_sign_asn1);
	if (!hw) {
		/* Constant-time AES for a client that offers nothing else;
		 * ChaCha20 first, whatever the client says. */
		br_ssl_engine_set_default_aes_gcm(t->eng);
		br_ssl_engine_set_suites(t->eng, suites_chacha_first,
		    sizeof suites_chacha_first / sizeof suites_chacha_first[0]);
		br_ssl_engine_add_flags(t->eng,
		    BR_OPT_ENFORCE_SERVER_PREFERENCES);
	}
	/* Ask for a client certificate; without one the handshake fails. */
	br_ssl_server_set_trust_anchor_names_alt(sc, c->ta, c->ta_len);
	/* The client's name is its certificate's common name. */
	t->cn_elt.oid = (const unsigned char *)"\x03\x55\x04\x03";
	t->cn_elt.buf = t->peer_cn;
	t->cn_elt.len = sizeof t->peer_cn;
	br_x509_minimal_set_name_elements(&t->xc, &t->cn_elt, 1);
	/* Finish the handshake even for a client that fails to
	 * authenticate, so it can be told why; it gets nothing else. */
	t->watch.vtable = &watch_class;
	t->watch.t = t;
	t->chain_seen = 0;
	t->chain_err = BR_ERR_X509_EMPTY_CHAIN;
	br_ssl_engine_set_x509(t->eng, &t->watch.vtable);
	br_ssl_engine_add_flags(t->eng, BR_OPT_TOLERATE_NO_CLIENT_AUTH);
	if (!br_ssl_server_reset(sc))
		return -1;
	if (handshake(t) < 0)
		return -1;
	if (!t->chain_seen || t->chain_err != 0 || t->cn_elt.status <= 0) {
		t->peer_cn[0] = 0;
		return 1;
	}
	return 0;
}

/* ---- data ---------------------------------------------------------------- */

int
tls_read(struct tls *t, void *p, size_t n)
{
	return br_sslio_read_all(&t->io, p, n);
}

int
tls_write(struct tls *t, const void *p, size_t n)
{
	return br_sslio_write_all(&t->io, p, n);
}

int
tls_flush(struct tls *t)
{
	return br_sslio_flush(&t->io);
}

const uint8_t *
tls_buffered(struct tls *t, size_t *len)
{
	if (!(br_ssl_engine_current_state(t->eng) & BR_SSL_RECVAPP)) {
		*len = 0;
		return NULL;
	}
	return br_ssl_engine_recvapp_buf(t->eng, len);
}

void
tls_close(struct tls *t)
{
	br_sslio_close(&t->io);
}

int
tls_error(struct tls *t)
{
	return br_ssl_engine_last_error(t->eng);
}

int
tls_refused(struct tls *t)
{
	int e = tls_error(t);

	if (e < BR_ERR_RECV_FATAL_ALERT || e >= BR_ERR_SEND_FATAL_ALERT)
		return 0;
	switch (e - BR_ERR_RECV_FATAL_ALERT) {
	case 42:	/* bad_certificate */
	case 43:	/* unsupported_certificate */
	case 44:	/* certificate_revoked */
	case 45:	/* certificate_expired */
	case 46:	/* certificate_unknown */
	case 48:	/* unknown_ca */
	case 49:	/* access_denied */
		return 1;
	}
	return 0;
}

static const struct {
	int code;
	const char *text;
} why_text[] = {
	{ BR_ERR_X509_EXPIRED, "its certificate has expired or is not yet "
	    "valid (check the clock)" },
	{ BR_ERR_X509_NOT_TRUSTED, "its certificate is not signed by our CA "
	    "(check --ca)" },
	{ BR_ERR_X509_BAD_SERVER_NAME, "its certificate does not carry the "
	    "expected server name (check --server-name)" },
	{ BR_ERR_X509_TIME_UNKNOWN, "the clock is not set, so certificates "
	    "cannot be checked" },
	{ BR_ERR_X509_FORBIDDEN_KEY_USAGE, "its certificate may not be used "
	    "for this" },
	{ BR_ERR_X509_NOT_CA, "its issuer is not a CA" },
	{ BR_ERR_X509_BAD_SIGNATURE, "its certificate's signature is wrong" },
	{ BR_ERR_X509_EMPTY_CHAIN, "it sent no certificate" },
	{ BR_ERR_BAD_CIPHER_SUITE, "no cipher suite in common (TLS 1.2 with "
	    "ECDHE and AES-GCM or ChaCha20 is required)" },
	{ BR_ERR_UNSUPPORTED_VERSION, "it does not speak TLS 1.2" },
	{ BR_ERR_BAD_VERSION, "it does not speak TLS 1.2" },
	{ BR_ERR_NO_CLIENT_AUTH, "the client sent no certificate" },
	{ BR_ERR_BAD_MAC, "the data was corrupted in transit" },
	{ BR_ERR_RECV_FATAL_ALERT + 40, "the peer refused the handshake" },
	{ BR_ERR_RECV_FATAL_ALERT + 42, "the peer refused our certificate" },
	{ BR_ERR_RECV_FATAL_ALERT + 45, "the peer says our certificate has "
	    "expired" },
	{ BR_ERR_RECV_FATAL_ALERT + 46, "the peer refused our certificate" },
	{ BR_ERR_RECV_FATAL_ALERT + 48, "the peer does not know our "
	    "certificate's CA" },
	{ BR_ERR_RECV_FATAL_ALERT + 70, "the peer does not speak TLS 1.2" },
	{ BR_ERR_RECV_FATAL_ALERT + 71, "the peer wants stronger security" },
};

const char *
tls_why(struct tls *t, char *buf, size_t cap)
{
	int e = tls_error(t);
	size_t i;

	if (t->io_err == ETIMEDOUT) {
		snprintf(buf, cap, "timed out after %d s",
		    t->timeout_ms / 1000);
		return buf;
	}
	if (t->io_err) {
		snprintf(buf, cap, "%s", strerror(t->io_err));
		return buf;
	}
	if (e == BR_ERR_X509_EXPIRED && port_time() < 1577836800) {
		char now[21];
		utc_name(port_time(), now);
		snprintf(buf, cap, "this machine's clock says %s, before any "
		    "certificate was made: set the clock (NTP, an RTC), or pin "
		    "the server with --server-fingerprint", now);
		return buf;
	}
	if (e == BR_ERR_X509_NOT_TRUSTED && t->pin.want) {
		snprintf(buf, cap, "its certificate is not the one pinned with "
		    "--server-fingerprint");
		return buf;
	}
	for (i = 0; i < sizeof why_text / sizeof why_text[0]; i++)
		if (why_text[i].code == e) {
			snprintf(buf, cap, "%s", why_text[i].text);
			return buf;
		}
	if (t->eof || e == BR_ERR_IO || e == 0) {
		snprintf(buf, cap, "the connection was closed by the peer");
		return buf;
	}
	if (e >= BR_ERR_RECV_FATAL_ALERT && e < BR_ERR_SEND_FATAL_ALERT)
		snprintf(buf, cap, "the peer sent TLS alert %d",
		    e - BR_ERR_RECV_FATAL_ALERT);
	else if (e >= BR_ERR_SEND_FATAL_ALERT)
		snprintf(buf, cap, "TLS failed (alert %d sent)",
		    e - BR_ERR_SEND_FATAL_ALERT);
	else
		snprintf(buf, cap, "TLS failed (BearSSL error %d)", e);
	return buf;
}
