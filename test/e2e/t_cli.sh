#!/bin/sh
# t_cli.sh — the command line that helps (issue 10, items 7 and 8):
# --opt=value; one line with the closest option for a typo, and for a
# --config key; paths in a --config file relative to it, used from another
# directory; the certificate search order (./certs, $XDG_CONFIG_HOME/cairn
# or ~/.config/cairn, /etc/cairn) and its message; a key that is not the
# certificate's and a certificate for servers only, caught before
# connecting; an unresolvable host; the state directory without HOME (as
# root only: /var/lib/cairn is fixed); ID prefixes (unique, ambiguous, too
# short), --list --source DIR and a source path in place of an ID.
. "$(dirname "$0")/lib.sh"

start_server || finish
NET="--server 127.0.0.1 --server-name localhost --port $PORT"
ALICE="--cert $CERTS/client_cert.pem --key $CERTS/client_key.pem --ca $CERTS/ca_cert.pem"
SRC=$W/src
mkdir -p "$SRC/sub"
printf 'one\n' >"$SRC/a.txt"
printf 'two\n' >"$SRC/sub/b.txt"

# id_of SOURCE: alice's backup ID of SOURCE, as PROTOCOL.md defines it.
id_of() {
	printf 'alice\000%s' "$1" | md5sum | cut -c 1-16
}

# one_line_err WHAT: the last run's stderr is one line.
one_line_err() {
	check_eq "$(wc -l <"$RUN_ERR" | tr -d ' ')" 1 "$1: one line, no help dump"
}

# ---- --opt=value, did you mean -------------------------------------------
# shellcheck disable=SC2086
run_raw "$CAIRN" --server=127.0.0.1 --server-name=localhost --port="$PORT" \
	--cert="$CERTS/client_cert.pem" --key="$CERTS/client_key.pem" \
	--ca="$CERTS/ca_cert.pem" --state="$W/state.json" --source="$SRC" \
	--exclude='*.tmp' --json
check_rc 0 "a backup with every option as --opt=value"
ID=$(json_field "$RUN_OUT" id)
check_eq "$ID" "$(id_of "$SRC")" "the backup's ID is alice's ID of the source"
# shellcheck disable=SC2086
run_raw "$CAIRN" $NET $ALICE --list="$ID" --json
check_rc 0 "--list=ID"
check_eq "$(list_snapshots "$RUN_OUT" "$ID" | wc -l | tr -d ' ')" 1 "--list=ID lists its one snapshot"

run_raw "$CAIRN" $NET --exclud '*.tmp' --source "$SRC"
check_rc 2 "a typo (--exclud): exit 2"
check_err_has "cairn: unknown option --exclud (did you mean --exclude?); see cairn --help" \
	"a typo: the closest option and where to look"
one_line_err "a typo"
run_raw "$CAIRN" $NET --restor="$ID"
check_rc 2 "a typo of a command (--restor=ID): exit 2"
check_err_has "did you mean --restore?" "a typo of a command: the closest command"
run_raw "$CAIRN" --frobnicate
check_rc 2 "a wholly unknown option: exit 2"
check_err_has "cairn: unknown option --frobnicate; see cairn --help" "a wholly unknown option: no guess"
one_line_err "a wholly unknown option"
run_raw "$CAIRN" $NET --source "$SRC" --dry-run=yes
check_rc 2 "a flag given =value: exit 2"
check_err_has "--dry-run takes no value" "a flag given =value says so"
run_raw "$CAIRN" --source "$SRC"
check_rc 2 "no --server: exit 2"
check_err_has "--server HOST is required; see cairn --help" "other usage errors: one line too"
one_line_err "no --server"
run_raw "$CAIRND" --prot 1
check_rc 2 "cairnd with a typo: exit 2"
check_err_has "cairnd: unknown option --prot (did you mean --port?); see cairnd --help" \
	"cairnd: the closest option too"

# ---- --config: relative paths, did you mean --------------------------------
mkdir -p "$W/conf/keys" "$W/elsewhere"
cp "$CERTS/client_cert.pem" "$CERTS/client_key.pem" "$CERTS/ca_cert.pem" "$W/conf/keys/"
cat >"$W/conf/cairn.conf" <<EOF
server 127.0.0.1
server-name localhost
port $PORT
cert keys/client_cert.pem
key keys/client_key.pem
ca keys/ca_cert.pem
state state.json
EOF
(cd "$W/elsewhere" && run_raw "$CAIRN" --config ../conf/cairn.conf --source "$SRC" --json &&
	echo "$RC" >"$W/conf.rc")
