/*
 * unit.h — a tiny unit test harness. Each suite is a function listed in
 * suites.h; CHECK records a pass or a failure (with file and line) and
 * the runner ends with "N passed, N failed".
 */
#ifndef CAIRN_UNIT_H
#define CAIRN_UNIT_H

#include <stddef.h>

extern int unit_passed, unit_failed;

/* Record one check; returns ok so a caller can print more on failure. */
int unit_check(int ok, const char *what, const char *file, int line);
/* Compare two byte strings; on mismatch print both in hex. */
int unit_same(const void *a, size_t alen, const void *b, size_t blen,
    const char *what, const char *file, int line);

#define CHECK(c) unit_check(!!(c), #c, __FILE__, __LINE__)
#define CHECK_SAME(a, alen, b, blen) \
	unit_same((a), (alen), (b), (blen), #a " == " #b, __FILE__, __LINE__)

#define SUITE(name) void suite_##name(void);
#include "suites.h"
#undef SUITE

#endif
