/* record.c — JSON-lines files and entry records; see record.h. */
#include <errno.h>
#include <string.h>

#include "path.h"
#include "port.h"
#include "record.h"

void
lines_open(struct lines *l, int fd)
{
	l->fd = fd;
	l->start = l->end = 0;
	l->base = l->off = 0;
	l->state = 0;
}

/* Make sure a whole line is buffered; its length (without the newline)
 * or -1. A last line without newline counts. */
static long
line_fill(struct lines *l)
{
	char *nl;
	long r;

	for (;;) {
		nl = memchr(l->buf + l->start, '\n', l->end - l->start);
		if (nl != NULL)
			return (long)(nl - (l->buf + l->start));
		if (l->start > 0) {
			memmove(l->buf, l->buf + l->start, l->end - l->start);
			l->base += l->start;
			l->end -= l->start;
			l->start = 0;
		}
		if (l->end == LINE_MAX_BYTES) {
			errno = EINVAL;
			return -1;	/* a line too long */
		}
		r = port_read(l->fd, l->buf + l->end,
		    LINE_MAX_BYTES - l->end, -1);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (l->end == l->start)
				return -2;	/* end of file */
			l->buf[l->end] = '\n';	/* the room is there */
			l->end++;
			continue;
		}
		l->end += (size_t)r;
	}
}

int
lines_next(struct lines *l, const char **p, size_t *n)
{
	long len;
	char *s;

	while (l->state < 2) {
		len = line_fill(l);
		if (len == -2 || len == -1) {
			if (len == -2)
				errno = EINVAL;	/* truncated: no "]" */
			return -1;
		}
		s = l->buf + l->start;
		l->start += (size_t)len + 1;
		while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' '))
			len--;
		if (len == 0)
			continue;
		if (l->state == 0) {
			if (s[0] != '[')
				break;
			l->state = 1;
			s++;
			len--;
			if (len == 1 && s[0] == ']') {
				l->state = 2;
				return 0;
			}
		} else if (s[0] == ']' && len == 1) {
			l->state = 2;
			return 0;
		} else if (s[0] == ',') {
			s++;
			len--;
		} else {
			break;
		}
		*p = s;
		*n = (size_t)len;
		l->off = l->base + (uint64_t)(s - l->buf);
		return 1;
	}
	if (l->state == 2)
		return 0;
	errno = EINVAL;
	return -1;
}

void
linew_open(struct linew *w, int fd)
{
	w->fd = fd;
	w->count = 0;
	w->written = 0;
	buf_init(&w->b, w->store, sizeof w->store);
}

int
linew_flush(struct linew *w)
{
	if (port_write_all(w->fd, w->b.p, w->b.len) < 0)
		return -1;
	w->written += w->b.len;
	buf_reset(&w->b);
	return 0;
}

int
linew_put(struct linew *w, const void *obj, size_t n)
{
	if (n > LINE_MAX_BYTES - 2) {
		errno = E2BIG;
		return -1;
	}
	if (buf_room(&w->b) < n + 2 && linew_flush(w) < 0)
		return -1;
	buf_putc(&w->b, w->count++ ? ',' : '[');
	buf_put(&w->b, obj, n);
	buf_putc(&w->b, '\n');
	return 0;
}

int
linew_close(struct linew *w)
{
	if (w->count == 0)
		buf_putc(&w->b, '[');
	buf_puts(&w->b, "]\n");
	return linew_flush(w);
}

static const char *const type_names[] = {
	"", "file", "dir", "link", "fifo", "chr", "blk", "hard"
};

/*
 * A key as json_put_key writes it (a comma, the quoted name, a colon),
 * for a literal name that needs no escape: one copy. A record is written
 * for every file on each side of a run (DESIGN.md, "JSON records").
 */
#define PUT_KEY(b, lit) buf_put((b), (lit), sizeof(lit) - 1)

static void
put_u64_field(struct buf *b, const char *key, size_t n, uint64_t v)
{
	buf_put(b, key, n);
	buf_dec(b, v);
}
#define PUT_U64(b, lit, v) put_u64_field((b), (lit), sizeof(lit) - 1, (v))

