/*
 * periodic.c — cairn --interval: a backup now, then one every interval,
 * until SIGTERM or SIGINT. Each run is a child process, so that a run that
 * fails (and exits) or grows never touches the next; the parent only
 * waits, logs and keeps time. A run that cannot reach the server is
 * retried sooner, backing off from 30 s up to the interval. SIGHUP reads
 * the options again (client_reload): the next run uses them, and a new
 * interval counts from the start of the last run.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "port.h"
#include "util.h"

#define BACKOFF_FIRST_MS 30000
#define STOP_CHECK_MS 1000	/* a waiting parent sees a stop this soon */
#define HOUR_MS 3600000

static volatile sig_atomic_t stopping, reloading;
static volatile long child;

static void
on_hup(int sig)
{
	(void)sig;
	reloading = 1;
}

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
	/* The run in flight is abandoned: its state is not saved and the
	 * server keeps what it received for the next run. */
	if (child > 0)
		port_kill(child, SIGTERM);
}

/* Run one backup in a child (with its hooks, hooks.c); its exit
 * status. */
static int
one_run(const struct copts *o)
{
	long pid;
	int rc;

	if (o->pre_hook != NULL || o->post_hook != NULL)
		return hooks_backup(o, &child, &stopping);
	pid = port_fork();
	if (pid < 0) {
		msg("cannot start a backup run: %s", strerror(errno));
		return EXIT_USAGE;
	}
	if (pid == 0) {
		port_signal(SIGTERM, SIG_DFL);
		port_signal(SIGINT, SIG_DFL);
		exit(backup_run(o));
	}
	child = pid;
	if (stopping)
		port_kill(pid, SIGTERM);	/* the signal came first */
	while ((rc = port_waitpid(pid)) < 0 && errno == EINTR)
		;
	child = 0;
	return rc;
}

/* Sleep until the monotonic clock reads `until`, or until told to stop. */
static void
wait_until(uint64_t until)
{
	uint64_t now;

	while (!stopping && !reloading && (now = port_ms()) < until)
		port_sleep_ms(until - now > STOP_CHECK_MS ? STOP_CHECK_MS :
		    (unsigned)(until - now));
}

/* When the next run starts, after one that began at start and ended
 * with rc: an interval later, or sooner (backing off) after a network
 * failure. */
static uint64_t
next_run(const struct copts *o, int rc, uint64_t start, uint64_t *backoff)
{
	if (rc == 0 || rc == EXIT_PARTIAL) {
		*backoff = 0;
		return start + o->interval_ms;
	}
	if (rc == EXIT_NET) {
		*backoff = *backoff == 0 ? BACKOFF_FIRST_MS : *backoff * 2;
		if (*backoff > o->interval_ms)
			*backoff = o->interval_ms;
		msg("the run failed (network); trying again in %llu s",
		    (unsigned long long)(*backoff / 1000));
		return port_ms() + *backoff;
	}
	msg("the run failed (exit %d); trying again at the next interval", rc);
	return start + o->interval_ms;
}

/* What the runs do, after the words before. */
static void
announce(const struct copts *o, const char *before)
{
	info("%sbacking up %s every %llu.%03llu hours", before, o->source,
	    (unsigned long long)(o->interval_ms / HOUR_MS),
	    (unsigned long long)(o->interval_ms % HOUR_MS / (HOUR_MS / 1000)));
}

int
periodic_run(const struct copts *o)
{
	uint64_t start, next, backoff = 0;
	int rc;

	log_stamp = !log_syslog;	/* a daemon's log: each line dated */
	if (o->daemon && port_daemonize() < 0)
		die(EXIT_USAGE, "cannot detach from the terminal: %s",
		    strerror(errno));
	if (o->pidfile != NULL && write_pidfile(o->pidfile, port_getpid()) < 0)
		die(EXIT_USAGE, "cannot write the pid file %s: %s", o->pidfile,
		    strerror(errno));
	port_signal(SIGTERM, on_stop);
	port_signal(SIGINT, on_stop);
	port_signal(SIGHUP, on_hup);
	announce(o, "");

	while (!stopping) {
		start = port_ms();
		rc = one_run(o);
		next = next_run(o, rc, start, &backoff);
		for (;;) {
			wait_until(next);
			if (stopping || !reloading)
				break;
			reloading = 0;
			if (client_reload() < 0)
				continue;
			announce(o, "configuration read again: ");
			if (backoff == 0)
				next = start + o->interval_ms;
		}
	}
	if (o->pidfile != NULL)
		port_unlink(o->pidfile);
	info("stopped");
	return 0;
}
