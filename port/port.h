/*
 * port.h — the platform layer. Everything cairn asks of the operating
 * system goes through here; src/ never calls the OS directly. One
 * implementation per platform (posix.c), chosen by the Makefile.
 *
 * Convention: functions return 0 (or a count, or a descriptor) on success
 * and -1 on failure with errno set; the caller, who knows which file or
 * peer it was, prints the message.
 */
#ifndef CAIRN_PORT_H
#define CAIRN_PORT_H

#include <stddef.h>
#include <stdint.h>

/* ---- descriptors and I/O -------------------------------------------- */

/* One read of at most n bytes, retrying EINTR; waits at most timeout_ms
 * (-1: forever). Returns bytes read, 0 at end of file, -1 on error
 * (errno ETIMEDOUT when the wait ran out). */
long port_read(int fd, void *p, size_t n, int timeout_ms);
/* One write of at most n bytes, same rules as port_read. */
long port_write(int fd, const void *p, size_t n, int timeout_ms);
/* Write all n bytes (short writes and EINTR retried), no timeout. */
int port_write_all(int fd, const void *p, size_t n);
/* Write all n bytes at offset off (the file offset does not move). */
int port_pwrite_all(int fd, const void *p, size_t n, uint64_t off);
/* Read up to n bytes at offset off: the count read (0 at the end), -1. */
long port_pread(int fd, void *p, size_t n, uint64_t off);
/* Set the file's size (growing it makes a hole). */
int port_ftruncate(int fd, uint64_t size);
/* Move the file offset back to the start. */
int port_rewind(int fd);
/* Read until n bytes or end of file; returns bytes read or -1. */
long port_read_full(int fd, void *p, size_t n);
int port_close(int fd);
/* Make descriptor to a copy of from (for a child's standard output). */
int port_dup2(int from, int to);
int port_isatty(int fd);
/* Print prompt on stderr and read one line from the terminal on standard
 * input without echo, into buf[cap] (NUL-terminated, newline dropped).
 * Its length, or -1 (ENOTTY when standard input is not a terminal). */
long port_read_secret(const char *prompt, char *buf, size_t cap);

/* ---- sockets ---------------------------------------------------------- */

/* A listening TCP socket on host:port; host is a numeric IPv4 or IPv6
 * address, or "localhost" (EINVAL otherwise). */
int port_tcp_listen(const char *host, unsigned port, int backlog);
/* Accept one connection; peer gets "address:port". */
int port_tcp_accept(int lfd, char *peer, size_t cap);
/* Connect to host:port within timeout_ms. A name that does not resolve
 * fails with errno ENOENT (no such name) or EAGAIN (the resolver did not
 * answer), which connecting itself never gives. */
int port_tcp_connect(const char *host, unsigned port, int timeout_ms);
/* The same from the numeric local address from (NULL: any). */
int port_tcp_connect_from(const char *from, const char *host, unsigned port,
    int timeout_ms);
/* Close a connection gracefully: stop sending, then read and discard
 * what the peer still sends for up to ms, so that our last words (a TLS
 * alert) reach it instead of being lost to a reset. */
void port_linger_close(int fd, int ms);
/* Wait until fd is readable: 1 ready, 0 timed out, -1 error/EINTR. */
int port_wait_readable(int fd, int timeout_ms);

/* ---- waiting on several descriptors ------------------------------------ */

#define PORT_IN 1		/* readable: a read will not block */
#define PORT_OUT 2		/* writable: a write will not block */
#define PORT_POLL_MAX 1296	/* descriptors port_poll() takes at once */

struct port_pollfd {
	int fd;			/* negative: ignored (got stays 0) */
	unsigned char want;	/* PORT_IN and/or PORT_OUT */
	unsigned char got;	/* what is ready, of want; an error or a
				 * hang-up counts as ready (the read or
				 * write will say which) */
};

/* Wait until one of p[0..n) is ready or timeout_ms (-1: forever) ran out:
 * the count ready, 0 when the time ran out, -1 on error (EINTR when a
 * signal came: the caller acts on it and calls again; EINVAL when n is
 * over PORT_POLL_MAX). */
int port_poll(struct port_pollfd *p, unsigned n, int timeout_ms);
/* A pipe: fd[0] the read end, fd[1] the write end (close-on-exec). */
int port_pipe(int fd[2]);
/* A connected pair of local stream sockets, both ends read and written
 * (close-on-exec). */
int port_socketpair(int fd[2]);

/* ---- files beneath directory descriptors ------------------------------- */

enum port_type { PORT_UNKNOWN, PORT_REG, PORT_DIR, PORT_LNK, PORT_OTHER };

/* What a PORT_OTHER is. */
enum port_special { PORT_SP_NONE, PORT_SP_FIFO, PORT_SP_CHR, PORT_SP_BLK,
	PORT_SP_SOCK };

