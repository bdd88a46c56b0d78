#!/bin/sh
# t_growing.sh — a file appended to during backups is never dropped
# (issue 9, "Files that change while read"; "Retention never destroys the
# last copy").
#
# A writer appends 4 KiB of random bytes to log.txt (64 MiB to start with)
# every 10 ms while RUNS backups run one after the other with --keep 1.
# After every run:
#   - it exits 0 or 1; 1 names log.txt on stderr, and so must a manifest
#     record of log.txt flagged CHANGED or KEEP (a version other than the
#     one offered); exit 0 means log.txt is stored unflagged;
#   - the server still holds a snapshot, the newest is the run's, and its
#     manifest has a record of log.txt whose stored file has that
#     record's size and MD5 and is a prefix of the log as it is now (the
#     log only grows): a version of it, never none;
#   - a run with exit 0 leaves exactly one snapshot (--keep 1).
# At least one run must have read log.txt while it changed (else the test
# did not test it). Then the writer stops: a last run exits 0 and stores
# log.txt exactly; a restore brings that back.
# Each run has a budget of RUN_BUDGET seconds (default 300).
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-4}
RUN_BUDGET=${RUN_BUDGET:-300}
SRC=$W/src
LOG=$SRC/log.txt
mkdir -p "$SRC"
printf 'this one stays the same\n' >"$SRC/static.txt"
head -c 67108864 /dev/urandom >"$LOG"

# run_long ARGS...: run_cairn_long with $RUN_BUDGET seconds, and a failed
# check if the sanitizers reported anything (run_cairn_long does not look).
run_long() {
	run_cairn_long "$RUN_BUDGET" "$@"
	if grep -Eq "$SANITIZER_RE" "$RUN_ERR"; then
		fail "cairn: no sanitizer reports (run $RUN_N)"
		show_run
	fi
}

WRITER=
stop_writer() {
	[ -n "$WRITER" ] || return 0
	: >"$W/stop"
	wait "$WRITER" 2>/dev/null
	WRITER=
}
trap 'stop_writer; _on_exit' EXIT

start_server || finish

(
	while [ ! -f "$W/stop" ]; do
		head -c 4096 /dev/urandom >>"$LOG"
		sleep 0.01
	done
) &
WRITER=$!

# log_record SNAP: the manifest record of log.txt in snapshot SNAP, on one
# line, into $W/log.rec (empty when there is none).
log_record() {
	grep -F '"path":"log.txt"' "$D/alice/$ID/.manifests/$1.json" 2>/dev/null |
		head -n 1 | sed 's/^[[,]//' >"$W/log.rec"
}

# check_version WHAT SNAP: snapshot SNAP holds a version of log.txt that
# its manifest describes and that the log now begins with. Sets FLAGS.
check_version() {
	_s=$D/alice/$ID/$2
	log_record "$2"
	FLAGS=0
	if [ ! -s "$W/log.rec" ]; then
		fail "$1: the newest snapshot's manifest has log.txt" \
			"manifest: $D/alice/$ID/.manifests/$2.json" \
			"$(grep -c . "$D/alice/$ID/.manifests/$2.json" 2>&1) lines"
		return
	fi
	ok "$1: the newest snapshot's manifest has log.txt"
	_size=$(json_field "$W/log.rec" size)
	_md5=$(json_field "$W/log.rec" md5)
	FLAGS=$(json_field "$W/log.rec" flags)
	FLAGS=${FLAGS:-0}
	note "$1: log.txt stored: size $_size, flags $FLAGS"
	if [ ! -f "$_s/log.txt" ]; then
		fail "$1: the snapshot's tree holds log.txt" "$(ls -la "$_s" 2>&1)"
		return
	fi
	check_eq "$(stat -c %s "$_s/log.txt")" "$_size" "$1: the stored log.txt has the record's size"
	check_eq "$(file_md5 "$_s/log.txt")" "$_md5" "$1: the stored log.txt has the record's MD5"
	if cmp -s -n "$_size" "$_s/log.txt" "$LOG"; then
		ok "$1: the stored log.txt is a version of the log (a prefix of it now)"
	else
		fail "$1: the stored log.txt is a version of the log (a prefix of it now)" \
			"$(cmp -n "$_size" "$_s/log.txt" "$LOG" 2>&1)"
	fi
}

