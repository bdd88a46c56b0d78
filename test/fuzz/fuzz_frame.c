/*
 * fuzz_frame.c — libFuzzer target for the frame and message decoders of
 * proto.c and the readers of buf.c, as the server and the client use them
 * on bytes from the network.
 *
 * Input: byte 0 is a frame type, the rest its payload (at most FRAME_MAX
 * bytes are used). The first four bytes also go through frame_hdr. Then
 * the payload is decoded the way the peer receiving that type does:
 *
 *   HELLO, CHECK_SOURCE           server: rd_u16, rd_str + rd_end
 *   OFFER, FILE_TRANSFER          server: entry_get + rd_end
 *   0x81, 0x82, 0x83..0x86, 0x87  client: reply_get and the reply's body
 *   T_ERROR                       client: reply_get
 *   any other type                the payload as a little program of
 *                                 rd_* calls (see rd_program)
 *
 * and every type also runs entry_get and reply_get on the payload, so each
 * input feeds every decoder. Invariants checked (abort() on violation):
 *   - a decoded entry: type 1..3, path passes path_check, plen < PATH_CAP,
 *     path and target NUL-terminated with no NUL inside, link <=> tlen > 0,
 *     mode <= 07777, mtime_ns < 10^9;
 *   - an entry accepted with nothing left over re-encodes (entry_put) to
 *     exactly the payload, and decodes again to the same entry;
 *   - reply_get: the message is at most MSG_MAX bytes, NUL-terminated;
 *   - rd_*: bytes are consumed exactly as asked, never past the end, an
 *     error is sticky and later reads give zeros or NULL.
 *
 * proto.c's frame_send/frame_recv call tls_*; they are not fuzzed, and the
 * stubs below stand in for tls.c so that BearSSL's engine is not linked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "path.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- tls.c stand-ins (frame_send/frame_recv are not called) ---------- */

int
tls_read(struct tls *t, void *p, size_t n)
{
	abort();
}

int
tls_write(struct tls *t, const void *p, size_t n)
{
	abort();
}

int
tls_flush(struct tls *t)
{
	abort();
}

const uint8_t *
tls_buffered(struct tls *t, size_t *len)
{
	abort();
}

/* ---- checks ------------------------------------------------------------ */

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static uint8_t payload[FRAME_MAX];
static uint8_t enc[FRAME_MAX + 1];
static struct entry e1, e2;

/* A string of n bytes followed by a NUL, with no NUL inside. */
static int
cstr_ok(const char *s, size_t n)
{
	return s[n] == 0 && memchr(s, 0, n) == NULL;
}

/* What entry_get promises about an entry it accepted. */
static void
entry_valid(const struct entry *e)
{
	CHECK(e->type >= E_FILE && e->type <= E_LINK);
	CHECK(e->plen > 0 && e->plen < PATH_CAP && e->plen <= PATH_LEN_MAX);
	CHECK(cstr_ok(e->path, e->plen));
	CHECK(path_check(e->path, e->plen) == 0);
	CHECK(e->tlen < PATH_CAP && cstr_ok(e->target, e->tlen));
	CHECK((e->type == E_LINK) == (e->tlen > 0));
	CHECK(e->mode <= 07777);
	CHECK(e->mtime_ns < 1000000000u);
}

static int
entry_same(const struct entry *a, const struct entry *b)
{
	return a->type == b->type && a->plen == b->plen &&
	    memcmp(a->path, b->path, a->plen + 1) == 0 &&
	    a->size == b->size && a->mode == b->mode &&
	    a->mtime == b->mtime && a->mtime_ns == b->mtime_ns &&
	    memcmp(a->md5, b->md5, MD5_LEN) == 0 && a->tlen == b->tlen &&
	    memcmp(a->target, b->target, a->tlen + 1) == 0;
}

