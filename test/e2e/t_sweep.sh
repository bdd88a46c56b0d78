#!/bin/sh
# t_sweep.sh — fault sweeps (issue 12): for each kind of call the server
# makes on its store (write, fsync, syncfs, rename, link) and each way it
# can go wrong (EIO, ENOSPC for writes, the server killed right there), the
# fault is put at stepped points of a backup, one point a run, with the
# sweep.so shim; likewise the client killed at its state's writes, renames
# and syncs; and the link cut (cutproxy) after stepped byte counts. After
# each: cairnd --check --read-data finds the store clean, the snapshot
# committed before still equals its source, the next run completes and
# equals the source, and no temporary file is left in the store or beside
# the client's state.
#
# Time budget: SWEEP_SECONDS (default 200); points are 1, 2, 3, 5, 8, 13,
# ... of each kind, or every point with SWEEP_ALL=1 (for a longer run).
. "$(dirname "$0")/lib.sh"

SHIM=$TOP/build/asan/sweep.so
if [ ! -f "$SHIM" ] || [ "$CAIRND" != "$TOP/build/asan/cairnd" ]; then
	note "no LD_PRELOAD shim for this build: no sweep"
	ok "skipped: needs build/asan/sweep.so and the ASan cairnd"
	finish
fi
BUDGET=${SWEEP_SECONDS:-200}
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS
START=$(date +%s)

# The source in two versions: the sweep's runs back up v2 over a v1.
SRC=$W/src
mkdir -p "$SRC/d/e" "$SRC/k"
i=0
while [ $i -lt 8 ]; do
	head -c $((i * 9000 + 10)) /dev/urandom >"$SRC/d/f$i.bin"
	i=$((i + 1))
done
printf 'kept\n' >"$SRC/k/kept.txt"
ln -s ../k/kept.txt "$SRC/d/link"
cp -a "$SRC" "$W/v1"
start_server || finish
STATE=$W/v1.state
run_cairn --source "$SRC" --json
check_rc 0 "the first version, backed up"
ID=$(json_field "$RUN_OUT" id)
S1=$(json_field "$RUN_OUT" snapshot)
stop_server
cp -a "$D" "$W/store-v1"
# v2: two files changed, one new, one renamed (a link by content).
head -c 50000 /dev/urandom >"$SRC/d/f2.bin"
printf 'changed\n' >>"$SRC/d/f5.bin"
head -c 70000 /dev/urandom >"$SRC/new.bin"
mv "$SRC/d/f7.bin" "$SRC/k/moved.bin"
sleep 1	# so that the changed files' mtimes are not those of v1

points=0
fired=0
lost=0

# fresh_store: the store and state as they were after v1.
fresh_store() {
	rm -rf "$W/store" "$W/fired"
	cp -a "$W/store-v1" "$W/store"
	D=$W/store
	cp "$W/v1.state" "$W/run.state"
	STATE=$W/run.state
}

# shim_env OP DO N PATH: the sweep shim's settings, exported.
shim_env() {
	CAIRN_SWEEP_OP=$1 CAIRN_SWEEP_DO=$2 CAIRN_SWEEP_AT=$3 CAIRN_SWEEP_PATH=$4
	CAIRN_SWEEP_FIRED=$W/fired LD_PRELOAD=$SHIM
	export CAIRN_SWEEP_PATH CAIRN_SWEEP_OP CAIRN_SWEEP_DO CAIRN_SWEEP_AT \
		CAIRN_SWEEP_FIRED LD_PRELOAD
}
shim_off() {
	unset CAIRN_SWEEP_PATH CAIRN_SWEEP_OP CAIRN_SWEEP_DO CAIRN_SWEEP_AT \
		CAIRN_SWEEP_FIRED LD_PRELOAD
}

