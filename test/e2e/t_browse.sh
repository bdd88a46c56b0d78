#!/bin/sh
# t_browse.sh — --ls, --find and --diff (issue #10): a tree changed
# between three snapshots (a file added, one removed, content modified, a
# chmod, a touch, a symlink retargeted, a directory replaced by a file);
# --ls lists the root, a directory, a file, -R, an older @SNAP, with
# --json; --find searches one backup and all, with ** and anchored
# patterns; --diff names each change with what changed; unknown IDs,
# snapshots, paths and bad patterns fail with the documented status.
. "$(dirname "$0")/lib.sh"

start_server || finish

SRC=$W/src
OTHER=$W/other
mkdir -p "$SRC/docs" "$SRC/dir2" "$OTHER/docs"
printf 'alpha\n' >"$SRC/docs/a.txt"
printf 'bravo\n' >"$SRC/docs/b.txt"
printf 'gone\n' >"$SRC/docs/gone.txt"
printf 'x\n' >"$SRC/dir2/x"
printf 'mode\n' >"$SRC/mode.txt"
printf 'touch\n' >"$SRC/touch.txt"
chmod 644 "$SRC/mode.txt"
chmod 4755 "$SRC/dir2/x"
ln -s docs/a.txt "$SRC/link"
touch -t 202001020304.05 "$SRC/touch.txt" "$SRC/docs/b.txt"
printf 'other a\n' >"$OTHER/docs/a.txt"

# backup DIR: one run, exit 0; sets ID and SNAP.
backup() {
	run_cairn --source "$1" --json
	check_rc 0 "backup of $1: exit status 0"
	ID=$(json_field "$RUN_OUT" id)
	SNAP=$(json_field "$RUN_OUT" snapshot)
}

backup "$SRC"
S1=$SNAP
sleep 1
rm "$SRC/docs/gone.txt"
printf 'new\n' >"$SRC/docs/new.txt"
printf 'BRAVO\n' >"$SRC/docs/b.txt"
chmod 600 "$SRC/mode.txt"
touch -t 202101020304.05 "$SRC/touch.txt"
rm "$SRC/link"
ln -s docs/b.txt "$SRC/link"
rm -r "$SRC/dir2"
printf 'now a file\n' >"$SRC/dir2"
backup "$SRC"
S2=$SNAP
sleep 1
mkdir -p "$SRC/deep/x/y"
printf 'zed\n' >"$SRC/deep/x/y/z.txt"
printf 'alpha, longer\n' >"$SRC/docs/a.txt"
backup "$SRC"
S3=$SNAP
backup "$OTHER"
OID=$ID
ID=$(cd "$W" && json_field run1.out id)
note "backup $ID: $S1 $S2 $S3; other $OID"

# ---- --ls -------------------------------------------------------------------

run_cairn --ls "$ID"
check_rc 0 "--ls: exit 0"
check_eq "$(awk '{print $NF}' "$RUN_OUT" | tr '\n' ' ')" \
	"deep dir2 docs docs/b.txt mode.txt touch.txt " \
	"--ls: the root's children, in order (the link's target last)"
check_eq "$(grep -c '' "$RUN_OUT")" 6 "--ls: six entries"
grep -q '^lrwxrwxrwx .* link -> docs/b.txt$' "$RUN_OUT"
check $? "--ls: a symlink with its target"
grep -q '^-rw------- .* 5 .* mode.txt$' "$RUN_OUT"
check $? "--ls: a file's mode string and size"
grep -q '^-rw-r--r-- .* 2021-01-02 03:04 touch.txt$' "$RUN_OUT"
check $? "--ls: the mtime in local time"
grep -q '^d.* docs$' "$RUN_OUT" && grep -q '^-.* dir2$' "$RUN_OUT"
check $? "--ls: a directory, and the file that replaced one"

run_cairn --ls "$ID@$S1" dir2
check_rc 0 "--ls ID@SNAP DIR: exit 0"
grep -q '^-rwsr-xr-x .* dir2/x$' "$RUN_OUT"
check $? "--ls ID@SNAP DIR: the older snapshot's child, setuid shown as s"
check_eq "$(grep -c '' "$RUN_OUT")" 1 "--ls ID@SNAP DIR: only the children"

run_cairn --ls "$ID" /docs/a.txt
check_rc 0 "--ls of a file (leading /): exit 0"
check_eq "$(awk '{print $NF}' "$RUN_OUT")" docs/a.txt "--ls of a file: itself"

run_cairn --ls "$ID" docs/
check_eq "$(awk '{print $NF}' "$RUN_OUT" | tr '\n' ' ')" \
	"docs/a.txt docs/b.txt docs/new.txt " "--ls DIR/: its children"

run_cairn --ls "$ID" -R
check_rc 0 "--ls -R: exit 0"
check_eq "$(grep -c '' "$RUN_OUT")" 12 "--ls -R: every entry"
grep -q ' deep/x/y/z.txt$' "$RUN_OUT"
check $? "--ls -R: the deepest file"

run_cairn --ls "$ID" deep --recursive
check_eq "$(awk '{print $NF}' "$RUN_OUT" | tr '\n' ' ')" \
	"deep/x deep/x/y deep/x/y/z.txt " "--ls DIR -R: all below it"

run_cairn --ls "$ID" docs --json
check_rc 0 "--ls --json: exit 0"
head -n 1 "$RUN_OUT" | grep -q "^{\"id\":\"$ID\",\"snapshot\":\"$S3\",\"entries\":\\[$"
check $? "--ls --json: the head names the backup and snapshot"
grep -q '^{"path":"docs/a.txt","type":"file","mode":"0644",.*"size":14,.*"md5":"' "$RUN_OUT"
check $? "--ls --json: one entry per line, with its fields"
check_eq "$(tail -n 1 "$RUN_OUT")" "]}" "--ls --json: the end"
check_eq "$(grep -c '"path"' "$RUN_OUT")" 3 "--ls --json: three entries"

