#!/bin/sh
# t_compat.sh — versions 1 and 2 side by side (issue 9, "Versioning";
# PROTOCOL.md, "Version negotiation").
#
# Builds cairn and cairnd of the last version 1 commit (V1_COMMIT, default
# 2b1e17e) from `git archive` into this test's directory, reusing
# build/bearssl-src, build/include and the ASan build's libbearssl.a, as
# `make debug` (plain glibc, no sanitizer: the cheapest target that gives
# both; its time is logged and bounded by BUILD_BUDGET, default 300 s).
# Then:
#   1. old cairn -> new cairnd: backup, an unchanged re-run (sent 0),
#      --list, --restore (byte-identical, modes and mtimes), --remove of
#      one snapshot; and a snapshot the new cairn made of hard links and a
#      FIFO, restored by the old cairn as v1 would have stored it (the
#      links as files, no FIFO);
#   2. a store written by the old cairnd (v1 manifests), then served by
#      the new cairnd: the new cairn lists both snapshots, restores each,
#      and backs up onto it with the old client's state file (nothing
#      resent), and that snapshot restores too;
#   3. new cairn -> old cairnd: exit 4 and one line naming both versions
#      ("older cairnd (protocol version 1)", "speaks version 2"), for a
#      backup and for --list.
# The tree must be a git checkout holding V1_COMMIT (CI clones main with
# its history); otherwise the test fails saying so.
. "$(dirname "$0")/lib.sh"

V1_COMMIT=${V1_COMMIT:-2b1e17e}
BUILD_BUDGET=${BUILD_BUDGET:-300}
V1=$W/v1
NEW_CAIRN=$CAIRN
NEW_CAIRND=$CAIRND
OLD_CAIRN=$V1/build/debug/cairn
OLD_CAIRND=$V1/build/debug/cairnd

# ---- the version 1 binaries ------------------------------------------------------
if ! git -C "$TOP" rev-parse -q --verify "$V1_COMMIT^{commit}" >/dev/null 2>&1; then
	fail "$TOP is a git checkout holding commit $V1_COMMIT (the last version 1)" \
		"git rev-parse $V1_COMMIT: $(git -C "$TOP" rev-parse -q --verify "$V1_COMMIT^{commit}" 2>&1 | head -n 2)" \
		"clone with history (CI clones main with it), or set V1_COMMIT"
	finish
fi
ok "commit $V1_COMMIT is in the checkout"
for f in build/bearssl-src/.ok build/include/.ok; do
	if [ ! -f "$TOP/$f" ]; then
		fail "$f exists (the v1 build reuses it)" "build once first: make asan"
		finish
	fi
done
mkdir -p "$V1/build/asan"
if ! git -C "$TOP" archive "$V1_COMMIT" | tar -x -C "$V1"; then
	fail "git archive $V1_COMMIT unpacks into $V1"
	finish
fi
cp -a "$TOP/build/bearssl-src" "$TOP/build/include" "$V1/build/"
[ -f "$TOP/build/asan/bearssl/libbearssl.a" ] &&
	cp -a "$TOP/build/asan/bearssl" "$V1/build/asan/"
t0=$(date +%s)
$TIMEOUT "$BUILD_BUDGET" make -C "$V1" -j2 debug >"$W/v1-build.log" 2>&1
rc=$?
note "the v1 build (make debug): $(elapsed_since "$t0") s, exit status $rc"
if [ $rc = 0 ] && [ -x "$OLD_CAIRN" ] && [ -x "$OLD_CAIRND" ]; then
	ok "cairn and cairnd of $V1_COMMIT built (make debug, $(elapsed_since "$t0") s)"
else
	fail "cairn and cairnd of $V1_COMMIT built (make debug within $BUILD_BUDGET s)" \
		"exit status $rc; the end of $W/v1-build.log:"
	tail -n 30 "$W/v1-build.log" | sed 's/^/       | /'
	finish
fi
note "old cairn: $("$OLD_CAIRN" --version 2>&1 | head -n 1)"

