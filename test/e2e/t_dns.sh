#!/bin/sh
# t_dns.sh — cairn's own stub resolver (src/common/dns.c, port/posix.c)
# against a name server that misbehaves first (test/tools/fakedns.c), in
# a mount namespace whose /etc/resolv.conf and /etc/hosts are this test's:
# the first server refuses (nothing listens there), the second is
# fakedns on 127.A.B.53 (A.B from the test's free port). With the ASan
# client and the static one:
#   good.cairn.test      resolves through an answer with another id, one to
#                        another question, a broken one and a server failure
#   short                is asked as short.cairn.test first (search), resolves
#   fromhosts.cairn.test comes from /etc/hosts: the name server never hears it
#   gone.cairn.test      no such name: exit 3, one line saying so
#   slow.cairn.test      never answered: exit 3 within --timeout, one line
# unshare -m needs root: not root is a failure unless CAIRN_SKIP_CHROOT=1.
. "$(dirname "$0")/lib.sh"

FAKEDNS=$TOP/build/asan/fakedns
need_exec "fake name server" "$FAKEDNS" "build it: make asan (make test does)" || finish
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
	if [ "${CAIRN_SKIP_CHROOT:-0}" = 1 ]; then
		note "no unshare -m (not root?) and CAIRN_SKIP_CHROOT=1: skipped"
		finish
	fi
	fail "unshare -m works (root)" "run make test as root, or CAIRN_SKIP_CHROOT=1"
	finish
fi

start_server || finish
NS=127.$((PORT / 256)).$((PORT % 256))
printf 'nameserver %s.54\nnameserver %s.53\nsearch cairn.test\n' "$NS" "$NS" \
	>"$W/resolv.conf"
printf '127.0.0.1 localhost\n127.0.0.1\tfromhosts.cairn.test # here\n' >"$W/hosts"
# in_ns.sh RESOLV_CONF HOSTS COMMAND...: COMMAND with those two files.
cat >"$W/in_ns.sh" <<'NS'
mount --bind "$1" /etc/resolv.conf && mount --bind "$2" /etc/hosts && shift 2 &&
	exec "$@"
NS
: >"$W/dns.out"
"$FAKEDNS" "$NS.53" >>"$W/dns.out" 2>"$W/dns.err" &
DNS_PID=$!
_n=0
while ! grep -q listening "$W/dns.err" 2>/dev/null && [ $_n -lt 50 ]; do
	sleep 0.1
	_n=$((_n + 1))
done
check_eq "$(cat "$W/dns.err")" listening "fakedns listening on $NS.53"

# resolve BIN HOST [ARGS]: cairn --list against HOST in the namespace.
resolve() {
	_b=$1
	_h=$2
	shift 2
	: >"$W/dns.out"
	run_raw unshare -m sh "$W/in_ns.sh" "$W/resolv.conf" "$W/hosts" \
		"$_b" --server "$_h" --server-name localhost --port "$PORT" \
		--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
		--ca "$CERTS/ca_cert.pem" --state "$W/state.json" --list "$@"
}

for bin in "$CAIRN" "$TOP/build/cairn"; do
	if [ ! -x "$bin" ]; then
		fail "$bin exists" "build it: make (make test does)"
		continue
	fi
	b=$(basename "$(dirname "$bin")")/$(basename "$bin")
	resolve "$bin" good.cairn.test --json
	check_rc 0 "$b: good.cairn.test resolves past the hostile answers"
	check_eq "$(grep -c '^A good.cairn.test$' "$W/dns.out")" 1 "$b: asked once for its A record"
	resolve "$bin" short
	check_rc 0 "$b: short resolves with the search domain"
	check_eq "$(head -n 1 "$W/dns.out" | cut -d' ' -f2)" short.cairn.test \
		"$b: short.cairn.test is asked first"
	resolve "$bin" fromhosts.cairn.test
	check_rc 0 "$b: fromhosts.cairn.test resolves from /etc/hosts"
	check_eq "$(cat "$W/dns.out")" "" "$b: the name server never heard of it"
	resolve "$bin" gone.cairn.test
	check_rc 3 "$b: gone.cairn.test: exit 3"
	check_err_has "cannot resolve gone.cairn.test: no such host" "$b: it says there is no such host"
	check_eq "$(wc -l <"$RUN_ERR" | tr -d ' ')" 1 "$b: the error is one line"
	resolve "$bin" slow.cairn.test --timeout 2
	check_rc 3 "$b: slow.cairn.test: exit 3"
	check_err_has "cannot resolve slow.cairn.test: the name service did not answer" \
		"$b: it says the name service did not answer"
done
kill "$DNS_PID" 2>/dev/null
wait "$DNS_PID" 2>/dev/null
stop_server
finish