run_cairn --ls "$ID" nosuch/path
check_rc 4 "--ls of a missing path: exit 4"
check_err "nosuch/path: no such path in snapshot $S3" "--ls of a missing path: says so"
run_cairn --ls "$ID@1999-01-01T00-00-00Z"
check_rc 4 "--ls of a missing snapshot: exit 4"
run_cairn --ls 0123456789abcdef
check_rc 4 "--ls of an unknown backup: exit 4"
check_err "not found" "--ls of an unknown backup: says so"
run_cairn --ls "$ID" ../etc
check_rc 2 "--ls of a path with ..: exit 2"

# ---- --find -------------------------------------------------------------------

run_cairn --find a.txt "$ID"
check_rc 0 "--find in one backup: exit 0"
check_eq "$(grep -c ' docs/a.txt$' "$RUN_OUT")" 3 "--find: the file in each snapshot"
check_eq "$(grep -c "^  $S1\$" "$RUN_OUT")$(grep -c "^$ID  " "$RUN_OUT")" 11 \
	"--find: grouped by backup and snapshot"
check_eq "$(awk '/docs\/a.txt$/ {print $1}' "$RUN_OUT" | uniq | grep -c '')" 2 \
	"--find: its MD5 shows the change in the third snapshot"

run_cairn --find a.txt
check_rc 0 "--find in every backup: exit 0"
grep -q "^$OID  " "$RUN_OUT" && grep -q "^$ID  " "$RUN_OUT"
check $? "--find in every backup: both backups"

run_cairn --find '**/y/*.txt' --json
check_rc 0 "--find with **: exit 0"
check_eq "$(grep -c '"path":"deep/x/y/z.txt"' "$RUN_OUT")" 1 "--find with **: one match"
head -n 1 "$RUN_OUT" | grep -q '^{"pattern":"\*\*/y/\*.txt","matches":\[$'
check $? "--find --json: the head"
grep -q "^{\"id\":\"$ID\",\"snapshot\":\"$S3\",\"path\":\"deep/x/y/z.txt\"" "$RUN_OUT"
check $? "--find --json: each match with its backup and snapshot"

run_cairn --find /dir2 "$ID"
check_rc 0 "--find anchored: exit 0"
check_eq "$(grep -c ' dir2$' "$RUN_OUT")" 3 "--find anchored: the top dir2 in each snapshot"
check_eq "$(grep -c 'dir2/x' "$RUN_OUT")" 0 "--find anchored: not what is below it"
run_cairn --find 'dir2/' "$ID"
check_eq "$(grep -c ' dir2$' "$RUN_OUT")" 1 "--find DIR/: only while it was a directory"

run_cairn --find nothing-like-this
check_rc 1 "--find without a match: exit 1"
run_cairn --find '[a-'
check_rc 2 "--find with a bad pattern: exit 2"
run_cairn --find a.txt 0123456789abcdef
check_rc 4 "--find in an unknown backup: exit 4"

# ---- --diff -------------------------------------------------------------------

run_cairn --diff "$ID@$S1" "$ID@$S2"
check_rc 0 "--diff A B: exit 0"
cp "$RUN_OUT" "$W/diff12"
for want in "- docs/gone.txt" "+ docs/new.txt" \
	"M docs/b.txt (content, mtime)" "M mode.txt (mode)" \
	"M touch.txt (mtime)" "- dir2/x" "0 added, 0 removed, 0 changed"; do
	case $want in
	0*) grep -q "^[0-9]* added, [0-9]* removed, [0-9]* changed$" "$W/diff12" ;;
	*) grep -qxF -e "$want" "$W/diff12" ;;
	esac
	check $? "--diff: $want"
done
grep -q '^M link (.*target.*)$' "$W/diff12"
check $? "--diff: a symlink retargeted"
grep -q '^M dir2 (type, .*)$' "$W/diff12"
check $? "--diff: a directory replaced by a file"
check_eq "$(grep -c 'docs/a.txt' "$W/diff12")" 0 "--diff: what did not change is not listed"

run_cairn --diff "$ID@$S2"
check_rc 0 "--diff A (to the newest): exit 0"
grep -qxF "+ deep/x/y/z.txt" "$RUN_OUT" && grep -qxF "M docs/a.txt (size, content, mtime)" "$RUN_OUT"
check $? "--diff A: against the newest"

run_cairn --diff "$ID@$S1" "$ID@$S2" --json
check_rc 0 "--diff --json: exit 0"
head -n 1 "$RUN_OUT" | grep -q "^{\"id\":\"$ID\",\"a\":\"$S1\",\"b\":\"$S2\",\"changes\":\\[$"
check $? "--diff --json: the head names both snapshots"
grep -q '^{"change":"changed","what":\["content","mtime"\],"path":"docs/b.txt"' "$RUN_OUT"
check $? "--diff --json: a change with what changed"
grep -q '^,\{0,1\}{"change":"removed","path":"docs/gone.txt"' "$RUN_OUT"
check $? "--diff --json: a removal"

run_cairn --diff "$ID"
check_rc 2 "--diff without @SNAP: exit 2"
run_cairn --diff "$ID@1999-01-01T00-00-00Z"
check_rc 4 "--diff of a missing snapshot: exit 4"
run_cairn --diff "$ID@$S1" "$OID@$S2"
check_rc 2 "--diff across backups: exit 2"

finish
