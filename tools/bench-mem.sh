#!/bin/sh
# bench-mem.sh — peak memory of cairn's client and server as the tree grows:
# generated trees of small files (BENCH_MEM_FILES, default "10000 100000"),
# a first backup and a no-change re-run each, the store on a fresh
# filesystem. Writes build/bench/report.memory (tools/bench.sh prints it).
#
# client = GNU time %M of cairn. server = the larger of GNU time %M of
# cairnd (a fresh cairnd per run: the largest peak of cairnd and every
# session process it forked and reaped) and the largest VmHWM read from
# /proc of its live session processes every 0.1 s.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
R=$top/build/bench/run-mem
. "$top/tools/bench-lib.sh"
MEM_FILES=${BENCH_MEM_FILES-10000 100000}
bench_init
bench_certs
out=$top/build/bench/report.memory

kib() { awk -v k="${1:-0}" 'BEGIN { printf "%6d KiB %5.2f MiB", k, k / 1024 }'; }
{
	echo "== peak memory as files grow (generated small files; target <= 4 MiB, flat)"
	echo "client: GNU time %M of cairn; server: the larger of GNU time %M of cairnd"
	echo "(its reaped session processes included) and the VmHWM sampled every 0.1 s"
} > "$out"
peak_c='' peak_s=''
for n in $MEM_FILES; do
	say "memory: generating $n files"
	rm -rf "$R/src"
	gentree "$R/src" "$n" 4
	set -- $(fs_size "$R/src" 2.5)
	freshfs mem "$1" "$2"
	store=$fsdir
	for phase in first rerun; do
		say "memory: $n files, $phase"
		cairn_run "m$n$phase" --state "$R/state.$n.json" --source "$R/src"
		c=$(memof "$R/mem.cairn.m$n$phase")
		s=$(max "$(memof "$R/mem.cairnd.m$n$phase")" "$(cat "$R/hwm.m$n$phase" 2>/dev/null || echo 0)")
		peak_c=$(max "$peak_c" "${c:-0}") peak_s=$(max "$peak_s" "${s:-0}")
		printf '  %6d files, %-5s %6s s  client %s  server %s\n' "$n" "$phase" \
			"$secs" "$(kib "$c")" "$(kib "$s")" >> "$out"
	done
done
rm -rf "$R/src"
[ -n "$peak_c" ] && awk -v c="$peak_c" -v s="$peak_s" 'BEGIN {
	printf "  largest: client %.2f MiB, server %.2f MiB\n", c / 1024, s / 1024
}' >> "$out"
exit "$failed"
