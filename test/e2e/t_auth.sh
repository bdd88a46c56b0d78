#!/bin/sh
# t_auth.sh — mutual TLS: the server refuses clients whose certificate
# comes from another CA (exit 4), a client without certificate files stops
# with a configuration error (exit 2), a client that cannot verify the
# server stops with a TLS error (exit 3), and two valid clients each get
# their own part of the store.
. "$(dirname "$0")/lib.sh"

# A second, unrelated CA with a client "mallory" and an impostor "alice".
EVIL=$W/evil
if CERTS_DIR=$EVIL FORCE=1 sh "$TOP/tools/gen-certs.sh" "" localhost >"$W/evil.log" 2>&1 &&
	CERTS_DIR=$EVIL OUT=mallory sh "$TOP/tools/gen-client-cert.sh" mallory >>"$W/evil.log" 2>&1 &&
	CERTS_DIR=$EVIL OUT=alice sh "$TOP/tools/gen-client-cert.sh" alice >>"$W/evil.log" 2>&1; then
	ok "a second CA and its client certificates"
else
	fail "a second CA and its client certificates" "$(cat "$W/evil.log")"
	finish
fi

start_server || finish

SRC=$W/src
mkdir -p "$SRC/d"
printf 'alice data\n' >"$SRC/a.txt"
printf 'more alice data\n' >"$SRC/d/b.txt"

# store_listing: every name under $D except hidden ones (the server's
# bookkeeping), sorted (for "nothing changed" checks).
store_listing() {
	(cd "$D" && find . -name '.?*' -prune -o -print | sort)
}

# ---- alice, the legitimate client -------------------------------------------
run_cairn --source "$SRC" --json
check_rc 0 "alice backs up"
ALICE_ID=$(json_field "$RUN_OUT" id)
ALICE_SNAP=$(json_field "$RUN_OUT" snapshot)
if [ -n "$ALICE_ID" ] && [ -d "$D/alice/$ALICE_ID/$ALICE_SNAP" ]; then
	check_tree "$SRC" "$D/alice/$ALICE_ID/$ALICE_SNAP" "alice's snapshot is under D/alice"
else
	fail "alice's snapshot is under D/alice/<id>/<snapshot>" "id='$ALICE_ID' snapshot='$ALICE_SNAP'"
fi
before=$(store_listing)

# ---- mallory: certificate from another CA -------------------------------------
STATE=$W/mallory_state.json
run_client "$EVIL/mallory_cert.pem" "$EVIL/mallory_key.pem" "$CERTS/ca_cert.pem" \
	--source "$SRC" --json
check_rc 4 "a client certificate from another CA is refused (exit 4)"
check_err 'certificate' "the refusal mentions the certificate"
if [ ! -e "$D/mallory" ]; then
	ok "nothing stored for mallory"
else
	fail "nothing stored for mallory" "$(cd "$D" && find mallory | head -n 10)"
fi
check_eq "$(store_listing)" "$before" "the store is unchanged after mallory"

# ---- an impostor: CN=alice from another CA -------------------------------------
STATE=$W/impostor_state.json
run_client "$EVIL/alice_cert.pem" "$EVIL/alice_key.pem" "$CERTS/ca_cert.pem" \
	--source "$SRC" --json
check_rc 4 "CN=alice from another CA is refused (exit 4)"
check_eq "$(store_listing)" "$before" "alice's backups are unchanged after the impostor"

# ---- no certificate files ---------------------------------------------------------
STATE=$W/alice_state.json
run_client "$W/nope/client_cert.pem" "$W/nope/client_key.pem" "$CERTS/ca_cert.pem" \
	--source "$SRC" --json
check_rc 2 "missing certificate files: exit 2 (configuration)"
if grep -Fq -e "$W/nope/client_cert.pem" "$RUN_ERR" ||
	grep -Fq -e "$W/nope/client_key.pem" "$RUN_ERR"; then
	ok "the message names the missing file"
