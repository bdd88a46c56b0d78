#!/bin/sh
# t_busybox.sh — cairn on a system that has nothing but BusyBox.
#
# 1. A root filesystem in $W/root holding only a static /bin/busybox and its
#    applet links, the static x86-64 build/cairn and build/cairnd, the test
#    certificates (made outside: tools/gen-certs.sh needs openssl), lib.sh
#    and a small script this one writes (inside.sh). No /etc (no passwd,
#    hosts or resolv.conf), no /proc, nothing mounted; /dev holds only
#    null, zero and urandom (BusyBox's ash opens /dev/null to start a
#    background job). Under chroot and `env -i`, with BusyBox sh as the
#    shell, inside.sh starts cairnd, backs up a tree with odd names and a
#    symlink, re-runs it (sent 0), restores it and compares with cmp and
#    BusyBox diff; then, with /dev taken away and HOME unset, a backup (the
#    state in /var/lib/cairn, made with its parents) and a restore still work. Its checks come back here.
#    chroot needs root: not root is a failure unless CAIRN_SKIP_CHROOT=1.
# 2. Every shell script shipped (tools/*.sh, test/**/*.sh) parses under
#    `busybox sh -n`.
# 3. test/run.sh t_backup runs under BusyBox ash with only BusyBox's applets
#    on PATH (and openssl, for tools/gen-certs.sh): TEST_SHELL="busybox sh"
#    busybox sh test/run.sh t_backup, in a copy of the tree (run.sh owns
#    build/test and its lock), so it never runs this script again.
#    CAIRN_BUSYBOX_TESTS="t_backup t_names" runs other patterns instead.
. "$(dirname "$0")/lib.sh"

T_START=$(date +%s)
BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || BUSYBOX=$(command -v busybox 2>/dev/null)
if [ -z "$BUSYBOX" ] || [ ! -x "$BUSYBOX" ]; then
	fail "busybox is installed" "install busybox-static (sh tools/deps.sh test)"
	finish
fi
ok "busybox: $BUSYBOX ($("$BUSYBOX" 2>&1 | head -n 1))"
have=0
need_exec "static client" "$TOP/build/cairn" "build it: make all (make test does)" || have=1
need_exec "static server" "$TOP/build/cairnd" "build it: make all (make test does)" || have=1

# ---- 1. inside a BusyBox-only root filesystem ------------------------------------

# inside.sh, run in the chroot with lib.sh beside it.
write_inside() {
	cat <<'INSIDE'
#!/bin/sh
# inside.sh — written by t_busybox.sh and run by it inside a root
# filesystem holding only BusyBox, the static cairn and cairnd and the
# test certificates. Checks go to $RESULTS as lib.sh records them.
. "$(dirname "$0")/lib.sh"

if [ -e /etc ]; then
	fail "no /etc in the root filesystem" "$(ls -la /etc)"
else
	ok "no /etc: no passwd, group, hosts, resolv.conf, nsswitch.conf"
fi
if [ -z "${HOME+set}" ]; then ok "HOME is unset"; else fail "HOME is unset" "HOME=$HOME"; fi
others=$(find / -xdev ! -type d ! -type l | grep -v -e '^/bin/busybox$' \
	-e '^/repo/build/cairnd\{0,1\}$' -e '^/repo/test/e2e/' -e '^/work/' -e '^/dev/')
check_eq "$others" "" "nothing else in the root filesystem"
case $(readlink /bin/sh) in
*busybox) ok "/bin/sh is BusyBox's: $(busybox 2>&1 | head -n 1)" ;;
*) fail "/bin/sh is BusyBox's" "readlink /bin/sh: $(readlink /bin/sh)" ;;
esac

start_server || finish

SRC=$W/src
mkdir -p "$SRC/sub dir/deeper" "$SRC/empty dir"
n_nl=$(printf 'new\nline')
for n in 'with space.txt' "$n_nl" "$(printf 'bad\377bytes')" "$(printf 'h\303\251llo')" \
	'double"quote' "single'quote" 'back\slash' '-x' '100%s'; do
	printf 'file %s\n' "$n" >"$SRC/$n"
	printf 'nested %s\n' "$n" >"$SRC/sub dir/deeper/$n"
done
head -c 300000 /dev/urandom >"$SRC/sub dir/random.bin"
: >"$SRC/empty file"
chmod 600 "$SRC/with space.txt"
ln -s "sub dir/random.bin" "$SRC/link to random"
N=$(count_files "$SRC")

