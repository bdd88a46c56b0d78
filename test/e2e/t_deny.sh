#!/bin/sh
# t_deny.sh — cairnd --deny F (issue 12, revocation): a client certificate
# listed by its SHA-256 fingerprint or its serial number is refused like a
# foreign CA's, in words; the list is read again on SIGHUP, a bad one is
# refused at start (exit 2) and kept out on SIGHUP.
. "$(dirname "$0")/lib.sh"

SRC=$W/src
mkdir -p "$SRC"
printf 'data\n' >"$SRC/a.txt"
openssl x509 -noout -fingerprint -sha256 -in "$CERTS/bob_cert.pem" >"$W/deny"
printf '# revoked: alice by serial, later\n' >>"$W/deny"

start_server --deny "$W/deny" || finish
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--state "$W/bob.state" --source "$SRC" --json
check_rc 4 "bob, listed by fingerprint: refused, exit 4"
check_err "deny list" "the refusal says the certificate is on the deny list"
if grep -q "bob.*deny list\|deny list" "$SERVER_LOG"; then
	ok "the server's log says so"
else
	fail "the server's log says so" "$(cat "$SERVER_LOG")"
fi
check_eq "$(ls "$D" 2>/dev/null | grep -c '^bob$')" 0 "nothing is made for bob"
run_cairn --source "$SRC" --json
check_rc 0 "alice, not listed, backs up"

# Now alice by serial number, bob no more; SIGHUP.
openssl x509 -noout -serial -in "$CERTS/client_cert.pem" >"$W/deny"
kill -HUP "$SERVER_PID"
sleep 1
run_cairn --source "$SRC" --json
check_rc 4 "after SIGHUP, alice, listed by serial: refused"
check_err "deny list" "in words"
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--state "$W/bob.state" --source "$SRC" --json
check_rc 0 "after SIGHUP, bob, no longer listed, backs up"

# A broken list on SIGHUP: the old one stays.
printf 'not a fingerprint\n' >"$W/deny"
kill -HUP "$SERVER_PID"
sleep 1
if grep -q "deny, line 1" "$SERVER_LOG" && grep -q "still using the old ones" "$SERVER_LOG"; then
	ok "a broken list on SIGHUP is named, with its line, and the old one kept"
else
	fail "a broken list on SIGHUP is named, with its line, and the old one kept" \
		"$(tail -n 5 "$SERVER_LOG")"
fi
run_cairn --source "$SRC" --json
check_rc 4 "alice is still refused"
stop_server

run_raw "$CAIRND" --host 127.0.0.1 --port "$(random_port)" --dir "$D" \
	--cert "$CERTS/server_cert.pem" --key "$CERTS/server_key.pem" \
	--ca "$CERTS/ca_cert.pem" --deny "$W/deny"
check_rc 2 "a broken list at start: exit 2"
check_err_has "$W/deny, line 1" "it names the file and the line"
run_raw "$CAIRND" --host 127.0.0.1 --port "$(random_port)" --dir "$D" \
	--cert "$CERTS/server_cert.pem" --key "$CERTS/server_key.pem" \
	--ca "$CERTS/ca_cert.pem" --deny "$W/missing"
check_rc 2 "a missing list at start: exit 2"
finish