int
entry_json(struct buf *b, const struct entry *e, const struct stamp *x)
{
	PUT_KEY(b, "{\"path\":");
	json_put_str(b, e->path, e->plen);
	PUT_KEY(b, ",\"type\":");
	json_put_str(b, type_names[e->type], strlen(type_names[e->type]));
	if (e->flags != 0)
		PUT_U64(b, ",\"flags\":", e->flags);
	PUT_U64(b, ",\"size\":", e->size);
	PUT_U64(b, ",\"mode\":", e->mode);
	PUT_KEY(b, ",\"mtime\":");
	buf_sdec(b, e->mtime);
	PUT_U64(b, ",\"mtime_ns\":", e->mtime_ns);
	if (e->owned) {
		PUT_U64(b, ",\"uid\":", e->uid);
		PUT_U64(b, ",\"gid\":", e->gid);
	}
	if (e->user[0] != 0) {
		PUT_KEY(b, ",\"user\":");
		json_put_str(b, e->user, strlen(e->user));
	}
	if (e->group[0] != 0) {
		PUT_KEY(b, ",\"group\":");
		json_put_str(b, e->group, strlen(e->group));
	}
	if (ENTRY_HAS_DATA(e)) {
		PUT_KEY(b, ",\"md5\":\"");
		buf_hex(b, e->md5, MD5_LEN);
		buf_putc(b, '"');
	}
	if (e->type == E_LINK || e->type == E_HARD) {
		PUT_KEY(b, ",\"target\":");
		json_put_str(b, e->target, e->tlen);
	}
	if (e->type == E_CHR || e->type == E_BLK) {
		PUT_U64(b, ",\"major\":", e->major);
		PUT_U64(b, ",\"minor\":", e->minor);
	}
	if (e->xlen > 0) {
		PUT_KEY(b, ",\"xattrs\":\"");
		buf_hex(b, e->xattr, e->xlen);
		buf_putc(b, '"');
	}
	if (x != NULL) {
		PUT_KEY(b, ",\"ctime\":");
		buf_sdec(b, x->ctime);
		PUT_U64(b, ",\"ctime_ns\":", x->ctime_ns);
		PUT_U64(b, ",\"ino\":", x->ino);
	}
	buf_putc(b, '}');
	return b->err ? -1 : 0;
}

/* The keys an entry record may hold, in the order entry_json writes
 * them (json_index reads them best so). */
enum {
	K_PATH, K_TYPE, K_FLAGS, K_SIZE, K_MODE, K_MTIME, K_MTIME_NS, K_UID,
	K_GID, K_USER, K_GROUP, K_MD5, K_TARGET, K_MAJOR, K_MINOR, K_XATTRS,
	K_CTIME, K_CTIME_NS, K_INO, K_COUNT
};
static const struct json_name entry_keys[K_COUNT] = {
	JSON_NAME("path"), JSON_NAME("type"), JSON_NAME("flags"),
	JSON_NAME("size"), JSON_NAME("mode"), JSON_NAME("mtime"),
	JSON_NAME("mtime_ns"), JSON_NAME("uid"), JSON_NAME("gid"),
	JSON_NAME("user"), JSON_NAME("group"), JSON_NAME("md5"),
	JSON_NAME("target"), JSON_NAME("major"), JSON_NAME("minor"),
	JSON_NAME("xattrs"), JSON_NAME("ctime"), JSON_NAME("ctime_ns"),
	JSON_NAME("ino")
};

/* An optional u32 value, token t: 0 absent (v = 0), 1 present, -1 out
 * of range. */
static int
opt_u32(const struct json *j, int t, uint32_t *v)
{
	uint64_t u;

	*v = 0;
	if (t < 0)
		return 0;
	if (json_tok_u64(j, t, &u) < 0 || u > 0xffffffffu)
		return -1;
	*v = (uint32_t)u;
	return 1;
}

/* An optional owner name, token t (empty when absent). 0 or -1. */
static int
opt_owner(const struct json *j, int t, char *out)
{
	size_t n;

	out[0] = 0;
	if (t < 0)
		return 0;
	return json_tok_str(j, t, out, OWNER_NAME_MAX + 1, &n) < 0 ||
	    memchr(out, 0, n) != NULL ? -1 : 0;
}