changed_runs=0
i=1
while [ $i -le "$RUNS" ]; do
	w="run $i of $RUNS (log.txt growing)"
	run_long --source "$SRC" --keep 1 --json
	case $RC in
	0 | 1) ok "$w: exit status $RC (0 or 1)" ;;
	*)
		fail "$w: exit status 0 or 1" "exit status $RC"
		show_run
		finish
		;;
	esac
	ID=$(json_field "$RUN_OUT" id)
	SNAP=$(json_field "$RUN_OUT" snapshot)
	n=$(snapshots_of "$D/alice/$ID" | wc -l | tr -d ' ')
	check_ge "$n" 1 "$w: the server still holds a snapshot"
	copies=0
	for _sn in $(snapshots_of "$D/alice/$ID"); do
		[ -f "$D/alice/$ID/$_sn/log.txt" ] && copies=$((copies + 1))
	done
	check_ge "$copies" 1 "$w: the server still holds a copy of log.txt ($copies of $n snapshots)"
	newest=$(snapshots_of "$D/alice/$ID" | tail -n 1)
	check_eq "$newest" "$SNAP" "$w: the newest snapshot is this run's"
	check_version "$w" "$newest"
	named=0
	grep -Fq 'log.txt' "$RUN_ERR" && named=1
	case $FLAGS in
	*[!0-9]* | '')
		fail "$w: log.txt's flags are a number" "flags: '$FLAGS'"
		FLAGS=0
		;;
	esac
	flagged=$(((FLAGS & 6) != 0))
	if [ "$RC" = 1 ]; then
		changed_runs=$((changed_runs + 1))
		check_eq "$named" 1 "$w: exit 1 names log.txt on stderr"
		check_eq "$flagged" 1 "$w: exit 1: log.txt's record says CHANGED or KEEP (flags $FLAGS)"
	else
		check_eq "$flagged" 0 "$w: exit 0: log.txt is stored as offered (flags $FLAGS, neither CHANGED nor KEEP)"
		check_eq "$n" 1 "$w: exit 0 with --keep 1: one snapshot left"
	fi
	if [ "$RC" = 1 ] && [ "$named" = 1 ]; then
		note "$w: $(grep -F 'log.txt' "$RUN_ERR" | head -n 1)"
	fi
	i=$((i + 1))
done
check_ge "$changed_runs" 1 "at least one run read log.txt while it grew (exit 1 naming it)"

stop_writer
w="the last run (log.txt quiet)"
run_long --source "$SRC" --keep 1 --json
check_rc 0 "$w: exit status 0"
ID=$(json_field "$RUN_OUT" id)
SNAP=$(json_field "$RUN_OUT" snapshot)
check_eq "$(snapshots_of "$D/alice/$ID" | tr '\n' ' ')" "$SNAP " "$w: --keep 1 leaves only its snapshot"
check_version "$w" "$SNAP"
check_eq "$FLAGS" 0 "$w: log.txt stored unflagged"
if cmp -s "$LOG" "$D/alice/$ID/$SNAP/log.txt"; then
	ok "$w: the stored log.txt is the log exactly"
else
	fail "$w: the stored log.txt is the log exactly" "$(cmp "$LOG" "$D/alice/$ID/$SNAP/log.txt" 2>&1)"
fi
run_long --restore "$ID" --path "$W/restored" --json
check_rc 0 "restore of the last snapshot: exit status 0"
if cmp -s "$LOG" "$W/restored/log.txt"; then
	ok "the restored log.txt is the log"
else
	fail "the restored log.txt is the log" "$(cmp "$LOG" "$W/restored/log.txt" 2>&1)"
fi

finish