struct port_stat {
	enum port_type type;
	enum port_special special;	/* for PORT_OTHER */
	uint64_t size;
	uint32_t mode;		/* permission bits, 07777 */
	int64_t mtime;
	uint32_t mtime_ns;
	int64_t ctime;
	uint32_t ctime_ns;
	uint64_t ino;
	uint64_t dev;
	uint64_t nlink;
	uint32_t uid, gid;
	uint32_t rmajor, rminor;	/* a device node's numbers */
	uint64_t blocks;		/* 512-byte blocks allocated */
};

/* Remove the file path (named by the user). */
int port_unlink(const char *path);
/* Create the directory path (named by the user); EEXIST if it exists. */
int port_mkdir(const char *path, unsigned mode);
/* A directory named by the user (symlinks in the path are followed). */
int port_open_dir(const char *path);
/* A file named by the user, for reading. */
int port_open_read(const char *path);
/* dfd/name, never following a symlink at name; FIFOs and devices refused
 * (ELOOP for a link, EINVAL for anything else not wanted). */
int port_openat_dir(int dfd, const char *name);
int port_openat_read(int dfd, const char *name);
/* Create dfd/name exclusively (O_EXCL, no follow), for reading and
 * writing. */
int port_openat_create(int dfd, const char *name, unsigned mode);
/* Open or create dfd/name for reading and writing (no follow); for lock
 * files and state that is updated in place. */
int port_openat_rw(int dfd, const char *name, unsigned mode);
int port_fstat(int fd, struct port_stat *st);
int port_fstatat(int dfd, const char *name, struct port_stat *st);
/* Target of the symlink dfd/name, NUL-terminated; its length or -1
 * (ENAMETOOLONG if it does not fit in cap-1). */
long port_readlinkat(int dfd, const char *name, char *buf, size_t cap);
int port_symlinkat(const char *target, int dfd, const char *name);
int port_mkdirat(int dfd, const char *name, unsigned mode);
int port_linkat(int odfd, const char *oname, int ndfd, const char *nname);
int port_renameat(int odfd, const char *oname, int ndfd, const char *nname);
/* Remove dfd/name: a directory (must be empty) when isdir, else a file
 * or link. */
int port_unlinkat(int dfd, const char *name, int isdir);
/* Set permission bits and modification time of an open file. */
int port_fchmod(int fd, unsigned mode);
int port_futime(int fd, int64_t mtime, uint32_t ns);
int port_fsync(int fd);
/* Make durable everything written to the filesystem holding fd. */
int port_syncfs(int fd);
/* The same, calling tick(arg) every every_ms while the kernel works (the
 * sync runs in a child process, so that the caller can keep a peer told
 * that it is alive). */
int port_syncfs_ticking(int fd, unsigned every_ms, void (*tick)(void *),
    void *arg);
/* Non-blocking exclusive lock on an open file: 0, or -1 (EWOULDBLOCK
 * when another process holds it). Released by closing the file. */
int port_trylock(int fd);
/* The same lock, waiting for it. */
int port_lock(int fd);
/* Non-blocking lock of the one byte at off of an open file: shared,
 * exclusive, or released. Locks of different bytes never conflict. 0, or
 * -1 (EWOULDBLOCK when another process holds a conflicting one). */
enum { PORT_UNLOCK, PORT_LOCK_SHARED, PORT_LOCK_EXCL };
int port_lock_byte(int fd, unsigned off, int how);
/* Owner and group of dfd/name, never following a symlink at name. */
int port_lchownat(int dfd, const char *name, uint32_t uid, uint32_t gid);
int port_fchown(int fd, uint32_t uid, uint32_t gid);
/* Permission bits of dfd/name (following a symlink: give a directory or
 * file). */
int port_fchmodat(int dfd, const char *name, unsigned mode);
/* Modification time of dfd/name itself, a symlink too. */
int port_lutimeat(int dfd, const char *name, int64_t mtime, uint32_t ns);
/* Make a FIFO (PORT_SP_FIFO) or device node (PORT_SP_CHR, PORT_SP_BLK)
 * dfd/name with mode and, for devices, its numbers. */
int port_mknodat(int dfd, const char *name, enum port_special kind,
    unsigned mode, uint32_t major, uint32_t minor);
/* The effective user id: 0 for root. */
uint32_t port_euid(void);
/*
 * Extended attributes of dfd/name itself (a symlink's own, never its
 * target's). list: the names, each NUL-terminated, into buf[cap]: the
 * bytes used, or -1 (ERANGE when they do not fit, ENOTSUP where the
 * filesystem has none). get: the value into buf[cap]: its length or -1
 * (ERANGE, ENODATA). set: 0 or -1.
 */
long port_xattr_list(int dfd, const char *name, char *buf, size_t cap);
long port_xattr_get(int dfd, const char *name, const char *attr, void *buf,
    size_t cap);
int port_xattr_set(int dfd, const char *name, const char *attr,
    const void *val, size_t n);
