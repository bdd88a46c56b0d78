#!/bin/sh
# run.sh — run libFuzzer targets built by `make fuzz` (test/fuzz/fuzz.mk).
#
#   sh test/fuzz/run.sh SECONDS TARGET...
#
# Each build/fuzz/fuzz_TARGET runs for SECONDS on build/fuzz/corpus/TARGET/
# (the committed seeds of test/fuzz/corpus/TARGET/ copied in, plus what
# make-seeds.sh makes and what earlier runs found); its output goes to
# build/fuzz/TARGET.log. Prints one line per target: name, seconds,
# executions (libFuzzer's stat::number_of_executed_units) and the result;
# for a crash, leak or timeout also the file that reproduces it and the
# sanitizer's summary. Exit status 0 only if every target ran clean.
set -u
LC_ALL=C
export LC_ALL

[ $# -ge 2 ] || { echo "usage: run.sh SECONDS TARGET..." >&2; exit 2; }
secs=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
F=build/fuzz

sh test/fuzz/make-seeds.sh "$F/corpus" || exit 1

failed=0
printf '%-10s %8s %12s  %s\n' target seconds executions result
for t in "$@"; do
	bin=$F/fuzz_$t
	corpus=$F/corpus/$t
	art=$F/artifacts/$t
	log=$F/$t.log
	mkdir -p "$corpus" "$art"
	if [ -d "test/fuzz/corpus/$t" ]; then
		cp test/fuzz/corpus/"$t"/* "$corpus"/ || exit 1
	fi
	case $t in
	frame) max=70000 ;;
	entry2) max=40000 ;;	# a record with 16 KiB of xattrs in hex
	*) max=8192 ;;
	esac
	extra=
	[ "$t" = pem ] && extra=-close_fd_mask=2	# tls.c's messages
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=10 -max_len=$max \
		-print_final_stats=1 -artifact_prefix="$art/" $extra \
		"$corpus" >"$log" 2>&1
	rc=$?
	end=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		result=ok
	else
		result="FAILED (exit $rc, log $log)"
		failed=$((failed + 1))
	fi
	printf '%-10s %8s %12s  %s\n' "$t" $((end - start)) "${execs:-?}" "$result"
	if [ $rc -ne 0 ]; then
		# The reproducer, the sanitizer's verdict, and the frames of
		# the stack that are cairn's code.
		sed -n 's|.*Test unit written to \(.*\)$|    reproduce: '"$bin"' \1|p' "$log"
		grep -E '^(SUMMARY|==[0-9]+==ERROR|    #[0-9]+ .* (/[^ ]*)?(src|port|test/fuzz)/)' "$log" |
			grep -v 'in fuzzer::' | head -n 16 | sed 's/^/    /'
	fi
done
if [ $failed -ne 0 ]; then
	echo "$failed of $# fuzz targets failed"
	exit 1
fi
echo "all $# fuzz targets ran clean"
