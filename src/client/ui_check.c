/*
 * ui_check.c — the web UI's pure checks (ui.h): the Host and Origin
 * fields, the session cookie, constant-time comparison, the CSRF value.
 * No state, no I/O: the unit tests (test_ui.c) drive them directly.
 */
#include <stdio.h>
#include <string.h>

#include "features.h"
#include "ui.h"

#if CAIRN_UI

#include <bearssl.h>

#define UI_HOST_MAX 96		/* a Host field that can be right */

int
ui_equal(const char *a, const char *b, size_t n)
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

int
ui_same_text(const char *v, size_t n, const char *s)
{
	size_t i;
	int a, b;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++) {
		a = v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32 : v[i];
		b = s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i];
		if (a != b)
			return 0;
	}
	return 1;
}

int
ui_host_ok(const char *v, size_t n, const char *listen, unsigned port)
{
	static const char *const loop[] = { "localhost", "127.0.0.1",
	    "[::1]" };
	char name[UI_HOST_MAX + 16];
	size_t i;

	if (v == NULL)
		return 0;
	if (ui_same_text(v, n, listen))
		return 1;
	for (i = 0; i < sizeof loop / sizeof loop[0]; i++) {
		snprintf(name, sizeof name, "%s:%u", loop[i], port);
		if (ui_same_text(v, n, name))
			return 1;
	}
	return 0;
}

int
ui_origin_ok(const char *o, size_t n, const char *h, size_t hn, int tls)
{
	static char want[UI_HOST_MAX + 16];
	int k;

	if (h == NULL || hn == 0 || hn >= UI_HOST_MAX)
		return 0;
	k = snprintf(want, sizeof want, "%s://%.*s", tls ? "https" : "http",
	    (int)hn, h);
	return k > 0 && ui_same_text(o, n, want);
}

long
ui_cookie(const char *v, size_t n, const char *name, char *out, size_t cap)
{
	size_t i = 0, k = strlen(name), s, e;

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == ';'))
			i++;
		for (s = i; i < n && v[i] != ';'; i++)
			;
		e = i;
		while (e > s && v[e - 1] == ' ')
			e--;
		if (e - s > k && memcmp(v + s, name, k) == 0 &&
		    v[s + k] == '=') {
			s += k + 1;
			if (e - s >= cap)
				return -1;
			memcpy(out, v + s, e - s);
			out[e - s] = 0;
			return (long)(e - s);
		}
	}
	return -1;
}

void
ui_hex(char *out, const uint8_t *p, size_t n)
{
	struct buf b;

	buf_init(&b, out, 2 * n + 1);
	(void)buf_hex(&b, p, n);
	out[2 * n] = 0;
}

void
ui_csrf(const uint8_t key[32], const char *sid, char out[65])
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	uint8_t mac[32];

	br_hmac_key_init(&kc, &br_sha256_vtable, key, 32);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, sid, strlen(sid));
	br_hmac_out(&hc, mac);
	ui_hex(out, mac, 32);
}

#endif
