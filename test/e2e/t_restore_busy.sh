#!/bin/sh
# t_restore_busy.sh — a backup being restored cannot be removed meanwhile
# (issue 12, item 14): --remove is refused as busy, in words, and the
# restore completes whole; a backup run during the restore still works,
# and its --keep waits. The restore is slowed with an LD_PRELOAD shim.
. "$(dirname "$0")/lib.sh"

SHIM=$TOP/build/asan/diskfault.so
if [ ! -f "$SHIM" ] || [ "$CAIRN" != "$TOP/build/asan/cairn" ]; then
	note "no LD_PRELOAD shim for this build: restore not slowed"
	ok "skipped: needs build/asan/diskfault.so and the ASan cairn"
	finish
fi

SRC=$W/src
mkdir -p "$SRC"
head -c 3000000 /dev/urandom >"$SRC/big.bin"
printf 'small\n' >"$SRC/small.txt"
start_server || finish
run_cairn --source "$SRC" --json
check_rc 0 "a backup"
ID=$(json_field "$RUN_OUT" id)
SNAP=$(json_field "$RUN_OUT" snapshot)

# The restore writes its files slowly: about 100 writes of 50 ms.
mkdir -p "$W/out"
CAIRN_SLOW_PATH=$W/out/ LD_PRELOAD=$SHIM \
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	bg_cairn slow --restore "$ID" --path "$W/out" --json
_n=0
until grep -q "restoring backup $ID" "$SERVER_LOG" || [ $_n -ge 100 ]; do
	sleep 0.1
	_n=$((_n + 1))
done
check_eq "$(grep -c "restoring backup $ID" "$SERVER_LOG")" 1 "the restore has begun"

run_cairn --remove "$ID@$SNAP" --json
check_rc 4 "removing the snapshot being restored: exit 4"
check_err "restore of it is in progress" "the refusal says a restore is in progress"
run_cairn --remove "$ID" --json
check_rc 4 "removing the whole backup meanwhile: exit 4"
printf 'more\n' >"$SRC/new.txt"
run_cairn --source "$SRC" --keep 1 --json
check_rc 0 "a backup run during the restore works"
check_eq "$(snapshots_of "$D/alice/$ID" | wc -l | tr -d ' ')" 2 \
	"its --keep 1 waits while the restore reads"

bg_wait slow
check_rc 0 "the restore completes"
if cmp -s "$SRC/big.bin" "$W/out/big.bin" && cmp -s "$SRC/small.txt" "$W/out/small.txt"; then
	ok "every file restored byte for byte"
else
	fail "every file restored byte for byte"
	show_run
fi
run_cairn --remove "$ID@$SNAP" --json
check_rc 0 "after the restore the snapshot can be removed"
stop_server
finish
