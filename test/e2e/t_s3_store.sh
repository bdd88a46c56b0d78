#!/bin/sh
# t_s3_store.sh — cairnd with --store s3 on a real radosgw (tools/ceph-up.sh):
# the store contract test's s3 row on the bucket; then
# a tree (many small files, a renamed copy, a hard link, symlinks, an empty
# file, a sparse one, one larger than a multipart part) backed up, re-run
# unchanged (its requests counted in radosgw's log: a handful, not one per
# file), restored byte for byte (rsync as judge), listed with --ls, --find
# and --diff, checked with --check --read-data; two cairnd on one bucket
# serving alternating clients; two runs of one backup at once on two cairnd
# (one is told "busy"); a cairnd killed mid-upload leaves no snapshot and
# the next run completes; a snapshot and then the backup removed, a prune,
# and what no manifest names collected from the bucket.
. "$(dirname "$0")/lib.sh"
. "$TOP/test/e2e/s3lib.sh"

s3_cluster
B=t-s3-store-$$
CAIRN_S3_BUCKET=$B
export CAIRN_S3_BUCKET
s3 mkbucket
s3_check 0 "bucket $B made"
RGW_LOG=$(dirname "$_env")/log/client.rgw.log

# The store contract (test/unit/test_store.c) against this bucket: its s3
# row runs when the endpoint and keys are in the environment.
CAIRN_S3_BUCKET=$B-contract "$TOP/build/asan/unit" store >"$W/contract.out" 2>&1
check_eq "$(tail -n 1 "$W/contract.out" | sed 's/^[0-9]* passed, //')" "0 failed" \
	"the store contract holds on the object store ($(tail -n 1 "$W/contract.out"))"
grep -q "store s3: not configured" "$W/contract.out"
check_eq $? 1 "its s3 row ran"
S3ARGS="--store s3 --s3-endpoint $CAIRN_S3_ENDPOINT --s3-bucket $B --s3-spool $W/spool --s3-lease 6"

# requests_since N: the requests radosgw logged for the bucket after line
# N of its log (its beast lines), in $REQ; and the log's length in $LINES.
log_lines() { wc -l <"$RGW_LOG" | tr -d ' '; }
requests_since() {
	sleep 1		# radosgw writes its log lines a moment later
	REQ=$(tail -n +"$(($1 + 1))" "$RGW_LOG" | grep -c "beast: .* /$B[/?]")
	LINES=$(log_lines)
}

# ---- a tree ------------------------------------------------------------------
SRC=$W/src
mkdir -p "$SRC/many" "$SRC/docs" "$SRC/deep/a/b"
i=0
while [ $i -lt 300 ]; do
	printf 'file %d of many\n' $i >"$SRC/many/f$i"
	i=$((i + 1))
done
printf 'alpha\n' >"$SRC/docs/a.txt"
cp "$SRC/docs/a.txt" "$SRC/deep/a/b/copy.txt"
ln "$SRC/docs/a.txt" "$SRC/docs/hard.txt"
ln -s ../docs/a.txt "$SRC/deep/link"
: >"$SRC/empty"
head -c 20000000 /dev/urandom >"$SRC/big"
dd if=/dev/urandom of="$SRC/sparse" bs=4096 count=1 seek=1000 2>/dev/null
chmod 640 "$SRC/docs/a.txt"
touch -d '2020-01-02 03:04:05' "$SRC/many/f7"

start_server $S3ARGS || finish
S1_PORT=$PORT

# backup: one run, exit 0; sets ID, SNAP.
backup() {
	run_cairn --source "$SRC" --json "$@"
	check_rc 0 "backup through the object store: exit 0"
	ID=$(json_field "$RUN_OUT" id)
	SNAP=$(json_field "$RUN_OUT" snapshot)
}

L0=$(log_lines)
backup
requests_since "$L0"
S1=$SNAP
check_ge "$REQ" 300 "the first run puts each new content object ($REQ requests)"
s3 list ""
check_eq "$(grep -c "^alice/data/" "$S3_OUT")" 304 \
	"304 content objects: the copy and the hard link cost nothing"
grep -q "/$ID/snap/$S1 " "$S3_OUT"
check $? "the snapshot's manifest is one object"

