#!/bin/sh
# t_limits.sh — connections that never finish a TLS handshake cannot lock
# real clients out, and the limits on served clients hold.
#
# 1. Stallers from 127.0.0.2 and 127.0.0.3 (evilclient stall: plain TCP,
#    never TLS, reopened whenever the server closes one) hold every
#    handshake slot of a cairnd with its default limits; a real client
#    from 127.0.0.1 must complete a backup 10 times out of 10, each within
#    5 s, and is never told the server is busy.
# 2. Served clients keep --max-clients and --max-per-host: with one slot,
#    a second client is told busy while the first runs, stallers or not;
#    two clients starting together get one session, not two.
# All traffic stays on 127.0.0.0/8; every loop is bounded.
. "$(dirname "$0")/lib.sh"

TOOLS=${TOOLS:-$TOP/build/asan}
EVILCLIENT=$TOOLS/evilclient
if [ ! -x "$EVILCLIENT" ]; then
	fail "binary $EVILCLIENT exists" "build it first: make asan"
	finish
fi

RUNS=10		# real backups under attack
LIMIT=5		# seconds each may take
STALL=16	# connections per attacking address

SRC=$W/src
mkdir -p "$SRC/d"
printf 'one\n' >"$SRC/a.txt"
printf 'two\n' >"$SRC/d/b.txt"