/* entry_get on p[0..n), as the server reads OFFER and FILE_TRANSFER. */
static void
fuzz_entry(const uint8_t *p, size_t n)
{
	struct rd r;
	struct buf b;
	size_t len;

	rd_init(&r, p, n);
	if (entry_get(&r, &e1) < 0)
		return;
	entry_valid(&e1);
	CHECK(!r.err && r.len <= n && r.p == p + (n - r.len));
	len = n - r.len;

	/* The encoding is canonical: entry_put gives back exactly the bytes
	 * entry_get consumed, and they decode to the same entry. */
	buf_init(&b, enc, sizeof enc);
	CHECK(entry_put(&b, &e1) == 0 && !b.err);
	CHECK(b.len == len && memcmp(enc, p, len) == 0);
	rd_init(&r, enc, b.len);
	CHECK(entry_get(&r, &e2) == 0 && rd_end(&r) == 0);
	CHECK(entry_same(&e1, &e2));

	/* One byte short: entry_put fails and says so. */
	buf_init(&b, enc, len - 1);
	CHECK(entry_put(&b, &e1) == -1 && b.err && b.len <= len - 1);
}

/* rd_str(max) in a reply body at p[0..n): a slice of it, or an error. */
static void
body_str(struct rd *r, const uint8_t *p, size_t n, size_t max)
{
	const uint8_t *at = r->p;
	const char *s;
	size_t len;
	int err = r->err;

	s = rd_str(r, max, &len);
	if (s == NULL) {
		CHECK(r->err && len == 0);
		return;
	}
	CHECK(!err && !r->err && len <= max && memchr(s, 0, len) == NULL);
	CHECK((const uint8_t *)s == at + 2 && len == be16(at) &&
	    (const uint8_t *)s >= p && (const uint8_t *)s + len <= p + n);
}

/* reply_get on p[0..n), as the client reads every reply; then body. */
static void
fuzz_reply(unsigned type, const uint8_t *p, size_t n)
{
	static char text[MSG_MAX + 1 + 16];
	char id[17], snap[64], name[TLS_NAME_MAX + 1];
	unsigned status;
	struct rd r;
	size_t len;

	memset(text + MSG_MAX + 1, 0x5a, 16);
	rd_init(&r, p, n);
	if (reply_get(&r, &status, text) < 0) {
		CHECK(r.err);
		return;
	}
	CHECK(status <= 0xff && !r.err);
	len = strlen(text);
	CHECK(len <= MSG_MAX && len == (n - r.len) - 3);
	CHECK(memcmp(text, p + 3, len) == 0);
	for (len = MSG_MAX + 1; len < sizeof text; len++)
		CHECK(text[len] == 0x5a);	/* nothing written past */

	/* The bodies the client reads (backup.c, conn.c). */
	switch (type) {
	case T_HELLO | T_REPLY:
		(void)rd_u16(&r);
		body_str(&r, p, n, sizeof name - 1);
		break;
	case T_CHECK_SOURCE | T_REPLY:
		body_str(&r, p, n, sizeof id - 1);
		body_str(&r, p, n, sizeof snap - 1);
		break;
	case T_BACKUP_COMPLETE | T_REPLY:
		body_str(&r, p, n, sizeof snap - 1);
		(void)rd_u64(&r);
		(void)rd_u64(&r);
		(void)rd_u64(&r);
		break;
	}
	(void)rd_end(&r);
}

/* The server's HELLO and CHECK_SOURCE decoding (session.c). */
static void
fuzz_request(unsigned type, const uint8_t *p, size_t n)
{
	struct rd r;
	const char *s;
	size_t len;
	unsigned v;

	rd_init(&r, p, n);
	if (type == T_HELLO) {
		v = rd_u16(&r);
		CHECK(rd_end(&r) == 0 ? n == 2 && v == be16(p) :
		    n != 2 && (n > 2 || v == 0));
		return;
	}
	s = rd_str(&r, PATH_LEN_MAX, &len);
	if (s == NULL) {
		CHECK(r.err && len == 0);
		return;
	}
	CHECK(n >= 2 && len == be16(p) && len <= PATH_LEN_MAX &&
	    s == (const char *)p + 2 && memchr(s, 0, len) == NULL);
	CHECK((rd_end(&r) == 0) == (n == 2 + len));
}

