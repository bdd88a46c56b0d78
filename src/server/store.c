/* store.c — what every store backend shares: checking names and ids
 * (ids are made in src/common/backupid.c); see store.h. */
#include <string.h>

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