# tree DIR: a small tree: files, a subdirectory, an empty one, a symlink,
# odd names, set modes and mtimes.
tree() {
	mkdir -p "$1/sub/deeper" "$1/empty"
	printf 'alpha\n' >"$1/a.txt"
	head -c 100000 /dev/urandom >"$1/sub/random.bin"
	printf 'deep\n' >"$1/sub/deeper/d.txt"
	printf 'odd\n' >"$1/with space and é"
	ln -s a.txt "$1/link"
	chmod 0600 "$1/sub/random.bin"
	touch -d '2011-11-11 11:11:11' "$1/a.txt"
}

# backup_ok WHAT: the last run exited 0 with JSON; sets ID, SNAP, SENT.
backup_ok() {
	check_rc 0 "$1: exit status 0"
	ID=$(json_field "$RUN_OUT" id)
	SNAP=$(json_field "$RUN_OUT" snapshot)
	SENT=$(json_field "$RUN_OUT" sent)
	note "$1: id=$ID snapshot=$SNAP sent=$SENT"
}

# snap_count FILE ID: the number of snapshots of ID in a --list --json.
snap_count() {
	list_snapshots "$1" "$2" | wc -l | tr -d ' '
}

# restored_same WHAT A B: B (a restore) has A's tree, modes and mtimes.
restored_same() {
	check_tree "$2" "$3" "$1: the same tree as the source"
	check_meta "$2" "$3" "$1: the same modes and mtimes"
}

# ---- 1. old cairn -> new cairnd ----------------------------------------------------
SRC=$W/src
tree "$SRC"
start_server || finish
CAIRN=$OLD_CAIRN
STATE=$W/old-client.state.json
run_cairn --source "$SRC" --json
backup_ok "old cairn -> new cairnd: backup"
check_eq "$SENT" 4 "old cairn -> new cairnd: backup: sent = the 4 files"
OLD_ID=$ID
SNAP1=$SNAP
run_cairn --source "$SRC" --json
backup_ok "old cairn -> new cairnd: unchanged re-run"
check_eq "$SENT" 0 "old cairn -> new cairnd: unchanged re-run: sent = 0"
SNAP2=$SNAP
run_cairn --list --json
check_rc 0 "old cairn -> new cairnd: --list: exit status 0"
cp "$RUN_OUT" "$W/list1.json"
check_eq "$(snap_count "$W/list1.json" "$OLD_ID")" 2 "old cairn -> new cairnd: --list shows both snapshots"
run_cairn --restore "$OLD_ID" --path "$W/r1" --json
check_rc 0 "old cairn -> new cairnd: --restore: exit status 0"
restored_same "old cairn -> new cairnd: --restore" "$SRC" "$W/r1"
run_cairn --remove "$OLD_ID@$SNAP1" --json
check_rc 0 "old cairn -> new cairnd: --remove ID@SNAPSHOT: exit status 0"
run_cairn --list --json
check_eq "$(snap_count "$RUN_OUT" "$OLD_ID")" 1 "old cairn -> new cairnd: one snapshot left after --remove"
check_eq "$(list_snapshots "$RUN_OUT" "$OLD_ID" | cut -d ' ' -f 1)" "$SNAP2" "old cairn -> new cairnd: the one left is the newer"

# A v2 snapshot (hard links, a FIFO) as a v1 client sees it.
SRC2=$W/src-v2
tree "$SRC2"
printf 'linked\n' >"$SRC2/one"
ln "$SRC2/one" "$SRC2/sub/two"
mkfifo "$SRC2/fifo"
CAIRN=$NEW_CAIRN
STATE=$W/new-client.state.json
run_cairn --source "$SRC2" --json
backup_ok "new cairn -> new cairnd: backup of hard links and a FIFO"
V2_ID=$ID
CAIRN=$OLD_CAIRN
STATE=$W/old-client.state.json
if [ -n "$V2_ID" ]; then
	run_cairn --restore "$V2_ID" --path "$W/r-v1view" --json
	check_rc 0 "old cairn restores a v2 snapshot: exit status 0"
	cp -a "$SRC2" "$W/v1view"
	rm -f "$W/v1view/fifo"
	check_tree "$W/v1view" "$W/r-v1view" "old cairn restores a v2 snapshot: both link names as files, no FIFO"
