#!/bin/sh
# bench-tree.sh — one tree, every tool, one run: cairn over loopback TLS,
# rsync -a over ssh (in place, and --link-dest snapshots), restic with a
# local repository where installed, and the floors (a tar-to-tar copy with
# sync, cp -al of the stored tree, md5sum of every file). Jobs: first
# backup, re-run with nothing changed, re-run with 1% of the files changed
# (a new snapshot), restore into an empty directory. Called by
# tools/bench.sh (make bench), which prints what this writes:
#
#   build/bench/report.TREE.table    the table and its ratios
#   build/bench/report.TREE.memory   peak memory on that tree
#
#   tools/bench-tree.sh TREE    TREE: usr-share (a copy of /usr/share),
#       linux (the Linux source from Debian's linux-source package when
#       /usr/src/linux-source-*.tar.xz is there, unpacked once into
#       build/bench/cache; else a generated tree of 80 000 files),
#       gen:N (a generated tree of N files)
#   BENCH_RUNS=N    best of N for each timing (default 2)
#
# Every store, restore target and copy is made on a fresh filesystem at the
# start of its job (bench-lib.sh's freshfs): no tool pays for another's
# deleted inodes. Prints numbers only: nothing passes or fails on speed.
# Exit status 0, or 1 when a tool failed to run (the table says which).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-usr-share}
R=$top/build/bench/run-$(printf '%s' "$tree" | tr -c 'a-z0-9-' '-')
. "$top/tools/bench-lib.sh"
RUNS=${BENCH_RUNS:-2}
bench_init
t_start=$(now)

# ---- the tree -----------------------------------------------------------
src=$R/src
cache=$top/build/bench/cache
t0=$(now)
case $tree in
usr-share)
	tree_desc="a copy of /usr/share"
	mkdir -p "$src"
	cp -a /usr/share/. "$src/"
	;;
linux)
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1 || :)
	if [ -n "$tarball" ]; then
		ver=$(basename "$tarball" .tar.xz)
		if [ ! -f "$cache/$ver.ok" ]; then
			say "unpacking $tarball into build/bench/cache (once)"
			rm -rf "${cache:?}/$ver"
			mkdir -p "$cache/$ver"
			tar -xJf "$tarball" -C "$cache/$ver"
			: > "$cache/$ver.ok"
		fi
		tree_desc="the Linux source ($ver, Debian's linux-source)"
		mkdir -p "$src"
		cp -a "$cache/$ver/." "$src/"
	else
		tree_desc="generated, 80000 files in a source tree's sizes (no /usr/src/linux-source-*.tar.xz: apt-get install linux-source)"
		gentree "$src" 80000 0 200
	fi
	;;
gen:*)
	tree_desc="generated, ${tree#gen:} files"
	gentree "$src" "${tree#gen:}"
	;;
*)
	die "unknown tree '$tree' (usr-share, linux, gen:N)"
	;;
esac
# Sockets, FIFOs and devices are not what these tools are about.
find "$src" \( -type s -o -type p -o -type b -o -type c \) -exec rm -f {} +
set -- $(treestat "$src")
tree_files=$1 tree_bytes=$2 tree_dirs=$3 tree_links=$4
set -- $(fs_size "$src" 2.5)
store_kib=$1 store_inodes=$2
set -- $(fs_size "$src" 1.2)
copy_kib=$1 copy_inodes=$2
say "$tree: $tree_files files, $tree_bytes bytes (ready in $(elapsed "$t0" "$(now)") s)"

if start_sshd; then
	say "sshd listening on 127.0.0.1:$ssh_port (pid $sshd_pid)"
	rs_desc=$ssh_desc
else
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
	sshd_pid=
	rs_desc="LOCAL, NO SSH ($ssh_why)"
	say "no ssh: $ssh_why; measuring local rsync instead"
fi
rsync_ver=$(rsync --version | head -n 1 | tr -s ' ' | sed 's/ *protocol.*//')
have_restic=0
if command -v restic >/dev/null 2>&1; then
	have_restic=1
	restic_ver=$(restic version 2>/dev/null | cut -d' ' -f1-2)
	export RESTIC_PASSWORD=bench RESTIC_CACHE_DIR="$R/restic-cache"