# stall_start NAME ADDR COUNT: COUNT stalling connections from ADDR in the
# background for at most 120 s; STALL_PID_<NAME> in $W/NAME.pid.
stall_start() {
	rm -f "$W/$1.pid" "$W/$1.rc"
	(
		"$EVILCLIENT" 127.0.0.1 "$PORT" localhost "$CERTS/client_cert.pem" \
			"$CERTS/client_key.pem" "$CERTS/ca_cert.pem" stall "$2" \
			--count "$3" --idle 120 >"$W/$1.out" 2>"$W/$1.err" </dev/null &
		echo $! >"$W/$1.pid"
		wait $!
		echo $? >"$W/$1.rc"
	) &
	_n=0
	while [ ! -s "$W/$1.pid" ] && [ $_n -lt 50 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
}

# stall_stop NAME: SIGTERM the staller, wait for its line (at most 10 s)
# and note it; STALL_LINE is the line.
stall_stop() {
	kill "$(cat "$W/$1.pid" 2>/dev/null)" 2>/dev/null
	_n=0
	while [ ! -f "$W/$1.rc" ] && [ $_n -lt 100 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	[ -f "$W/$1.rc" ] || kill -9 "$(cat "$W/$1.pid" 2>/dev/null)" 2>/dev/null
	STALL_LINE=$(cat "$W/$1.out" 2>/dev/null)
	note "staller $1: ${STALL_LINE:-(no line: $(tail -n 1 "$W/$1.err" 2>/dev/null))}"
	if grep -Eq "$SANITIZER_RE" "$W/$1.err" 2>/dev/null; then
		fail "staller $1: no sanitizer reports" "$(head -n 20 "$W/$1.err")"
	fi
}

# stall_opened LINE: how many connections the staller opened.
stall_opened() {
	printf '%s\n' "$1" | sed -n 's/.* -> \([0-9]*\) opened.*/\1/p'
}

# timed_backup: one backup as alice within LIMIT s; RC, and ELAPSED.
timed_backup() {
	_t0=$(date +%s)
	if [ -n "$TIMEOUT" ]; then
		run_raw $TIMEOUT "$LIMIT" "$CAIRN" --server 127.0.0.1 \
			--server-name localhost --port "$PORT" \
			--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
			--ca "$CERTS/ca_cert.pem" --state "$STATE" --source "$SRC" --json
	else
		run_cairn --source "$SRC" --json
	fi
	ELAPSED=$(elapsed_since "$_t0")
	[ "$RC" = 0 ] && [ "$ELAPSED" -gt "$LIMIT" ] && RC=124
	return 0
}

# ---- 1. stallers hold every handshake slot ------------------------------------
start_server || finish
run_cairn --source "$SRC" --json
check_rc 0 "a backup before the stallers"

stall_start stall2 127.0.0.2 "$STALL"
stall_start stall3 127.0.0.3 "$STALL"
sleep 2

good=0 busy=0 slow=0 other=
i=0
while [ $i -lt $RUNS ]; do
	i=$((i + 1))
	printf 'run %s\n' "$i" >"$SRC/a.txt"
	timed_backup
	if [ "$RC" = 0 ]; then
		good=$((good + 1))
	elif grep -q busy "$RUN_ERR"; then
		busy=$((busy + 1))
	elif [ "$RC" = 124 ]; then
		slow=$((slow + 1))
	else
		other="$other run $i: exit $RC: $(tail -n 1 "$RUN_ERR");"
	fi
done
note "under attack: $good of $RUNS backups completed within $LIMIT s," \
	"$busy told busy, $slow too slow${other:+, others:$other}"
stall_stop stall2
_o2=$(stall_opened "$STALL_LINE")
stall_stop stall3
_o3=$(stall_opened "$STALL_LINE")
check_ge "${_o2:-0}" "$STALL" "the staller from 127.0.0.2 opened its $STALL connections"
check_ge "${_o3:-0}" "$STALL" "the staller from 127.0.0.3 opened its $STALL connections"
check_eq "$good" "$RUNS" "a real client completes $RUNS of $RUNS backups within $LIMIT s each while stallers hold every handshake slot"
check_eq "$busy" 0 "stallers never make the server refuse a real client as busy"
if grep -q 'handshake slots are full' "$SERVER_LOG"; then
	ok "the server dropped stallers to make room"
else
	fail "the server dropped stallers to make room" \
		"no 'handshake slots are full' in $SERVER_LOG"
fi
server_alive() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		ok "$1: cairnd still runs"
	else
		fail "$1: cairnd still runs" "$(tail -n 20 "$SERVER_LOG")"
	fi
}
server_alive "after the stallers"
stop_server

# ---- 2. served clients keep --max-clients and --max-per-host --------------------
start_server --max-clients 1 || finish
head -c 20000000 /dev/urandom >"$W/big.bin"
SLOWSRC=$W/slowsrc
mkdir -p "$SLOWSRC"
mv "$W/big.bin" "$SLOWSRC/big.bin"
stall_start stall2 127.0.0.2 "$STALL"
bg_cairn slow --source "$SLOWSRC" --bwlimit 4000 --json
sleep 1.5
STATE=$W/bob_state.json
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--source "$SRC" --json
STATE=$W/state.json
check_rc 4 "--max-clients 1: a second client while one runs: exit 4"
check_err_has "all connections in use" "--max-clients 1: the second is told all connections are in use"
bg_wait slow
check_rc 0 "--max-clients 1: the first backup completes, stallers or not"
stall_stop stall2
stop_server

# Two clients at once for one slot: one session, the other told busy.
start_server --max-clients 1 || finish
rm -f "$SLOWSRC/big.bin"
head -c 8000000 /dev/urandom >"$SLOWSRC/big.bin"
bg_cairn first --source "$SLOWSRC" --bwlimit 4000 --json
_first_sh=$BG_SH
STATE=$W/bob_state.json
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--source "$SRC" --json
STATE=$W/state.json
_bob=$RC
bg_wait first
_alice=$RC
note "two at once for one slot: alice exit $_alice, bob exit $_bob"
if { [ "$_alice" = 0 ] && [ "$_bob" = 4 ]; } ||
	{ [ "$_alice" = 4 ] && [ "$_bob" = 0 ]; }; then
	ok "--max-clients 1: of two clients at once, one is served and one told busy"
else
	fail "--max-clients 1: of two clients at once, one is served and one told busy" \
		"alice exit $_alice, bob exit $_bob"
fi
stop_server

# --max-per-host 1: a second client from the same address is busy.
start_server --max-clients 4 --max-per-host 1 || finish
rm -f "$SLOWSRC/big.bin"
head -c 8000000 /dev/urandom >"$SLOWSRC/big.bin"
bg_cairn slow2 --source "$SLOWSRC" --bwlimit 2000 --json
sleep 1.5
STATE=$W/bob_state.json
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--source "$SRC" --json
STATE=$W/state.json
check_rc 4 "--max-per-host 1: a second client from 127.0.0.1 while one runs: exit 4"
check_err_has "too many connections from this address" "--max-per-host 1: told too many from this address"
bg_wait slow2
check_rc 0 "--max-per-host 1: the first backup completes"
finish
