#!/bin/sh
# t_readonce.sh — MD5_LATER (issue 11): a first backup reads each new file
# of one link once, hashing it as it is sent, and the server records the
# trailer's MD5 in the manifest and its MD5 index; a file with hard links
# is hashed first. Once a snapshot exists, new files are hashed before
# they are offered, so a renamed large file is still found by content and
# not sent. After an interrupted first backup (a run that the server began
# and that did not commit), the next run hashes first, so the files the
# server received are reused; a dry run says the same. The reads are
# counted by an LD_PRELOAD shim (glibc build only).
. "$(dirname "$0")/lib.sh"

SHIM=$TOP/build/asan/readcount.so
if [ ! -f "$SHIM" ] || [ "$CAIRN" != "$TOP/build/asan/cairn" ]; then
	note "no LD_PRELOAD shim for this build: reads not counted"
	finish
fi

# counted ARGS...: run_cairn with the client's reads beneath $SRC noted
# in $W/reads (emptied first).
counted() {
	: >"$W/reads"
	CAIRN_READS=$W/reads CAIRN_READS_UNDER=$SRC/ LD_PRELOAD=$SHIM \
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		run_cairn "$@"
}

# read_bytes NAME: bytes the last counted run read from $SRC/NAME.
read_bytes() {
	awk -v p="$SRC/$1" '$2 == p { n += $1 } END { print n + 0 }' "$W/reads"
}

# manifest_md5 SNAPDIR NAME: the MD5 the manifest of the snapshot in the
# backup directory $B records for the file NAME.
manifest_md5() {
	grep -F "\"path\":\"$2\"" "$B/.manifests/$1.json" |
		sed -n 's/.*"md5":"\([0-9a-f]*\)".*/\1/p'
}

SRC=$W/src
mkdir -p "$SRC/dir"
head -c 3145728 /dev/urandom >"$SRC/big.bin"
printf 'one\n' >"$SRC/dir/one.txt"
head -c 70000 /dev/urandom >"$SRC/dir/two.bin"
: >"$SRC/empty"
head -c 100000 /dev/urandom >"$SRC/linked"
ln "$SRC/linked" "$SRC/linked2"
truncate -s 8M "$SRC/sparse.img"
head -c 300000 /dev/urandom | dd of="$SRC/sparse.img" bs=4096 seek=512 conv=notrunc 2>/dev/null
sleep 1	# their ctimes before the run's second: the state may trust them

start_server || finish

# ---- a first backup: each file of one link read once ---------------------------
counted --source "$SRC" --json
check_rc 0 "first backup"
ID=$(json_field "$RUN_OUT" id)
S1=$(json_field "$RUN_OUT" snapshot)
B=$D/alice/$ID
check_eq "$(json_field "$RUN_OUT" sent)" 6 "every file is sent (a hard link's second name is not)"
for f in big.bin dir/one.txt dir/two.bin empty; do
	check_eq "$(read_bytes "$f")" "$(stat -c %s "$SRC/$f")" "first backup: $f is read once"
done
check_eq "$(read_bytes linked)" 200000 "first backup: a file with hard links is hashed first (read twice)"
check_eq "$(read_bytes linked2)" 0 "first backup: its second name is not read"
for f in big.bin dir/one.txt dir/two.bin empty linked sparse.img; do
	check_eq "$(manifest_md5 "$S1" "$f")" "$(md5sum <"$SRC/$f" | cut -c1-32)" \
		"the manifest records the MD5 of $f as it was read"
done
check_eq "$(grep -c '"md5":"00000000000000000000000000000000"' "$B/.manifests/$S1.json")" 0 \
	"no record keeps the zeros of an MD5_LATER offer"
check_eq "$(grep '"flags":\(8\|9\)[,}]' "$B/.manifests/$S1.json")" "" \
	"no record carries the MD5_LATER flag"
run_raw "$CAIRND" --check --read-data --dir "$D"
check_rc 0 "cairnd --check --read-data: every file found through the MD5 index, with its MD5"
run_cairn --restore "$ID" --path "$W/r1" --json
check_rc 0 "restore of the first snapshot"
check_tree "$SRC" "$W/r1" "restored tree equals the source"

# ---- the next run: nothing read again; the state holds the MD5s ---------------
counted --source "$SRC" --json
check_rc 0 "a no-change run after it"
check_eq "$(json_field "$RUN_OUT" sent)" 0 "nothing is sent"
check_eq "$(awk '{ n += $1 } END { print n + 0 }' "$W/reads")" 0 \
	"nothing is read: the state kept each file's MD5 from its sending"

# ---- a snapshot exists: new files are hashed first ----------------------------
mv "$SRC/big.bin" "$SRC/moved.bin"
printf 'new\n' >"$SRC/new.txt"
counted --source "$SRC" --json
check_rc 0 "backup after a rename"
S3=$(json_field "$RUN_OUT" snapshot)
check_eq "$(json_field "$RUN_OUT" sent)" 1 "only the new file is sent"
check_eq "$(read_bytes moved.bin)" 3145728 "the renamed file is read once, to hash it"
check_eq "$(stat -c %i "$B/$S1/big.bin")" "$(stat -c %i "$B/$S3/moved.bin")" \
	"the renamed large file is found by content: a hard link to the old one"
check_eq "$(read_bytes new.txt)" 8 "a new file is hashed, then sent (read twice)"
stop_server

# ---- an interrupted first backup: the next run reuses what was received ---------
SRC=$W/src2
STATE=$W/st2/state.json
D=$W/store2	# a quota of its own
mkdir -p "$SRC" "$W/st2"
i=1
while [ $i -le 5 ]; do
	head -c 20000 /dev/urandom >"$SRC/a$i.txt"
	i=$((i + 1))
done
# sparse: charged as its data arrives, so the quota stops it mid-transfer
truncate -s 16M "$SRC/z.img"
head -c 2000000 /dev/urandom | dd of="$SRC/z.img" bs=4096 seek=1024 conv=notrunc 2>/dev/null
start_server --quota 1M || finish
run_cairn --source "$SRC" --json
check_rc 4 "a first backup stopped by the quota"
check_ne "" "$(ls -A "$W/st2" | grep '^\.cairn-st-')" \
	"the run the server began leaves its temporary state as a mark"
stop_server
start_server || finish
run_cairn --source "$SRC" --dry-run --json
check_rc 0 "a dry run after the interrupted one"
check_eq "$(json_field "$RUN_OUT" sent)" 1 "the dry run would send only the file not received"
counted --source "$SRC" --json
check_rc 0 "the run after the interrupted one"
check_eq "$(json_field "$RUN_OUT" sent)" 1 "only the file not received is sent: the others are reused"
check_eq "$(read_bytes a1.txt)" 20000 "a file received before is read once, to hash it"
check_eq "$(ls -A "$W/st2" | grep '^\.cairn-')" "" "the mark is cleared"
ID2=$(json_field "$RUN_OUT" id)
S4=$(json_field "$RUN_OUT" snapshot)
check_tree "$SRC" "$D/alice/$ID2/$S4" "its snapshot equals the source"
stop_server
finish