fi
bench_certs

# restic_run NAME ARGS...: restic -r $repo ARGS, timed.
restic_run() {
	rn=$1
	shift
	timed "restic.$rn" restic -r "$repo" --quiet "$@"
}
state=$R/cairn-state.json
backup() { cairn_run "$1" --state "$state" --source "$src"; }

# ---- floors: a tar-to-tar copy with sync, md5sum of every file ----------
f_tar='' f_md5=''
r=0
while [ $r -lt "$RUNS" ]; do
	r=$((r + 1))
	say "floor, run $r: tar | tar + sync, md5sum"
	freshfs tar "$copy_kib" "$copy_inodes"
	timed floor.tar sh -c 'cd "$1" && tar cf - . | (cd "$2" && tar xf -) && sync' \
		sh "$src" "$fsdir"
	f_tar="$f_tar $secs"
	timed floor.md5 sh -c 'cd "$1" && find . -type f -print0 | xargs -0 md5sum >/dev/null' \
		sh "$src"
	f_md5="$f_md5 $secs"
done
freshfs tar 65536 4096	# give its space back

# ---- 1. first backup ----------------------------------------------------
c_first='' r_first='' s_first=''
r=0
while [ $r -lt "$RUNS" ]; do
	r=$((r + 1))
	say "first backup, run $r: cairn"
	freshfs cairn "$store_kib" "$store_inodes"
	store=$fsdir
	rm -f "$state"
	backup first; c_first="$c_first $secs"
	say "first backup, run $r: rsync"
	freshfs rsync "$store_kib" "$store_inodes"
	rs=$fsdir
	rsync_run first "$src/" "$rhost$rs/snap1/"; r_first="$r_first $secs"
	if [ "$have_restic" = 1 ]; then
		say "first backup, run $r: restic"
		freshfs restic "$store_kib" "$store_inodes"
		repo=$fsdir/repo
		rm -rf "$RESTIC_CACHE_DIR"
		restic -r "$repo" --quiet init >"$R/log.restic.init" 2>&1 ||
			{ cat "$R/log.restic.init" >&2; die "restic init failed"; }
		restic_run first backup "$src"; s_first="$s_first $secs"
	fi
done
bid=$(jfield first id)
rs_n=1

# ---- 2. re-run, nothing changed -----------------------------------------
c_rerun='' r_rerun='' l_rerun='' s_rerun='' f_cpal=''
r=0
while [ $r -lt "$RUNS" ]; do
	r=$((r + 1))
	say "re-run, nothing changed, run $r: cairn"
	backup rerun; c_rerun="$c_rerun $secs"
	say "re-run, nothing changed, run $r: rsync in place, rsync --link-dest"
	rsync_run rerun "$src/" "$rhost$rs/snap1/"; r_rerun="$r_rerun $secs"
	rsync_run ldrerun --link-dest="../snap$rs_n" "$src/" "$rhost$rs/snap$((rs_n + 1))/"
	l_rerun="$l_rerun $secs"
	rs_n=$((rs_n + 1))
	if [ "$have_restic" = 1 ]; then
		say "re-run, nothing changed, run $r: restic"
		restic_run rerun backup "$src"; s_rerun="$s_rerun $secs"
	fi
	say "floor, run $r: cp -al"
	timed floor.cpal cp -al "$rs/snap1" "$rs/cpal$r"; f_cpal="$f_cpal $secs"
done

# ---- 3. re-run with 1% of the files changed, a new snapshot -------------
# Run r appends a byte to every 100th regular file (a different 1% each
# run); rsync makes snap(n+1) hard-linked against snap(n).
c_pct='' l_pct='' s_pct=''
r=0
(cd "$src" && find . -type f) | LC_ALL=C sort > "$R/files.list"
while [ $r -lt "$RUNS" ]; do
	r=$((r + 1))
	awk -v k="$r" 'NR % 100 == k % 100' "$R/files.list" > "$R/changed.list"
	changed=$(wc -l < "$R/changed.list")
	(cd "$src" && while IFS= read -r f; do printf '+' >> "$f"; done) < "$R/changed.list"
	sleep 1	# the changes are in an earlier second than the runs
	say "re-run, $changed files changed, run $r: cairn"
	backup pct; c_pct="$c_pct $secs"
	say "re-run, $changed files changed, run $r: rsync --link-dest"
	rsync_run pct --link-dest="../snap$rs_n" "$src/" "$rhost$rs/snap$((rs_n + 1))/"
	l_pct="$l_pct $secs"
	rs_n=$((rs_n + 1))
	if [ "$have_restic" = 1 ]; then
		say "re-run, $changed files changed, run $r: restic"
		restic_run pct backup "$src"; s_pct="$s_pct $secs"
	fi
