/*
 * store_s3_quota.c — --quota on the object store (DESIGN.md, "Quotas"):
 * the client's count is one object, <client>/usage ("usage <bytes>\n"),
 * changed by compare-and-swap on its ETag as the catalog is, so that every
 * cairnd on the bucket charges one count. What is charged is what the
 * bucket keeps for the client: each content object once, its size (the
 * size is in its key), and each manifest, its bytes. A run reserves in
 * blocks before it stores (so runs never go over by racing, and a run of
 * many files writes the count once a block, not once a file), takes what
 * it stores from the reservation and gives the rest back at its end. The
 * count can always be taken anew from a listing of the client's keys: it
 * is, when the object is missing or is not a usage object, after each
 * sweep (store_s3_sweep.c), which deletes content under its lease while no
 * run holds one, and when a run takes over the lease of one that died
 * while no other run holds one, so that what a killed run had reserved
 * does not stay counted.
 */
#include "features.h"

#if CAIRN_S3

#include <stdio.h>
#include <string.h>

#include "port.h"
#include "store_s3.h"
#include "util.h"

#define USAGE_TRIES 8			/* compare-and-swap rounds */
#define USAGE_BLOCK ((uint64_t)64 << 20)	/* the largest reservation */
#define USAGE_BODY 40			/* "usage <19 digits>\n" */

/* The usage object of client: 1 read (*bytes, etag), 0 absent, 2 there
 * but not a usage object (etag set), -1 with text. */
static int
usage_read(struct store_s3 *s, const char *client, char *etag,
    uint64_t *bytes, char *text, size_t cap)
{
	char key[S3_KEY_MAX], body[USAGE_BODY];
	long n;
	int fd, r;

	s3k(key, "%s/usage", client);
	if ((fd = s3_spool_file(s, "usage")) < 0) {
		s3_fail(text, cap, ST_IO, "cannot make a spool file in",
		    s->spool_name);
		return -1;
	}
	r = s3_download(s, key, fd, etag, NULL, text, cap);
	n = r == 0 ? port_pread(fd, body, sizeof body, 0) : 0;
	port_close(fd);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (n <= 0 || n >= (long)sizeof body ||
	    s3_parse_usage(body, (size_t)n, bytes) < 0)
		return 2;
	return 1;
}

/* Write the count: If-Match etag, or If-None-Match: * when etag is ""
 * (etag then the new one). 0, 1 when another server changed it first,
 * -1 with text. */
static int
usage_write(struct store_s3 *s, const char *client, char *etag,
    uint64_t bytes, char *text, size_t cap)
{
	char key[S3_KEY_MAX], body[USAGE_BODY], old[S3_ETAG_MAX];
	int fd, n, r;

	s3k(key, "%s/usage", client);
	n = snprintf(body, sizeof body, "usage %llu\n",
	    (unsigned long long)bytes);
	if ((fd = s3_spool_file(s, "usage.new")) < 0 ||
	    port_write_all(fd, body, (size_t)n) < 0) {
		if (fd >= 0)
			port_close(fd);
		s3_fail(text, cap, ST_IO, "cannot make a spool file in",
		    s->spool_name);
		return -1;
	}
	memcpy(old, etag, S3_ETAG_MAX);
	r = s3_upload(s, key, fd, (uint64_t)n, old[0] ? 0 : S3_IF_NONE_MATCH,
	    old[0] ? old : NULL, etag, text, cap);
	port_close(fd);
	if (r != 0)
		memcpy(etag, old, S3_ETAG_MAX);
	return r;
}

/* What s3_usage_tally adds up. */
struct tally {
	size_t clen;
	uint64_t bytes;
};

/* A key of the client's: its content objects and manifests count. */
static int
tally_each(void *arg, const char *key, uint64_t size, const char *etag)
{
	struct tally *t = arg;
	size_t n = strlen(key);

	(void)etag;
	if (n > t->clen + 1 && s3_usage_counts(key + t->clen + 1,
	    n - t->clen - 1))
		t->bytes += size;
	return 0;
}

int
s3_usage_tally(struct store_s3 *s, const char *client, uint64_t *bytes,
    char *text, size_t cap)
{
	struct tally t = { strlen(client), 0 };
	char prefix[S3_KEY_MAX];

	s3k(prefix, "%s/", client);
	if (s3_list(&s->s3, prefix, NULL, tally_each, &t) != 200) {
		snprintf(text, cap, "object store: cannot list %s to count "
		    "its usage: %s", prefix, s3_error(&s->s3));
		return -1;
	}
	*bytes = t.bytes;
	return 0;
}

/* The run's count as the bucket has it, read once (a missing or damaged
 * object taken anew from a listing, this run's reservation added, and
 * written back). ST_OK, ST_IO with text. */
static unsigned
usage_load(struct store_s3 *s, char *text, size_t cap)
{
	struct s3_run *r = &s->run;
	int i, got, w;

	for (i = 0; i < USAGE_TRIES && !r->use_known; i++) {
		r->use_etag[0] = 0;
		got = usage_read(s, r->client, r->use_etag, &r->use_bytes, text,
		    cap);
		if (got < 0)
			return ST_IO;
		if (got == 1) {
			r->use_known = 1;
			break;
		}
		if (got == 0)	/* a new client's, or deleted by hand */
			info("%s: no usage object: its count is taken from "
			    "the bucket", r->client);
		else
			msg("%s: the usage object is damaged (not \"usage "
			    "<bytes>\"): its count is taken anew from the "
			    "bucket", r->client);
		if (s3_usage_tally(s, r->client, &r->use_bytes, text, cap) < 0)
			return ST_IO;
		r->use_bytes += r->held;
		if ((w = usage_write(s, r->client, r->use_etag, r->use_bytes,
		    text, cap)) < 0)
			return ST_IO;
		r->use_known = w == 0;
	}
	if (!r->use_known) {
		snprintf(text, cap, "the usage object of %s kept changing under "
		    "this server", r->client);
		return ST_IO;
	}
	return ST_OK;
}

