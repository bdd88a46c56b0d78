#!/bin/sh
# t_clock.sh — a server clock behind the newest snapshot: new names carry
# on after it, and when none is left in that second the refusal says that
# the clock is the problem (issue 12, item 13).
. "$(dirname "$0")/lib.sh"

SRC=$W/src
mkdir -p "$SRC"
printf 'data\n' >"$SRC/a.txt"
start_server || finish
run_cairn --source "$SRC" --json
check_rc 0 "a first backup"
ID=$(json_field "$RUN_OUT" id)

# A snapshot from the future, as a server whose clock went back sees it.
mkdir "$D/alice/$ID/2099-01-01T00-00-00Z-998"
run_cairn --source "$SRC" --json
check_rc 0 "with the clock behind the newest snapshot, a backup still runs"
check_eq "$(json_field "$RUN_OUT" snapshot)" "2099-01-01T00-00-00Z-999" \
	"its name carries on after the newest"
run_cairn --source "$SRC" --json
check_rc 4 "when no name is left in that second: exit 4"
check_err "clock" "the refusal names the server's clock"
check_err_has "2099-01-01T00-00-00Z-999" "and the newest snapshot"
stop_server
finish
