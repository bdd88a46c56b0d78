#!/bin/sh
# t_check.sh — cairnd --check [--read-data] [--stale D] [CLIENT[/ID]]:
# a clean store checks clean; a stored file changed, cut short or gone, a
# file added to a snapshot, a damaged or orphaned manifest, a missing MD5
# index are each found and named, and the exit status says so (issue 12).
. "$(dirname "$0")/lib.sh"

SRC=$W/src
mkdir -p "$SRC/d/e"
printf 'one\n' >"$SRC/one.txt"
head -c 70000 /dev/urandom >"$SRC/d/data.bin"
printf 'deep\n' >"$SRC/d/e/deep.txt"
ln -s ../one.txt "$SRC/d/link"
start_server || finish
run_cairn --source "$SRC" --json
check_rc 0 "a first backup"
ID=$(json_field "$RUN_OUT" id)
S1=$(json_field "$RUN_OUT" snapshot)
printf 'two\n' >"$SRC/two.txt"
run_cairn --source "$SRC" --json
check_rc 0 "a second backup"
S2=$(json_field "$RUN_OUT" snapshot)
mkdir -p "$W/bobsrc"
printf 'bob\n' >"$W/bobsrc/b.txt"
run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" \
	--state "$W/bob.state" --source "$W/bobsrc" --json
check_rc 0 "bob's backup"
stop_server

# check DIR ARGS...: cairnd --check on store DIR.
check_store() {
	_dir=$1
	shift
	run_raw "$CAIRND" --check --dir "$_dir" "$@"
}

check_store "$D"
check_rc 0 "a clean store: exit 0"
check_eq "$(grep -c ': ok$' "$RUN_OUT")" 3 "one ok line for each of the three snapshots"
check_store "$D" --read-data
check_rc 0 "a clean store with --read-data: exit 0"
check_store "$D" bob
check_rc 0 "one client's backups"
check_eq "$(grep -c ': ok$' "$RUN_OUT")" 1 "bob's one snapshot"
check_store "$D" "alice/$ID"
check_rc 0 "one backup"
check_store "$D" nobody/0123456789abcdef
check_rc 2 "a backup that is not there: exit 2"

# fault NAME WHAT REGEX [--read-data]: on a copy of the store, after the
# fault NAME's commands (in $F), --check exits 1 naming it as REGEX says.
fault() {
	_name=$1 _what=$2 _re=$3
	shift 3
	rm -rf "$W/copy"
	cp -a "$D" "$W/copy"
	B=$W/copy/alice/$ID
	eval "$F"
	check_store "$W/copy" "$@"
	check_rc 1 "$_name: exit 1"
	if grep -Eq -e "$_re" "$RUN_OUT"; then
		ok "$_name: $_what"
	else
		fail "$_name: $_what" "stdout does not match /$_re/"
		show_run
	fi
}

F='chmod u+w "$B/$S2/d/data.bin"; printf X | dd of="$B/$S2/d/data.bin" bs=1 seek=100 conv=notrunc 2>/dev/null'
fault "a byte changed" "found with --read-data" "d/data.bin: its data does not match its MD5" --read-data
check_store "$W/copy"
check_rc 0 "a byte changed: without --read-data only sizes are checked"
F='chmod u+w "$B/$S1/one.txt"; : >"$B/$S1/one.txt"'
fault "a file cut short" "named with both sizes" "one.txt: 0 bytes, the manifest says 4"
F='rm -f "$B/$S2/two.txt"'
fault "a file gone" "named as missing" "$S2: two.txt: missing from the snapshot"
F='printf x >"$B/$S1/stray.txt"'
fault "a file added" "the tree holds more than the manifest" "$S1: its tree holds 7 entries, the manifest 6"
F='rm -f "$B/$S1/d/link"; printf x >"$B/$S1/d/link"'
fault "a link made a file" "its type is wrong" "d/link: not of the type the manifest says"
F='chmod u+w "$B/.manifests/$S2.json"; head -c 300 "$D/alice/$ID/.manifests/$S2.json" >"$B/.manifests/$S2.json"'
fault "a manifest cut short" "damaged" "$S2: the manifest is damaged"
# What costs nothing but time is a note: exit 0.
rm -rf "$W/copy"
cp -a "$D" "$W/copy"
cp "$W/copy/alice/$ID/.manifests/$S1.json" "$W/copy/alice/$ID/.manifests/2000-01-01T00-00-00Z.json"
rm -f "$W/copy/alice/$ID/.manifests/$S2.idx"
check_store "$W/copy"
check_rc 0 "a manifest without its snapshot and an index gone: notes, exit 0"
if grep -q "2000-01-01T00-00-00Z.json: note: a manifest without its snapshot" "$RUN_OUT" &&
	grep -q "$S2: note: no MD5 index" "$RUN_OUT"; then
	ok "both are noted"
else
	fail "both are noted" "$(cat "$RUN_OUT")"
fi

sleep 2
check_store "$D" --stale 1s
check_rc 1 "--stale 1s: every backup is older: exit 1"
check_eq "$(grep -c 'stale' "$RUN_OUT")" 2 "both backups listed as stale"
check_store "$D" --stale 7d
check_rc 0 "--stale 7d: none is: exit 0"
run_raw "$CAIRND" --check --stale 3x --dir "$D"
check_rc 2 "--stale with a bad duration: exit 2"
finish
