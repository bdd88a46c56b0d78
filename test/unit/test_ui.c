/*
 * test_ui.c — the web UI's pure checks (ui_check.c) and its settings
 * form (ui_form.c): the Host and Origin fields as a rebinding or
 * cross-site page sends them, cookies, constant-time equality, the CSRF
 * value against HMAC-SHA256's answer, and hostile settings bodies (not
 * JSON, wrong types, too many tokens, too long, control characters,
 * missing fields), each refused on its field.
 */
#include <stdio.h>
#include <string.h>

#include "features.h"
#include "unit.h"

#if CAIRN_UI

#include "ui.h"

/* The check of v against 127.0.0.1:8480's listening. */
static int
host(const char *v)
{
	return ui_host_ok(v, strlen(v), "127.0.0.1:8480", 8480);
}

static void
hosts(void)
{
	CHECK(host("127.0.0.1:8480"));
	CHECK(host("localhost:8480"));
	CHECK(host("LOCALHOST:8480"));
	CHECK(host("[::1]:8480"));
	CHECK(!host("127.0.0.1"));		/* the port is required */
	CHECK(!host("127.0.0.1:8481"));
	CHECK(!host("evil.example:8480"));
	CHECK(!host("localhost.evil.example:8480"));
	CHECK(!host("127.0.0.1:8480 "));
	CHECK(!host("127.0.0.1:84800"));
	CHECK(!host(""));
	CHECK(!ui_host_ok(NULL, 0, "127.0.0.1:8480", 8480));
	/* a listening address of its own */
	CHECK(ui_host_ok("[::]:9", 6, "[::]:9", 9));
	CHECK(ui_host_ok("10.0.0.1:443", 12, "10.0.0.1:443", 443));
	CHECK(!ui_host_ok("10.0.0.2:443", 12, "10.0.0.1:443", 443));
}

/* The check of origin o against Host h. */
static int
origin(const char *o, const char *h, int tls)
{
	return ui_origin_ok(o, strlen(o), h, h ? strlen(h) : 0, tls);
}

static void
origins(void)
{
	CHECK(origin("http://127.0.0.1:8480", "127.0.0.1:8480", 0));
	CHECK(origin("https://127.0.0.1:8480", "127.0.0.1:8480", 1));
	CHECK(!origin("https://127.0.0.1:8480", "127.0.0.1:8480", 0));
	CHECK(!origin("http://127.0.0.1:8480", "127.0.0.1:8480", 1));
	CHECK(!origin("http://evil.example", "127.0.0.1:8480", 0));
	CHECK(!origin("http://127.0.0.1:8480.evil", "127.0.0.1:8480", 0));
	CHECK(!origin("null", "127.0.0.1:8480", 0));
	CHECK(!origin("", "127.0.0.1:8480", 0));
	CHECK(!origin("http://", "", 0));
	CHECK(!origin("http://127.0.0.1:8480", NULL, 0));
}

static void
cookies(void)
{
	char out[80];
	const char *v = "a=1; cairn_session=abc; b=2";

	CHECK(ui_cookie(v, strlen(v), "cairn_session", out, sizeof out) == 3 &&
	    strcmp(out, "abc") == 0);
	v = "cairn_session=last";
	CHECK(ui_cookie(v, strlen(v), "cairn_session", out, sizeof out) == 4);
	v = "xcairn_session=no; cairn_sessionx=no";
	CHECK(ui_cookie(v, strlen(v), "cairn_session", out, sizeof out) == -1);
	v = "cairn_session";
	CHECK(ui_cookie(v, strlen(v), "cairn_session", out, sizeof out) == -1);
	v = "cairn_session=0123456789";
	CHECK(ui_cookie(v, strlen(v), "cairn_session", out, 5) == -1);
	CHECK(ui_cookie("", 0, "cairn_session", out, sizeof out) == -1);
	v = ";;;  ; cairn_session=x;";
	CHECK(ui_cookie(v, strlen(v), "cairn_session", out, sizeof out) == 1);
}

static void
csrf(void)
{
	static const char want[] = "583630234f7e60ecfa2a6ae2e98ee378"
	    "76e3ff6344457723cb4b42fcf77f7fc0";
	uint8_t key[32];
	char sid[65], out[65];
	size_t i;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 64; i++)
		sid[i] = i % 2 ? 'b' : 'a';
	sid[64] = 0;
	ui_csrf(key, sid, out);
	CHECK_SAME(out, strlen(out), want, sizeof want - 1);
	sid[0] = 'b';
	ui_csrf(key, sid, out);
	CHECK(strcmp(out, want) != 0);
	CHECK(ui_equal("abcd", "abcd", 4));
	CHECK(!ui_equal("abcd", "abce", 4));
	CHECK(!ui_equal("xbcd", "abcd", 4));
	CHECK(ui_equal("", "", 0));
}

/* ui_settings_parse of body: its result; the field errors in fields. */
static char fields[4096];

static int
parse(struct ui_settings *s, const char *body)
{
	static uint8_t store[4096];
	struct buf f;
	int r;

	buf_init(&f, store, sizeof store - 1);
	r = ui_settings_parse(s, body, strlen(body), &f);
	memcpy(fields, f.p, f.len);
	fields[f.len] = 0;
	return r;
}

