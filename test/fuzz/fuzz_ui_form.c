/*
 * fuzz_ui_form.c — libFuzzer target for ui_form.c: the settings the web
 * page POSTs (ui_settings_parse). Checked: it never reads past the body
 * (ASan: the copy ends at the end of its buffer); a body it accepts has
 * a server and a source, a port in 1..65535, lists within their bounds
 * and every string NUL-terminated inside its field; one it refuses names
 * at least one field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "../../src/client/ui.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ui_settings s;
	static uint8_t store[8192];
	struct buf f;
	char *body;
	unsigned i;

	if (size > UI_BODY_MAX)
		return 0;
	if ((body = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(body, data, size);
	buf_init(&f, store, sizeof store);
	if (ui_settings_parse(&s, body, size, &f) == 0) {
		CHECK(f.len == 0);
		CHECK(s.port >= 1 && s.port <= 65535);
		CHECK(memchr(s.server, 0, sizeof s.server) != NULL);
		CHECK(s.server[0] != 0 && s.source[0] == '/');
		CHECK(memchr(s.post_hook, 0, sizeof s.post_hook) != NULL);
		CHECK(s.next <= UI_LIST_MAX && s.nexcl <= UI_LIST_MAX);
		for (i = 0; i < s.next; i++)
			CHECK(memchr(s.ext[i], 0, sizeof s.ext[i]) != NULL);
		for (i = 0; i < s.nexcl; i++)
			CHECK(memchr(s.excl[i], 0, sizeof s.excl[i]) != NULL);
	} else {
		CHECK(f.len > 0 || f.err);
	}
	free(body);
	return 0;
}