run_cairn --source "$SRC" --json
check_rc 0 "backup: exit status 0"
ID=$(json_field "$RUN_OUT" id)
check_eq "$(json_field "$RUN_OUT" sent)" "$N" "backup: sent = $N"
check_tree "$SRC" "$D/alice/$ID/$(json_field "$RUN_OUT" snapshot)" "backup: the snapshot equals the source"
run_cairn --source "$SRC" --json
check_rc 0 "re-run: exit status 0"
check_eq "$(json_field "$RUN_OUT" sent)" 0 "re-run: sent = 0"
check_eq "$(json_field "$RUN_OUT" files)" "$N" "re-run: files = $N"
run_cairn --restore "$ID" --path "$W/restored" --json
check_rc 0 "restore: exit status 0"
check_eq "$(json_field "$RUN_OUT" errors)" 0 "restore: errors = 0"
check_tree "$SRC" "$W/restored" "restore: byte-identical (find, cmp)"
check_meta "$SRC" "$W/restored" "restore: modes and mtimes (stat)"
if diff -r "$SRC" "$W/restored" >"$W/diff.out" 2>&1 && [ ! -s "$W/diff.out" ]; then
	ok "restore: BusyBox diff -r finds no difference"
else
	fail "restore: BusyBox diff -r finds no difference" "$(head -n 20 "$W/diff.out")"
fi
run_cairn --list --json
check_rc 0 "list: exit status 0"

# Without /dev and HOME: the binaries themselves need neither (randomness
# from getrandom; with no --state and no HOME the state goes to
# /var/lib/cairn, made as needed).
: >"$W/empty"
cd "$W" || finish
mv /dev /dev.away
# nd NAME ARGS...: cairn as alice, no --state, no /dev; sets RC, RUN_OUT.
nd() {
	RUN_OUT=$W/$1.out
	RUN_ERR=$W/$1.err
	shift
	"$CAIRN" --server 127.0.0.1 --server-name localhost --port "$PORT" \
		--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
		--ca "$CERTS/ca_cert.pem" "$@" <"$W/empty" >"$RUN_OUT" 2>"$RUN_ERR"
	RC=$?
	LAST_CMD="$CAIRN $*"
}
nd nodev1 --source "$SRC" --json
check_rc 0 "no /dev, no HOME, no --state: backup exit status 0"
nd nodev2 --source "$SRC" --json
check_rc 0 "no /dev, no HOME, no --state: re-run exit status 0"
check_eq "$(json_field "$RUN_OUT" sent)" 0 "no /dev, no HOME: re-run sent = 0"
if ls /var/lib/cairn/state-*.json >/dev.away/null 2>&1 && [ ! -e "$W/.cairn" ]; then
	ok "no HOME: the state went to /var/lib/cairn"
else
	fail "no HOME: the state went to /var/lib/cairn" "$(ls -la "$W" /var/lib/cairn 2>&1)"
fi
nd nodev3 --restore "$ID" --path "$W/restored2" --json
check_rc 0 "no /dev: restore exit status 0"
mv /dev.away /dev
check_tree "$SRC" "$W/restored2" "no /dev: restore byte-identical"

finish
INSIDE
}

