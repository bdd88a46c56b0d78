#!/bin/sh
# t_quota.sh — --quota: a client that would go over its disk space is
# refused (exit 4) without harming its committed snapshots; removing a
# snapshot gives the space back; another client is not affected.
. "$(dirname "$0")/lib.sh"

SRC=$W/src
mkdir -p "$SRC"
head -c 600000 /dev/urandom >"$SRC/a.bin"
start_server --quota 1M || finish

run_cairn --source "$SRC" --json
check_rc 0 "a first backup within the quota"
ID=$(json_field "$RUN_OUT" id)
S1=$(json_field "$RUN_OUT" snapshot)

head -c 600000 /dev/urandom >"$SRC/b.bin"
run_cairn --source "$SRC" --json
check_rc 4 "a backup that would exceed 1 MiB: exit 4"
check_err_has "quota" "the message says quota"
check_eq "$S1" "$(snapshots_of "$D/alice/$ID" | tr '\n' ' ' | sed 's/ $//')" \
	"the committed snapshot is all that is there"
run_cairn --restore "$ID" --path "$W/r1" --json
check_rc 0 "the committed snapshot still restores"
if cmp -s "$SRC/a.bin" "$W/r1/a.bin"; then ok "restored a.bin is intact"; else fail "restored a.bin is intact"; fi

# Bob has a quota of his own.
mkdir -p "$W/bobsrc"
cp "$SRC/a.bin" "$W/bobsrc/"
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--state "$W/bob_state.json" --source "$W/bobsrc" --json
check_rc 0 "another client backs up within its own quota"

# Space comes back when alice's data goes.
rm "$SRC/b.bin"
run_cairn --remove "$ID" --json
check_rc 0 "remove alice's backup"
head -c 900000 /dev/urandom >"$SRC/c.bin"
rm "$SRC/a.bin"
run_cairn --source "$SRC" --json
check_rc 0 "after the removal, a 900 kB backup fits"
finish
