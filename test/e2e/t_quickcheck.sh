#!/bin/sh
# t_quickcheck.sh — the quick check and the state file guard what they
# claim. With --ignore-inode, a same-size edit that leaves an old mtime
# (as `cp -p` or `tar x` do) changes the mtime the state recorded, so the
# file is hashed and backed up. A run killed while its new state is being
# written (SIGKILL, mid-upload) leaves the old state whole: it still
# passes its checksum, and the next run needs nothing re-hashed.
. "$(dirname "$0")/lib.sh"

need_binaries
start_server || finish

SRC=$W/src
mkdir -p "$SRC"
printf 'version one\n' >"$SRC/a.txt"
printf 'version two\n' >"$W/a2.txt"	# the same size, another mtime
printf 'steady\n' >"$SRC/s.txt"
touch -d '2020-01-01 00:00:00' "$SRC/a.txt" "$SRC/s.txt"
touch -d '2019-06-01 00:00:00' "$W/a2.txt"
sleep 1.1	# ctimes before the run's second

# backup ARGS...: a run; SNAP its snapshot directory.
backup() {
	run_cairn --source "$SRC" --json "$@"
	SNAP=$D/alice/$(json_field "$RUN_OUT" id)/$(json_field "$RUN_OUT" snapshot)
}

# ---- a same-size edit with an old mtime, --ignore-inode ------------------------------
backup --ignore-inode
check_rc 0 "a first backup (--ignore-inode)"
backup --ignore-inode
check_rc 0 "again, nothing changed"
check_eq "$(json_field "$RUN_OUT" sent)" 0 "nothing changed: nothing sent"
cp -p "$W/a2.txt" "$SRC/a.txt"
backup --ignore-inode
check_rc 0 "after cp -p of a same-size file with an older mtime (--ignore-inode)"
check_eq "$(json_field "$RUN_OUT" sent)" 1 "the edited file is sent"
check_eq "$(cat "$SNAP/a.txt" 2>/dev/null)" "version two" "the new snapshot has the new content"

# ---- a run killed while it writes its state --------------------------------------------
backup
check_rc 0 "a backup that leaves a good state"
# ok_state WHAT: the state file parses: it ends with "]" and its checksum
# line matches its lines.
ok_state() {
	_sum=$(sed '$d' "$STATE" | sed '$d' | cut -c 2- | md5sum | cut -c 1-32)
	if [ "$(tail -n 1 "$STATE")" = "]" ] &&
		[ "$(tail -n 2 "$STATE" | head -n 1)" = ",{\"state_md5\":\"$_sum\"}" ]; then
		ok "$1"
	else
		fail "$1" "$(head -c 600 "$STATE")"
	fi
}
ok_state "the state is whole before the killed run"
dd if=/dev/urandom of="$SRC/big.bin" bs=65536 count=64 2>/dev/null
bg_cairn killed --source "$SRC" --bwlimit 256
sleep 2
kill -9 "$BG_PID" 2>/dev/null
wait "$BG_SH" 2>/dev/null
check_eq "$(cat "$W/killed.rc" 2>/dev/null)" 137 "the run is killed mid-upload (SIGKILL)"
ok_state "the killed run left the old state whole"
backup
check_rc 0 "the next run completes"
check_eq "$(grep -c 'hashed again' "$RUN_ERR")" 0 "the next run trusts the state (nothing re-hashed)"
check_eq "$(json_field "$RUN_OUT" sent)" 1 "the next run sends only the new file"
stop_server
finish
