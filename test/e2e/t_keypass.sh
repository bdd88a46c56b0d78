#!/bin/sh
# t_keypass.sh — a server key encrypted by tools/gen-certs.sh (PKCS#8,
# PBES2 AES-256-CBC): cairnd reads its pass phrase from CAIRN_KEY_PASS or
# --key-pass-file, refuses a wrong one, and never hangs without a terminal.
# Also regenerates a server certificate with an existing CA.
. "$(dirname "$0")/lib.sh"

ENC=$W/enc
PASS='pass phrase with spaces'
mkdir -p "$ENC"
cp "$CERTS/ca_cert.pem" "$CERTS/ca_key.pem" "$ENC/"
if CERTS_DIR=$ENC sh "$TOP/tools/gen-certs.sh" "$PASS" localhost >"$W/gen.log" 2>&1; then
	ok "gen-certs.sh makes an encrypted server key with the existing CA"
else
	fail "gen-certs.sh makes an encrypted server key with the existing CA" "$(cat "$W/gen.log")"
	finish
fi
if cmp -s "$CERTS/ca_cert.pem" "$ENC/ca_cert.pem"; then
	ok "gen-certs.sh keeps the existing CA"
else
	fail "gen-certs.sh keeps the existing CA"
fi
if head -n 1 "$ENC/server_key.pem" | grep -q 'BEGIN ENCRYPTED PRIVATE KEY'; then
	ok "the server key is encrypted PKCS#8"
else
	fail "the server key is encrypted PKCS#8" "$(head -n 1 "$ENC/server_key.pem")"
fi
SERVER_CERT=$ENC/server_cert.pem
SERVER_KEY=$ENC/server_key.pem

SRC=$W/src
mkdir -p "$SRC"
printf 'data\n' >"$SRC/a.txt"

# No pass phrase and no terminal: a configuration error, no hang.
run_raw env -u CAIRN_KEY_PASS "$CAIRND" --host 127.0.0.1 --port "$(random_port)" \
	--dir "$D" --cert "$SERVER_CERT" --key "$SERVER_KEY" --ca "$CERTS/ca_cert.pem"
check_rc 2 "an encrypted key without a pass phrase: exit 2"
check_err_has "$SERVER_KEY" "the message names the key file"

# A wrong pass phrase.
printf 'wrong\n' >"$W/wrong.pass"
run_raw "$CAIRND" --host 127.0.0.1 --port "$(random_port)" --dir "$D" \
	--cert "$SERVER_CERT" --key "$SERVER_KEY" --ca "$CERTS/ca_cert.pem" \
	--key-pass-file "$W/wrong.pass"
check_rc 2 "a wrong pass phrase: exit 2"

# CAIRN_KEY_PASS.
CAIRN_KEY_PASS=$PASS
export CAIRN_KEY_PASS
if start_server; then
	run_cairn --source "$SRC" --json
	check_rc 0 "backup to a server whose key came from CAIRN_KEY_PASS"
	stop_server
fi
unset CAIRN_KEY_PASS

# --key-pass-file (one line, the newline is not part of the pass phrase).
printf '%s\n' "$PASS" >"$W/key.pass"
chmod 600 "$W/key.pass"
if start_server --key-pass-file "$W/key.pass"; then
	run_cairn --source "$SRC" --json
	check_rc 0 "backup to a server whose key came from --key-pass-file"
fi

finish
