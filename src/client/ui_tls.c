/* ui_tls.c — the web UI's TLS server sessions; see ui_tls.h. */
#include <errno.h>
#include <string.h>

#include "features.h"
#include "ui_tls.h"

#if CAIRN_UI

#include <bearssl.h>

#include "port.h"
#include "tls.h"
#include "util.h"

#define UI_TLS_SLOTS 21		/* ui.c's slots */
#define UI_TLS_WRITE_MS 5000	/* one write of a record */

struct ui_tls {
	br_ssl_server_context sc;
	int fd;
	uint8_t iobuf[BR_SSL_BUFSIZE_BIDI];
};

static struct tls_conf conf;
static struct ui_tls pool[UI_TLS_SLOTS];

int
ui_tls_init(const char *cert, const char *key)
{
	/* The anchors are not used (no client certificate is asked for):
	 * the certificate file stands in for them. */
	return tls_conf_load(&conf, cert, key, cert, NULL);
}

struct ui_tls *
ui_tls_open(long i, int fd)
{
	struct ui_tls *t;
	br_ssl_engine_context *eng;
	uint8_t seed[32];

	if (i < 0 || i >= UI_TLS_SLOTS)
		return NULL;
	t = &pool[i];
	t->fd = fd;
	br_ssl_server_zero(&t->sc);
	eng = &t->sc.eng;
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	tls_set_aead(eng);	/* browsers all offer ChaCha20-Poly1305 */
	br_ssl_engine_set_ec(eng, &br_ec_p256_m31);
	br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
	br_ssl_server_set_single_ec(&t->sc, conf.chain, conf.chain_len,
	    &conf.ec, BR_KEYTYPE_SIGN, BR_KEYTYPE_EC, &br_ec_p256_m31,
	    br_ecdsa_i31_sign_asn1);
	br_ssl_engine_set_buffer(eng, t->iobuf, sizeof t->iobuf, 1);
	if (port_random(seed, sizeof seed) < 0)
		return NULL;
	br_ssl_engine_inject_entropy(eng, seed, sizeof seed);
	wipe(seed, sizeof seed);
	return br_ssl_server_reset(&t->sc) ? t : NULL;
}

/* Send the records the engine has; take what the socket holds when
 * can_read. 0, or -1 when the session is over. */
static int
pump(struct ui_tls *t, int can_read)
{
	br_ssl_engine_context *eng = &t->sc.eng;
	unsigned char *p;
	unsigned st;
	size_t len;
	long n;

	for (;;) {
		st = br_ssl_engine_current_state(eng);
		if (st & BR_SSL_CLOSED)
			return -1;
		if (st & BR_SSL_SENDREC) {
			p = br_ssl_engine_sendrec_buf(eng, &len);
			if ((n = port_write(t->fd, p, len, UI_TLS_WRITE_MS)) <= 0)
				return -1;
			br_ssl_engine_sendrec_ack(eng, (size_t)n);
			continue;
		}
		if (!can_read || !(st & BR_SSL_RECVREC))
			return 0;
		p = br_ssl_engine_recvrec_buf(eng, &len);
		n = port_read(t->fd, p, len, 0);
		if (n < 0 && errno == ETIMEDOUT)
			return 0;	/* nothing more for now */
		if (n <= 0)
			return -1;
		br_ssl_engine_recvrec_ack(eng, (size_t)n);
	}
}

long
ui_tls_read(struct ui_tls *t, void *p, size_t n)
{
	br_ssl_engine_context *eng = &t->sc.eng;
	unsigned char *app;
	size_t len;

	if (pump(t, 1) < 0)
		return -1;
	if (!(br_ssl_engine_current_state(eng) & BR_SSL_RECVAPP) || n == 0)
		return 0;
	app = br_ssl_engine_recvapp_buf(eng, &len);
	if (len > n)
		len = n;
	memcpy(p, app, len);
	br_ssl_engine_recvapp_ack(eng, len);
	return (long)len;
}

int
ui_tls_write(struct ui_tls *t, const void *p, size_t n)
{
	br_ssl_engine_context *eng = &t->sc.eng;
	const unsigned char *s = p;
	unsigned char *app;
	size_t len;

	while (n > 0) {
		if (!(br_ssl_engine_current_state(eng) & BR_SSL_SENDAPP)) {
			if (pump(t, 0) < 0 || !(br_ssl_engine_current_state(eng)
			    & (BR_SSL_SENDAPP | BR_SSL_SENDREC)))
				return -1;
			continue;
		}
		app = br_ssl_engine_sendapp_buf(eng, &len);
		if (len > n)
			len = n;
		memcpy(app, s, len);
		br_ssl_engine_sendapp_ack(eng, len);
		s += len;
		n -= len;
	}
	return 0;
}

int
ui_tls_flush(struct ui_tls *t)
{
	br_ssl_engine_flush(&t->sc.eng, 0);
	return pump(t, 0);
}

void
ui_tls_close(struct ui_tls *t)
{
	br_ssl_engine_close(&t->sc.eng);
	(void)pump(t, 0);
}

#endif
