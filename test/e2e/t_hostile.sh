#!/bin/sh
# t_hostile.sh — hostile peers that speak the real protocol over real TLS
# with real certificates (test/tools/evilclient.c, evilserver.c).
#
# Each evilclient scenario breaks protocol v1 in one way against a real
# cairnd: the server must refuse it (T_ERROR, an error status, or a
# close), survive it (kill -0, and a normal backup still works) and write
# nothing outside its store. A silent client is timed out while others are
# served. Then each evilserver scenario plays a cairnd whose restore
# streams a hostile manifest: cairn --restore must fail (exit 1 or 3) and
# write nothing outside its target. A sentinel file and an "outside"
# directory, which the hostile paths aim at, stay byte-identical.
. "$(dirname "$0")/lib.sh"

TOOLS=${TOOLS:-$TOP/build/asan}
EVILCLIENT=$TOOLS/evilclient
EVILSERVER=$TOOLS/evilserver
for _b in "$EVILCLIENT" "$EVILSERVER"; do
	if [ ! -x "$_b" ]; then
		fail "binary $_b exists" "build it first: make asan"
		finish
	fi
done

# The table of what each hostile peer sent and was answered.
TABLE=$W/table.txt
: >"$TABLE"

# ---- what must never change ------------------------------------------------
SENTINEL=$W/sentinel.bin
head -c 65536 /dev/urandom >"$SENTINEL"
SENTINEL_MD5=$(file_md5 "$SENTINEL")
OUT=$W/outside
mkdir -p "$OUT"
printf 'outside sentinel\n' >"$OUT/sentinel.txt"
printf 'victim: must never change\n' >"$OUT/victim.txt"
OUT_BEFORE=$(fingerprint "$OUT")

# outside_unchanged WHAT: the outside directory and the sentinel are as
# they were at the start.
outside_unchanged() {
	_now=$(fingerprint "$OUT")
	if [ "$_now" = "$OUT_BEFORE" ]; then
		ok "$1: nothing written in $OUT"
	else
		fail "$1: nothing written in $OUT" "before:" "$OUT_BEFORE" "after:" "$_now"
	fi
	check_eq "$(file_md5 "$SENTINEL")" "$SENTINEL_MD5" "$1: the sentinel file is byte-identical"
}

# no_escapes WHAT: no file named escape* or passwd anywhere under the
# work directory or beside it (symlinks are not followed).
no_escapes() {
	_found=$({
		find "$W" \( -name 'escape*' -o -name passwd \) -print
		find "$(dirname "$W")" -maxdepth 1 \( -name 'escape*' -o -name passwd \) -print
	} 2>/dev/null | head -n 5)
	if [ -z "$_found" ]; then
		ok "$1: no escape* or passwd file anywhere"
	else
		fail "$1: no escape* or passwd file anywhere" "$_found"
	fi
}

# server_alive WHAT: cairnd still runs.
server_alive() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		ok "$1: cairnd still runs"
	else
		fail "$1: cairnd still runs" "its stderr (last 30 lines):"
		tail -n 30 "$SERVER_LOG" | sed 's/^/       | /'
	fi
}

# evil SCENARIO [ARGS...]: run evilclient as alice against cairnd. Records
# that the server refused (exit 0) and survived; the line it printed is
# in EVIL_LINE and in the table.
evil() {
	_sc=$1
	shift
	run_raw "$EVILCLIENT" 127.0.0.1 "$PORT" localhost "$CERTS/client_cert.pem" \
		"$CERTS/client_key.pem" "$CERTS/ca_cert.pem" "$_sc" "$@"
	EVIL_LINE=$(cat "$RUN_OUT")
	[ -n "$EVIL_LINE" ] || EVIL_LINE="$_sc: (no line; exit $RC: $(tail -n 1 "$RUN_ERR"))"
	printf 'client %s\n' "$EVIL_LINE" >>"$TABLE"
	note "$EVIL_LINE"
	if [ "$RC" = 0 ]; then
		ok "evilclient $_sc: the server refused"
	else
		fail "evilclient $_sc: the server refused (exit 0), got exit $RC"
		show_run
		printf '     cairnd stderr (last 10 lines):\n'
		tail -n 10 "$SERVER_LOG" | sed 's/^/       | /'
	fi
	server_alive "evilclient $_sc"
}

