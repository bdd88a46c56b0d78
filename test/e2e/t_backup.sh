#!/bin/sh
# t_backup.sh — a backup with an extension filter, then incremental re-runs:
# nothing changed, one file changed, mtime only, one file added. Checks the
# JSON summary and the server's store byte for byte after each run.
# Symbolic links are stored as links whatever the extension filter says.
. "$(dirname "$0")/lib.sh"

start_server || finish

SRC=$W/src
EXP=$W/expect		# what the snapshot must hold
mkdir -p "$SRC/a/b/c" "$SRC/empty" "$SRC/docs" "$SRC/only_skipped"
head -c 3145728 /dev/urandom >"$SRC/a/big.jpg"
printf 'hello\n' >"$SRC/hello.txt"
printf 'upper case extension\n' >"$SRC/docs/NOTES.TXT"
printf 'photo bytes\n' >"$SRC/a/b/Photo.JPG"
printf 'deep\n' >"$SRC/a/b/c/deep.txt"
: >"$SRC/a/empty.txt"
printf 'hidden file\n' >"$SRC/.hidden.txt"
printf '# markdown\n' >"$SRC/readme.md"
printf 'all:\n' >"$SRC/Makefile"
printf 'no extension\n' >"$SRC/a/b/data"
printf 'backup copy\n' >"$SRC/docs/old.txt.bak"
printf 'png\n' >"$SRC/only_skipped/pic.png"
printf 'jpeg\n' >"$SRC/docs/x.jpeg"
i=0
while [ $i -lt 20 ]; do
	printf 'small file %d\n' $i >"$SRC/a/b/small$i.txt"
	i=$((i + 1))
done
ln -s hello.txt "$SRC/link_to_hello"
ln -s ../readme.md "$SRC/a/link.txt"
ln -s does/not/exist "$SRC/dangling"

printf 'txt\n.JPG\n# comment\n\n' >"$W/extensions"

# The expected snapshot: the source without the regular files that do not
# match (symlinks stay).
cp -a "$SRC" "$EXP"
find "$EXP" -type f -exec sh -c '
for f do
	case $f in
	*.[tT][xX][tT] | *.[jJ][pP][gG]) ;;
	*) rm -f "$f" ;;
	esac
done' sh {} +
N=$(count_files "$EXP")
BYTES=$(sum_sizes "$EXP")
note "expect $N files, $BYTES bytes"

# backup WHAT: one run with the filter and --json, checked for exit 0 and
# one line of JSON; sets ID, SNAP, FILES, SENT, BYTES_SENT, ERRORS.
backup() {
	run_cairn --source "$SRC" --extensions "$W/extensions" --json
	check_rc 0 "$1: exit status 0"
	check_json "$1: --json prints one line of JSON"
	ID=$(json_field "$RUN_OUT" id)
	SNAP=$(json_field "$RUN_OUT" snapshot)
	FILES=$(json_field "$RUN_OUT" files)
	SENT=$(json_field "$RUN_OUT" sent)
	BYTES_SENT=$(json_field "$RUN_OUT" bytes_sent)
	ERRORS=$(json_field "$RUN_OUT" errors)
	note "id=$ID snapshot=$SNAP files=$FILES sent=$SENT bytes_sent=$BYTES_SENT errors=$ERRORS"
}

# check_snapshot WHAT: the snapshot of the last run holds exactly $EXP.
check_snapshot() {
	case $ID in
	'' | */* | . | ..)
		fail "$1: a usable id in the JSON" "id='$ID'"
		return
		;;
	esac
	case $SNAP in
	'' | */* | .*)
		fail "$1: a usable snapshot name in the JSON" "snapshot='$SNAP'"
		return
		;;
	esac
	if [ ! -d "$D/alice/$ID/$SNAP" ]; then
		fail "$1: snapshot directory D/alice/$ID/$SNAP exists" \
			"store: $(cd "$D" && find . | head -n 30 | tr '\n' ' ')"
		return
	fi
	check_tree -f "$EXP" "$D/alice/$ID/$SNAP" "$1: the snapshot holds exactly the filtered files and the symlinks"
}

# ---- first run -------------------------------------------------------------
backup "first run"
FIRST_ID=$ID
FIRST_SNAP=$SNAP
check_eq "$FILES" "$N" "first run: files = number of matching regular files"
check_eq "$SENT" "$N" "first run: sent = every matching file"
check_ge "$BYTES_SENT" "$BYTES" "first run: bytes_sent >= their total size"
check_eq "$ERRORS" 0 "first run: errors = 0"
check_snapshot "first run"
case $SNAP in
[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]-[0-5][0-9]-[0-6][0-9]Z*)
	ok "snapshot named by UTC time ($SNAP)" ;;
