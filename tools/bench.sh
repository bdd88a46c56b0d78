#!/bin/sh
# bench.sh — cairn against the tools people would use instead, side by side
# in one run on the same tree (DESIGN.md, "Targets"):
#
#   1. backup, re-run, 1% re-run and restore of a real tree, cairn over
#      loopback TLS against rsync -a over ssh to localhost, as ratios
#      against the targets (tools/bench-tree.sh does the work);
#   2. MD5 throughput of cairn's md5.c against `openssl speed`, both
#      measured in this run on 16 KiB buffers, and the sizes of the
#      release binaries;
#   3. peak memory of cairn's client and server (and rsync's), on that tree
#      and on generated trees of 10 000 and 100 000 files.
#
# Prints numbers only; nothing here passes or fails on speed (exit 1 only
# when a tool failed to run).
#
#   tools/bench.sh [seconds]	(MD5 seconds, default 3; needs
#				build/static/md5bench, build/cairn, build/cairnd)
#   BENCH_SKIP_TREE=1		only MD5 and sizes
#   BENCH_TREE, BENCH_FILES, BENCH_RUNS, BENCH_MEM_FILES: see bench-tree.sh
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-3}
bench=$top/build/static/md5bench

if [ ! -x "$bench" ]; then
	echo "bench: $bench missing; run: make build/static/md5bench" >&2
	exit 2
fi

status=0
if [ "${BENCH_SKIP_TREE:-0}" != 1 ]; then
	rm -f "$top/build/bench/report.table" "$top/build/bench/report.memory"
	sh "$top/tools/bench-tree.sh" || status=1
	if [ -f "$top/build/bench/report.table" ]; then
		cat "$top/build/bench/report.table"
	else
		echo "bench: the tree benchmark failed before its report (see above)"
		status=1
	fi
	echo
	echo "== MD5 and binary sizes"
fi

# md5bench prints "md5 16384-byte blocks: NNN.N MB/s".
line=$("$bench" "$secs")
ours=$(printf '%s\n' "$line" | awk '{ v = $(NF - 1) } END { print v }')
printf 'cairn   md5 16384-byte blocks: %10.1f MB/s\n' "$ours"

if command -v openssl >/dev/null 2>&1; then
	# The last "md5" line holds the rate in 1000s of bytes per second,
	# e.g. "md5   763535.57k"; MB/s (1e6 bytes) = k * 1000 / 1e6.
	theirs=$(openssl speed -seconds "$secs" -bytes 16384 md5 2>/dev/null |
		awk '$1 == "md5" { v = $NF } END { sub(/k$/, "", v); print v / 1000 }')
	if [ "$theirs" = 0 ]; then
		echo "openssl speed gave no md5 result: no comparison"
	else
		printf 'openssl md5 16384-byte blocks: %10.1f MB/s\n' "$theirs"
		awk -v a="$ours" -v b="$theirs" \
			'BEGIN { printf "cairn/openssl = %.2f\n", a / b }'
	fi
else
	echo "openssl not found: no comparison"
fi

for b in "$top/build/cairn" "$top/build/cairnd"; do
	[ -f "$b" ] || continue
	n=$(wc -c < "$b")
	awk -v f="build/${b##*/}" -v n="$n" \
		'BEGIN { printf "%-14s %9d bytes %8.1f KiB\n", f, n, n / 1024 }'
done

if [ "${BENCH_SKIP_TREE:-0}" != 1 ] && [ -f "$top/build/bench/report.memory" ]; then
	echo
	cat "$top/build/bench/report.memory"
fi
exit "$status"