# evil_says REGEX WHAT: the last evilclient line matches the extended REGEX.
evil_says() {
	if printf '%s\n' "$EVIL_LINE" | grep -Eq -e "$1"; then
		ok "$2"
	else
		fail "$2" "line: $EVIL_LINE" "want: /$1/"
	fi
}

# Fatal errors: T_ERROR ST_BAD_REQUEST, then the server closes.
FATAL='-> T_ERROR 10 BAD_REQUEST "[^"]*", then closed => refused$'

start_server || finish

# ---- legitimate clients first: bob, and alice's normal backup -----------------
BOBSRC=$W/bobsrc
mkdir -p "$BOBSRC/d"
printf 'bob private\n' >"$BOBSRC/secret.txt"
printf 'bob more\n' >"$BOBSRC/d/more.txt"
STATE=$W/bob_state.json
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--source "$BOBSRC" --json
check_rc 0 "bob backs up"
BOB_ID=$(json_field "$RUN_OUT" id)
STATE=$W/state.json
if [ -z "$BOB_ID" ] || [ ! -d "$D/bob/$BOB_ID" ]; then
	fail "bob's backup exists" "id='$BOB_ID'"
	finish
fi
BOB_BEFORE=$(fingerprint "$D/bob")

SRC=$W/src
mkdir -p "$SRC/docs"
printf 'alice a\n' >"$SRC/a.txt"
printf 'alice docs b\n' >"$SRC/docs/b.txt"
run_cairn --source "$SRC" --json
check_rc 0 "alice backs up before the hostile clients"
ALICE_ID=$(json_field "$RUN_OUT" id)

# ---- hostile clients ----------------------------------------------------------
for s in dotdot abs updown nul longcomp longpath md5len unknowntype order \
	twice needmax offermid unasked nohello fetchnorestore long; do
	evil "$s"
	evil_says "$FATAL" "evilclient $s: T_ERROR BAD_REQUEST, then the server closes"
done

# Version 2 (PROTOCOL.md, "Limits added in v2"): HELLO 3, and after HELLO
# 2 and a valid OFFER_BATCH, each entry or frame one rule breaks.
for s in hello3 v2offer v2batch0 v2batch257 v2batchshort v2batchtrail \
	v2xattr v2xattrorder v2hardlater v2hardabsent v2harddir v2rootlate \
	v2changed v2hole v2hole0 v2restore65 v2restorebad v2restoreshort \
	v2restorenocount v2needmax v2needbytes v2need256; do
	evil "$s"
	evil_says "$FATAL" "evilclient $s: T_ERROR BAD_REQUEST, then the server closes"
	[ "$s" = hello3 ] && evil_says 'speaks versions 1 and 2' \
		"evilclient hello3: the refusal names the versions cairnd speaks"
done

# Dry runs (PROTOCOL.md, "Backing up in v2"): no FILE_TRANSFER in DRYRUN,
# no unknown CHECK_SOURCE flag bits, and the offers' parent rule kept.
for _dry in v2dryft v2dryflags "v2dryflags 255" v2dryparent \
	"v2dryparent absent"; do
	# shellcheck disable=SC2086
	evil $_dry
	evil_says "$FATAL" "evilclient $_dry: T_ERROR BAD_REQUEST, then the server closes"
done
for _dry in v2dryft v2dryparent; do
	_id=$(printf 'alice\000/evilclient/%s' "$_dry" | md5sum | cut -c1-16)
	if [ ! -e "$D/alice/$_id" ]; then
		ok "evilclient $_dry: the dry run made nothing in the store"
	else
		fail "evilclient $_dry: the dry run made nothing in the store" \
			"$(ls -la "$D/alice/$_id")"
	fi
