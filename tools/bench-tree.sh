#!/bin/sh
# bench-tree.sh — cairn against rsync over ssh, side by side in one run on the
# same tree: first backup, re-run with nothing changed, re-run with 1% of the
# files changed (a new snapshot; rsync --link-dest, the rsnapshot way), and a
# restore into an empty directory. Then peak memory of cairn's client and
# server on generated trees of 10 000 and 100 000 files. Called by
# tools/bench.sh (make bench), which prints the reports this writes:
#
#   build/bench/report.table    the timing table
#   build/bench/report.memory   peak memory
#
# Everything lives in build/bench (made anew each run): the tree, a throwaway
# sshd (its own host key, config and pid file, on a random loopback port,
# killed at the end), throwaway certificates, cairnd's and rsync's stores.
#
# Environment:
#   BENCH_TREE=/path   copy this tree (default: /usr/share/doc and
#                      /usr/share/man, if they hold at least 5 000 files)
#   BENCH_FILES=N      generate a deterministic tree of N files instead
#                      (also the fallback when /usr/share is small: 30 000)
#   BENCH_RUNS=N       best of N for each timing (default 2)
#   BENCH_MEM_FILES="10000 100000"   file counts for the memory test
#                      ("" skips it)
#
# Prints numbers only: nothing passes or fails on speed. Exit status 0, or 1
# when a tool failed to run (the table says which).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
CAIRN=${CAIRN:-$top/build/cairn}
CAIRND=${CAIRND:-$top/build/cairnd}
B=$top/build/bench
RUNS=${BENCH_RUNS:-2}
MEM_FILES=${BENCH_MEM_FILES-10000 100000}
TIME=/usr/bin/time

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

for t in "$CAIRN" "$CAIRND"; do
	[ -x "$t" ] || die "$t missing: run make all"
done
[ -x "$TIME" ] || die "$TIME (GNU time) missing: run sh tools/deps.sh bench"
command -v rsync >/dev/null 2>&1 || die "rsync missing: run sh tools/deps.sh bench"
command -v pgrep >/dev/null 2>&1 || die "pgrep missing: run sh tools/deps.sh bench"

# ---- helpers ------------------------------------------------------------
failed=0
sshd_pid=
cairnd_pid=
time_pid=
sampler_pid=
cleanup() {
	[ -n "$cairnd_pid" ] && kill "$cairnd_pid" 2>/dev/null
	[ -n "$time_pid" ] && wait "$time_pid" 2>/dev/null
	[ -n "$sampler_pid" ] && wait "$sampler_pid" 2>/dev/null
	if [ -n "$sshd_pid" ]; then
		kill "$sshd_pid" 2>/dev/null || :
	fi
	return 0
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# now: seconds since the epoch, with milliseconds where date has %N.
now() {
	t=$(date +%s.%N)
	case $t in *N*|*.) date +%s ;; *) printf '%s\n' "$t" ;; esac
}
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }'; }

# next_port: sets $pick to a port on loopback, a new one on each call:
# from a random base in 20000..49999, then upward.
port_base=$(( 20000 + ($$ * 7919 + $(date +%s)) % 30000 ))
port_n=0
next_port() {
	port_n=$((port_n + 1))
	pick=$((port_base + port_n * 13))
}

# treestat DIR: "files bytes dirs symlinks" of a tree.
treestat() {
	f=$(find "$1" -type f -exec stat -c %s {} + | awk '{ s += $1 } END { printf "%d %.0f", NR, s }')
	d=$(find "$1" -type d | wc -l)
	l=$(find "$1" -type l | wc -l)
	echo "$f $((d)) $((l))"
}

# treesum DIR: one digest of every regular file's path, size, mode, mtime
# and MD5, and of every symlink's target; equal trees give equal digests.
treesum() {
	(cd "$1" && {
		find . -type f -exec stat -c '%n %s %a %Y' {} +
		find . -type f -exec md5sum {} +
		find . -type l -exec stat -c '%N' {} +
	} | LC_ALL=C sort | md5sum | cut -c1-32)
}

