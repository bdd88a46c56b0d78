#!/bin/sh
# run.sh — every cairn test: the C unit runner, then each end-to-end script
# in test/e2e/ against the ASan/UBSan build, then t_backup.sh once more with
# the static binaries. `make test` builds both and calls this.
#
#   sh test/run.sh [PATTERN]
#
# PATTERN (a shell glob fragment) runs only the tests whose name contains
# it: "unit", "t_backup", "t_names", ..., "t_backup.static".
# Work directory: build/test/ (fresh each run); each script gets its own
# build/test/<name>/ with its log in build/test/<name>.log.
# Prints one line per test and ends with "N passed, N failed" (and ", N
# skipped": tests that could not run here and said why: no browser, no
# object-store cluster); exit 0 only if nothing failed and a check ran or
# a test skipped.
# TEST_SHELL (default sh) runs the scripts, e.g. TEST_SHELL="busybox sh".
LC_ALL=C
export LC_ALL

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
pat=${1:-}
sh_=${TEST_SHELL:-sh}
T=$top/build/test

# One run at a time owns build/test: wait for another run to end (a stale
# lock, whose process is gone, is taken over).
lock=$top/build/.test.lock
mkdir -p "$top/build"
waited=0
until mkdir "$lock" 2>/dev/null; do
	other=$(cat "$lock/pid" 2>/dev/null)
	if [ -n "$other" ] && ! kill -0 "$other" 2>/dev/null; then
		rm -rf "$lock"
		continue
	fi
	[ $waited = 0 ] && printf 'waiting for another test run (pid %s) to finish with build/test\n' "$other" >&2
	waited=$((waited + 1))
	if [ $waited -gt 1800 ]; then
		printf 'gave up waiting for %s\n' "$lock" >&2
		exit 2
	fi
	sleep 1
done
echo $$ >"$lock/pid"
trap 'rm -rf "$lock"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

rm -rf "$T"
mkdir -p "$T" || exit 2

passed=0
failed=0
skipped=0
ran=0

# wanted NAME: whether NAME matches the pattern.
wanted() {
	[ -z "$pat" ] && return 0
	case $1 in
	*$pat*) return 0 ;;
	esac
	return 1
}

now() {
	date +%s
}

# report NAME PASSED FAILED SECONDS [NOTE]
report() {
	printf '%-18s %4d passed, %3d failed  %4ss%s\n' "$1" "$2" "$3" "$4" "${5:+  $5}"
}

# show_log FILE: a failed test's log, indented (the first 200 lines).
show_log() {
	sed 's/^/    /' "$1" | head -n 200
	[ "$(wc -l <"$1")" -gt 200 ] && printf '    ... (the rest in %s)\n' "$1"
}

# ---- unit tests ------------------------------------------------------------
if wanted unit; then
	t0=$(now)
	log=$T/unit.log
	if [ -x build/asan/unit ]; then
		build/asan/unit >"$T/unit.out" 2>"$log"
		rc=$?
		cat "$T/unit.out" >>"$log"
		last=$(tail -n 1 "$T/unit.out")
		p=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p')
		f=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p')
		why=
		if [ -z "$p" ]; then
			p=0
			f=1
			why="no 'N passed, N failed' line (exit status $rc)"
		elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			f=1
			why="exit status $rc"
		fi
	else
		p=0
		f=1
		why="build/asan/unit is missing: make asan"
		: >"$log"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	ran=$((ran + 1))
	report unit "$p" "$f" $(($(now) - t0)) "$why"
	[ "$f" != 0 ] && show_log "$log"
fi

# ---- the object-store tests' cluster ------------------------------------------
# One Ceph (tools/ceph-up.sh) in $T/ceph for every t_s3_* test of the run,
# stopped at the end (test/e2e/s3lib.sh reads its env file). When it cannot
# be installed or does not come up within CAIRN_S3_BUDGET, $T/ceph.skip says
# why and those tests are skipped (CAIRN_S3_INSTALL=0: never install).
s3_started=
s3_want=
for s in test/e2e/t_s3_*.sh; do
	[ -f "$s" ] && wanted "$(basename "$s" .sh)" && s3_want=1
