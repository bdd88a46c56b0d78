/*
 * s3_conn.h — the S3 client's connection (s3_conn.c), for s3.c only:
 * plain TCP or TLS to the endpoint, raw bytes both ways.
 */
#ifndef CAIRN_S3_CONN_H
#define CAIRN_S3_CONN_H

#include "s3.h"

/* Why a connection could not be made. */
enum { S3C_OK, S3C_RETRY, S3C_FATAL };

/* Connect (and handshake) when there is no connection: S3C_OK, or
 * S3C_RETRY (down, refused, timed out) / S3C_FATAL (the certificate
 * does not verify) with s->err. */
int s3c_open(struct s3 *s);
/* Drop the connection (and what was buffered of it). */
void s3c_drop(struct s3 *s);
/* Up to cap bytes into p, first those buffered in s->in: the count,
 * 0 when the peer closed, -1 on an error (s->io_err). */
long s3c_read(struct s3 *s, void *p, size_t cap);
/* The same from the socket only, never from s->in. */
long s3c_recv(struct s3 *s, void *p, size_t cap);
/* All n bytes (queued in TLS until s3c_flush): 0 or -1. */
int s3c_write(struct s3 *s, const void *p, size_t n);
int s3c_flush(struct s3 *s);
/* The connection's failure in words into s->err after what. */
void s3c_why(struct s3 *s, const char *what);

#endif
