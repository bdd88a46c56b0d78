#!/bin/sh
# bench-lib.sh — what the bench scripts share, sourced (". tools/bench-lib.sh")
# by the tools/bench-*.sh scripts: clocks and timing, deterministic trees,
# a fresh filesystem per store, the throwaway sshd, a cairnd per run and
# the cairn client against it, a one-node Ceph and its buckets.
#
# The caller sets top (the repository) and R (its work directory, inside
# build/bench) before sourcing, and calls bench_init.

CAIRN=${CAIRN:-$top/build/cairn}
CAIRND=${CAIRND:-$top/build/cairnd}
TIME=/usr/bin/time

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# now: seconds since the epoch, with milliseconds where date has %N.
now() {
	t=$(date +%s.%N)
	case $t in *N*|*.) date +%s ;; *) printf '%s\n' "$t" ;; esac
}
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }'; }

# best SECONDS...: the smallest, or FAILED if any failed.
best() {
	b=
	for s in "$@"; do
		[ "$s" = FAILED ] && { echo FAILED; return 0; }
		b=$(min "$b" "$s")
	done
	echo "${b:--}"
}

memof() { sed -n 's/^maxrss //p' "$1" 2>/dev/null | tail -n 1; }
elapsedof() { sed -n 's/^elapsed //p' "$1" 2>/dev/null | tail -n 1; }

# timed NAME CMD...: run CMD under GNU time, output in R/log.NAME; the wall
# time in $secs (FAILED if it failed), peak RSS in R/mem.NAME.
timed() {
	tname=$1
	shift
	settle
	if "$TIME" -f 'maxrss %M
elapsed %e' -o "$R/mem.$tname" "$@" >"$R/log.$tname" 2>&1; then
		secs=$(elapsedof "$R/mem.$tname")
	else
		say "$tname failed: $(tail -n 3 "$R/log.$tname" | tr '\n' ' ')"
		failed=1
		secs=FAILED
	fi
}

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

# gentree DIR N [MAXEXP [BIG]]: N files of deterministic content, in
# directories of 100 files, 100 directories to a top directory. File sizes
# are log-uniform from 64 bytes to 64 * 2^MAXEXP (default 10: 64 KiB, about
# 9 KiB on average, like /usr/share/doc). With BIG (source-tree mode), sizes
# are log-uniform from 1 to 30 KiB and one file in BIG is 256 KiB to 2 MiB
# instead, like a kernel tree. Every file's content is unique.
gentree() {
	mkdir -p "$1"
	awk -v root="$1" -v n="$2" 'BEGIN {
		for (i = 0; i < n; i += 100)
			printf "%s/t%02d/d%04d\n", root, int(i / 10000), int(i / 100)
	}' | xargs mkdir -p
	awk -v root="$1" -v n="$2" -v maxexp="${3:-10}" -v big="${4:-0}" 'BEGIN {
		x = 20260101
		fill = "abcdefghijklmnopqrstuvwxyz0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
		while (length(fill) < 2097152) fill = fill fill
		for (i = 0; i < n; i++) {
			x = (x * 16807) % 2147483647
			# 2^e without a math library (BusyBox awk may have
			# none): 2^frac ~ 1 + frac
			if (big > 0 && i % big == big - 1) {
				base = 262144; e = 3 * x / 2147483647
			} else if (big > 0) {
				base = 1024; e = 4.9 * x / 2147483647
			} else {
				base = 64; e = maxexp * x / 2147483647
			}
			size = base
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

# ---- a fresh filesystem per store ---------------------------------------
# freshfs NAME KIB INODES: sets $fsdir to an empty directory on a filesystem
# made for it now: a loop-mounted ext4 of KIB KiB (a sparse file in
# R/img) when root and mount works, else a plain directory under R/plain
# (fs_kind says which). Calling it again for NAME unmounts and remakes it.
fs_mounts=
fs_kind=
freshfs() {
	mnt=$R/fs/$1
	if mountpoint -q "$mnt" 2>/dev/null; then
		umount "$mnt" || die "umount $mnt failed"
	fi
	rm -rf "$mnt" "$R/img/$1.img"
	mkdir -p "$mnt" "$R/img"
	if [ "${BENCH_NO_LOOP:-0}" != 1 ] && [ "$(id -u)" = 0 ] &&
	   truncate -s "${2}K" "$R/img/$1.img" &&
	   mkfs.ext4 -q -F -N "$3" "$R/img/$1.img" >"$R/mkfs.log" 2>&1 &&
	   mount -o loop "$R/img/$1.img" "$mnt" 2>>"$R/mkfs.log"; then
		case " $fs_mounts " in *" $mnt "*) ;; *) fs_mounts="$fs_mounts $mnt" ;; esac
		fs_kind="a fresh loop-mounted ext4 per store and job (mkfs.ext4, mount -o loop)"
	else
		rm -f "$R/img/$1.img"
		why="not root"
		[ "$(id -u)" = 0 ] && why="loop mount failed: $(tail -n 1 "$R/mkfs.log" 2>/dev/null)"
		[ "${BENCH_NO_LOOP:-0}" = 1 ] && why="BENCH_NO_LOOP=1"
		fs_kind="PLAIN DIRECTORIES on the build filesystem, no fresh fs ($why)"
	fi
	fsdir=$mnt/d
	mkdir -p "$fsdir"
}

