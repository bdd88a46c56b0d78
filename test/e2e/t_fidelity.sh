#!/bin/sh
# t_fidelity.sh — restore exactly what was backed up (issue 9), as root.
#
# Builds the tree of fidelity.sh with everything that needs root (owners
# 1234:5678 and 4321:8765, a setuid tool, a setgid and a sticky directory,
# hard links, user and trusted xattrs, access and default ACLs, a
# capability, a 1 GiB sparse file with 24 KiB of data, a FIFO, a character
# device, symlinks with their own mtimes, odd names, the root's own mode,
# owner and mtime), backs it up with cairn to cairnd over loopback TLS
# (and once more without /proc, CAIRN_NO_PROC=1, restored the same),
# restores it into a new directory and judges the result with an oracle
# nobody here wrote:
#
#   rsync -aHAXSc --numeric-ids --dry-run --itemize-changes SRC/ RESTORED/
#
# must print nothing. Also: the sparse file takes well under 1 MiB of
# blocks in the server's store and after the restore, and the backup's
# bytes_sent is well under 1 MiB; a second run of the unchanged tree sends
# nothing. The xattr bound, on tmpfs (ext4 holds about 4 KiB of xattrs an
# inode): a file whose xattrs exceed 16 KiB gives one warning naming it and
# the attributes left out, and the rest comes back.
#
# Needs root (chown, mknod, setcap, mount): not root is a failure unless
# CAIRN_SKIP_ROOT=1, which skips it (as t_busybox.sh's chroot part).
# Time: about a minute (two passes over 1 GiB of mostly holes); each run
# has a budget of RUN_BUDGET seconds (default 300).
. "$(dirname "$0")/lib.sh"
. "$TOP/test/e2e/fidelity.sh"

RUN_BUDGET=${RUN_BUDGET:-300}
SRC=$W/src
R=$W/restored
TMPFS=$W/tmpfs

if [ "$(id -u)" != 0 ]; then
	if [ "${CAIRN_SKIP_ROOT:-0}" = 1 ]; then
		note "not root and CAIRN_SKIP_ROOT=1: skipped (chown, mknod, setcap and mount need root)"
		ok "skipped on request (CAIRN_SKIP_ROOT=1, not root)"
		finish
	fi
	fail "t_fidelity needs root (chown, mknod, setcap, mount)" \
		"run make test as root, or CAIRN_SKIP_ROOT=1 to skip it (t_fidelity_user.sh covers a user)"
	finish
fi
need_tools || finish

fid_cleanup() {
	umount "$TMPFS" 2>/dev/null
	rm -rf "$SRC" "$R"
}
trap '_on_exit; fid_cleanup' EXIT

if make_tree "$SRC" 1 2>"$W/tree.err"; then
	ok "the tree is made ($(find "$SRC" | wc -l | tr -d ' ') entries)"
else
	fail "the tree is made" "$(cat "$W/tree.err")"
	finish
fi
# A socket, where python3 can make one: skipped and counted, no warning.
SOCK=0
if command -v python3 >/dev/null 2>&1 &&
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SRC/sock" 2>/dev/null; then
	SOCK=1
	touch -d "$FID_ROOT_MTIME" "$SRC"
else
	note "no python3 to make a socket: the socket check is left out"
fi
src_kib=$(kib "$SRC/sparse.img")
check_lt "$src_kib" 1024 "the source's sparse file is sparse (${src_kib} KiB of blocks)"

start_server || finish

# ---- back up, restore, compare ---------------------------------------------------
t0=$(date +%s)
run_long --source "$SRC" --json
note "backup: $(elapsed_since "$t0") s"
check_rc 0 "backup of the fidelity tree: exit status 0"
check_json "backup: --json prints one line of JSON"
ID=$(json_field "$RUN_OUT" id)
SNAP=$(json_field "$RUN_OUT" snapshot)
check_eq "$(json_field "$RUN_OUT" errors)" 0 "backup: errors = 0 (FIFO, device, xattrs, ACLs, capability all taken)"
check_quiet "backup: no warning for any entry of the tree"
if [ $SOCK = 1 ]; then
	check_ge "$(json_field "$RUN_OUT" skipped)" 1 "backup: the socket is counted as skipped"
