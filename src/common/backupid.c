/* backupid.c — a backup's id from its client and source; see backupid.h. */
#include <string.h>

#include "backupid.h"
#include "md5.h"

void
backup_id(const char *client, const char *source, size_t slen,
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
