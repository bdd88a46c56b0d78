/* fsutil.h — file tree helpers built on port/. */
#ifndef CAIRN_FSUTIL_H
#define CAIRN_FSUTIL_H

/* Remove dfd/name and everything beneath it, never following a symlink.
 * Missing is success. 0 or -1 (errno). */
int rmtree_at(int dfd, const char *name);
/* Open dfd/name as a directory, creating it (mode) if missing. */
int mkdir_open(int dfd, const char *name, unsigned mode);

#endif
