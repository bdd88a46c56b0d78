/* store.c — what every store backend shares: checking names and ids
 * (ids are made in src/common/backupid.c), a manifest's header; see
 * store.h. */
#include <string.h>

#include "buf.h"
#include "json.h"
#include "store.h"

int
store_is_id(const char *s, size_t n)
{
	size_t i;

	if (n != ID_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int
store_is_snap(const char *s, size_t n)
{
	return n > 0 && n < SNAP_MAX && s[0] != '.' &&
	    memchr(s, '/', n) == NULL && memchr(s, 0, n) == NULL;
}

int
store_manifest_header(struct buf *b, const char *client,
    const struct store_run *run, int64_t time, uint64_t charge, int final,
    size_t width)
{
	buf_puts(b, "{\"cairn_manifest\":2");
	json_put_key(b, "client", 0);
	json_put_str(b, client, strlen(client));
	json_put_key(b, "id", 0);
	json_put_str(b, run->id, ID_LEN);
	json_put_key(b, "snapshot", 0);
	json_put_str(b, run->snap, strlen(run->snap));
	json_put_key(b, "source", 0);
	json_put_str(b, run->source, strlen(run->source));
	json_put_key(b, "time", 0);
	buf_sdec(b, time);
	json_put_key(b, "files", 0);
	buf_dec(b, final ? run->files : 0);
	json_put_key(b, "bytes", 0);
	buf_dec(b, final ? run->bytes : 0);
	json_put_key(b, "charge", 0);	/* what its entries cost (--quota) */
	buf_dec(b, final ? charge : 0);
	json_put_key(b, "failed", 0);	/* left out, or kept from before */
	buf_dec(b, final ? run->failed + run->kept : 0);
	buf_putc(b, '}');
	while (!b->err && b->len < width)
		buf_putc(b, ' ');
	return b->err || (width > 0 && b->len > width) ? -1 : 0;
}
