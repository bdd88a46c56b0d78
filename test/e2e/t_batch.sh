#!/bin/sh
# t_batch.sh — offers go in full OFFER_BATCHes (issue 11; PROTOCOL.md,
# "Backing up in v2": OFFER_BATCH, Window): a backup of 3 000 small files
# and its no-change re-run are correct, and cairnd's count of the batches
# it got shows them full (on the re-run at least 64 entries a batch on
# average; one entry a batch was the old way). A tree whose window is
# bounded by its paths' bytes (long names) backs up and restores too.
. "$(dirname "$0")/lib.sh"

SRC=$W/src
mkdir -p "$SRC"
awk -v root="$SRC" 'BEGIN {
	for (d = 0; d < 10; d++)
		system("mkdir -p " root "/d" d)
	for (i = 0; i < 3000; i++) {
		p = sprintf("%s/d%d/f%04d.txt", root, i % 10, i)
		printf "file %d\n", i > p
		close(p)
	}
}'

# batches LOG: "ENTRIES BATCHES" of the last run logged in LOG.
batches() {
	sed -n 's/.*: \([0-9]*\) entries offered in \([0-9]*\) OFFER_BATCHes.*/\1 \2/p' \
		"$1" | tail -n 1
}

start_server || finish
run_cairn --source "$SRC" --json
check_rc 0 "first backup of 3 000 files"
check_eq 3000 "$(json_field "$RUN_OUT" sent)" "every file sent"
ID=$(json_field "$RUN_OUT" id)
set -- $(batches "$SERVER_LOG")
check_eq 3011 "${1:-}" "cairnd got 3 011 entries (the root, 10 directories, 3 000 files)"
if [ -n "${2:-}" ] && [ "$2" -lt 3011 ] && [ "$2" -ge 12 ]; then
	ok "first backup: $2 OFFER_BATCHes (at least 12 of at most 256; fewer than the entries)"
else
	fail "first backup: OFFER_BATCHes between 12 and 3 010" "got ${2:-none}"
fi

run_cairn --source "$SRC" --json
check_rc 0 "no-change re-run"
check_eq 0 "$(json_field "$RUN_OUT" sent)" "nothing sent"
set -- $(batches "$SERVER_LOG")
check_eq 3011 "${1:-}" "re-run: cairnd got 3 011 entries"
if [ -n "${2:-}" ] && [ "$2" -ge 12 ] && [ "$2" -le 47 ]; then
	ok "re-run: $2 OFFER_BATCHes (full: 12 at best, at least 64 entries each on average)"
else
	fail "re-run: 12 to 47 OFFER_BATCHes" "got ${2:-none}"
fi

# One file changed, one gone, one new, in the middle of the walk.
printf 'changed\n' >"$SRC/d5/f1505.txt"
rm "$SRC/d3/f0013.txt"
printf 'new\n' >"$SRC/d7/new.txt"
run_cairn --source "$SRC" --json
check_rc 0 "backup after a change"
check_eq 2 "$(json_field "$RUN_OUT" sent)" "the changed and the new file sent"
run_cairn --restore "$ID" --path "$W/r1" --json
check_rc 0 "restore"
check_tree "$SRC" "$W/r1" "the restore equals the source"

# Long paths: 200 files of 3 000-byte paths are 600 000 bytes, more than
# the window's 262 144 of paths, so the window, not its entries, is full.
LONG=$W/long
_p=$LONG
for _n in 1 2 3 4 5 6 7 8 9 10 11; do
	_p=$_p/$(printf "%0250d" "$_n")
done
mkdir -p "$_p"
awk -v dir="$_p" 'BEGIN {
	for (i = 0; i < 200; i++) {
		p = sprintf("%s/%0200d", dir, i)
		printf "long %d\n", i > p
		close(p)
	}
}'
run_cairn --source "$LONG" --json
check_rc 0 "backup of 200 files of 3 000-byte paths"
check_eq 200 "$(json_field "$RUN_OUT" sent)" "every long-path file sent"
ID2=$(json_field "$RUN_OUT" id)
run_cairn --restore "$ID2" --path "$W/r2" --json
check_rc 0 "restore of the long paths"
check_tree "$LONG" "$W/r2" "the long-path restore equals the source"
stop_server
finish
