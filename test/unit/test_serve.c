/* test_serve.c — port_poll() and the serve loop, on real descriptors. */
#include <sys/socket.h>
#include <sys/time.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "port.h"
#include "unit.h"
#include "serve.h"

static void
on_alarm(int sig)
{
	(void)sig;
}

/* A timer that interrupts whatever waits in ms milliseconds. */
static void
interrupt_in(unsigned ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof it);
	it.it_value.tv_usec = (long)ms * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

void
suite_poll(void)
{
	struct port_pollfd p[3];
	char buf[1];
	int pp[2], sp[2];
	uint64_t t0;

	CHECK(port_pipe(pp) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
	p[0].fd = pp[0];
	p[0].want = PORT_IN;
	p[1].fd = sp[0];
	p[1].want = PORT_IN | PORT_OUT;
	p[2].fd = -1;			/* ignored */
	p[2].want = PORT_IN;

	/* Nothing to read: only the socket is writable. */
	CHECK(port_poll(p, 3, 0) == 1);
	CHECK(p[0].got == 0 && p[1].got == PORT_OUT && p[2].got == 0);
	/* A timeout runs out. */
	p[1].want = PORT_IN;
	t0 = port_ms();
	CHECK(port_poll(p, 3, 50) == 0);
	CHECK(port_ms() - t0 >= 45);
	CHECK(p[0].got == 0 && p[1].got == 0);
	/* Data on both. */
	CHECK(port_write_all(pp[1], "x", 1) == 0);
	CHECK(port_write_all(sp[1], "y", 1) == 0);
	CHECK(port_poll(p, 3, -1) == 2);
	CHECK(p[0].got == PORT_IN && p[1].got == PORT_IN && p[2].got == 0);
	CHECK(port_read(pp[0], buf, 1, 0) == 1);	/* drained */
	CHECK(port_read(sp[0], buf, 1, 0) == 1);
	/* A signal interrupts a wait without end: -1, EINTR. */
	port_signal(SIGALRM, on_alarm);
	interrupt_in(30);
	errno = 0;
	CHECK(port_poll(p, 2, -1) == -1 && errno == EINTR);
	port_signal(SIGALRM, SIG_DFL);
	/* The writer gone counts as readable (the read says 0), on a
	 * socket and on a pipe. */
	port_close(sp[1]);
	port_close(pp[1]);
	CHECK(port_poll(p, 2, 0) == 2);
	CHECK(p[0].got == PORT_IN && p[1].got == PORT_IN);
	CHECK(port_read(pp[0], buf, 1, 0) == 0);
	CHECK(port_read(sp[0], buf, 1, 0) == 0);
	/* Too many. */
	errno = 0;
	CHECK(port_poll(p, PORT_POLL_MAX + 1, 0) == -1 && errno == EINVAL);
	port_close(pp[0]);
	port_close(sp[0]);
}

/* ---- the loop, not forking ---------------------------------------------- */

struct lt {
	int client[3];		/* our ends of the three connections */
	struct serve_counts seen[3];	/* what admit() saw */
	unsigned admits, reads, deadlines, closes;
	char got[16];
	size_t ngot;
	int eof_seen;
};

/* Serve two at once; a connection that has not spoken gets 200 ms. */
static int
lt_admit(struct serve *sv, struct serve_slot *s, const struct serve_counts *c)
{
	struct lt *t = sv->ctx;

	if (t->admits < 3)
		t->seen[t->admits] = *c;
	t->admits++;
	if (c->all >= 2)
		return SERVE_DROP;
	s->deadline = port_ms() + 200;
	return SERVE_SERVE;
}

/* Read what came: "hello" authenticates; the end closes the slot. */
static int
lt_readable(struct serve *sv, struct serve_slot *s)
{
	struct lt *t = sv->ctx;
	long n;

	t->reads++;
	n = port_read(s->fd, t->got + t->ngot, sizeof t->got - 1 - t->ngot, 0);
	if (n <= 0) {
		t->eof_seen = 1;
		return -1;
	}
	t->ngot += (size_t)n;
	s->auth = 1;
	s->deadline = 0;
	return port_write_all(s->fd, "ok", 2);
}

/* The silent one's time is up: close it, and hang up the talker. */
static int
lt_deadline(struct serve *sv, struct serve_slot *s)
{
	struct lt *t = sv->ctx;

	t->deadlines++;
	port_close(t->client[0]);
	t->client[0] = -1;
	return -1;
}

static void
lt_closed(struct serve *sv, struct serve_slot *s)
{
	struct lt *t = sv->ctx;

	if (++t->closes == 2)
		serve_stop();
}

static const struct serve_class lt_vt = {
	lt_admit, NULL, lt_readable, lt_deadline, lt_closed, NULL, NULL, NULL
};

/* A listening socket on a free loopback port. */
static int
listen_any(unsigned *port)
{
	unsigned i;
	int lfd;

	for (i = 0; i < 200; i++) {
		*port = 20000 +
		    (unsigned)((port_getpid() * 7 + i * 131) % 40000);
		lfd = port_tcp_listen("127.0.0.1", *port, 8);
		if (lfd >= 0)
			return lfd;
	}
	return -1;
}

void
suite_serve(void)
{
	static struct serve sv;
	struct serve_slot slots[4];
	struct lt t;
	unsigned port, i;
	char buf[8];
	int lfd;

	memset(&t, 0, sizeof t);
	lfd = listen_any(&port);
	if (!CHECK(lfd >= 0))
		return;
	/* Forking wants child(); at most SERVE_SLOTS_MAX slots. */
	CHECK(serve_init(&sv, &lt_vt, &t, lfd, 1, slots, 4) == -1);
	CHECK(serve_init(&sv, &lt_vt, &t, lfd, 0, slots, SERVE_SLOTS_MAX + 1)
	    == -1);
	CHECK(serve_init(&sv, &lt_vt, &t, lfd, 0, slots, 4) == 0);
	/* Three connections waiting to be accepted; the first has spoken. */
	for (i = 0; i < 3; i++)
		t.client[i] = port_tcp_connect("127.0.0.1", port, 2000);
	CHECK(t.client[0] >= 0 && t.client[1] >= 0 && t.client[2] >= 0);
	CHECK(port_write_all(t.client[0], "hello", 5) == 0);
	CHECK(serve_authenticated() == 0);	/* not in a forking child */
	alarm(20);			/* a hang fails loudly */
	serve_run(&sv);
	alarm(0);

	CHECK(t.admits == 3);
	/* The first came alone; the second found it authenticated; the
	 * third found two and was dropped. */
	CHECK(t.seen[0].all == 0 && t.seen[0].unauth == 0);
	CHECK(t.seen[1].all == 1 && t.seen[1].host == 1);
	CHECK(t.seen[1].unauth == 0 && t.seen[1].unauth_host == 0);
	CHECK(t.seen[2].all == 2 && t.seen[2].host == 2);
	CHECK(t.seen[2].unauth == 1 && t.seen[2].unauth_host == 1);
	CHECK(t.seen[2].refusers == 0);
	CHECK(t.ngot == 5 && memcmp(t.got, "hello", 5) == 0);
	CHECK(t.deadlines == 1 && t.eof_seen && t.closes == 2);
	for (i = 0; i < 4; i++)
		CHECK(!slots[i].used);
	/* The dropped and the timed-out connections were closed. */
	CHECK(port_read(t.client[2], buf, sizeof buf, 2000) == 0);
	CHECK(port_read(t.client[1], buf, sizeof buf, 2000) == 0);
	port_close(t.client[1]);
	port_close(t.client[2]);
	port_close(lfd);
}

/* ---- the loop, forking: the child says it has authenticated ------------- */

struct ft {
	int client;
	unsigned tries, closes;
	int auth;		/* what the parent saw */
};

static int
ft_admit(struct serve *sv, struct serve_slot *s, const struct serve_counts *c)
{
	s->deadline = port_ms() + 20;
	return SERVE_SERVE;
}

/* The child: authenticated at once, then served until the peer leaves. */
static int
ft_child(struct serve *sv, struct serve_slot *s, int fd)
{
	char b[8];

	serve_authenticated();
	serve_authenticated();		/* a second time: nothing */
	while (port_read(fd, b, sizeof b, 5000) > 0)
		;
	return 0;
}

/* Wait for the parent to see the byte, then hang up. */
static int
ft_deadline(struct serve *sv, struct serve_slot *s)
{
	struct ft *t = sv->ctx;

	if (!s->auth && ++t->tries < 200) {
		s->deadline = port_ms() + 20;
		return 0;
	}
	t->auth = s->auth;
	port_close(t->client);
	return 0;
}

static void
ft_closed(struct serve *sv, struct serve_slot *s)
{
	struct ft *t = sv->ctx;

	t->closes++;
	serve_stop();
}

static const struct serve_class ft_vt = {
	ft_admit, ft_child, NULL, ft_deadline, ft_closed, NULL, NULL, NULL
};

void
suite_fork(void)
{
	static struct serve sv;
	struct serve_slot slots[2];
	struct ft t;
	unsigned port;
	int lfd;

	memset(&t, 0, sizeof t);
	lfd = listen_any(&port);
	if (!CHECK(lfd >= 0))
		return;
	CHECK(serve_init(&sv, &ft_vt, &t, lfd, 1, slots, 2) == 0);
	t.client = port_tcp_connect("127.0.0.1", port, 2000);
	CHECK(t.client >= 0);
	port_signal(SIGCHLD, on_alarm);	/* its end wakes the loop */
	alarm(20);
	serve_run(&sv);
	alarm(0);
	port_signal(SIGCHLD, SIG_DFL);
	CHECK(t.auth == 1);
	CHECK(t.closes == 1 && !slots[0].used && !slots[1].used);
	port_close(lfd);
}

/* ---- the staller to drop ------------------------------------------------- */

static unsigned st_closes;

static void
st_closed(struct serve *sv, struct serve_slot *s)
{
	st_closes++;
}

static const struct serve_class st_vt = {
	lt_admit, NULL, lt_readable, NULL, st_closed, NULL, NULL, NULL
};

/* Slot s in use by peer since born; auth 1 served, 2 a refuser. */
static void
st_set(struct serve_slot *s, const char *peer, uint64_t born, int auth)
{
	memset(s, 0, sizeof *s);
	s->used = 1;
	s->fd = -1;
	s->authfd = -1;
	s->born = born;
	s->auth = auth == 1;
	s->refuser = auth == 2;
	strcpy(s->peer, peer);
}

void
suite_staller(void)
{
	static struct serve sv;
	struct serve_slot slots[8];

	CHECK(serve_init(&sv, &st_vt, NULL, -1, 0, slots, 8) == 0);
	CHECK(serve_staller(&sv, "127.0.0.1:1") == NULL);	/* none */
	st_set(&slots[0], "127.0.0.2:10", 10, 0);
	st_set(&slots[1], "127.0.0.2:11", 5, 1);	/* served */
	st_set(&slots[2], "127.0.0.3:12", 20, 0);
	st_set(&slots[3], "127.0.0.3:13", 30, 0);
	st_set(&slots[4], "127.0.0.1:14", 1, 0);
	st_set(&slots[5], "127.0.0.2:15", 2, 2);	/* a refuser */
	/* From elsewhere: the oldest of .3, which holds the most. */
	CHECK(serve_staller(&sv, "127.0.0.9:1") == &slots[2]);
	/* From .2 or .1: two with the newcomer, as many as .3; its own
	 * address wins the tie. */
	CHECK(serve_staller(&sv, "127.0.0.2:2") == &slots[0]);
	CHECK(serve_staller(&sv, "127.0.0.1:2") == &slots[4]);
	/* Equal counts elsewhere: the oldest of all. */
	st_set(&slots[6], "127.0.0.2:16", 3, 0);
	CHECK(serve_staller(&sv, "127.0.0.9:1") == &slots[6]);
	/* Dropped: closed() called, the slot free, and not picked again. */
	serve_drop(&sv, &slots[6]);
	CHECK(st_closes == 1 && !slots[6].used);
	serve_drop(&sv, &slots[6]);		/* a second time: nothing */
	CHECK(st_closes == 1);
	CHECK(serve_staller(&sv, "127.0.0.9:1") == &slots[2]);
}

/* ---- the loop, forking: the parent answers an authentication ------------ */

struct gt {
	int client[2];
	int code[2];		/* what each child's serve_authenticated() said */
	unsigned asks, closes, ticks;
	struct serve_counts seen[2];	/* what authenticated() saw */
	unsigned served, refused;	/* the slots once both have answered */
};

static int
gt_admit(struct serve *sv, struct serve_slot *s, const struct serve_counts *c)
{
	s->deadline = port_ms() + 20;
	return SERVE_SERVE;
}

/* The child: ask, send the answer to the peer, wait for it to leave. */
static int
gt_child(struct serve *sv, struct serve_slot *s, int fd)
{
	unsigned char code = (unsigned char)serve_authenticated();
	char b[8];

	(void)port_write_all(fd, &code, 1);
	while (port_read(fd, b, sizeof b, 5000) > 0)
		;
	return 0;
}

/* The first to ask is served, the second refused with code 7. */
static int
gt_authenticated(struct serve *sv, struct serve_slot *s,
    const struct serve_counts *c)
{
	struct gt *t = sv->ctx;

	if (t->asks < 2)
		t->seen[t->asks] = *c;
	return t->asks++ == 0 ? 0 : 7;
}

/* Read what each child said; once both have, hang up on both. */
static int
gt_deadline(struct serve *sv, struct serve_slot *s)
{
	struct gt *t = sv->ctx;
	unsigned char b;
	unsigned i;

	for (i = 0; i < 2; i++)
		if (t->code[i] < 0 && port_read(t->client[i], &b, 1, 0) == 1)
			t->code[i] = b;
	if ((t->code[0] < 0 || t->code[1] < 0) && ++t->ticks < 400) {
		s->deadline = port_ms() + 20;
		return 0;
	}
	for (i = 0; i < sv->nslots && t->client[0] >= 0; i++) {
		t->served += sv->slot[i].used && sv->slot[i].auth;
		t->refused += sv->slot[i].used && sv->slot[i].refuser;
	}
	for (i = 0; i < 2; i++)
		if (t->client[i] >= 0) {
			port_close(t->client[i]);
			t->client[i] = -1;
		}
	return 0;
}

static void
gt_closed(struct serve *sv, struct serve_slot *s)
{
	struct gt *t = sv->ctx;

	if (++t->closes == 2)
		serve_stop();
}

static const struct serve_class gt_vt = {
	gt_admit, gt_child, NULL, gt_deadline, gt_closed, NULL,
	gt_authenticated, NULL
};

void
suite_gate(void)
{
	static struct serve sv;
	struct serve_slot slots[3];
	struct gt t;
	unsigned port;
	int lfd;

	memset(&t, 0, sizeof t);
	t.code[0] = t.code[1] = -1;
	lfd = listen_any(&port);
	if (!CHECK(lfd >= 0))
		return;
	CHECK(serve_init(&sv, &gt_vt, &t, lfd, 1, slots, 3) == 0);
	t.client[0] = port_tcp_connect("127.0.0.1", port, 2000);
	t.client[1] = port_tcp_connect("127.0.0.1", port, 2000);
	CHECK(t.client[0] >= 0 && t.client[1] >= 0);
	port_signal(SIGCHLD, on_alarm);
	alarm(20);
	serve_run(&sv);
	alarm(0);
	port_signal(SIGCHLD, SIG_DFL);
	CHECK(t.asks == 2);
	/* One served (0), one refused (7), whichever asked first. */
	CHECK((t.code[0] == 0 && t.code[1] == 7) ||
	    (t.code[0] == 7 && t.code[1] == 0));
	/* The first saw none served; the second saw the first served. */
	CHECK(t.seen[0].all >= 1 && t.seen[0].unauth == t.seen[0].all);
	CHECK(t.seen[1].all == 2 && t.seen[1].unauth == 1);
	CHECK(t.served == 1 && t.refused == 1);
	CHECK(t.closes == 2 && !slots[0].used && !slots[1].used);
	port_close(lfd);
}
