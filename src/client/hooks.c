/*
 * hooks.c — --pre-hook and --post-hook around a backup.
 *
 * The pre-hook runs first; if it fails, nothing is backed up. The backup
 * then runs in a child process, so that however it ends (a normal
 * return, an exit on a fatal error, a signal) this process still runs
 * the post-hook with its status. The child hands its figures (snapshot,
 * files, errors) over a pipe as it exits. The post-hook runs after every
 * run, a failed pre-hook included: it is how failures get noticed.
 * Hooks have no time limit, as cron jobs have none: one that must not
 * hang says so itself (e.g. with timeout(1)).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "port.h"
#include "util.h"

#define HOOK_ENV_MAX (PATH_CAP + 32)	/* one "CAIRN_...=value" entry */

static int fig_fd = -1;			/* the child's end of the pipe */
static volatile long single_child;	/* without --interval: to stop */

/* In the backup's child, at exit: its figures up the pipe. */
static void
fig_send(void)
{
	struct backup_figures f;

	memset(&f, 0, sizeof f);
	backup_figures(&f);
	if (fig_fd >= 0)
		port_write_all(fig_fd, &f, sizeof f);
}

/* Run cmd with /bin/sh and the additions env (NULL-terminated): its exit
 * status, or -1 with errno if it could not start. */
static int
hook_sh(const char *cmd, const char *const *env)
{
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	int status;

	if (port_run(argv, env, &status) < 0)
		return -1;
	return status;
}

/* The run itself in a child process: its exit status, figures in *f. */
static int
run_child(const struct copts *o, struct backup_figures *f,
    volatile long *child, volatile sig_atomic_t *stopping)
{
	int p[2], rc;
	long pid;

	if (port_pipe(p) < 0 || (pid = port_fork()) < 0) {
		msg("cannot start a backup run: %s", strerror(errno));
		return EXIT_USAGE;
	}
	if (pid == 0) {
		port_signal(SIGTERM, SIG_DFL);
		port_signal(SIGINT, SIG_DFL);
		port_close(p[0]);
		fig_fd = p[1];
		at_exit(fig_send);
		exit(backup_run(o));
	}
	port_close(p[1]);
	*child = pid;
	if (stopping != NULL && *stopping)
		port_kill(pid, SIGTERM);	/* the signal came first */
	while ((rc = port_waitpid(pid)) < 0 && errno == EINTR)
		;
	*child = 0;
	if (port_read_full(p[0], f, sizeof *f) != (long)sizeof *f)
		memset(f, 0, sizeof *f);
	f->id[sizeof f->id - 1] = 0;
	f->snap[sizeof f->snap - 1] = 0;
	port_close(p[0]);
	return rc < 0 ? EXIT_USAGE : rc;
}

/* The post-hook, told how the run went; a failure is only said. */
static void
post_hook(const struct copts *o, int rc, const struct backup_figures *f)
{
	static char env[6][HOOK_ENV_MAX];
	const char *const add[] = { env[0], env[1], env[2], env[3], env[4],
	    env[5], NULL };
	int st;

	snprintf(env[0], HOOK_ENV_MAX, "CAIRN_STATUS=%d", rc);
	snprintf(env[1], HOOK_ENV_MAX, "CAIRN_SNAPSHOT=%s", f->snap);
	snprintf(env[2], HOOK_ENV_MAX, "CAIRN_FILES=%llu",
	    (unsigned long long)f->files);
	snprintf(env[3], HOOK_ENV_MAX, "CAIRN_ERRORS=%llu",
	    (unsigned long long)f->errors);
	snprintf(env[4], HOOK_ENV_MAX, "CAIRN_SOURCE=%s", o->source);
	snprintf(env[5], HOOK_ENV_MAX, "CAIRN_ID=%s", f->id);
	st = hook_sh(o->post_hook, add);
	if (st < 0)
		msg("post-hook could not start: %s", strerror(errno));
	else if (st != 0)
		msg("post-hook failed (exit %d)", st);
}

/* Without --interval: a stop is passed on to the run, whose status then
 * reaches the post-hook. */
static void
on_stop(int sig)
{
	if (single_child > 0)
		port_kill(single_child, sig);
}

int
hooks_backup(const struct copts *o, volatile long *child,
    volatile sig_atomic_t *stopping)
{
	const char *const none[] = { NULL };
	struct backup_figures f;
	int rc = 0, st;

	if (o->pre_hook == NULL && o->post_hook == NULL)
		return backup_run(o);
	if (backup_prepare(o) < 0)	/* a usage error: no hooks */
		return EXIT_USAGE;
	if (child == NULL) {
		child = &single_child;
		port_signal(SIGTERM, on_stop);
		port_signal(SIGINT, on_stop);
	}
	memset(&f, 0, sizeof f);
	if (o->pre_hook != NULL) {
		st = hook_sh(o->pre_hook, none);
		if (st < 0)
			msg("pre-hook could not start: %s: nothing backed up",
			    strerror(errno));
		else if (st != 0)
			msg("pre-hook failed (exit %d): nothing backed up", st);
		if (st != 0)
			rc = EXIT_PARTIAL;
	}
	if (rc == 0)
		rc = run_child(o, &f, child, stopping);
	if (o->post_hook != NULL)
		post_hook(o, rc, &f);
	return rc;
}
