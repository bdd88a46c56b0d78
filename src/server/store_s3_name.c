/*
 * store_s3_name.c — the object store's small names and bodies, read back
 * from a bucket that others may write to (see store_s3.h): a content
 * name "<md5hex>-<size>", a lease body "<owner> <expiry>\n" and a read
 * lease's name "<expiry>-<owner>", a usage object "usage <bytes>\n" and
 * which of a client's keys the usage counts.
 * Strict: one form each, nothing more;
 * what is not that form is not taken.
 */
#include "features.h"

#if CAIRN_S3

#include <string.h>

#include "md5.h"
#include "store_s3.h"
#include "util.h"

/* A decimal number of 1..19 digits, no sign, no leading zero but "0",
 * in s[0..n) exactly: 0 with *v, -1. */
static int
decimal(const char *s, size_t n, uint64_t max, uint64_t *v)
{
	char num[20];
	size_t i;

	if (n == 0 || n >= sizeof num || (s[0] == '0' && n > 1))
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	memcpy(num, s, n);
	num[n] = 0;
	return parse_u64(num, 0, max, v);
}

/* 1 if s[0..n) is lower-case hex. */
static int
lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return 1;
}

int
s3_parse_content(const char *s, size_t n, uint8_t md5[MD5_LEN],
    uint64_t *size)
{
	if (n < MD5_HEXLEN + 2 || s[MD5_HEXLEN] != '-' ||
	    !lower_hex(s, MD5_HEXLEN) || md5_unhex(s, MD5_HEXLEN, md5) < 0)
		return -1;
	return decimal(s + MD5_HEXLEN + 1, n - MD5_HEXLEN - 1,
	    S3_RESUMED - 2, size);
}

int
s3_parse_lease(const char *s, size_t n, char *owner, int64_t *expiry)
{
	const char *sp = memchr(s, ' ', n);
	uint64_t v;
	size_t k;

	if (sp == NULL || n < 2 || s[n - 1] != '\n')
		return -1;
	k = (size_t)(sp - s);
	if (k != S3_OWNER - 1 || !lower_hex(s, k) ||
	    decimal(sp + 1, n - k - 2, INT64_MAX, &v) < 0)
		return -1;
	memcpy(owner, s, k);
	owner[k] = 0;
	*expiry = (int64_t)v;
	return 0;
}

int
s3_parse_reader(const char *s, size_t n, int64_t *expiry)
{
	const char *dash = memchr(s, '-', n);
	uint64_t v;

	if (dash == NULL || (size_t)(s + n - dash - 1) != S3_OWNER - 1 ||
	    !lower_hex(dash + 1, S3_OWNER - 1) ||
	    decimal(s, (size_t)(dash - s), INT64_MAX, &v) < 0)
		return -1;
	*expiry = (int64_t)v;
	return 0;
}

int
s3_parse_usage(const char *s, size_t n, uint64_t *bytes)
{
	if (n < 8 || memcmp(s, "usage ", 6) != 0 || s[n - 1] != '\n')
		return -1;
	return decimal(s + 6, n - 7, INT64_MAX, bytes);
}

int
s3_usage_counts(const char *k, size_t n)
{
	const char *slash = memchr(k, '/', n);
	size_t i = slash == NULL ? 0 : (size_t)(slash - k);

	if (n > 5 && memcmp(k, "data/", 5) == 0)
		return 1;
	return slash != NULL && store_is_id(k, i) && n - i > 6 &&
	    memcmp(slash, "/snap/", 6) == 0;
}

#endif /* CAIRN_S3 */
