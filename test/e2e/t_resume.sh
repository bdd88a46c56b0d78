#!/bin/sh
# t_resume.sh — a run killed in the middle of a 300 MB upload leaves the
# committed snapshots exactly as they were (no new snapshot, no partial
# file in any), and the next run reuses the files already received and
# completes; its restore is byte-identical to the source. Two runs of the
# same backup at once: the second is refused as busy (exit 4), the first
# completes. Uses about 1.5 GB of disk for a moment; removes it at the end.
. "$(dirname "$0")/lib.sh"

BIG=300000000
THRESHOLD=50000000
note "disk: $(df -k "$W" | tail -n 1)"
start_server || finish

SRC=$W/src
mkdir -p "$SRC/s"
printf 'one\n' >"$SRC/s/one.txt"
printf 'two\n' >"$SRC/s/two.txt"

run_cairn --source "$SRC" --json
check_rc 0 "first backup (a small tree)"
ID=$(json_field "$RUN_OUT" id)
SNAP1=$(json_field "$RUN_OUT" snapshot)
B=$D/alice/$ID
if [ -z "$ID" ] || [ ! -d "$B/$SNAP1" ]; then
	fail "first snapshot exists" "id='$ID' snapshot='$SNAP1'"
	finish
fi
cp -a "$SRC" "$W/exp1"
BEFORE=$(snapshots_of "$B")

# upload_size DIR: bytes in the server's upload in progress for the backup
# DIR: .incoming/upload, or else the largest file under DIR's hidden names.
upload_size() {
	_s=$(stat -c %s "$1/.incoming/upload" 2>/dev/null)
	if [ -z "$_s" ]; then
		_s=$(find "$1" -path "$1/.*" -type f -exec stat -c %s {} + 2>/dev/null |
			sort -n | tail -n 1)
	fi
	echo "${_s:-0}"
}

# wait_upload DIR BYTES PID: wait (at most 60 s) until the upload for DIR
# exceeds BYTES or PID is gone; 0 if it did exceed.
wait_upload() {
	_n=0
	while [ $_n -lt 1200 ]; do
		[ "$(upload_size "$1")" -gt "$2" ] && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
		_n=$((_n + 1))
	done
	return 1
}

# ---- the client is killed in the middle of the big file ------------------------
i=1
while [ $i -le 9 ]; do
	head -c 10000 /dev/urandom >"$SRC/a$i.txt"
	i=$((i + 1))
done
NEW=10
if head -c $BIG /dev/urandom >"$SRC/z.bin" && [ "$(stat -c %s "$SRC/z.bin")" = $BIG ]; then
	ok "test setup: a 300 MB file"
else
	fail "test setup: a 300 MB file" "$(df -h "$W")"
	finish
fi

bg_cairn killed --source "$SRC" --json
if wait_upload "$B" $THRESHOLD "$BG_PID"; then
	ok "the upload of the big file passes 50 MB while the client runs"
	kill -9 "$BG_PID" 2>/dev/null
else
	fail "the upload of the big file passes 50 MB while the client runs" \
		"upload size $(upload_size "$B"), client exit status $(cat "$W/killed.rc" 2>/dev/null)" \
		"$(tail -n 5 "$W/killed.err")"
	kill -9 "$BG_PID" 2>/dev/null
fi
bg_wait killed
note "client killed (exit status $RC) with $(upload_size "$B") bytes of the upload on the server"
sleep 1
note "the server's bookkeeping after the kill:"
find "$B" -path "$B/.*" -exec ls -ld {} + 2>&1 | sed 's/^/       | /' | head -n 40

check_eq "$(snapshots_of "$B" | tr '\n' ' ')" "$(printf '%s\n' "$BEFORE" | tr '\n' ' ')" \
	"after the kill: the snapshot list is exactly as before"
check_tree "$W/exp1" "$B/$SNAP1" "after the kill: the committed snapshot is untouched"
leaked=$(find "$B" -path "$B/.*" -prune -o -print 2>/dev/null | grep -E '/(z\.bin|a[0-9]\.txt)$')
if [ -z "$leaked" ]; then
	ok "after the kill: no snapshot holds the big file, a partial file or the new small files"
else
	fail "after the kill: no snapshot holds the big file, a partial file or the new small files" "$leaked"
fi
run_cairn --list "$ID" --json
check_rc 0 "after the kill: --list ID --json"
check_eq "$(list_snapshots "$RUN_OUT" "$ID" | awk '{ print $1 }' | tr '\n' ' ')" "$SNAP1 " \
	"after the kill: --list shows only the committed snapshot"

