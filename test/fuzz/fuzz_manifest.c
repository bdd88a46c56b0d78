/*
 * fuzz_manifest.c — libFuzzer target for the JSON-lines reader and entry
 * records (record.c over json.c), as cairnd reads the previous snapshot's
 * manifest and cairn its state file.
 *
 * The input is written to a temporary file (created once under /tmp and
 * unlinked at once) and read with lines_open/lines_next; the first record
 * is read as a header, every later one with json_parse and entry_parse,
 * with and without the client's stamp. Checked:
 *   - records lie within the reader's buffer, hold no newline, and the
 *     reader ends with 0 or -1;
 *   - an accepted entry: type 1..7, a path passing path_check (or the
 *     root's: empty, a directory), plen < PATH_CAP, path and target
 *     NUL-terminated with no NUL inside, symlink or hard link <=> tlen >
 *     0, mode <= 07777, mtime_ns < 10^9 (v2 records: fuzz_entry2 checks
 *     their other fields);
 *   - entry_json of an accepted entry parses back to the same entry (and
 *     stamp);
 *   - the same input read again after a line of spaces (skipped by the
 *     reader) that puts it near the end of the reader's 64 KiB buffer
 *     gives the same records; a line of LINE_MAX_BYTES spaces or more is
 *     refused at once (one input in eight, for speed).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "path.h"
#include "record.h"
#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define FUZZ_MAX 16384		/* longer inputs: one plain pass only */
#define RECORDS_MAX (FUZZ_MAX + 1)

static struct lines l;
static struct json j, j2;
static struct entry e1, e2;
static struct stamp x1, x2;
static uint8_t jsonbuf[LINE_MAX_BYTES * 4];
static char pad[LINE_MAX_BYTES + 2];
static char text[FUZZ_MAX + 16];	/* the records of the first pass */
static size_t rec_off[RECORDS_MAX], rec_len[RECORDS_MAX];
static int fd = -1;

static int
cstr_ok(const char *s, size_t n)
{
	return s[n] == 0 && memchr(s, 0, n) == NULL;
}

static void
entry_valid(const struct entry *e)
{
	CHECK(e->type >= E_FILE && e->type <= E_TYPE_MAX);
	CHECK(e->plen < PATH_CAP && cstr_ok(e->path, e->plen));
	CHECK(e->plen == 0 ? e->type == E_DIR :
	    path_check(e->path, e->plen) == 0);
	CHECK(e->tlen < PATH_CAP && cstr_ok(e->target, e->tlen));
	CHECK((e->type == E_LINK || e->type == E_HARD) == (e->tlen > 0));
	CHECK(e->mode <= 07777 && e->mtime_ns < 1000000000u);
	if (!ENTRY_HAS_DATA(e)) {
		static const uint8_t zero[MD5_LEN];
		CHECK(memcmp(e->md5, zero, MD5_LEN) == 0);
	}
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

/* entry_json, then json_parse and entry_parse again: the same entry. */
static void
round_trip(const struct entry *e, const struct stamp *x)
{
	struct buf b;

	buf_init(&b, jsonbuf, sizeof jsonbuf);
	CHECK(entry_json(&b, e, x) == 0);
	CHECK(json_parse(&j2, (const char *)b.p, b.len) == 0);
	CHECK(entry_parse(&j2, &e2, x != NULL ? &x2 : NULL) == 0);
	CHECK(entry_same(e, &e2));
	if (x != NULL)
		CHECK(x->ctime == x2.ctime && x->ctime_ns == x2.ctime_ns &&
		    x->ino == x2.ino);
}

/* One record, as the server and the client read it. */
static void
record(const char *p, size_t n, int first)
{
	char s[PATH_CAP];
	uint64_t u;
	int64_t v;
	size_t sn;

	if (json_parse(&j, p, n) < 0)
		return;
	if (first) {
		/* A manifest's or state file's header (store.c, backup.c). */
		(void)json_u64(&j, "cairn_manifest", &u);
		(void)json_u64(&j, "cairn_state", &u);
		(void)json_str(&j, "source", s, sizeof s, &sn);
		(void)json_str(&j, "client", s, TLS_NAME_MAX + 1, &sn);
		(void)json_str(&j, "id", s, 64, &sn);
		(void)json_i64(&j, "time", &v);
	}
	if (entry_parse(&j, &e1, NULL) == 0) {
		entry_valid(&e1);
		round_trip(&e1, NULL);
	}
	if (entry_parse(&j, &e1, &x1) == 0) {
		entry_valid(&e1);
		CHECK(x1.ctime_ns < 1000000000u);
		round_trip(&e1, &x1);
	}
}

/*
 * Write a line of padn spaces (with a newline when it is shorter than
 * the reader's limit) and then data to the file, and read it all.
 * With keep 1, records are read (record()) and kept in text[]; with 0,
 * compared with those kept; with 2, only read. Returns lines_next's last
 * answer.
 */
static int
pass(const uint8_t *data, size_t size, size_t padn, int keep, size_t *count)
{
	const char *p;
	size_t n, k = 0, used = 0;
	int r;

	CHECK(ftruncate(fd, 0) == 0);
	if (padn > 0) {
		memset(pad, ' ', padn);
		pad[padn] = '\n';
		CHECK(pwrite(fd, pad, padn + 1, 0) == (ssize_t)padn + 1);
	}
	if (size > 0)
		CHECK(pwrite(fd, data, size, padn ? (off_t)padn + 1 : 0) ==
		    (ssize_t)size);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);

	lines_open(&l, fd);
	while ((r = lines_next(&l, &p, &n)) == 1) {
		CHECK(p >= l.buf && n <= LINE_MAX_BYTES &&
		    p + n <= l.buf + sizeof l.buf);
		CHECK(memchr(p, '\n', n) == NULL);
		if (keep == 2) {
			record(p, n, k == 0);
		} else if (keep) {
			CHECK(k < RECORDS_MAX && used + n <= sizeof text);
			rec_off[k] = used;
			rec_len[k] = n;
			memcpy(text + used, p, n);
			used += n;
			record(p, n, k == 0);
		} else {
			CHECK(k < *count && rec_len[k] == n &&
			    memcmp(text + rec_off[k], p, n) == 0);
		}
		k++;
	}
	CHECK(r == 0 || r == -1);
	if (keep)
		*count = k;
	else
		CHECK(k == *count);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[] = "/tmp/cairn-fuzz-manifest-XXXXXX";
	size_t count = 0, padn;
	int r;

	if (fd < 0) {
		fd = mkstemp(name);
		if (fd < 0) {
			perror("mkstemp");
			abort();
		}
		unlink(name);
	}
	if (size > FUZZ_MAX) {
		(void)pass(data, size, 0, 2, &count);
		return 0;
	}
	r = pass(data, size, 0, 1, &count);

	/* Again, after a line of spaces that leaves at most 8 KiB of the
	 * buffer: records cross its end and are moved back. The reader
	 * trims that line byte by byte, so only one input in eight (by the
	 * bytes in its middle) pays for it. */
	if (size < 2 || (data[size / 2] & 7) != 0)
		return 0;
	padn = LINE_MAX_BYTES + 1 -
	    ((size_t)data[0] << 8 | data[size - 1]) % 8192;
	if (padn >= LINE_MAX_BYTES) {
		/* Too long a line: refused before any record. */
		size_t zero = 0;
		CHECK(pass(data, size, padn, 0, &zero) == -1);
		CHECK(errno == EINVAL);
		padn -= 2;
	}
	CHECK(pass(data, size, padn, 0, &count) == r);
	return 0;
}