done
# LS, FIND and DIFF (v2): a path with "..", unknown flags, patterns too
# long, ill-formed or empty are fatal; LS in a v1 session is an unknown
# frame; a DIFF of snapshots that do not exist is NOT_FOUND.
for s in v2lsdotdot v2lsflags lsv1 v2findlong v2findbad v2findempty; do
	evil "$s"
	evil_says "$FATAL" "evilclient $s: T_ERROR BAD_REQUEST, then the server closes"
	[ "$s" = lsv1 ] && evil_says 'unknown frame type' \
		"evilclient lsv1: LS is unknown in version 1"
done
evil v2diffnone "$ALICE_ID"
evil_says '-> 0x8f NOT_FOUND\(11\) "backup [0-9a-f]* has no snapshot 1999' \
	"evilclient v2diffnone: NOT_FOUND, the snapshot named"
# PRUNE and REMOVE v2, after a valid dry PRUNE and REMOVE (NOT_FOUND, not
# fatal): each bad field fatal.
for s in v2prunebig v2pruneoffset v2pruneflags v2pruneshort v2prunenone \
	v2removeflags v2removeshort; do
	evil "$s"
	evil_says "$FATAL" "evilclient $s: T_ERROR BAD_REQUEST, then the server closes"
done

# A file one byte short, and one of the right size whose MD5 is not the
# offer's: BAD_DATA, the session goes on, and the snapshot holds the good
# file only (issue 12, item 19: the MD5 check alone must catch the second).
for _bad in short wrongmd5; do
	case $_bad in
	short) _what='9 of 10 bytes' ;;
	*) _what='10 of 10 bytes, another MD5' ;;
	esac
	evil $_bad
	evil_says "$_bad.txt: $_what -> 0x86 BAD_DATA\\(16\\)" "$_bad: the bad file gets BAD_DATA"
	evil_says 'BACKUP_COMPLETE -> 0x87 OK\(0\).* files=1 bytes=10 received=1' \
		"$_bad: the snapshot counts the good file only"
	_id=$(printf '%s\n' "$EVIL_LINE" | sed -n 's/.* id=\([0-9a-f]*\) .*/\1/p')
	_snap=$(printf '%s\n' "$EVIL_LINE" | sed -n 's/.* snapshot=\([^ ]*\) .*/\1/p')
	_sd=$D/alice/$_id/$_snap
	if [ -n "$_id" ] && [ -f "$_sd/good.txt" ] && [ ! -e "$_sd/$_bad.txt" ]; then
		ok "$_bad: the committed snapshot has good.txt and no $_bad.txt"
	else
		fail "$_bad: the committed snapshot has good.txt and no $_bad.txt" \
			"$_sd: $(ls -la "$_sd" 2>&1)"
	fi
	if [ -f "$D/alice/$_id/.manifests/$_snap.json" ] &&
		! grep -q "$_bad\\.txt" "$D/alice/$_id/.manifests/$_snap.json"; then
		ok "$_bad: the manifest does not list $_bad.txt"
	else
		fail "$_bad: the manifest does not list $_bad.txt" \
			"$(cat "$D/alice/$_id/.manifests/$_snap.json" 2>&1 | head -n 5)"
	fi
done

# A file of 2^63 bytes: the server takes what comes, BAD_DATA at the end.
evil huge
evil_says 'TRANSFER_COMPLETE -> (0x86 BAD_DATA|T_ERROR)|size 2\^63 -> T_ERROR' \
	"huge: refused at TRANSFER_COMPLETE (or at the offer)"
if printf '%s\n' "$EVIL_LINE" | grep -q 'BACKUP_COMPLETE -> 0x87 OK'; then
	evil_says 'files=0 bytes=0 received=0' "huge: the snapshot holds nothing"
fi
_big=$(find "$D" -type f -size +1024k 2>/dev/null | head -n 3)
check_eq "$_big" "" "huge: no file over 1 MiB in the store"