else
	fail "the message names the missing file ($W/nope/client_cert.pem)"
	show_run
fi

# ---- the client cannot verify the server -------------------------------------------
run_client "$CERTS/client_cert.pem" "$CERTS/client_key.pem" "$EVIL/ca_cert.pem" \
	--source "$SRC" --json
check_rc 3 "a server certificate from an unknown CA: exit 3 (TLS)"
check_err 'server.*certificate|certificate.*server' "the message is about the server's certificate"
check_eq "$(store_listing)" "$before" "the store is unchanged after the failed handshake"

# ---- wrong server name ----------------------------------------------------------------
run_raw "$CAIRN" --server 127.0.0.1 --server-name not-this-server --port "$PORT" \
	--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
	--ca "$CERTS/ca_cert.pem" --state "$W/alice_state.json" --source "$SRC"
check_rc 3 "a server certificate for another name: exit 3 (TLS)"

# ---- bob, a second valid client -------------------------------------------------------------
BSRC=$W/bobsrc
mkdir -p "$BSRC/x"
printf 'bob data\n' >"$BSRC/bob.txt"
printf 'bob nested\n' >"$BSRC/x/y.txt"
STATE=$W/bob_state.json
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--source "$BSRC" --json
check_rc 0 "bob backs up"
BOB_ID=$(json_field "$RUN_OUT" id)
BOB_SNAP=$(json_field "$RUN_OUT" snapshot)
if [ -n "$BOB_ID" ] && [ -n "$BOB_SNAP" ] && [ -d "$D/bob/$BOB_ID/$BOB_SNAP" ]; then
	check_tree "$BSRC" "$D/bob/$BOB_ID/$BOB_SNAP" "bob's snapshot is under D/bob and equals his source"
else
	fail "bob's snapshot is under D/bob/<id>/<snapshot>" "id='$BOB_ID' snapshot='$BOB_SNAP'" \
		"store: $(store_listing | head -n 20 | tr '\n' ' ')"
fi
if [ -z "$(cd "$D" && find alice -name bob.txt)" ]; then
	ok "nothing of bob's is under D/alice"
else
	fail "nothing of bob's is under D/alice"
fi
check_tree "$SRC" "$D/alice/$ALICE_ID/$ALICE_SNAP" "alice's snapshot is untouched by bob"

# ---- alice and bob at the same time -----------------------------------------------------
printf 'alice, concurrent\n' >"$SRC/c.txt"
head -c 1048576 /dev/urandom >"$SRC/big.bin"
head -c 1048576 /dev/urandom >"$BSRC/big.bin"
# both NAME CERT KEY SOURCE: one client in the background.
both() {
	$TIMEOUT 120 "$CAIRN" --server 127.0.0.1 --server-name localhost --port "$PORT" \
		--cert "$2" --key "$3" --ca "$CERTS/ca_cert.pem" --state "$W/$1_state.json" \
		--source "$4" --json >"$W/conc_$1.out" 2>"$W/conc_$1.err" </dev/null
	echo $? >"$W/conc_$1.rc"
}
both alice "$CERTS/client_cert.pem" "$CERTS/client_key.pem" "$SRC" &
pa=$!
both bob "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$BSRC" &
pb=$!
wait $pa
wait $pb
for who in alice bob; do
	RC=$(cat "$W/conc_$who.rc" 2>/dev/null)
	RUN_OUT=$W/conc_$who.out
	RUN_ERR=$W/conc_$who.err
	LAST_CMD="(concurrent backup as $who)"
	check_rc 0 "$who backs up while the other does: exit 0"
done
A2=$D/alice/$(json_field "$W/conc_alice.out" id)/$(json_field "$W/conc_alice.out" snapshot)
B2=$D/bob/$(json_field "$W/conc_bob.out" id)/$(json_field "$W/conc_bob.out" snapshot)
check_tree "$SRC" "$A2" "alice's concurrent snapshot equals her source"
check_tree "$BSRC" "$B2" "bob's concurrent snapshot equals his source"

finish
