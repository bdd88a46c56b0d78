/*
 * serve.c — the serve loop (serve.h): fixed slots over port_poll(),
 * forking one child per connection or calling back on the loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "port.h"
#include "serve.h"
#include "util.h"

#define SERVE_TICK_MS 1000	/* longest wait: signals are seen by then */
#define SERVE_ANSWER_MS 10000	/* a child waits this long for the parent */

static volatile sig_atomic_t stopping, reloading;
static int auth_fd = -1;	/* in a child: the socket to the parent */

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
on_hup(int sig)
{
	(void)sig;
	reloading = 1;
}

static void
on_child(int sig)
{
	(void)sig;	/* only to interrupt the wait */
}

void
serve_signals(void)
{
	port_signal(SIGTERM, on_stop);
	port_signal(SIGINT, on_stop);
	port_signal(SIGCHLD, on_child);
	port_signal(SIGHUP, on_hup);
}

void
serve_stop(void)
{
	stopping = 1;
}

/* One byte to the parent, once, and one back; the descriptor stays open
 * until the child exits, so the parent sees the socket close when it
 * ends. */
int
serve_authenticated(void)
{
	static const char one = 1;
	unsigned char code;
	int fd = auth_fd;

	if (fd < 0)
		return 0;
	auth_fd = -1;
	if (port_write_all(fd, &one, 1) < 0 ||
	    port_read(fd, &code, 1, SERVE_ANSWER_MS) != 1)
		return 0;	/* the parent has stopped */
	return code;
}

int
serve_init(struct serve *sv, const struct serve_class *vt, void *ctx,
    int lfd, int fork, struct serve_slot *slot, unsigned nslots)
{
	if (nslots > SERVE_SLOTS_MAX || vt->admit == NULL ||
	    (fork ? vt->child == NULL : vt->readable == NULL)) {
		errno = EINVAL;
		return -1;
	}
	sv->vt = vt;
	sv->ctx = ctx;
	sv->lfd = lfd;
	sv->fork = fork;
	sv->slot = slot;
	sv->nslots = nslots;
	memset(slot, 0, nslots * sizeof *slot);
	return 0;
}

/* Free slot s: tell the caller, close what the loop holds. */
static void
slot_free(struct serve *sv, struct serve_slot *s)
{
	if (sv->vt->closed != NULL)
		sv->vt->closed(sv, s);
	if (s->authfd >= 0)
		port_close(s->authfd);
	if (!sv->fork)
		port_close(s->fd);
	s->used = 0;
}

void
serve_drop(struct serve *sv, struct serve_slot *s)
{
	if (!s->used)
		return;
	if (sv->fork && s->pid > 0)
		(void)port_kill(s->pid, SIGKILL);	/* reaped later */
	slot_free(sv, s);
}

/* Forget the children that have ended. */
static void
reap(struct serve *sv)
{
	unsigned i;
	long pid;

	while ((pid = port_reap(NULL)) > 0)
		for (i = 0; i < sv->nslots; i++)
			if (sv->slot[i].used && sv->slot[i].pid == pid) {
				slot_free(sv, &sv->slot[i]);
				break;
			}
}

/* Whether peers "address:port" a and b have the same address. */
static int
same_host(const char *a, const char *b)
{
	const char *ca = strrchr(a, ':'), *cb = strrchr(b, ':');
	size_t na = ca != NULL ? (size_t)(ca - a) : strlen(a);
	size_t nb = cb != NULL ? (size_t)(cb - b) : strlen(b);

	return na == nb && memcmp(a, b, na) == 0;
}

/* The slots in use, as admit() sees them for a connection from peer. */
static void
count(const struct serve *sv, const char *peer, struct serve_counts *c)
{
	const struct serve_slot *s;
	unsigned i;
	int same;

	memset(c, 0, sizeof *c);
	for (i = 0; i < sv->nslots; i++) {
		s = &sv->slot[i];
		if (!s->used)
			continue;
		if (s->refuser) {
			c->refusers++;
			continue;
		}
		same = same_host(s->peer, peer);
		c->all++;
		c->host += same;
		if (!s->auth) {
			c->unauth++;
			c->unauth_host += same;
		}
	}
}

