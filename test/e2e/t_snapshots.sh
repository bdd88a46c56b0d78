#!/bin/sh
# t_snapshots.sh — list, restore and remove (issue #3): two runs make two
# snapshots sharing unchanged files by hard link; --list (JSON and text)
# shows them with their file counts and sizes; --restore brings back the
# newest or an older snapshot, byte-identical with modes, mtimes, symlinks
# and empty directories, incrementally (a second restore fetches nothing,
# a damaged file is fetched again), to --path or to the original source;
# --keep N prunes old snapshots; --remove drops one snapshot or the whole
# backup without losing data other snapshots share.
. "$(dirname "$0")/lib.sh"

start_server || finish

SRC=$W/src
mkdir -p "$SRC/docs" "$SRC/bin" "$SRC/empty" "$SRC/private/deep" \
	"$SRC/locked_empty" "$SRC/ro_dir"
printf 'alpha\n' >"$SRC/docs/a.txt"
printf 'bravo\n' >"$SRC/docs/b.txt"
printf 'read only\n' >"$SRC/docs/readonly.txt"
printf '#!/bin/sh\necho hi\n' >"$SRC/bin/run.sh"
head -c 1048576 /dev/urandom >"$SRC/big.bin"
: >"$SRC/zero.txt"
printf 'deep\n' >"$SRC/private/deep/x.txt"
printf 'in a read-only directory\n' >"$SRC/ro_dir/f.txt"
ln -s docs/a.txt "$SRC/link"
ln -s no/such/target "$SRC/dangling"
ln -s ../big.bin "$SRC/docs/up"
chmod 640 "$SRC/docs/b.txt"
chmod 444 "$SRC/docs/readonly.txt"
chmod 755 "$SRC/bin/run.sh"
chmod 600 "$SRC/private/deep/x.txt"
chmod 700 "$SRC/private" "$SRC/locked_empty"
chmod 750 "$SRC/private/deep"
touch -t 201501020304.05 "$SRC/docs/a.txt"
touch -t 200001010000.00 "$SRC/big.bin"
touch -t 203001010000.00 "$SRC/bin/run.sh"
chmod 555 "$SRC/ro_dir"
SRC_REAL=$(cd "$SRC" && pwd -P)

# A second backup of this client, so that --list has more than one.
OTHER=$W/other
mkdir -p "$OTHER"
printf 'another source\n' >"$OTHER/o.txt"

# backup WHAT [ARGS...]: one run of $SRC with --json and ARGS, checked for
# exit 0; sets ID and SNAP.
backup() {
	_what=$1
	shift
	run_cairn --source "$SRC" --json "$@"
	check_rc 0 "$_what: exit status 0"
	ID=$(json_field "$RUN_OUT" id)
	SNAP=$(json_field "$RUN_OUT" snapshot)
	note "$_what: id=$ID snapshot=$SNAP sent=$(json_field "$RUN_OUT" sent)"
}

# list_json WHAT: `--list --json` into $W/list.json (kept as LIST), checked
# for exit 0 and one line of JSON.
list_json() {
	run_cairn --list --json
	check_rc 0 "$1: --list --json exit status 0"
	check_json "$1: --list --json prints one line of JSON"
	cp "$RUN_OUT" "$W/list.json"
	LIST=$W/list.json
}

# restore_json WHAT EXPECT_SNAP ARGS...: `--restore ARGS --json`, checked
# for exit 0, one line of JSON, the id, the snapshot and errors = 0; sets
# R_FILES, R_BYTES, R_FETCHED.
restore_json() {
	_what=$1 _esnap=$2
	shift 2
	run_cairn --restore "$@" --json
	check_rc 0 "$_what: exit status 0"
	check_json "$_what: --json prints one line of JSON"
	check_eq "$(json_field "$RUN_OUT" id)" "$ID" "$_what: id in the JSON"
	check_eq "$(json_field "$RUN_OUT" snapshot)" "$_esnap" "$_what: snapshot in the JSON"
	check_eq "$(json_field "$RUN_OUT" errors)" 0 "$_what: errors = 0"
	R_FILES=$(json_field "$RUN_OUT" files)
	R_BYTES=$(json_field "$RUN_OUT" bytes)
	R_FETCHED=$(json_field "$RUN_OUT" fetched)
	note "$_what: files=$R_FILES bytes=$R_BYTES fetched=$R_FETCHED"
}

