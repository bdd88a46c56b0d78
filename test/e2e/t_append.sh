#!/bin/sh
# t_append.sh — append-only clients (issue 12): with --append-only-clients
# (or --append-only for all) a client backs up, lists and restores, but its
# --remove and --keep are refused in words (exit 4) and nothing is lost;
# a --keep run still commits its snapshot. The administrator prunes on the
# server: cairnd --prune CLIENT/ID --keep N.
. "$(dirname "$0")/lib.sh"

SRC=$W/src
mkdir -p "$SRC"
printf 'one\n' >"$SRC/a.txt"
printf '# clients that may not remove\nalice\n' >"$W/append"
start_server --append-only-clients "$W/append" || finish
run_cairn --source "$SRC" --json
check_rc 0 "alice backs up"
ID=$(json_field "$RUN_OUT" id)
S1=$(json_field "$RUN_OUT" snapshot)
printf 'two\n' >"$SRC/b.txt"
run_cairn --source "$SRC" --json
check_rc 0 "and again"
run_cairn --remove "$ID@$S1" --json
check_rc 4 "--remove of a snapshot: refused, exit 4"
check_err "append-only" "the refusal says why"
run_cairn --remove "$ID" --json
check_rc 4 "--remove of the backup: refused"
check_eq "$(snapshots_of "$D/alice/$ID" | wc -l | tr -d ' ')" 2 "both snapshots are still there"
printf 'three\n' >"$SRC/c.txt"
run_cairn --source "$SRC" --keep 1 --json
check_rc 4 "a backup with --keep 1: exit 4"
check_err "committed, but the server refused --keep" "it says the snapshot is committed and --keep refused"
check_eq "$(snapshots_of "$D/alice/$ID" | wc -l | tr -d ' ')" 3 "its snapshot is committed and none removed"
run_cairn --source "$SRC" --json
check_rc 0 "the next run"
check_eq "$(json_field "$RUN_OUT" sent)" 0 "sends nothing: the state was kept"
run_cairn --restore "$ID@$S1" --path "$W/r1" --json
check_rc 0 "alice restores an old snapshot"

mkdir -p "$W/bobsrc"
printf 'bob\n' >"$W/bobsrc/b.txt"
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--state "$W/bob.state" --source "$W/bobsrc" --json
BOB=$(json_field "$RUN_OUT" id)
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--state "$W/bob.state" --remove "$BOB" --json
check_rc 0 "bob, not listed, removes his backup"
stop_server

run_raw "$CAIRND" --prune "alice/$ID" --keep 1 --dir "$D"
check_rc 0 "cairnd --prune alice/ID --keep 1"
check_eq "$(grep -c ': removed' "$RUN_OUT")" 3 "it says which three it removed"
check_eq "$(snapshots_of "$D/alice/$ID" | wc -l | tr -d ' ')" 1 "one snapshot is left"
run_raw "$CAIRND" --prune "alice/0123456789abcdef" --keep 1 --dir "$D"
check_rc 2 "--prune of a backup that is not there: exit 2"
run_raw "$CAIRND" --prune "alice/$ID" --dir "$D"
check_rc 2 "--prune without --keep: exit 2"

start_server --append-only || finish
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--state "$W/bob.state" --source "$W/bobsrc" --json
BOB=$(json_field "$RUN_OUT" id)
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--state "$W/bob.state" --remove "$BOB" --json
check_rc 4 "with --append-only, every client's --remove is refused"
stop_server
finish
