#!/bin/sh
# t_errors.sh — errors say what failed and exit with the documented status:
# 2 usage or configuration, 3 network; --help works for both programs; an
# unreadable file in the source is reported, and a FIFO is recorded without
# being opened (no hang).
. "$(dirname "$0")/lib.sh"

SRC=$W/src
mkdir -p "$SRC"
printf 'fine\n' >"$SRC/fine.txt"

# ---- help, version, usage ----------------------------------------------------
run_raw "$CAIRN" --help
check_rc 0 "cairn --help: exit 0"
cat "$RUN_OUT" "$RUN_ERR" >"$W/help.txt"
_miss=
for f in --source --extensions --server; do
	grep -Fq -e "$f" "$W/help.txt" || _miss="$_miss $f"
done
if [ -z "$_miss" ]; then
	ok "cairn --help mentions --source, --extensions, --server"
else
	fail "cairn --help mentions --source, --extensions, --server" "missing:$_miss"
	show_run
fi
if [ -s "$RUN_OUT" ]; then ok "cairn --help prints on stdout"; else fail "cairn --help prints on stdout"; show_run; fi

run_raw "$CAIRND" --help
check_rc 0 "cairnd --help: exit 0"
if grep -Fq -e --port "$RUN_OUT" "$RUN_ERR"; then
	ok "cairnd --help mentions --port"
else
	fail "cairnd --help mentions --port"
	show_run
fi

run_raw "$CAIRN" --version
check_rc 0 "cairn --version: exit 0"

run_raw "$CAIRN" --no-such-flag
check_rc 2 "cairn with an unknown flag: exit 2"
check_err 'see cairn --help' "an unknown flag points to --help on stderr"
check_eq "$(wc -l <"$RUN_ERR" | tr -d ' ')" 1 "an unknown flag: one line, no help dump"
check_err_has '--no-such-flag' "the message names the unknown flag"

run_raw "$CAIRND" --no-such-flag
check_rc 2 "cairnd with an unknown flag: exit 2"

run_raw "$CAIRN" --source "$SRC" --cert "$CERTS/client_cert.pem" \
	--key "$CERTS/client_key.pem" --ca "$CERTS/ca_cert.pem" --state "$STATE"
check_rc 2 "cairn --source without --server: exit 2"

run_raw "$CAIRND" --host 127.0.0.1 --port "$(random_port)" --dir "$W/nostore" \
	--cert "$W/nope/server_cert.pem" --key "$CERTS/server_key.pem" --ca "$CERTS/ca_cert.pem"
check_rc 2 "cairnd with a missing certificate file: exit 2"
check_err_has "$W/nope/server_cert.pem" "cairnd names the missing certificate file"

# ---- no server listening ---------------------------------------------------------
PORT=$(random_port)
run_cairn --source "$SRC" --json
check_rc 3 "no server listening: exit 3"
check_err_has "127.0.0.1:$PORT" "the message names host:port"

# ---- with a server ---------------------------------------------------------------------
start_server || finish

run_cairn --port 70000 --source "$SRC"
check_rc 2 "--port 70000: exit 2"
run_cairn --port abc --source "$SRC"
check_rc 2 "--port abc: exit 2"

run_cairn --source "$W/does-not-exist" --json
check_rc 2 "a --source that does not exist: exit 2"
check_err_has "$W/does-not-exist" "the message names the source path"

run_cairn --source "$SRC" --extensions "$W/no-extensions-file"
check_rc 2 "an --extensions file that does not exist: exit 2"
check_err_has "$W/no-extensions-file" "the message names the extensions file"

# A FIFO is recorded (protocol v2: in the manifest only), never opened
# (that would hang).
mkfifo "$SRC/pipe" || fail "test setup: mkfifo"
printf 'other\n' >"$SRC/other.txt"
run_cairn --source "$SRC" --json
check_rc 0 "a FIFO in the source: exit 0, no hang"
ID=$(json_field "$RUN_OUT" id)
SNAP=$(json_field "$RUN_OUT" snapshot)
if [ -n "$ID" ] && grep -q '"path":"pipe","type":"fifo"' \
	"$D/alice/$ID/.manifests/$SNAP.json"; then
	ok "the FIFO is recorded in the manifest"
else
	fail "the FIFO is recorded in the manifest" "id='$ID' snapshot='$SNAP'"
fi
if [ -n "$ID" ] && cmp -s "$SRC/other.txt" "$D/alice/$ID/$SNAP/other.txt"; then
	ok "the other files are backed up despite the FIFO"
else
	fail "the other files are backed up despite the FIFO" "id='$ID' snapshot='$SNAP'"
	show_run
fi
if [ -n "$ID" ] && [ ! -e "$D/alice/$ID/$SNAP/pipe" ]; then
	ok "the FIFO is not in the snapshot"
else
	fail "the FIFO is not in the snapshot"
fi
rm -f "$SRC/pipe"

# An unreadable file (only meaningful when not root: root reads anyway).
if [ "$(id -u)" != 0 ]; then
	printf 'secret\n' >"$SRC/locked.txt"
	chmod 000 "$SRC/locked.txt"
	run_cairn --source "$SRC" --json
	check_rc 1 "an unreadable file: exit 1"
	check_err 'locked\.txt' "the unreadable file is named"
	check_ge "$(json_field "$RUN_OUT" errors)" 1 "errors >= 1 in the JSON"
	ID=$(json_field "$RUN_OUT" id)
	SNAP=$(json_field "$RUN_OUT" snapshot)
	if [ -n "$ID" ] && cmp -s "$SRC/fine.txt" "$D/alice/$ID/$SNAP/fine.txt"; then
		ok "the readable files are backed up despite the unreadable one"
	else
		fail "the readable files are backed up despite the unreadable one" "id='$ID' snapshot='$SNAP'"
	fi
	chmod 600 "$SRC/locked.txt"
else
	note "running as root: the unreadable-file check is skipped (root reads anyway)"
fi

finish