# inode FILE: its inode number.
inode() {
	stat -c %i "$1" 2>/dev/null
}

# ---- two runs ----------------------------------------------------------------
run_cairn --source "$OTHER" --json
check_rc 0 "backup of a second source"
OTHER_ID=$(json_field "$RUN_OUT" id)

backup "first run"
SNAP1=$SNAP
B=$D/alice/$ID
if [ -z "$ID" ] || [ ! -d "$B/$SNAP1" ]; then
	fail "first snapshot exists" "id='$ID' snapshot='$SNAP1'"
	finish
fi
check_ne "$ID" "$OTHER_ID" "two sources, two backup ids"
cp -a "$SRC" "$W/v1"
N1=$(count_files "$W/v1")
BYTES1=$(sum_sizes "$W/v1")

printf 'bravo, changed and longer\n' >"$SRC/docs/b.txt"
printf 'new in the second run\n' >"$SRC/new.txt"
rm -f "$SRC/zero.txt"
backup "second run"
SNAP2=$SNAP
check_ne "$SNAP2" "$SNAP1" "second run: a new snapshot name"
cp -a "$SRC" "$W/v2"
N2=$(count_files "$W/v2")
BYTES2=$(sum_sizes "$W/v2")
note "v1: $N1 files, $BYTES1 bytes; v2: $N2 files, $BYTES2 bytes"

# ---- hard links between the snapshots -------------------------------------------------
for f in docs/a.txt big.bin bin/run.sh private/deep/x.txt; do
	i1=$(inode "$B/$SNAP1/$f")
	i2=$(inode "$B/$SNAP2/$f")
	if [ -n "$i1" ] && [ "$i1" = "$i2" ]; then
		ok "unchanged $f: the same inode in both snapshots"
	else
		fail "unchanged $f: the same inode in both snapshots" "inodes: '$i1' and '$i2'"
	fi
	check_ge "$(stat -c %h "$B/$SNAP2/$f" 2>/dev/null)" 2 "unchanged $f: link count >= 2"
done
check_ne "$(inode "$B/$SNAP1/docs/b.txt")" "$(inode "$B/$SNAP2/docs/b.txt")" \
	"the changed file has its own inode in the second snapshot"

# ---- --list --json ------------------------------------------------------------
list_json "after two runs"
IDS=$(list_ids "$LIST" | sort | tr '\n' ' ')
WANT_IDS=$(printf '%s\n%s\n' "$ID" "$OTHER_ID" | sort | tr '\n' ' ')
check_eq "$IDS" "$WANT_IDS" "--list --json: both backups of this client, nothing else"
LB=$(list_backup "$LIST" "$ID")
if [ -n "$LB" ]; then
	ok "--list --json has the backup $ID"
else
	fail "--list --json has the backup $ID" "stdout: $(cat "$LIST")"
fi
check_eq "$(json_value "$LB" source)" "$SRC_REAL" "--list --json: the backup's source"
check_eq "$(list_snapshots "$LIST" "$ID" | tr '\n' ';')" \
	"$SNAP1 $N1 $BYTES1;$SNAP2 $N2 $BYTES2;" \
	"--list --json: exactly two snapshots, oldest first, with files and bytes (name files bytes;...)"

# ---- --list (text) ---------------------------------------------------------------------
run_cairn --list
check_rc 0 "--list: exit status 0"
check_eq "$(tail -n +2 "$RUN_OUT" | grep -c .)" 2 "--list: a header line, then one line per backup (2)"
line=$(awk -v id="$ID" '$1 == id' "$RUN_OUT")
if [ -n "$line" ]; then
	ok "--list: a line starts with the id"
	check_eq "$(printf '%s\n' "$line" | awk '{ print $2 }')" "$SRC_REAL" "--list: SOURCE column"
	check_eq "$(printf '%s\n' "$line" | awk '{ print $3 }')" 2 "--list: SNAPSHOTS column"
	check_eq "$(printf '%s\n' "$line" | awk '{ print $4 }')" "$SNAP2" "--list: NEWEST column"
	check_eq "$(printf '%s\n' "$line" | awk '{ print $5 }')" "$N2" "--list: FILES column (of the newest)"
	check_eq "$(printf '%s\n' "$line" | awk '{ print $6 }')" "$BYTES2" "--list: BYTES column (of the newest)"
