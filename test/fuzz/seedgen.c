/*
 * seedgen.c — writes the binary seeds of test/fuzz/corpus/{frame,pkcs8}
 * with cairn's own encoders. Run once by hand when the formats change;
 * `make fuzz` does not need it:
 *
 *   cc -std=c99 -D_POSIX_C_SOURCE=200809L -Ibuild/include -Iport \
 *       -Isrc/common test/fuzz/seedgen.c src/common/proto.c \
 *       src/common/buf.c src/common/path.c src/common/pkcs8.c \
 *       src/common/util.c src/common/tls.c port/posix.c \
 *       build/asan/bearssl/libbearssl.a -o build/seedgen
 *   build/seedgen test/fuzz/corpus
 *
 * The pkcs8 seeds wrap a plain text that is no key ("fuzz seed, not a
 * key"), encrypted with the pass phrase "pw" and one to three PBKDF2
 * iterations: no key material is committed. make-seeds.sh adds real
 * (throwaway) keys at fuzz time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "pkcs8.h"
#include "proto.h"

static const char *dir;

static void
save(const char *sub, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* ---- frames: type byte, then the payload ---------------------------- */

static uint8_t fbuf[FRAME_MAX + 1];

static void
entry_frame(const char *name, unsigned type, unsigned etype,
    const char *path, const char *target, uint64_t size)
{
	struct entry e;
	struct buf b;
	size_t i;

	memset(&e, 0, sizeof e);
	e.type = etype;
	e.plen = strlen(path);
	memcpy(e.path, path, e.plen);
	e.size = size;
	e.mode = etype == E_DIR ? 0755 : etype == E_LINK ? 0777 : 0644;
	e.mtime = 1795882441;
	e.mtime_ns = 899966615;
	if (etype == E_FILE)
		for (i = 0; i < MD5_LEN; i++)
			e.md5[i] = (uint8_t)(0x11 * i);
	if (target != NULL) {
		e.tlen = strlen(target);
		memcpy(e.target, target, e.tlen);
	}
	buf_init(&b, fbuf, sizeof fbuf);
	buf_u8(&b, type);
	if (entry_put(&b, &e) < 0)
		abort();
	save("frame", name, b.p, b.len);
}

static void
reply_frame(const char *name, unsigned type, unsigned status,
    const char *text, const char *s1, const char *s2, int nums)
{
	struct buf b;
	uint8_t body[FRAME_MAX];

	buf_init(&b, body, sizeof body);
	reply_start(&b, status, text);
	if (type == (T_HELLO | T_REPLY))
		buf_u16(&b, PROTO_VERSION);
	if (s1 != NULL) {
		buf_u16(&b, (unsigned)strlen(s1));
		buf_puts(&b, s1);
	}
	if (s2 != NULL) {
		buf_u16(&b, (unsigned)strlen(s2));
		buf_puts(&b, s2);
	}
	if (nums) {
		buf_u64(&b, 2);
		buf_u64(&b, 10 + 4096);
		buf_u64(&b, 1);
	}
	fbuf[0] = (uint8_t)type;
	memcpy(fbuf + 1, body, b.len);
	save("frame", name, fbuf, b.len + 1);
}

static void
frames(void)
{
	static const uint8_t hello[] = { T_HELLO, 0x00, 0x01 };
	static const uint8_t source[] = { T_CHECK_SOURCE, 0x00, 0x04,
	    '/', 'e', 't', 'c' };
	static const uint8_t empty[] = { T_BACKUP_COMPLETE };
	/* A frame header as the first bytes, then rd_* ops (type 0x10). */
	static const uint8_t ops[] = { 0x10, 0x00, 0x00, 0x08, 0x01, 0x02,
	    0x03, 0x05, 0x06, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	    'h', 'i', 0x01, 0x02, 0x03, 0x04, 0x05, 0x06 };

	save("frame", "hello", hello, sizeof hello);
	save("frame", "check-source", source, sizeof source);
	save("frame", "backup-complete", empty, sizeof empty);
	save("frame", "rd-ops", ops, sizeof ops);
	entry_frame("offer-file", T_OFFER, E_FILE, "a/x", NULL, 10);
	entry_frame("offer-dir", T_OFFER, E_DIR, "a", NULL, 0);
	entry_frame("offer-link", T_OFFER, E_LINK, "a/l", "../b/c", 0);
	entry_frame("offer-names", T_OFFER, E_FILE,
	    "-d/bad\xff\xfe dir/ leading space/a.b/...", NULL, 57);
	entry_frame("file-transfer", T_FILE_TRANSFER, E_FILE, "b", NULL,
	    4096);
	reply_frame("reply-hello", T_HELLO | T_REPLY, ST_OK, "hello",
	    "router1", NULL, 0);
	reply_frame("reply-source", T_CHECK_SOURCE | T_REPLY, ST_OK,
	    "snapshot 2026-11-28T15-04-05Z of backup 3f2a6b1c9d0e4f57",
	    "3f2a6b1c9d0e4f57", "2026-11-28T15-04-05Z", 0);
	reply_frame("reply-offer-need", T_OFFER | T_REPLY, ST_NEED,
	    "send it", NULL, NULL, 0);
	reply_frame("reply-stored", T_TRANSFER_COMPLETE | T_REPLY,
	    ST_BAD_DATA, "size or MD5 mismatch", NULL, NULL, 0);
	reply_frame("reply-complete", T_BACKUP_COMPLETE | T_REPLY, ST_OK,
	    "", "2026-11-28T15-04-05Z-001", NULL, 1);
	reply_frame("error", T_ERROR, ST_BAD_REQUEST,
	    "an offer inside an upload", NULL, NULL, 0);
}

