#!/bin/sh
# t_faults.sh — a store that cannot write (a full disk, forced with an
# LD_PRELOAD shim on the glibc build): the client is told why and exits 4,
# the server logs the failure exactly once, naming the client and its
# address, and the snapshot committed before is untouched. A commit whose
# manifest or rename cannot be made durable (fsync fails) is not told OK,
# leaves no manifest without its snapshot, and the next run completes. A
# commit makes its data durable before the rename that shows it.
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

# manifests_without_snapshot: the manifests of $D/alice/$ID whose snapshot
# directory does not exist.
manifests_without_snapshot() {
	for _m in "$D/alice/$ID/.manifests/"*.json; do
		[ -e "$_m" ] || continue
		_s=$(basename "$_m" .json)
		[ -d "$D/alice/$ID/$_s" ] || printf '%s\n' "$_s"
	done
}

# fsync_fails WHAT PATH: a backup while fsync of PATH fails.
fsync_fails() {
	CAIRN_FSYNC_EIO=$2
	LD_PRELOAD=$TOP/build/asan/diskfault.so
	export CAIRN_FSYNC_EIO LD_PRELOAD
	start_server || finish
	unset LD_PRELOAD CAIRN_FSYNC_EIO
	_before=$(snapshots_of "$D/alice/$ID" | wc -l | tr -d ' ')
	printf '%s\n' "$1" >"$SRC/$1.txt"
	run_cairn --source "$SRC" --json
	check_rc 4 "$1: the commit is not told OK: exit 4"
	check_err "durable|cannot commit" "$1: the client is told the commit failed"
	check_eq "$(snapshots_of "$D/alice/$ID" | wc -l | tr -d ' ')" "$_before" \
		"$1: no new snapshot is visible"
	check_eq "$(manifests_without_snapshot)" "" \
		"$1: no manifest is left without its snapshot"
	stop_server
	start_server || finish
	run_cairn --source "$SRC" --json
	check_rc 0 "$1: with the disk well again, the next run completes"
	stop_server
}
fsync_fails manifest-dir "$D/alice/$ID/.manifests"
fsync_fails backup-dir "$D/alice/$ID"

# ---- the order of a commit (issue 12, item 20) ----------------------------------
# The data durable (syncfs), then the manifest (fsync, rename), then the one
# rename of .partial that shows the snapshot, then that rename made
# durable: traced with an LD_PRELOAD shim.
CAIRN_TRACE=$W/trace
LD_PRELOAD=$TOP/build/asan/trace.so
export CAIRN_TRACE LD_PRELOAD
start_server || finish
unset LD_PRELOAD CAIRN_TRACE
printf 'traced\n' >"$SRC/traced.txt"
run_cairn --source "$SRC" --json
check_rc 0 "a traced backup"
SN=$(json_field "$RUN_OUT" snapshot)
stop_server
# line N PATTERN: the number of the first trace line matching PATTERN.
line() {
	grep -n -e "$1" "$W/trace" | head -n 1 | cut -d: -f1
}
_sync=$(line '^syncfs$')
_man=$(line "^rename \.cairn-tmp-[0-9a-f]* $SN\.json\$")
_snap=$(line "^rename \.partial $SN\$")
_dir=$(grep -n -e "^fsync $D/alice/$ID\$" "$W/trace" | cut -d: -f1 | tail -n 1)
if [ -n "$_sync" ] && [ -n "$_man" ] && [ -n "$_snap" ] && [ -n "$_dir" ] &&
	[ "$_sync" -lt "$_man" ] && [ "$_man" -lt "$_snap" ] && [ "$_snap" -lt "$_dir" ]; then
	ok "commit order: data synced, manifest renamed, snapshot renamed, directory synced"
else
	fail "commit order: data synced, manifest renamed, snapshot renamed, directory synced" \
		"syncfs at line '$_sync', manifest rename '$_man', snapshot rename '$_snap', directory fsync '$_dir'" \
		"$(sed 's/^/       | /' "$W/trace" | tail -n 20)"
fi
finish