else
	fail "--list: a line starts with the id $ID"
	show_run
fi

run_cairn --list "$ID"
check_rc 0 "--list ID: exit status 0"
check_eq "$(tail -n +2 "$RUN_OUT" | grep -c .)" 2 "--list ID: a header line, then one line per snapshot (2)"
check_eq "$(tail -n +2 "$RUN_OUT" | awk '{ print $1, $2, $3 }' | tr '\n' ';')" \
	"$SNAP1 $N1 $BYTES1;$SNAP2 $N2 $BYTES2;" "--list ID: SNAPSHOT FILES BYTES, oldest first"

run_cairn --list "$ID" --json
check_rc 0 "--list ID --json: exit status 0"
check_json "--list ID --json: one line of JSON"
check_eq "$(list_ids "$RUN_OUT" | tr '\n' ' ')" "$ID " "--list ID --json: only that backup"
check_eq "$(list_snapshots "$RUN_OUT" "$ID" | tr '\n' ';')" \
	"$SNAP1 $N1 $BYTES1;$SNAP2 $N2 $BYTES2;" "--list ID --json: its two snapshots"

run_cairn --list 0123456789abcdef
check_rc 4 "--list of an unknown id: exit 4"
check_err_has "not found or not yours" "--list of an unknown id: 'not found or not yours'"

# ---- restore the newest into an empty directory -------------------------------------------
R1=$W/restore1
mkdir -p "$R1"
restore_json "restore newest to --path" "$SNAP2" "$ID" --path "$R1"
check_eq "$R_FILES" "$N2" "restore newest: files = regular files in the snapshot"
check_eq "$R_FETCHED" "$N2" "restore newest into an empty directory: fetched = every file"
check_eq "$R_BYTES" "$BYTES2" "restore newest into an empty directory: bytes = their total size"
check_tree "$SRC" "$R1" "restore newest: byte-identical to the source (names, types, symlinks, contents)"
check_meta "$SRC" "$R1" "restore newest: file modes and mtimes, directory modes"
for l in link dangling docs/up; do
	check_eq "$(readlink "$R1/$l" 2>&1)" "$(readlink "$SRC/$l")" "restore newest: symlink $l points to the same target"
done
if [ -d "$R1/empty" ] && [ -d "$R1/locked_empty" ] && [ -z "$(ls -A "$R1/empty")" ]; then
	ok "restore newest: empty directories are there"
else
	fail "restore newest: empty directories are there" "$(ls -la "$R1" 2>&1)"
fi
if [ ! -e "$R1/zero.txt" ]; then
	ok "restore newest: a file deleted before the second run is not restored"
else
	fail "restore newest: a file deleted before the second run is not restored"
fi

# ---- restore the older snapshot ----------------------------------------------------------------
R0=$W/restore0
mkdir -p "$R0"
restore_json "restore ID@SNAPSHOT (the older)" "$SNAP1" "$ID@$SNAP1" --path "$R0"
check_eq "$R_FILES" "$N1" "restore older: files = regular files in that snapshot"
check_tree "$W/v1" "$R0" "restore older: equals the source as it was at the first run"
check_meta "$W/v1" "$R0" "restore older: modes and mtimes as at the first run"

run_cairn --restore "$ID@1999-01-01T00-00-00Z" --path "$W/restore_none"
check_rc 4 "restore of an unknown snapshot: exit 4"
if [ -z "$(ls -A "$W/restore_none" 2>/dev/null)" ]; then
	ok "restore of an unknown snapshot writes nothing"
else
	fail "restore of an unknown snapshot writes nothing" "$(ls -la "$W/restore_none")"
fi

# ---- incremental restore ----------------------------------------------------------------------
restore_json "second restore into the same directory" "$SNAP2" "$ID" --path "$R1"
check_eq "$R_FETCHED" 0 "second restore: fetched = 0"
check_eq "$R_FILES" "$N2" "second restore: files = $N2"
check_tree "$SRC" "$R1" "second restore: still byte-identical"
check_meta "$SRC" "$R1" "second restore: modes and mtimes unchanged"

