/*
 * backupid.h — a backup's id, computed the same way by cairnd (naming
 * the backup) and by cairn (checking where a restore may write):
 * DESIGN.md, "The store".
 */
#ifndef CAIRN_BACKUPID_H
#define CAIRN_BACKUPID_H

#include <stddef.h>

#define ID_LEN 16		/* a backup id: 16 lower-case hex digits */

/* The id of client's backup of source[0..slen): the first 16 hex digits
 * of the MD5 of client, NUL, source — the same in every backend. */
void backup_id(const char *client, const char *source, size_t slen,
    char id[ID_LEN + 1]);

#endif
