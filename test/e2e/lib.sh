# lib.sh — shared helpers for cairn's end-to-end tests. Sourced by each
# test/e2e/t_*.sh (POSIX sh; runs under BusyBox ash):
#
#   . "$(dirname "$0")/lib.sh"
#
# Environment (set by test/run.sh, defaults for a standalone run):
#   CAIRN, CAIRND   binaries (default build/asan/cairn, build/asan/cairnd)
#   TEST_ROOT       work root (default build/test); certificates are made
#                   once per run in $TEST_ROOT/certs
#   TEST_NAME       this run's name (default: the script's name)
#   RESULTS         file getting one line per check: "pass NAME what" or
#                   "fail NAME what" (default $W/results)
#
# Gives: $TOP (repository), $W (this script's fresh work directory, also the
# current directory), $CERTS, $STATE, $D (the server's --dir), $PORT after
# start_server; ok, fail, check_eq, check_rc, run_cairn, json_field,
# tree_equal and friends, documented above each.

LC_ALL=C
export LC_ALL

TOP=$(cd "$(dirname "$0")/../.." && pwd)
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
TEST_ROOT=${TEST_ROOT:-$TOP/build/test}
CAIRN=${CAIRN:-build/asan/cairn}
CAIRND=${CAIRND:-build/asan/cairnd}
# Relative paths are relative to where the test was started.
case $TEST_ROOT in /*) ;; *) TEST_ROOT=$PWD/$TEST_ROOT ;; esac
case $CAIRN in /*) ;; *) CAIRN=$PWD/$CAIRN ;; esac
case $CAIRND in /*) ;; *) CAIRND=$PWD/$CAIRND ;; esac

W=$TEST_ROOT/$TEST_NAME
rm -rf "$W"
mkdir -p "$W" || { echo "$TEST_NAME: cannot create $W" >&2; exit 1; }
cd "$W" || exit 1
RESULTS=${RESULTS:-$W/results}
case $RESULTS in /*) ;; *) RESULTS=$TOP/$RESULTS ;; esac
: >>"$RESULTS"
CERTS=$TEST_ROOT/certs
STATE=$W/state.json
D=$W/store
PORT=
SERVER_PID=
SERVER_SH=
SERVER_LOG=$W/cairnd.log	# cairnd.2.log etc. for later starts
SERVER_N=0
SERVER_CERT=	# default $CERTS/server_cert.pem
SERVER_KEY=	# default $CERTS/server_key.pem
RUN_N=0
RC=
RUN_OUT=
RUN_ERR=
LAST_CMD=
T_PASSED=0
T_FAILED=0
T_FINISHED=0

if command -v timeout >/dev/null 2>&1; then
	TIMEOUT="timeout"
else
	TIMEOUT=
fi

# Sanitizers: report and stop at the first error, with a stack.
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:halt_on_error=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS
SANITIZER_RE='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|WARNING: AddressSanitizer'

# ---- recording checks ------------------------------------------------------

# one_line TEXT: TEXT with newlines and tabs made spaces.
one_line() {
	printf '%s' "$1" | tr '\n\t' '  '
}

# ok WHAT: record a passed check.
ok() {
	T_PASSED=$((T_PASSED + 1))
	printf 'pass %s %s\n' "$TEST_NAME" "$(one_line "$1")" >>"$RESULTS"
	printf 'ok   %s\n' "$(one_line "$1")"
}

# fail WHAT [DETAIL...]: record a failed check; print it and each detail.
fail() {
	T_FAILED=$((T_FAILED + 1))
	printf 'fail %s %s\n' "$TEST_NAME" "$(one_line "$1")" >>"$RESULTS"
	printf 'FAIL %s\n' "$(one_line "$1")"
	shift
	for _d in "$@"; do
		printf '     %s\n' "$_d"
	done
}

# note TEXT: a line in the log that is not a check.
note() {
	printf '#    %s\n' "$*"
}

# check GOOD WHAT: ok if GOOD is 0 (an exit status), fail otherwise.
check() {
	if [ "$1" = 0 ]; then ok "$2"; else fail "$2"; fi
}

# check_eq GOT WANT WHAT
check_eq() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		fail "$3" "got:  $1" "want: $2"
	fi
}

# check_ne GOT UNWANTED WHAT
check_ne() {
	if [ "$1" != "$2" ]; then
		ok "$3"
	else
		fail "$3" "got the value it must differ from: $1"
	fi
}

# check_ge GOT MIN WHAT: integers, GOT >= MIN.
check_ge() {
	case $1 in
	'' | *[!0-9]*)
		fail "$3" "got:  '$1' (not a number)" "want: >= $2"
		return
		;;
	esac
	if [ "$1" -ge "$2" ]; then
		ok "$3"
	else
		fail "$3" "got:  $1" "want: >= $2"
	fi
}

# show_run: the last run_cairn's command, exit status, stdout and stderr.
show_run() {
	printf '     command: %s\n' "$LAST_CMD"
	printf '     exit status: %s\n' "$RC"
	if [ -s "$RUN_OUT" ]; then
		printf '     stdout:\n'
		head -c 2000 "$RUN_OUT" | sed 's/^/       | /'
		echo
	fi
	if [ -s "$RUN_ERR" ]; then
		printf '     stderr (last 40 lines):\n'
		tail -n 40 "$RUN_ERR" | sed 's/^/       | /'
	fi
}

# check_rc WANT WHAT: the last run_cairn exited with WANT ("0 1" = either).
check_rc() {
	for _w in $1; do
		if [ "$RC" = "$_w" ]; then
			ok "$2"
			return 0
		fi
	done
	fail "$2" "exit status $RC, want $1"
	show_run
	return 1
}

# check_err REGEX WHAT: the last run's stderr matches the extended REGEX
# (case-insensitive).
check_err() {
	if grep -Eiq -e "$1" "$RUN_ERR"; then
		ok "$2"
	else
		fail "$2" "stderr does not match /$1/"
		show_run
	fi
}

# check_err_has STRING WHAT: the last run's stderr contains STRING.
check_err_has() {
	if grep -Fq -e "$1" "$RUN_ERR"; then
		ok "$2"
	else
		fail "$2" "stderr does not contain: $1"
		show_run
	fi
}

# ---- certificates ---------------------------------------------------------

# ensure_certs: throwaway certificates in $CERTS, made once per run: CA,
# server (localhost), client alice (client_*), client bob (bob_*).
ensure_certs() {
	[ -f "$CERTS/.ok" ] && return 0
	mkdir -p "$TEST_ROOT"
	_n=0
	until mkdir "$CERTS.lock" 2>/dev/null; do
		_n=$((_n + 1))
		if [ $_n -gt 600 ]; then
			fail "certificates: stale lock $CERTS.lock"
			return 1
		fi
		sleep 0.1
	done
	if [ ! -f "$CERTS/.ok" ]; then
		if CERTS_DIR=$CERTS FORCE=1 sh "$TOP/tools/gen-certs.sh" "" localhost >"$W/certs.log" 2>&1 &&
			CERTS_DIR=$CERTS OUT=client sh "$TOP/tools/gen-client-cert.sh" alice >>"$W/certs.log" 2>&1 &&
			CERTS_DIR=$CERTS OUT=bob sh "$TOP/tools/gen-client-cert.sh" bob >>"$W/certs.log" 2>&1; then
			: >"$CERTS/.ok"
		else
			rmdir "$CERTS.lock"
			fail "certificates: tools/gen-certs.sh or gen-client-cert.sh failed" "$(cat "$W/certs.log")"
			return 1
		fi
	fi
	rmdir "$CERTS.lock"
}

# ---- server ---------------------------------------------------------------

# random_port: a port in 20000..60000.
random_port() {
	_r=$(od -An -N2 -tu2 /dev/urandom 2>/dev/null | tr -dc 0-9)
	[ -n "$_r" ] || _r=$((($$ * 7919 + $(date +%s)) % 65536))
	echo $((20000 + _r % 40001))
}

# need_binaries: fail and stop the script when a binary is missing.
need_binaries() {
	for _b in "$CAIRN" "$CAIRND"; do
		if [ ! -x "$_b" ]; then
			fail "binary $_b exists" "build it first: make asan (or make)"
			finish
		fi
	done
}

# start_server [EXTRA_ARGS...]: start cairnd on a free random port with
# --dir $D and the test certificates (or $SERVER_CERT, $SERVER_KEY); wait
# for "listening" on its stderr.
# Retries another port when the address is in use. 0 or 1 (check failed).
start_server() {
	mkdir -p "$D"
	SERVER_N=$((SERVER_N + 1))
	[ $SERVER_N -gt 1 ] && SERVER_LOG=$W/cairnd.$SERVER_N.log
	_scert=${SERVER_CERT:-$CERTS/server_cert.pem}
	_skey=${SERVER_KEY:-$CERTS/server_key.pem}
	_try=0
	while :; do
		_try=$((_try + 1))
		PORT=$(random_port)
		rm -f "$W/cairnd.pid" "$W/cairnd.rc"
		# The subshell reaps cairnd and keeps its exit status, so a
		# dead server never lingers as a zombie that kill -0 finds.
		(
			"$CAIRND" --host 127.0.0.1 --port "$PORT" --dir "$D" \
				--cert "$_scert" --key "$_skey" \
				--ca "$CERTS/ca_cert.pem" "$@" \
				>"$W/cairnd.out" 2>"$SERVER_LOG" </dev/null &
			echo $! >"$W/cairnd.pid"
			wait $!
			echo $? >"$W/cairnd.rc"
		) &
		SERVER_SH=$!
		_n=0
		while [ ! -s "$W/cairnd.pid" ] && [ $_n -lt 50 ]; do
			sleep 0.1
			_n=$((_n + 1))
		done
		SERVER_PID=$(cat "$W/cairnd.pid" 2>/dev/null)
		_n=0
		while [ $_n -lt 100 ]; do
			if grep -q listening "$SERVER_LOG" 2>/dev/null; then
				ok "cairnd listening on 127.0.0.1:$PORT"
				return 0
			fi
			[ -f "$W/cairnd.rc" ] && break
			sleep 0.1
			_n=$((_n + 1))
		done
		if [ -f "$W/cairnd.rc" ]; then
			wait "$SERVER_SH" 2>/dev/null
			_rc=$(cat "$W/cairnd.rc")
			SERVER_PID=
			SERVER_SH=
			if grep -Eiq 'in use|EADDRINUSE' "$SERVER_LOG" && [ $_try -lt 10 ]; then
				note "port $PORT in use, trying another"
				continue
			fi
			fail "cairnd starts (exited with status $_rc before listening)" \
				"command: $CAIRND --host 127.0.0.1 --port $PORT --dir $D --cert $_scert --key $_skey --ca $CERTS/ca_cert.pem $*"
			sed 's/^/       | /' "$SERVER_LOG"
			return 1
		fi
		fail "cairnd prints 'listening' on stderr within 10 s" "its stderr:"
		sed 's/^/       | /' "$SERVER_LOG"
		if grep -q listening "$W/cairnd.out" 2>/dev/null; then
			printf '     (it printed "listening" on stdout instead)\n'
		fi
		stop_server
		return 1
	done
}

# stop_server: SIGTERM cairnd, SIGKILL after 5 s; records whether it
# stopped in time and whether the sanitizers reported anything.
stop_server() {
	[ -n "$SERVER_SH" ] || return 0
	_pid=$SERVER_PID
	_sh=$SERVER_SH
	SERVER_PID=
	SERVER_SH=
	[ -n "$_pid" ] && kill "$_pid" 2>/dev/null
	_n=0
	while [ ! -f "$W/cairnd.rc" ] && [ $_n -lt 50 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	if [ ! -f "$W/cairnd.rc" ]; then
		fail "cairnd stops on SIGTERM within 5 s"
		[ -n "$_pid" ] && kill -9 "$_pid" 2>/dev/null
	fi
	wait "$_sh" 2>/dev/null
	if grep -Eq "$SANITIZER_RE" "$SERVER_LOG" 2>/dev/null; then
		fail "cairnd: no sanitizer reports" "its stderr:"
		sed 's/^/       | /' "$SERVER_LOG" | head -n 80
	else
		ok "cairnd: no sanitizer reports"
	fi
}

# ---- client ---------------------------------------------------------------

# run_client CERT KEY CA ARGS...: run $CAIRN against the test server with
# the given certificate files; sets RC, RUN_OUT, RUN_ERR (files), LAST_CMD.
# A sanitizer report on stderr is recorded as a failure.
run_client() {
	_cert=$1 _key=$2 _ca=$3
	shift 3
	RUN_N=$((RUN_N + 1))
	RUN_OUT=$W/run$RUN_N.out
	RUN_ERR=$W/run$RUN_N.err
	set -- "$CAIRN" --server 127.0.0.1 --server-name localhost --port "$PORT" \
		--cert "$_cert" --key "$_key" --ca "$_ca" --state "$STATE" "$@"
	LAST_CMD=$*
	if [ -n "$TIMEOUT" ]; then
		$TIMEOUT 120 "$@" >"$RUN_OUT" 2>"$RUN_ERR" </dev/null
	else
		"$@" >"$RUN_OUT" 2>"$RUN_ERR" </dev/null
	fi
	RC=$?
	[ "$RC" = 124 ] && [ -n "$TIMEOUT" ] && printf 'timed out after 120 s\n' >>"$RUN_ERR"
	if grep -Eq "$SANITIZER_RE" "$RUN_ERR"; then
		fail "cairn: no sanitizer reports (run $RUN_N)"
		show_run
	fi
	return 0
}

# run_cairn ARGS...: run_client as alice.
run_cairn() {
	run_client "$CERTS/client_cert.pem" "$CERTS/client_key.pem" "$CERTS/ca_cert.pem" "$@"
}

# run_raw PROGRAM ARGS...: run any command (no default flags), same
# bookkeeping as run_client.
run_raw() {
	RUN_N=$((RUN_N + 1))
	RUN_OUT=$W/run$RUN_N.out
	RUN_ERR=$W/run$RUN_N.err
	LAST_CMD=$*
	if [ -n "$TIMEOUT" ]; then
		$TIMEOUT 60 "$@" >"$RUN_OUT" 2>"$RUN_ERR" </dev/null
	else
		"$@" >"$RUN_OUT" 2>"$RUN_ERR" </dev/null
	fi
	RC=$?
	if grep -Eq "$SANITIZER_RE" "$RUN_ERR"; then
		fail "no sanitizer reports (run $RUN_N: $1)"
		show_run
	fi
	return 0
}

# ---- JSON -----------------------------------------------------------------

# json_field FILE KEY: the value of top-level KEY in the first line of FILE
# (a one-line JSON object): a string without its quotes (\" and \\
# decoded), a number or literal as written, an array or object raw.
# Prints nothing when KEY is absent.
json_field() {
	awk -v key="$2" '
	function skipws() {
		while (i <= n && substr(s, i, 1) ~ /[ \t\r]/)
			i++
	}
	# reads the string starting at s[i] == "\"", leaves i after it
	function readstr(   out, c) {
		out = ""
		i++
		while (i <= n) {
			c = substr(s, i, 1)
			if (c == "\\") {
				c = substr(s, i + 1, 1)
				if (c == "n") c = "\n"
				else if (c == "t") c = "\t"
				else if (c != "\"" && c != "\\" && c != "/") c = "\\" c
				out = out c
				i += 2
				continue
			}
			if (c == "\"") {
				i++
				return out
			}
			out = out c
			i++
		}
		return out
	}
	# raw text of the value starting at s[i]
	function rawvalue(   start, d, c) {
		start = i
		c = substr(s, i, 1)
		if (c == "{" || c == "[") {
			d = 0
			while (i <= n) {
				c = substr(s, i, 1)
				if (c == "\"") {
					readstr()
					continue
				}
				if (c == "{" || c == "[") d++
				if (c == "}" || c == "]") d--
				i++
				if (d == 0) break
			}
			return substr(s, start, i - start)
		}
		while (i <= n && substr(s, i, 1) !~ /[,} \t\r]/)
			i++
		return substr(s, start, i - start)
	}
	NR == 1 {
		s = $0
		n = length(s)
		i = 1
		skipws()
		if (substr(s, i, 1) != "{") exit 1
		i++
		for (;;) {
			skipws()
			if (substr(s, i, 1) != "\"") exit 1
			k = readstr()
			skipws()
			if (substr(s, i, 1) != ":") exit 1
			i++
			skipws()
			if (substr(s, i, 1) == "\"") {
				v = readstr()
			} else {
				v = rawvalue()
			}
			if (k == key) {
				printf "%s", v
				exit 0
			}
			skipws()
			if (substr(s, i, 1) != ",") exit 1
			i++
		}
	}' "$1"
}

# check_json WHAT: the last run printed exactly one line, a JSON object.
check_json() {
	_lines=$(wc -l <"$RUN_OUT" | tr -d ' ')
	_first=$(head -c 1 "$RUN_OUT")
	_last=$(tail -c 2 "$RUN_OUT" | head -c 1)
	if [ "$_lines" = 1 ] && [ "$_first" = "{" ] && [ "$_last" = "}" ]; then
		ok "$1"
	else
		fail "$1" "stdout has $_lines lines, want one line {...}"
		show_run
	fi
}

# ---- trees ----------------------------------------------------------------

# The per-entry comparison run by tree_equal through find -exec. Arguments:
# MODE (all|files) OTHER_ROOT LABEL PATHS...; prints one line per difference.
_TREE_CMP='
mode=$1 other=$2 label=$3
shift 3
for p do
	q=$other/$p
	if [ ! -e "$q" ] && [ ! -L "$q" ]; then
		if [ -d "$p" ] && [ ! -L "$p" ] && [ "$mode" = files ]; then
			continue
		fi
		printf "only in %s: %s\n" "$label" "$p"
	elif [ -L "$p" ]; then
		if [ ! -L "$q" ]; then
			printf "a symlink only in %s: %s\n" "$label" "$p"
			continue
		fi
		t1=$(readlink "$p"; echo x)
		t2=$(readlink "$q"; echo x)
		[ "$t1" = "$t2" ] ||
			printf "symlink targets differ: %s (%s vs %s)\n" "$p" "${t1%??}" "${t2%??}"
	elif [ -L "$q" ]; then
		printf "a symlink only in the other tree than %s: %s\n" "$label" "$p"
	elif [ -d "$p" ]; then
		[ -d "$q" ] || printf "a directory only in %s: %s\n" "$label" "$p"
	elif [ -f "$p" ]; then
		if [ ! -f "$q" ]; then
			printf "a regular file only in %s: %s\n" "$label" "$p"
		elif ! cmp -s "$p" "$q"; then
			printf "contents differ: %s\n" "$p"
		fi
	elif [ -p "$p" ]; then
		[ -p "$q" ] || printf "a FIFO only in %s: %s\n" "$label" "$p"
	else
		printf "an entry of another type in %s: %s\n" "$label" "$p"
	fi
done'

# tree_equal [-f] A B: 0 if the trees are equal: the same names (any
# bytes, newlines included), types, symlink targets and file contents.
# With -f only files and symlinks count (directories may differ). Prints
# the differences (at most 40 lines) otherwise. Hidden bookkeeping is not
# special here: give it the snapshot directory itself.
tree_equal() {
	_mode=all
	if [ "$1" = -f ]; then
		_mode=files
		shift
	fi
	_ta=$(cd "$1" 2>/dev/null && pwd) || { echo "no directory $1"; return 1; }
	_tb=$(cd "$2" 2>/dev/null && pwd) || { echo "no directory $2"; return 1; }
	_diffs=$W/.tree_diffs
	: >"$_diffs"
	(cd "$_ta" && find . -exec sh -c "$_TREE_CMP" sh "$_mode" "$_tb" "$_ta" {} +) >>"$_diffs" 2>&1
	(cd "$_tb" && find . -exec sh -c "$_TREE_CMP" sh "$_mode" "$_ta" "$_tb" {} +) >>"$_diffs" 2>&1
	if [ -s "$_diffs" ]; then
		head -n 40 "$_diffs"
		return 1
	fi
	return 0
}

# check_tree [-f] A B WHAT: record tree_equal as a check.
check_tree() {
	_f=
	if [ "$1" = -f ]; then
		_f=-f
		shift
	fi
	if _out=$(tree_equal $_f "$1" "$2"); then
		ok "$3"
	else
		fail "$3" "trees differ: $1 vs $2"
		printf '%s\n' "$_out" | sed 's/^/       | /'
	fi
}

# count_files DIR: number of regular files under DIR.
count_files() {
	find "$1" -type f -exec sh -c 'echo $#' sh {} + | awk '{ s += $1 } END { print s + 0 }'
}

# sum_sizes DIR: total bytes of the regular files under DIR.
sum_sizes() {
	find "$1" -type f -exec cat {} + | wc -c | tr -d ' '
}

# snapshots_of DIR: names of the snapshots in a backup ID directory
# (hidden bookkeeping names skipped), one per line, sorted.
snapshots_of() {
	ls -1 "$1" 2>/dev/null | grep -v '^\.' | sort
}

# ---- list, restore, remove --------------------------------------------------

# json_items ARRAY: each top-level element of the JSON array ARRAY (raw
# text, as json_field prints an array) on its own line, as written.
json_items() {
	printf '%s\n' "$1" | awk '
	NR == 1 {
		s = $0
		n = length(s)
		i = 1
		while (i <= n && substr(s, i, 1) != "[")
			i++
		i++
		d = 0
		start = 0
		instr = 0
		for (; i <= n; i++) {
			c = substr(s, i, 1)
			if (instr) {
				if (c == "\\")
					i++
				else if (c == "\"")
					instr = 0
				continue
			}
			if (d == 0 && (c == "," || c == "]")) {
				if (start) {
					item = substr(s, start, i - start)
					sub(/[ \t\r]+$/, "", item)
					print item
				}
				start = 0
				if (c == "]")
					exit
				continue
			}
			if (c == " " || c == "\t" || c == "\r") {
				continue
			}
			if (!start)
				start = i
			if (c == "\"")
				instr = 1
			else if (c == "{" || c == "[")
				d++
			else if (c == "}" || c == "]")
				d--
		}
	}'
}

# json_value JSON KEY: json_field on a string holding a one-line object.
json_value() {
	printf '%s\n' "$1" >"$W/.json_value"
	json_field "$W/.json_value" "$2"
}

# list_ids FILE: the id of every backup in a `--list --json` output FILE,
# one per line, in the order given.
list_ids() {
	json_items "$(json_field "$1" backups)" | while IFS= read -r _it; do
		json_value "$_it" id
		echo
	done
}

# list_backup FILE ID: the backup object with id ID from a `--list --json`
# output FILE, on one line (nothing if it is not there).
list_backup() {
	json_items "$(json_field "$1" backups)" | while IFS= read -r _it; do
		if [ "$(json_value "$_it" id)" = "$2" ]; then
			printf '%s\n' "$_it"
		fi
	done
}

# list_snapshots FILE ID: "NAME FILES BYTES" for each snapshot of backup ID
# in a `--list --json` output FILE, one per line, in the order given.
list_snapshots() {
	_lb=$(list_backup "$1" "$2")
	[ -n "$_lb" ] || return 0
	json_items "$(json_value "$_lb" snapshots)" | while IFS= read -r _it; do
		printf '%s %s %s\n' "$(json_value "$_it" name)" \
			"$(json_value "$_it" files)" "$(json_value "$_it" bytes)"
	done
}

# The per-entry metadata comparison run by meta_equal through find -exec:
# OTHER_ROOT PATHS...; prints one line per difference.
_META_CMP='
other=$1
shift
for p do
	[ "$p" = . ] && continue
	q=$other/$p
	if [ -L "$p" ]; then
		continue
	elif [ ! -e "$q" ] || [ -L "$q" ]; then
		printf "missing or a symlink in %s: %s\n" "$other" "$p"
	elif [ -d "$p" ]; then
		a=$(stat -c %a "$p") b=$(stat -c %a "$q")
		[ "$a" = "$b" ] || printf "directory mode differs: %s (%s vs %s)\n" "$p" "$a" "$b"
	elif [ -f "$p" ]; then
		a=$(stat -c %a "$p") b=$(stat -c %a "$q")
		[ "$a" = "$b" ] || printf "file mode differs: %s (%s vs %s)\n" "$p" "$a" "$b"
		a=$(stat -c %Y "$p") b=$(stat -c %Y "$q")
		[ "$a" = "$b" ] || printf "mtime differs: %s (%s vs %s)\n" "$p" "$a" "$b"
	fi
done'

# meta_equal A B: 0 if every regular file under A has the same permission
# bits (stat %a) and mtime in seconds (stat %Y) as in B, and every
# directory the same permission bits (A and B themselves not compared).
# Symlinks are left to tree_equal. Prints the differences (at most 40
# lines) otherwise.
meta_equal() {
	_ma=$(cd "$1" 2>/dev/null && pwd) || { echo "no directory $1"; return 1; }
	_mb=$(cd "$2" 2>/dev/null && pwd) || { echo "no directory $2"; return 1; }
	_mdiffs=$W/.meta_diffs
	: >"$_mdiffs"
	(cd "$_ma" && find . -exec sh -c "$_META_CMP" sh "$_mb" {} +) >>"$_mdiffs" 2>&1
	if [ -s "$_mdiffs" ]; then
		head -n 40 "$_mdiffs"
		return 1
	fi
	return 0
}

# check_meta A B WHAT: record meta_equal as a check.
check_meta() {
	if _out=$(meta_equal "$1" "$2"); then
		ok "$3"
	else
		fail "$3" "metadata differs: $1 vs $2"
		printf '%s\n' "$_out" | sed 's/^/       | /'
	fi
}

# file_md5 FILE: the MD5 of FILE in hex (empty if unreadable).
file_md5() {
	md5sum <"$1" 2>/dev/null | cut -c 1-32
}

# fingerprint DIR: one line per entry under DIR (sorted): type, path, and
# for regular files MD5, mode and mtime, for symlinks the target. Never
# opens anything but regular files (a FIFO cannot hang it).
fingerprint() {
	[ -e "$1" ] || { echo "(no $1)"; return 0; }
	(cd "$1" && find . -exec sh -c '
	for p do
		if [ -L "$p" ]; then
			printf "L %s -> %s\n" "$p" "$(readlink "$p")"
		elif [ -f "$p" ]; then
			printf "F %s %s %s\n" "$p" "$(md5sum <"$p" | cut -c 1-32)" "$(stat -c %a.%Y "$p")"
		elif [ -d "$p" ]; then
			printf "D %s %s\n" "$p" "$(stat -c %a "$p")"
		else
			printf "O %s\n" "$p"
		fi
	done' sh {} + | sort)
}

# bg_cairn NAME ARGS...: start $CAIRN as alice in the background with the
# test's flags and ARGS; output in $W/NAME.out, $W/NAME.err, exit status in
# $W/NAME.rc when it ends; BG_PID is the cairn process itself (kill it
# with kill -9 "$BG_PID"), BG_SH the subshell that waits for it.
bg_cairn() {
	_bgn=$1
	shift
	rm -f "$W/$_bgn.rc" "$W/$_bgn.pid"
	(
		"$CAIRN" --server 127.0.0.1 --server-name localhost --port "$PORT" \
			--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
			--ca "$CERTS/ca_cert.pem" --state "$STATE" "$@" \
			>"$W/$_bgn.out" 2>"$W/$_bgn.err" </dev/null &
		echo $! >"$W/$_bgn.pid"
		wait $!
		echo $? >"$W/$_bgn.rc"
	) 2>/dev/null &
	BG_SH=$!
	_n=0
	while [ ! -s "$W/$_bgn.pid" ] && [ $_n -lt 50 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	BG_PID=$(cat "$W/$_bgn.pid" 2>/dev/null)
}

# bg_wait NAME: wait for the background run NAME (at most 120 s) and make
# it the last run: RC, RUN_OUT, RUN_ERR, LAST_CMD as run_cairn sets them.
bg_wait() {
	_n=0
	while [ ! -f "$W/$1.rc" ] && [ $_n -lt 1200 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	if [ ! -f "$W/$1.rc" ]; then
		kill -9 "$(cat "$W/$1.pid" 2>/dev/null)" 2>/dev/null
		sleep 0.2
		printf 'timed out after 120 s\n' >>"$W/$1.err"
	fi
	RC=$(cat "$W/$1.rc" 2>/dev/null)
	[ -n "$RC" ] || RC=124
	RUN_OUT=$W/$1.out
	RUN_ERR=$W/$1.err
	LAST_CMD="(background run $1)"
	if grep -Eq "$SANITIZER_RE" "$RUN_ERR"; then
		fail "cairn: no sanitizer reports (background run $1)"
		show_run
	fi
}

# ---- other binaries: emulators, long runs, disk space ------------------------

# sh_quote STRING: STRING single-quoted for sh (any bytes but NUL; a
# trailing newline is lost).
sh_quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# wrap_cmd FILE COMMAND ARGS...: write FILE, an executable sh script that
# execs COMMAND ARGS followed by its own arguments (same process, so a
# signal sent to it reaches COMMAND). lib.sh runs "$CAIRN" and "$CAIRND"
# as one word each: this runs them under an emulator (qemu-user) or a tool.
wrap_cmd() {
	_wf=$1
	shift
	{
		printf '#!/bin/sh\nexec'
		for _wa do
			printf ' %s' "$(sh_quote "$_wa")"
		done
		printf ' "$@"\n'
	} >"$_wf" && chmod +x "$_wf"
}

# need_exec WHAT FILE_OR_COMMAND HINT: ok if FILE_OR_COMMAND is an
# executable file or a command on PATH; else a failed check saying HINT.
# 0 or 1.
need_exec() {
	case $2 in
	*/*) [ -f "$2" ] && [ -x "$2" ] ;;
	*) command -v "$2" >/dev/null 2>&1 ;;
	esac
	if [ $? = 0 ]; then
		ok "$1: $2 is there"
		return 0
	fi
	fail "$1: $2 is missing" "$3"
	return 1
}

