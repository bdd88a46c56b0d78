/* store.c — what every store backend shares: names and ids; see store.h. */
#include <string.h>

#include "md5.h"
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

void
store_make_id(const char *client, const char *source, size_t slen,
    char id[ID_LEN + 1])
{
	struct md5 c;
	uint8_t md[MD5_LEN];
	char hex[MD5_HEXLEN + 1];

	md5_init(&c);
	md5_update(&c, client, strlen(client));
	md5_update(&c, "", 1);
	md5_update(&c, source, slen);
	md5_final(&c, md);
	md5_hex(md, hex);
	memcpy(id, hex, ID_LEN);
	id[ID_LEN] = 0;
}
