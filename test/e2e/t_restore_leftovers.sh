#!/bin/sh
# t_restore_leftovers.sh — a restore leaves no temporary file in the tree
# it restores: one killed (SIGKILL, where no clean-up can run) mid-file
# leaves its half-received file, and the next restore into the tree
# removes it; a restore whose files cannot get their times (futimens
# fails, LD_PRELOAD shim) discards each temporary.
. "$(dirname "$0")/lib.sh"

need_binaries
start_server || finish

SRC=$W/src
mkdir -p "$SRC/sub"
dd if=/dev/zero of="$SRC/sub/big.bin" bs=1048576 count=64 2>/dev/null
printf 'small\n' >"$SRC/a.txt"
printf 'deeper\n' >"$SRC/sub/b.txt"
run_cairn --source "$SRC" --json
check_rc 0 "a backup with a 64 MiB file"
ID=$(json_field "$RUN_OUT" id)

# leftovers DIR: the temporary files (ours, old or new names) under DIR.
leftovers() {
	find "$1" -name '.cairn-*' 2>/dev/null
}

# ---- killed mid-file -------------------------------------------------------------
T=$W/target
_try=0
_left=
while [ $_try -lt 5 ] && [ -z "$_left" ]; do
	_try=$((_try + 1))
	rm -rf "$T"
	bg_cairn killed --restore "$ID" --path "$T"
	_n=0
	while [ $_n -lt 400 ] && [ -z "$(find "$T/sub" -name '.cairn-*' -size +0 2>/dev/null)" ] &&
		[ ! -f "$W/killed.rc" ]; do
		sleep 0.02
		_n=$((_n + 1))
	done
	[ -n "$BG_PID" ] && kill -9 "$BG_PID" 2>/dev/null
	wait "$BG_SH" 2>/dev/null
	_left=$(leftovers "$T")
done
if [ -n "$_left" ]; then
	ok "a restore killed mid-file leaves its temporary (try $_try): $(basename "$_left")"
else
	fail "a restore killed mid-file leaves its temporary" "no temporary caught in $_try tries"
fi
run_cairn --restore "$ID" --path "$T"
check_rc 0 "the restore into the same tree, again"
check_eq "$(leftovers "$T")" "" "no temporary file is left in the tree"
check_tree "$SRC" "$T" "the tree is restored whole"

# ---- file times cannot be set --------------------------------------------------
SHIM=$TOP/build/asan/nofutime.so
case $CAIRN in */asan/*) _asan=1 ;; *) _asan= ;; esac
if [ -f "$SHIM" ] && [ -n "$_asan" ]; then
	T2=$W/target2
	LD_PRELOAD=$SHIM ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		run_cairn --restore "$ID" --path "$T2"
	check_rc 1 "futimens failing: the restore fails (exit 1)"
	check_err 'cannot put in place' "futimens failing: cairn says so"
	check_eq "$(leftovers "$T2")" "" "futimens failing: no temporary file is left in the tree"
else
	note "no LD_PRELOAD shim for this build: futimens failure not forced"
fi
stop_server
finish
