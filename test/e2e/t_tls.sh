#!/bin/sh
# t_tls.sh — the server speaks TLS 1.2 with ECDHE and AEAD suites only:
# an older protocol and a CBC suite are refused at the handshake, checked
# with openssl's own client; the allowed suites work.
. "$(dirname "$0")/lib.sh"

start_server || finish

try_tls() {	# try_tls NAME ARGS...: RUN_ERR gets openssl's stderr
	_name=$1
	shift
	RUN_N=$((RUN_N + 1))
	RUN_OUT=$W/run$RUN_N.out
	RUN_ERR=$W/run$RUN_N.err
	LAST_CMD="openssl s_client $*"
	timeout 20 openssl s_client -connect "127.0.0.1:$PORT" \
		-cert "$CERTS/client_cert.pem" -key "$CERTS/client_key.pem" \
		-CAfile "$CERTS/ca_cert.pem" -servername localhost "$@" \
		</dev/null >"$RUN_OUT" 2>"$RUN_ERR"
	RC=$?
}

try_tls tls11 -tls1_1
check_ne 0 "$RC" "TLS 1.1 is refused"
try_tls tls13 -tls1_3
check_ne 0 "$RC" "TLS 1.3 is refused (cairn speaks 1.2 only)"
try_tls cbc -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA256
check_ne 0 "$RC" "a CBC suite is refused"
try_tls cbc1 -tls1_2 -cipher ECDHE-ECDSA-AES256-SHA
check_ne 0 "$RC" "an old SHA-1 CBC suite is refused"
try_tls gcm -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
check_eq 0 "$RC" "ECDHE-ECDSA-AES128-GCM-SHA256 is accepted"
if grep -q 'Cipher is ECDHE-ECDSA-AES128-GCM-SHA256' "$RUN_OUT"; then
	ok "and is the suite in use"
else
	fail "and is the suite in use" "$(cat "$RUN_OUT")"
fi
try_tls chacha -tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305
check_eq 0 "$RC" "ECDHE-ECDSA-CHACHA20-POLY1305 is accepted"
finish