static unsigned
type_of_name(const char *s)
{
	unsigned t;

	for (t = 1; t <= E_TYPE_MAX; t++)
		if (strcmp(s, type_names[t]) == 0)
			return t;
	return 0;
}

int
entry_parse(const struct json *j, struct entry *e, struct stamp *x)
{
	char type[8], hex[40];
	int at[K_COUNT];
	uint32_t v;
	uint64_t u;
	size_t n;
	int r, d;

	entry_clear(e, 0);
	json_index(j, entry_keys, K_COUNT, at);
	if (json_tok_str(j, at[K_PATH], e->path, sizeof e->path,
	    &e->plen) < 0 ||
	    json_tok_str(j, at[K_TYPE], type, sizeof type, &n) < 0 ||
	    (e->type = type_of_name(type)) == 0 ||
	    (e->plen == 0 ? e->type != E_DIR :
	    path_check(e->path, e->plen) < 0) ||
	    json_tok_u64(j, at[K_SIZE], &e->size) < 0 ||
	    json_tok_u64(j, at[K_MODE], &u) < 0 || u > 07777 ||
	    json_tok_i64(j, at[K_MTIME], &e->mtime) < 0 ||
	    opt_u32(j, at[K_FLAGS], &e->flags) < 0 ||
	    (e->flags & ~EF_ALL) != 0)
		return -1;
	e->mode = (uint32_t)u;
	if (opt_u32(j, at[K_MTIME_NS], &e->mtime_ns) < 0 ||
	    e->mtime_ns >= 1000000000u)
		return -1;
	/* What entry_json writes, and nothing it would not: an owner in
	 * both numbers or neither, device numbers only for devices. */
	if ((r = opt_u32(j, at[K_UID], &e->uid)) < 0 ||
	    opt_u32(j, at[K_GID], &e->gid) != r ||
	    opt_owner(j, at[K_USER], e->user) < 0 ||
	    opt_owner(j, at[K_GROUP], e->group) < 0 ||
	    (d = opt_u32(j, at[K_MAJOR], &e->major)) < 0 ||
	    opt_u32(j, at[K_MINOR], &v) != d ||
	    d != (e->type == E_CHR || e->type == E_BLK))
		return -1;
	e->owned = r;
	e->minor = v;
	if (ENTRY_HAS_DATA(e) && (json_tok_str(j, at[K_MD5], hex, sizeof hex,
	    &n) < 0 || md5_unhex(hex, n, e->md5) < 0))
		return -1;
	if (e->type == E_LINK || e->type == E_HARD) {
		if (json_tok_str(j, at[K_TARGET], e->target, sizeof e->target,
		    &e->tlen) < 0 || e->tlen == 0 ||
		    (e->type == E_HARD && path_check(e->target, e->tlen) < 0))
			return -1;
	}
	if (x != NULL) {
		memset(x, 0, sizeof *x);
		json_tok_i64(j, at[K_CTIME], &x->ctime);
		if (json_tok_u64(j, at[K_CTIME_NS], &u) == 0 &&
		    u < 1000000000u)
			x->ctime_ns = (uint32_t)u;
		json_tok_u64(j, at[K_INO], &x->ino);
	}
	return 0;
}

int
entry_xattrs(const struct json *j, uint8_t *out, size_t cap, size_t *n)
{
	static char hex[XATTR_MAX * 2 + 1];
	size_t len;

	*n = 0;
	if (json_find(j, "xattrs") < 0)
		return 0;
	if (json_str(j, "xattrs", hex, sizeof hex, &len) < 0 || len % 2 != 0 ||
	    len / 2 > cap)
		return -1;
	if (unhex(hex, len / 2, out) < 0)
		return -1;
	*n = len / 2;
	return xattr_check(out, *n);
}

int
entry_next(struct lines *l, struct json *j, struct entry *e, struct stamp *x)
{
	const char *p;
	size_t n;
	int r = lines_next(l, &p, &n);

	if (r != 1)
		return r;
	if (json_parse(j, p, n) < 0 || entry_parse(j, e, x) < 0)
		return -1;
	return 1;
}
