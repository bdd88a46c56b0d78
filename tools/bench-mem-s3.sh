#!/bin/sh
# bench-mem-s3.sh — peak memory of cairnd with --store s3 (issue 14) on a
# one-node Ceph (tools/ceph-up.sh): the generated trees of bench-mem.sh
# (BENCH_MEM_FILES), a first backup and a no-change re-run each, into a
# fresh bucket. Server = the same figure as bench-mem.sh's: the larger of
# GNU time %M of cairnd (its reaped session processes included) and the
# VmHWM of its live session processes sampled every 0.1 s. Writes
# build/bench/report.memory-s3 (tools/bench.sh prints it). Without Ceph,
# or when it does not come up, the report says so in one line and the
# script exits 0.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
R=$top/build/bench/run-mem-s3
. "$top/tools/bench-lib.sh"
MEM_FILES=${BENCH_MEM_FILES-10000 100000}
out=$top/build/bench/report.memory-s3
ceph=$R/ceph
bench_init
trap 'sh "$top/tools/ceph-down.sh" "$ceph" >/dev/null 2>&1; bench_cleanup' EXIT
bench_certs

echo "== cairnd --store s3 peak memory as files grow (one-node Ceph; target <= 4 MiB)" > "$out"
say "s3 memory: starting a one-node Ceph in $ceph"
if ! s3_start "$ceph"; then
	echo "  skipped: $s3_why" >> "$out"
	exit 0
fi

kib() { awk -v k="${1:-0}" 'BEGIN { printf "%6d KiB %5.2f MiB", k, k / 1024 }'; }
echo "server: the larger of GNU time %M of cairnd and the VmHWM of its sessions sampled every 0.1 s" >> "$out"
peak_s=''
for n in $MEM_FILES; do
	say "s3 memory: generating $n files"
	rm -rf "$R/src" "$R/spool" "$R/dir"
	gentree "$R/src" "$n" 4
	mkdir -p "$R/spool" "$R/dir"
	bucket=bench-mem-$n-$$
	if ! mkbucket "$bucket"; then
		echo "  $n files: making bucket $bucket failed ($(tail -n 1 "$R/mkbucket.log"))" >> "$out"
		failed=1
		continue
	fi
	store=$R/dir
	CAIRND_ARGS="--store s3 --s3-endpoint $CAIRN_S3_ENDPOINT --s3-bucket $bucket --s3-spool $R/spool"
	for phase in first rerun; do
		say "s3 memory: $n files, $phase"
		cairn_run "s$n$phase" --state "$R/state.$n.json" --source "$R/src"
		s=$(max "$(memof "$R/mem.cairnd.s$n$phase")" "$(cat "$R/hwm.s$n$phase" 2>/dev/null || echo 0)")
		peak_s=$(max "$peak_s" "${s:-0}")
		printf '  %6d files, %-5s %7s s  server %s\n' "$n" "$phase" "$secs" "$(kib "$s")" >> "$out"
	done
	CAIRND_ARGS=
done
rm -rf "$R/src" "$R/spool"
[ -n "$peak_s" ] && awk -v s="$peak_s" 'BEGIN {
	printf "  largest: server %.2f MiB (target <= 4 MiB)\n", s / 1024
}' >> "$out"
exit "$failed"
