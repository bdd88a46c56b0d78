#!/bin/sh
# t_restore_safety.sh — restore never writes through a symlink or outside
# its target: a directory of the snapshot planted as a symlink to the
# outside, a file planted as a symlink to an outside file (or to a name
# that does not exist yet), a FIFO where a file goes (no hang), and a
# manifest edited on the server to hold "..", an absolute path or a
# directory turned into a symlink. Each client sees only its own backups:
# bob can neither list, restore nor remove alice's.
. "$(dirname "$0")/lib.sh"

start_server || finish

# A sentinel outside every directory the script uses, and an "outside"
# directory that symlinks in the targets point to.
SENTINEL=$W/sentinel.bin
head -c 65536 /dev/urandom >"$SENTINEL"
SENTINEL_MD5=$(file_md5 "$SENTINEL")
OUT=$W/outside
mkdir -p "$OUT"
printf 'outside sentinel\n' >"$OUT/sentinel.txt"
printf 'victim: must never change\n' >"$OUT/victim.txt"
OUT_BEFORE=$(fingerprint "$OUT")

# outside_unchanged WHAT: the outside directory and the sentinel are as
# they were at the start.
outside_unchanged() {
	_now=$(fingerprint "$OUT")
	if [ "$_now" = "$OUT_BEFORE" ]; then
		ok "$1: nothing written in $OUT"
	else
		fail "$1: nothing written in $OUT" "before:" "$OUT_BEFORE" "after:" "$_now"
	fi
	check_eq "$(file_md5 "$SENTINEL")" "$SENTINEL_MD5" "$1: the sentinel file is byte-identical"
}

SRC=$W/src
mkdir -p "$SRC/docs/sub"
printf 'docs a\n' >"$SRC/docs/a.txt"
printf 'docs sub b\n' >"$SRC/docs/sub/b.txt"
printf 'top level\n' >"$SRC/top.txt"
printf 'other top level\n' >"$SRC/other.txt"

run_cairn --source "$SRC" --json
check_rc 0 "alice backs up"
ID=$(json_field "$RUN_OUT" id)
SNAP=$(json_field "$RUN_OUT" snapshot)
if [ -z "$ID" ] || [ ! -d "$D/alice/$ID/$SNAP" ]; then
	fail "alice's snapshot exists" "id='$ID' snapshot='$SNAP'"
	finish
fi

# ---- a directory of the snapshot is a symlink to the outside ----------------------
T1=$W/t1
mkdir -p "$T1"
ln -s "$OUT" "$T1/docs"
run_cairn --restore "$ID" --path "$T1" --json
check_rc 1 "target/docs -> outside (absolute): exit 1"
check_err 'docs' "target/docs -> outside: the error names docs"
outside_unchanged "target/docs -> outside (absolute)"
if cmp -s "$SRC/top.txt" "$T1/top.txt" && cmp -s "$SRC/other.txt" "$T1/other.txt"; then
	ok "target/docs -> outside: the other files are restored"
else
	fail "target/docs -> outside: the other files are restored" "$(ls -la "$T1" 2>&1)"
fi

T1R=$W/t1rel
mkdir -p "$T1R"
ln -s ../outside "$T1R/docs"
run_cairn --restore "$ID" --path "$T1R" --json
check_rc 1 "target/docs -> ../outside (relative): exit 1"
check_err 'docs' "target/docs -> ../outside: the error names docs"
outside_unchanged "target/docs -> ../outside (relative)"

T1N=$W/t1nested
mkdir -p "$T1N/docs"
ln -s "$OUT" "$T1N/docs/sub"
run_cairn --restore "$ID" --path "$T1N" --json
check_rc 1 "target/docs/sub -> outside (nested): exit 1"
check_err 'sub' "target/docs/sub -> outside: the error names docs/sub"
outside_unchanged "target/docs/sub -> outside (nested)"
if cmp -s "$SRC/docs/a.txt" "$T1N/docs/a.txt"; then
	ok "target/docs/sub -> outside: docs/a.txt is restored"
else
	fail "target/docs/sub -> outside: docs/a.txt is restored" "$(ls -la "$T1N/docs" 2>&1)"
fi

# ---- a file of the snapshot is a symlink to an outside file ------------------------------
T2=$W/t2
mkdir -p "$T2/docs"
ln -s "$OUT/victim.txt" "$T2/top.txt"
ln -s "$OUT/created-through-link.txt" "$T2/other.txt"
ln -s ../../outside/victim.txt "$T2/docs/a.txt"
run_cairn --restore "$ID" --path "$T2" --json
check_rc "0 1" "files planted as symlinks to the outside: exit 0 or 1"
outside_unchanged "files planted as symlinks"
# planted NAME: NAME was replaced by the right regular file, or (exit 1)
# the error names it.
planted() {
	if [ -f "$T2/$1" ] && [ ! -L "$T2/$1" ] && cmp -s "$SRC/$1" "$T2/$1"; then
		ok "planted symlink $1: replaced by the restored file"
	elif [ "$RC" = 1 ] && grep -Fq -e "$1" "$RUN_ERR"; then
		ok "planted symlink $1: left, and the error names it"
	else
		fail "planted symlink $1: replaced by the restored file, or named in an error (exit 1)" \
			"$(ls -la "$T2/$1" 2>&1)"
		show_run
	fi
}
planted top.txt
planted other.txt
planted docs/a.txt

