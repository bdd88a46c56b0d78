/* keypass.h — unlocking an encrypted server key with its pass phrase. */
#ifndef CAIRN_KEYPASS_H
#define CAIRN_KEYPASS_H

#include "tls.h"

/* --key-pass-file, or NULL. */
extern const char *keypass_file;

/*
 * A tls_unlock_fn: the pass phrase is the first line of keypass_file,
 * else $CAIRN_KEY_PASS, else asked on the terminal ("Enter PEM pass
 * phrase:"). It is wiped once used.
 */
int keypass_unlock(const char *path, uint8_t *der, size_t len,
    const uint8_t **out, size_t *outlen);

#endif
