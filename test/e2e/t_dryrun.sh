#!/bin/sh
# t_dryrun.sh — cairn --dry-run for a backup (issue 10, item 2): it says
# exactly which files a real run would send (the server's NEED set),
# and changes nothing: the server's --dir and the client's state are the
# same, byte for byte, before and after; it takes no lock, so it works
# while another run of the same backup holds it.
. "$(dirname "$0")/lib.sh"

# listing DIR: every path beneath DIR (hidden and lock files too) with
# its type, size, mode, mtime and inode, and every file's MD5.
listing() {
	(cd "$1" && find . -exec stat -c '%n %F %s %a %Y %i' {} + | sort &&
		find . -type f -exec md5sum {} + | sort)
}

# unchanged WHAT: the store and the state dir are as snap_before saw them.
snap_before() {
	listing "$D" >"$W/store.before"
	listing "$W/st" >"$W/state.before"
}
unchanged() {
	listing "$D" >"$W/store.after"
	listing "$W/st" >"$W/state.after"
	if cmp -s "$W/store.before" "$W/store.after"; then
		ok "$1: the store is unchanged"
	else
		fail "$1: the store is unchanged" "$(diff "$W/store.before" "$W/store.after")"
	fi
	if cmp -s "$W/state.before" "$W/state.after"; then
		ok "$1: the client state is unchanged"
	else
		fail "$1: the client state is unchanged" "$(diff "$W/state.before" "$W/state.after")"
	fi
}

SRC=$W/src
mkdir -p "$SRC/docs" "$SRC/sub/deep" "$W/st"
STATE=$W/st/state.json
head -c 200000 /dev/urandom >"$SRC/big.bin"
printf 'one\n' >"$SRC/docs/a.txt"
printf 'two\n' >"$SRC/docs/b.txt"
printf 'three\n' >"$SRC/sub/deep/c.txt"
printf 'same\n' >"$SRC/sub/touched.txt"
ln "$SRC/docs/a.txt" "$SRC/docs/a-link.txt"
ln -s docs/a.txt "$SRC/sym"

start_server || finish

# ---- a source never backed up -------------------------------------------------
snap_before
run_cairn --source "$SRC" --dry-run --json
check_rc 0 "dry run of a source never backed up"
check_eq true "$(json_field "$RUN_OUT" dry_run)" "--json says dry_run: true"
check_eq 5 "$(json_field "$RUN_OUT" sent)" "it would send every file (a hard link's name is not sent)"
check_eq 200019 "$(json_field "$RUN_OUT" bytes_sent)" "it would send all their bytes"
check_eq 6 "$(json_field "$RUN_OUT" files)" "it counts every file, the link included"
DRY_SNAP=$(json_field "$RUN_OUT" snapshot)
unchanged "a first dry run"
[ -e "$STATE" ] && fail "no state file is written" || ok "no state file is written"

run_cairn --source "$SRC" --json
check_rc 0 "the first real run"
check_eq 5 "$(json_field "$RUN_OUT" sent)" "the real run sends what the dry run said"
check_eq 200019 "$(json_field "$RUN_OUT" bytes_sent)" "... and those bytes"
ID=$(json_field "$RUN_OUT" id)
S1=$(json_field "$RUN_OUT" snapshot)
case $S1 in
"$DRY_SNAP"*) ok "the dry run named the snapshot the run would get ($DRY_SNAP)" ;;
*) expr "x$S1" \> "x$DRY_SNAP" >/dev/null && ok "the dry run's snapshot name sorts before the real one" ||
	fail "the dry run names the snapshot as a run would" "dry $DRY_SNAP, real $S1" ;;
esac

# ---- after changes: exactly the NEED set ---------------------------------------
sleep 1.1	# past the state's second: the quick check trusts it
printf 'changed\n' >"$SRC/docs/b.txt"
printf 'new file\n' >"$SRC/sub/new.txt"
mv "$SRC/sub/deep/c.txt" "$SRC/sub/deep/renamed.txt"	# content known: not sent
cp "$SRC/big.bin" "$SRC/big-copy.bin"			# content known: not sent
touch -d '2001-01-01' "$SRC/sub/touched.txt"		# hashed again, same content
snap_before
run_cairn --source "$SRC" --dry-run
check_rc 0 "dry run after changes (text)"
sort "$RUN_OUT" >"$W/would.txt"
printf 'would send docs/b.txt\nwould send sub/new.txt\n' >"$W/want.txt"
if cmp -s "$W/would.txt" "$W/want.txt"; then
	ok "it lists the changed and the new file, and nothing else"