/* The quota's refusal in words (what is used leaves this run's unused
 * reservation out). */
static unsigned
over(struct s3_run *r, uint64_t quota, uint64_t n, const char *what,
    char *text, size_t cap)
{
	uint64_t used = r->use_bytes > r->held ? r->use_bytes - r->held : 0;

	snprintf(text, cap, "over quota: this client may store %llu bytes and "
	    "uses %llu; %s needs %llu more", (unsigned long long)quota,
	    (unsigned long long)used, what, (unsigned long long)n);
	return ST_QUOTA;
}

/*
 * The count plus add minus sub (not below 0), written by compare-and-swap,
 * with spare more when that still fits the quota (*got: whether it did).
 * check: refused (ST_QUOTA) when the count would go over. ST_OK, ST_QUOTA,
 * ST_IO with text.
 */
static unsigned
usage_add(struct store_s3 *s, uint64_t add, uint64_t sub, uint64_t spare,
    int check, uint64_t *got, const char *what, char *text, size_t cap)
{
	struct s3_run *r = &s->run;
	uint64_t v;
	unsigned st;
	int i, w;

	*got = 0;
	for (i = 0; i < USAGE_TRIES; i++) {
		if ((st = usage_load(s, text, cap)) != ST_OK)
			return st;
		v = r->use_bytes + add;
		v = v > sub ? v - sub : 0;
		if (check && add > sub && v > s->quota)
			return over(r, s->quota, add - sub, what, text, cap);
		*got = spare > 0 && v + spare <= s->quota ? spare : 0;
		w = usage_write(s, r->client, r->use_etag, v + *got, text, cap);
		if (w < 0)
			return ST_IO;
		if (w == 0) {
			r->use_bytes = v + *got;
			return ST_OK;
		}
		r->use_known = 0;	/* another server's charge came first */
	}
	snprintf(text, cap, "the usage object of %s kept changing under this "
	    "server", r->client);
	return ST_IO;
}

unsigned
s3_quota_room(struct store_s3 *s, uint64_t n, const char *what, char *text,
    size_t cap)
{
	struct s3_run *r = &s->run;
	uint64_t free;
	unsigned st;

	if (s->quota == 0 || r->dry || n <= r->held)
		return ST_OK;
	if (!r->use_known && (st = usage_load(s, text, cap)) != ST_OK)
		return st;
	free = r->held + (s->quota > r->use_bytes ? s->quota - r->use_bytes :
	    0);
	return n <= free ? ST_OK : over(r, s->quota, n, what, text, cap);
}

unsigned
s3_quota_take(struct store_s3 *s, uint64_t n, int exact, const char *what,
    char *text, size_t cap)
{
	struct s3_run *r = &s->run;
	uint64_t need, block, got;
	unsigned st;

	if (s->quota == 0)
		return ST_OK;
	if (exact) {
		/* the rest of the reservation goes back in the same write */
		st = usage_add(s, n, r->held, 0, n > r->held, &got, what, text,
		    cap);
		if (st == ST_OK)
			r->held = 0;
		return st;
	}
	if (n <= r->held) {
		r->held -= n;
		return ST_OK;
	}
	need = n - r->held;
	block = s->quota / 16 < USAGE_BLOCK ? s->quota / 16 : USAGE_BLOCK;
	if ((st = usage_add(s, need, 0, block, 1, &got, what, text, cap)) !=
	    ST_OK)
		return st;
	r->held = got;
	return ST_OK;
}

void
s3_quota_give(struct store_s3 *s, uint64_t n)
{
	if (s->quota > 0)
		s->run.held += n;
}

void
s3_quota_settle(struct store_s3 *s)
{
	struct s3_run *r = &s->run;
	char text[MSG_MAX + 1];
	uint64_t got;

	if (s->quota == 0 || r->held == 0)
		return;
	if (usage_add(s, 0, r->held, 0, 0, &got, "", text, sizeof text) !=
	    ST_OK)
		msg("%s: %llu reserved bytes stay counted until the next "
		    "sweep: %s", r->client, (unsigned long long)r->held, text);
	r->held = 0;
}

void
s3_quota_recount(struct store_s3 *s, const char *client, const char *skip)
{
	char etag[S3_ETAG_MAX] = "", text[MSG_MAX + 1];
	uint64_t was = 0, now;
	int got;

	if (s->quota == 0)
		return;
	got = usage_read(s, client, etag, &was, text, sizeof text);
	if (got >= 0 && skip != NULL && s3_runs_idle(s, client, skip) != 1)
		return;		/* another run's reservation may be in it */
	if (got < 0 || s3_usage_tally(s, client, &now, text, sizeof text) < 0) {
		msg("%s: the usage count is not checked: %s", client, text);
		return;
	}
	if (got == 1 && was == now)
		return;
	if (usage_write(s, client, etag, now, text, sizeof text) != 0)
		return;		/* changed meanwhile: that count stands */
	if (got == 1)
		info("%s: usage counted anew: %llu bytes (the count said %llu)",
		    client, (unsigned long long)now, (unsigned long long)was);
}

int
s3_quota_used(struct store_s3 *s, const char *client, uint64_t *bytes)
{
	char etag[S3_ETAG_MAX] = "", text[MSG_MAX + 1];

	if (s->quota > 0 && usage_read(s, client, etag, bytes, text,
	    sizeof text) == 1)
		return 0;
	return s3_usage_tally(s, client, bytes, text, sizeof text);
}

#endif /* CAIRN_S3 */