# A frame cut short (then the client goes), and a reserved byte not 0.
evil bigframe
evil_says 'reserved byte 1\) '"$FATAL" "bigframe: a reserved byte not 0 gets T_ERROR"

# A symlink planted in the snapshot, then a file beneath it.
evil linkthenfile "$OUT"
evil_says '"d/l/passwd" '"$FATAL" "linkthenfile: a file beneath a symlink is refused"

# Backups of symlinks out of the store: FETCH must not follow them.
evil fetchlink "$OUT"
evil_says 'FETCH "l" -> 0x8b NOT_FOUND\(11\)' "fetchlink: FETCH of a symlink to a file is refused"
evil_says 'FETCH "dl/victim.txt" -> 0x8b NOT_FOUND\(11\)' "fetchlink: FETCH beneath a symlink to a directory is refused"

# Bob's backup, asked for by alice: by its id and through "../bob/".
evil otherid "$BOB_ID"
for _r in 'LIST 0x89' 'RESTORE 0x8a' 'REMOVE 0x8c'; do
	_req=${_r% *}
	_t=${_r#* }
	evil_says "$_req \"$BOB_ID\" -> $_t NOT_FOUND\\(11\\) \"backup $BOB_ID: not found or not yours\"" \
		"otherid: $_req of bob's id: NOT_FOUND, not found or not yours"
	evil_says "$_req \"\\.\\./bob/$BOB_ID\" -> ($_t NOT_FOUND|T_ERROR)" \
		"otherid: $_req of ../bob/<id>: refused"
done
check_eq "$(fingerprint "$D/bob")" "$BOB_BEFORE" "otherid: bob's store is untouched"

# ---- the server after all that ------------------------------------------------
server_alive "after every hostile client"
printf 'alice changed\n' >"$SRC/a.txt"
run_cairn --source "$SRC" --json
check_rc 0 "alice still backs up after the hostile clients"
STATE=$W/bob_state.json
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--restore "$BOB_ID" --path "$W/bob_restore" --json
check_rc 0 "bob still restores his backup"
check_tree "$BOBSRC" "$W/bob_restore" "bob's restore equals his source"
STATE=$W/state.json
outside_unchanged "hostile clients"
no_escapes "hostile clients"

# ---- silent clients are timed out, and do not stop the others ---------------------
if "$CAIRND" --help 2>&1 | grep -q -- '--idle-timeout'; then
	stop_server
	_opts="--idle-timeout 2"
	"$CAIRND" --help 2>&1 | grep -q -- '--handshake-timeout' &&
		_opts="$_opts --handshake-timeout 2"
	# shellcheck disable=SC2086
	start_server $_opts || finish
	rm -f "$W/flood.rc"
	(
		"$EVILCLIENT" 127.0.0.1 "$PORT" localhost "$CERTS/client_cert.pem" \
			"$CERTS/client_key.pem" "$CERTS/ca_cert.pem" flood --idle 5 \
			>"$W/flood.out" 2>"$W/flood.err" </dev/null
		echo $? >"$W/flood.rc"
	) &
	_flood_sh=$!
	sleep 0.5
	run_cairn --source "$SRC" --json
	check_rc 0 "a normal backup while a silent client is connected"
	_n=0
	while [ ! -f "$W/flood.rc" ] && [ $_n -lt 150 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	wait "$_flood_sh" 2>/dev/null
	EVIL_LINE=$(cat "$W/flood.out" 2>/dev/null)
	printf 'client %s\n' "$EVIL_LINE" >>"$TABLE"
	note "$EVIL_LINE"
	check_eq "$(cat "$W/flood.rc" 2>/dev/null)" 0 \
		"flood: a client silent after the handshake is dropped within 5 s (--idle-timeout 2)"
	evil_says 'closed after [0-9.]+ s => refused$' "flood: the server closed the idle session"
	if grep -Eq "$SANITIZER_RE" "$W/flood.err"; then
		fail "flood: no sanitizer reports in evilclient" "$(head -n 20 "$W/flood.err")"
	fi
	case $_opts in
	*handshake*)
		evil nohandshake --idle 5
		evil_says 'closed after [0-9.]+ s => refused$' \
			"nohandshake: a client that never starts TLS is dropped within 5 s (--handshake-timeout 2)"
		;;
	*)
		note "cairnd has no --handshake-timeout: the handshake timeout check is skipped"
		;;
	esac
	server_alive "after the silent clients"
	if "$CAIRND" --help 2>&1 | grep -q -- '--handshake-timeout'; then
		# A byte every 2 s keeps each read under a 3 s timeout; the
		# handshake as a whole must still end by then (slack: 3 x 3 s).
		stop_server
		start_server --handshake-timeout 3 || finish
		evil drip --idle 9
		evil_says 'closed after [0-8]\.[0-9] s' \
			"drip: a ClientHello dripped a byte every 2 s is dropped within 9 s (--handshake-timeout 3)"
		run_cairn --source "$SRC" --json
		check_rc 0 "a normal backup after the dripping client (--handshake-timeout 3)"
	fi
