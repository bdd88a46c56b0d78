#!/bin/sh
# t_retention.sh — retention policies (issue 10): snapshots made on chosen
# days (a clock shim for cairnd: build/asan/fakeclock.so reads the time
# from a file), then --prune ID --keep-* --dry-run names, for each rule,
# the snapshots restic's rules would remove and removes none; --prune
# removes them; the buckets are the client's local time (TZ); a backup's
# own --keep-daily prunes after its run and names its policy; an
# append-only client's --prune is refused in words (exit 4).
. "$(dirname "$0")/lib.sh"

if [ ! -f "$TOP/build/asan/fakeclock.so" ] || [ "$CAIRND" != "$TOP/build/asan/cairnd" ]; then
	note "no LD_PRELOAD shim for this build: dates not faked"
	ok "skipped: needs build/asan/fakeclock.so and the ASan cairnd"
	finish
fi

# epoch Y M D H MIN: seconds since 1970 UTC (days from the civil date).
epoch() {
	_y=$1 _m=$2
	[ "$_m" -le 2 ] && _y=$((_y - 1))
	_era=$((_y / 400))
	_yoe=$((_y - _era * 400))
	_mp=$(((_m + 9) % 12))
	_doy=$(((153 * _mp + 2) / 5 + $3 - 1))
	_doe=$((_yoe * 365 + _yoe / 4 - _yoe / 100 + _doy))
	echo $(((_era * 146097 + _doe - 719468) * 86400 + $4 * 3600 + $5 * 60))
}

# name Y M D H MIN: the snapshot name cairnd gives a run begun then.
name() {
	printf '%04d-%02d-%02dT%02d-%02d-00Z' "$1" "$2" "$3" "$4" "$5"
}

CLOCK=$W/clock
TZ=UTC0
export TZ
CAIRN_FAKE_TIME=$CLOCK
LD_PRELOAD=$TOP/build/asan/fakeclock.so
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export CAIRN_FAKE_TIME LD_PRELOAD ASAN_OPTIONS
epoch 2023 11 1 0 0 >"$CLOCK"
start_server || finish
unset LD_PRELOAD

SRC=$W/src
mkdir -p "$SRC"
printf 'one\n' >"$SRC/a.txt"
# S1 Wed 2023-11-15, S2 Sat 2023-12-30 (ISO 2023-W52), S3 and S4 Mon
# 2024-01-01 (2024-W01), S5..S7 Tue 2024-01-02 in two hours.
TIMES="2023 11 15 9 0
2023 12 30 9 0
2024 1 1 9 0
2024 1 1 18 0
2024 1 2 8 0
2024 1 2 8 30
2024 1 2 9 10"
S=
i=0
ID=
while read -r y m d h mi; do
	i=$((i + 1))
	epoch "$y" "$m" "$d" "$h" "$mi" >"$CLOCK"
	printf '%s\n' "$i" >"$SRC/n.txt"
	run_cairn --source "$SRC" --json
	check_rc 0 "a backup on $y-$m-$d $h:$mi"
	ID=$(json_field "$RUN_OUT" id)
	check_eq "$(json_field "$RUN_OUT" snapshot)" "$(name "$y" "$m" "$d" "$h" "$mi")" \
		"its snapshot is named by the faked time"
	eval "S$i=\$(name $y $m $d $h $mi)"
done <<EOF2
$TIMES
EOF2
BEFORE=$(snapshots_of "$D/alice/$ID")
check_eq "$(printf '%s\n' "$BEFORE" | wc -l | tr -d ' ')" 7 "seven snapshots"

# would POLICY... -- EXPECTED: --prune --dry-run names exactly EXPECTED
# (snapshot numbers, oldest first) and removes nothing.
would() {
	_want=
	_args=
	while [ "$1" != -- ]; do
		_args="$_args $1"
		shift
	done
	shift
	for _n in "$@"; do
		eval "_want=\"\$_want\$S$_n
\""
	done
	# shellcheck disable=SC2086
	run_cairn --prune "$ID" $_args --dry-run
	check_rc 0 "--prune$_args --dry-run: exit 0"
	check_eq "$(sed -n 's/^would remove \([^ ]*\) .*/\1/p' "$RUN_OUT")" \
		"$(printf '%s' "$_want" | sed '/^$/d')" \
		"--prune$_args --dry-run would remove snapshots $*"
	check_eq "$(snapshots_of "$D/alice/$ID")" "$BEFORE" \
		"--prune$_args --dry-run removes nothing"
}

would --keep-last 2 -- 1 2 3 4 5
would --keep-last 9 --
would --keep-hourly 3 -- 1 2 3 5
would --keep-daily 2 -- 1 2 3 5 6
would --keep-daily 30 -- 3 5 6
would --keep-weekly 2 -- 1 3 4 5 6
would --keep-monthly 3 -- 3 4 5 6
would --keep-yearly 2 -- 1 3 4 5 6
would --keep-last 1 --keep-daily 2 --keep-monthly 3 -- 3 5 6
check_out_has() {
	if grep -q "$1" "$RUN_OUT"; then ok "$2"; else fail "$2" "$(cat "$RUN_OUT")"; fi
}
check_out_has "3 snapshots would be removed (--keep-last 1 --keep-daily 2 --keep-monthly 3)" \
	"the summary names the count and the policy"

# The client's local days: at UTC+10, S4 (18:00 UTC) is Tuesday 04:00.
TZ=UTC-10 would --keep-daily 2 -- 1 2 4 5 6
TZ=UTC0