# ---- a FIFO where a file goes ----------------------------------------------------------------------
T3=$W/t3
mkdir -p "$T3/docs"
mkfifo "$T3/top.txt" "$T3/docs/a.txt" || fail "test setup: mkfifo"
run_raw "$CAIRN" --server 127.0.0.1 --server-name localhost --port "$PORT" \
	--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
	--ca "$CERTS/ca_cert.pem" --state "$STATE" --restore "$ID" --path "$T3" --json
if [ "$RC" != 124 ]; then
	ok "a FIFO where a file goes: no hang (within 60 s)"
else
	fail "a FIFO where a file goes: no hang (within 60 s)"
fi
check_rc "0 1" "a FIFO where a file goes: exit 0 or 1"
for f in top.txt docs/a.txt; do
	if [ -f "$T3/$f" ] && cmp -s "$SRC/$f" "$T3/$f"; then
		ok "FIFO at $f: replaced by the restored file"
	elif [ "$RC" = 1 ] && grep -Fq -e "$f" "$RUN_ERR"; then
		ok "FIFO at $f: left, and the error names it"
	else
		fail "FIFO at $f: replaced by the restored file, or named in an error (exit 1)" \
			"$(ls -la "$T3/$f" 2>&1)"
		show_run
	fi
done
if cmp -s "$SRC/other.txt" "$T3/other.txt"; then
	ok "a FIFO where a file goes: the other files are restored"
else
	fail "a FIFO where a file goes: the other files are restored" "$(ls -la "$T3" 2>&1)"
fi
outside_unchanged "FIFOs in the target"

# ---- a manifest edited on the server -------------------------------------------------------------------
# tampered NAME SED_SCRIPT WHAT: back up a fresh source (d/x.txt, f.txt),
# edit its manifest on the server with SED_SCRIPT, restore into $W/tm_NAME:
# no hang, no crash, not exit 0 (the bad entry is an error), and nothing
# written outside the target.
tampered() {
	_src=$W/tsrc_$1
	mkdir -p "$_src/d"
	printf 'x in d\n' >"$_src/d/x.txt"
	printf 'f at the top\n' >"$_src/f.txt"
	run_cairn --source "$_src" --json
	_tid=$(json_field "$RUN_OUT" id)
	_tsnap=$(json_field "$RUN_OUT" snapshot)
	_man=$D/alice/$_tid/.manifests/$_tsnap.json
	if [ "$RC" != 0 ] || [ ! -f "$_man" ]; then
		fail "$3: test setup (backup and manifest $_man)"
		show_run
		return
	fi
	cp "$_man" "$W/manifest.orig"
	sed "$2" "$W/manifest.orig" >"$_man"
	if cmp -s "$_man" "$W/manifest.orig"; then
		note "$3: the manifest format is not the one this test edits; skipped"
		note "manifest: $(head -c 600 "$_man")"
		return
	fi
	_w_before=$(ls -A "$W" | grep -v '^run[0-9]' | grep -v '^\.')
	_tp_before=$(ls -A "$(dirname "$W")")
	mkdir -p "$W/tm_$1"
	run_cairn --restore "$_tid" --path "$W/tm_$1" --json
	check_rc "1 4" "$3: the restore fails (exit 1 or 4)"
	outside_unchanged "$3"
	check_eq "$(ls -A "$W" | grep -v '^run[0-9]' | grep -v '^\.' | grep -v "^tm_$1\$")" \
		"$_w_before" "$3: no new file in the work directory"
	check_eq "$(ls -A "$(dirname "$W")")" "$_tp_before" "$3: no new file above the work directory"
	if [ -z "$(find "$W" "$(dirname "$W")" -name 'escape*' 2>/dev/null | head -n 1)" ]; then
		ok "$3: no escape* file anywhere"
	else
		fail "$3: no escape* file anywhere" "$(find "$W" "$(dirname "$W")" -name 'escape*')"
	fi
	# the file of the test's own store, never replaced by the restore
	cp "$W/manifest.orig" "$_man"
}
tampered dotdot 's|"path":"f.txt"|"path":"../escape_rel.txt"|' \
	"a manifest path with .."
tampered abs "s|\"path\":\"f.txt\"|\"path\":\"$W/escape_abs.txt\"|" \
	"an absolute manifest path"