/* Whether s holds a connection not yet authenticated (refusers aside). */
static int
stalling(const struct serve_slot *s)
{
	return s->used && !s->auth && !s->refuser;
}

/* How many slots not yet authenticated are from peer's address. */
static unsigned
stallers_from(const struct serve *sv, const char *peer)
{
	unsigned i, n = 0;

	for (i = 0; i < sv->nslots; i++)
		n += stalling(&sv->slot[i]) && same_host(sv->slot[i].peer, peer);
	return n;
}

/* How serve_staller() ranks a staller: its address's count, then
 * whether it is the newcomer's address, then age. */
struct rank {
	unsigned n;
	int own;
	uint64_t born;
};

/* Whether a is to be dropped before b. */
static int
before(const struct rank *a, const struct rank *b)
{
	if (a->n != b->n)
		return a->n > b->n;
	if (a->own != b->own)
		return a->own;
	return a->born < b->born;
}

struct serve_slot *
serve_staller(struct serve *sv, const char *peer)
{
	struct serve_slot *s, *best = NULL;
	struct rank r, top;
	unsigned i;

	for (i = 0; i < sv->nslots; i++) {
		s = &sv->slot[i];
		if (!stalling(s))
			continue;
		r.own = same_host(s->peer, peer);
		r.n = stallers_from(sv, s->peer) + (unsigned)r.own;
		r.born = s->born;
		if (best == NULL || before(&r, &top)) {
			best = s;
			top = r;
		}
	}
	return best;
}

/* In the child: drop what belongs to the loop, serve fd, exit. */
static void
in_child(struct serve *sv, struct serve_slot *s, int fd, const int p[2])
{
	unsigned i;

	port_close(sv->lfd);
	for (i = 0; i < sv->nslots; i++)
		if (sv->slot[i].used && sv->slot[i].authfd >= 0)
			port_close(sv->slot[i].authfd);
	port_close(p[0]);
	auth_fd = p[1];
	port_signal(SIGTERM, SIG_DFL);
	port_signal(SIGINT, SIG_DFL);
	exit(sv->vt->child(sv, s, fd));
}

/* Fork a child to serve fd in slot s; the parent closes fd. 0 or -1.
 * Without the socket to the child, it is not served: the loop could not
 * tell it from a staller. */
static int
spawn(struct serve *sv, struct serve_slot *s, int fd)
{
	int p[2];
	long pid;

	if (port_socketpair(p) < 0) {
		msg("%s: cannot serve: %s", s->peer, strerror(errno));
		port_close(fd);
		return -1;
	}
	pid = port_fork();
	if (pid == 0)
		in_child(sv, s, fd, p);
	port_close(p[1]);
	port_close(fd);
	if (pid < 0) {
		msg("%s: cannot fork: %s", s->peer, strerror(errno));
		port_close(p[0]);
		return -1;
	}
	s->pid = pid;
	s->authfd = p[0];
	return 0;
}

/* Accept one connection and give it a slot, or refuse or drop it. */
static void
accept_one(struct serve *sv)
{
	struct serve_slot *s = NULL;
	struct serve_counts c;
	char peer[SERVE_PEER];
	unsigned i;
	int fd, how;

	fd = port_tcp_accept(sv->lfd, peer, sizeof peer);
	if (fd < 0) {
		if (errno != EINTR && errno != ECONNABORTED)
			msg("accept: %s", strerror(errno));
		return;
	}
	if (sv->fork)
		reap(sv);
	for (i = 0; i < sv->nslots && s == NULL; i++)
		if (!sv->slot[i].used)
			s = &sv->slot[i];
	count(sv, peer, &c);
	if (s == NULL) {
		port_close(fd);
		return;
	}
	memset(s, 0, sizeof *s);
	memcpy(s->peer, peer, sizeof peer);
	s->born = port_ms();
	s->fd = fd;
	s->authfd = -1;
	how = sv->vt->admit(sv, s, &c);
	if (how == SERVE_DROP) {
		port_close(fd);
		return;
	}
	s->refuser = how == SERVE_REFUSE;
	s->used = 1;
	if (sv->fork && spawn(sv, s, fd) < 0)
		s->used = 0;
}