# free_kib DIR: KiB available on the filesystem holding DIR (empty if df
# cannot tell).
free_kib() {
	df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $4 }'
}

# run_cairn_long SECONDS ARGS...: run_cairn with a time limit of SECONDS
# instead of 120, for runs that move gigabytes (slow emulators too).
run_cairn_long() {
	_lim=$1
	shift
	RUN_N=$((RUN_N + 1))
	RUN_OUT=$W/run$RUN_N.out
	RUN_ERR=$W/run$RUN_N.err
	set -- "$CAIRN" --server 127.0.0.1 --server-name localhost --port "$PORT" \
		--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
		--ca "$CERTS/ca_cert.pem" --state "$STATE" "$@"
	LAST_CMD=$*
	if [ -n "$TIMEOUT" ]; then
		$TIMEOUT "$_lim" "$@" >"$RUN_OUT" 2>"$RUN_ERR" </dev/null
	else
		"$@" >"$RUN_OUT" 2>"$RUN_ERR" </dev/null
	fi
	RC=$?
	[ "$RC" = 124 ] && [ -n "$TIMEOUT" ] && printf 'timed out after %s s\n' "$_lim" >>"$RUN_ERR"
	return 0
}

# elapsed_since T0: seconds since T0 (a date +%s value).
elapsed_since() {
	echo $(($(date +%s) - $1))
}