else
	fail "old cairn restores a v2 snapshot: there is one" "the new cairn's backup made none"
fi
stop_server

# ---- 2. a v1 store, served by the new cairnd -----------------------------------------
D=$W/store-v1
SRC3=$W/src-v1store
tree "$SRC3"
CAIRND=$OLD_CAIRND
start_server || finish
CAIRN=$OLD_CAIRN
STATE=$W/v1store-client.state.json
run_cairn --source "$SRC3" --json
backup_ok "old cairn -> old cairnd: first backup"
V1S_ID=$ID
V1S_SNAP1=$SNAP
cp -a "$SRC3" "$W/src-v1store.at1"
printf 'changed in the second run\n' >"$SRC3/a.txt"
printf 'new in the second run\n' >"$SRC3/sub/new.txt"
run_cairn --source "$SRC3" --json
backup_ok "old cairn -> old cairnd: second backup"
stop_server
if grep -q '"cairn_manifest":1' "$D/alice/$V1S_ID/.manifests/$V1S_SNAP1.json" 2>/dev/null; then
	ok "the old cairnd wrote v1 manifests"
else
	fail "the old cairnd wrote v1 manifests" "$(head -c 300 "$D/alice/$V1S_ID/.manifests/$V1S_SNAP1.json" 2>&1)"
fi

CAIRND=$NEW_CAIRND
start_server || finish
CAIRN=$NEW_CAIRN
run_cairn --list --json
check_rc 0 "new cairn -> new cairnd on a v1 store: --list: exit status 0"
cp "$RUN_OUT" "$W/list2.json"
check_eq "$(snap_count "$W/list2.json" "$V1S_ID")" 2 "new cairn on a v1 store: --list shows both v1 snapshots"
run_cairn --restore "$V1S_ID" --path "$W/r-v1store" --json
check_rc 0 "new cairn on a v1 store: --restore of the newest: exit status 0"
restored_same "new cairn on a v1 store: --restore of the newest" "$SRC3" "$W/r-v1store"
run_cairn --restore "$V1S_ID@$V1S_SNAP1" --path "$W/r-v1store.at1" --json
check_rc 0 "new cairn on a v1 store: --restore of the older: exit status 0"
restored_same "new cairn on a v1 store: --restore of the older" "$W/src-v1store.at1" "$W/r-v1store.at1"
# The old client's state file, now the new client's; one file added.
printf 'new in the v2 run\n' >"$SRC3/v2.txt"
run_cairn --source "$SRC3" --json
backup_ok "new cairn on a v1 store, with the old client's state: backup"
check_eq "$ID" "$V1S_ID" "new cairn on a v1 store: the same backup id"
check_eq "$SENT" 1 "new cairn on a v1 store: only the added file is sent (the state and the store know the others)"
check_eq "$(json_field "$RUN_OUT" errors)" 0 "new cairn on a v1 store: errors = 0"
if [ -n "$SNAP" ]; then
	run_cairn --restore "$V1S_ID@$SNAP" --path "$W/r-v1store.new" --json
	check_rc 0 "new cairn on a v1 store: --restore of its own snapshot: exit status 0"
	restored_same "new cairn on a v1 store: --restore of its own snapshot" "$SRC3" "$W/r-v1store.new"
else
	fail "new cairn on a v1 store: its own snapshot to restore" "the backup made none"
fi
stop_server

# ---- 3. new cairn -> old cairnd ------------------------------------------------------
D=$W/store-old
CAIRND=$OLD_CAIRND
start_server || finish
CAIRN=$NEW_CAIRN
STATE=$W/new-client-old-server.state.json
for what in "backup:--source $SRC" "--list:--list"; do
	w="new cairn -> old cairnd: ${what%%:*}"
	# shellcheck disable=SC2086
	run_cairn ${what#*:} --json
	check_rc 4 "$w: exit status 4"
	check_eq "$(grep -c . "$RUN_ERR")" 1 "$w: one line on stderr"
	check_err_has "older cairnd (protocol version 1)" "$w: the line names the server's version"
	check_err_has "speaks version 2" "$w: the line names the client's version"
done
stop_server

finish
