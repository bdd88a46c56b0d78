/*
 * store_fs_retain.c — the local backend's retention: a policy (retain.h)
 * applied to one backup's snapshots, after a run's commit or on its own
 * (PRUNE); see store_fs.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fsutil.h"
#include "store_fs.h"

/* One snapshot of the walk: its name and info, or the dry run's own. */
struct step {
	int have;
	struct snapinfo si;
};

/* The snapshot after cur (name "" for the first) into nx: the next
 * committed one, else the dry run's snapshot to be, once. */
static void
step_next(struct fs_prune *p, const struct step *cur, struct step *nx)
{
	char name[SNAP_MAX];

	nx->have = 0;
	if (cur->have && cur->si.name[0] == 0)
		return;		/* the dry run's snapshot is the newest */
	if (p->backup >= 0 && fs_next(p->backup, FS_SNAPS, cur->si.name,
	    name) == 1) {
		nx->have = 1;
		if (fs_info(p->backup, name, &nx->si) < 0) {
			/* unreadable: incomplete, and as old as can be */
			memset(&nx->si, 0, sizeof nx->si);
			nx->si.failed = 1;
		}
		memcpy(nx->si.name, name, sizeof name);
	} else if (p->extra) {
		memset(&nx->si, 0, sizeof nx->si);
		nx->si.time = p->extra_time;
		nx->have = 1;
	}
}

/* Walk the snapshots oldest first: pass 0 counts them into the plan,
 * pass 1 counts those that go, pass 2 removes them (or tells them, dry).
 * ST_OK with *n, or ST_IO with text. */
static unsigned
walk(struct fs_prune *p, int pass, unsigned *n, char *text, size_t cap)
{
	static struct step a, b;
	struct step *cur = &a, *nx = &b, *t;

	*n = 0;
	memset(cur, 0, sizeof *cur);
	step_next(p, cur, nx);
	if (pass > 0)
		retain_rewind(&p->plan);
	while (nx->have) {
		t = cur, cur = nx, nx = t;
		step_next(p, cur, nx);
		if (pass == 0) {
			retain_count(&p->plan, cur->si.time, cur->si.failed == 0);
			continue;
		}
		if (retain_keep(&p->plan, cur->si.time, nx->have,
		    nx->si.time) || cur->si.name[0] == 0)
			continue;
		if (pass == 2 && !p->dry && fs_remove_snapshot(p->backup,
		    cur->si.name, &p->freed) < 0) {
			snprintf(text, cap, "cannot remove snapshot %s: %s",
			    cur->si.name, strerror(errno));
			return ST_IO;
		}
		if (pass == 2 && p->removed != NULL)
			p->removed(p->arg, &cur->si);
		(*n)++;
	}
	return ST_OK;
}

unsigned
fs_apply_retention(struct fs_prune *p, void (*planned)(void *arg,
    unsigned count), char *text, size_t cap)
{
	unsigned n, st;

	p->freed = 0;
	snprintf(text, cap, "pruned");
	walk(p, 0, &n, text, cap);
	if (planned != NULL) {
		walk(p, 1, &n, text, cap);
		planned(p->arg, n);
	}
	if (!p->dry)
		rmtree_tick(p->tick, p->tick_arg);
	st = walk(p, 2, &n, text, cap);
	if (!p->dry)
		rmtree_tick(NULL, NULL);
	return st;
}
