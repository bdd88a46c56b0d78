#!/bin/sh
# t_s3_migrate.sh — cairnd --migrate on a real radosgw (tools/ceph-up.sh):
# a local store with three clients (two snapshots of alice's backup, one
# each of bob's and carol's, a hard link, a sparse file, a file larger than
# a multipart part) copied to a bucket; the local store read, never
# changed; every snapshot keeps its name and restores through a cairnd on
# the bucket byte for byte; a second run copies nothing, a third only the
# snapshot made since; a file whose bytes were changed in the local store
# is refused in words and its snapshot left out of the bucket.
. "$(dirname "$0")/lib.sh"
. "$TOP/test/e2e/s3lib.sh"

s3_cluster
B=t-s3-migrate-$$
CAIRN_S3_BUCKET=$B
export CAIRN_S3_BUCKET
s3 mkbucket
s3_check 0 "bucket $B made"
S3ARGS="--store s3 --s3-endpoint $CAIRN_S3_ENDPOINT --s3-bucket $B --s3-spool $W/spool"
mkdir -p "$W/spool"

CERTS_DIR=$CERTS OUT=carol sh "$TOP/tools/gen-client-cert.sh" carol >>"$W/certs.log" 2>&1
check $? "a third client's certificate (carol)"

# as NAME ARGS...: run_client with NAME's certificate and state.
as() {
	_who=$1
	shift
	case $_who in
	alice) _c=client ;;
	*) _c=$_who ;;
	esac
	STATE=$W/$_who.state run_client "$CERTS/${_c}_cert.pem" "$CERTS/${_c}_key.pem" \
		"$CERTS/ca_cert.pem" "$@"
}

# ---- a local store with three clients ---------------------------------------
for who in alice bob carol; do
	mkdir -p "$W/$who/docs"
	printf '%s was here\n' "$who" >"$W/$who/docs/a.txt"
	printf 'shared by all three\n' >"$W/$who/common.txt"
done
ln "$W/alice/docs/a.txt" "$W/alice/hard.txt"
ln -s docs/a.txt "$W/alice/link"
head -c 12000000 /dev/urandom >"$W/alice/big"
dd if=/dev/urandom of="$W/alice/sparse" bs=4096 count=1 seek=500 2>/dev/null
: >"$W/alice/empty"

start_server || finish
as alice --source "$W/alice" --json
check_rc 0 "alice's first backup into the local store"
ID_A=$(json_field "$RUN_OUT" id)
sleep 1
printf 'second version\n' >"$W/alice/docs/a.txt"
as alice --source "$W/alice" --json
check_rc 0 "alice's second snapshot"
for who in bob carol; do
	as $who --source "$W/$who" --json
	check_rc 0 "$who's backup into the local store"
	eval "ID_$who=\$(json_field \"\$RUN_OUT\" id)"
done
as alice --list --json
cp "$RUN_OUT" "$W/list.local"
stop_server

# What the local store is, to see that --migrate only reads it.
tree_sum() { (cd "$D" && find . -print0 | sort -z | xargs -0 stat -c '%n %s %Y %i' 2>/dev/null; \
	find . -type f -print0 | sort -z | xargs -0 md5sum); }
tree_sum >"$W/store.before"

# ---- the migration ----------------------------------------------------------
"$CAIRND" --migrate --dir "$D" $S3ARGS >"$W/m1.out" 2>"$W/m1.err"
check_eq $? 0 "cairnd --migrate: exit 0 ($(tail -n 1 "$W/m1.err"))"
grep -q "4 snapshots copied, 0 snapshots already there, no failure" "$W/m1.err"
check $? "it copied the four snapshots" "$(tail -n 5 "$W/m1.err")"
tree_sum >"$W/store.after"
cmp -s "$W/store.before" "$W/store.after"
check $? "the local store is unchanged"
grep -Eq "$SANITIZER_RE" "$W/m1.err"
check_eq $? 1 "no sanitizer reports"

# ---- served from the bucket ---------------------------------------------------
start_server $S3ARGS || finish
as alice --list --json
check_rc 0 "--list through the bucket"
check_eq "$(list_snapshots "$RUN_OUT" "$ID_A" | tr '\n' ' ')" \
	"$(list_snapshots "$W/list.local" "$ID_A" | tr '\n' ' ')" \
	"alice's snapshots keep their names"