else
	fail "it lists the changed and the new file, and nothing else" "$(cat "$RUN_OUT")"
fi
check_err_has 'would send 2 files, 17 bytes (6 files unchanged)' "the summary says what it would send"
run_cairn --source "$SRC" --dry-run --json
check_rc 0 "dry run after changes (--json)"
DRY_SENT=$(json_field "$RUN_OUT" sent)
DRY_BYTES=$(json_field "$RUN_OUT" bytes_sent)
check_eq 6 "$(json_field "$RUN_OUT" unchanged)" "--json: 6 files unchanged"
unchanged "a dry run after changes"
run_cairn --source "$SRC" --dry-run --quiet
check_rc 0 "a quiet dry run"
check_eq "" "$(cat "$RUN_OUT" "$RUN_ERR")" "--quiet: nothing is printed"

run_cairn --source "$SRC" --json
check_rc 0 "the real run after changes"
check_eq "$DRY_SENT" "$(json_field "$RUN_OUT" sent)" "the real run sends as many files as the dry run said ($DRY_SENT)"
check_eq "$DRY_BYTES" "$(json_field "$RUN_OUT" bytes_sent)" "... and as many bytes ($DRY_BYTES)"

# ---- nothing changed: nothing to send -------------------------------------------
run_cairn --source "$SRC" --dry-run --json
check_rc 0 "dry run with nothing changed"
check_eq 0 "$(json_field "$RUN_OUT" sent)" "nothing would be sent"

# ---- an unreadable file: exit 1, still no change ----------------------------------
if [ "$(id -u)" != 0 ]; then
	printf 'secret\n' >"$SRC/locked.txt"
	chmod 000 "$SRC/locked.txt"
	snap_before
	run_cairn --source "$SRC" --dry-run --json
	check_rc 1 "dry run with an unreadable new file"
	check_eq 1 "$(json_field "$RUN_OUT" errors)" "it counts the error"
	check_err_has 'locked.txt: cannot read' "it names the file"
	unchanged "a dry run with an error"
	rm -f "$SRC/locked.txt"
else
	note "running as root: the unreadable-file case is skipped"
fi

# ---- while another run holds the backup's lock -------------------------------------
head -c 3000000 /dev/urandom >"$SRC/slow.bin"
run_client_bg() {
	"$CAIRN" --server 127.0.0.1 --server-name localhost --port "$PORT" \
		--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
		--ca "$CERTS/ca_cert.pem" --state "$W/st/slow.json" \
		--source "$SRC" --bwlimit 300 --quiet >"$W/slow.out" 2>"$W/slow.err" &
	SLOW=$!
}
run_client_bg
_n=0
while [ $_n -lt 100 ] && { [ ! -d "$D/alice/$ID/.incoming" ] || [ ! -e "$D/alice/$ID/.partial" ]; }; do
	sleep 0.1
	_n=$((_n + 1))
done
sleep 1
snap_before
run_cairn --source "$SRC" --dry-run --json
check_rc 0 "a dry run while another run holds the lock"
check_eq 1 "$(json_field "$RUN_OUT" sent)" "it would send the new big file"
if kill -0 "$SLOW" 2>/dev/null; then
	ok "the other run was still going"
else
	note "the other run ended before the dry run (slow machine?)"
fi
kill "$SLOW" 2>/dev/null
wait "$SLOW" 2>/dev/null

# ---- an interrupted run's files are reused, not needed ------------------------------
sleep 1
run_cairn --source "$SRC" --dry-run --json
check_rc 0 "a dry run after an interrupted run"
check_eq 1 "$(json_field "$RUN_OUT" sent)" "it would still send the big file (not all of it came)"
snap_before
run_cairn --source "$SRC" --dry-run --json
unchanged "a dry run beside an interrupted run"
run_cairn --source "$SRC" --json
check_rc 0 "the real run after the interrupted one"
check_eq 1 "$(json_field "$RUN_OUT" sent)" "it sends the one file the dry run said"

# ---- v1 servers never see the flag; the server log says dry run ----------------------
if grep -q "dry run: would begin snapshot" "$SERVER_LOG"; then
	ok "cairnd logs the dry runs"
else
	fail "cairnd logs the dry runs" "$(cat "$SERVER_LOG")"
fi
stop_server
finish