# ---- an unchanged re-run: a handful of requests -----------------------------
sleep 1
L0=$(log_lines)
backup
requests_since "$L0"
S2=$SNAP
check_ne "$S2" "$S1" "the re-run makes a second snapshot"
if [ "$REQ" -le 20 ]; then
	ok "an unchanged re-run of 307 files makes a handful of requests ($REQ)"
else
	fail "an unchanged re-run makes at most 20 requests" "it made $REQ"
fi

# ---- restore, byte for byte --------------------------------------------------
run_cairn --restore "$ID" --path "$W/back"
check_rc 0 "restore from the object store: exit 0"
rsync_same "-aHS --numeric-ids -c" "$SRC" "$W/back" \
	"rsync -aHS -c finds nothing to change between the source and the restore"
cmp -s "$SRC/big" "$W/back/big" && cmp -s "$SRC/sparse" "$W/back/sparse"
check $? "the multipart and the sparse file come back byte for byte"
check_eq "$(stat -c %i "$W/back/docs/a.txt")" "$(stat -c %i "$W/back/docs/hard.txt")" \
	"the hard link is one again"
check_eq "$(readlink "$W/back/deep/link")" "../docs/a.txt" "the symlink"
check_eq "$(stat -c %a "$W/back/docs/a.txt")" 640 "the mode"
check_eq "$(stat -c %Y "$W/back/many/f7")" "$(stat -c %Y "$SRC/many/f7")" "the mtime"

# ---- --ls, --find, --diff ----------------------------------------------------
run_cairn --ls "$ID" docs
check_rc 0 "--ls of a directory"
grep -q 'a.txt' "$RUN_OUT" && grep -q 'hard.txt' "$RUN_OUT"
check $? "--ls names its entries"
run_cairn --find 'copy.txt'
check_rc 0 "--find"
grep -q 'deep/a/b/copy.txt' "$RUN_OUT"
check $? "--find finds the copy"
printf 'changed\n' >"$SRC/docs/new.txt"
sleep 1
backup
S3=$SNAP
run_cairn --diff "$ID@$S2" "$ID@$S3"
check_rc 0 "--diff of two snapshots"
grep -q 'docs/new.txt' "$RUN_OUT"
check $? "--diff names the new file"

# ---- --check --read-data -------------------------------------------------------
stop_server
"$CAIRND" $S3ARGS --check --read-data >"$W/check.out" 2>&1
check_eq $? 0 "cairnd --check --read-data on the bucket: exit 0"
if grep -Eq "$SANITIZER_RE" "$W/check.out"; then
	fail "--check: no sanitizer reports" "$(head -n 30 "$W/check.out")"
fi

# ---- two cairnd on one bucket (start_b, stop_b: s3lib.sh) -----------------------
# nsnaps: the snapshots of $ID the server at $PORT lists.
nsnaps() {
	run_cairn --list --json
	list_snapshots "$RUN_OUT" "$ID" | wc -l | tr -d ' '
}

start_server $S3ARGS || finish
PA=$PORT
SLOW= start_b
printf 'from server b\n' >"$SRC/docs/b.txt"
PORT=$PB
sleep 1
backup
SB=$SNAP
PORT=$PA
run_cairn --list --json
check_rc 0 "the other cairnd lists the backups"
grep -q "$SB" "$RUN_OUT"
check $? "with the snapshot the first one just made"
printf 'from server a\n' >"$SRC/docs/b.txt"
sleep 1
backup
PORT=$PB
run_cairn --restore "$ID" --path "$W/back2"
check_rc 0 "restore through the other cairnd"
cmp -s "$SRC/docs/b.txt" "$W/back2/docs/b.txt"
check $? "it has what the first one stored"
stop_b

# Two runs of one backup at once, one on each cairnd: one is busy.
head -c 30000000 /dev/urandom >"$SRC/big3"
SLOW=40 start_b
PORT=$PB
bg_cairn slow --source "$SRC"
sleep 3
PORT=$PA
run_cairn --source "$SRC"
check_ne "$RC" 0 "a run of a backup another cairnd is running fails"
grep -qi busy "$RUN_ERR"
check $? "it is told the backup is busy"

# ---- a cairnd killed mid-upload --------------------------------------------------
PORT=$PA
N0=$(nsnaps)
for p in $(pgrep -P "$B_PID" 2>/dev/null); do kill -9 "$p"; done
kill -9 "$B_PID" 2>/dev/null
wait "$B_PID" 2>/dev/null
bg_wait slow
check_ne "$RC" 0 "the run whose cairnd was killed fails"
check_eq "$(nsnaps)" "$N0" "the killed run left no snapshot"
s3 list "alice/$ID/lock"
note "the dead run's lease: $(head -n 1 "$S3_OUT")"
sleep 7		# its lease (--s3-lease 6) runs out
run_cairn --source "$SRC" --json
if [ "$RC" = 0 ]; then
	ok "the next run completes"
