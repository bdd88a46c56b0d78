/*
 * serve.h — the serve loop: accept connections on a listening socket and
 * serve each in a slot, over port_poll().
 *
 * The model:
 * - One loop, driven by port_poll(), over the listening socket and a
 *   fixed array of slots that the caller owns (no heap). A slot is one
 *   connection: its peer, its state, and a deadline (port_ms() time, 0 for
 *   none); the loop wakes at the nearest deadline, and at least once a
 *   second to act on signals.
 * - A new connection is first shown to the caller's admit(), with the
 *   counts of the slots in use (all, from the same address, refusers,
 *   and those not yet authenticated, overall and from the same address):
 *   serve it, serve it only to refuse it (told "busy"; counted apart),
 *   or drop it at once. The limits are the caller's; to make room,
 *   admit() may drop another slot (serve_drop()), such as the staller
 *   serve_staller() picks: a peer not yet authenticated holds nothing.
 * - Forking (serve_init's fork flag): each connection is served by a
 *   child process running child(); the parent keeps the child's pid and
 *   one end of a socket pair whose other end the child keeps. The child
 *   calls serve_authenticated() once its peer has proved who it is and
 *   waits for the parent's answer: the caller's authenticated() says
 *   whether it may be served (the slot is then authenticated) or is to
 *   be refused (it counts as a refuser). SIGCHLD wakes the loop, which
 *   reaps the child, calls closed() and frees the slot. The parent never
 *   touches the connection after the fork.
 * - Not forking: one long-lived process keeps every connection open in
 *   its slot and gets callbacks on the loop: readable() when the
 *   connection can be read, deadline() when the slot's deadline passed,
 *   closed() before the loop closes it. A callback marks its slot
 *   authenticated itself (s->auth = 1).
 * - Signals (serve_signals()): SIGTERM and SIGINT stop the loop (children
 *   go on with their sessions), SIGHUP calls reload() between waits,
 *   SIGCHLD only wakes the loop. A child gets SIGTERM and SIGINT back to
 *   their defaults. SIGPIPE is the caller's to ignore (an answer to a
 *   child that has just ended).
 */
#ifndef CAIRN_SERVE_H
#define CAIRN_SERVE_H

#include <stdint.h>

#include "port.h"

#define SERVE_SLOTS_MAX 1288	/* slots one loop can watch */
#define SERVE_PEER 80		/* "address:port" of a peer */

#if SERVE_SLOTS_MAX + 1 > PORT_POLL_MAX
#error "port_poll() cannot wait on every slot and the listening socket"
#endif

enum { SERVE_SERVE, SERVE_REFUSE, SERVE_DROP };	/* admit() says */

struct serve_slot {
	long pid;		/* forking: the child serving it */
	uint64_t deadline;	/* port_ms() when deadline() is due, or 0 */
	uint64_t born;		/* port_ms() when it was accepted */
	int fd;			/* not forking: the connection */
	int authfd;		/* forking: the socket to the child, or -1 */
	unsigned char used;
	unsigned char refuser;	/* admitted only to be refused */
	unsigned char auth;	/* the peer has authenticated */
	char peer[SERVE_PEER];
};

/* Counts of the slots in use, for admit(); refusers count only in
 * refusers. */
struct serve_counts {
	unsigned all, host;		/* served; of those, from here */
	unsigned unauth, unauth_host;	/* not yet authenticated */
	unsigned refusers;
};

struct serve;

/* What the caller does; every member but admit may be NULL. */
struct serve_class {
	/* A new connection in s (s->peer set): SERVE_SERVE, SERVE_REFUSE or
	 * SERVE_DROP. It may set s->deadline. */
	int (*admit)(struct serve *sv, struct serve_slot *s,
	    const struct serve_counts *c);
	/* Forking, in the child: serve fd, then return the exit status. */
	int (*child)(struct serve *sv, struct serve_slot *s, int fd);
	/* Not forking: s->fd is readable. 0 to keep the slot, -1 to close. */
	int (*readable)(struct serve *sv, struct serve_slot *s);
	/* s->deadline has passed. 0 to keep the slot (the callback moves or
	 * clears the deadline), -1 to close it (forking: the child is not
	 * stopped; that is the callback's to do). */
	int (*deadline)(struct serve *sv, struct serve_slot *s);
	/* s is about to be freed (forking: its child has ended, or
	 * serve_drop() has killed it). */
	void (*closed)(struct serve *sv, struct serve_slot *s);
	/* SIGHUP came. */
	void (*reload)(struct serve *sv);
	/* Forking: s's child says its peer has authenticated (c counts s
	 * as not yet). 0 to serve it, or a code from 1 to 255 that the
	 * child's serve_authenticated() returns, to refuse it. NULL: 0. */
	int (*authenticated)(struct serve *sv, struct serve_slot *s,
	    const struct serve_counts *c);
	/* After each wait: at least once a second, and at once after a
	 * signal (SIGCHLD: a child of the caller's has ended). */
	void (*tick)(struct serve *sv);
};

/* One loop: the caller's context, and the storage the loop uses. */
struct serve {
	const struct serve_class *vt;
	void *ctx;			/* the caller's */
	int lfd;			/* the listening socket */
	int fork;			/* one child process per connection */
	unsigned nslots;
	struct serve_slot *slot;	/* [nslots], the caller's */
	struct port_pollfd pfd[SERVE_SLOTS_MAX + 1];
};

/* Set sv up to serve lfd in slot[0..nslots) (at most SERVE_SLOTS_MAX),
 * forking or not. 0, or -1 (EINVAL). */
int serve_init(struct serve *sv, const struct serve_class *vt, void *ctx,
    int lfd, int fork, struct serve_slot *slot, unsigned nslots);
/* Catch SIGTERM, SIGINT, SIGHUP and SIGCHLD for serve_run(). */
void serve_signals(void);
/* Run until SIGTERM, SIGINT or serve_stop(). Not forking, every slot
 * still open is closed (closed() called) before it returns. */
void serve_run(struct serve *sv);
/* Make serve_run() return after the callback that calls it. */
void serve_stop(void);
/* In a child of a forking loop: tell the parent that the peer has
 * authenticated and wait for its answer: 0 to serve the peer, or the
 * code of authenticated() to refuse it. Elsewhere, a second time, or
 * when the parent does not answer (it has stopped), 0. */
int serve_authenticated(void);
/* The slot to drop to make room for a handshake from peer: the oldest
 * of those not yet authenticated (refusers aside) from the address
 * holding the most of them, counting the newcomer (its address wins a
 * tie). NULL when there is none. */
struct serve_slot *serve_staller(struct serve *sv, const char *peer);
/* Drop slot s now: forking, its child is killed (SIGKILL); not forking,
 * closed() is called and the connection closed. */
void serve_drop(struct serve *sv, struct serve_slot *s);

#endif