/*
 * The next data or hole at or after off in an open file (SEEK_DATA,
 * SEEK_HOLE): the offset, or -1 (ENXIO: no data at or after off; EINVAL
 * where the filesystem cannot say: treat the file as all data).
 */
enum { PORT_SEEK_DATA, PORT_SEEK_HOLE };
int64_t port_seek(int fd, uint64_t off, int whence);
/* The name of user uid or group gid from /etc/passwd or /etc/group into
 * out[cap]: its length, or -1 (ENOENT when there is none). */
long port_user_name(uint32_t uid, char *out, size_t cap);
long port_group_name(uint32_t gid, char *out, size_t cap);

/* Absolute, symlink-free name of the directory path into out[cap]
 * (ENOTDIR when it is not one). */
int port_realpath(const char *path, char *out, size_t cap);

/* ---- directory listing -------------------------------------------------- */

struct port_dir;
/* Iterate the entries of an open directory (dfd stays the caller's). */
struct port_dir *port_dir_open(int dfd);
/* Next entry other than . and ..: 1 with *name (valid until the next
 * call) and *type (PORT_UNKNOWN when the filesystem does not say),
 * 0 at the end, -1 on error. */
int port_dir_next(struct port_dir *d, const char **name, enum port_type *type);
void port_dir_close(struct port_dir *d);

/* ---- durable replace ----------------------------------------------------- */

struct port_tmp {
	int dfd;
	int fd;
	char tmp[40];
};

/* Begin replacing dfd/<name>: a fresh temporary file in the same
 * directory, open for writing (t->fd). */
int port_tmp_open(struct port_tmp *t, int dfd, unsigned mode);
/* fsync the data, rename it over dfd/name, fsync the directory. The
 * temporary is removed on failure. */
int port_tmp_commit(struct port_tmp *t, const char *name);
/* Close it and rename it over dfd/name, without syncing: for many files
 * made durable together later (port_syncfs). */
int port_tmp_rename(struct port_tmp *t, const char *name);
/* Close and remove the temporary. */
void port_tmp_abort(struct port_tmp *t);
/* Remove every temporary that port_tmp_open made in dfd and a process
 * that died left behind; the caller holds whatever lock keeps the living
 * from making one there meanwhile. The number removed, or -1. */
int port_tmp_clean(int dfd);
/* The same two with temporaries named prefix + 16 hex digits (prefix at
 * most PORT_TMP_PREFIX_MAX bytes), so that a kind of file has its own. */
#define PORT_TMP_PREFIX_MAX 22
int port_tmp_open_as(struct port_tmp *t, int dfd, const char *prefix,
    unsigned mode);
int port_tmp_clean_as(int dfd, const char *prefix);
/* 1 if dfd holds a temporary named prefix + 16 hex digits (one a dead
 * process left, when the caller holds the lock), 0 if not, -1. */
int port_tmp_left_as(int dfd, const char *prefix);

/* ---- clock, entropy, processes, signals -------------------------------- */

int64_t port_time(void);		/* wall clock, seconds since 1970 */
/* Seconds east of UTC of the local time zone at time t (TZ, the system's
 * zone), 0 when it cannot be told. */
int32_t port_utc_offset(int64_t t);
uint64_t port_ms(void);			/* monotonic milliseconds */
/* Fill p with n bytes from the kernel's generator (getrandom, blocking
 * until seeded, or /dev/urandom). */
int port_random(void *p, size_t n);
/* Install fn for sig (no SA_RESTART, so blocking calls see EINTR). */
int port_signal(int sig, void (*fn)(int));
void port_ignore_sigpipe(void);
long port_fork(void);
long port_getpid(void);
/* Reap one finished child without waiting: its pid, 0 if none, -1. */
long port_reap(int *status);
/* The same with *rc the child's exit status as port_waitpid gives it. */
long port_reap_rc(int *rc);
/* Wait for child pid to end (EINTR returns -1 so the caller can act on a
 * signal); its exit status (128 + signal when killed) or -1. */
int port_waitpid(long pid);
int port_kill(long pid, int sig);
#define PORT_ENV_MAX 256	/* environment entries a command is given */
/*
 * Run the program argv[0] (a path) with argv, in our environment with
 * env_add's "NAME=value" entries (NULL-terminated) put over it, and wait
 * for it: *status gets its exit status (128 + signal when killed, 127
 * when it could not be executed). It inherits descriptors 0-2 only,
 * default signal dispositions and no blocked signals. 0, or -1 (errno)
 * when it could not be started.
 */
int port_run(const char *const argv[], const char *const env_add[],
    int *status);
/* Detach from the terminal: fork (the parent exits 0), new session,
 * standard descriptors on /dev/null. 0 in the child, or -1. */
int port_daemonize(void);
/* Send lines to syslog (daemon facility) from now on. */
void port_syslog_open(const char *ident);
/* One line to syslog: err nonzero for errors, else information. */
void port_syslog(int err, const char *line);
void port_sleep_ms(unsigned ms);

#endif