# fs_cleanup: unmount every loop filesystem and remove the images.
fs_cleanup() {
	for m in $fs_mounts; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || :
	done
	fs_mounts=
	rm -rf "$R/img"
}

# fs_size DIR COPIES: "KIB INODES" for a filesystem holding COPIES copies
# of DIR's data and directories (2.5 for a store): its du times COPIES,
# the directory blocks of 8 snapshots, and 64 MiB of margin.
fs_size() {
	k=$(du -sk "$1" | cut -f1)
	d=$(find "$1" -type d | wc -l)
	n=$(find "$1" | wc -l)
	awk -v k="$k" -v d="$d" -v n="$n" -v c="$2" 'BEGIN {
		printf "%.0f %.0f\n", k * c + d * 4 * 8 + 65536, n * 3 + d * 8 + 16384
	}'
}

# settle: sync before every measurement; with BENCH_DROP_CACHES=1, also
# drop the page cache (the whole machine's: off by default).
settle() {
	sync
	if [ "${BENCH_DROP_CACHES:-0}" = 1 ]; then
		echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || :
	fi
}
cache_desc() {
	if [ "${BENCH_DROP_CACHES:-0}" = 1 ]; then
		echo "page cache dropped before every measurement (BENCH_DROP_CACHES=1)"
	else
		echo "page cache warm; sync before every measurement"
	fi
}

# ---- sshd on loopback ---------------------------------------------------
# start_sshd: a throwaway sshd (its own host key, config and pid file, on a
# loopback port) that root logs into with a throwaway key; sets RSH (the
# ssh command line, AES-128-GCM) and ssh_desc, or ssh_why and returns 1.
SSHD=${BENCH_SSHD:-/usr/sbin/sshd}
sshd_pid=
start_sshd() {
	ssh_dir=$R/ssh
	[ "$(id -u)" = 0 ] || { ssh_why="not root: sshd cannot log in as root"; return 1; }
	[ -x "$SSHD" ] || { ssh_why="$SSHD missing (sh tools/deps.sh bench installs openssh-server)"; return 1; }
	command -v ssh >/dev/null 2>&1 || { ssh_why="ssh missing"; return 1; }
	mkdir -p "$ssh_dir"
	chmod 700 "$ssh_dir"
	for k in hostkey client_key; do
		ssh-keygen -q -t ed25519 -N '' -C "bench-$k" -f "$ssh_dir/$k" ||
			{ ssh_why="ssh-keygen failed"; return 1; }
	done
	cp "$ssh_dir/client_key.pub" "$ssh_dir/authorized_keys"
	chmod 600 "$ssh_dir/authorized_keys"
	cat > "$ssh_dir/config" <<CONF
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
CONF
	# sshd's privilege separation directory (Debian: /run/sshd)
	[ -d /run/sshd ] || mkdir -m 0755 /run/sshd 2>/dev/null || :
	tries=0
	while [ $tries -lt 5 ] && [ -z "$sshd_pid" ]; do
		tries=$((tries + 1))
		next_port
		ssh_port=$pick
		rm -f "$ssh_dir/sshd.pid"
		"$SSHD" -f "$ssh_dir/config" -h "$ssh_dir/hostkey" -p "$ssh_port" \
			-E "$ssh_dir/sshd.log" || continue
		i=0
		while [ ! -s "$ssh_dir/sshd.pid" ] && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		[ -s "$ssh_dir/sshd.pid" ] && sshd_pid=$(cat "$ssh_dir/sshd.pid")
	done
	if [ -z "$sshd_pid" ]; then
		ssh_why="sshd did not start: $(tail -n 3 "$ssh_dir/sshd.log" 2>/dev/null | tr '\n' ' ')"
		return 1
	fi
	RSH="ssh -c aes128-gcm@openssh.com -p $ssh_port -i $ssh_dir/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
	if ! $RSH root@127.0.0.1 true 2>"$ssh_dir/try.err"; then
		ssh_why="ssh to root@127.0.0.1:$ssh_port failed: $(tr '\n' ' ' < "$ssh_dir/try.err")"
		return 1
	fi
	cipher=$($RSH -v root@127.0.0.1 true 2>&1 |
		sed -n 's/.*kex: client->server cipher: \([^ ]*\).*/\1/p' | head -n 1)
	rhost=root@127.0.0.1:
	ssh_desc="over ssh to root@127.0.0.1 ($(ssh -V 2>&1 | cut -d, -f1), cipher ${cipher:-default}, throwaway sshd)"
	return 0
}

