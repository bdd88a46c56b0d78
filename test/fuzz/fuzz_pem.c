/*
 * fuzz_pem.c — libFuzzer target for tls_conf_load (tls.c): the PEM
 * reading (pem_read), CA anchors, certificate chain and private key —
 * plain, or encrypted and handed to pkcs8_decrypt — as both programs load
 * them at start.
 *
 * The input is cut at its first two NUL bytes into the CA file, the
 * certificate file and the key file (without a NUL, all three are the
 * whole input; with one, the key file is the certificate file). Each goes
 * to a temporary file created once, unlinked at once and named by
 * /proc/self/fd/N. Messages about bad files go to stderr: run with
 * -close_fd_mask=2. Checked on success: at least one anchor and one
 * certificate, no more than the arrays hold, every slice (anchor names
 * and keys, certificates, the private key) within the store, a P-256 key.
 * The pass phrase of encrypted keys is "pw"; inputs with a slow PBKDF2
 * count are refused by the unlock function (pbkdf2_iter.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkcs8.h"
#include "pbkdf2_iter.h"
#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static struct tls_conf conf;
static int fds[3] = { -1, -1, -1 };
static char names[3][32];

/* Whether p[0..n) lies within the configuration's store. */
static int
in_store(const void *p, size_t n)
{
	const uint8_t *s = p;

	return s >= conf.store && s <= conf.store + conf.used &&
	    n <= (size_t)(conf.store + conf.used - s);
}

/* As cairnd's keypass.c, with a fixed pass phrase. */
static int
unlock(const char *path, uint8_t *der, size_t len, const uint8_t **out,
    size_t *outlen)
{
	int r;

	if (fz_too_slow(der, len))
		return -1;
	r = pkcs8_decrypt(der, len, "pw", 2, out, outlen);
	if (r != PKCS8_OK)
		return -1;
	CHECK(*out >= der && *outlen <= len &&
	    (size_t)(*out - der) <= len - *outlen);
	return 0;
}

static void
put(int i, const uint8_t *p, size_t n)
{
	CHECK(ftruncate(fds[i], 0) == 0);
	CHECK(n == 0 || pwrite(fds[i], p, n, 0) == (ssize_t)n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *z1, *z2 = NULL;
	size_t i;

	if (fds[0] < 0) {
		for (i = 0; i < 3; i++) {
			char tmp[] = "/tmp/cairn-fuzz-pem-XXXXXX";
			fds[i] = mkstemp(tmp);
			CHECK(fds[i] >= 0);
			unlink(tmp);
			snprintf(names[i], sizeof names[i], "/proc/self/fd/%d",
			    fds[i]);
		}
	}
	z1 = memchr(data, 0, size);
	if (z1 != NULL)
		z2 = memchr(z1 + 1, 0, size - (size_t)(z1 + 1 - data));
	if (z1 == NULL) {
		put(0, data, size);
		put(1, data, size);
		put(2, data, size);
	} else {
		put(0, data, (size_t)(z1 - data));
		if (z2 == NULL) {
			put(1, z1 + 1, size - (size_t)(z1 + 1 - data));
			put(2, z1 + 1, size - (size_t)(z1 + 1 - data));
		} else {
			put(1, z1 + 1, (size_t)(z2 - z1 - 1));
			put(2, z2 + 1, size - (size_t)(z2 + 1 - data));
		}
	}

	if (tls_conf_load(&conf, names[1], names[2], names[0], unlock) < 0)
		return 0;
	CHECK(conf.used <= sizeof conf.store);
	CHECK(conf.ta_len >= 1 && conf.ta_len <= TLS_TA_MAX);
	CHECK(conf.chain_len >= 1 && conf.chain_len <= TLS_CHAIN_MAX);
	for (i = 0; i < conf.ta_len; i++) {
		const br_x509_trust_anchor *ta = &conf.ta[i];
		CHECK(ta->dn.len == 0 || in_store(ta->dn.data, ta->dn.len));
		CHECK(ta->pkey.key_type == BR_KEYTYPE_EC &&
		    ta->pkey.key.ec.curve == BR_EC_secp256r1 &&
		    in_store(ta->pkey.key.ec.q, ta->pkey.key.ec.qlen));
	}
	for (i = 0; i < conf.chain_len; i++)
		CHECK(in_store(conf.chain[i].data, conf.chain[i].data_len));
	CHECK(conf.ec.curve == BR_EC_secp256r1 && conf.ec.xlen > 0 &&
	    in_store(conf.ec.x, conf.ec.xlen));
	tls_conf_wipe(&conf);
	return 0;
}