/* Refused, naming field. */
#define REFUSED(s, body, field) \
	CHECK(parse(s, body) < 0 && strstr(fields, "\"" field "\":\"") != NULL)

static void
form(void)
{
	static struct ui_settings s;
	static char big[UI_BODY_MAX];
	size_t i, n;

	CHECK(parse(&s, "{\"server\":\"b.example\",\"port\":4000,"
	    "\"source\":\"/tmp\",\"extensions\":[\"txt\",\".JPG\"],"
	    "\"exclude\":[\"*.o\",\"/cache/\"],\"interval\":\"0.5\","
	    "\"keep\":{\"last\":3,\"daily\":7,\"other\":9},"
	    "\"post_hook\":\"echo done\",\"config\":\"/ignored\","
	    "\"writable\":true}") == 0);
	CHECK(strcmp(s.server, "b.example") == 0 && s.port == 4000);
	CHECK(s.next == 2 && strcmp(s.ext[1], ".JPG") == 0);
	CHECK(s.nexcl == 2 && strcmp(s.excl[1], "/cache/") == 0);
	CHECK(s.keep[0] == 3 && s.keep[2] == 7 && s.keep[1] == 0);
	CHECK(strcmp(s.interval, "0.5") == 0);
	CHECK(strcmp(s.post_hook, "echo done") == 0);
	/* escapes decoded */
	CHECK(parse(&s, "{\"server\":\"a\\u0062c\",\"source\":\"\\/tmp\"}") ==
	    0 && strcmp(s.server, "abc") == 0 && strcmp(s.source, "/tmp") == 0);

	REFUSED(&s, "", "body");
	REFUSED(&s, "[]", "body");
	REFUSED(&s, "{\"server\":", "body");
	REFUSED(&s, "{\"server\":\"a\"} trailing", "body");
	REFUSED(&s, "{\"source\":\"/tmp\"}", "server");
	REFUSED(&s, "{\"server\":\"a\"}", "source");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"\"}", "source");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"tmp\"}", "source");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/nonexistent/x\"}",
	    "source");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/etc/passwd\"}", "source");
	REFUSED(&s, "{\"server\":\"a\",\"source\":7}", "source");
	REFUSED(&s, "{\"server\":\"a b\",\"source\":\"/tmp\"}", "server");
	REFUSED(&s, "{\"server\":\"a\\nport 1\",\"source\":\"/tmp\"}",
	    "server");
	REFUSED(&s, "{\"server\":\" a\",\"source\":\"/tmp\"}", "server");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\",\"port\":0}",
	    "port");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\",\"port\":65536}",
	    "port");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\",\"port\":-1}",
	    "port");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\",\"port\":1e3}",
	    "port");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\",\"port\":[]}",
	    "port");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\","
	    "\"extensions\":\"txt\"}", "extensions");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\","
	    "\"extensions\":[\"a/b\"]}", "extensions");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\","
	    "\"extensions\":[\"\"]}", "extensions");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\","
	    "\"extensions\":[\"#x\"]}", "extensions");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\","
	    "\"extensions\":[[\"txt\"]]}", "extensions");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\","
	    "\"exclude\":[\"[abc\"]}", "exclude");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\","
	    "\"exclude\":[\"x\\\\\"]}", "exclude");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\","
	    "\"exclude\":[\"a\\tb\"]}", "exclude");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\","
	    "\"interval\":\"soon\"}", "interval");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\","
	    "\"keep\":{\"daily\":\"x\"}}", "keep");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\","
	    "\"keep\":{\"daily\":2000000}}", "keep");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\",\"keep\":3}",
	    "keep");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\","
	    "\"server_fingerprint\":\"abc\"}", "server_fingerprint");
	REFUSED(&s, "{\"server\":\"a\",\"source\":\"/tmp\","
	    "\"post_hook\":\"a\\u0000b\"}", "post_hook");

	/* 65 extensions: too many */
	n = (size_t)snprintf(big, sizeof big, "{\"server\":\"a\",\"source\":"
	    "\"/tmp\",\"extensions\":[");
	for (i = 0; i < 65; i++)
		n += (size_t)snprintf(big + n, sizeof big - n, "%s\"e%zu\"",
		    i ? "," : "", i);
	snprintf(big + n, sizeof big - n, "]}");
	REFUSED(&s, big, "extensions");
	/* more tokens than the array holds */
	n = (size_t)snprintf(big, sizeof big, "{\"x\":[");
	for (i = 0; i < 2000; i++)
		n += (size_t)snprintf(big + n, sizeof big - n, "%s1", i ? "," :
		    "");
	snprintf(big + n, sizeof big - n, "]}");
	REFUSED(&s, big, "body");
	/* deep nesting */
	memset(big, '[', 3000);
	memcpy(big, "{\"x\":", 5);
	big[3000] = 0;
	REFUSED(&s, big, "body");
	/* a value longer than its field */
	n = (size_t)snprintf(big, sizeof big, "{\"source\":\"/tmp\","
	    "\"server\":\"");
	memset(big + n, 'a', 5000);
	snprintf(big + n + 5000, sizeof big - n - 5000, "\"}");
	REFUSED(&s, big, "server");
}

void
suite_ui(void)
{
	hosts();
	origins();
	cookies();
	csrf();
	form();
}

#else

void
suite_ui(void)
{
}

#endif
