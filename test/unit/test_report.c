/*
 * test_report.c — the client's report writes to the fds its caller
 * chooses: the run's JSON byte for byte, the progress line, listings.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "port.h"
#include "report.h"
#include "unit.h"

/* Everything written to the pipe so far, into out[cap]. */
static size_t
drain(int fd, char *out, size_t cap)
{
	long n;
	size_t got = 0;

	while (got < cap && (n = port_read(fd, out + got, cap - got, 0)) > 0)
		got += (size_t)n;
	return got;
}

void
suite_report(void)
{
	static const char *const keys[] = { "files", "errors" };
	static const uint64_t vals[] = { 3, 0 };
	static const char want[] = "{\"id\":\"ab12\",\"snapshot\":\"s\\\"1\","
	    "\"path\":\"/t\",\"files\":3,\"errors\":0}\n";
	struct report chosen, rp;
	struct entry e;
	char out[512];
	size_t n;
	int p[2];

	if (!CHECK(pipe(p) == 0))
		return;
	chosen.progress_fd = p[1];
	chosen.out_fd = p[1];
	report_start(&rp, &chosen);
	CHECK(rp.progress_fd == p[1] && rp.out_fd == p[1]);

	report_json(&rp, "ab12", "s\"1", "/t", keys, vals, 2);
	n = drain(p[0], out, sizeof out);
	CHECK_SAME(out, n, want, sizeof want - 1);

	report_printf(&rp, "%-4s|%3u\n", "id", 7u);
	n = drain(p[0], out, sizeof out);
	CHECK_SAME(out, n, "id  |  7\n", 9);

	/* The last progress line is shown however soon, then cleared. */
	report_progress(&rp, 1, 2, "sent", 1, 5000000);
	n = drain(p[0], out, sizeof out);
	CHECK(n > 8 && out[0] == '\r');
	CHECK(n > 8 && memcmp(out + n - 4, "\r\033[K", 4) == 0);
	CHECK(n > 8 && memcmp(out, "\r2 files, 1 sent, 5 MB at ", 26) == 0);
	/* A second one at once is not. */
	report_progress(&rp, 0, 2, "sent", 1, 5000000);
	CHECK(drain(p[0], out, sizeof out) == 0);

	/* No progress fd: nothing. */
	chosen.progress_fd = -1;
	report_start(&rp, &chosen);
	report_progress(&rp, 1, 2, "sent", 1, 5);
	CHECK(drain(p[0], out, sizeof out) == 0);

	/* The record for the web UI: fixed size, rewritten in place, the
	 * last one saying so; a measured run has its percent. */
	{
		static const char rwant[] = "{\"what\":\"sent\",\"files\":2,"
		    "\"count\":1,\"bytes\":5,\"done_bytes\":0,"
		    "\"total_bytes\":0,\"rate\":";
		char rec[REPORT_RECORD + 8] = { 0 }, path[] = "/tmp/cairn-rec-XXXXXX";
		int fd = mkstemp(path);

		CHECK(fd >= 0);
		unlink(path);
		report_record(fd);
		report_start(&rp, &chosen);
		report_progress(&rp, 1, 2, "sent", 1, 5);
		CHECK(pread(fd, rec, sizeof rec, 0) == REPORT_RECORD);
		CHECK(memcmp(rec, rwant, sizeof rwant - 1) == 0);
		CHECK(rec[REPORT_RECORD - 1] == '\n');
		CHECK(strstr(rec, ",\"last\":true}") != NULL);
		CHECK(strstr(rec, "percent") == NULL);
		report_measure(&rp, 100);
		rp.done_bytes = 50;
		report_progress(&rp, 1, 3, "sent", 2, 6);
		CHECK(pread(fd, rec, sizeof rec, 0) == REPORT_RECORD);
		CHECK(strstr(rec, "\"files\":3,") != NULL);
		CHECK(strstr(rec, "\"percent\":100,\"eta\":0,") != NULL);
		CHECK(drain(p[0], out, sizeof out) == 0);	/* no line */
		report_record(-1);
		close(fd);
	}

	e.plen = 3;
	memcpy(e.path, "a\nb", 4);
	CHECK(strcmp(shown_path(&e), "a\\x0ab") == 0);
	close(p[0]);
	close(p[1]);
}