/* ---- pkcs8: EncryptedPrivateKeyInfo around a plain text ------------- */

static const uint8_t oid_pbes2[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
    0x01, 0x05, 0x0d };
static const uint8_t oid_pbkdf2[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
    0x01, 0x05, 0x0c };
static const uint8_t oid_sha256[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
    0x02, 0x09 };
static const uint8_t oid_aes128[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
    0x04, 0x01, 0x02 };
static const uint8_t oid_aes256[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
    0x04, 0x01, 0x2a };

/* tag, length, contents at out[]; the bytes written. */
static size_t
tlv(uint8_t *out, unsigned tag, const void *p, size_t n)
{
	size_t h = 2;

	out[0] = (uint8_t)tag;
	if (n < 128) {
		out[1] = (uint8_t)n;
	} else {
		out[1] = 0x82;
		out[2] = (uint8_t)(n >> 8);
		out[3] = (uint8_t)n;
		h = 4;
	}
	memmove(out + h, p, n);
	return h + n;
}

/* Concatenate up to four encoded parts. */
static size_t
cat(uint8_t *out, const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
    const uint8_t *c, size_t cn, const uint8_t *d, size_t dn)
{
	memcpy(out, a, an);
	memcpy(out + an, b, bn);
	memcpy(out + an + bn, c, cn);
	memcpy(out + an + bn + cn, d, dn);
	return an + bn + cn + dn;
}

/*
 * keylen 16 or 32; iter in 1.. (witer: the count written, 0 for iter);
 * klen: write keyLength; prf: write the HMAC-SHA256 prf (else the
 * default, SHA-1, unsupported).
 */
static void
pkcs8_seed(const char *name, const char *pass, size_t keylen,
    uint32_t iter, uint32_t witer, int klen, int prf)
{
	static const char plain[] = "fuzz seed, not a key";
	static const uint8_t salt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t key[32], iv[16], iv0[16], data[64];
	uint8_t t1[512], t2[512], t3[512], t4[512], t5[512], t6[512];
	uint32_t w = witer ? witer : iter;
	uint8_t itb[4] = { (uint8_t)(w >> 24), (uint8_t)(w >> 16),
	    (uint8_t)(w >> 8), (uint8_t)w };
	uint8_t kl = (uint8_t)keylen;
	br_aes_ct_cbcenc_keys k;
	size_t n = sizeof plain - 1, pad, dl, a, b, c, d;
	const uint8_t *ip = itb;
	size_t in = 4;

	while (in > 1 && ip[0] == 0 && !(ip[1] & 0x80)) {
		ip++;
		in--;
	}
	memcpy(data, plain, n);
	pad = 16 - n % 16;
	memset(data + n, (int)pad, pad);
	dl = n + pad;
	memset(iv0, 9, sizeof iv0);
	memcpy(iv, iv0, sizeof iv);
	pbkdf2_sha256(pass, strlen(pass), salt, sizeof salt, iter, key,
	    keylen);
	br_aes_ct_cbcenc_init(&k, key, keylen);
	br_aes_ct_cbcenc_run(&k, iv, data, dl);

	/* PBKDF2-params: salt, iterations, [keyLength], [prf] */
	a = tlv(t1, 0x04, salt, sizeof salt);
	a += tlv(t1 + a, 0x02, ip, in);
	if (klen)
		a += tlv(t1 + a, 0x02, &kl, 1);
	if (prf) {
		b = tlv(t2, 0x06, oid_sha256, sizeof oid_sha256);
		t2[b++] = 0x05;		/* NULL parameters */
		t2[b++] = 0x00;
		a += tlv(t1 + a, 0x30, t2, b);
	}
	b = tlv(t2, 0x06, oid_pbkdf2, sizeof oid_pbkdf2);
	b += tlv(t2 + b, 0x30, t1, a);
	b = tlv(t3, 0x30, t2, b);			/* keyDerivationFunc */
	c = tlv(t4, 0x06, keylen == 32 ? oid_aes256 : oid_aes128,
	    sizeof oid_aes256);
	c += tlv(t4 + c, 0x04, iv0, sizeof iv0);
	c = tlv(t5, 0x30, t4, c);			/* encryptionScheme */
	d = cat(t6, t3, b, t5, c, NULL, 0, NULL, 0);
	a = tlv(t1, 0x30, t6, d);			/* PBES2-params */
	b = tlv(t2, 0x06, oid_pbes2, sizeof oid_pbes2);
	d = cat(t6, t2, b, t1, a, NULL, 0, NULL, 0);
	a = tlv(t1, 0x30, t6, d);			/* AlgorithmIdentifier */
	b = tlv(t2, 0x04, data, dl);			/* encryptedData */
	d = cat(t6, t1, a, t2, b, NULL, 0, NULL, 0);
	a = tlv(t1 + 0, 0x30, t6, d);
	save("pkcs8", name, t1, a);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: seedgen CORPUS_DIR\n");
		return 2;
	}
	dir = argv[1];
	frames();
	pkcs8_seed("aes256-iter1", "pw", 32, 1, 0, 0, 1);
	pkcs8_seed("aes128-iter2-keylen", "pw", 16, 2, 0, 1, 1);
	pkcs8_seed("aes256-iter3-wrongpass", "not pw", 32, 3, 0, 0, 1);
	pkcs8_seed("default-prf", "pw", 32, 1, 0, 0, 0);
	pkcs8_seed("iter-over-max", "pw", 32, 1, PBKDF2_ITER_MAX + 1, 0, 1);
	pkcs8_seed("iter-300", "pw", 16, 300, 0, 0, 1);
	return 0;
}