done
if [ -n "$s3_want" ]; then
	if ! command -v radosgw >/dev/null 2>&1 && [ "${CAIRN_S3_INSTALL:-1}" = 1 ]; then
		sh tools/deps.sh s3 >"$T/ceph-deps.log" 2>&1
	fi
	if ! command -v radosgw >/dev/null 2>&1; then
		echo "Ceph is not installed (tools/deps.sh s3; see $T/ceph-deps.log)" >"$T/ceph.skip"
	elif sh tools/ceph-up.sh --tls "$T/ceph" >/dev/null 2>"$T/ceph-up.log"; then
		s3_started=1
	else
		grep -v '^ceph-up: logs in' "$T/ceph-up.log" | tail -n 1 >"$T/ceph.skip"
	fi
fi
trap 'rm -rf "$lock"; [ -z "$s3_started" ] || sh tools/ceph-down.sh "$T/ceph"' EXIT

# ---- end-to-end tests --------------------------------------------------------

# run_e2e NAME SCRIPT CAIRN CAIRND
run_e2e() {
	name=$1 script=$2
	res=$T/$name.results
	log=$T/$name.log
	: >"$res"
	t0=$(now)
	if command -v timeout >/dev/null 2>&1; then
		to="timeout 900"
	else
		to=
	fi
	TEST_NAME=$name TEST_ROOT=$T RESULTS=$res CAIRN=$3 CAIRND=$4 \
		$to $sh_ "$script" >"$log" 2>&1 </dev/null
	rc=$?
	p=$(grep -c '^pass ' "$res")
	f=$(grep -c '^fail ' "$res")
	why=
	if [ "$p" = 0 ] && [ "$f" = 0 ] && [ "$rc" = 0 ] && grep -q '^skip ' "$res"; then
		skipped=$((skipped + 1))
		ran=$((ran + 1))
		report "$name" 0 0 $(($(now) - t0)) \
			"skipped: $(sed -n 's/^skip [^ ]* //p' "$res" | head -n 1)"
		return
	fi
	if [ "$rc" = 124 ] && [ -n "$to" ]; then
		f=$((f + 1))
		why="timed out after 900 s"
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		why="exited with status $rc without a failed check"
	elif [ "$p" = 0 ] && [ "$f" = 0 ]; then
		f=1
		why="recorded no checks"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	ran=$((ran + 1))
	report "$name" "$p" "$f" $(($(now) - t0)) "$why"
	[ "$f" != 0 ] && show_log "$log"
}

for s in test/e2e/t_*.sh; do
	[ -f "$s" ] || continue
	n=$(basename "$s" .sh)
	wanted "$n" || continue
	run_e2e "$n" "$s" build/asan/cairn build/asan/cairnd
done

if [ -f test/e2e/t_backup.sh ] && wanted t_backup.static; then
	run_e2e t_backup.static test/e2e/t_backup.sh build/cairn build/cairnd
fi

# ---- fuzzing, briefly: every parser's target for a few seconds --------------
if wanted fuzz && command -v clang >/dev/null 2>&1; then
	t0=$(now)
	log=$T/fuzz.log
	if make -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-5}" >"$log" 2>&1; then
		p=$(grep -c ' ok$' "$log")
		report fuzz "$p" 0 $(($(now) - t0)) "$(grep -c ' ok$' "$log") targets, ${FUZZ_SECONDS:-5} s each"
		passed=$((passed + p))
	else
		report fuzz 0 1 $(($(now) - t0))
		show_log "$log"
		failed=$((failed + 1))
	fi
	ran=1
fi

if [ "$ran" = 0 ]; then
	printf 'no test matches "%s"\n' "$pat" >&2
fi
if [ "$skipped" -gt 0 ]; then
	printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
else
	printf '%d passed, %d failed\n' "$passed" "$failed"
fi
[ "$failed" = 0 ] && [ $((passed + skipped)) -gt 0 ]