R=$W/root
inside() {
	if [ "$(id -u)" != 0 ]; then
		if [ "${CAIRN_SKIP_CHROOT:-0}" = 1 ]; then
			note "not root and CAIRN_SKIP_CHROOT=1: the chroot part is skipped"
		else
			fail "the chroot part needs root (chroot, mknod)" \
				"run make test as root, or CAIRN_SKIP_CHROOT=1 to skip this part"
		fi
		return
	fi
	[ $have = 0 ] || return
	mkdir -p "$R/bin" "$R/dev" "$R/repo/build" "$R/repo/test/e2e" "$R/work/certs" &&
		cp "$BUSYBOX" "$R/bin/busybox" &&
		cp "$TOP/build/cairn" "$TOP/build/cairnd" "$R/repo/build/" &&
		cp "$TOP/test/e2e/lib.sh" "$R/repo/test/e2e/" &&
		cp "$CERTS"/*.pem "$R/work/certs/" && : >"$R/work/certs/.ok" &&
		write_inside >"$R/repo/test/e2e/inside.sh" &&
		mknod -m 666 "$R/dev/null" c 1 3 && mknod -m 666 "$R/dev/zero" c 1 5 &&
		mknod -m 666 "$R/dev/urandom" c 1 9
	if [ $? != 0 ]; then
		fail "root filesystem made in $R"
		return
	fi
	if ! chroot "$R" /bin/busybox --install -s /bin >"$W/install.log" 2>&1 ||
	   [ ! -L "$R/bin/sh" ]; then
		fail "busybox --install -s /bin in the chroot" \
			"is $BUSYBOX statically linked? (busybox-static)" "$(cat "$W/install.log")"
		return
	fi
	ok "root filesystem: busybox and $(ls "$R/bin" | wc -l | tr -d ' ') applet links, cairn, cairnd, certificates"

	t0=$(date +%s)
	$TIMEOUT 300 chroot "$R" /bin/env -i PATH=/bin TEST_ROOT=/work TEST_NAME=inside \
		RESULTS=/work/inside.results CAIRN=/repo/build/cairn CAIRND=/repo/build/cairnd \
		/bin/sh /repo/test/e2e/inside.sh >"$W/inside.log" 2>&1 </dev/null
	rc=$?
	note "inside the chroot: $(elapsed_since "$t0") s, exit status $rc"
	res=$R/work/inside.results
	np=$(grep -c '^pass ' "$res" 2>/dev/null)
	nf=$(grep -c '^fail ' "$res" 2>/dev/null)
	# Each check made inside is one here.
	while IFS= read -r line; do
		case $line in
		'pass inside '*) ok "chroot: ${line#pass inside }" ;;
		'fail inside '*) fail "chroot: ${line#fail inside }" ;;
		esac
	done <"$res"
	if [ "$rc" = 0 ] && [ "${nf:-0}" = 0 ] && [ "${np:-0}" -ge 20 ]; then
		ok "inside.sh ended well in the chroot ($np checks)"
	else
		fail "inside.sh ended well in the chroot" \
			"exit status $rc, ${np:-0} passed, ${nf:-0} failed; its output:"
		sed 's/^/       | /' "$W/inside.log" | head -n 150
		for f in "$R"/work/inside/cairnd*.log; do
			[ -f "$f" ] || continue
			printf '     %s:\n' "${f#"$R"}"
			tail -n 20 "$f" | sed 's/^/       | /'
		done
	fi
	# Leave /dev where it belongs if inside.sh stopped halfway.
	[ -d "$R/dev.away" ] && [ ! -e "$R/dev" ] && mv "$R/dev.away" "$R/dev"
}
inside

# ---- 2. every shell script parses under BusyBox ash ---------------------------------
bad=
n=0
for f in $(cd "$TOP" && find tools test -name '*.sh' | sort); do
	n=$((n + 1))
	"$BUSYBOX" sh -n "$TOP/$f" >"$W/syntax.out" 2>&1 || bad="$bad $f: $(cat "$W/syntax.out")"
done
if [ -z "$bad" ] && [ $n -gt 0 ]; then
	ok "busybox sh -n: all $n scripts in tools/ and test/ parse"
else
	fail "busybox sh -n: every script in tools/ and test/ parses ($n seen)" "$bad"
fi

# ---- 3. test/run.sh under BusyBox ash, with BusyBox's applets only ----------------
[ $have = 0 ] || finish
need_exec "ASan client for run.sh" "$TOP/build/asan/cairn" "make asan" || finish
need_exec "openssl for tools/gen-certs.sh" openssl "install openssl" || finish
BB=$W/bbpath
C=$W/copy
mkdir -p "$BB" "$C/build/asan" "$C/build/debug" "$C/test/e2e" "$C/tools"
for a in $("$BUSYBOX" --list); do
	ln -s "$BUSYBOX" "$BB/$a"
done
ln -s "$(command -v openssl)" "$BB/openssl"
cp "$TOP/test/run.sh" "$C/test/"
cp "$TOP/test/e2e/lib.sh" "$C/test/e2e/"
cp "$TOP"/test/e2e/t_*.sh "$C/test/e2e/"
rm -f "$C/test/e2e/t_busybox.sh"
cp "$TOP"/tools/*.sh "$C/tools/"
cp "$TOP/build/cairn" "$TOP/build/cairnd" "$C/build/"
# The ASan programs, fault shims and tools other tests use; build/debug for
# t_valgrind.
for f in "$TOP"/build/asan/* "$TOP"/build/debug/*; do
	[ -f "$f" ] && cp "$f" "$C/build/${f#"$TOP"/build/}"
done
for p in ${CAIRN_BUSYBOX_TESTS:-t_backup}; do
	t0=$(date +%s)
	(cd "$C" && $TIMEOUT 800 env -i PATH="$BB" LC_ALL=C TEST_SHELL="busybox sh" \
		busybox sh test/run.sh "$p") >"$W/run-$p.log" 2>&1 </dev/null
	rc=$?
	note "busybox sh test/run.sh $p: $(elapsed_since "$t0") s, exit status $rc"
	sed 's/^/#      /' "$W/run-$p.log" | grep -v '^#       *|' | head -n 40
	last=$(tail -n 1 "$W/run-$p.log")
	case $last in
	*' passed, 0 failed')
		if [ "$rc" = 0 ]; then
			ok "TEST_SHELL=\"busybox sh\" busybox sh test/run.sh $p, BusyBox applets only: $last"
			continue
		fi
		;;
	esac
	fail "TEST_SHELL=\"busybox sh\" busybox sh test/run.sh $p, BusyBox applets only" \
		"exit status $rc; its output:"
	sed 's/^/       | /' "$W/run-$p.log" | head -n 200
done

note "t_busybox: $(elapsed_since "$T_START") s in all"
finish