run_cairn --prune "$ID" --keep-last 1 --keep-daily 2 --keep-monthly 3 --json
check_rc 0 "--prune with the combined policy"
check_eq "$(json_field "$RUN_OUT" count)" 3 "the JSON counts three removed"
check_eq "$(json_field "$RUN_OUT" dry_run)" false "and says it was not a dry run"
check_eq "$(snapshots_of "$D/alice/$ID")" "$(printf '%s\n' "$S1" "$S2" "$S4" "$S7")" \
	"S1, S2, S4 and S7 are left"
run_cairn --list "$ID" --json
check_rc 0 "--list after the prune"

run_cairn --prune "$ID" --keep-last 1 --dry-run --json
check_rc 0 "--prune --dry-run --json"
check_eq "$(json_field "$RUN_OUT" count)" 3 "would remove three, the newest kept"
check_eq "$(json_field "$RUN_OUT" dry_run)" true "says it is a dry run"

# A dry-run backup with a retention: the snapshots the run would prune,
# its own would-be snapshot counted as the newest; nothing removed.
epoch 2024 1 3 10 0 >"$CLOCK"
LEFT=$(snapshots_of "$D/alice/$ID")
run_cairn --source "$SRC" --keep-last 2 --dry-run
check_rc 0 "a dry-run backup with --keep-last 2"
check_err_has "would remove snapshot $S1 (retention: --keep-last 2)" \
	"it names the oldest as one that would go"
check_err_has "would remove snapshot $S2 (retention: --keep-last 2)" \
	"and the next"
if grep -q "would remove snapshot $S7" "$RUN_ERR"; then
	fail "the newest but the run's own would stay" "$(cat "$RUN_ERR")"
else
	ok "the newest but the run's own would stay"
fi
check_eq "$(snapshots_of "$D/alice/$ID")" "$LEFT" "the dry run removed nothing"

# A backup's own retention, after a run without errors.
epoch 2024 1 3 10 0 >"$CLOCK"
printf 'eight\n' >"$SRC/n.txt"
run_cairn --source "$SRC" --keep-daily 2
check_rc 0 "a backup with --keep-daily 2"
check_err_has "removed snapshot $S4 (retention: --keep-daily 2)" \
	"it names the snapshot removed and the policy"
S8=$(name 2024 1 3 10 0)
check_eq "$(snapshots_of "$D/alice/$ID")" "$(printf '%s\n' "$S7" "$S8")" \
	"the newest of each of the two newest days are left"

run_cairn --remove "$ID@$S7" --dry-run
check_rc 0 "--remove ID@SNAP --dry-run"
check_err_has "would remove snapshot $S7" "it says what would go"
run_cairn --remove "$ID" --dry-run --json
check_rc 0 "--remove ID --dry-run"
check_eq "$(snapshots_of "$D/alice/$ID")" "$(printf '%s\n' "$S7" "$S8")" \
	"a dry --remove removes nothing"

# No pruning after a run with errors (PROTOCOL.md, BACKUP_COMPLETE): the
# client runs as an unprivileged user (setpriv) and one file is root's
# and unreadable, so the run is one with an error, and --keep-last 1
# removes nothing. Root reads every file: not run as anyone else.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
    NUID=$(id -u nobody 2>/dev/null) && NGID=$(id -g nobody); then
	UW=$W/user
	mkdir -p "$UW/certs" "$UW/src"
	cp "$CERTS/client_cert.pem" "$CERTS/client_key.pem" "$CERTS/ca_cert.pem" "$UW/certs/"
	printf 'one\n' >"$UW/src/a.txt"
	chown -R "$NUID:$NGID" "$UW"
	printf 'secret\n' >"$UW/src/secret.txt"
	chmod 600 "$UW/src/secret.txt"	# root's
	wrap_cmd "$W/cairn-nobody" setpriv --reuid="$NUID" --regid="$NGID" \
		--clear-groups -- "$CAIRN"
	SAVED=$CAIRN
	CAIRN=$W/cairn-nobody
	for _d in 4 5; do
		epoch 2024 1 $_d 10 0 >"$CLOCK"
		run_client "$UW/certs/client_cert.pem" "$UW/certs/client_key.pem" \
			"$UW/certs/ca_cert.pem" --state "$UW/state.json" \
			--source "$UW/src" --keep-last 1 --json
	done
	check_rc 1 "a run with an unreadable file: exit 1"
	check_err_has "retention skipped" "it says the retention was skipped"
	UID2=$(json_field "$RUN_OUT" id)
	check_eq "$(snapshots_of "$D/alice/$UID2" | wc -l | tr -d ' ')" 2 \
		"after two runs with an error and --keep-last 1, both snapshots stay"
	CAIRN=$SAVED
else
	note "not root, or no setpriv or nobody: the run-with-errors leg is not run"
fi

run_cairn --prune 0123456789abcdef --keep-last 1
check_rc 4 "--prune of no such backup: exit 4"
run_cairn --prune "$ID@$S7" --keep-last 1
check_rc 2 "--prune of a snapshot: a usage error"
run_cairn --prune "$ID"
check_rc 2 "--prune without a policy: a usage error"
stop_server

start_server --append-only || finish
run_cairn --prune "$ID" --keep-last 1
check_rc 4 "an append-only client's --prune: exit 4"
check_err "append-only" "the refusal says why"
run_cairn --remove "$ID" --dry-run
check_rc 4 "an append-only client's dry --remove: exit 4 too"
check_eq "$(snapshots_of "$D/alice/$ID")" "$(printf '%s\n' "$S7" "$S8")" \
	"nothing removed"
stop_server
finish
