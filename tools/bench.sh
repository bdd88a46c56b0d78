#!/bin/sh
# bench.sh — MD5 throughput of cairn's md5.c against `openssl speed`, both
# measured in this run on 16 KiB buffers, then the sizes of the release
# binaries. Prints numbers only; nothing here passes or fails on speed.
#
#   tools/bench.sh [seconds]	(default 3; needs build/static/md5bench)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-3}
bench=$top/build/static/md5bench

if [ ! -x "$bench" ]; then
	echo "bench: $bench missing; run: make build/static/md5bench" >&2
	exit 2
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
