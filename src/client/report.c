/* report.c — progress and figures; see report.h. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "port.h"
#include "report.h"
#include "util.h"

void
progress_init(struct progress *p)
{
	p->on = !log_quiet && !log_syslog && port_isatty(2);
	p->start_ms = port_ms();
	p->shown_ms = 0;
}

void
progress_show(struct progress *p, int last, uint64_t files, const char *what,
    uint64_t count, uint64_t bytes)
{
	uint64_t now, secs;

	if (!p->on)
		return;
	now = port_ms();
	if (!last && now - p->shown_ms < 250)
		return;
	p->shown_ms = now;
	secs = (now - p->start_ms) / 1000 + 1;
	fprintf(stderr, "\r%llu files, %llu %s, %llu MB at %llu KB/s\033[K",
	    (unsigned long long)files, (unsigned long long)count, what,
	    (unsigned long long)(bytes / 1000000),
	    (unsigned long long)(bytes / 1000 / secs));
	if (last)
		fputs("\r\033[K", stderr);
}

void
report_json(const char *id, const char *snap, const char *path,
    const char *const *keys, const uint64_t *vals, size_t n)
{
	static uint8_t line[2 * PATH_CAP + 512];
	struct buf b;
	size_t i;

	buf_init(&b, line, sizeof line);
	buf_putc(&b, '{');
	json_put_key(&b, "id", 1);
	json_put_str(&b, id, strlen(id));
	json_put_key(&b, "snapshot", 0);
	json_put_str(&b, snap, strlen(snap));
	if (path != NULL) {
		json_put_key(&b, "path", 0);
		json_put_str(&b, path, strlen(path));
	}
	for (i = 0; i < n; i++) {
		json_put_key(&b, keys[i], 0);
		buf_dec(&b, vals[i]);
	}
	buf_puts(&b, "}\n");
	fwrite(b.p, 1, b.len, stdout);
	fflush(stdout);
}
