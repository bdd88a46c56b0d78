# fidelity.sh — the tree that t_fidelity.sh (as root) and
# t_fidelity_user.sh (as a user) back up, restore and compare with rsync.
# Sourced after lib.sh; POSIX sh. Not a test of its own (test/run.sh runs
# only t_*.sh).
#
#   make_tree DIR ROOT
#
# makes DIR (new) holding, with ROOT=0, what any user can make: a setuid
# tool, a setgid and a sticky directory, hard links (two names; three, one
# in another directory), user xattrs (binary and empty values too, one on
# a directory), access and default POSIX ACLs (and a file that inherited
# the default), a sparse file of $FID_SPARSE_SIZE with 24 KiB of data at
# its start, middle and end, a FIFO, symlinks with their own mtimes
# (one dangling), odd names (a space, a newline, a leading dash, UTF-8, 255
# bytes), nanosecond mtimes, and DIR's own mode 0751 and mtime. ROOT=1
# adds what needs root: owners 1234:5678 and 4321:8765 (the setuid tool,
# a symlink, a directory and its files, DIR itself), a character device
# (mknod c 1 3), a capability (cap_net_raw+ep), a trusted.* xattr.
# Runs the commands in DIR; 0, or 1 with the command that failed on
# stderr. Needs setfattr (attr), setfacl (acl), setcap (libcap2-bin).

FID_SPARSE_SIZE=${FID_SPARSE_SIZE:-1G}
FID_SPARSE_BLOCKS=131072	# 8 KiB blocks in 1 GiB: the last is 131071
FID_ROOT_MTIME='2012-03-04 05:06:07.111111111'

# ft COMMAND...: run it; on failure say which and return 1.
ft() {
	"$@" && return 0
	printf 'make_tree: failed: %s\n' "$*" >&2
	return 1
}

# _tree_user: the part any user can make, in the current directory.
_tree_user() {
	ft mkdir -p bin sgid sticky hl other acl names deep/er/est || return 1
	printf 'a tool\n' >bin/tool &&
	printf 'plain\n' >plain.txt &&
	printf 'in sgid\n' >sgid/f &&
	printf 'in sticky\n' >sticky/f &&
	printf 'deepest\n' >deep/er/est/f || return 1
	# Hard links: two names; three names, one in another directory.
	printf 'two names\n' >hl/two && ft ln hl/two hl/two-b || return 1
	printf 'three names\n' >hl/three && ft ln hl/three hl/three-b &&
		ft ln hl/three other/three-c || return 1
	# User xattrs: text, binary, an empty value; one on a directory.
	printf 'xattrs\n' >xattr.txt || return 1
	ft setfattr -n user.comment -v 'a comment' xattr.txt &&
	ft setfattr -n user.binary -v 0x00ff10e29c93 xattr.txt &&
	ft setfattr -n user.empty xattr.txt &&
	ft setfattr -n user.dir -v 'on a directory' deep || return 1
	# POSIX ACLs: an access ACL on a file and on a directory, a default
	# ACL, and a file created under it (it inherits the default).
	printf 'acl\n' >acl/file || return 1
	ft setfacl -m u:1234:rwx,g:5678:r-x,m::rwx acl/file &&
	ft setfacl -m u:4321:r-x acl &&
	ft setfacl -d -m u::rwx,u:1234:rwx,g::r-x,m::rwx,o::- acl || return 1
	printf 'inherits\n' >acl/inherited || return 1
	# A sparse file: 8 KiB at the start, the middle and the end.
	ft truncate -s "$FID_SPARSE_SIZE" sparse.img || return 1
	for _b in 0 $((FID_SPARSE_BLOCKS / 2)) $((FID_SPARSE_BLOCKS - 1)); do
		ft dd if=/dev/urandom of=sparse.img bs=8k count=1 seek=$_b \
			conv=notrunc 2>/dev/null || return 1
	done
	ft mkfifo fifo || return 1
	# Odd names.
	printf 'space\n' >'names/with space' &&
	printf 'newline\n' >'names/new
line' &&
	printf 'dash\n' >names/-leading-dash &&
	printf 'utf8\n' >'names/café ü 日本' &&
	printf 'long\n' >"names/$(printf '%0255d' 0 | tr 0 n)" || return 1
	# Symlinks, each with its own mtime.
	ft ln -s plain.txt link && ft ln -s does/not/exist dangling &&
	ft ln -s ../../plain.txt deep/er/up || return 1
	ft touch -h -d '2001-02-03 04:05:06.123456789' link &&
	ft touch -h -d '1999-12-31 23:59:59.5' dangling &&
	ft touch -h -d '2003-03-03 03:03:03.333333333' deep/er/up || return 1
	# Modes, and nanosecond mtimes.
	ft chmod 4755 bin/tool && ft chmod 2775 sgid && ft chmod 1777 sticky &&
	ft chmod 0640 plain.txt && ft chmod 0600 hl/three || return 1
	ft touch -d '2010-06-07 08:09:10.987654321' plain.txt &&
	ft touch -d '1980-01-01 00:00:00.000000001' hl/two || return 1
}

