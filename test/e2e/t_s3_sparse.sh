#!/bin/sh
# t_s3_sparse.sh — sparse files through the object store (issue 14): a
# tree of sparse files (64 MiB with data at a few offsets, one byte of it
# unaligned; one that ends in a hole; one all hole; one whose size is not
# a multiple of 4 KiB; one with written zeros among its data), a file of
# written zeros and one of data, backed up
# to cairnd --store s3 on a real radosgw (tools/ceph-up.sh) and restored.
# The restore must give back the content (cmp, rsync -aHS -c) and the
# holes: each sparse file takes no more blocks (du -k) than the source's,
# give or take a few, where before the fix it took its whole size. The
# file of written zeros has no holes in the source and none after the
# restore (only a file offered as sparse is read for zero blocks:
# DESIGN.md, "The object store"). The bucket keeps each content whole,
# zeros included, under its MD5 and size; cairnd --check --read-data reads
# the holes back clean.
. "$(dirname "$0")/lib.sh"
. "$TOP/test/e2e/s3lib.sh"

s3_cluster
B=t-s3-sparse-$$
CAIRN_S3_BUCKET=$B
export CAIRN_S3_BUCKET
s3 mkbucket
s3_check 0 "bucket $B made"
S3ARGS="--store s3 --s3-endpoint $CAIRN_S3_ENDPOINT --s3-bucket $B --s3-spool $W/spool --s3-lease 6"

# kib FILE: the KiB of blocks FILE takes (du -k).
kib() {
	du -k "$1" 2>/dev/null | cut -f 1
}

# check_le GOT MAX WHAT: integers, GOT <= MAX.
check_le() {
	case $1 in
	'' | *[!0-9]*)
		fail "$3" "got:  '$1' (not a number)" "want: <= $2"
		return
		;;
	esac
	if [ "$1" -le "$2" ]; then
		ok "$3"
	else
		fail "$3" "got:  $1" "want: <= $2"
	fi
}

# ---- the tree -----------------------------------------------------------------
SRC=$W/src
mkdir -p "$SRC/d"
MIB=1048576
# 64 MiB: 8 KiB at the start, at 20 MiB and at 40 MiB, and one byte at
# 33 MiB + 100 (a block of its own, not aligned).
truncate -s 64M "$SRC/sparse.img"
for at in 0 20 40; do
	dd if=/dev/urandom of="$SRC/sparse.img" bs=8192 count=1 \
		seek=$((at * MIB / 8192)) conv=notrunc 2>/dev/null
done
printf 'x' | dd of="$SRC/sparse.img" bs=1 seek=$((33 * MIB + 100)) \
	conv=notrunc 2>/dev/null
# 8 KiB of data, then a hole to its end at 16 MiB.
head -c 8192 /dev/urandom >"$SRC/d/tail.img"
truncate -s 16M "$SRC/d/tail.img"
# All hole.
truncate -s 32M "$SRC/d/hole.img"
# Not a multiple of 4 KiB: data at 1 MiB, the last block part of a hole.
truncate -s $((5 * MIB + 123)) "$SRC/d/odd.img"
dd if=/dev/urandom of="$SRC/d/odd.img" bs=4096 count=2 seek=256 \
	conv=notrunc 2>/dev/null
# Sparse, with 64 KiB of written zeros among its data at 4 MiB: they come
# back as a hole (the bucket cannot tell them from one).
truncate -s 8M "$SRC/d/mixed.img"
dd if=/dev/urandom of="$SRC/d/mixed.img" bs=4096 count=1 seek=1023 \
	conv=notrunc 2>/dev/null
dd if=/dev/zero of="$SRC/d/mixed.img" bs=65536 count=1 seek=64 \
	conv=notrunc 2>/dev/null
dd if=/dev/urandom of="$SRC/d/mixed.img" bs=4096 count=1 seek=1040 \
	conv=notrunc 2>/dev/null
# Written zeros (no holes) and written data.
head -c $MIB /dev/zero >"$SRC/zeros.bin"
head -c 300000 /dev/urandom >"$SRC/data.bin"

for f in sparse.img d/tail.img d/hole.img d/odd.img d/mixed.img; do
	k=$(kib "$SRC/$f")
	check_le "$k" 1024 "the source's $f is sparse ($k KiB of blocks for $(stat -c %s "$SRC/$f") bytes)"
done
check_le 1024 "$(kib "$SRC/zeros.bin")" "the source's zeros.bin has a block for every byte ($(kib "$SRC/zeros.bin") KiB)"

start_server $S3ARGS || finish

# ---- back up ------------------------------------------------------------------
run_cairn --source "$SRC" --json
check_rc 0 "backup through the object store: exit 0"
ID=$(json_field "$RUN_OUT" id)
sent=$(json_field "$RUN_OUT" bytes_sent)
check_le "$sent" $((2 * MIB)) "the backup sends the data, not the holes ($sent bytes)"

# The bucket keeps each content whole under its MD5 and size (DESIGN.md,
# "The object store"): the 64 MiB file's object is 64 MiB.
s3 list alice/data/
md=$(md5sum "$SRC/sparse.img" | cut -d' ' -f1)
check_eq "$(grep "^alice/data/$md-67108864 " "$S3_OUT" | cut -d' ' -f2)" 67108864 \
	"the sparse file's content object is its whole 64 MiB, under its MD5 and size"

# ---- restore (v2) ---------------------------------------------------------------
R=$W/back
run_cairn --restore "$ID" --path "$R" --json
check_rc 0 "restore from the object store: exit 0"
check_eq "$(json_field "$RUN_OUT" errors)" 0 "restore: errors = 0"
rsync_same "-aHS --numeric-ids -c" "$SRC" "$R" \
	"rsync -aHS -c finds nothing to change between the source and the restore"
for f in sparse.img d/tail.img d/hole.img d/odd.img d/mixed.img zeros.bin data.bin; do
	cmp "$SRC/$f" "$R/$f" >"$W/cmp.out" 2>&1
	check $? "$f comes back byte for byte"
done
for f in sparse.img d/tail.img d/hole.img d/odd.img d/mixed.img; do
	s=$(kib "$SRC/$f")
	r=$(kib "$R/$f")
	note "$f: $s KiB of blocks in the source, $r KiB restored"
	check_le "$r" $((s + 16)) "the restored $f keeps its holes ($r KiB of blocks, the source $s KiB)"
done
check_eq "$(kib "$R/d/hole.img")" 0 "the file that is all hole takes no blocks"
check_le 1024 "$(kib "$R/zeros.bin")" "the file of written zeros comes back with its blocks ($(kib "$R/zeros.bin") KiB): it was not offered as sparse"

# ---- --check --read-data reads the holes back ------------------------------------
stop_server
"$CAIRND" $S3ARGS --check --read-data >"$W/check.out" 2>&1
check_eq $? 0 "cairnd --check --read-data on the bucket: exit 0"
grep -q 'its data does not match' "$W/check.out"
check_eq $? 1 "--check --read-data finds every file's data matching its MD5"
if grep -Eq "$SANITIZER_RE" "$W/check.out"; then
	fail "--check: no sanitizer reports" "$(head -n 30 "$W/check.out")"
fi

finish