S_OLD=$(list_snapshots "$RUN_OUT" "$ID_A" | head -n 1 | cut -d ' ' -f 1)
ID_alice=$ID_A
for who in alice bob carol; do
	eval "_id=\$ID_$who"
	as $who --restore "$_id" --path "$W/back-$who"
	check_rc 0 "$who's newest snapshot restores from the bucket"
	rsync -aHS --numeric-ids -c -n -i "$W/$who/" "$W/back-$who/" >"$W/rsync-$who.out" 2>&1
	if [ $? = 0 ] && [ ! -s "$W/rsync-$who.out" ]; then
		ok "$who: rsync -aHS -c finds nothing to change between the source and the restore"
	else
		fail "$who: the restore matches the source (rsync)" "$(head -n 20 "$W/rsync-$who.out")"
	fi
done
# The SPARSE flag comes over with the entry: the file's 2 MiB hole comes
# back as a hole (DESIGN.md, "The object store").
check_eq "$(du -k "$W/back-alice/sparse" | cut -f 1)" "$(du -k "$W/alice/sparse" | cut -f 1)" \
	"alice's sparse file comes back from the bucket in as many blocks as the source's"
as alice --restore "$ID_A@$S_OLD" --path "$W/back-old"
check_rc 0 "alice's first snapshot restores from the bucket"
check_eq "$(cat "$W/back-old/docs/a.txt")" "alice was here" "with its first version"
stop_server
"$CAIRND" $S3ARGS --check --read-data >"$W/check.out" 2>&1
check_eq $? 0 "cairnd --check --read-data of the bucket finds nothing wrong" "$(tail -n 5 "$W/check.out")"

# ---- again: nothing to copy; then only what is new ------------------------------
"$CAIRND" --migrate --dir "$D" $S3ARGS >"$W/m2.out" 2>"$W/m2.err"
check_eq $? 0 "a second --migrate: exit 0"
grep -q "0 snapshots copied, 4 snapshots already there" "$W/m2.err"
check $? "it copies nothing" "$(tail -n 3 "$W/m2.err")"
start_server || finish
sleep 1
printf 'third version\n' >"$W/alice/docs/a.txt"
as alice --source "$W/alice" --json
check_rc 0 "a third snapshot of alice's, in the local store"
stop_server
"$CAIRND" --migrate --dir "$D" $S3ARGS >"$W/m3.out" 2>"$W/m3.err"
check_eq $? 0 "a third --migrate: exit 0"
grep -q "1 snapshot copied, 4 snapshots already there" "$W/m3.err"
check $? "it copies only the new snapshot" "$(tail -n 3 "$W/m3.err")"
grep -q "6 files, 1 file sent" "$W/m3.err"
check $? "sending only its changed file: the bucket holds the rest by content" \
	"$(grep copied "$W/m3.err")"

# ---- a damaged local store ------------------------------------------------------
# A second snapshot of bob's whose new.txt is then changed in the store
# (same size): its MD5 no longer matches the manifest's; a third waits.
start_server || finish
sleep 1
printf 'bob changed it\n' >"$W/bob/docs/new.txt"
as bob --source "$W/bob" --json
check_rc 0 "a second snapshot of bob's, in the local store"
sleep 1
printf 'and a third\n' >"$W/bob/docs/third.txt"
as bob --source "$W/bob" --json
check_rc 0 "a third, after it"
stop_server
f=$(find "$D" -path '*docs/new.txt' -type f | tail -n 1)
if [ -n "$f" ]; then
	printf 'bob CHANGED it\n' >"$f"
	"$CAIRND" --migrate --dir "$D" $S3ARGS >"$W/m4.out" 2>"$W/m4.err"
	check_eq $? 1 "--migrate of a damaged file: exit 1"
	grep -q "does not match its manifest's size and MD5" "$W/m4.err"
	check $? "it says which file and why" "$(tail -n 3 "$W/m4.err")"
	grep -q "the later snapshots of this backup wait for it" "$W/m4.err"
	check $? "and that the later snapshot waits for it (names must grow)"
	start_server $S3ARGS || finish
	as bob --list --json
	check_eq "$(list_snapshots "$RUN_OUT" "$ID_bob" | wc -l | tr -d ' ')" 1 \
		"the bucket holds bob's first snapshot only, not the damaged one nor the later"
	stop_server
	tree_sum >"$W/store.before"
	printf 'bob changed it\n' >"$f"
	"$CAIRND" --migrate --dir "$D" $S3ARGS >"$W/m5.out" 2>"$W/m5.err"
	check_eq $? 0 "the file put right, --migrate goes on: exit 0"
	grep -q "2 snapshots copied, 5 snapshots already there" "$W/m5.err"
	check $? "and copies bob's second and third snapshots" "$(tail -n 3 "$W/m5.err")"
else
	fail "the stored copy of bob's new.txt is found in the local store"
fi
finish