# after_fault WHAT RC: the checks after one faulty run (the server
# stopped): the store checks clean, the snapshot before equals its source,
# the next run completes and equals the source, no temporary is left.
after_fault() {
	_what=$1
	points=$((points + 1))
	case $2 in
	0 | 3 | 4 | 137) ;;
	*) fail "$_what: the client ends with 0, 3, 4 or killed" "exit status $2"; show_run ;;
	esac
	run_raw "$CAIRND" --check --read-data --dir "$W/store"
	if [ "$RC" != 0 ]; then
		fail "$_what: the store checks clean after the fault" "$(cat "$RUN_OUT")"
		lost=$((lost + 1))
	fi
	if ! tree_equal "$W/v1" "$W/store/alice/$ID/$S1"; then
		fail "$_what: the snapshot before equals its source"
		lost=$((lost + 1))
	fi
	start_server || finish
	run_cairn --source "$SRC" --json
	if [ "$RC" != 0 ]; then
		fail "$_what: the next run completes" "exit status $RC"
		show_run
	fi
	_s=$(json_field "$RUN_OUT" snapshot)
	stop_server
	if [ -z "$_s" ] || ! tree_equal "$SRC" "$W/store/alice/$ID/$_s"; then
		fail "$_what: the next run's snapshot equals the source" "snapshot '$_s'"
	fi
	run_raw "$CAIRND" --check --read-data --dir "$W/store"
	[ "$RC" = 0 ] || fail "$_what: the store checks clean after the next run" "$(cat "$RUN_OUT")"
	_left=$( (find "$W/store" -name '.cairn-*'; ls -A "$W" | grep '^\.cairn-') | head -n 3)
	[ -z "$_left" ] || fail "$_what: no temporary file is left" "$_left"
}

# sweep_point SIDE OP DO N: one faulty run, the fault in the server or in
# the client, and its checks. SWEPT=0 when the fault did not fire (N is
# past the last call of OP).
sweep_point() {
	fresh_store
	if [ "$1" = server ]; then
		shim_env "$2" "$3" "$4" "$W/store"
		start_server || finish
		shim_off
		run_cairn --source "$SRC" --json
	else
		start_server || finish
		# the client's own files: its state's temporaries, its directory
		case $2 in write) _p=/.cairn-st- ;; *) _p=$W ;; esac
		shim_env "$2" "$3" "$4" "$_p"
		run_cairn --source "$SRC" --json
		shim_off
	fi
	_rc=$RC
	stop_server
	SWEPT=1
	[ -f "$W/fired" ] || SWEPT=0
	[ $SWEPT = 1 ] && fired=$((fired + 1))
	after_fault "$1 $2/$3 at $4" "$_rc"
}

# cut_point N: the link cut after N bytes from the client. SWEPT=0 when
# the backup was over before.
cut_point() {
	fresh_store
	start_server || finish
	_pp=$(random_port)
	"$TOP/build/asan/cutproxy" "$_pp" "$PORT" "$1" >"$W/proxy.out" 2>&1 &
	_ppid=$!
	_n=0
	until grep -q listening "$W/proxy.out" 2>/dev/null || [ $_n -ge 50 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	_sp=$PORT
	PORT=$_pp
	run_cairn --source "$SRC" --json
	_rc=$RC
	PORT=$_sp
	wait "$_ppid"
	_cut=$?
	SWEPT=1
	[ $_cut = 0 ] || SWEPT=0	# the proxy cut (0), or the run ended first
	[ $SWEPT = 1 ] && fired=$((fired + 1))
	stop_server
	after_fault "link cut after $1 bytes" "$_rc"
}

# budget_left: 0 while the time budget lasts.
budget_left() {
	[ $(($(date +%s) - START)) -lt "$BUDGET" ] && return 0
	over=1
	return 1
}

over=0
# The link first: few points, and the calls then take what is left.
n=100
while budget_left; do
	cut_point "$n"
	[ $SWEPT = 1 ] || break
	if [ "${SWEEP_ALL:-0}" = 1 ]; then
		n=$((n + 997))
	else
		n=$((n * 3))
	fi
done
note "link cut: up to $n bytes"
for point in server/write/eio server/write/enospc server/write/kill \
	server/fsync/eio server/fsync/kill server/syncfs/eio server/syncfs/kill \
	server/rename/eio server/rename/kill server/link/eio server/link/kill \
	client/write/kill client/rename/kill client/fsync/kill; do
	side=${point%%/*}
	rest=${point#*/}
	a=1 b=1 n=1
	while budget_left; do
		sweep_point "$side" "${rest%/*}" "${rest#*/}" "$n"
		[ $SWEPT = 1 ] || break
		if [ "${SWEEP_ALL:-0}" = 1 ]; then
			n=$((n + 1))
		else
			n=$((a + b))	# 2, 3, 5, 8, 13, ...
			a=$b
			b=$n
		fi
	done
	note "$point: points up to $n"
	[ $over = 1 ] && break
done
_left=
[ $over = 1 ] && _left=" (the budget of $BUDGET s ran out first; SWEEP_SECONDS for more)"
note "sweep: $points points tried, $fired faults injected, snapshots lost: $lost, $(($(date +%s) - START)) s$_left"
check_eq "$lost" 0 "no committed snapshot lost or damaged at any point"
[ $fired -gt 0 ] && ok "the sweep injected $fired faults" || fail "the sweep injected faults"
finish
