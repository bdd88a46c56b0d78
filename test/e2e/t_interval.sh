#!/bin/sh
# t_interval.sh — unattended operation: --interval with a fraction small
# enough to see several snapshots in seconds, then SIGTERM: a clean exit 0
# within seconds and consistent state; --daemon with --pidfile; --config
# with flags that win over it; a run refused while another one holds the
# source's lock.
. "$(dirname "$0")/lib.sh"

SRC=$W/src
mkdir -p "$SRC"
printf 'one\n' >"$SRC/a.txt"
start_server || finish

# 0.0003 hours is about 1.1 s.
bg_pidfile=$W/interval.pid
(
	exec "$CAIRN" --server 127.0.0.1 --server-name localhost --port "$PORT" \
		--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
		--ca "$CERTS/ca_cert.pem" --state "$STATE" --source "$SRC" \
		--interval 0.0003 --quiet 2>"$W/interval.err"
) &
IPID=$!
n=0
count=0
while [ $n -lt 150 ]; do
	count=$(ls "$D/alice" 2>/dev/null | head -n 1 | while read -r id; do
		snapshots_of "$D/alice/$id" | wc -l; done)
	[ "${count:-0}" -ge 3 ] && break
	sleep 0.2
	n=$((n + 1))
done
check_ge "${count:-0}" 3 "--interval 0.0003 made at least three snapshots"
t0=$(date +%s)
kill -TERM $IPID
wait $IPID
rc=$?
t1=$(date +%s)
check_eq 0 "$rc" "SIGTERM: exit 0"
check_ge 5 $((t1 - t0)) "it stopped within 5 s"
if grep -Eq "$SANITIZER_RE" "$W/interval.err"; then
	fail "no sanitizer reports from the periodic runs" "$(cat "$W/interval.err")"
fi
ls "$D"/alice/*/.partial 2>/dev/null && note "a partial snapshot was left for the next run (allowed)"
run_cairn --source "$SRC" --json
check_rc 0 "a normal run after the periodic one: the state is consistent"
check_eq 0 "$(json_field "$RUN_OUT" sent)" "and nothing needs sending"

# --daemon and --pidfile: the parent returns at once, the pid file names
# the daemon, SIGTERM removes it.
run_cairn --source "$SRC" --interval 1 --daemon --pidfile "$W/cairn.pid" --syslog
check_rc 0 "--daemon returns 0 at once"
n=0
while [ ! -s "$W/cairn.pid" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
DPID=$(cat "$W/cairn.pid" 2>/dev/null)
if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
	ok "the pid file names the running daemon ($DPID)"
	kill -TERM "$DPID"
	n=0
	while kill -0 "$DPID" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	if kill -0 "$DPID" 2>/dev/null; then
		fail "the daemon stops on SIGTERM"
		kill -KILL "$DPID"
	else
		ok "the daemon stops on SIGTERM"
	fi
	[ -e "$W/cairn.pid" ] && fail "the pid file is removed" || ok "the pid file is removed"
else
	fail "the pid file names the running daemon" "pid '$DPID'"
fi

# --config: key value lines; flags win.
cat >"$W/cairn.conf" <<CONF
# a comment, then settings
server 127.0.0.1
server-name localhost
port $PORT
cert $CERTS/client_cert.pem
key $CERTS/client_key.pem
ca $CERTS/ca_cert.pem
state $STATE
source $W/nowhere
json
CONF
run_raw "$CAIRN" --config "$W/cairn.conf" --source "$SRC"
check_rc 0 "--config with --source on the command line winning"
check_eq 0 "$(json_field "$RUN_OUT" sent)" "the run used the configured state"
printf 'bogus-setting 1\n' >>"$W/cairn.conf"
run_raw "$CAIRN" --config "$W/cairn.conf" --source "$SRC"
check_rc 2 "an unknown setting in the file: exit 2"
check_err_has "bogus-setting" "the message names it"

# Two runs of one source: the second is refused while the first runs.
head -c 30000000 /dev/urandom >"$SRC/big.bin"
"$CAIRN" --server 127.0.0.1 --server-name localhost --port "$PORT" \
	--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
	--ca "$CERTS/ca_cert.pem" --state "$STATE" --source "$SRC" \
	--bwlimit 5000 --quiet 2>"$W/slow.err" &
SLOW=$!
sleep 1
run_cairn --source "$SRC" --json
check_rc 4 "a second run of the same source while one runs: exit 4"
check_err_has "busy" "the message says busy"
wait $SLOW
check_eq 0 "$?" "the first run completes (at --bwlimit 5000 KB/s)"
rm -f "$SRC/big.bin"
finish