tampered dirlink "/\"path\":\"d\",\"type\":\"dir\"/{s|\"type\":\"dir\"|\"type\":\"link\"|;s|}\$|,\"target\":\"$OUT\"}|;}" \
	"a directory turned into a symlink to the outside in the manifest"

# ---- bob and alice's backup ----------------------------------------------------------------------------
# alice_store: a fingerprint of alice's part of the store.
alice_store() {
	fingerprint "$D/alice"
}
ALICE_BEFORE=$(alice_store)
STATE=$W/bob_state.json
# as_bob ARGS...: run the client as bob.
as_bob() {
	run_client "$CERTS/bob_cert.pem" "$CERTS/bob_key.pem" "$CERTS/ca_cert.pem" "$@"
}
# Bob has a backup of his own first: then a refusal below comes from the
# isolation of clients, not from a lookup that fails because bob has
# nothing in the store at all.
BOBSRC=$W/bobsrc
mkdir -p "$BOBSRC"
printf 'bob own\n' >"$BOBSRC/bob.txt"
as_bob --source "$BOBSRC" --json
check_rc 0 "bob backs up a source of his own"
BOB_ID=$(json_field "$RUN_OUT" id)
check_ne "$BOB_ID" "" "bob's backup has an id"
as_bob --list "$BOB_ID"
check_rc 0 "bob lists his own backup"
as_bob --list "$ID"
check_rc 4 "bob --list alice's id: exit 4"
check_err_has "not found or not yours" "bob --list alice's id: 'not found or not yours'"
as_bob --list --json
check_rc 0 "bob --list --json: exit 0"
if grep -Fq -e "$ID" "$RUN_OUT"; then
	fail "bob --list --json does not show alice's backup" "stdout: $(cat "$RUN_OUT")"
else
	ok "bob --list --json does not show alice's backup"
fi
as_bob --restore "$ID" --path "$W/bob_restore"
check_rc 4 "bob --restore alice's id: exit 4"
check_err_has "not found or not yours" "bob --restore alice's id: 'not found or not yours'"
as_bob --restore "$ID@$SNAP" --path "$W/bob_restore"
check_rc 4 "bob --restore alice's id@snapshot: exit 4"
if [ -z "$(ls -A "$W/bob_restore" 2>/dev/null)" ]; then
	ok "bob's refused restores wrote nothing"
else
	fail "bob's refused restores wrote nothing" "$(ls -la "$W/bob_restore")"
fi
as_bob --remove "$ID@$SNAP"
check_rc 4 "bob --remove alice's id@snapshot: exit 4"
check_err_has "not found or not yours" "bob --remove alice's id@snapshot: 'not found or not yours'"
as_bob --remove "$ID"
check_rc 4 "bob --remove alice's id: exit 4"
check_err_has "not found or not yours" "bob --remove alice's id: 'not found or not yours'"
check_eq "$(alice_store)" "$ALICE_BEFORE" "alice's store is untouched by bob"
STATE=$W/state.json
run_cairn --list "$ID" --json
check_rc 0 "alice still lists her backup"
check_eq "$(list_snapshots "$RUN_OUT" "$ID" | awk '{ print $1 }')" "$SNAP" "alice still has her snapshot"
T4=$W/t4
mkdir -p "$T4"
run_cairn --restore "$ID" --path "$T4" --json
check_rc 0 "alice still restores her backup"
check_tree "$SRC" "$T4" "alice's restore equals her source"

# ---- into the original place, where a directory is now a symlink ------------------
# The source's docs became a symlink to the outside since the backup: a
# restore without --path names that component, says what to do, and
# writes nothing through it; the rest is restored.
SRC5=$W/src5
mkdir -p "$SRC5/docs"
printf 'docs a\n' >"$SRC5/docs/a.txt"
printf 'top level\n' >"$SRC5/top.txt"
run_cairn --source "$SRC5" --json
check_rc 0 "alice backs up src5"
ID5=$(json_field "$RUN_OUT" id)
rm -rf "$SRC5/docs" "$SRC5/top.txt"
ln -s "$OUT" "$SRC5/docs"
run_cairn --restore "$ID5" --json
check_rc 1 "original place, src5/docs -> outside: exit 1"
check_err "docs/a\.txt: not restored: .*src5/docs is a symlink in the target; restore with --path DIR, or remove the link" \
	"original place, src5/docs -> outside: the message names the link and what to do"
outside_unchanged "original place, src5/docs -> outside"
check_eq "$(readlink "$SRC5/docs")" "$OUT" "original place: the link is left as it was"
check_eq "$(ls -A "$OUT" | sort | tr '\n' ' ')" "sentinel.txt victim.txt " \
	"original place: nothing new in the link's directory"
if cmp -s "$SRC/top.txt" "$SRC5/top.txt"; then
	ok "original place: top.txt beside the link is restored"
else
	fail "original place: top.txt beside the link is restored" "$(ls -la "$SRC5" 2>&1)"
fi

outside_unchanged "at the end"

finish
