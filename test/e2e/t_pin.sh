#!/bin/sh
# t_pin.sh — a device without a clock: the certificate check says plainly
# that the clock is wrong, and --server-fingerprint pins the server's
# certificate so that backups work anyway; a wrong pin is refused.
. "$(dirname "$0")/lib.sh"

SRC=$W/src
mkdir -p "$SRC"
printf 'router config\n' >"$SRC/config.txt"
FP=$(openssl x509 -in "$CERTS/server_cert.pem" -noout -fingerprint -sha256 |
	cut -d= -f2)
start_server || finish

run_cairn --source "$SRC" --json --server-fingerprint "$FP"
check_rc 0 "backup with the right pin"
check_eq 1 "$(json_field "$RUN_OUT" sent)" "the file is sent"

run_cairn --source "$SRC" --json --server-fingerprint \
	"$(printf '%s' "$FP" | tr '0-9A-F' '1-9A-F0')"
check_rc 3 "a wrong pin: exit 3"
check_err_has "pinned" "the message says the certificate is not the pinned one"

run_cairn --source "$SRC" --json --server-fingerprint "12:34"
check_rc 2 "a malformed pin: exit 2"

# The clock reads 1970 on the client only (the shim needs the glibc build).
if [ -f "$TOP/build/asan/oldclock.so" ] && [ "$CAIRN" = "$TOP/build/asan/cairn" ]; then
	SHIM="LD_PRELOAD=$TOP/build/asan/oldclock.so"
	AO="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	run_raw env "$SHIM" "$AO" "$CAIRN" --server 127.0.0.1 --server-name localhost \
		--port "$PORT" --cert "$CERTS/client_cert.pem" \
		--key "$CERTS/client_key.pem" --ca "$CERTS/ca_cert.pem" \
		--state "$W/state.json" --source "$SRC" --json
	check_rc 3 "clock at 1970 without a pin: exit 3"
	check_err_has "clock" "the message says the clock is wrong"
	check_err_has "server-fingerprint" "and points at --server-fingerprint"
	run_raw env "$SHIM" "$AO" "$CAIRN" --server 127.0.0.1 \
		--port "$PORT" --cert "$CERTS/client_cert.pem" \
		--key "$CERTS/client_key.pem" --ca "$CERTS/ca_cert.pem" \
		--state "$W/state.json" --source "$SRC" --json \
		--server-fingerprint "$FP"
	check_rc 0 "clock at 1970 with the pin: the backup works"
else
	note "no clock shim for this build: the 1970 clock is not forced"
fi
finish
