#!/bin/sh
# t_reserved.sh — a client certificate whose name is one of the store's own
# top-level names (backup_state.json) is refused in words, before it can
# make anything, and the other clients' catalog stays writable.
. "$(dirname "$0")/lib.sh"

SRC=$W/src
mkdir -p "$SRC"
printf 'data\n' >"$SRC/a.txt"
if ! CERTS_DIR=$CERTS OUT=reserved sh "$TOP/tools/gen-client-cert.sh" \
	backup_state.json >"$W/gen.log" 2>&1; then
	fail "a certificate with CN backup_state.json" "$(cat "$W/gen.log")"
	finish
fi

start_server || finish
run_client "$CERTS/reserved_cert.pem" "$CERTS/reserved_key.pem" \
	"$CERTS/ca_cert.pem" --source "$SRC" --json
check_rc 4 "the client named backup_state.json is refused: exit 4"
check_err "reserved" "the refusal says the name is reserved"
if [ -d "$D/backup_state.json" ]; then
	fail "nothing is made for it" "$(ls -la "$D")"
else
	ok "nothing is made for it"
fi

STATE=$W/alice_state.json
run_cairn --source "$SRC" --json
check_rc 0 "alice backs up"
SNAP=$(json_field "$RUN_OUT" snapshot)
if [ -f "$D/backup_state.json" ] && grep -q "\"$SNAP\"" "$D/backup_state.json"; then
	ok "backup_state.json is a file and records alice's snapshot"
else
	fail "backup_state.json is a file and records alice's snapshot" \
		"$(ls -la "$D")" "$(cat "$SERVER_LOG")"
fi
if grep -q "could not be updated" "$SERVER_LOG"; then
	fail "the server never fails to update its catalog" "$(cat "$SERVER_LOG")"
else
	ok "the server never fails to update its catalog"
fi
stop_server
finish