# _tree_root: what needs root, in the current directory; owners before
# modes (chown clears setuid and capabilities).
_tree_root() {
	printf 'a capable tool\n' >bin/ping || return 1
	ft chown 1234:5678 bin/tool bin/ping hl/three &&
	ft chown -R 4321:8765 sgid &&
	ft chown -h 1234:5678 link &&
	ft chown 4321:5678 . || return 1
	ft chmod 4755 bin/tool && ft chmod 0750 bin/ping &&
	ft chmod 2775 sgid || return 1
	ft setcap cap_net_raw+ep bin/ping || return 1
	ft mknod chr c 1 3 && ft chmod 0666 chr || return 1
	ft setfattr -n trusted.cairn -v 'trusted value' xattr.txt || return 1
}

make_tree() {
	ft mkdir "$1" || return 1
	(
		cd "$1" || exit 1
		_tree_user || exit 1
		if [ "$2" = 1 ]; then
			_tree_root || exit 1
		fi
		# Directories last, deepest first, so that nothing made later
		# moves their mtimes; the root's own mode and mtime at the end.
		find . -depth -type d ! -name . -exec touch -d '2015-05-05 05:05:05.555555555' {} + &&
			ft chmod 0751 . && ft touch -d "$FID_ROOT_MTIME" .
	)
}

# warnings FILE: the lines of a cairn's stderr FILE that are not its
# progress lines ("backing up ...", "backup ... snapshot ...", "restoring
# backup ...", "restored backup ...").
warnings() {
	grep -Ev '^cairn: (backing up |backup [0-9a-f]+ snapshot |restoring backup |restored backup )' "$1"
}

# check_quiet WHAT: the last run printed no warning.
check_quiet() {
	_wq=$(warnings "$RUN_ERR")
	if [ -z "$_wq" ]; then
		ok "$1"
	else
		fail "$1" "it printed:"
		printf '%s\n' "$_wq" | head -n 20 | sed 's/^/       | /'
	fi
}

# run_long ARGS...: run_cairn_long with $RUN_BUDGET seconds, and a failed
# check if the sanitizers reported anything (run_cairn_long does not look).
run_long() {
	run_cairn_long "$RUN_BUDGET" "$@"
	if grep -Eq "$SANITIZER_RE" "$RUN_ERR"; then
		fail "cairn: no sanitizer reports (run $RUN_N)"
		show_run
	fi
}

# kib FILE: the KiB of blocks FILE takes (du -k).
kib() {
	du -k "$1" 2>/dev/null | cut -f 1
}

# check_lt GOT MAX WHAT: integers, GOT < MAX.
check_lt() {
	case $1 in
	'' | *[!0-9]*)
		fail "$3" "got:  '$1' (not a number)" "want: < $2"
		return
		;;
	esac
	if [ "$1" -lt "$2" ]; then
		ok "$3"
	else
		fail "$3" "got:  $1" "want: < $2"
	fi
}

# need_tools: rsync, setfattr, getfattr, setfacl, setcap (and mknod) are
# there; a failed check naming the package otherwise. 0 or 1.
need_tools() {
	_nt=0
	for _t in rsync:rsync setfattr:attr getfattr:attr setfacl:acl \
		getfacl:acl setcap:libcap2-bin; do
		need_exec "the fidelity tree" "${_t%%:*}" \
			"install ${_t#*:} (sh tools/deps.sh test)" || _nt=1
	done
	return $_nt
}
