/*
 * nolink.c — a fault to force in tests: with LD_PRELOAD, every hard link
 * fails as on a filesystem that has none (FAT), so cairnd's copy fallback
 * runs. CAIRN_NOLINK_ERRNO picks the error: exdev (default), eperm, emlink.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int linkat(int, const char *, int, const char *, int);
int link(const char *, const char *);

static int
fault(void)
{
	const char *e = getenv("CAIRN_NOLINK_ERRNO");

	if (e != NULL && strcmp(e, "eperm") == 0)
		errno = EPERM;
	else if (e != NULL && strcmp(e, "emlink") == 0)
		errno = EMLINK;
	else
		errno = EXDEV;
	return -1;
}

int
linkat(int a, const char *b, int c, const char *d, int f)
{
	(void)a; (void)b; (void)c; (void)d; (void)f;
	return fault();
}

int
link(const char *a, const char *b)
{
	(void)a; (void)b;
	return fault();
}
