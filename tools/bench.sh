#!/bin/sh
# bench.sh — cairn against the tools people would use instead, side by side
# in one run (make bench; issue 11's table):
#
#   1. per tree (BENCH_TREES), tools/bench-tree.sh: first backup, no-change
#      re-run, 1% changed new snapshot, restore; cairn, rsync over ssh,
#      rsync --link-dest, restic, and the floors (tar | tar + sync, cp -al,
#      md5sum), each store on a fresh filesystem; ratios to the targets;
#   2. tools/bench-mem.sh: peak memory of client and server as files grow;
#      beside it tools/bench-mem-ui.sh, the web UI process (cairn --ui)
#      serving and running a backup, and tools/bench-mem-s3.sh, cairnd
#      with --store s3 on a one-node Ceph (one line when there is none);
#   3. tools/bench-s3.sh: cairnd --store s3 on a one-node Ceph against
#      --dir on one real tree (BENCH_S3_TREE, default /usr/share/doc), and
#      Ceph's bring-up time;
#   4. tools/bench-callgrind.sh: instructions per file and per byte of each
#      side on a small fixed tree (skipped without valgrind);
#   5. tools/bench-delta.sh: a big file changed by 1 MiB, cairn against
#      rsync's delta transfer;
#   6. MD5 throughput of md5.c against `openssl speed`, and the sizes of the
#      release binaries.
#
# Prints numbers only; nothing here passes or fails on speed (exit 1 only
# when a tool failed to run). The whole report is also kept in
# build/bench/report.txt.
#
#   tools/bench.sh [seconds]	(MD5 seconds, default 3; needs
#				build/static/md5bench, build/cairn, build/cairnd)
#   BENCH_QUICK=1		a small run for development: one generated tree
#				of 2 000 files, one run each, memory at 10 000
#				files only, a 64 MiB delta file
#   BENCH_TREES="usr-share linux"	the trees (also gen:N; see bench-tree.sh)
#   BENCH_RUNS=N		best of N (default 2; 1 when quick)
#   BENCH_MEM_FILES="10000 100000"	("" skips the memory test)
#   BENCH_CG_FILES=2000, BENCH_DELTA_MB=1024 (0 skips the delta line)
#   BENCH_SKIP_TREE=1		only MD5 and sizes
#   BENCH_DROP_CACHES=1		drop the (whole machine's) page cache before
#				each measurement; default: warm
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-3}
bench=$top/build/static/md5bench

if [ ! -x "$bench" ]; then
	echo "bench: $bench missing; run: make build/static/md5bench" >&2
	exit 2
fi
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_TREES=gen:2000}" "${BENCH_RUNS=1}" "${BENCH_MEM_FILES=10000}"
	: "${BENCH_DELTA_MB=64}"
	secs=1
fi
export BENCH_RUNS="${BENCH_RUNS:-2}" BENCH_MEM_FILES="${BENCH_MEM_FILES-10000 100000}"
export BENCH_DELTA_MB="${BENCH_DELTA_MB:-1024}"
trees=${BENCH_TREES-usr-share linux}
out=$top/build/bench/report.txt
mkdir -p "$top/build/bench"
rm -f "$top"/build/bench/report.*
: > "$out"

# part NAME SCRIPT [ARG] REPORT...: run a bench script, then print its
# reports (also into report.txt), or say that it failed.
status=0
part() {
	pname=$1 script=$2 arg=$3
	shift 3
	sh "$top/tools/$script" ${arg:+"$arg"} || status=1
	for f in "$@"; do
		if [ -f "$top/build/bench/$f" ]; then
			cat "$top/build/bench/$f"
			echo
		else
			echo "bench: $pname failed before its report (see above)"
			echo
			status=1
		fi
	done | tee -a "$out"
}

if [ "${BENCH_SKIP_TREE:-0}" != 1 ]; then
	for t in $trees; do
		part "tree $t" bench-tree.sh "$t" "report.$t.table" "report.$t.memory"
	done
	if [ -n "$BENCH_MEM_FILES" ]; then
		part memory bench-mem.sh "" report.memory
		part "ui memory" bench-mem-ui.sh "" report.memory-ui
		part "s3 memory" bench-mem-s3.sh "" report.memory-s3
	fi
	part "s3 against dir" bench-s3.sh "" report.s3
	part callgrind bench-callgrind.sh "" report.callgrind
	[ "$BENCH_DELTA_MB" != 0 ] && part delta bench-delta.sh "" report.delta
fi

{
echo "== MD5 and binary sizes"
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
			'BEGIN { printf "cairn/openssl = %.2f (target >= 0.9)\n", a / b }'
	fi
else
	echo "openssl not found: no comparison"
fi

for b in "$top/build/cairn" "$top/build/cairnd"; do
	[ -f "$b" ] || continue
	n=$(wc -c < "$b")
	awk -v f="build/${b##*/}" -v n="$n" \
		'BEGIN { printf "%-14s %9d bytes %8.1f KiB (static release)\n", f, n, n / 1024 }'
done
} | tee -a "$out"
exit "$status"
