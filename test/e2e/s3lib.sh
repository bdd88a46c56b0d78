# s3lib.sh — the object-store tests' cluster, sourced after lib.sh by each
# test/e2e/t_s3_*.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$TOP/test/e2e/s3lib.sh"
#   s3_cluster
#
# s3_cluster sets CAIRN_S3_ENDPOINT, CAIRN_S3_ACCESS_KEY,
# CAIRN_S3_SECRET_KEY, CAIRN_S3_TLS_ENDPOINT and CAIRN_S3_CA (exported),
# taken from, in order: the run's shared cluster, which test/run.sh starts
# once in $TEST_ROOT/ceph for every t_s3_* test (its env file); one of the
# test's own in $W/ceph (a script run alone), stopped when it exits. When
# none comes up within CAIRN_S3_BUDGET (tools/ceph-up.sh), or run.sh said
# why it could not start one ($TEST_ROOT/ceph.skip), the test is skipped in
# words: a "skip" line in the results, which run.sh counts as skipped.
# S3PROBE is the client's driver, test/tools/s3probe.c.

S3PROBE=$TOP/build/asan/s3probe
S3_OWN=

# s3_skip WHY: record the test as skipped and end it (lib.sh's skip_test,
# after stopping a cluster of the test's own).
s3_skip() {
	s3_own_down
	skip_test "$1"
}

s3_own_down() {
	if [ -n "$S3_OWN" ]; then
		sh "$TOP/tools/ceph-down.sh" "$S3_OWN"
		S3_OWN=
	fi
}
trap '_on_exit; s3_own_down' EXIT

s3_cluster() {
	[ -x "$S3PROBE" ] || { fail "$S3PROBE exists (make asan)"; finish; }
	if [ -f "$TEST_ROOT/ceph.skip" ]; then
		s3_skip "no Ceph cluster: $(cat "$TEST_ROOT/ceph.skip")"
	fi
	if [ -s "$TEST_ROOT/ceph/env" ]; then
		_env=$TEST_ROOT/ceph/env
	else
		if ! command -v radosgw >/dev/null 2>&1; then
			s3_skip "no Ceph here (tools/deps.sh s3 installs it)"
		fi
		S3_OWN=$W/ceph
		if ! sh "$TOP/tools/ceph-up.sh" --tls "$S3_OWN" >/dev/null 2>"$W/ceph-up.err"; then
			S3_OWN=
			s3_skip "the cluster did not come up: $(tail -n 2 "$W/ceph-up.err" | head -n 1)"
		fi
		_env=$S3_OWN/env
	fi
	while IFS= read -r _l; do
		case $_l in
		CAIRN_S3_*=*) export "${_l%%=*}=${_l#*=}" ;;
		esac
	done <"$_env"
	note "S3 endpoint $CAIRN_S3_ENDPOINT, TLS $CAIRN_S3_TLS_ENDPOINT"
}

# s3 ARGS...: run s3probe; its stdout in $S3_OUT, stderr in $S3_ERR, exit
# status in $RC.
S3_N=0
s3() {
	S3_N=$((S3_N + 1))
	S3_OUT=$W/s3.$S3_N.out
	S3_ERR=$W/s3.$S3_N.err
	"$S3PROBE" "$@" >"$S3_OUT" 2>"$S3_ERR"
	RC=$?
	if grep -Eq "$SANITIZER_RE" "$S3_ERR"; then
		fail "s3probe: no sanitizer reports ($*)" "$(head -n 30 "$S3_ERR")"
	fi
}

# s3_check WANT_RC WHAT: the last s3's exit status.
s3_check() {
	if [ "$RC" = "$1" ]; then
		ok "$2"
	else
		fail "$2" "exit status $RC, wanted $1" "stdout: $(head -c 600 "$S3_OUT")" \
			"stderr: $(head -c 600 "$S3_ERR")"
	fi
}

# start_b: a second cairnd, B, on the same bucket ($S3ARGS) beside the one
# start_server runs (A), its port in PB (another one when the cluster's
# connections hold the first); with SLOW set, its spool writes slowed by
# SLOW ms (the diskfault shim), so that a run on it is caught in the
# middle. stop_b stops it and looks for sanitizer reports.
start_b() {
	_try=0
	while [ $_try -lt 10 ]; do
		_try=$((_try + 1))
		PB=$(random_port)
		(
			[ -n "$SLOW" ] && {
				LD_PRELOAD=$TOP/build/asan/diskfault.so
				CAIRN_SLOW_PATH=.cairnd-
				CAIRN_SLOW_MS=$SLOW
				ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
				export LD_PRELOAD CAIRN_SLOW_PATH CAIRN_SLOW_MS ASAN_OPTIONS
			}
			exec "$CAIRND" --host 127.0.0.1 --port "$PB" --dir "$D" \
				--cert "$CERTS/server_cert.pem" --key "$CERTS/server_key.pem" \
				--ca "$CERTS/ca_cert.pem" $S3ARGS >"$W/b.out" 2>>"$W/b.log" </dev/null
		) &
		B_PID=$!
		_n=0
		while [ $_n -lt 100 ] && ! grep -q "listening on 127.0.0.1:$PB" "$W/b.log" 2>/dev/null &&
			! grep -q "listen on 127.0.0.1:$PB: Address already in use" "$W/b.log"; do
			sleep 0.1
			_n=$((_n + 1))
		done
		# a port the cluster's connections hold: another one
		grep -q "listen on 127.0.0.1:$PB: Address already in use" "$W/b.log" || break
		wait "$B_PID" 2>/dev/null
	done
	grep -q "listening on 127.0.0.1:$PB" "$W/b.log"
	check $? "a second cairnd on the same bucket listens on $PB"
}
stop_b() {
	kill "$B_PID" 2>/dev/null
	wait "$B_PID" 2>/dev/null
	if grep -Eq "$SANITIZER_RE" "$W/b.log"; then
		fail "the second cairnd: no sanitizer reports" "$(head -n 40 "$W/b.log")"
	fi
}
