#!/bin/sh
# t_interrupt.sh — a backup cut short (client killed, then server killed,
# mid-transfer) never shows a partial snapshot nor harms the committed
# ones, and the next run completes. Whenever the kill lands, every visible
# snapshot must be whole.
. "$(dirname "$0")/lib.sh"

start_server || finish

SRC=$W/src
mkdir -p "$SRC/d"
head -c 16777216 /dev/urandom >"$SRC/first.bin"
i=0
while [ $i -lt 10 ]; do
	printf 'file %d\n' $i >"$SRC/d/f$i.txt"
	i=$((i + 1))
done

run_cairn --source "$SRC" --json
check_rc 0 "first backup"
ID=$(json_field "$RUN_OUT" id)
SNAP1=$(json_field "$RUN_OUT" snapshot)
B=$D/alice/$ID
if [ -z "$ID" ] || [ ! -d "$B/$SNAP1" ]; then
	fail "first snapshot exists" "id='$ID' snapshot='$SNAP1'"
	finish
fi
cp -a "$SRC" "$W/exp1"

NEXP=1

# whole_snapshots WHAT: the first snapshot equals exp1 and every other
# visible one equals one of the source's states so far (exp1..expN, or
# the current source).
whole_snapshots() {
	_bad=
	for _s in $(snapshots_of "$B"); do
		if [ "$_s" = "$SNAP1" ]; then
			tree_equal "$W/exp1" "$B/$_s" >/dev/null || _bad="$_bad $_s(first)"
			continue
		fi
		_good=0
		tree_equal "$SRC" "$B/$_s" >/dev/null && _good=1
		_e=1
		while [ $_good = 0 ] && [ $_e -le $NEXP ]; do
			tree_equal "$W/exp$_e" "$B/$_s" >/dev/null && _good=1
			_e=$((_e + 1))
		done
		[ $_good = 1 ] || _bad="$_bad $_s"
	done
	if [ -z "$_bad" ]; then
		ok "$1: every visible snapshot is whole"
	else
		fail "$1: every visible snapshot is whole" "incomplete or wrong:$_bad"
	fi
}

# in_background ARGS...: start the client as alice; CLIENT_PID.
in_background() {
	"$CAIRN" --server 127.0.0.1 --server-name localhost --port "$PORT" \
		--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
		--ca "$CERTS/ca_cert.pem" --state "$STATE" "$@" \
		>"$W/bg.out" 2>"$W/bg.err" </dev/null &
	CLIENT_PID=$!
}

# when_begun [SLEEP]: wait (at most 5 s) until the server's log shows one more
# backup beginning than before, to kill mid-transfer; only timing depends
# on it, never a verdict.
when_begun() {
	_n=0
	while [ $_n -lt 100 ]; do
		[ "$(grep -c begins "$SERVER_LOG")" -gt "$BEGUN" ] && break
		kill -0 "$CLIENT_PID" 2>/dev/null || break
		sleep 0.02
		_n=$((_n + 1))
	done
	[ -n "${1:-}" ] && sleep "$1"
}

# ---- the client is killed ---------------------------------------------------------
head -c 50331648 /dev/urandom >"$SRC/second.bin"
BEGUN=$(grep -c begins "$SERVER_LOG")
in_background --source "$SRC" --json
when_begun 0.1
kill -9 "$CLIENT_PID" 2>/dev/null
wait "$CLIENT_PID"
note "client killed (exit status $?); the server says:"
sleep 0.2
tail -n 2 "$SERVER_LOG" | sed 's/^/       | /'
whole_snapshots "client killed"
note "temporary files the killed client left beside its state: $(ls -A "$(dirname "$STATE")" | grep -c '^\.cairn-')"
run_cairn --source "$SRC" --json
check_rc 0 "the run after the killed client"
check_eq "$(ls -A "$(dirname "$STATE")" | grep '^\.cairn-')" "" \
	"the run after it leaves no temporary file of the killed one beside the state (issue 12, item 9)"
S=$(json_field "$RUN_OUT" snapshot)
if [ -n "$S" ] && [ -d "$B/$S" ]; then
	check_tree "$SRC" "$B/$S" "the run after the killed client: the snapshot equals the source"
	NEXP=2
	cp -a "$SRC" "$W/exp2"
else
	fail "the run after the killed client makes a snapshot" "snapshot='$S'"
fi

# when_receiving: wait (at most 10 s) until a file newer than $W/mark
# grows in the server's hidden bookkeeping of this backup (the partial
# snapshot), to kill the server mid-file; timing only, never a verdict.
when_receiving() {
	_n=0
	while [ $_n -lt 500 ]; do
		[ -n "$(find "$B" -path "$B/.*" -type f -newer "$W/mark" -size +1024 2>/dev/null | head -n 1)" ] && break
		kill -0 "$CLIENT_PID" 2>/dev/null || break
		sleep 0.02
		_n=$((_n + 1))
	done
	note "waited $_n polls for the server to receive"
}

# kill_server_hard: SIGKILL cairnd and the processes it forked (found by
# their parent pid in /proc), as a crash or power loss would.
kill_server_hard() {
	_kids=
	for _st in /proc/[0-9]*/stat; do
		# pid (comm) state ppid ...: the ppid follows the last ')'
		_ppid=$(sed 's/.*) [A-Za-z] \([0-9]*\).*/\1/' "$_st" 2>/dev/null)
		[ "$_ppid" = "$SERVER_PID" ] && _kids="$_kids ${_st#/proc/}"
	done
	_kids=$(printf '%s' "$_kids" | sed 's|/stat||g')
	kill -9 "$SERVER_PID" $_kids 2>/dev/null
	note "killed cairnd $SERVER_PID and its children:$_kids"
}

# ---- the server is killed ----------------------------------------------------------
head -c 50331648 /dev/urandom >"$SRC/third.bin"
: >"$W/mark"
sleep 1
in_background --source "$SRC" --json
when_receiving
kill_server_hard
wait "$CLIENT_PID"
rc=$?
if [ $rc = 0 ] || [ $rc = 3 ]; then
	ok "the client sees the server die: exit 3 (or 0 if it had finished)"
else
	fail "the client sees the server die: exit 3 (or 0 if it had finished)" "exit status $rc" \
		"$(tail -n 5 "$W/bg.err")"
fi
stop_server
whole_snapshots "server killed"
note "temporary files the killed server left: $(find "$D" -name '.cairn-tmp-*' | wc -l)"
# What a server killed while writing the catalog leaves (issue 12, item 9).
: >"$D/.cairn-tmp-00000000deadbeef"
start_server || finish
run_cairn --source "$SRC" --json
check_rc 0 "the run after the killed server"
check_eq "$(find "$D" -name '.cairn-tmp-*')" "" \
	"the run after it leaves no temporary file of the killed one in the store"
S=$(json_field "$RUN_OUT" snapshot)
if [ -n "$S" ] && [ -d "$B/$S" ]; then
	check_tree "$SRC" "$B/$S" "the run after the killed server: the snapshot equals the source"
else
	fail "the run after the killed server makes a snapshot" "snapshot='$S'"
fi
whole_snapshots "at the end"

finish
