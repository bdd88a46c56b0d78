/*
 * migrate.h — cairnd --migrate: every client's backups and snapshots
 * copied from one store to another, resumable, each file's content
 * checked against its MD5 (DESIGN.md, "Moving a store").
 */
#ifndef CAIRN_MIGRATE_H
#define CAIRN_MIGRATE_H

#include "store.h"

/* Copy what from holds and to does not, oldest snapshot first, telling
 * each on stderr; from is only read. 0 when everything is in to, 1 when
 * something could not be copied (each said). */
int migrate_run(const store_class **from, const store_class **to);

#endif