RC=$(cat "$W/conf.rc")
check_rc 0 "--config with relative paths, from another directory"
if [ -f "$W/conf/state.json" ] && [ ! -e "$W/elsewhere/state.json" ]; then
	ok "the config's relative --state is beside the config file"
else
	fail "the config's relative --state is beside the config file" "$(ls -la "$W/conf" "$W/elsewhere")"
fi
printf 'sever 127.0.0.1\n' >"$W/conf/typo.conf"
run_raw "$CAIRN" --config="$W/conf/typo.conf" --list
check_rc 2 "a config key typo: exit 2"
check_err_has "unknown setting \"sever\" (did you mean \"server\"?)" "a config key typo: the closest key"

# ---- certificates: where they are looked for ----------------------------------
mkdir -p "$W/cwd" "$W/home/.config/cairn" "$W/xdg/cairn" "$W/empty"
cp "$CERTS/client_cert.pem" "$CERTS/client_key.pem" "$CERTS/ca_cert.pem" "$W/home/.config/cairn/"
cp "$CERTS/client_cert.pem" "$CERTS/client_key.pem" "$CERTS/ca_cert.pem" "$W/xdg/cairn/"
# look_run DIR ENV...: cairn --list from DIR with the environment given.
look_run() {
	_d=$1
	shift
	RUN_N=$((RUN_N + 1))
	RUN_OUT=$W/run$RUN_N.out
	RUN_ERR=$W/run$RUN_N.err
	LAST_CMD="(cd $_d && env $* cairn --list)"
	# shellcheck disable=SC2086
	(cd "$_d" && env -u XDG_CONFIG_HOME "$@" "$CAIRN" $NET --state "$W/state.json" \
		--list >"$RUN_OUT" 2>"$RUN_ERR" </dev/null)
	RC=$?
}
look_run "$W/cwd" HOME="$W/home"
check_rc 0 "certificates found in ~/.config/cairn"
look_run "$W/cwd" HOME="$W/empty" XDG_CONFIG_HOME="$W/xdg"
check_rc 0 "certificates found in \$XDG_CONFIG_HOME/cairn"
printf 'junk\n' >"$W/xdg/cairn/client_cert.pem"
mkdir -p "$W/cwd/certs"
cp "$CERTS/client_cert.pem" "$CERTS/client_key.pem" "$CERTS/ca_cert.pem" "$W/cwd/certs/"
look_run "$W/cwd" HOME="$W/empty" XDG_CONFIG_HOME="$W/xdg"
check_rc 0 "./certs comes first (the XDG one is junk)"
look_run "$W/empty" HOME="$W/empty" XDG_CONFIG_HOME="$W/xdg"
check_rc 2 "then \$XDG_CONFIG_HOME/cairn, before ~/.config/cairn (junk there: exit 2)"
check_err_has "$W/xdg/cairn/client_cert.pem" "the message names the certificate file it read"
if [ -e /etc/cairn/client_cert.pem ]; then
	note "/etc/cairn/client_cert.pem exists: the no-certificate leg skipped"
else
	look_run "$W/empty" HOME="$W/empty"
	check_rc 2 "no certificate anywhere: exit 2"
	check_err_has "no client certificate: looked in ./certs, $W/empty/.config/cairn, /etc/cairn (give --cert, --key, --ca)" \
		"no certificate anywhere: where it looked"
fi

# ---- certificates: checked before connecting -------------------------------------
run_raw "$CAIRN" --server 127.0.0.1 --port 1 --cert "$CERTS/client_cert.pem" \
	--key "$CERTS/bob_key.pem" --ca "$CERTS/ca_cert.pem" --list
check_rc 2 "a key that is not the certificate's: exit 2 (before connecting to port 1)"
check_err_has "$CERTS/bob_key.pem does not match $CERTS/client_cert.pem" \
	"the mismatch names both files"