# ---- end ------------------------------------------------------------------

# skip_test WHY: this script cannot run on this machine (a tool that cannot
# be installed): say so, record it as skipped (neither passed nor failed;
# test/run.sh counts it) and stop.
skip_test() {
	printf 'skip %s %s\n' "$TEST_NAME" "$(one_line "$1")" >>"$RESULTS"
	printf '%s: skipped: %s\n' "$TEST_NAME" "$1"
	T_FINISHED=1
	stop_server
	exit 0
}

# finish: stop the server, print this script's tally, exit 1 on failure.
finish() {
	T_FINISHED=1
	stop_server
	printf '%s: %d passed, %d failed\n' "$TEST_NAME" "$T_PASSED" "$T_FAILED"
	[ "$T_FAILED" = 0 ] && [ "$T_PASSED" -gt 0 ] && exit 0
	exit 1
}

_on_exit() {
	[ "$T_FINISHED" = 1 ] && return
	stop_server
}
trap _on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

ensure_certs || finish

# rsync_same FLAGS A B WHAT: rsync FLAGS --dry-run --itemize-changes A/ B/
# prints nothing (every difference would be one line), and exits 0.
rsync_same() {
	_rf=$1 _ra=$2 _rb=$3
	rsync $_rf --dry-run --itemize-changes "$_ra/" "$_rb/" >"$W/rsync.out" 2>&1
	_rrc=$?
	if [ $_rrc = 0 ] && [ ! -s "$W/rsync.out" ]; then
		ok "$4"
	else
		fail "$4" "rsync $_rf --dry-run --itemize-changes $_ra/ $_rb/" \
			"want exit status 0 and no output; got exit status $_rrc and:"
		head -n 60 "$W/rsync.out" | sed 's/^/       | /'
	fi
}

need_binaries
