/*
 * fuzz_pkcs8.c — libFuzzer target for pkcs8_decrypt (pkcs8.c), which
 * cairnd runs on the encrypted key file it is given.
 *
 * The input is copied into a heap buffer of exactly its size (so that
 * ASan sees a read or write past it) and decrypted in place with the pass
 * phrase "pw", the one the seeds (make-seeds.sh, seedgen.c) use. Checked:
 *   - the answer is one of PKCS8_OK, _MALFORMED, _UNSUPPORTED, _BADPASS;
 *   - on PKCS8_OK the plain key lies within the buffer and is followed,
 *     still within it, by its PKCS#7 padding (1..16 bytes of the pad
 *     length, making a whole number of AES blocks);
 *   - a second decryption of a fresh copy gives the same answer and the
 *     same bytes.
 * Inputs with an iteration count between FUZZ_ITER_MAX and
 * PBKDF2_ITER_MAX are skipped (pbkdf2_iter.h): correct, but seconds each.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs8.h"
#include "pbkdf2_iter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define PASS "pw"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *out = NULL, *out2 = NULL;
	size_t outlen = 0, outlen2 = 0, pad, i;
	uint8_t *a, *b;
	int r, r2;

	if (fz_too_slow(data, size))
		return 0;
	a = malloc(size ? size : 1);
	b = malloc(size ? size : 1);
	CHECK(a != NULL && b != NULL);
	memcpy(a, data, size);
	memcpy(b, data, size);

	r = pkcs8_decrypt(a, size, PASS, strlen(PASS), &out, &outlen);
	CHECK(r == PKCS8_OK || r == PKCS8_MALFORMED ||
	    r == PKCS8_UNSUPPORTED || r == PKCS8_BADPASS);
	if (r == PKCS8_OK) {
		CHECK(out != NULL && out >= a && outlen <= size &&
		    (size_t)(out - a) <= size - outlen);
		pad = 16 - outlen % 16;
		CHECK((size_t)(out - a) + outlen + pad <= size);
		for (i = 0; i < pad; i++)
			CHECK(out[outlen + i] == pad);
	}

	r2 = pkcs8_decrypt(b, size, PASS, strlen(PASS), &out2, &outlen2);
	CHECK(r2 == r);
	if (r == PKCS8_OK)
		CHECK(outlen2 == outlen && out2 - b == out - a &&
		    memcmp(out, out2, outlen) == 0);
	free(a);
	free(b);
	return 0;
}
