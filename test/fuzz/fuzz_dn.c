/*
 * fuzz_dn.c — libFuzzer target for tls_dn_cn (tls.c): the input is a
 * subject DN. Checked: the result is 0 with a non-empty string shorter
 * than the buffer, or -1 with it empty; and it agrees with BearSSL's
 * X.509 engine (the server's reading, bear_cn.h): a CN that tls_dn_cn
 * gives is the one BearSSL gives, and a non-empty CN that BearSSL gives
 * tls_dn_cn gives too. Seeds: test/fuzz/corpus/dn/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls.h"
#include "bear_cn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char cn[TLS_NAME_MAX + 1], bear[TLS_NAME_MAX + 1];
	int r, b;

	memset(cn, 'x', sizeof cn);
	r = tls_dn_cn(data, size, cn, sizeof cn);
	CHECK(r == 0 || r == -1);
	CHECK(memchr(cn, 0, sizeof cn) != NULL);
	CHECK(r == 0 ? cn[0] != 0 : cn[0] == 0);
	b = bear_cn(data, size, bear, sizeof bear);
	if (r == 0)
		CHECK(b == 1 && strcmp(cn, bear) == 0);
	else
		CHECK(b != 1 || bear[0] == 0);
	return 0;
}