# Same size, different bytes (the mtime changes as it naturally would).
printf 'ALPHA\n' >"$R1/docs/a.txt"
restore_json "restore over a damaged file" "$SNAP2" "$ID" --path "$R1"
check_eq "$R_FETCHED" 1 "restore over a damaged file: fetched = 1"
check_eq "$R_BYTES" "$(wc -c <"$SRC/docs/a.txt" | tr -d ' ')" "restore over a damaged file: bytes = its size"
check_tree "$SRC" "$R1" "restore over a damaged file: the file is right again"
check_meta "$SRC" "$R1" "restore over a damaged file: its mode and mtime are right again"

# Same size, different bytes, and the mtime put back: only the content tells.
cp -p "$R1/private/deep/x.txt" "$W/mtime_ref"
chmod 600 "$R1/private/deep/x.txt"
printf 'DEEP\n' >"$R1/private/deep/x.txt"
touch -r "$W/mtime_ref" "$R1/private/deep/x.txt"
restore_json "restore over a damaged file with size and mtime kept" "$SNAP2" "$ID" --path "$R1"
check_eq "$R_FETCHED" 1 "damaged file, size and mtime kept: fetched = 1 (content is checked)"
check_tree "$SRC" "$R1" "damaged file, size and mtime kept: the file is right again"

# ---- restore to the original source path ---------------------------------------------------
rm -f "$SRC/docs/a.txt"
ino_big=$(inode "$SRC/big.bin")
ino_b=$(inode "$SRC/docs/b.txt")
W_PARENT=$(dirname "$W")
BESIDE=$(ls -A "$W_PARENT" | tr '\n' ' ')
IN_W=$(ls -A "$W" | grep -v '^run[0-9]' | tr '\n' ' ')
restore_json "restore without --path (to the source)" "$SNAP2" "$ID"
check_eq "$R_FETCHED" 1 "restore to the source: fetched = 1 (the deleted file)"
if cmp -s "$W/v2/docs/a.txt" "$SRC/docs/a.txt"; then
	ok "restore to the source: the deleted file is back"
else
	fail "restore to the source: the deleted file is back" "$(ls -la "$SRC/docs" 2>&1)"
fi
check_tree "$W/v2" "$SRC" "restore to the source: the source equals the second snapshot"
check_meta "$W/v2" "$SRC" "restore to the source: modes and mtimes"
check_eq "$(inode "$SRC/big.bin")" "$ino_big" "restore to the source: an intact file is left alone (same inode)"
check_eq "$(inode "$SRC/docs/b.txt")" "$ino_b" "restore to the source: another intact file is left alone (same inode)"
check_eq "$(ls -A "$W_PARENT" | tr '\n' ' ')" "$BESIDE" "restore to the source: nothing written beside the work directory"
check_eq "$(ls -A "$W" | grep -v '^run[0-9]' | tr '\n' ' ')" "$IN_W" "restore to the source: nothing new beside the source"

# ---- --keep 2 ---------------------------------------------------------------------------------------
printf 'third run\n' >"$SRC/third.txt"
backup "third run with --keep 2" --keep 2
SNAP3=$SNAP
cp -a "$SRC" "$W/v3"
N3=$(count_files "$W/v3")
BYTES3=$(sum_sizes "$W/v3")
check_eq "$(snapshots_of "$B" | tr '\n' ' ')" "$SNAP2 $SNAP3 " "--keep 2: exactly the two newest snapshots remain in the store"
if [ ! -e "$B/.manifests/$SNAP1.json" ]; then
	ok "--keep 2: the oldest snapshot's manifest is gone"
else
	fail "--keep 2: the oldest snapshot's manifest is gone" "$(ls -A "$B/.manifests")"
fi
check_tree "$W/v2" "$B/$SNAP2" "--keep 2: the kept older snapshot is intact"
list_json "after --keep 2"
check_eq "$(list_snapshots "$LIST" "$ID" | tr '\n' ';')" \
	"$SNAP2 $N2 $BYTES2;$SNAP3 $N3 $BYTES3;" "--keep 2: --list shows the two newest"

