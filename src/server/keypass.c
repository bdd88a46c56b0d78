/* keypass.c — the pass phrase of an encrypted server key; see keypass.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keypass.h"
#include "pkcs8.h"
#include "port.h"
#include "util.h"

const char *keypass_file;

/* The pass phrase into buf[cap]: its length, or -1 (message printed). */
static long
get_pass(const char *path, char *buf, size_t cap)
{
	const char *env = getenv("CAIRN_KEY_PASS");
	long n;
	int fd;

	if (keypass_file != NULL) {
		fd = port_open_read(keypass_file);
		n = fd < 0 ? -1 : port_read_full(fd, buf, cap - 1);
		if (fd >= 0)
			port_close(fd);
		if (n < 0) {
			msg("cannot read the pass phrase file %s: %s",
			    keypass_file, strerror(errno));
			return -1;
		}
		buf[n] = 0;
		n = (long)strcspn(buf, "\r\n");
		buf[n] = 0;
		return n;
	}
	if (env != NULL) {
		n = (long)strlen(env);
		if ((size_t)n >= cap) {
			msg("CAIRN_KEY_PASS is too long");
			return -1;
		}
		memcpy(buf, env, (size_t)n + 1);
		return n;
	}
	n = port_read_secret("Enter PEM pass phrase:", buf, cap);
	if (n < 0)
		msg("the server key %s is encrypted: give --key-pass-file F or "
		    "CAIRN_KEY_PASS, or start cairnd on a terminal", path);
	return n;
}

int
keypass_unlock(const char *path, uint8_t *der, size_t len,
    const uint8_t **out, size_t *outlen)
{
	char phrase[1024];
	long n;
	int r;

	n = get_pass(path, phrase, sizeof phrase);
	if (n < 0)
		return -1;
	r = pkcs8_decrypt(der, len, phrase, (size_t)n, out, outlen);
	wipe(phrase, sizeof phrase);
	switch (r) {
	case PKCS8_OK:
		return 0;
	case PKCS8_BADPASS:
		msg("wrong pass phrase for the key %s", path);
		break;
	case PKCS8_UNSUPPORTED:
		msg("the key %s is encrypted in a way cairn does not read (it "
		    "reads PBES2 with PBKDF2-HMAC-SHA256 and AES-CBC, as "
		    "tools/gen-certs.sh writes)", path);
		break;
	default:
		msg("the encrypted key %s is malformed", path);
	}
	return -1;
}
