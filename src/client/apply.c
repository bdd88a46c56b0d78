/* apply.c — an entry's metadata on what restore made; see apply.h. */
#include <errno.h>
#include <string.h>

#include "apply.h"
#include "port.h"
#include "report.h"
#include "util.h"

/* uid and gid of an entry whose owner was not recorded (a v1 manifest's
 * record; PROTOCOL.md, "Browsing, restoring and removing in v2"). */
#define NO_OWNER 0xffffffffu

/* 1 if we run as root (asked once: it is a syscall, and this runs for
 * every file restored). */
static int
as_root(void)
{
	static int known, root;

	if (!known) {
		root = port_euid() == 0;
		known = 1;
	}
	return root;
}

/* e as messages name it: its path, or for the root entry the target. */
static const char *
named(const struct entry *e)
{
	return e->plen == 0 ? "the restore directory itself" : shown_path(e);
}

/* One failure to set what of e, counted in *bad. */
static void
cannot(const struct entry *e, const char *what, uint64_t *bad)
{
	msg("%s: cannot set its %s: %s", named(e), what, strerror(errno));
	(*bad)++;
}

/* Each xattr of e on m, by name; failures counted in *bad. */
static void
apply_xattrs(const struct made *m, const struct entry *e, uint64_t *bad)
{
	char name[256], what[300];
	const uint8_t *val;
	const char *n;
	size_t off = 0, nlen, vlen;

	while (xattr_next(e->xattr, e->xlen, &off, &n, &nlen, &val,
	    &vlen) == 1) {
		memcpy(name, n, nlen);
		name[nlen] = 0;
		if (port_xattr_set(m->dfd, m->name, name, val, vlen) == 0)
			continue;
		shown(name, nlen, what, sizeof what - 8);
		memcpy(what + strlen(what), " xattr", 7);
		cannot(e, what, bad);
	}
}

int
apply_meta(const struct made *m, const struct entry *e, uint64_t *bad)
{
	int r = 0, err = 0;

	if (e->owned && !(e->uid == NO_OWNER && e->gid == NO_OWNER) &&
	    as_root() && (m->fd >= 0 ?
	    port_fchown(m->fd, e->uid, e->gid) :
	    port_lchownat(m->dfd, m->name, e->uid, e->gid)) < 0)
		cannot(e, "owner", bad);
	if (e->type != E_LINK && (m->fd >= 0 ? port_fchmod(m->fd, e->mode) :
	    port_fchmodat(m->dfd, m->name, e->mode)) < 0) {
		r = -1;
		err = errno;
	}
	if (e->xlen > 0)
		apply_xattrs(m, e, bad);
	if ((m->fd >= 0 ? port_futime(m->fd, e->mtime, e->mtime_ns) :
	    port_lutimeat(m->dfd, m->name, e->mtime, e->mtime_ns)) < 0) {
		r = -1;
		err = errno;
	}
	errno = err;
	return r;
}

/* The kind of special file e is, as port/ says it. */
static enum port_special
kind_of(const struct entry *e)
{
	return e->type == E_FIFO ? PORT_SP_FIFO : e->type == E_CHR ?
	    PORT_SP_CHR : PORT_SP_BLK;
}

/* The special file e, made at dfd/name: its metadata. */
static void
special_meta(int dfd, const char *name, const struct entry *e, uint64_t *bad)
{
	struct made m = { -1, dfd, name };

	if (apply_meta(&m, e, bad) < 0)
		cannot(e, "mode and time", bad);
}

void
apply_special(int dfd, const char *name, const struct entry *e,
    uint64_t *bad)
{
	struct port_stat st;
	int there = port_fstatat(dfd, name, &st) == 0;

	if (e->type != E_FIFO && !as_root()) {
		msg("%s: not restored: device nodes are made only by root",
		    named(e));
		(*bad)++;
		return;
	}
	if (there && st.type == PORT_OTHER && st.special == kind_of(e) &&
	    (e->type == E_FIFO || (st.rmajor == e->major &&
	    st.rminor == e->minor))) {
		special_meta(dfd, name, e, bad);
		return;
	}
	if (there && st.type == PORT_DIR) {
		msg("%s: not restored: a directory is in the way", named(e));
		(*bad)++;
		return;
	}
	if (there)
		port_unlinkat(dfd, name, 0);
	if (port_mknodat(dfd, name, kind_of(e), e->mode & 0777, e->major,
	    e->minor) < 0) {
		msg("%s: cannot make it: %s", named(e), strerror(errno));
		(*bad)++;
		return;
	}
	special_meta(dfd, name, e, bad);
}