# gentree DIR N [MAXEXP]: N files of deterministic content, in directories
# of 100 files, 100 directories to a top directory. File sizes are
# log-uniform from 64 bytes to 64 * 2^MAXEXP (default 10: 64 KiB, about
# 9 KiB on average, like /usr/share/doc). Every file's content is unique.
gentree() {
	mkdir -p "$1"
	awk -v root="$1" -v n="$2" -v maxexp="${3:-10}" 'BEGIN {
		for (i = 0; i < n; i += 100)
			printf "%s/t%02d/d%04d\n", root, int(i / 10000), int(i / 100)
	}' | xargs mkdir -p
	awk -v root="$1" -v n="$2" -v maxexp="${3:-10}" 'BEGIN {
		x = 20260101
		fill = "abcdefghijklmnopqrstuvwxyz0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
		top = 64
		for (k = 0; k < maxexp; k++) top *= 2
		while (length(fill) < top) fill = fill fill
		for (i = 0; i < n; i++) {
			x = (x * 16807) % 2147483647
			# 64 * 2^e, e = maxexp * x / (2^31 - 1), without a math
			# library (BusyBox awk may have none): 2^frac ~ 1 + frac
			e = maxexp * x / 2147483647
			size = 64
			for (k = 1; k <= e; k++) size *= 2
			size = int(size * (1 + e - int(e)))
			p = sprintf("%s/t%02d/d%04d/f%06d.txt", root,
			    int(i / 10000), int(i / 100), i)
			head = sprintf("%s %d %d\n", p, i, x)
			body = substr(fill, 1 + i % 64, size > length(head) ? size - length(head) : 0)
			printf "%s%s", head, body > p
			close(p)
		}
	}'
	# a fixed old mtime: nothing is "racy" (changed in the current second)
	find "$1" -exec touch -h -d @1700000000 {} + 2>/dev/null ||
		find "$1" -exec touch -d '2023-11-14 22:13:20' {} +
}

# ---- the tree -----------------------------------------------------------
t_start=$(now)
say "preparing build/bench"
if [ -d "$B" ]; then
	chmod -R u+w "$B" 2>/dev/null || :
	rm -rf "$B"
fi
mkdir -p "$B"
src=$B/src

t0=$(now)
if [ -n "${BENCH_FILES:-}" ]; then
	tree_desc="generated, BENCH_FILES=$BENCH_FILES"
	gentree "$src" "$BENCH_FILES"
elif [ -n "${BENCH_TREE:-}" ]; then
	[ -d "$BENCH_TREE" ] || die "BENCH_TREE=$BENCH_TREE is not a directory"
	tree_desc="copy of $BENCH_TREE"
	mkdir -p "$src"
	cp -a "$BENCH_TREE/." "$src/"
else
	n=0
	for d in /usr/share/doc /usr/share/man; do
		[ -d "$d" ] && n=$((n + $(find "$d" -type f | wc -l)))
	done
	if [ "$n" -ge 5000 ]; then
		tree_desc="copy of /usr/share/doc and /usr/share/man"
		mkdir -p "$src"
		for d in /usr/share/doc /usr/share/man; do
			[ -d "$d" ] && cp -a "$d" "$src/"
		done
	else
		tree_desc="generated, 30000 files (/usr/share/doc+man hold only $n)"
		gentree "$src" 30000
	fi
fi
# Sockets, FIFOs and devices are not what either tool is about.
find "$src" \( -type s -o -type p -o -type b -o -type c \) -exec rm -f {} +
set -- $(treestat "$src")
tree_files=$1 tree_bytes=$2 tree_dirs=$3 tree_links=$4
say "tree ready in $(elapsed "$t0" "$(now)") s: $tree_files files, $tree_bytes bytes"