fi
sent_bytes=$(json_field "$RUN_OUT" bytes_sent)
check_lt "$sent_bytes" 1048576 "backup: bytes_sent ($sent_bytes) well under 1 MiB (the 1 GiB sparse file sends its 24 KiB)"
S=$D/alice/$ID/$SNAP
if [ -z "$ID" ] || [ -z "$SNAP" ] || [ ! -d "$S" ]; then
	fail "the snapshot is in the store" "id='$ID' snapshot='$SNAP'"
	finish
fi
stored_kib=$(kib "$S/sparse.img")
check_lt "$stored_kib" 1024 "the server stores the sparse file in ${stored_kib:-?} KiB of blocks (well under 1 MiB)"
check_eq "$(stat -c %s "$S/sparse.img" 2>&1)" "$(stat -c %s "$SRC/sparse.img")" "the stored sparse file has the logical size"
if [ "$(stat -c %i "$S/hl/two" 2>/dev/null)" = "$(stat -c %i "$S/hl/two-b" 2>/dev/null)" ] &&
	[ "$(stat -c %i "$S/hl/three" 2>/dev/null)" = "$(stat -c %i "$S/other/three-c" 2>/dev/null)" ]; then
	ok "hard links are hard links in the stored snapshot"
else
	fail "hard links are hard links in the stored snapshot" "$(ls -li "$S/hl" "$S/other" 2>&1)"
fi

t0=$(date +%s)
run_long --restore "$ID" --path "$R" --json
note "restore: $(elapsed_since "$t0") s"
check_rc 0 "restore into a new directory: exit status 0"
check_eq "$(json_field "$RUN_OUT" errors)" 0 "restore: errors = 0"
check_quiet "restore: no warning"
# The socket is not restored: out of the comparison (the root keeps its
# mtime).
if [ $SOCK = 1 ]; then
	rm -f "$SRC/sock"
	touch -d "$FID_ROOT_MTIME" "$SRC"
fi
rsync_same "-aHAXSc --numeric-ids" "$SRC" "$R" \
	"rsync -aHAXSc --numeric-ids sees no difference between the source and the restore"
r_kib=$(kib "$R/sparse.img")
check_lt "$r_kib" 1024 "the restored sparse file takes ${r_kib:-?} KiB of blocks (well under 1 MiB)"
# What rsync compares, named one by one, so that a failure says which.
check_eq "$(stat -c %a.%u.%g "$R" 2>&1)" "751.4321.5678" "the restored root: mode 0751, owner 4321:5678"
check_eq "$(stat -c %Y "$R" 2>&1)" "$(stat -c %Y "$SRC")" "the restored root: its mtime"
check_eq "$(stat -c %a.%u.%g "$R/bin/tool" 2>&1)" "4755.1234.5678" "the setuid tool: 4755 1234:5678"
check_eq "$(getcap "$R/bin/ping" 2>&1 | sed 's/.* //')" "cap_net_raw=ep" "the capability is back"
check_eq "$(stat -c %F.%t.%T "$R/chr" 2>&1)" "character special file.1.3" "the character device 1,3"
check_eq "$(stat -c %F "$R/fifo" 2>&1)" "fifo" "the FIFO"
check_eq "$(stat -c %Y "$R/link" 2>&1)" "$(stat -c %Y "$SRC/link")" "a symlink's own mtime"
check_eq "$(getfacl -dcp "$R/acl" 2>&1)" "$(getfacl -dcp "$SRC/acl")" "the default ACL"
check_eq "$(stat -c %h.%i "$R/other/three-c" 2>&1)" "3.$(stat -c %i "$R/hl/three" 2>&1)" "three names of one inode"

# ---- a second run of the unchanged tree ---------------------------------------
run_long --source "$SRC" --json
check_rc 0 "unchanged re-run: exit status 0"
check_eq "$(json_field "$RUN_OUT" sent)" 0 "unchanged re-run: sent = 0"
check_eq "$(json_field "$RUN_OUT" bytes_sent)" 0 "unchanged re-run: bytes_sent = 0"