else
	grep -qi busy "$RUN_ERR" &&
		note "busy: a dead run's lease is taken over only when it expires"
	fail "the next run after a killed one completes" "$(cat "$RUN_ERR")"
fi

# ---- a lease taken over stays with its new holder -------------------------------
# A slow run on B whose lease another process takes (a foreign lease put in
# its place): B's renewal fails, and B's end must not delete that lease.
head -c 30000000 /dev/urandom >"$SRC/big4"
SLOW=40 start_b
PORT=$PB
bg_cairn taken --source "$SRC"
sleep 2
printf '0123456789abcdef0123456789abcdef %s\n' $(($(date +%s) + 3600)) >"$W/theirs"
s3 put "alice/$ID/lock" "$W/theirs"
bg_wait taken
check_ne "$RC" 0 "a run whose lease was taken over fails"
check_err_has "taken over" "and says its lease was taken over"
s3 get "alice/$ID/lock"
check_eq "$(cat "$S3_OUT")" "$(cat "$W/theirs")" \
	"its end leaves the new holder's lease in place"
s3 delete "alice/$ID/lock"
s3_check 0 "the foreign lease removed"
stop_b
PORT=$PA

# ---- a bucket written by others ---------------------------------------------------
# A lease whose body is not one: taken as expired, the run goes on.
printf 'not a lease' >"$W/junk"
s3 put "alice/$ID/lock" "$W/junk"
run_cairn --source "$SRC"
check_rc 0 "a lock object that is not a lease is taken over"
# A catalog that is not one: refused in words, nothing crashes.
s3 get alice/catalog
cp "$S3_OUT" "$W/catalog.good"
printf '[{"cairn_catalog":1}\n,{"id":"zz"\n]\n' >"$W/junk"
s3 put alice/catalog "$W/junk"
run_cairn --list --json
check_eq "$(list_snapshots "$RUN_OUT" "$ID" | wc -l | tr -d ' ')" 0 \
	"--list shows nothing of a damaged catalog"
run_cairn --source "$SRC"
check_ne "$RC" 0 "a run with a damaged catalog fails"
check_err_has "damaged" "in words"
grep -Eq "$SANITIZER_RE" "$SERVER_LOG"
check_eq $? 1 "cairnd survives it"
s3 put alice/catalog "$W/catalog.good"
run_cairn --list --json
check_rc 0 "the catalog put back, --list works again"
# A content object gone: --check --read-data says so.
A_KEY="alice/data/$(md5sum "$SRC/docs/a.txt" | cut -d' ' -f1)-$(wc -c <"$SRC/docs/a.txt" | tr -d ' ')"
s3 get "$A_KEY"
cp "$S3_OUT" "$W/a.obj"
s3 delete "$A_KEY"
s3_check 0 "a content object deleted behind cairnd's back"
"$CAIRND" $S3ARGS --check --read-data >"$W/check2.out" 2>&1
check_ne $? 0 "--check --read-data finds it missing"
grep -q "docs/a.txt" "$W/check2.out"
check $? "and names the file"
s3 put "$A_KEY" "$W/a.obj"

# ---- removal, pruning, the sweep --------------------------------------------------
run_cairn --remove "$ID@$S1"
check_rc 0 "--remove ID@SNAPSHOT"
run_cairn --list --json
list_snapshots "$RUN_OUT" "$ID" | grep -q "^$S1 "
check_eq $? 1 "that snapshot is gone"
run_cairn --prune "$ID" --keep-last 1
check_rc 0 "--prune --keep-last 1"
check_eq "$(nsnaps)" 1 "one snapshot is left"
run_cairn --restore "$ID" --path "$W/back3"
check_rc 0 "the newest still restores after the sweep"
cmp -s "$SRC/big3" "$W/back3/big3"
check $? "with its content"
run_cairn --remove "$ID"
check_rc 0 "--remove ID"
s3 list ""
check_eq "$(grep -c "^alice/data/" "$S3_OUT")" 0 "every content object collected"
stop_server
finish