# ---- the next run completes, reusing what was received ------------------------------
run_cairn --source "$SRC" --json
check_rc 0 "the run after the kill: exit 0"
SNAP2=$(json_field "$RUN_OUT" snapshot)
SENT=$(json_field "$RUN_OUT" sent)
note "the run after the kill: snapshot=$SNAP2 sent=$SENT bytes_sent=$(json_field "$RUN_OUT" bytes_sent)"
check_eq "$(json_field "$RUN_OUT" files)" 12 "the run after the kill: files = 12"
case $SENT in
'' | *[!0-9]*) fail "the run after the kill: sent is a number" "got '$SENT'" ;;
*)
	if [ "$SENT" -lt $NEW ]; then
		ok "the run after the kill: sent ($SENT) < $NEW new files (the received ones are reused)"
	else
		fail "the run after the kill: sent ($SENT) < $NEW new files (the received ones are reused)"
	fi
	check_eq "$SENT" 1 "the run after the kill: sent = 1 (only the big file; the small ones were received before the kill)"
	;;
esac
if [ -n "$SNAP2" ] && [ -d "$B/$SNAP2" ]; then
	check_tree "$SRC" "$B/$SNAP2" "the run after the kill: the snapshot equals the source"
else
	fail "the run after the kill: a snapshot directory" "snapshot='$SNAP2'"
fi
R=$W/restore
mkdir -p "$R"
run_cairn --restore "$ID" --path "$R" --json
check_rc 0 "restore after the resumed run: exit 0"
check_eq "$(json_field "$RUN_OUT" snapshot)" "$SNAP2" "restore after the resumed run: the newest snapshot"
check_eq "$(json_field "$RUN_OUT" errors)" 0 "restore after the resumed run: errors = 0"
check_tree "$SRC" "$R" "restore after the resumed run: byte-identical to the source"
check_meta "$SRC" "$R" "restore after the resumed run: modes and mtimes"
rm -rf "$R"

# ---- two runs of the same backup at once ----------------------------------------------
SRC2=$W/src2
mkdir -p "$SRC2"
printf 'small\n' >"$SRC2/small.txt"
head -c $BIG /dev/urandom >"$SRC2/big.bin"
BEGUN=$(grep -c begins "$SERVER_LOG")
bg_cairn first --source "$SRC2" --json
FIRST_PID=$BG_PID
# The first run holds the backup once the server says it begins (or data
# arrives); timing only, never a verdict.
n=0
while [ $n -lt 600 ]; do
	[ "$(grep -c begins "$SERVER_LOG")" -gt "$BEGUN" ] && break
	[ -d "$D/alice" ] && [ -n "$(find "$D/alice" -path '*/.incoming/upload' -size +1 2>/dev/null | head -n 1)" ] && break
	kill -0 "$FIRST_PID" 2>/dev/null || break
	sleep 0.05
	n=$((n + 1))
done
run_cairn --source "$SRC2" --json
first_running=0
kill -0 "$FIRST_PID" 2>/dev/null && first_running=1
check_rc 4 "a second run of the same backup while the first runs: exit 4"
check_err 'busy' "the second run says busy"
if [ $first_running = 0 ]; then
	note "the first run had already ended when the second was answered: the busy check may not have raced"
fi
# Again with another client state file: the server itself refuses.
STATE=$W/state_other.json
run_cairn --source "$SRC2" --json
kill -0 "$FIRST_PID" 2>/dev/null || first_running=0
check_rc 4 "a second run with another state file while the first runs: exit 4"
check_err 'busy' "the run with another state file says busy"
STATE=$W/state.json
if [ $first_running = 1 ]; then
	ok "the first run was still running while the others were refused"
else
	fail "the first run was still running while the others were refused" \
		"it ended too soon for this check to mean anything: make the file bigger"
fi
bg_wait first
check_rc 0 "the first run completes: exit 0"
ID2=$(json_field "$RUN_OUT" id)
S2=$(json_field "$RUN_OUT" snapshot)
if [ -n "$ID2" ] && [ -d "$D/alice/$ID2/$S2" ]; then
	check_tree "$SRC2" "$D/alice/$ID2/$S2" "the first run's snapshot equals its source"
	check_eq "$(snapshots_of "$D/alice/$ID2" | wc -l | tr -d ' ')" 1 "the refused runs made no snapshot"
else
	fail "the first run makes a snapshot" "id='$ID2' snapshot='$S2'"
fi

# ---- clean up the big files ----------------------------------------------------------------
stop_server
rm -rf "$SRC" "$SRC2" "$D" "$W/exp1"
note "disk after cleanup: $(df -k "$W" | tail -n 1)"

finish
