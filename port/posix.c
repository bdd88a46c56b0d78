/*
 * posix.c — port.h for POSIX systems (Linux first: getrandom, syncfs).
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <termios.h>
#include <sys/random.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "port.h"
#include "dns.h"

/* Wait for events on fd; 1 ready, -1 with ETIMEDOUT or another errno. */
static int
wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p;
	uint64_t end = timeout_ms < 0 ? 0 : port_ms() + (uint64_t)timeout_ms;
	int left = timeout_ms, r;

	for (;;) {
		p.fd = fd;
		p.events = events;
		p.revents = 0;
		r = poll(&p, 1, left);
		if (r > 0)
			return 1;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
		if (timeout_ms >= 0) {
			uint64_t now = port_ms();
			if (now >= end) {
				errno = ETIMEDOUT;
				return -1;
			}
			left = (int)(end - now);
		}
	}
}

long
port_read(int fd, void *p, size_t n, int timeout_ms)
{
	ssize_t r;

	for (;;) {
		if (timeout_ms >= 0 && wait_fd(fd, POLLIN, timeout_ms) < 0)
			return -1;
		r = read(fd, p, n);
		if (r >= 0)
			return (long)r;
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

long
port_write(int fd, const void *p, size_t n, int timeout_ms)
{
	ssize_t r;

	for (;;) {
		if (timeout_ms >= 0 && wait_fd(fd, POLLOUT, timeout_ms) < 0)
			return -1;
		r = write(fd, p, n);
		if (r >= 0)
			return (long)r;
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

int
port_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	long r;

	while (n > 0) {
		r = port_write(fd, s, n, -1);
		if (r < 0)
			return -1;
		s += r;
		n -= (size_t)r;
	}
	return 0;
}

int
port_pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
	const char *s = p;
	ssize_t r;

	while (n > 0) {
		r = pwrite(fd, s, n, (off_t)off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

long
port_pread(int fd, void *p, size_t n, uint64_t off)
{
	char *s = p;
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = pread(fd, s + got, n - got, (off_t)(off + got));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (long)got;
}

int
port_ftruncate(int fd, uint64_t size)
{
	while (ftruncate(fd, (off_t)size) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

int
port_rewind(int fd)
{
	return lseek(fd, 0, SEEK_SET) < 0 ? -1 : 0;
}

long
port_read_full(int fd, void *p, size_t n)
{
	char *s = p;
	size_t got = 0;
	long r;

	while (got < n) {
		r = port_read(fd, s + got, n - got, -1);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (long)got;
}

int
port_close(int fd)
{
	/* After close() the descriptor is gone even on EINTR (Linux). */
	return close(fd) < 0 && errno != EINTR ? -1 : 0;
}

int
port_dup2(int from, int to)
{
	int r;

	while ((r = dup2(from, to)) < 0 && errno == EINTR)
		;
	return r < 0 ? -1 : 0;
}

int
port_isatty(int fd)
{
	return isatty(fd);
}

long
port_read_secret(const char *prompt, char *buf, size_t cap)
{
	struct termios old, quiet;
	size_t n = 0;
	long r;
	char c;

	if (cap == 0 || !isatty(0) || tcgetattr(0, &old) < 0) {
		errno = ENOTTY;
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	port_write_all(2, prompt, strlen(prompt));
	tcsetattr(0, TCSAFLUSH, &quiet);
	while ((r = port_read(0, &c, 1, -1)) == 1 && c != '\n')
		if (n + 1 < cap)
			buf[n++] = c;
	tcsetattr(0, TCSAFLUSH, &old);
	buf[n] = 0;
	if (r < 0)
		return -1;
	while (n > 0 && buf[n - 1] == '\r')
		buf[--n] = 0;
	return (long)n;
}

/* ---- sockets ---------------------------------------------------------- */

#define RESOLVE_MAX 8		/* addresses of a host tried in turn */

struct addr {
	socklen_t len;
	struct sockaddr_storage ss;
};

/* Address ip (4 or 16 bytes, of family fam) and port into *a. */
static void
addr_set(struct addr *a, int fam, const void *ip, unsigned port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof *a);
	if (fam == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		memcpy(&s4->sin_addr, ip, 4);
		a->len = sizeof *s4;
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(&s6->sin6_addr, ip, 16);
		a->len = sizeof *s6;
	}
}

/* A numeric IPv4 or IPv6 host into *a: 1, or 0 if it is not one. */
static int
numeric(const char *host, unsigned port, struct addr *a)
{
	uint8_t ip[16];

	if (inet_pton(AF_INET, host, ip) == 1)
		addr_set(a, AF_INET, ip, port);
	else if (inet_pton(AF_INET6, host, ip) == 1)
		addr_set(a, AF_INET6, ip, port);
	else
		return 0;
	return 1;
}

/* ---- the resolver, in the child of resolve() ---------------------------- */

#define HOSTS_BUF 4096		/* bytes of /etc/hosts read at a time */
#define RESOLV_CONF_MAX 4096	/* bytes of /etc/resolv.conf read */

/* The addresses /etc/hosts gives name (hosts(5)), into a: their count.
 * The file is read a buffer at a time, in whole lines where they fit. */
static int
from_hosts(const char *name, unsigned port, struct addr *a)
{
	char t[HOSTS_BUF + 1], *p, *end, *addr;
	size_t have = 0;
	long r;
	int n = 0, fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	do {
		r = port_read_full(fd, t + have, HOSTS_BUF - have);
		have += r > 0 ? (size_t)r : 0;
		end = r > 0 ? memrchr(t, '\n', have) : NULL;
		if (end == NULL)
			end = t + have;	/* the last line, or one too long */
		p = t;
		while (n < RESOLVE_MAX &&
		    (addr = dns_hosts_next(&p, end, name)) != NULL)
			n += numeric(addr, port, &a[n]);
		have = end < t + have ? (size_t)(t + have - end - 1) : 0;
		memmove(t, end + 1, have);
	} while (r > 0 && n < RESOLVE_MAX);
	close(fd);
	return n;
}

/* The A and AAAA queries for one name and what has come back. */
struct dns_ask {
	uint8_t q[2][DNS_QUERY_MAX];
	int qn[2], got[2];	/* got: addresses answered, -1 before */
	uint8_t ip[2][RESOLVE_MAX][16];
};

/* Read the servers' answers to k from their sockets pf[nfd], for ms at
 * most or until both queries are answered or no server is left. */
static void
dns_wait(struct dns_ask *k, struct pollfd *pf, int nfd, int ms)
{
	uint8_t m[DNS_MSG_MAX];
	uint64_t end = port_ms() + (uint64_t)ms, now;
	int i, t, live = 1;
	long r;

	while ((k->got[0] < 0 || k->got[1] < 0) && live &&
	    (now = port_ms()) < end) {
		if (poll(pf, (nfds_t)nfd, (int)(end - now)) <= 0)
			continue;
		for (live = 0, i = 0; i < nfd; i++) {
			r = pf[i].revents ? recv(pf[i].fd, m, sizeof m, 0) : 0;
			if (r < 0 && errno != EAGAIN && errno != EINTR) {
				close(pf[i].fd);	/* refused: no server */
				pf[i].fd = -1;
			}
			live |= pf[i].fd >= 0;
			for (t = 0; t < 2 && r > 0; t++)
				if (k->got[t] < 0)
					k->got[t] = dns_answer(m, (size_t)r,
					    k->q[t], (size_t)k->qn[t], k->ip[t],
					    RESOLVE_MAX);
		}
	}
}

/* The A and AAAA records of name from the servers ns[nns] as c says to
 * ask them, into a: their count (IPv4 first), or -1 with errno ENOENT
 * (the name has none) or EAGAIN (no server answered). */
static int
from_dns(const char *name, const struct addr *ns, int nns,
    const struct dns_conf *c, unsigned port, struct addr *a)
{
	static struct dns_ask k;
	struct pollfd pf[DNS_NS_MAX];
	struct timespec ts;
	int i, j, t, n = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (t = 0; t < 2; t++) {
		k.got[t] = -1;
		k.qn[t] = dns_query(k.q[t], name,
		    (unsigned)(ts.tv_nsec >> 4) + (unsigned)t,
		    t ? DNS_AAAA : DNS_A);
		if (k.qn[t] < 0) {
			errno = ENOENT;
			return -1;
		}
	}
	for (i = 0; i < nns; i++) {
		pf[i].events = POLLIN;
		pf[i].fd = socket(ns[i].ss.ss_family,
		    SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (pf[i].fd >= 0 && connect(pf[i].fd,
		    (const struct sockaddr *)&ns[i].ss, ns[i].len) < 0) {
			close(pf[i].fd);
			pf[i].fd = -1;
		}
	}
	for (j = 0; j < c->attempts; j++) {
		for (i = 0; i < nns; i++)
			for (t = 0; t < 2; t++)
				if (k.got[t] < 0 && pf[i].fd >= 0)
					send(pf[i].fd, k.q[t], (size_t)k.qn[t],
					    MSG_NOSIGNAL);
		dns_wait(&k, pf, nns, c->timeout * 1000 / c->attempts);
	}
	for (i = 0; i < nns; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	for (t = 0; t < 2; t++)
		for (j = 0; j < k.got[t] && n < RESOLVE_MAX; j++)
			addr_set(&a[n++], t ? AF_INET6 : AF_INET, k.ip[t][j], port);
	if (n > 0)
		return n;
	errno = k.got[0] >= 0 && k.got[1] >= 0 ? ENOENT : EAGAIN;
	return -1;
}

/*
 * The addresses of name from the name servers of /etc/resolv.conf
 * (127.0.0.1 when it names none), into a: as the C library asks, a name
 * with fewer dots than ndots is tried with each search domain in turn
 * before it is tried as it is, and a final dot means no search. Their
 * count, or -1 with errno ENOENT or EAGAIN.
 */
static int
from_resolv(const char *name, unsigned port, struct addr *a)
{
	static char t[RESOLV_CONF_MAX + 1];
	struct dns_conf c;
	struct addr ns[DNS_NS_MAX];
	char full[256], *p, *d;
	size_t l = strlen(name), dots = 0, i;
	long r = 0;
	int nns = 0, fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && (r = port_read_full(fd, t, RESOLV_CONF_MAX)) < 0)
		r = 0;
	if (fd >= 0)
		close(fd);
	dns_conf_parse(t, (size_t)r, &c);
	for (i = 0; i < (size_t)c.nns; i++)
		nns += numeric(c.ns[i], 53, &ns[nns]);
	if (nns == 0)
		nns = numeric("127.0.0.1", 53, &ns[0]);
	for (i = 0; i < l; i++)
		dots += name[i] == '.';
	p = dots >= (size_t)c.ndots || name[l - 1] == '.' ? NULL : c.search;
	if (name[l - 1] == '.')
		l--;
	if (l == 0 || name[l - 1] == '.' || l >= sizeof full) {
		errno = ENOENT;
		return -1;
	}
	memcpy(full, name, l);
	while (p != NULL && (d = dns_word(&p)) != NULL) {
		if (strlen(d) >= sizeof full - l - 1)
			continue;
		full[l] = '.';
		strcpy(full + l + 1, d);
		if ((r = from_dns(full, ns, nns, &c, port, a)) > 0 ||
		    errno != ENOENT)
			return (int)r;
	}
	full[l] = 0;
	return from_dns(full, ns, nns, &c, port, a);
}

/* In the resolver's child: an errno (0: found), then the addresses of
 * host, from /etc/hosts or else from DNS. */
static void
resolve_child(const char *host, unsigned port, int out)
{
	struct addr a[RESOLVE_MAX];
	int e = 0, n;

	if ((n = from_hosts(host, port, a)) == 0 &&
	    (n = from_resolv(host, port, a)) < 0) {
		e = errno;
		n = 0;
	}
	if (write(out, &e, sizeof e) == (ssize_t)sizeof e && n > 0 &&
	    write(out, a, (size_t)n * sizeof a[0]) < 0)
		_exit(1);
	_exit(0);
}

/*
 * The addresses of host:port into a[RESOLVE_MAX]: their count, or -1
 * (errno ENOENT for a name that does not exist, EAGAIN when the resolver
 * could not say or did not answer in time). A name is looked up in a
 * child process (resolve_child: /etc/hosts, then DNS), which bounds the
 * whole wait by timeout_ms however the files and servers behave.
 */
static int
resolve(const char *host, unsigned port, struct addr *a, int timeout_ms)
{
	int p[2], e = EIO;
	long n = 0, r;
	pid_t pid;

	if (numeric(host, port, a))
		return 1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		resolve_child(host, port, p[1]);
	}
	close(p[1]);
	r = port_read(p[0], &e, sizeof e, timeout_ms);
	if (r != (long)sizeof e)
		e = EAGAIN;	/* no answer in time */
	else if (e == 0) {
		while ((r = port_read(p[0], (char *)a + n,
		    RESOLVE_MAX * sizeof a[0] - (size_t)n, timeout_ms)) > 0)
			n += r;
		e = r < 0 ? EAGAIN : n == 0 ? ENOENT : 0;
	}
	close(p[0]);
	kill(pid, SIGKILL);	/* when it is late; else it is gone */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	errno = e;
	return e == 0 ? (int)(n / (long)sizeof a[0]) : -1;
}

/*
 * A listening socket needs a numeric address only: no resolver is linked
 * into the server for it ("localhost" is taken as 127.0.0.1).
 */
int
port_tcp_listen(const char *host, unsigned port, int backlog)
{
	struct addr a;
	int fd, one = 1, e;

	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	if (!numeric(host, port, &a)) {
		errno = EINVAL;	/* not a numeric address */
		return -1;
	}
	fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0 ||
	    listen(fd, backlog) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void
format_peer(const struct sockaddr_storage *ss, char *peer, size_t cap)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;
		inet_ntop(AF_INET, &s->sin_addr, a, sizeof a);
		port = ntohs(s->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;
		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof a);
		port = ntohs(s->sin6_port);
	}
	snprintf(peer, cap, "%s:%u", a, port);
}

int
port_tcp_accept(int lfd, char *peer, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd, one = 1;

	fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (peer != NULL && cap > 0)
		format_peer(&ss, peer, cap);
	return fd;
}

/* Bind fd (of family fam) to the numeric address from, any port. */
static int
bind_from(int fd, int fam, const char *from)
{
	struct addr a;

	if (!numeric(from, 0, &a) || a.ss.ss_family != fam) {
		errno = EINVAL;
		return -1;
	}
	return bind(fd, (struct sockaddr *)&a.ss, a.len);
}

void
port_tcp_quickack(int fd)
{
#ifdef TCP_QUICKACK
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
#else
	(void)fd;
#endif
}

int
port_tcp_connect(const char *host, unsigned port, int timeout_ms)
{
	return port_tcp_connect_from(NULL, host, port, timeout_ms);
}

int
port_tcp_connect_from(const char *from, const char *host, unsigned port,
    int timeout_ms)
{
	struct addr a[RESOLVE_MAX];
	int fd = -1, e = ECONNREFUSED, one = 1, fl, r, i, n;
	socklen_t elen;

	if ((n = resolve(host, port, a, timeout_ms)) < 0)
		return -1;
	for (i = 0; i < n && fd < 0; i++) {
		fd = socket(a[i].ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			e = errno;
			continue;
		}
		fl = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
		r = from == NULL ? 0 : bind_from(fd, a[i].ss.ss_family, from);
		if (r == 0)
			r = connect(fd, (struct sockaddr *)&a[i].ss, a[i].len);
		if (r < 0 && errno == EINPROGRESS &&
		    wait_fd(fd, POLLOUT, timeout_ms) > 0) {
			elen = sizeof e;
			r = getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen);
			if (r == 0 && e != 0) {
				errno = e;
				r = -1;
			}
		}
		if (r == 0) {
			fcntl(fd, F_SETFL, fl);
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof one);
			break;
		}
		e = errno;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		errno = e;
	return fd;
}

void
port_linger_close(int fd, int ms)
{
	char sink[4096];
	uint64_t end = port_ms() + (uint64_t)ms;
	long r;

	shutdown(fd, SHUT_WR);
	while (port_ms() < end) {
		r = port_read(fd, sink, sizeof sink, (int)(end - port_ms()));
		if (r <= 0)
			break;
	}
	close(fd);
}

int
port_wait_readable(int fd, int timeout_ms)
{
	struct pollfd p;
	int r;

	p.fd = fd;
	p.events = POLLIN;
	p.revents = 0;
	r = poll(&p, 1, timeout_ms);
	return r < 0 ? -1 : r > 0;
}

int
port_poll(struct port_pollfd *p, unsigned n, int timeout_ms)
{
	struct pollfd pf[PORT_POLL_MAX];
	unsigned i;
	int r;

	if (n > PORT_POLL_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		pf[i].fd = p[i].fd;
		pf[i].events = (short)((p[i].want & PORT_IN ? POLLIN : 0) |
		    (p[i].want & PORT_OUT ? POLLOUT : 0));
		pf[i].revents = 0;
	}
	r = poll(pf, (nfds_t)n, timeout_ms);
	for (i = 0; i < n; i++) {
		short e = pf[i].revents;
		int bad = (e & (POLLERR | POLLHUP | POLLNVAL)) != 0;
		p[i].got = (unsigned char)(p[i].want &
		    ((e & POLLIN || bad ? PORT_IN : 0) |
		    (e & POLLOUT || bad ? PORT_OUT : 0)));
	}
	return r;
}

int
port_pipe(int fd[2])
{
	return pipe2(fd, O_CLOEXEC);
}

int
port_socketpair(int fd[2])
{
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd);
}

/* ---- files ------------------------------------------------------------ */

static enum port_type
type_of(mode_t m)
{
	if (S_ISREG(m))
		return PORT_REG;
	if (S_ISDIR(m))
		return PORT_DIR;
	if (S_ISLNK(m))
		return PORT_LNK;
	return PORT_OTHER;
}

static enum port_special
special_of(mode_t m)
{
	if (S_ISFIFO(m))
		return PORT_SP_FIFO;
	if (S_ISCHR(m))
		return PORT_SP_CHR;
	if (S_ISBLK(m))
		return PORT_SP_BLK;
	if (S_ISSOCK(m))
		return PORT_SP_SOCK;
	return PORT_SP_NONE;
}

static void
fill_stat(const struct stat *s, struct port_stat *st)
{
	st->type = type_of(s->st_mode);
	st->special = special_of(s->st_mode);
	st->uid = (uint32_t)s->st_uid;
	st->gid = (uint32_t)s->st_gid;
	st->rmajor = (uint32_t)major(s->st_rdev);
	st->rminor = (uint32_t)minor(s->st_rdev);
	st->blocks = (uint64_t)s->st_blocks;
	st->size = (uint64_t)s->st_size;
	st->mode = (uint32_t)(s->st_mode & 07777);
	st->mtime = (int64_t)s->st_mtim.tv_sec;
	st->mtime_ns = (uint32_t)s->st_mtim.tv_nsec;
	st->ctime = (int64_t)s->st_ctim.tv_sec;
	st->ctime_ns = (uint32_t)s->st_ctim.tv_nsec;
	st->ino = (uint64_t)s->st_ino;
	st->dev = (uint64_t)s->st_dev;
	st->nlink = (uint64_t)s->st_nlink;
}

int
port_unlink(const char *path)
{
	return unlink(path);
}

int
port_mkdir(const char *path, unsigned mode)
{
	return mkdir(path, (mode_t)mode);
}

int
port_open_dir(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int
port_open_read(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

int
port_openat_dir(int dfd, const char *name)
{
	return openat(dfd, name,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int
port_openat_read(int dfd, const char *name)
{
	struct stat s;
	int fd;

	/* O_NONBLOCK so a FIFO planted here cannot hang us; then refuse
	 * anything but a regular file. */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &s) < 0 || !S_ISREG(s.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	fcntl(fd, F_SETFL, O_RDONLY);
	return fd;
}

int
port_openat_create(int dfd, const char *name, unsigned mode)
{
	return openat(dfd, name,
	    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
}

int
port_openat_rw(int dfd, const char *name, unsigned mode)
{
	return openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    (mode_t)mode);
}

int
port_fstat(int fd, struct port_stat *st)
{
	struct stat s;

	if (fstat(fd, &s) < 0)
		return -1;
	fill_stat(&s, st);
	return 0;
}

int
port_fstatat(int dfd, const char *name, struct port_stat *st)
{
	struct stat s;

	if (fstatat(dfd, name, &s, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	fill_stat(&s, st);
	return 0;
}

long
port_readlinkat(int dfd, const char *name, char *buf, size_t cap)
{
	ssize_t n;

	if (cap < 2) {
		errno = ENAMETOOLONG;
		return -1;
	}
	n = readlinkat(dfd, name, buf, cap - 1);
	if (n < 0)
		return -1;
	if ((size_t)n >= cap - 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	buf[n] = 0;
	return (long)n;
}

int
port_symlinkat(const char *target, int dfd, const char *name)
{
	return symlinkat(target, dfd, name);
}

int
port_mkdirat(int dfd, const char *name, unsigned mode)
{
	return mkdirat(dfd, name, (mode_t)mode);
}

int
port_linkat(int odfd, const char *oname, int ndfd, const char *nname)
{
	return linkat(odfd, oname, ndfd, nname, 0);
}

int
port_renameat(int odfd, const char *oname, int ndfd, const char *nname)
{
	return renameat(odfd, oname, ndfd, nname);
}

int
port_unlinkat(int dfd, const char *name, int isdir)
{
	return unlinkat(dfd, name, isdir ? AT_REMOVEDIR : 0);
}

int
port_fchmod(int fd, unsigned mode)
{
	return fchmod(fd, (mode_t)mode);
}

int
port_futime(int fd, int64_t mtime, uint32_t ns)
{
	struct timespec ts[2];

	ts[0].tv_sec = (time_t)mtime;
	ts[0].tv_nsec = (long)ns;
	ts[1] = ts[0];
	return futimens(fd, ts);
}

int
port_fsync(int fd)
{
	while (fsync(fd) < 0) {
		if (errno == EINVAL || errno == EROFS)
			return 0;	/* not syncable: nothing to do */
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int
port_syncfs(int fd)
{
	if (syncfs(fd) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	sync();
	return 0;
}

int
port_syncfs_ticking(int fd, unsigned every_ms, void (*tick)(void *),
    void *arg)
{
	int p[2], r, err = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return port_syncfs(fd);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return port_syncfs(fd);
	}
	if (pid == 0) {
		close(p[0]);
		err = port_syncfs(fd) == 0 ? 0 : errno;
		_exit(write(p[1], &err, sizeof err) == (ssize_t)sizeof err ?
		    0 : 1);
	}
	close(p[1]);
	while ((r = wait_fd(p[0], POLLIN, (int)every_ms)) < 0 &&
	    errno == ETIMEDOUT)
		tick(arg);
	if (r < 0 || read(p[0], &err, sizeof err) != (ssize_t)sizeof err)
		err = EIO;	/* the child died before it could say */
	close(p[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

int
port_trylock(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return 0;
	if (errno == EACCES || errno == EAGAIN)
		errno = EWOULDBLOCK;
	return -1;
}

int
port_lock(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLKW, &fl) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

int
port_lock_byte(int fd, unsigned off, int how)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = how == PORT_LOCK_EXCL ? F_WRLCK : how == PORT_LOCK_SHARED ?
	    F_RDLCK : F_UNLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)off;
	fl.l_len = 1;
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return 0;
	if (errno == EACCES || errno == EAGAIN)
		errno = EWOULDBLOCK;
	return -1;
}

/*
 * Some calls have no *at form (the xattr calls before Linux 6.13, the
 * kernel's getcwd), so they work in dfd's directory as the current one,
 * then put the current one back. cairn is single-threaded and names every
 * other file by descriptor, so the moment it spends elsewhere is seen by
 * nothing.
 */
static int cwd_fd = -1;

static int
enter(int dfd)
{
	if (cwd_fd < 0)
		cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd_fd < 0)
		return -1;
	return fchdir(dfd);
}

static void
leave(void)
{
	int e = errno;

	if (fchdir(cwd_fd) < 0)
		abort();	/* never: it was our directory a moment ago */
	errno = e;
}

int
port_realpath(const char *path, char *out, size_t cap)
{
	long n;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	/* The kernel knows the directory's one true name: ask it there
	 * (the library's realpath would bring the allocator). */
	if (enter(fd) < 0) {
		close(fd);
		return -1;
	}
	n = syscall(SYS_getcwd, out, cap);
	leave();
	close(fd);
	if (n < 0 && errno == ERANGE)
		errno = ENAMETOOLONG;
	if (n > 0 && out[0] != '/')
		errno = ENOENT;	/* "(unreachable)": not below our root */
	return n > 0 && out[0] == '/' ? 0 : -1;
}

/* ---- directory listing ---------------------------------------------------- */

/*
 * Directories are read with getdents64 into a buffer of each open level:
 * opendir would allocate one from the heap, and with it bring the C
 * library's whole allocator into a server that needs none.
 */
struct port_dir {
	int fd;			/* 0: the slot is free (else fd + 1) */
	size_t pos, len;
	union {
		uint64_t align;	/* records are 8-aligned */
		char b[2048];
	} buf;
};

static struct port_dir dirs[256];	/* one per open level; bounded */

struct port_dir *
port_dir_open(int dfd)
{
	size_t i;
	int fd;

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (dirs[i].fd == 0)
			break;
	if (i == sizeof dirs / sizeof dirs[0]) {
		errno = EMFILE;
		return NULL;
	}
	/* Its own descriptor, from the start (it shares dfd's offset). */
	fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return NULL;
	}
	dirs[i].fd = fd + 1;
	dirs[i].pos = dirs[i].len = 0;
	return &dirs[i];
}

/* Offsets in a struct linux_dirent64: ino, off, reclen, type, name. */
enum { DENT_RECLEN = 16, DENT_TYPE = 18, DENT_NAME = 19 };

int
port_dir_next(struct port_dir *d, const char **name, enum port_type *type)
{
	const char *r;
	long n;
	uint16_t len;

	for (;;) {
		if (d->pos >= d->len) {
			n = syscall(SYS_getdents64, d->fd - 1, d->buf.b,
			    sizeof d->buf.b);
			if (n <= 0)
				return n == 0 ? 0 : -1;
			d->len = (size_t)n;
			d->pos = 0;
		}
		r = d->buf.b + d->pos;
		memcpy(&len, r + DENT_RECLEN, sizeof len);	/* native order */
		if (len <= DENT_NAME || len > d->len - d->pos) {
			errno = EIO;	/* never from a sane kernel */
			return -1;
		}
		d->pos += len;
		*name = r + DENT_NAME;
		if (!(r[DENT_NAME] == '.' && (r[DENT_NAME + 1] == 0 ||
		    (r[DENT_NAME + 1] == '.' && r[DENT_NAME + 2] == 0))))
			break;
	}
	switch ((unsigned char)r[DENT_TYPE]) {
	case DT_REG: *type = PORT_REG; break;
	case DT_DIR: *type = PORT_DIR; break;
	case DT_LNK: *type = PORT_LNK; break;
	case DT_UNKNOWN: *type = PORT_UNKNOWN; break;
	default: *type = PORT_OTHER; break;
	}
	return 1;
}

void
port_dir_close(struct port_dir *d)
{
	if (d != NULL && d->fd != 0) {
		close(d->fd - 1);
		d->fd = 0;
	}
}

/* ---- durable replace ------------------------------------------------------- */

#define TMP_PREFIX ".cairn-tmp-"

int
port_tmp_clean_as(int dfd, const char *prefix)
{
	struct port_dir *d;
	const char *name;
	enum port_type type;
	char victim[sizeof ((struct port_tmp *)0)->tmp];
	size_t plen = strlen(prefix);
	int n = 0, again = 1;

	/* One name per pass, the directory read afresh after each. */
	while (again) {
		again = 0;
		if ((d = port_dir_open(dfd)) == NULL)
			return -1;
		while (port_dir_next(d, &name, &type) > 0)
			if (type != PORT_DIR && strncmp(name, prefix, plen) == 0 &&
			    strlen(name) < sizeof victim) {
				memcpy(victim, name, strlen(name) + 1);
				again = 1;
				break;
			}
		port_dir_close(d);
		if (again && port_unlinkat(dfd, victim, 0) < 0)
			return -1;
		n += again;
	}
	return n;
}

int
port_tmp_left_as(int dfd, const char *prefix)
{
	struct port_dir *d;
	const char *name;
	enum port_type type;
	size_t plen = strlen(prefix);
	int found = 0;

	if ((d = port_dir_open(dfd)) == NULL)
		return -1;
	while (!found && port_dir_next(d, &name, &type) > 0)
		found = type != PORT_DIR && strncmp(name, prefix, plen) == 0 &&
		    strlen(name) == plen + 16;
	port_dir_close(d);
	return found;
}

int
port_tmp_clean(int dfd)
{
	return port_tmp_clean_as(dfd, TMP_PREFIX);
}

int
port_tmp_open_as(struct port_tmp *t, int dfd, const char *prefix,
    unsigned mode)
{
	uint8_t r[8];
	int tries;

	t->dfd = dfd;
	t->fd = -1;
	if (strlen(prefix) > PORT_TMP_PREFIX_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (tries = 0; tries < 16; tries++) {
		if (port_random(r, sizeof r) < 0)
			return -1;
		snprintf(t->tmp, sizeof t->tmp,
		    "%s%02x%02x%02x%02x%02x%02x%02x%02x", prefix,
		    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
		t->fd = port_openat_create(dfd, t->tmp, mode);
		if (t->fd >= 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int
port_tmp_open(struct port_tmp *t, int dfd, unsigned mode)
{
	return port_tmp_open_as(t, dfd, TMP_PREFIX, mode);
}

int
port_tmp_commit(struct port_tmp *t, const char *name)
{
	int e;

	if (port_fsync(t->fd) < 0)
		goto fail;
	if (close(t->fd) < 0 && errno != EINTR) {
		t->fd = -1;
		goto fail;
	}
	t->fd = -1;
	if (renameat(t->dfd, t->tmp, t->dfd, name) < 0)
		goto fail;
	return port_fsync(t->dfd);
fail:
	e = errno;
	port_tmp_abort(t);
	errno = e;
	return -1;
}

int
port_tmp_rename(struct port_tmp *t, const char *name)
{
	int e;

	if (close(t->fd) < 0 && errno != EINTR) {
		t->fd = -1;
		goto fail;
	}
	t->fd = -1;
	if (renameat(t->dfd, t->tmp, t->dfd, name) == 0)
		return 0;
fail:
	e = errno;
	port_tmp_abort(t);
	errno = e;
	return -1;
}

void
port_tmp_abort(struct port_tmp *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	unlinkat(t->dfd, t->tmp, 0);
}

/* ---- clock, entropy, processes, signals ----------------------------------- */

int64_t
port_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int32_t
port_utc_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm l;

	return localtime_r(&tt, &l) == NULL ? 0 : (int32_t)l.tm_gmtoff;
}

uint64_t
port_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
port_random(void *p, size_t n)
{
	static int ready;
	char *s = p;
	ssize_t r;
	int fd;

	/* Early at boot the kernel's pool may not be ready: say why we
	 * wait, then wait (never use weak randomness). */
	if (!ready) {
		r = getrandom(s, n, GRND_NONBLOCK);
		if (r < 0 && errno == EAGAIN) {
			static const char m[] = "waiting for the kernel's random "
			    "number generator to be seeded...\n";
			port_write_all(2, m, sizeof m - 1);
		} else if (r >= 0) {
			ready = 1;
			s += r;
			n -= (size_t)r;
		}
	}
	while (n > 0) {
		r = getrandom(s, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ENOSYS)
				return -1;
			break;
		}
		s += r;
		n -= (size_t)r;
	}
	if (n == 0)
		return 0;
	/* Kernels before 3.17: the device. */
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = port_read_full(fd, s, n);
	close(fd);
	if (r < 0 || (size_t)r != n) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int
port_signal(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

void
port_ignore_sigpipe(void)
{
	signal(SIGPIPE, SIG_IGN);
}

long
port_fork(void)
{
	return (long)fork();
}

long
port_getpid(void)
{
	return (long)getpid();
}

long
port_reap(int *status)
{
	int st = 0;
	pid_t p = waitpid(-1, &st, WNOHANG);

	if (status != NULL)
		*status = st;
	return (long)p;
}

long
port_reap_rc(int *rc)
{
	int st = 0;
	pid_t p = waitpid(-1, &st, WNOHANG);

	if (p > 0)
		*rc = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ?
		    128 + WTERMSIG(st) : -1;
	return (long)p;
}

int
port_waitpid(long pid)
{
	int st;

	if (waitpid((pid_t)pid, &st, 0) < 0)
		return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

/* 1 if environment entry e names the same variable as "NAME=..." a. */
static int
env_same(const char *e, const char *a)
{
	size_t n = strcspn(a, "=");

	return strncmp(e, a, n) == 0 && e[n] == '=';
}

/* In the child of port_run: the environment, descriptors, signals; then
 * the program. Never returns. */
static void
run_child(const char *const argv[], const char *const env_add[])
{
	extern char **environ;
	static char *envp[PORT_ENV_MAX + 1];
	size_t n = 0, i, k;
	sigset_t none;
	int fd;

	for (i = 0; environ[i] != NULL && n < PORT_ENV_MAX; i++) {
		for (k = 0; env_add[k] != NULL; k++)
			if (env_same(environ[i], env_add[k]))
				break;
		if (env_add[k] == NULL)
			envp[n++] = environ[i];
	}
	for (k = 0; env_add[k] != NULL && n < PORT_ENV_MAX; k++)
		envp[n++] = (char *)env_add[k];
	envp[n] = NULL;
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(argv[0], (char *const *)argv, envp);
	_exit(127);
}

int
port_run(const char *const argv[], const char *const env_add[],
    int *status)
{
	pid_t pid;
	int st;

	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0)
		run_child(argv, env_add);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) :
	    WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
	return 0;
}

int
port_kill(long pid, int sig)
{
	return kill((pid_t)pid, sig);
}

int
port_daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

/*
 * Syslog by hand: one datagram to /dev/log per line, "<pri>ident[pid]:
 * text", which every syslogd (BusyBox, rsyslog, systemd's) stamps with
 * the time itself. libc's syslog() would pull time-zone code into the
 * static binaries for a timestamp the daemon replaces anyway.
 */
static int log_fd = -1;
static char log_ident[32];

void
port_syslog_open(const char *ident)
{
	snprintf(log_ident, sizeof log_ident, "%s", ident);
	log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

void
port_syslog(int err, const char *line)
{
	struct sockaddr_un sa;
	char buf[1200];
	int n;

	if (log_fd < 0)
		return;
	/* facility daemon (3), severity err (3) or info (6) */
	n = snprintf(buf, sizeof buf, "<%d>%s[%ld]: %s", 3 * 8 + (err ? 3 : 6),
	    log_ident, (long)getpid(), line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, "/dev/log", sizeof "/dev/log");
	sendto(log_fd, buf, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&sa,
	    sizeof sa);
}

void
port_sleep_ms(unsigned ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- owners, special files, extended attributes, holes --------------- */

int
port_lchownat(int dfd, const char *name, uint32_t uid, uint32_t gid)
{
	return fchownat(dfd, name, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW);
}

int
port_fchown(int fd, uint32_t uid, uint32_t gid)
{
	return fchown(fd, (uid_t)uid, (gid_t)gid);
}

int
port_fchmodat(int dfd, const char *name, unsigned mode)
{
	return fchmodat(dfd, name, (mode_t)mode, 0);
}

int
port_lutimeat(int dfd, const char *name, int64_t mtime, uint32_t ns)
{
	struct timespec ts[2];

	ts[0].tv_sec = (time_t)mtime;
	ts[0].tv_nsec = (long)ns;
	ts[1] = ts[0];
	return utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
}

int
port_mknodat(int dfd, const char *name, enum port_special kind,
    unsigned mode, uint32_t maj, uint32_t min)
{
	mode_t m = (mode_t)(mode & 07777);

	switch (kind) {
	case PORT_SP_FIFO:
		return mkfifoat(dfd, name, m);
	case PORT_SP_CHR:
		return mknodat(dfd, name, m | S_IFCHR, makedev(maj, min));
	case PORT_SP_BLK:
		return mknodat(dfd, name, m | S_IFBLK, makedev(maj, min));
	default:
		errno = EINVAL;
		return -1;
	}
}

uint32_t
port_euid(void)
{
	return (uint32_t)geteuid();
}

/*
 * The xattr calls have no *at form before Linux 6.13. Where /proc is
 * mounted, /proc/self/fd/DFD/NAME names the file in dfd's directory in
 * one call (the last component is not followed by the l* calls), so a
 * backup does not change directory twice a file; without /proc (an
 * initramfs, a chroot), enter() and leave() go there and back. Which one
 * is known from the first call: CAIRN_NO_PROC=1 pretends there is no
 * /proc (the tests' way to take the other path).
 */
static int proc_ok = -1;	/* 1 /proc/self/fd works, 0 not, -1 unknown */

static const char *
proc_path(char *out, size_t cap, int dfd, const char *name)
{
	int n;

	if (proc_ok < 0) {
		const char *no = getenv("CAIRN_NO_PROC");

		proc_ok = (no == NULL || strcmp(no, "1") != 0) &&
		    access("/proc/self/fd", X_OK) == 0;
	}
	if (!proc_ok)
		return NULL;
	n = snprintf(out, cap, "/proc/self/fd/%d/%s", dfd, name);
	return n > 0 && (size_t)n < cap ? out : NULL;
}

#define PROC_PATH_MAX (sizeof "/proc/self/fd/" + 12 + NAME_MAX + 1)

long
port_xattr_list(int dfd, const char *name, char *buf, size_t cap)
{
	char pp[PROC_PATH_MAX];
	const char *p = proc_path(pp, sizeof pp, dfd, name);
	ssize_t n;

	if (p != NULL)
		return (long)llistxattr(p, buf, cap);
	if (enter(dfd) < 0)
		return -1;
	n = llistxattr(name, buf, cap);
	leave();
	return (long)n;
}

long
port_xattr_get(int dfd, const char *name, const char *attr, void *buf,
    size_t cap)
{
	char pp[PROC_PATH_MAX];
	const char *p = proc_path(pp, sizeof pp, dfd, name);
	ssize_t n;

	if (p != NULL)
		return (long)lgetxattr(p, attr, buf, cap);
	if (enter(dfd) < 0)
		return -1;
	n = lgetxattr(name, attr, buf, cap);
	leave();
	return (long)n;
}

int
port_xattr_set(int dfd, const char *name, const char *attr, const void *val,
    size_t n)
{
	char pp[PROC_PATH_MAX];
	const char *p = proc_path(pp, sizeof pp, dfd, name);
	int r;

	if (p != NULL)
		return lsetxattr(p, attr, val, n, 0);
	if (enter(dfd) < 0)
		return -1;
	r = lsetxattr(name, attr, val, n, 0);
	leave();
	return r;
}

int64_t
port_seek(int fd, uint64_t off, int whence)
{
	off_t r = lseek(fd, (off_t)off,
	    whence == PORT_SEEK_DATA ? SEEK_DATA : SEEK_HOLE);

	return r < 0 ? -1 : (int64_t)r;
}

/* If line (n bytes) is "name:x:id:..." with id's number, name into
 * out[cap]: its length, else -1. */
static long
id_line(const char *line, size_t n, uint32_t id, char *out, size_t cap)
{
	const char *c1 = memchr(line, ':', n), *c2, *p;
	uint64_t v = 0;

	if (c1 == NULL || c1 == line || (size_t)(c1 - line) >= cap ||
	    (c2 = memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - line))) == NULL)
		return -1;
	for (p = c2 + 1; p < line + n && *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (uint64_t)(*p - '0')) > 0xffffffffu)
			return -1;
	if (p == c2 + 1 || p == line + n || *p != ':' || v != id)
		return -1;
	memcpy(out, line, (size_t)(c1 - line));
	out[c1 - line] = 0;
	return (long)(c1 - line);
}

/* Field 0 of the line of path whose field 2 is id, into out[cap]; read
 * with a fixed buffer (stdio would bring the allocator), lines longer
 * than it skipped. */
static long
id_name(const char *path, uint32_t id, char *out, size_t cap)
{
	char buf[4096], *nl;
	size_t have = 0, at;
	long n, r = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC), skip = 0;

	if (fd < 0)
		return -1;
	while (r < 0 && (n = read(fd, buf + have, sizeof buf - have)) > 0) {
		have += (size_t)n;
		at = 0;
		while (r < 0 && (nl = memchr(buf + at, '\n', have - at))) {
			if (!skip)
				r = id_line(buf + at, (size_t)(nl - buf - at), id,
				    out, cap);
			skip = 0;
			at = (size_t)(nl - buf) + 1;
		}
		memmove(buf, buf + at, have - at);
		have -= at;
		if (have == sizeof buf) {	/* a line too long: drop it */
			have = 0;
			skip = 1;
		}
	}
	if (r < 0 && have > 0 && !skip)
		r = id_line(buf, have, id, out, cap);	/* no last newline */
	close(fd);
	if (r < 0)
		errno = ENOENT;
	return r;
}

long
port_user_name(uint32_t uid, char *out, size_t cap)
{
	return id_name("/etc/passwd", uid, out, cap);
}

long
port_group_name(uint32_t gid, char *out, size_t cap)
{
	return id_name("/etc/group", gid, out, cap);
}