# drop_caches: between measurements when this machine lets us, so each
# tool reads the tree from disk; otherwise both run with warm caches.
if (sync && echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
	caches="page cache dropped before every measurement"
	settle() { sync; echo 3 > /proc/sys/vm/drop_caches; }
else
	caches="page cache warm for both tools (/proc/sys/vm/drop_caches is not writable here); sync before every measurement"
	settle() { sync; }
fi

# ---- sshd on loopback ---------------------------------------------------
SSHD=${BENCH_SSHD:-/usr/sbin/sshd}
ssh_dir=$B/ssh
rs_store=$B/rsync-store
mkdir -p "$rs_store"
transport=
start_sshd() {
	[ "$(id -u)" = 0 ] || { ssh_why="not root: sshd cannot log in as root"; return 1; }
	[ -x "$SSHD" ] || { ssh_why="$SSHD missing (sh tools/deps.sh bench installs openssh-server)"; return 1; }
	command -v ssh >/dev/null 2>&1 || { ssh_why="ssh missing"; return 1; }
	command -v ssh-keygen >/dev/null 2>&1 || { ssh_why="ssh-keygen missing"; return 1; }
	mkdir -p "$ssh_dir"
	chmod 700 "$ssh_dir"
	ssh-keygen -q -t ed25519 -N '' -C bench-host -f "$ssh_dir/hostkey" ||
		{ ssh_why="ssh-keygen failed"; return 1; }
	ssh-keygen -q -t ed25519 -N '' -C bench-client -f "$ssh_dir/client_key" ||
		{ ssh_why="ssh-keygen failed"; return 1; }
	cp "$ssh_dir/client_key.pub" "$ssh_dir/authorized_keys"
	chmod 600 "$ssh_dir/authorized_keys"
	cat > "$ssh_dir/config" <<EOF
ListenAddress 127.0.0.1
HostKey $ssh_dir/hostkey
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile $ssh_dir/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $ssh_dir/sshd.pid
LogLevel ERROR
EOF
	# sshd's privilege separation directory (Debian: /run/sshd)
	[ -d /run/sshd ] || mkdir -m 0755 /run/sshd 2>/dev/null || :
	tries=0
	while [ $tries -lt 5 ]; do
		tries=$((tries + 1))
		next_port
		ssh_port=$pick
		rm -f "$ssh_dir/sshd.pid"
		if "$SSHD" -f "$ssh_dir/config" -h "$ssh_dir/hostkey" -p "$ssh_port" \
			-E "$ssh_dir/sshd.log"; then
			i=0
			while [ ! -s "$ssh_dir/sshd.pid" ] && [ $i -lt 50 ]; do
				sleep 0.1; i=$((i + 1))
			done
			[ -s "$ssh_dir/sshd.pid" ] && sshd_pid=$(cat "$ssh_dir/sshd.pid")
		fi
		[ -n "$sshd_pid" ] && break
	done
	if [ -z "$sshd_pid" ]; then
		ssh_why="sshd did not start: $(tail -n 3 "$ssh_dir/sshd.log" 2>/dev/null | tr '\n' ' ')"
		return 1
	fi
	RSH="ssh -p $ssh_port -i $ssh_dir/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
	if ! $RSH root@127.0.0.1 true 2>"$ssh_dir/try.err"; then
		ssh_why="ssh to root@127.0.0.1:$ssh_port failed: $(tr '\n' ' ' < "$ssh_dir/try.err") $(tail -n 3 "$ssh_dir/sshd.log" 2>/dev/null | tr '\n' ' ')"
		return 1
	fi
	return 0
}
if start_sshd; then
	use_ssh=1
	ssh_ver=$(ssh -V 2>&1 | cut -d, -f1)
	cipher=$($RSH -v root@127.0.0.1 true 2>&1 |
		sed -n 's/.*kex: client->server cipher: \([^ ]*\).*/\1/p' | head -n 1)
	transport="rsync over ssh to root@127.0.0.1:$ssh_port ($ssh_ver, cipher ${cipher:-default}, throwaway sshd)"
	dest=root@127.0.0.1:$rs_store
	say "sshd listening on 127.0.0.1:$ssh_port (pid $sshd_pid)"
else
	use_ssh=0
	transport="LOCAL rsync, NO SSH ($ssh_why)"
	dest=$rs_store
	say "no ssh: $ssh_why; measuring local rsync instead"
fi
rsync_ver=$(rsync --version | head -n 1 | tr -s ' ' | sed 's/ *protocol.*//')

# Wall times are GNU time's %e (0.01 s), whatever the shell's date can do.

# rsync_run NAME ARGS...: rsync -a ARGS, over ssh when we have it, timed
# into $secs (FAILED if it failed); peak memory of the local side (rsync and
# its ssh child) and of the remote rsync (through --rsync-path).
rsync_run() {
	rname=$1
	shift
	settle
	rm -f "$B/mem.rsync-server.$rname"
	if [ "$use_ssh" = 1 ]; then
		"$TIME" -f 'maxrss %M
elapsed %e' -o "$B/mem.rsync-client.$rname" \
			rsync -a -e "$RSH" \
			--rsync-path="$TIME -a -f 'maxrss %M' -o '$B/mem.rsync-server.$rname' rsync" \
			"$@" >"$B/log.rsync.$rname" 2>&1
	else
		"$TIME" -f 'maxrss %M
elapsed %e' -o "$B/mem.rsync-client.$rname" \
			rsync -a "$@" >"$B/log.rsync.$rname" 2>&1
	fi || {
		rc=$?
		say "rsync $rname failed (exit $rc): $(tail -n 3 "$B/log.rsync.$rname")"
		failed=1
		secs=FAILED
		return 0
	}
	secs=$(elapsedof "$B/mem.rsync-client.$rname")
}

# ---- cairnd -------------------------------------------------------------
certs=$B/certs
say "throwaway certificates"
CERTS_DIR=$certs sh tools/gen-certs.sh "" localhost >"$B/certs.log" 2>&1 ||
	{ cat "$B/certs.log" >&2; die "gen-certs.sh failed"; }
CERTS_DIR=$certs sh tools/gen-client-cert.sh bench >>"$B/certs.log" 2>&1 ||
	{ cat "$B/certs.log" >&2; die "gen-client-cert.sh failed"; }
store=$B/store

# start_cairnd TAG: cairnd under GNU time, whose %M is the largest peak RSS
# of cairnd and every session process it forked and reaped (the kernel
# folds a reaped child's peak into its parent's). A sampler also reads the
# VmHWM of each live session process (children of cairnd).
start_cairnd() {
	ctag=$1
	tries=0
	while [ $tries -lt 5 ]; do
		tries=$((tries + 1))
		next_port
		cairnd_port=$pick
		: > "$B/cairnd.$ctag.log"
		"$TIME" -f 'maxrss %M' -o "$B/mem.cairnd.$ctag" \
			"$CAIRND" --host 127.0.0.1 --port "$cairnd_port" --dir "$store" \
			--cert "$certs/server_cert.pem" --key "$certs/server_key.pem" \
			--ca "$certs/ca_cert.pem" </dev/null >/dev/null 2>"$B/cairnd.$ctag.log" &
		time_pid=$!
		i=0
		while ! grep -q listening "$B/cairnd.$ctag.log" 2>/dev/null; do
			i=$((i + 1))
			kill -0 "$time_pid" 2>/dev/null || break
			[ $i -gt 100 ] && break
			sleep 0.05
		done
		if grep -q listening "$B/cairnd.$ctag.log"; then
			cairnd_pid=$(pgrep -P "$time_pid" | head -n 1)
			# the sampler: the largest VmHWM seen in a session process
			(
				hwm=0
				while kill -0 "$cairnd_pid" 2>/dev/null; do
					for k in $(pgrep -P "$cairnd_pid"); do
						while read -r key val _; do
							[ "$key" = VmHWM: ] && [ "$val" -gt "$hwm" ] && hwm=$val
						done < "/proc/$k/status" 2>/dev/null || :
					done
					echo "$hwm" > "$B/hwm.$ctag"
					sleep 0.1
				done
			) </dev/null >/dev/null 2>&1 &
			sampler_pid=$!
			return 0
		fi
		kill "$time_pid" 2>/dev/null || :
		wait "$time_pid" 2>/dev/null || :
		time_pid=
	done
	cat "$B/cairnd.$ctag.log" >&2
	die "cairnd did not start"
}

# stop_cairnd: wait for the session processes to be reaped, then SIGTERM.
stop_cairnd() {
	i=0
	while [ -n "$(pgrep -P "$cairnd_pid")" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill "$cairnd_pid" 2>/dev/null || :
	wait "$time_pid" 2>/dev/null || :
	wait "$sampler_pid" 2>/dev/null || :
	cairnd_pid='' time_pid='' sampler_pid=''
}

# cairn_run NAME ARGS...: one cairn client run against a fresh cairnd,
# timed into $secs (FAILED if it failed). Client peak RSS in mem.cairn.NAME,
# server's in mem.cairnd.NAME and hwm.NAME, the JSON in json.NAME.
cairn_run() {
	cname=$1
	shift
	start_cairnd "$cname"
	settle
	set +e
	"$TIME" -f 'maxrss %M
elapsed %e' -o "$B/mem.cairn.$cname" \
		"$CAIRN" --server 127.0.0.1 --server-name localhost --port "$cairnd_port" \
		--cert "$certs/client_cert.pem" --key "$certs/client_key.pem" \
		--ca "$certs/ca_cert.pem" --json --quiet "$@" \
		>"$B/json.$cname" 2>"$B/log.cairn.$cname"
	rc=$?
	set -e
	stop_cairnd
	if [ $rc -ne 0 ]; then
		say "cairn $cname failed (exit $rc): $(tail -n 3 "$B/log.cairn.$cname")"
		failed=1
		secs=FAILED
		return 0
	fi
	secs=$(elapsedof "$B/mem.cairn.$cname")
}

memof() { sed -n 's/^maxrss //p' "$1" 2>/dev/null | tail -n 1; }
elapsedof() { sed -n 's/^elapsed //p' "$1" 2>/dev/null | tail -n 1; }
jfield() { sed -n "s/.*\"$2\": *\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p" "$B/json.$1" | head -n 1; }

# best SECONDS...: the smallest, or FAILED if any failed.
best() {
	b=
	for s in "$@"; do
		[ "$s" = FAILED ] && { echo FAILED; return 0; }
		b=$(min "$b" "$s")
	done
	echo "$b"
}

state=$B/cairn-state.json
backup() { cairn_run "$1" --state "$state" --source "$src"; }

# ---- 1. first backup ----------------------------------------------------
c_first='' r_first=''
r=0
while [ $r -lt "$RUNS" ]; do
	r=$((r + 1))
	if [ $r -gt 1 ]; then
		chmod -R u+w "$store" "$rs_store" 2>/dev/null || :
		rm -rf "$store" "$rs_store" "$state"
		mkdir -p "$rs_store"
	fi
	say "first backup, run $r: cairn"
	backup first; c_first="$c_first $secs"
	say "first backup, run $r: rsync"
	rsync_run first "$src/" "$dest/snap1/"; r_first="$r_first $secs"
done
c_first=$(best $c_first) r_first=$(best $r_first)
bid=$(jfield first id)

# ---- 2. re-run, nothing changed -----------------------------------------
c_rerun='' r_rerun=''
r=0
while [ $r -lt "$RUNS" ]; do
	r=$((r + 1))
	say "re-run, nothing changed, run $r: cairn"
	backup rerun; c_rerun="$c_rerun $secs"
	say "re-run, nothing changed, run $r: rsync"
	rsync_run rerun "$src/" "$dest/snap1/"; r_rerun="$r_rerun $secs"
done
c_rerun=$(best $c_rerun) r_rerun=$(best $r_rerun)

# ---- 3. re-run with 1% of the files changed, a new snapshot -------------
# Run r appends a byte to every 100th regular file (a different 1% each
# run); rsync makes snap(r+1) hard-linked against snap(r).
c_pct='' r_pct=''
r=0
(cd "$src" && find . -type f) | LC_ALL=C sort > "$B/files.list"
while [ $r -lt "$RUNS" ]; do
	r=$((r + 1))
	awk -v k="$r" 'NR % 100 == k % 100' "$B/files.list" > "$B/changed.list"
	changed=$(wc -l < "$B/changed.list")
	(cd "$src" && while IFS= read -r f; do printf '+' >> "$f"; done) < "$B/changed.list"
	sleep 1	# the changes are in an earlier second than the runs
	say "re-run, $changed files changed, run $r: cairn"
	backup pct; c_pct="$c_pct $secs"
	say "re-run, $changed files changed, run $r: rsync --link-dest"
	rsync_run pct --link-dest="../snap$r" "$src/" "$dest/snap$((r + 1))/"
	r_pct="$r_pct $secs"
done
c_pct=$(best $c_pct) r_pct=$(best $r_pct)
newest=snap$((RUNS + 1))

# ---- 4. restore into an empty directory ---------------------------------
c_rest='' r_rest=''
r=0
while [ $r -lt "$RUNS" ]; do
	r=$((r + 1))
	rm -rf "$B/restore-cairn" "$B/restore-rsync"
	mkdir -p "$B/restore-cairn" "$B/restore-rsync"
	say "restore, run $r: cairn"
	if [ -n "$bid" ]; then
		cairn_run restore --restore "$bid" --path "$B/restore-cairn"
		c_rest="$c_rest $secs"
	else
		c_rest="$c_rest FAILED"
	fi
	say "restore, run $r: rsync"
	rsync_run restore "$dest/$newest/" "$B/restore-rsync/"; r_rest="$r_rest $secs"
done
c_rest=$(best $c_rest) r_rest=$(best $r_rest)

say "checking the restored trees against the source"
want=$(treesum "$src")
chk() {
	if [ "$(treesum "$1")" = "$want" ]; then
		echo "identical to the source (paths, sizes, modes, mtimes, MD5s, link targets)"
	else
		echo "DIFFERS from the source"
	fi
}
chk_cairn=$(chk "$B/restore-cairn")
chk_rsync=$(chk "$B/restore-rsync")

# ---- the table ----------------------------------------------------------
row() {
	awk -v what="$1" -v c="$2" -v r="$3" -v tgt="$4" -v note="${5:-}" 'BEGIN {
		if (c == "FAILED" || r == "FAILED") {
			printf "%-34s %9s %9s %8s %7s  %s\n", what, c, r, "-", "<= " tgt, "FAILED"
		} else {
			ratio = (r > 0) ? c / r : 0
			printf "%-34s %9.2f %9.2f %8.2f %7s  %-7s %s\n", what, c, r, ratio,
			    "<= " tgt, (r > 0 && ratio <= tgt) ? "MET" : "NOT MET", note
		}
	}'
}
sent() {
	s=$(jfield "$1" sent) b=$(jfield "$1" bytes_sent)
	[ -n "$s" ] && printf 'cairn sent %s files, %s bytes' "$s" "$b"
}
{
	echo "== cairn vs rsync, same tree, same run"
	printf 'tree:       %s: %s files, %s bytes, %s directories, %s symlinks\n' \
		"$tree_desc" "$tree_files" "$tree_bytes" "$tree_dirs" "$tree_links"
	printf 'cairn:      %s and %s over TLS 1.2 on 127.0.0.1 (mutual TLS)\n' \
		"build/cairn" "build/cairnd"
	printf 'rsync:      %s, -a; %s\n' "$rsync_ver" "$transport"
	printf 'conditions: %s; wall time, best of %s\n' "$caches" "$RUNS"
	echo "            cairnd makes each snapshot durable (syncfs) before committing it, and"
	echo "            every cairn backup run, a re-run too, commits a new snapshot (a full"
	echo "            tree of hard links); rsync -a does not fsync, and its plain re-run"
	echo "            updates snap1 in place"
	echo
	printf '%-34s %9s %9s %8s %7s  %s\n' "what" "cairn s" "rsync s" "ratio" "target" "result"
	row "first backup" "$c_first" "$r_first" 0.5 "$(sent first)"
	row "re-run, nothing changed" "$c_rerun" "$r_rerun" 0.5 "$(sent rerun)"
	row "re-run, 1% changed, new snapshot" "$c_pct" "$r_pct" 0.5 "$(sent pct); $changed files changed; rsync --link-dest"
	row "restore into an empty directory" "$c_rest" "$r_rest" 0.5
	echo "(ratio = cairn / rsync; target from DESIGN.md, "Targets")"
	[ "$use_ssh" = 1 ] ||
		echo "NOTE: rsync ran locally, without ssh; the targets are set against rsync over ssh"
	printf 'restore check: cairn %s\n' "$chk_cairn"
	printf '               rsync %s\n' "$chk_rsync"
} > "$B/report.table"

# ---- memory -------------------------------------------------------------
kib() {
	case ${1:-0} in
	0) printf '%16s' "n/a" ;;
	*) awk -v k="$1" 'BEGIN { printf "%6d KiB %5.2f MiB", k, k / 1024 }' ;;
	esac
}
# mrow LABEL NAME: cairn's client and server peaks; the server's is the
# larger of cairnd's GNU time %M and the sampled VmHWM.
mrow() {
	sm=$(memof "$B/mem.cairnd.$2") sh=$(cat "$B/hwm.$2" 2>/dev/null || :)
	printf '%-33s client %s  server %s  (%%M %s, VmHWM %s)\n' "$1" \
		"$(kib "$(memof "$B/mem.cairn.$2")")" "$(kib "$(max "${sm:-0}" "${sh:-0}")")" \
		"${sm:-n/a}" "$( [ "${sh:-0}" != 0 ] && echo "$sh" || echo n/a)"
}
rrow() {
	printf '%-33s client %s  server %s\n' "$1" \
		"$(kib "$(memof "$B/mem.rsync-client.$2")")" "$(kib "$(memof "$B/mem.rsync-server.$2")")"
}
{
	echo "== peak memory (max RSS)"
	echo "cairn: client = GNU time %M of cairn. server = the larger of (a) GNU time %M"
	echo "of cairnd (a fresh cairnd per run), which is the largest peak of cairnd and"
	echo "every session process it forked and reaped (the kernel folds a reaped child's"
	echo "peak into its parent's), and (b) the largest VmHWM read from /proc of cairnd's"
	echo "live session processes (pgrep -P) every 0.1 s (n/a: the session ended before"
	echo "a sample). (a) can be low by up to ~32 pages per CPU: the kernel folds its"
	echo "per-CPU RSS counters lazily into what wait4 reports."
	echo "rsync: client = GNU time %M of rsync and its ssh; server = remote rsync,"
	echo "through --rsync-path=\"time ... rsync\" (sshd itself not counted)."
	echo
	echo "on the tree above ($tree_files files):"
	mrow "  cairn first backup" first
	mrow "  cairn re-run, nothing changed" rerun
	mrow "  cairn re-run, 1% changed" pct
	mrow "  cairn restore" restore
	rrow "  rsync first backup" first
	rrow "  rsync re-run, nothing changed" rerun
	rrow "  rsync re-run, 1% (link-dest)" pct
	rrow "  rsync restore" restore
} > "$B/report.memory"

