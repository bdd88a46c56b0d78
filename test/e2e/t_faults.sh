#!/bin/sh
# t_faults.sh — a store that cannot write (a full disk, forced with an
# LD_PRELOAD shim on the glibc build): the client is told why and exits 4,
# the server logs the failure exactly once, naming the client and its
# address, and the snapshot committed before is untouched.
. "$(dirname "$0")/lib.sh"

SRC=$W/src
mkdir -p "$SRC"
printf 'first\n' >"$SRC/kept.txt"

if [ ! -f "$TOP/build/asan/diskfault.so" ] || [ "$CAIRND" != "$TOP/build/asan/cairnd" ]; then
	note "no LD_PRELOAD shim for this build: full disk not forced"
	ok "skipped: needs build/asan/diskfault.so and the ASan cairnd"
	finish
fi

start_server || finish
run_cairn --source "$SRC" --json
check_rc 0 "a first backup"
ID=$(json_field "$RUN_OUT" id)
S1=$(json_field "$RUN_OUT" snapshot)
stop_server

CAIRN_NOSPACE_PATH=/.incoming/
LD_PRELOAD=$TOP/build/asan/diskfault.so
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export CAIRN_NOSPACE_PATH LD_PRELOAD ASAN_OPTIONS
start_server || finish
unset LD_PRELOAD CAIRN_NOSPACE_PATH
head -c 100000 /dev/urandom >"$SRC/big.bin"
run_cairn --source "$SRC" --json
check_rc 4 "a backup onto a full disk: exit 4 (refused)"
check_err_has "cannot write big.bin: No space left on device" \
	"the client is told which file failed and why"
stop_server
check_eq "$(grep -c 'No space left on device' "$SERVER_LOG")" 1 \
	"the server logs the failure once"
if grep -q "alice (127\.0\.0\.1:[0-9]*): cannot write big.bin: No space left on device" \
	"$SERVER_LOG"; then
	ok "the server's line names the client and its address"
else
	fail "the server's line names the client and its address" "$(cat "$SERVER_LOG")"
fi
check_eq "$(snapshots_of "$D/alice/$ID" | tail -n 1)" "$S1" \
	"the snapshot before is still the newest"
if cmp -s "$SRC/kept.txt" "$D/alice/$ID/$S1/kept.txt"; then
	ok "its file is intact"
else
	fail "its file is intact"
fi
start_server || finish
run_cairn --source "$SRC" --json
check_rc 0 "with space again, the next backup succeeds"
check_eq "$(json_field "$RUN_OUT" sent)" 1 "and sends the new file"
stop_server
finish
