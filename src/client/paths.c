/*
 * paths.c — where the client finds its certificates and keeps its state
 * when the command line does not say: the same answer from a shell, cron
 * or init, whatever the current directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "port.h"
#include "util.h"

#define CERT_DIRS 3
#define LOOKED_MAX (CERT_DIRS * PATH_CAP)

/* 1 if path names something that can be opened for reading. */
static int
readable(const char *path)
{
	int fd = port_open_read(path);

	if (fd < 0)
		return 0;
	port_close(fd);
	return 1;
}

/* The directories certificates are looked for in, in order, into
 * dirs[CERT_DIRS][PATH_CAP]; their count. */
static unsigned
cert_dirs(char dirs[][PATH_CAP])
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	unsigned n = 0;

	snprintf(dirs[n++], PATH_CAP, "./certs");
	if (xdg != NULL && xdg[0] == '/')
		snprintf(dirs[n++], PATH_CAP, "%s/cairn", xdg);
	else if (home != NULL && home[0] != 0)
		snprintf(dirs[n++], PATH_CAP, "%s/.config/cairn", home);
	snprintf(dirs[n++], PATH_CAP, "/etc/cairn");
	return n;
}

/* *f, when not given, as name in dir (kept in buf[PATH_CAP]). */
static void
default_file(const char **f, char *buf, const char *dir, const char *name)
{
	if (*f != NULL)
		return;
	snprintf(buf, PATH_CAP, "%s/%s", dir, name);
	*f = buf;
}

void
cert_defaults(struct copts *o)
{
	static char dirs[CERT_DIRS][PATH_CAP], cert[PATH_CAP], key[PATH_CAP],
	    ca[PATH_CAP], looked[LOOKED_MAX];
	unsigned n, i;
	size_t k = 0;

	if (o->cert != NULL && o->key != NULL && o->ca != NULL)
		return;
	n = cert_dirs(dirs);
	for (i = 0; i < n; i++) {
		snprintf(cert, sizeof cert, "%s/client_cert.pem", dirs[i]);
		if (readable(cert))
			break;
	}
	if (i == 0 && port_realpath("certs", dirs[0], PATH_CAP) < 0)
		snprintf(dirs[0], PATH_CAP, "certs");	/* absolute if it can */
	if (i < n) {
		default_file(&o->cert, cert, dirs[i], "client_cert.pem");
		default_file(&o->key, key, dirs[i], "client_key.pem");
		default_file(&o->ca, ca, dirs[i], "ca_cert.pem");
		return;
	}
	for (i = 0; i < n; i++)
		k += (size_t)snprintf(looked + k, sizeof looked - k, "%s%s",
		    i ? ", " : "", dirs[i]);
	die(EXIT_USAGE, "no client certificate: looked in %s (give --cert, "
	    "--key, --ca)", looked);
}

/* dir made (0700), and a directory that opens: 0, or -1 with errno. */
static int
usable_dir(const char *dir)
{
	int fd;

	if (port_mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	if ((fd = port_open_dir(dir)) < 0)
		return -1;
	port_close(fd);
	return 0;
}

void
state_dir(char *dir, size_t cap)
{
	const char *home = getenv("HOME");
	char why[PATH_CAP + 64] = "HOME is not set";
	int fd;

	if (home != NULL && home[0] != 0) {
		snprintf(why, sizeof why, "%s is not a directory", home);
		if ((fd = port_open_dir(home)) >= 0) {
			port_close(fd);
			snprintf(dir, cap, "%s/.cairn", home);
			if (usable_dir(dir) == 0)
				return;
			snprintf(why, sizeof why, "%s: %s", dir,
			    strerror(errno));
		}
	}
	port_mkdir("/var", 0755);
	port_mkdir("/var/lib", 0755);
	snprintf(dir, cap, "%s", STATE_DIR_FALLBACK);
	if (usable_dir(dir) == 0)
		return;
	die(EXIT_USAGE, "no state directory: %s, and %s: %s (give --state "
	    "FILE)", why, dir, strerror(errno));
}