/*
 * The payload as a program of rd_* calls: each op byte picks a reader and
 * an argument; a shadow cursor checks what each one must consume.
 */
static void
rd_program(const uint8_t *p, size_t n)
{
	struct rd r, ops;
	const uint8_t *b;
	const char *s;
	size_t pos = 0, want, len, max;
	uint64_t v;
	int err = 0;
	unsigned op;

	/* The first half drives, the second half is read. */
	rd_init(&ops, p, n / 2);
	rd_init(&r, p + n / 2, n - n / 2);
	p += n / 2;
	n -= n / 2;
	while (ops.len > 0) {
		op = rd_u8(&ops);
		want = 0;
		v = 0;
		b = NULL;
		switch (op % 7) {
		case 0: want = 1; v = rd_u8(&r); break;
		case 1: want = 2; v = rd_u16(&r); break;
		case 2: want = 4; v = rd_u32(&r); break;
		case 3: want = 8; v = rd_u64(&r); break;
		case 4:
			want = op / 7;
			b = rd_bytes(&r, want);
			CHECK((b == NULL) == (err || want > n - pos));
			if (b != NULL)
				CHECK(b == p + pos);
			break;
		case 5:
			max = (op / 7) * 8;
			s = rd_str(&r, max, &len);
			if (err || n - pos < 2) {
				CHECK(s == NULL && len == 0);
				err = 1;
				break;
			}
			want = be16(p + pos);
			if (want > max || want > n - pos - 2 ||
			    memchr(p + pos + 2, 0, want) != NULL) {
				CHECK(s == NULL && len == 0 && r.err);
				err = 1;
				break;
			}
			CHECK(s == (const char *)p + pos + 2 && len == want);
			pos += 2 + want;
			CHECK(r.p == p + pos && r.len == n - pos && !r.err);
			continue;
		case 6:
			CHECK((rd_end(&r) == 0) == (!err && pos == n));
			continue;
		}
		if (err || want > n - pos) {
			CHECK(r.err && v == 0);
			err = 1;
			continue;
		}
		if (op % 7 <= 3) {
			uint64_t x = 0;
			size_t i;
			for (i = 0; i < want; i++)
				x = x << 8 | p[pos + i];
			CHECK(v == x);
		}
		pos += want;
		CHECK(!r.err && r.p == p + pos && r.len == n - pos);
	}
	CHECK(r.err == err);
}

/* frame_hdr on the first four bytes. */
static void
fuzz_hdr(const uint8_t *h)
{
	unsigned type = 0x1234;
	size_t n = 0x12345;

	if (frame_hdr(h, &type, &n) < 0) {
		CHECK(h[1] != 0 && type == 0x1234 && n == 0x12345);
		return;
	}
	CHECK(h[1] == 0 && type == h[0] && n == be16(h + 2) && n <= FRAME_MAX);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned type;
	size_t n;

	if (size < 1)
		return 0;
	if (size >= FRAME_HDR)
		fuzz_hdr(data);
	type = data[0];
	n = size - 1 > FRAME_MAX ? FRAME_MAX : size - 1;
	/* A copy of exactly n bytes, so that ASan sees any read past it. */
	memcpy(payload + sizeof payload - n, data + 1, n);
	data = payload + sizeof payload - n;

	switch (type) {
	case T_HELLO:
	case T_CHECK_SOURCE:
		fuzz_request(type, data, n);
		break;
	case T_OFFER:
	case T_FILE_TRANSFER:
	case T_DATA_TRANSFER:
	case T_TRANSFER_COMPLETE:
	case T_BACKUP_COMPLETE:
	case T_KEEPALIVE:
		break;
	default:
		if (type < T_REPLY)
			rd_program(data, n);
		break;
	}
	fuzz_entry(data, n);
	fuzz_reply(type, data, n);
	return 0;
}