run_raw "$CAIRN" --server 127.0.0.1 --port 1 --cert "$CERTS/server_cert.pem" \
	--key "$CERTS/server_key.pem" --ca "$CERTS/ca_cert.pem" --list
check_rc 2 "a server's certificate as the client's: exit 2 (before connecting)"
check_err_has "$CERTS/server_cert.pem is not for client authentication" \
	"the message names the certificate and why"
run_raw "$CAIRND" --host 127.0.0.1 --port "$(random_port)" --dir "$W/store2" \
	--cert "$CERTS/server_cert.pem" --key "$CERTS/client_key.pem" --ca "$CERTS/ca_cert.pem"
check_rc 2 "cairnd with a key that is not its certificate's: exit 2"
check_err_has "$CERTS/client_key.pem does not match $CERTS/server_cert.pem" \
	"cairnd names both files"

# ---- an unresolvable host ----------------------------------------------------------
# shellcheck disable=SC2086
run_raw "$CAIRN" --server no-such-host.invalid --timeout 10 $ALICE --list
check_rc 3 "an unresolvable host: exit 3"
check_err_has "cannot resolve no-such-host.invalid" "it says the name does not resolve"
check_err_has "(check --server)" "and what to check"
one_line_err "an unresolvable host"

# ---- the state directory without a home ---------------------------------------------
if [ "$(id -u)" != 0 ]; then
	note "not root: the /var/lib/cairn fallback is not tried"
else
	_had=no
	[ -d /var/lib/cairn ] && _had=yes
	_st=/var/lib/cairn/state-$(printf '%s' "$SRC" | md5sum | cut -c 1-16).json
	rm -f "$_st"
	# shellcheck disable=SC2086
	(env -u HOME "$CAIRN" $NET $ALICE --source "$SRC" >"$W/nohome.out" 2>"$W/nohome.err")
	check_eq "$?" 0 "HOME unset: the backup runs"
	if [ -f "$_st" ]; then ok "HOME unset: the state is in /var/lib/cairn"; else fail "HOME unset: the state is in /var/lib/cairn" "$(cat "$W/nohome.err")"; fi
	check_eq "$(stat -c %a /var/lib/cairn)" 700 "/var/lib/cairn is 0700"
	rm -f "$_st"
	# shellcheck disable=SC2086
	(HOME=$W/no-such-home "$CAIRN" $NET $ALICE --source "$SRC" >"$W/nohome.out" 2>"$W/nohome.err")
	check_eq "$?" 0 "HOME missing: the backup runs"
	if [ -f "$_st" ]; then ok "HOME missing: the state is in /var/lib/cairn"; else fail "HOME missing: the state is in /var/lib/cairn" "$(cat "$W/nohome.err")"; fi
	rm -f "$_st"
	[ $_had = no ] && rm -rf /var/lib/cairn
fi

# ---- IDs people can type -------------------------------------------------------------
# Two sources whose IDs share their first 4 hex digits, found by hashing.
mkdir -p "$W/p"
: >"$W/prefixes"
A= B= n=0
while [ $n -lt 5000 ]; do
	n=$((n + 1))
	_p=$(id_of "$W/p/$n" | cut -c 1-4)
	_o=$(grep "^$_p " "$W/prefixes" | head -n 1 | cut -d ' ' -f 2)
	if [ -n "$_o" ]; then
		A=$_o B=$n
		break
	fi
	echo "$_p $n" >>"$W/prefixes"
done
PRE=$(id_of "$W/p/$A" | cut -c 1-4)
note "sources $A and $B share the prefix $PRE"
for _s in "$A" "$B"; do
	mkdir -p "$W/p/$_s"
	printf '%s\n' "$_s" >"$W/p/$_s/f"
	run_cairn --source "$W/p/$_s"
	check_rc 0 "a backup of p/$_s"
done
IDA=$(id_of "$W/p/$A")
IDB=$(id_of "$W/p/$B")