done

# ---- 4. restore into an empty directory ---------------------------------
c_rest='' r_rest='' s_rest=''
r=0
while [ $r -lt "$RUNS" ]; do
	r=$((r + 1))
	say "restore, run $r: cairn"
	freshfs rest-cairn "$copy_kib" "$copy_inodes"
	rest_cairn=$fsdir
	if [ -n "$bid" ]; then
		cairn_run restore --restore "$bid" --path "$rest_cairn"
		c_rest="$c_rest $secs"
	else
		c_rest="$c_rest FAILED"
	fi
	say "restore, run $r: rsync"
	freshfs rest-rsync "$copy_kib" "$copy_inodes"
	rest_rsync=$fsdir
	rsync_run restore "$rhost$rs/snap$rs_n/" "$rest_rsync/"; r_rest="$r_rest $secs"
	if [ "$have_restic" = 1 ]; then
		say "restore, run $r: restic"
		freshfs rest-restic "$copy_kib" "$copy_inodes"
		rest_restic=$fsdir
		restic_run restore restore latest --target "$rest_restic"
		s_rest="$s_rest $secs"
	fi
done

say "checking the restored trees against the source"
want=$(treesum "$src")
chk() {
	if [ -d "$1" ] && [ "$(treesum "$1")" = "$want" ]; then
		echo "identical to the source (paths, sizes, modes, mtimes, MD5s, link targets)"
	else
		echo "DIFFERS from the source"
	fi
}
chk_cairn=$(chk "$rest_cairn")
chk_rsync=$(chk "$rest_rsync")
[ "$have_restic" = 1 ] && chk_restic=$(chk "$rest_restic$src")