# rsync_run NAME ARGS...: rsync -a ARGS, over ssh when start_sshd
# succeeded (write the remote side "$rhost/path": rhost is root@127.0.0.1:
# with ssh, empty without), timed into $secs; peak memory of the local side
# (rsync and its ssh) in R/mem.rsync.NAME, of the remote rsync in
# R/mem.rsyncd.NAME (through --rsync-path).
rhost=
rsync_run() {
	rname=$1
	shift
	rm -f "$R/mem.rsyncd.$rname"
	if [ -n "$sshd_pid" ]; then
		timed "rsync.$rname" rsync -a -e "$RSH" \
			--rsync-path="$TIME -a -f 'maxrss %M' -o '$R/mem.rsyncd.$rname' rsync" "$@"
	else
		timed "rsync.$rname" rsync -a "$@"
	fi
}

# ---- cairnd and cairn ---------------------------------------------------
# bench_certs: throwaway CA, server and client certificates in R/certs.
bench_certs() {
	certs=$R/certs
	CERTS_DIR=$certs sh "$top/tools/gen-certs.sh" "" localhost >"$R/certs.log" 2>&1 ||
		{ cat "$R/certs.log" >&2; die "gen-certs.sh failed"; }
	CERTS_DIR=$certs sh "$top/tools/gen-client-cert.sh" bench >>"$R/certs.log" 2>&1 ||
		{ cat "$R/certs.log" >&2; die "gen-client-cert.sh failed"; }
}

