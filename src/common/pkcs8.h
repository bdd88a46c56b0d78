/*
 * pkcs8.h — decrypt an encrypted PKCS#8 private key (RFC 8018 PBES2 with
 * PBKDF2-HMAC-SHA256 and AES-CBC, what `openssl pkcs8 -topk8 -v2
 * aes-256-cbc` writes) with BearSSL's primitives.
 */
#ifndef CAIRN_PKCS8_H
#define CAIRN_PKCS8_H

#include <stddef.h>
#include <stdint.h>

#define PBKDF2_ITER_MAX 10000000	/* refuse absurd work factors */

enum {
	PKCS8_OK = 0,
	PKCS8_MALFORMED = -1,	/* not an EncryptedPrivateKeyInfo we read */
	PKCS8_UNSUPPORTED = -2,	/* another cipher, KDF or hash */
	PKCS8_BADPASS = -3	/* the pass phrase does not decrypt it */
};

/*
 * Decrypt der[0..len) in place with pass[0..plen). On PKCS8_OK, *out and
 * *outlen give the PrivateKeyInfo within der.
 */
int pkcs8_decrypt(uint8_t *der, size_t len, const char *pass, size_t plen,
    const uint8_t **out, size_t *outlen);

/* PBKDF2 with HMAC-SHA256 (RFC 8018), for the tests too. */
void pbkdf2_sha256(const void *pass, size_t plen, const void *salt,
    size_t slen, uint32_t iter, uint8_t *dk, size_t dklen);

#endif
