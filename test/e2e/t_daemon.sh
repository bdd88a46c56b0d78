#!/bin/sh
# t_daemon.sh — cairnd for init systems: --config, --daemon with
# --pidfile and --syslog, SIGHUP re-reading the certificates (a bad set
# is refused and the old one kept), SIGTERM removing the pid file.
. "$(dirname "$0")/lib.sh"

SRC=$W/src
mkdir -p "$SRC"
printf 'etc\n' >"$SRC/hosts"
SC=$W/servercerts
mkdir -p "$SC" "$D"
cp "$CERTS/server_cert.pem" "$CERTS/server_key.pem" "$SC/"
PORT=$(random_port)
cat >"$W/cairnd.conf" <<CONF
# cairnd settings
host 127.0.0.1
port $PORT
dir $D
cert $SC/server_cert.pem
key $SC/server_key.pem
ca $CERTS/ca_cert.pem
syslog
CONF
fingerprint() {
	timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost \
		-cert "$CERTS/client_cert.pem" -key "$CERTS/client_key.pem" \
		</dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>/dev/null
}

run_raw "$CAIRND" --config "$W/cairnd.conf" --daemon --pidfile "$W/cairnd.pid"
check_rc 0 "cairnd --daemon returns 0"
n=0
while [ ! -s "$W/cairnd.pid" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
DPID=$(cat "$W/cairnd.pid" 2>/dev/null)
if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
	ok "the pid file names the running server"
else
	fail "the pid file names the running server" "pid '$DPID'"
	finish
fi
run_cairn --source "$SRC" --json
check_rc 0 "a backup to the daemon"
FP1=$(fingerprint)

# A new server certificate from the same CA, then SIGHUP.
mkdir -p "$W/new"
cp "$CERTS/ca_cert.pem" "$CERTS/ca_key.pem" "$W/new/"
CERTS_DIR=$W/new sh "$TOP/tools/gen-certs.sh" "" localhost >"$W/gen.log" 2>&1 ||
	fail "a new server certificate" "$(cat "$W/gen.log")"
cp "$W/new/server_cert.pem" "$W/new/server_key.pem" "$SC/"
kill -HUP "$DPID"
sleep 1
FP2=$(fingerprint)
check_ne "$FP1" "$FP2" "after SIGHUP the server presents the new certificate"
run_cairn --source "$SRC" --json
check_rc 0 "backups go on after the reload"

# A broken key: SIGHUP keeps the old certificates.
printf 'not a key\n' >"$SC/server_key.pem"
kill -HUP "$DPID"
sleep 1
if kill -0 "$DPID" 2>/dev/null; then ok "a bad reload does not stop the server"; else fail "a bad reload does not stop the server"; fi
check_eq "$FP2" "$(fingerprint)" "and the last good certificate stays in use"
run_cairn --source "$SRC" --json
check_rc 0 "backups go on after a failed reload"

kill -TERM "$DPID"
n=0
while kill -0 "$DPID" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
if kill -0 "$DPID" 2>/dev/null; then
	fail "SIGTERM stops the daemon"
	kill -KILL "$DPID"
else
	ok "SIGTERM stops the daemon"
fi
[ -e "$W/cairnd.pid" ] && fail "the pid file is removed" || ok "the pid file is removed"

printf 'no-such-setting 1\n' >>"$W/cairnd.conf"
run_raw "$CAIRND" --config "$W/cairnd.conf"
check_rc 2 "an unknown setting: exit 2"
check_err_has "no-such-setting" "the message names it"
finish