# ---- without /proc (an initramfs, a chroot) ---------------------------------------
# The xattr calls then go to the directory and back (port/posix.c) instead
# of naming the file as /proc/self/fd/DIR/NAME: a backup and a restore
# both ways must give the same tree.
CAIRN_NO_PROC=1
export CAIRN_NO_PROC
run_long --source "$SRC" --json
check_rc 0 "without /proc: a backup of the unchanged tree, exit status 0"
check_eq "$(json_field "$RUN_OUT" sent)" 0 "without /proc: it sends nothing"
check_eq "$(json_field "$RUN_OUT" errors)" 0 "without /proc: errors = 0"
run_long --restore "$ID" --path "$W/restored-noproc" --json
check_rc 0 "without /proc: its snapshot restored, exit status 0"
unset CAIRN_NO_PROC
if [ $SOCK = 1 ]; then
	rm -f "$SRC/sock"
	touch -d "$FID_ROOT_MTIME" "$SRC"
fi
rsync_same "-aHAXSc --numeric-ids" "$SRC" "$W/restored-noproc" \
	"without /proc: rsync -aHAXSc --numeric-ids sees no difference"

# ---- the xattr bound, on tmpfs ------------------------------------------------------
# big.x holds five attributes of 4000 bytes (about 20 KiB encoded): not
# all fit the 16 KiB field; small.x's one attribute does.
mkdir -p "$TMPFS"
if ! mount -t tmpfs -o size=64m cairn-fidelity "$TMPFS" 2>"$W/mount.err"; then
	fail "mount a tmpfs for the xattr bound" "$(cat "$W/mount.err")"
	finish
fi
XS=$TMPFS/src
XR=$TMPFS/restored
mkdir -p "$XS"
printf 'big\n' >"$XS/big.x"
printf 'small\n' >"$XS/small.x"
# attr_value I: attribute I's value, 4000 times the digit I.
attr_value() {
	head -c 4000 /dev/zero | tr '\0' "$1"
}
setup=0
for i in 1 2 3 4 5; do
	setfattr -n "user.attr$i" -v "$(attr_value $i)" "$XS/big.x" 2>>"$W/xattr.err" || setup=1
done
setfattr -n user.small -v kept "$XS/small.x" 2>>"$W/xattr.err" || setup=1
if [ $setup = 0 ]; then
	ok "tmpfs holds 20 KiB of xattrs on one file"
else
	fail "tmpfs holds 20 KiB of xattrs on one file" "$(cat "$W/xattr.err")"
	finish
fi
run_cairn --source "$XS" --json
check_rc "0 1" "backup of a file with more than 16 KiB of xattrs: exit 0 or 1"
check_eq "$(grep -c 'big\.x' "$RUN_ERR")" 1 "one warning names big.x"
warn=$(grep 'big\.x' "$RUN_ERR")
XID=$(json_field "$RUN_OUT" id)
run_cairn --restore "$XID" --path "$XR" --json
check_rc 0 "restore of it (to tmpfs): exit 0"
check_eq "$(cat "$XR/big.x" 2>&1)" big "big.x's data is restored"
check_eq "$(getfattr --absolute-names -n user.small --only-values "$XR/small.x" 2>&1)" kept "small.x's xattr is restored"
kept=0 gone= wrong=
for i in 1 2 3 4 5; do
	v=$(getfattr --absolute-names -n "user.attr$i" --only-values "$XR/big.x" 2>/dev/null)
	if [ -z "$v" ]; then
		gone="$gone user.attr$i"
	elif [ "$v" = "$(attr_value $i)" ]; then
		kept=$((kept + 1))
	else
		wrong="$wrong user.attr$i"
	fi
done
note "big.x: $kept attributes restored, left out:${gone:- none}"
check_ge "$kept" 1 "big.x: the attributes that fit are restored"
check_eq "$wrong" "" "big.x: every restored attribute has its value"
check_ne "$gone" "" "big.x: the attributes over 16 KiB are left out"
for a in $gone; do
	case $warn in
	*"$a"*) ok "the warning names $a, left out" ;;
	*) fail "the warning names $a, left out" "warning: $warn" ;;
	esac
done

finish