run_cairn --list "$ID" --json
NSNAP=$(list_snapshots "$RUN_OUT" "$ID" | wc -l | tr -d ' ')
check_ge "$NSNAP" 2 "the source has two snapshots or more"
run_cairn --list "$(echo "$ID" | cut -c 1-6)" --json
check_rc 0 "--list with a unique 6-character prefix"
check_eq "$(list_snapshots "$RUN_OUT" "$ID" | wc -l | tr -d ' ')" "$NSNAP" "the prefix names the backup (its snapshots)"
run_cairn --list "$PRE"
check_rc 2 "an ambiguous prefix: exit 2"
check_err_has "$PRE matches 2 backups" "an ambiguous prefix says how many"
check_err_has "$IDA  $W/p/$A" "it lists the first candidate (ID and source)"
check_err_has "$IDB  $W/p/$B" "it lists the second candidate"
run_cairn --list "$(echo "$ID" | cut -c 1-3)"
check_rc 2 "a 3-character prefix: exit 2"
check_err_has "needs 4 characters or more" "a prefix too short says so"
run_cairn --list "$(echo "$ID" | cut -c 1-4)ffffffffffff"
check_rc 4 "a 16-digit ID of nothing: exit 4"
run_cairn --list "$(echo "$ID" | cut -c 1-4)fffff"
if [ "$RC" = 0 ]; then
	note "(the 9-digit prefix happened to match)"
else
	check_rc 4 "a prefix matching nothing: exit 4"
	check_err_has "no backup of yours matches" "a prefix matching nothing says so"
fi

run_cairn --list --source "$SRC" --json
check_rc 0 "--list --source DIR"
check_eq "$(list_snapshots "$RUN_OUT" "$ID" | wc -l | tr -d ' ')" "$NSNAP" "--list --source lists the backup of DIR"
run_cairn --list --source "$SRC/" --json
check_rc 0 "--list --source DIR/ (a trailing slash)"
(cd "$W" && run_cairn --list --source src --json && echo "$RC" >"$W/rel.rc")
check_eq "$(cat "$W/rel.rc")" 0 "--list --source with a relative DIR"
run_cairn --list --source "$W/p"
check_rc 4 "--list --source of a directory never backed up: exit 4"
check_err_has "no backup of yours matches $W/p" "it says so"
run_cairn --list "$SRC" --json
check_rc 0 "--list /abs/path: the source in place of an ID"
check_eq "$(list_snapshots "$RUN_OUT" "$ID" | wc -l | tr -d ' ')" "$NSNAP" "--list /abs/path lists that backup"
SNAP=$(list_snapshots "$RUN_OUT" "$ID" | head -n 1 | cut -d ' ' -f 1)
rm -rf "$W/out"
run_cairn --restore "$SRC@$SNAP" --path "$W/out"
check_rc 0 "--restore /abs/path@SNAPSHOT --path"
check_tree "$SRC" "$W/out" "the source's snapshot came back"
rm -rf "$W/out2"
run_cairn --restore "$(echo "$ID" | cut -c 1-5)@$SNAP" --path "$W/out2"
check_rc 0 "--restore PREFIX@SNAPSHOT (a name others start with: it is taken)"
check_tree "$SRC" "$W/out2" "the prefix named the backup"
# A snapshot prefix: unique (the newest's name but its last character,
# when no other starts so), and one that several start with.
run_cairn --list "$ID" --json
list_snapshots "$RUN_OUT" "$ID" | cut -d ' ' -f 1 >"$W/snaps"
NEWEST=$(tail -n 1 "$W/snaps")
SP=${NEWEST%?}
if [ "$(grep -c "^$SP" "$W/snaps")" = 1 ]; then
	rm -rf "$W/out3"
	run_cairn --restore "$ID@$SP" --path "$W/out3" --json
	check_rc 0 "--restore ID@SNAPSHOT-PREFIX"
	check_eq "$(json_field "$RUN_OUT" snapshot)" "$NEWEST" "the snapshot prefix named the newest"
else
	note "the newest snapshot's prefix $SP is not unique: that leg skipped"
fi
run_cairn --restore "$ID@$(head -c 4 "$W/snaps")" --path "$W/out4"
check_rc 2 "a snapshot prefix several snapshots start with: exit 2"
check_err_has "snapshots of backup $ID start with" "it says so"
run_cairn --remove "$(echo "$IDB" | cut -c 1-8)" --json
check_rc 0 "--remove with a prefix"
check_eq "$(json_field "$RUN_OUT" id)" "$IDB" "--remove of a prefix removed the full ID"
run_cairn --list "$PRE" --json
check_rc 0 "once one is removed, the shared prefix is unique"
stop_server
finish
