/*
 * ui_tls.h — the web UI over TLS (--ui-cert, --ui-key): a BearSSL server
 * engine per connection, driven without blocking from the serve loop. No
 * client certificate is asked for; the profile is the rest of cairn's
 * (TLS 1.2, ECDHE with an ECDSA P-256 certificate, AES-GCM or
 * ChaCha20-Poly1305).
 */
#ifndef CAIRN_UI_TLS_H
#define CAIRN_UI_TLS_H

#include <stddef.h>

struct ui_tls;

/* Load the certificate chain and its (unencrypted) key: 0, or -1 with a
 * message naming the file. */
int ui_tls_init(const char *cert, const char *key);
/* A fresh server session on fd for slot i: NULL when there is none. */
struct ui_tls *ui_tls_open(long i, int fd);
/* fd is readable: take what it holds; up to n bytes of application data
 * into p. The count (0: none yet, the handshake goes on), or -1 when the
 * session has ended or failed. */
long ui_tls_read(struct ui_tls *t, void *p, size_t n);
/* Queue n bytes, sending records as they fill; flush sends the rest.
 * 0, or -1. */
int ui_tls_write(struct ui_tls *t, const void *p, size_t n);
int ui_tls_flush(struct ui_tls *t);
/* Send close_notify (the caller closes fd). */
void ui_tls_close(struct ui_tls *t);

#endif
