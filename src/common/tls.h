/*
 * tls.h — mutual TLS on BearSSL. TLS knows nothing of sockets: port/
 * gives the read/write callbacks, with the connection's timeout.
 *
 * Profile: TLS 1.2 only, ECDHE with ECDSA P-256 certificates, AES-GCM or
 * ChaCha20-Poly1305. Both sides present certificates from one CA.
 */
#ifndef CAIRN_TLS_H
#define CAIRN_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <bearssl.h>

#define TLS_CHAIN_MAX 4
#define TLS_TA_MAX 8
#define TLS_STORE 24576		/* DER of certificates, anchors, key */
#define TLS_NAME_MAX 64		/* client names (certificate CN) */
#define TLS_WHY_MAX 160		/* a failure explained by tls_why() */
#define TLS_EE_MAX 4096		/* the client's own certificate, checked */
#define TLS_READ_AHEAD 32768	/* one read of the socket: two records */

/* Why a client chain that BearSSL validated is still refused (in
 * chain_err, beside BearSSL's codes). */
#define TLS_CHAIN_NOT_CLIENT 0x10001	/* EKU without clientAuth */
#define TLS_CHAIN_IS_CA 0x10002		/* basicConstraints CA:TRUE */
#define TLS_CHAIN_UNREADABLE 0x10003	/* too large or malformed */
#define TLS_CHAIN_DENIED 0x10004	/* on the deny list (--deny) */

#define TLS_DENY_MAX 256	/* certificates a deny list may name */
#define TLS_SERIAL_MAX 20	/* bytes of a serial number (RFC 5280) */

/* Client certificates refused whatever their chain: each named by the
 * SHA-256 of its DER (slen 0) or by its serial number. */
struct tls_deny {
	unsigned n;
	struct {
		uint8_t fp[32];
		uint8_t serial[TLS_SERIAL_MAX];
		size_t slen;
	} e[TLS_DENY_MAX];
};

/* Certificates, key and trust anchors, loaded once per process. */
struct tls_conf {
	br_x509_certificate chain[TLS_CHAIN_MAX];
	size_t chain_len;
	br_ec_private_key ec;	/* P-256 */
	br_x509_trust_anchor ta[TLS_TA_MAX];
	size_t ta_len;
	uint8_t store[TLS_STORE];
	size_t used;
	const struct tls_deny *deny;	/* the server's, or NULL */
};

/* One connection. Large (BearSSL's buffer): keep it static. */
struct tls {
	int fd;
	int timeout_ms;
	uint64_t deadline;	/* port_ms() the handshake must end by, or 0 */
	int io_err;		/* errno of the last socket failure, or 0 */
	int eof;		/* the peer closed the socket */
	union {
		br_ssl_client_context c;
		br_ssl_server_context s;
	} u;
	br_ssl_engine_context *eng;
	br_x509_minimal_context xc;
	/* The server watches the client chain's validation through this
	 * wrapper around xc, so that it can refuse in words, not by a
	 * silent close. */
	struct tls_watch {
		const br_x509_class *vtable;	/* first: BearSSL's view */
		struct tls *t;
	} watch;
	const struct tls_deny *deny;	/* certificates refused, or NULL */
	unsigned chain_err;	/* 0: the client's chain was validated */
	unsigned chain_certs;	/* certificates of the chain seen */
	size_t ee_len;		/* the end-entity certificate's DER */
	int ee_over;		/* it did not fit ee[] */
	uint8_t ee[TLS_EE_MAX];
	/* The client may pin the server's certificate instead of checking
	 * it against the CA and the clock (devices without a clock). */
	struct tls_pin {
		const br_x509_class *vtable;	/* first: BearSSL's view */
		int want;			/* pinning is on */
		int first;			/* in the end-entity cert */
		int seen;
		uint8_t fp[32];			/* SHA-256 wanted */
		br_sha256_context sha;
		br_x509_decoder_context dec;
	} pin;
	int chain_seen;
	br_name_element cn_elt;
	char peer_cn[TLS_NAME_MAX + 1];
	br_sslio_context io;
	uint8_t iobuf[BR_SSL_BUFSIZE_BIDI];
	/* BearSSL asks for a record's header, then for its body: one read
	 * of the socket takes what is there, and the asks are served from
	 * it (tls.c, sock_read). */
	size_t rpos, rlen;
	uint8_t rbuf[TLS_READ_AHEAD];
};