else
	note "cairnd has no --idle-timeout: the idle-session check (flood) is skipped"
fi
stop_server

# ---- hostile servers ------------------------------------------------------------
# start_evilserver SCENARIO: evilserver on a free random port (EPORT),
# listening; EVIL_PID its process, EVIL_SH the subshell that waits for it.
start_evilserver() {
	_try=0
	while :; do
		_try=$((_try + 1))
		EPORT=$(random_port)
		rm -f "$W/evil_$1.pid" "$W/evil_$1.rc" "$W/evil_$1.err"
		(
			"$EVILSERVER" "$EPORT" "$CERTS/server_cert.pem" "$CERTS/server_key.pem" \
				"$CERTS/ca_cert.pem" "$1" "$OUT" \
				>"$W/evil_$1.out" 2>"$W/evil_$1.err" </dev/null &
			echo $! >"$W/evil_$1.pid"
			wait $!
			echo $? >"$W/evil_$1.rc"
		) &
		EVIL_SH=$!
		_n=0
		while [ $_n -lt 100 ]; do
			grep -q listening "$W/evil_$1.err" 2>/dev/null && break
			[ -f "$W/evil_$1.rc" ] && break
			sleep 0.1
			_n=$((_n + 1))
		done
		EVIL_PID=$(cat "$W/evil_$1.pid" 2>/dev/null)
		grep -q listening "$W/evil_$1.err" 2>/dev/null && return 0
		wait "$EVIL_SH" 2>/dev/null
		if grep -q 'in use' "$W/evil_$1.err" && [ $_try -lt 10 ]; then
			continue
		fi
		fail "evilserver $1 starts" "$(cat "$W/evil_$1.err")"
		return 1
	done
}

# work_listing: the work directory's names, but for the test's own logs
# and the restore targets.
work_listing() {
	ls -A "$W" | grep -v -e '^run[0-9]' -e '^evil_' -e '^target_' -e '^\.' -e '^table\.txt$'
}