/* s's child says its peer has authenticated: tell it whether to serve
 * it (the slot is then authenticated) or refuse it (a refuser). */
static void
answer(struct serve *sv, struct serve_slot *s)
{
	struct serve_counts c;
	unsigned char code = 0;
	int r;

	if (s->auth || s->refuser)
		return;		/* asked once only */
	if (sv->vt->authenticated != NULL) {
		count(sv, s->peer, &c);
		r = sv->vt->authenticated(sv, s, &c);
		code = r > 0 && r < 256 ? (unsigned char)r : 0;
	}
	s->auth = code == 0;
	s->refuser = code != 0;
	(void)port_write_all(s->authfd, &code, 1);
}

/* Slot s is readable: the connection (not forking) or the child's
 * socket. */
static void
ready(struct serve *sv, struct serve_slot *s)
{
	char b;

	if (!s->used)
		return;		/* closed by an earlier callback */
	if (!sv->fork) {
		if (sv->vt->readable(sv, s) < 0)
			slot_free(sv, s);
		return;
	}
	if (port_read(s->authfd, &b, 1, 0) == 1) {
		answer(sv, s);
		return;
	}
	port_close(s->authfd);	/* the child is ending */
	s->authfd = -1;
}

/* Call deadline() for every slot whose deadline has passed (without
 * one, a connection is closed then); the wait until the next one. */
static int
expire(struct serve *sv)
{
	uint64_t now = port_ms(), next = now + SERVE_TICK_MS;
	struct serve_slot *s;
	unsigned i;
	int r;

	for (i = 0; i < sv->nslots; i++) {
		s = &sv->slot[i];
		if (!s->used || s->deadline == 0)
			continue;
		if (s->deadline <= now) {
			s->deadline = 0;
			r = sv->vt->deadline != NULL ? sv->vt->deadline(sv, s) :
			    -1;
			if (r < 0 && !sv->fork) {
				slot_free(sv, s);
				continue;
			}
		}
		if (s->used && s->deadline != 0 && s->deadline < next)
			next = s->deadline <= now ? now : s->deadline;
	}
	return (int)(next - now);
}

/* One wait on the listening socket and the slots, and what follows. */
static void
step(struct serve *sv)
{
	struct port_pollfd *p = sv->pfd;
	const struct serve_slot *s;
	unsigned i;
	int ms = expire(sv);

	p[0].fd = sv->lfd;
	p[0].want = PORT_IN;
	for (i = 0; i < sv->nslots; i++) {
		s = &sv->slot[i];
		p[i + 1].fd = !s->used ? -1 : sv->fork ? s->authfd : s->fd;
		p[i + 1].want = PORT_IN;
	}
	if (port_poll(p, sv->nslots + 1, ms) <= 0)
		return;		/* a signal, or the time ran out */
	for (i = 0; i < sv->nslots; i++)
		if (p[i + 1].got)
			ready(sv, &sv->slot[i]);
	if (p[0].got)
		accept_one(sv);
}

void
serve_run(struct serve *sv)
{
	unsigned i;

	while (!stopping) {
		if (sv->fork)
			reap(sv);
		if (reloading) {
			reloading = 0;
			if (sv->vt->reload != NULL)
				sv->vt->reload(sv);
		}
		step(sv);
		if (sv->vt->tick != NULL)
			sv->vt->tick(sv);
	}
	if (!sv->fork)
		for (i = 0; i < sv->nslots; i++)
			if (sv->slot[i].used)
				slot_free(sv, &sv->slot[i]);
	stopping = 0;
}
