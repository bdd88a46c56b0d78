#!/bin/sh
# bench-delta.sh — a line cairn loses today, for the record: one big file
# (BENCH_DELTA_MB, default 1024 MiB) with 1 MiB appended, and one with
# 1 MiB changed in the middle; the re-run after the change, cairn (which
# sends a changed file whole) against rsync over ssh (its delta transfer),
# bytes sent and wall time. It sizes the block-level delta that comes later.
# Writes build/bench/report.delta.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
R=$top/build/bench/run-delta
. "$top/tools/bench-lib.sh"
MB=${BENCH_DELTA_MB:-1024}
out=$top/build/bench/report.delta
bench_init
bench_certs
command -v openssl >/dev/null 2>&1 || die "openssl missing: run sh tools/deps.sh bench"
if ! start_sshd; then
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
	sshd_pid=
	ssh_desc="LOCAL, NO SSH ($ssh_why), --no-whole-file"
fi

# stream KEY: deterministic incompressible bytes (AES-CTR of zeros).
stream() {
	openssl enc -aes-128-ctr -nosalt -K "$1" -iv 0 < /dev/zero 2>/dev/null
}
rbytes() { sed -n 's/^Total bytes sent: *//p' "$R/log.rsync.$1" | tr -d ',' | head -n 1; }

{
	echo "== delta: one ${MB} MiB file changed by 1 MiB; the re-run after the change"
	echo "cairn sends a changed file whole; rsync $ssh_desc sends a delta"
	printf '  %-28s %9s %14s %9s %14s\n' "" "cairn s" "cairn bytes" "rsync s" "rsync bytes"
} > "$out"
for c in append middle; do
	say "delta, $c: ${MB} MiB"
	mkdir -p "$R/$c"
	stream 01 | head -c "$((MB * 1048576))" > "$R/$c/big"
	touch -d @1700000000 "$R/$c/big"
	kib=$((MB * 1024 * 3 + 65536))
	freshfs "cairn-$c" "$kib" 4096
	store=$fsdir
	cairn_run "d$c.first" --state "$R/state.$c.json" --source "$R/$c"
	freshfs "rsync-$c" "$kib" 4096
	rs=$fsdir
	rsync_run "d$c.first" --no-whole-file "$R/$c/" "$rhost$rs/snap/"
	if [ $c = append ]; then
		stream 02 | head -c 1048576 >> "$R/$c/big"
	else
		stream 02 | head -c 1048576 |
			dd of="$R/$c/big" bs=1048576 seek=$((MB / 2)) conv=notrunc 2>/dev/null
	fi
	sleep 1
	cairn_run "d$c" --state "$R/state.$c.json" --source "$R/$c"
	cs=$secs cb=$(jfield "d$c" bytes_sent)
	rsync_run "d$c" --no-whole-file --stats "$R/$c/" "$rhost$rs/snap/"
	printf '  %-28s %9s %14s %9s %14s\n' "1 MiB $( [ $c = append ] && echo appended || echo "changed in the middle")" \
		"$cs" "${cb:-?}" "$secs" "$(rbytes "d$c")" >> "$out"
	rm -rf "${R:?}/$c"
	fs_cleanup
done
exit "$failed"