# ---- the table ----------------------------------------------------------
# cell SECONDS...: the best of a job's runs, or "-" when not measured.
cell() { best $1; }
# ratio A B TARGET LABEL: "LABEL A/B (target <= TARGET)".
ratio() {
	awk -v a="$1" -v b="$2" -v t="$3" -v l="$4" 'BEGIN {
		if (a == "FAILED" || b == "FAILED" || a == "-" || b == "-" || b + 0 <= 0)
			printf "  %-28s %6s  (target <= %s)\n", l, "-", t
		else
			printf "  %-28s %6.2f  (target <= %s)\n", l, a / b, t
	}'
}
trow() {
	printf '%-30s %8s %10s %10s %8s %8s %s\n' "$1" "$2" "$3" "$4" "$5" "$6" "${7:-}"
}
sent() {
	s=$(jfield "$1" sent) b=$(jfield "$1" bytes_sent)
	[ -n "$s" ] && printf 'cairn %s: sent %s files, %s bytes\n' "$2" "$s" "$b"
}
C1=$(cell "$c_first") R1=$(cell "$r_first") S1=$(cell "$s_first") T=$(cell "$f_tar")
C2=$(cell "$c_rerun") R2=$(cell "$r_rerun") L2=$(cell "$l_rerun") S2=$(cell "$s_rerun")
P=$(cell "$f_cpal") M=$(cell "$f_md5")
C3=$(cell "$c_pct") L3=$(cell "$l_pct") S3=$(cell "$s_pct")
C4=$(cell "$c_rest") R4=$(cell "$r_rest") S4=$(cell "$s_rest")
{
	echo "== $tree_desc: $tree_files files, $tree_bytes bytes, $tree_dirs directories, $tree_links symlinks"
	echo "cairn:      build/cairn and build/cairnd (static release) over TLS 1.2 on 127.0.0.1"
	echo "rsync:      $rsync_ver, -a, $rs_desc"
	if [ "$have_restic" = 1 ]; then
		echo "restic:     $restic_ver, a local repository on its own filesystem"
	else
		echo "restic:     not installed (sh tools/deps.sh bench installs it): no column"
	fi
	echo "stores:     $fs_kind"
	echo "conditions: $(cache_desc); wall seconds, best of $RUNS"
	echo "            cairnd makes each snapshot durable (syncfs); every cairn run commits a"
	echo "            new snapshot (a full tree of hard links); rsync -a does not fsync"
	echo
	trow "job" "cairn" "rsync-ssh" "link-dest" "restic" "floor"
	trow "first backup" "$C1" "$R1" "-" "$S1" "$T" "tar | tar + sync"
	trow "re-run, nothing changed" "$C2" "$R2" "$L2" "$S2" "$P" "cp -al (in place: rsync)"
	trow "re-run, 1% changed, new snap" "$C3" "-" "$L3" "$S3" "-"
	trow "restore into an empty dir" "$C4" "$R4" "-" "$S4" "$T" "tar | tar + sync"
	trow "md5sum of every file" "" "" "" "" "$M"
	echo
	echo "ratios (cairn's time over the anchor's; the targets of issue 11):"
	ratio "$C1" "$R1" 0.75 "first backup / rsync"
	ratio "$C1" "$T" 1.3 "first backup / tar floor"
	ratio "$C2" "$R2" 1.0 "no change / rsync in place"
	ratio "$C2" "$P" 1.5 "no change / cp -al"
	ratio "$C3" "$L3" 0.4 "1% changed / --link-dest"
	ratio "$C4" "$R4" 0.75 "restore / rsync copy back"
	ratio "$C4" "$T" 1.3 "restore / tar floor"
	echo
	sent first "first backup"
	sent rerun "no-change re-run"
	sent pct "1% re-run ($changed files changed)"
	[ -n "$sshd_pid" ] ||
		echo "NOTE: rsync ran locally, without ssh; the targets are set against rsync over ssh"
	printf 'restore check: cairn  %s\n' "$chk_cairn"
	printf '               rsync  %s\n' "$chk_rsync"
	[ "$have_restic" = 1 ] && printf '               restic %s\n' "$chk_restic"
	printf '(%s took %.0f s)\n' "tools/bench-tree.sh $tree" "$(elapsed "$t_start" "$(now)")"
} > "$top/build/bench/report.$tree.table"

# ---- memory on this tree ------------------------------------------------
kib() {
	case ${1:-0} in
	0|'') printf '%16s' "n/a" ;;
	*) awk -v k="$1" 'BEGIN { printf "%6d KiB %5.2f MiB", k, k / 1024 }' ;;
	esac
}
mrow() {
	sm=$(memof "$R/mem.cairnd.$2") sh=$(cat "$R/hwm.$2" 2>/dev/null || :)
	printf '%-33s client %s  server %s\n' "$1" \
		"$(kib "$(memof "$R/mem.cairn.$2")")" "$(kib "$(max "${sm:-0}" "${sh:-0}")")"
}
rrow() {
	printf '%-33s client %s  server %s\n' "$1" \
		"$(kib "$(memof "$R/mem.rsync.$2")")" "$(kib "$(memof "$R/mem.rsyncd.$2")")"
}
{
	echo "peak memory on $tree_desc ($tree_files files; max RSS, last run):"
	mrow "  cairn first backup" first
	mrow "  cairn re-run, nothing changed" rerun
	mrow "  cairn re-run, 1% changed" pct
	mrow "  cairn restore" restore
	rrow "  rsync first backup" first
	rrow "  rsync re-run in place" rerun
	rrow "  rsync re-run, 1% (link-dest)" pct
	rrow "  rsync restore" restore
	if [ "$have_restic" = 1 ]; then
		for j in first rerun pct restore; do
			printf '  restic %-26s %s\n' "$j" "$(kib "$(memof "$R/mem.restic.$j")")"
		done
	fi
} > "$top/build/bench/report.$tree.memory"

fs_cleanup
rm -rf "$src"
say "$tree done in $(elapsed "$t_start" "$(now)") s"
exit "$failed"