# evil_restore SCENARIO: cairn --restore from evilserver SCENARIO into
# $W/target_SCENARIO must fail (exit 1 or 3) and write nothing elsewhere.
evil_restore() {
	_t=$W/target_$1
	_w_before=$(work_listing)
	_up_before=$(ls -A "$(dirname "$W")")
	start_evilserver "$1" || return
	run_raw "$CAIRN" --server 127.0.0.1 --server-name localhost --port "$EPORT" \
		--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
		--ca "$CERTS/ca_cert.pem" --state "$W/evil_state.json" \
		--restore 0123456789abcdef --path "$_t" --json
	_n=0
	while [ ! -f "$W/evil_$1.rc" ] && [ $_n -lt 100 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	[ -f "$W/evil_$1.rc" ] || kill "$EVIL_PID" 2>/dev/null
	wait "$EVIL_SH" 2>/dev/null
	sed "s/^/server $1: /" "$W/evil_$1.out" | cut -c 1-200 >>"$TABLE"
	printf 'server %s: cairn exit %s: %s\n' "$1" "$RC" \
		"$(grep -v -e '^cairn: restoring' -e '^cairn: restored' "$RUN_ERR" | tr '\n' ' ' | cut -c 1-300)" >>"$TABLE"
	note "evilserver $1: cairn exit $RC: $(tr '\n' ' ' <"$RUN_ERR" | cut -c 1-300)"
	if [ "$RC" = 1 ] || [ "$RC" = 3 ]; then
		ok "evilserver $1: cairn --restore fails (exit $RC)"
	else
		fail "evilserver $1: cairn --restore fails (exit 1 or 3)"
		show_run
		sed 's/^/       | evilserver: /' "$W/evil_$1.out"
	fi
	if grep -Eq "$SANITIZER_RE" "$W/evil_$1.err"; then
		fail "evilserver $1: no sanitizer reports in evilserver" "$(head -n 20 "$W/evil_$1.err")"
	fi
	outside_unchanged "evilserver $1"
	no_escapes "evilserver $1"
	check_eq "$(work_listing)" "$_w_before" "evilserver $1: no new file in the work directory"
	check_eq "$(ls -A "$(dirname "$W")")" "$_up_before" "evilserver $1: no new file above the work directory"
	_tmp=$(find "$_t" -name '.cairn-*' 2>/dev/null | head -n 3)
	check_eq "$_tmp" "" "evilserver $1: no temporary file left in the target"
}

for s in dotdot abs deep overflow cut; do
	evil_restore "$s"
	check_eq "$(ls -A "$W/target_$s" 2>/dev/null)" "" "evilserver $s: the target holds nothing"
done
evil_restore linketc
check_eq "$(cd "$W/target_linketc" 2>/dev/null && find . | sort | tr '\n' ' ')" ". ./d ./d/l " \
	"linketc: the target holds d and the link d/l only"
evil_restore linkdir
evil_restore badmd5
check_eq "$(ls -A "$W/target_badmd5" 2>/dev/null)" "" "badmd5: the file is not restored"
evil_restore sizelie
check_eq "$(ls -A "$W/target_sizelie" 2>/dev/null)" "" "sizelie: the file is not restored"

# Entries twice or out of order are refused, as the server refuses such
# offers: exit 3, nothing fetched.
for s in twice unordered; do
	evil_restore "$s"
	check_eq "$RC" 3 "evilserver $s: the manifest's order is checked (exit 3)"
	check_err 'out of order or twice' "evilserver $s: cairn says the entries are out of order"
	check_eq "$(ls -A "$W/target_$s" 2>/dev/null)" "" "evilserver $s: nothing restored"
done

# evil_cairn SCENARIO ARGS...: cairn ARGS against evilserver SCENARIO; RC,
# RUN_ERR as run_raw leaves them.
evil_cairn() {
	_sc=$1
	shift
	start_evilserver "$_sc" || return 1
	run_raw "$CAIRN" --server 127.0.0.1 --server-name localhost --port "$EPORT" \
		--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
		--ca "$CERTS/ca_cert.pem" --state "$W/evil_state.json" "$@"
	_n=0
	while [ ! -f "$W/evil_$_sc.rc" ] && [ $_n -lt 100 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	[ -f "$W/evil_$_sc.rc" ] || kill "$EVIL_PID" 2>/dev/null
	wait "$EVIL_SH" 2>/dev/null
	sed "s/^/server $_sc: /" "$W/evil_$_sc.out" | cut -c 1-200 >>"$TABLE"
	printf 'server %s: cairn exit %s: %s\n' "$_sc" "$RC" \
		"$(od -An -c "$RUN_ERR" | tr -s ' \n' ' ' | cut -c 1-200)" >>"$TABLE"
	return 0
}

# A refusal full of terminal escape sequences is printed escaped.
if evil_cairn escape --restore 0123456789abcdef --path "$W/target_escape"; then
	check_rc 4 "escape: the refusal ends the restore (exit 4)"
	if od -An -tx1 "$RUN_ERR" | grep -Eq ' (1b|9b|07)( |$)'; then
		fail "escape: no escape, BEL or CSI byte reaches the terminal" \
			"$(od -An -c "$RUN_ERR" | head -n 5)"
	else
		ok "escape: no escape, BEL or CSI byte reaches the terminal"
	fi
	check_err_has '\x1b]0;owned\x07\x1b[2J' "escape: the message is shown, escaped"
fi

# A server naming as the snapshot's source a directory that is not the
# backup asked for: without --path the client recomputes the id from its
# own name and that source, and refuses (exit 4), writing nothing there.
if evil_cairn source --restore 0123456789abcdef --json; then
	check_rc 4 "source: a restore into a source of another id is refused (exit 4)"
	check_err "backup 0123456789abcdef is of .*outside.*, but our backup of .* is [0-9a-f]{16}" \
		"source: the message names both ids and the source"
	check_eq "$(ls "$OUT/planted.txt" 2>/dev/null)" "" "source: nothing is written there"
	outside_unchanged "source"
fi

# A server naming / as the snapshot's source, for the id our own name
# and / make, so that only the rule against --delete into / without
# --path stops the restore (exit 2) before anything is written. The act
# sends no entries, and --include of a path that is nowhere keeps even a
# broken client's deletions to where nothing is.
root_cn=$(openssl x509 -in "$CERTS/client_cert.pem" -noout -subject \
	-nameopt sep_multiline,utf8 | sed -n 's/^ *CN=//p')
root_id=$(printf '%s\000/' "$root_cn" | md5sum | cut -c 1-16)
root_before=$(ls -A /)
if evil_cairn root --restore "$root_id" --delete --include "cairn-absent-$$"; then
	check_rc 2 "root: --delete into / without --path is refused (exit 2)"
	check_err 'delete into / is refused: give --path / if that is what you mean' \
		"root: the message says what to do"
	check_eq "$(ls -A /)" "$root_before" "root: nothing written or deleted in /"
	if grep -q 'FETCH' "$W/evil_root.out"; then
		fail "root: nothing fetched" "$(grep FETCH "$W/evil_root.out" | head -n 3)"
	else
		ok "root: nothing fetched"
	fi
fi

# A listing that claims 2^32-1 backups and sends none.
if evil_cairn escape --list; then
	check_rc 3 "listlie: a listing short of its count fails (exit 3)"
	check_err 'listed 4294967295 backups but sent 0' "listlie: cairn says what is missing"
fi

# LS entries out of order, an I_DIFF with an unknown change, an I_ENTRY
# in a DIFF: exit 3, malformed.
if evil_cairn unordered --ls 0123456789abcdef; then
	check_rc 3 "evilserver unordered: --ls refuses entries out of order (exit 3)"
	check_err 'malformed listing .*out of order' "evilserver unordered: --ls says so"
fi
if evil_cairn diffcode --diff 0123456789abcdef@2026-01-01T00-00-00Z; then
	check_rc 3 "evilserver diffcode: --diff refuses change 9 (exit 3)"
	check_err 'malformed difference' "evilserver diffcode: --diff says so"
fi
if evil_cairn diffentry --diff 0123456789abcdef@2026-01-01T00-00-00Z; then
	check_rc 3 "evilserver diffentry: --diff refuses an I_ENTRY (exit 3)"
	check_err 'malformed difference' "evilserver diffentry: --diff says so"
	check_eq "$(cat "$RUN_OUT")" "" "evilserver diffentry: nothing printed"
fi

outside_unchanged "at the end"
note "the table of scenarios and answers is in $TABLE"
sed 's/^/#    /' "$TABLE"
finish
