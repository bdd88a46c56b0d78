#!/bin/sh
# bench-s3.sh — cairnd with --store s3 on a one-node Ceph (tools/ceph-up.sh)
# against the local backend (--dir), on one real tree, in the same run:
# first backup, no-change re-run, restore into an empty directory (issue
# 14). Each local store, bucket spool and restore target is on a fresh
# filesystem (bench-lib.sh's freshfs); the bucket is new. Also: the time
# Ceph takes to come up. Writes build/bench/report.s3 (tools/bench.sh
# prints it). Without Ceph, or when it does not come up, the report says
# so in one line and the script exits 0.
#
#   BENCH_S3_TREE=DIR    the tree (default /usr/share/doc, copied first)
#                        or gen:N (a generated tree of N files)
#   BENCH_RUNS=N         best of N for each timing (default 2)
#
# The Ceph OSD keeps its objects in memory (memstore): the bucket is RAM,
# the local store a disk, so the comparison favours the bucket on I/O and
# shows what the S3 protocol and its requests cost.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
R=$top/build/bench/run-s3
. "$top/tools/bench-lib.sh"
RUNS=${BENCH_RUNS:-2}
TREE=${BENCH_S3_TREE:-/usr/share/doc}
out=$top/build/bench/report.s3
ceph=$R/ceph
bench_init
trap 'sh "$top/tools/ceph-down.sh" "$ceph" >/dev/null 2>&1; bench_cleanup' EXIT
bench_certs

echo "== cairnd --store s3 (one-node Ceph, memstore) against --dir, same tree, same run" > "$out"

src=$R/src
case $TREE in
gen:*)
	desc=generated
	gentree "$src" "${TREE#gen:}"
	;;
*)
	[ -d "$TREE" ] || die "BENCH_S3_TREE=$TREE: no such directory"
	desc="a copy of $TREE"
	mkdir -p "$src"
	cp -a "$TREE/." "$src/"
	find "$src" \( -type s -o -type p -o -type b -o -type c \) -exec rm -f {} +
	;;
esac
set -- $(treestat "$src")
files=$1 bytes=$2
set -- $(fs_size "$src" 2.5)
fs_kib=$1 fs_inodes=$2

say "s3: starting a one-node Ceph in $ceph"
t0=$(now)
if ! s3_start "$ceph"; then
	echo "  skipped: $s3_why" >> "$out"
	exit 0
fi
up=$(elapsed "$t0" "$(now)")

# jobs BACKEND: first backup, re-run and restore through BACKEND (dir or
# s3), best of RUNS each, into $first_s $rerun_s $restore_s, the server's
# peak memory into $mem_s; a fresh store (or bucket) for every first run.
jobs() {
	f= r= x= m=0
	n=0
	while [ $n -lt "$RUNS" ]; do
		n=$((n + 1))
		freshfs "$1-store" "$fs_kib" "$fs_inodes"
		store=$fsdir
		CAIRND_ARGS=
		if [ "$1" = s3 ]; then
			bucket=bench-s3-$$-$n
			mkbucket "$bucket" || die "making bucket $bucket failed: $(tail -n 1 "$R/mkbucket.log")"
			mkdir -p "$store/spool"
			CAIRND_ARGS="--store s3 --s3-endpoint $CAIRN_S3_ENDPOINT --s3-bucket $bucket --s3-spool $store/spool"
		fi
		rm -f "$R/state.$1.json"
		say "s3: $1 first backup (run $n)"
		cairn_run "$1-first$n" --state "$R/state.$1.json" --source "$src"
		f=$(best $f "$secs")
		m=$(max "$m" "$(max "$(memof "$R/mem.cairnd.$1-first$n")" "$(cat "$R/hwm.$1-first$n" 2>/dev/null || echo 0)")")
		id=$(jfield "$1-first$n" id)
		say "s3: $1 no-change re-run (run $n)"
		cairn_run "$1-rerun$n" --state "$R/state.$1.json" --source "$src"
		r=$(best $r "$secs")
		say "s3: $1 restore (run $n)"
		save=$store
		freshfs "$1-restore" "$fs_kib" "$fs_inodes"
		target=$fsdir/t
		store=$save
		cairn_run "$1-restore$n" --restore "$id" --path "$target"
		x=$(best $x "$secs")
		if [ "$secs" != FAILED ] && [ "$(treesum "$src")" != "$(treesum "$target")" ]; then
			say "s3: the $1 restore differs from the source"
			failed=1
			x=FAILED
		fi
	done
	first_s=$f rerun_s=$r restore_s=$x mem_s=$m
}

jobs dir
d1=$first_s d2=$rerun_s d3=$restore_s dm=$mem_s
jobs s3
s1=$first_s s2=$rerun_s s3=$restore_s sm=$mem_s

{
	echo "tree: $desc, $files files, $bytes bytes; best of $RUNS; stores and targets on $fs_kind"
	echo "Ceph bring-up (tools/ceph-up.sh, to the first signed request): $up s"
	printf '  %-28s %10s %10s %8s\n' "" "--dir s" "--store s3" "s3/dir"
	for row in "first backup:$d1:$s1" "no-change re-run:$d2:$s2" "restore:$d3:$s3"; do
		IFS=: read -r name a b <<EOF
$row
EOF
		awk -v n="$name" -v a="$a" -v b="$b" 'BEGIN {
			if (a == "FAILED" || b == "FAILED") r = "-"; else r = sprintf("%.2f", b / a)
			printf "  %-28s %10s %10s %8s\n", n, a, b, r
		}'
	done
	awk -v a="$dm" -v b="$sm" 'BEGIN {
		printf "  %-28s %7.2f MiB %7.2f MiB\n", "peak cairnd memory", a / 1024, b / 1024
	}'
} >> "$out"
exit "$failed"
