#!/bin/sh
# bench-callgrind.sh — instructions per file and per byte of cairn (client)
# and cairnd (server) under valgrind --tool=callgrind, on a small fixed
# generated tree (BENCH_CG_FILES, default 2 000 files, about 19 MB): a
# first backup and a no-change re-run. The same runs on an empty tree are
# subtracted, so the TLS handshake and start-up are excluded. Instruction
# counts do not depend on the machine's load: the figure to compare across
# runs, and the one that decides a router's slow CPU. Measures the static
# release binaries (build/cairn, build/cairnd: what ships). Writes
# build/bench/report.callgrind; without valgrind it says so and exits 0.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
R=$top/build/bench/run-callgrind
. "$top/tools/bench-lib.sh"
out=$top/build/bench/report.callgrind
N=${BENCH_CG_FILES:-2000}

if ! command -v valgrind >/dev/null 2>&1; then
	echo "== callgrind: valgrind not installed (sh tools/deps.sh bench installs it): skipped" > "$out"
	exit 0
fi
bench_init
bench_certs
mkdir -p "$R/cg" "$R/empty"
gentree "$R/src" "$N"
# A file changed in the second its backup starts may change again unseen
# in that second: such files are hashed again on the next run (racy
# timestamps). A tree made just now would be all such files, and the
# no-change re-run would hash every one: its ctimes are let go past first.
sleep 2
set -- $(treestat "$R/src")
files=$1 bytes=$2
set -- $(fs_size "$R/src" 3)
freshfs cg "$1" "$2"
store=$fsdir

# cg_run TAG ARGS...: one run of cairn ARGS (a backup, a restore) with both
# sides under callgrind; sets cl and sv to the client's and the session
# process's instructions.
# Left out: the listening cairnd's own file, and the helper the session
# forks to wait on syncfs (callgrind gives a forked child its parent's
# counts so far, so it is a near copy of the session's): the session is the
# largest of the other files.
cg_run() {
	tag=$1
	shift
	# one retry: a run under valgrind on a loaded machine has been seen
	# to lose its connection (the log of the lost try is kept)
	for try in 1 2; do
		say "callgrind: $tag (try $try)"
		rm -f "$R/cg/cairn.$tag".* "$R/cg/cairnd.$tag".*
		keep=$failed
		CAIRND_WRAP="valgrind --tool=callgrind --callgrind-out-file=$R/cg/cairnd.$tag.%p" \
		CAIRN_WRAP="valgrind --tool=callgrind --callgrind-out-file=$R/cg/cairn.$tag.%p" \
			cairn_run "cg.$tag" "$@"
		[ "$secs" != FAILED ] && { failed=$keep; break; }
		cp "$R/log.cairn.cg.$tag" "$R/log.cairn.cg.$tag.try$try"
		cp "$R/cairnd.cg.$tag.log" "$R/cairnd.cg.$tag.log.try$try"
	done
	if [ "$secs" = FAILED ]; then
		cl=FAILED sv=FAILED
		return 0
	fi
	set -- "$tag"
	# the listening process is the lowest pid: the session was forked later
	main=$(ls "$R/cg" | sed -n "s/^cairnd\\.$1\\.\\([0-9]*\\)\$/\\1/p" | sort -n | head -n 1)
	cl=$(cat "$R/cg/cairn.$1".* | awk '/^(summary|totals):/ { v = $2 } END { print v + 0 }')
	sv=0
	for f in "$R/cg/cairnd.$1".*; do
		[ "$f" = "$R/cg/cairnd.$1.$main" ] && continue
		v=$(awk '/^(summary|totals):/ { v = $2 } END { print v + 0 }' "$f")
		if [ "$v" -gt "$sv" ]; then sv=$v; fi
	done
}
# backup TAG SOURCE: cg_run of a backup of $R/SOURCE.
backup() { cg_run "$1" --state "$R/state.$2.json" --source "$R/$2"; }
backup empty-first empty; e1c=$cl e1s=$sv
backup first src;         f1c=$cl f1s=$sv
backup empty-rerun empty; e2c=$cl e2s=$sv
backup rerun src;         f2c=$cl f2s=$sv
# restore TAG BACKUP: cg_run of a restore of that backup into an empty
# directory (restore speed, issue 11).
restore() {
	rm -rf "$R/rest.$1"
	cg_run "$1" --restore "$(jfield "cg.$2" id)" --path "$R/rest.$1"
}
restore empty-restore empty-first; e3c=$cl e3s=$sv
restore restore first;             f3c=$cl f3s=$sv

line() {
	awk -v l="$1" -v t="$2" -v e="$3" -v n="$files" -v b="$bytes" 'BEGIN {
		if (t == "FAILED" || e == "FAILED") {
			printf "  %-28s %14s (the run failed: see build/bench/run-callgrind)\n", l, "FAILED"
			exit
		}
		d = t - e
		printf "  %-28s %14.0f %14.0f %10.0f %8.2f\n", l, t, d, d / n, d / b
	}'
}
{
	echo "== callgrind: instructions (valgrind --tool=callgrind, static release binaries)"
	echo "tree: generated, $files files, $bytes bytes; \"net\" = the run minus the same"
	echo "run on an empty tree (handshake and start-up excluded); server = the session"
	echo "process cairnd forks for the connection"
	printf '  %-28s %14s %14s %10s %8s\n' "" "instructions" "net" "per file" "per byte"
	line "first backup, client" "$f1c" "$e1c"
	line "first backup, server" "$f1s" "$e1s"
	line "no-change re-run, client" "$f2c" "$e2c"
	line "no-change re-run, server" "$f2s" "$e2s"
	line "restore, client" "$f3c" "$e3c"
	line "restore, server" "$f3s" "$e3s"
	awk -v a="$e1c" -v b="$e1s" 'BEGIN {
		printf "  (empty tree, first backup: client %.0f, server %.0f instructions)\n", a, b
	}'
	echo "  target: at most 10 000 instructions per unchanged file on each side of a no-change run"
} > "$out"
fs_cleanup
exit "$failed"