# Peak memory as the tree grows: small files, a first backup and a re-run.
if [ -n "$MEM_FILES" ]; then
	echo >> "$B/report.memory"
	echo "as files grow (generated trees of small files; target <= 4 MiB, flat):" >> "$B/report.memory"
	peak_c='' peak_s=''
	for n in $MEM_FILES; do
		say "memory: generating $n files"
		rm -rf "$B/mem-src"
		gentree "$B/mem-src" "$n" 4
		for phase in first rerun; do
			say "memory: $n files, $phase"
			cairn_run "mem$n$phase" --state "$B/mem-state.$n.json" --source "$B/mem-src"
			tm=$secs
			c=$(memof "$B/mem.cairn.mem$n$phase") s=$(memof "$B/mem.cairnd.mem$n$phase")
			peak_c=$(max "$peak_c" "${c:-0}") peak_s=$(max "$peak_s" "${s:-0}")
			mrow "  $n files, $phase ($tm s)" "mem$n$phase" >> "$B/report.memory"
			sh=$(cat "$B/hwm.mem$n$phase" 2>/dev/null || :)
			peak_s=$(max "$peak_s" "${sh:-0}")
		done
	done
	rm -rf "$B/mem-src"
	awk -v c="$peak_c" -v s="$peak_s" 'BEGIN {
		printf "largest: client %.2f MiB, server %.2f MiB: %s\n", c / 1024, s / 1024,
		    (c <= 4096 && s <= 4096) ? "<= 4 MiB, MET" : "over 4 MiB, NOT MET"
	}' >> "$B/report.memory"
fi

took=$(elapsed "$t_start" "$(now)")
printf '\n(tools/bench-tree.sh took %.0f s)\n' "$took" >> "$B/report.memory"
say "done in $took s"
exit "$failed"
