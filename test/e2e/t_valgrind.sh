#!/bin/sh
# t_valgrind.sh — one backup, a re-run and a restore with both programs
# under valgrind's memcheck (a plain glibc build: valgrind cannot run the
# ASan one): no invalid read or write, no use of uninitialised memory.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null 2>&1 ||
   [ ! -x "$TOP/build/debug/cairn" ] || [ ! -x "$TOP/build/debug/cairnd" ]; then
	note "valgrind or build/debug missing (make debug): skipped"
	finish
fi
VG="valgrind --quiet --error-exitcode=99 --errors-for-leak-kinds=none --track-fds=no"
VLOG=$W/vg
mkdir -p "$VLOG"

SRC=$W/src
mkdir -p "$SRC/d/e"
head -c 200000 /dev/urandom >"$SRC/d/big.bin"
printf 'hello\n' >"$SRC/a.txt"
ln -s a.txt "$SRC/d/link"

# Wrappers, since lib.sh runs "$CAIRND" and "$CAIRN" as one word each.
for p in cairn cairnd; do
	printf '#!/bin/sh\nexec %s --log-file=%s/%s.%%p %s/build/debug/%s "$@"\n' \
		"$VG" "$VLOG" "$p" "$TOP" "$p" >"$W/vg-$p"
	chmod +x "$W/vg-$p"
done
CAIRND=$W/vg-cairnd
start_server --handshake-timeout 60 || finish
CAIRN=$W/vg-cairn
run_cairn --source "$SRC" --json --timeout 120
check_rc 0 "backup under valgrind"
ID=$(json_field "$RUN_OUT" id)
printf 'more\n' >>"$SRC/a.txt"
run_cairn --source "$SRC" --json --timeout 120
check_rc 0 "second backup under valgrind"
run_cairn --restore "$ID" --path "$W/r" --json --timeout 120
check_rc 0 "restore under valgrind"
check_tree "$SRC" "$W/r" "restored tree equals the source"
run_cairn --list --json --timeout 120
check_rc 0 "list under valgrind"
stop_server

bad=$(grep -l 'ERROR SUMMARY: [1-9]\|Invalid \(read\|write\)\|uninitialised' \
	"$VLOG"/* 2>/dev/null)
if [ -z "$bad" ]; then
	ok "valgrind reports no errors ($(ls "$VLOG" | wc -l) processes)"
else
	fail "valgrind reports no errors" "$(cat $bad | head -60)"
fi
finish
