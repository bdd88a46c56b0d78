#!/bin/sh
# t_keepalive.sh — a commit that takes longer than the client's --timeout
# (issue 12, item 12): in a v2 session cairnd sends KEEPALIVE while it
# syncs, so the client keeps its normal timeout throughout and the backup
# completes; and when the server falls silent in the middle of a commit
# (its session stopped), the client gives up after its --timeout instead of
# waiting an hour. The sync is slowed with an LD_PRELOAD shim.
. "$(dirname "$0")/lib.sh"

SHIM=$TOP/build/asan/diskfault.so
if [ ! -f "$SHIM" ] || [ "$CAIRND" != "$TOP/build/asan/cairnd" ]; then
	note "no LD_PRELOAD shim for this build: the sync cannot be slowed"
	ok "skipped: needs build/asan/diskfault.so and the ASan cairnd"
	finish
fi

SLOW=20000	# ms each syncfs of the server takes
WAIT=8		# the client's --timeout, in seconds: well under SLOW

SRC=$W/src
mkdir -p "$SRC"
head -c 200000 /dev/urandom >"$SRC/data.bin"
printf 'small\n' >"$SRC/small.txt"

CAIRN_SLOW_SYNC_MS=$SLOW
LD_PRELOAD=$SHIM
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export CAIRN_SLOW_SYNC_MS LD_PRELOAD ASAN_OPTIONS
start_server
started=$?
unset LD_PRELOAD CAIRN_SLOW_SYNC_MS
[ $started = 0 ] || finish

# ---- a slow commit, kept alive -------------------------------------------------
t0=$(date +%s)
run_cairn --source "$SRC" --timeout "$WAIT" --json
check_rc 0 "a backup whose commit syncs for $((SLOW / 1000)) s, with --timeout $WAIT: exit 0"
took=$(elapsed_since "$t0")
note "the backup took $took s"
check_ge "$took" $((SLOW / 1000 - 2)) "the shim slowed the commit's sync (it took at least $((SLOW / 1000 - 2)) s)"
ID=$(json_field "$RUN_OUT" id)
check_eq "$(snapshots_of "$D/alice/$ID" | wc -l | tr -d ' ')" 1 "the snapshot is committed"

# ---- a server silent in the middle of its commit ---------------------------------
# The session forks a child for the sync: when that child exists, the
# session is in its commit. Stopping the session stops its KEEPALIVEs.
printf 'changed\n' >"$SRC/small.txt"
bg_cairn silent --source "$SRC" --timeout "$WAIT" --json
sess= syncer= _n=0
while [ -z "$syncer" ] && [ $_n -lt 200 ]; do
	sleep 0.1
	_n=$((_n + 1))
	for p in $(pgrep -P "$SERVER_PID" 2>/dev/null); do
		c=$(pgrep -P "$p" 2>/dev/null | head -n 1)
		if [ -n "$c" ]; then
			sess=$p
			syncer=$c
		fi
	done
done
if [ -z "$sess" ]; then
	fail "the second backup reaches its commit's sync (a child of the session)" \
		"no grandchild of cairnd $SERVER_PID within 20 s"
	bg_wait silent
	show_run
	stop_server
	finish
fi
ok "the second backup is in its commit's sync (session $sess, sync $syncer)"
kill -STOP "$sess"
# The client must end on its own while the session stays stopped: a client
# that waited for the reply would not end before bg_wait gives up.
_n=0
while [ ! -f "$W/silent.rc" ] && [ $_n -lt 600 ]; do
	sleep 0.1
	_n=$((_n + 1))
done
ended=0
[ -f "$W/silent.rc" ] && ended=1
kill -CONT "$sess"
check_eq "$ended" 1 "with the server silent, the client ends by itself (its --timeout $WAIT, not an hour)"
bg_wait silent
check_rc 3 "the client that lost its server mid-commit: exit 3"
check_err "connection lost" "it says the connection was lost"

stop_server
finish