# start_cairnd TAG: cairnd on $store under GNU time (or CAIRND_WRAP, e.g.
# valgrind), with CAIRND_ARGS (split on blanks) after its own, whose %M is the largest peak RSS of cairnd and every session
# process it forked and reaped. A sampler also reads the VmHWM of each live
# session process (children of cairnd) into R/hwm.TAG.
cairnd_pid=
time_pid=
sampler_pid=
start_cairnd() {
	ctag=$1
	tries=0
	while [ $tries -lt 5 ]; do
		tries=$((tries + 1))
		next_port
		cairnd_port=$pick
		: > "$R/cairnd.$ctag.log"
		# shellcheck disable=SC2086
		"$TIME" -f 'maxrss %M' -o "$R/mem.cairnd.$ctag" ${CAIRND_WRAP:-} \
			"$CAIRND" --host 127.0.0.1 --port "$cairnd_port" --dir "$store" \
			--cert "$certs/server_cert.pem" --key "$certs/server_key.pem" \
			--ca "$certs/ca_cert.pem" ${CAIRND_ARGS:-} \
			</dev/null >/dev/null 2>"$R/cairnd.$ctag.log" &
		time_pid=$!
		i=0
		while ! grep -q listening "$R/cairnd.$ctag.log" 2>/dev/null; do
			i=$((i + 1))
			kill -0 "$time_pid" 2>/dev/null || break
			[ $i -gt 600 ] && break
			sleep 0.05
		done
		if grep -q listening "$R/cairnd.$ctag.log"; then
			cairnd_pid=$(pgrep -P "$time_pid" | head -n 1)
			(
				hwm=0
				while kill -0 "$cairnd_pid" 2>/dev/null; do
					for k in $(pgrep -P "$cairnd_pid"); do
						while read -r key val _; do
							[ "$key" = VmHWM: ] && [ "$val" -gt "$hwm" ] && hwm=$val
						done < "/proc/$k/status" 2>/dev/null || :
					done
					echo "$hwm" > "$R/hwm.$ctag"
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
	cat "$R/cairnd.$ctag.log" >&2
	die "cairnd did not start"
}

# stop_cairnd: wait for the session processes to be reaped, then SIGTERM.
stop_cairnd() {
	i=0
	while [ -n "$(pgrep -P "$cairnd_pid")" ] && [ $i -lt 300 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill "$cairnd_pid" 2>/dev/null || :
	wait "$time_pid" 2>/dev/null || :
	wait "$sampler_pid" 2>/dev/null || :
	cairnd_pid='' time_pid='' sampler_pid=''
}

# cairn_run NAME ARGS...: one cairn client run (under CAIRN_WRAP if set)
# against a fresh cairnd on $store, timed into $secs (FAILED if it failed).
# Client peak RSS in R/mem.cairn.NAME, server's in R/mem.cairnd.NAME and
# R/hwm.NAME, the JSON in R/json.NAME.
cairn_run() {
	cname=$1
	shift
	start_cairnd "$cname"
	settle
	set +e
	# shellcheck disable=SC2086
	"$TIME" -f 'maxrss %M
elapsed %e' -o "$R/mem.cairn.$cname" ${CAIRN_WRAP:-} \
		"$CAIRN" --server 127.0.0.1 --server-name localhost --port "$cairnd_port" \
		--cert "$certs/client_cert.pem" --key "$certs/client_key.pem" \
		--ca "$certs/ca_cert.pem" --json --quiet "$@" \
		>"$R/json.$cname" 2>"$R/log.cairn.$cname"
	rc=$?
	set -e
	stop_cairnd
	if [ $rc -ne 0 ]; then
		say "cairn $cname failed (exit $rc): $(tail -n 3 "$R/log.cairn.$cname")"
		failed=1
		secs=FAILED
		return 0
	fi
	secs=$(elapsedof "$R/mem.cairn.$cname")
}
jfield() { sed -n "s/.*\"$2\": *\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p" "$R/json.$1" | head -n 1; }

# s3_start DIR: a one-node Ceph with all its state in DIR (tools/ceph-up.sh;
# the caller stops it with tools/ceph-down.sh DIR), its endpoint and keys
# exported (CAIRN_S3_*). 0, or 1 with the reason in $s3_why.
s3_start() {
	if ! command -v radosgw >/dev/null 2>&1; then
		s3_why="Ceph is not installed (sh tools/deps.sh s3 installs it)"
		return 1
	fi
	if ! sh "$top/tools/ceph-up.sh" "$1" > "$R/ceph-up.out" 2> "$R/ceph-up.err"; then
		s3_why="Ceph did not come up ($(grep -v '^ceph-up: logs in' "$R/ceph-up.err" | tail -n 1))"
		return 1
	fi
	while IFS= read -r l; do
		case $l in CAIRN_S3_*=*) export "${l%%=*}=${l#*=}" ;; esac
	done < "$1/env"
}

# mkbucket NAME: the bucket, with s3probe (debug or ASan build) or else
# curl's SigV4 signing (radosgw wants the empty body's SHA-256 named).
mkbucket() {
	for p in "$top/build/debug/s3probe" "$top/build/asan/s3probe"; do
		[ -x "$p" ] || continue
		CAIRN_S3_BUCKET=$1 "$p" mkbucket >> "$R/mkbucket.log" 2>&1
		return
	done
	curl -sSf -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" \
		-H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
		--user "$CAIRN_S3_ACCESS_KEY:$CAIRN_S3_SECRET_KEY" \
		"$CAIRN_S3_ENDPOINT/$1" >> "$R/mkbucket.log" 2>&1
}

# bench_init: the checks, the work directory, and a trap that stops every
# process started here and unmounts every filesystem made here.
bench_init() {
	for t in "$CAIRN" "$CAIRND"; do
		[ -x "$t" ] || die "$t missing: run make all"
	done
	[ -x "$TIME" ] || die "$TIME (GNU time) missing: run sh tools/deps.sh bench"
	command -v rsync >/dev/null 2>&1 || die "rsync missing: run sh tools/deps.sh bench"
	command -v pgrep >/dev/null 2>&1 || die "pgrep missing: run sh tools/deps.sh bench"
	failed=0
	trap bench_cleanup EXIT
	trap 'exit 1' HUP INT TERM
	if [ -d "$R" ]; then
		for m in $(awk -v r="$R/" 'index($2, r) == 1 { print $2 }' /proc/mounts); do
			umount "$m" 2>/dev/null || :
		done
		chmod -R u+w "$R" 2>/dev/null || :
		rm -rf "$R"
	fi
	mkdir -p "$R"
}
bench_cleanup() {
	[ -n "$cairnd_pid" ] && kill "$cairnd_pid" 2>/dev/null
	[ -n "$time_pid" ] && wait "$time_pid" 2>/dev/null
	[ -n "$sampler_pid" ] && wait "$sampler_pid" 2>/dev/null
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
	fs_cleanup
	return 0
}