/*
 * Decrypt the encrypted PKCS#8 key read from path, held in der[0..len)
 * (in place): 0 with *out and *outlen giving the plain key, or -1 with a
 * message printed. Kept out of tls.c so that a program that never reads
 * encrypted keys does not link the decryption.
 */
typedef int tls_unlock_fn(const char *path, uint8_t *der, size_t len,
    const uint8_t **out, size_t *outlen);

/*
 * Load cert (chain), key and ca (trust anchors) from PEM files; an
 * encrypted key is handed to unlock (NULL: encrypted keys are refused).
 * The key must be the first certificate's. On failure prints which file
 * and why, and returns -1.
 */
int tls_conf_load(struct tls_conf *c, const char *cert, const char *key,
    const char *ca, tls_unlock_fn *unlock);
/* Forget the private key. */
void tls_conf_wipe(struct tls_conf *c);
/* 0 if the certificate loaded from cert may authenticate a client (no
 * extended key usage, or one with clientAuth; not a CA); else -1 with a
 * message naming the file. */
int tls_conf_client_ok(const struct tls_conf *c, const char *cert);
/*
 * Read a deny list: one certificate a line, a SHA-256 fingerprint (64 hex
 * digits, colons allowed, anything up to a '=' before it ignored: as
 * openssl x509 -fingerprint -sha256 prints it) or "serial=HEX" (as
 * openssl x509 -serial prints it); '#' comments. 0, or -1 with a message
 * naming the file and line.
 */
int tls_deny_load(struct tls_deny *d, const char *path);

/* Client side: pin the server's certificate by its SHA-256 fingerprint
 * (64 hex digits, colons allowed): 0, or -1 if fp is not one. Then the
 * CA, the name and the clock are not consulted. */
int tls_pin(struct tls *t, const char *fp);
/* Client side: handshake with the server on fd, checking its certificate
 * against the anchors and server_name (or the pin). 0, or -1 (see
 * tls_why). */
int tls_client(struct tls *t, struct tls_conf *c, int fd,
    const char *server_name, int timeout_ms);
/* ChaCha20-Poly1305 with only the implementations this target can run. */
void tls_set_chapol(br_ssl_engine_context *eng);
/* Set cairn's suites and their ciphers on eng: ChaCha20-Poly1305, and
 * AES-128-GCM first where BearSSL has hardware AES and GHASH on this CPU
 * (x86 AES-NI with PCLMUL, POWER8; their code alone); 1 if AES-128-GCM
 * is offered. */
int tls_set_aead(br_ssl_engine_context *eng);
/* The suite the handshake chose, in OpenSSL's words ("none" before). */
const char *tls_suite_name(const struct tls *t);
/* Server side: handshake asking for a client certificate from the
 * anchors. Returns 0 with t->peer_cn set for an authenticated client;
 * 1 when the handshake completed but the client is not authenticated
 * (no certificate, or one that does not validate: say so with
 * tls_chain_why, then close); -1 when the handshake failed. */
int tls_server(struct tls *t, struct tls_conf *c, int fd, int timeout_ms);

/* Exactly n bytes; -1 on error or end of stream. */
int tls_read(struct tls *t, void *p, size_t n);
/* Queue n bytes for sending (sent when the buffer fills or on flush). */
int tls_write(struct tls *t, const void *p, size_t n);
int tls_flush(struct tls *t);
/* Decrypted bytes already received and not yet read (*len of them), or
 * NULL when none. */
const uint8_t *tls_buffered(struct tls *t, size_t *len);
/* Close the TLS session (close_notify) without closing fd. */
void tls_close(struct tls *t);

/* The common name of the subject DN dn[0..n) (DER) into out[cap]: the
 * first CN in UTF-8, as the server's BearSSL reads it, non-empty and
 * shorter than cap. 0, or -1 (out empty) when there is none, it does not
 * decode or fit, or the DN is malformed. */
int tls_dn_cn(const uint8_t *dn, size_t n, char *out, size_t cap);
/* Our own certificate's CN (the first of c's chain), as tls_dn_cn. Call
 * before tls_conf_wipe. */
int tls_own_cn(const struct tls_conf *c, char *out, size_t cap);

/* Why the connection failed, in words, and whether the peer refused our
 * certificate (a fatal alert about it). */
const char *tls_why(struct tls *t, char *buf, size_t cap);
int tls_refused(struct tls *t);
/* Why the client's certificate was not accepted, in words. */
const char *tls_chain_why(struct tls *t);
/* BearSSL's error code for the connection (0 if none). */
int tls_error(struct tls *t);

#endif
