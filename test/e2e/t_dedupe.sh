#!/bin/sh
# t_dedupe.sh — a file whose content the previous snapshot already holds
# (renamed, moved or copied) is linked on the server, not sent; where the
# filesystem refuses hard links, unchanged files are copied instead, and
# every snapshot still restores byte for byte.
. "$(dirname "$0")/lib.sh"

SRC=$W/src
mkdir -p "$SRC/dir"
head -c 300000 /dev/urandom >"$SRC/dir/photo.jpg"
printf 'some notes\n' >"$SRC/notes.txt"

start_server || finish
run_cairn --source "$SRC" --json
check_rc 0 "first backup"
ID=$(json_field "$RUN_OUT" id)
S1=$(json_field "$RUN_OUT" snapshot)
check_eq 2 "$(json_field "$RUN_OUT" sent)" "first backup sends both files"

mv "$SRC/dir/photo.jpg" "$SRC/renamed.jpg"
cp "$SRC/notes.txt" "$SRC/dir/copy-of-notes.txt"
run_cairn --source "$SRC" --json
check_rc 0 "backup after a rename and a copy"
S2=$(json_field "$RUN_OUT" snapshot)
check_eq 0 "$(json_field "$RUN_OUT" sent)" "a renamed and a copied file are not sent"
check_eq 0 "$(json_field "$RUN_OUT" bytes_sent)" "no bytes sent for them"
B=$D/alice/$ID
check_eq "$(stat -c %i "$B/$S1/dir/photo.jpg")" "$(stat -c %i "$B/$S2/renamed.jpg")" \
	"the renamed file is a hard link to the old one"
check_eq "$(stat -c %i "$B/$S1/notes.txt")" "$(stat -c %i "$B/$S2/dir/copy-of-notes.txt")" \
	"the copy is a hard link to the original"
run_cairn --restore "$ID" --path "$W/r2" --json
check_rc 0 "restore of the snapshot made by content"
check_tree "$SRC" "$W/r2" "restored tree equals the source"
stop_server

# No hard links at all: the server copies, says so once, and nothing is
# lost. The fault is forced with an LD_PRELOAD shim (glibc build only).
if [ -f "$TOP/build/asan/nolink.so" ] && [ "$CAIRND" = "$TOP/build/asan/cairnd" ]; then
	LD_PRELOAD=$TOP/build/asan/nolink.so
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	export LD_PRELOAD ASAN_OPTIONS
	start_server || finish
	unset LD_PRELOAD
	printf 'changed\n' >>"$SRC/notes.txt"
	run_cairn --source "$SRC" --json
	check_rc 0 "backup on a server without hard links"
	S3=$(json_field "$RUN_OUT" snapshot)
	check_eq 1 "$(json_field "$RUN_OUT" sent)" "only the changed file is sent"
	if grep -q "no hard links" "$SERVER_LOG"; then
		ok "the server says it copies"
	else
		fail "the server says it copies" "$(cat "$SERVER_LOG")"
	fi
	check_eq 1 "$(grep -c "no hard links" "$SERVER_LOG")" "it says so once"
	check_eq 1 "$(stat -c %h "$B/$S3/renamed.jpg")" \
		"the unchanged file is a copy (one link)"
	if cmp -s "$SRC/renamed.jpg" "$B/$S3/renamed.jpg"; then
		ok "the copy is byte-identical"
	else
		fail "the copy is byte-identical"
	fi
	run_cairn --restore "$ID" --path "$W/r3" --json
	check_rc 0 "restore of the copied snapshot"
	check_tree "$SRC" "$W/r3" "restored tree equals the source"
	stop_server
else
	note "no LD_PRELOAD shim for this build: copy fallback not forced"
fi
finish