# ---- --remove ID@SNAPSHOT -----------------------------------------------------------------------------
run_cairn --remove "$ID@$SNAP2" --json
check_rc 0 "--remove ID@SNAPSHOT (the oldest): exit status 0"
check_json "--remove ID@SNAPSHOT: one line of JSON"
check_eq "$(json_field "$RUN_OUT" id)" "$ID" "--remove ID@SNAPSHOT: id in the JSON"
check_eq "$(json_field "$RUN_OUT" snapshot)" "$SNAP2" "--remove ID@SNAPSHOT: snapshot in the JSON"
check_eq "$(json_field "$RUN_OUT" files)" "$N2" "--remove ID@SNAPSHOT: files = files of that snapshot"
check_eq "$(json_field "$RUN_OUT" bytes)" "$BYTES2" "--remove ID@SNAPSHOT: bytes = bytes of that snapshot"
check_eq "$(json_field "$RUN_OUT" errors)" 0 "--remove ID@SNAPSHOT: errors = 0"
list_json "after removing a snapshot"
check_eq "$(list_snapshots "$LIST" "$ID" | tr '\n' ';')" "$SNAP3 $N3 $BYTES3;" \
	"after removing a snapshot: --list shows one fewer"
if [ ! -e "$B/$SNAP2" ] && [ ! -e "$B/.manifests/$SNAP2.json" ]; then
	ok "the removed snapshot's directory and manifest are gone"
else
	fail "the removed snapshot's directory and manifest are gone" "$(ls -A "$B" "$B/.manifests" 2>&1)"
fi
check_tree "$W/v3" "$B/$SNAP3" "the remaining snapshot is intact in the store"
R3=$W/restore3
mkdir -p "$R3"
restore_json "restore after removing the older snapshot" "$SNAP3" "$ID" --path "$R3"
check_tree "$W/v3" "$R3" "the remaining snapshot restores identically (hard-linked data kept)"
check_meta "$W/v3" "$R3" "the remaining snapshot restores with its modes and mtimes"

run_cairn --restore "$ID@$SNAP2" --path "$W/restore_gone"
check_rc 4 "restore of the removed snapshot: exit 4"
run_cairn --remove "$ID@$SNAP2"
check_rc 4 "removing the removed snapshot again: exit 4"

# ---- --remove ID ----------------------------------------------------------------------------------------
run_cairn --remove "$ID" --json
check_rc 0 "--remove ID: exit status 0"
check_json "--remove ID: one line of JSON"
check_eq "$(json_field "$RUN_OUT" id)" "$ID" "--remove ID: id in the JSON"
check_eq "$(json_field "$RUN_OUT" snapshot)" "" "--remove ID: snapshot \"\" in the JSON"
check_eq "$(json_field "$RUN_OUT" errors)" 0 "--remove ID: errors = 0"
if grep -q '"snapshot":""' "$RUN_OUT" || grep -q '"snapshot": ""' "$RUN_OUT"; then
	ok "--remove ID: the snapshot key is present and empty"
else
	fail "--remove ID: the snapshot key is present and empty" "stdout: $(cat "$RUN_OUT")"
fi
list_json "after removing the backup"
check_eq "$(list_ids "$LIST" | tr '\n' ' ')" "$OTHER_ID " "after --remove ID: --list --json has only the other backup"
if [ ! -e "$B" ]; then
	ok "after --remove ID: D/alice/<id> is gone"
else
	fail "after --remove ID: D/alice/<id> is gone" "$(ls -la "$B" 2>&1)"
fi
if [ -d "$D/alice/$OTHER_ID" ]; then
	ok "after --remove ID: the other backup is still in the store"
else
	fail "after --remove ID: the other backup is still in the store"
fi
if [ -f "$D/backup_state.json" ] && ! grep -Fq -e "$ID" "$D/backup_state.json"; then
	ok "after --remove ID: D/backup_state.json no longer mentions the id"
else
	fail "after --remove ID: D/backup_state.json no longer mentions the id" \
		"$(head -c 1000 "$D/backup_state.json" 2>&1)"
fi
if grep -Fq -e "$OTHER_ID" "$D/backup_state.json" 2>/dev/null; then
	ok "after --remove ID: D/backup_state.json still has the other backup"
else
	fail "after --remove ID: D/backup_state.json still has the other backup"
fi
run_cairn --restore "$ID" --path "$W/restore_removed"
check_rc 4 "restore of the removed backup: exit 4"
check_err_has "not found or not yours" "restore of the removed backup: 'not found or not yours'"
run_cairn --list "$ID"
check_rc 4 "--list of the removed backup: exit 4"
run_cairn --remove "$ID"
check_rc 4 "--remove of the removed backup: exit 4"

finish