*) fail "snapshot named by UTC time like 2026-11-28T15-04-05Z" "got: $SNAP" ;;
esac
S=$D/alice/$ID/$SNAP
if [ -L "$S/dangling" ] && [ "$(readlink "$S/dangling")" = does/not/exist ]; then
	ok "a dangling symlink is stored as a link with its target"
else
	fail "a dangling symlink is stored as a link with its target" \
		"$(ls -la "$S" 2>&1 | head -n 20)"
fi
if [ -L "$S/link_to_hello" ] && [ "$(readlink "$S/link_to_hello")" = hello.txt ]; then
	ok "a symlink without a matching extension is stored as a link"
else
	fail "a symlink without a matching extension is stored as a link" \
		"readlink: $(readlink "$S/link_to_hello" 2>&1)"
fi
if [ -f "$D/backup_state.json" ] && grep -Fq -e "$ID" "$D/backup_state.json"; then
	ok "D/backup_state.json mentions the id"
else
	fail "D/backup_state.json mentions the id $ID" \
		"$(cat "$D/backup_state.json" 2>&1 | head -c 1000)"
fi
if [ -s "$STATE" ]; then ok "client state file written"; else fail "client state file $STATE written"; fi

# ---- second run: nothing changed ---------------------------------------------
backup "unchanged re-run"
check_eq "$ID" "$FIRST_ID" "unchanged re-run: same id"
check_ne "$SNAP" "$FIRST_SNAP" "unchanged re-run: a new snapshot name"
check_eq "$FILES" "$N" "unchanged re-run: files = $N"
check_eq "$SENT" 0 "unchanged re-run: sent = 0"
check_eq "$ERRORS" 0 "unchanged re-run: errors = 0"
check_snapshot "unchanged re-run"
check_tree -f "$EXP" "$D/alice/$ID/$FIRST_SNAP" "the first snapshot is still intact"
i1=$(ls -i "$D/alice/$ID/$FIRST_SNAP/a/big.jpg" 2>/dev/null | awk '{ print $1 }')
i2=$(ls -i "$D/alice/$ID/$SNAP/a/big.jpg" 2>/dev/null | awk '{ print $1 }')
if [ -n "$i1" ] && [ "$i1" = "$i2" ]; then
	ok "an unchanged file is a hard link to the previous snapshot's"
else
	fail "an unchanged file is a hard link to the previous snapshot's" "inodes: '$i1' and '$i2'"
fi

# ---- one file changed (different size) --------------------------------------
printf 'hello again, now longer\n' >"$SRC/hello.txt"
cp "$SRC/hello.txt" "$EXP/hello.txt"
backup "one file changed"
check_eq "$SENT" 1 "one file changed: sent = 1"
check_eq "$FILES" "$N" "one file changed: files = $N"
check_snapshot "one file changed"

# ---- mtime only ---------------------------------------------------------------
touch -t 202001020304 "$SRC/a/b/c/deep.txt"
backup "mtime touched"
check_eq "$SENT" 0 "mtime touched, same content: sent = 0"
check_snapshot "mtime touched"

# ---- same size, mtime put back: only the ctime tells ------------------------------
cp -p "$SRC/a/b/small3.txt" "$W/mtime_ref"
printf 'SMALL FILE 3\n' >"$SRC/a/b/small3.txt"
touch -r "$W/mtime_ref" "$SRC/a/b/small3.txt"
cp "$SRC/a/b/small3.txt" "$EXP/a/b/small3.txt"
backup "same size, mtime restored"
check_eq "$SENT" 1 "same size, mtime restored: the change is found (sent = 1)"
check_snapshot "same size, mtime restored"

# ---- racy: same-size changes right before and right after a run ----------------------
printf 'small file A\n' >"$SRC/a/b/small4.txt"
backup "racy, first run"
printf 'small file B\n' >"$SRC/a/b/small4.txt"
cp "$SRC/a/b/small4.txt" "$EXP/a/b/small4.txt"
backup "racy, second run"
check_eq "$SENT" 1 "a same-size change just after a run is found (sent = 1)"
check_snapshot "racy, second run"

# ---- one file added -------------------------------------------------------------
printf 'a new file\n' >"$SRC/a/new.txt"
cp "$SRC/a/new.txt" "$EXP/a/new.txt"
backup "one file added"
check_eq "$SENT" 1 "one file added: sent = 1"
check_eq "$FILES" $((N + 1)) "one file added: files = $((N + 1))"
check_snapshot "one file added"

n_snaps=$(snapshots_of "$D/alice/$FIRST_ID" | wc -l | tr -d ' ')
check_eq "$n_snaps" 8 "eight runs made eight snapshots"

finish
