#!/bin/sh
# mutate.sh — do the tests catch what they claim? Each deliberate bug of
# tools/mutations.txt (or FILE) is put, alone, into a scratch copy of the
# tree, the ASan build is remade, and the test suites named for it are run:
# "caught" when one of them fails, "SURVIVED" when all pass. Not part of
# make test (a few minutes); exit 0 only when every bug was caught.
#
#   sh tools/mutate.sh [FILE] [NAME-PATTERN]
#
# The scratch copy is build/mutate/ (made anew; BearSSL's sources and the
# include directory are copied from build/, so run make asan once first).
set -u
LC_ALL=C
export LC_ALL
top=$(cd "$(dirname "$0")/.." && pwd)
list=${1:-$top/tools/mutations.txt}
only=${2:-}
S=$top/build/mutate
case $list in /*) ;; *) list=$PWD/$list ;; esac

[ -d "$top/build/bearssl-src" ] && [ -d "$top/build/include" ] || {
	echo "mutate.sh: run make asan first (build/bearssl-src, build/include)" >&2
	exit 2
}
rm -rf "$S"
mkdir -p "$S/build"
(cd "$top" && git ls-files -z | xargs -0 tar cf - | (cd "$S" && tar xf -)) || exit 2
cp -a "$top/build/bearssl-src" "$top/build/include" "$S/build/" || exit 2
echo "building the scratch copy in $S ..."
(cd "$S" && make -j2 asan >"$S/build.log" 2>&1) || {
	echo "mutate.sh: the unchanged copy does not build (see $S/build.log)" >&2
	exit 2
}

caught=0
survived=0
skipped=0

# replace FILE FROM TO: the first line of FILE equal to FROM becomes TO.
# 0, or 1 when no line is FROM.
replace() {
	awk -v from="$2" -v to="$3" '
		!done && $0 == from { print to; done = 1; next }
		{ print }
		END { exit done ? 0 : 1 }' "$1" >"$1.mut" && mv "$1.mut" "$1"
}

# one: the mutation in name, file, from, to, tests.
one() {
	[ -n "$only" ] && case $name in *$only*) ;; *) return ;; esac
	cp "$S/$file" "$S/$file.orig"
	if ! replace "$S/$file" "$from" "$to"; then
		mv "$S/$file.orig" "$S/$file"
		printf 'NOT APPLIED  %s (no such line in %s)\n' "$name" "$file"
		skipped=$((skipped + 1))
		return
	fi
	_verdict=SURVIVED
	if ! (cd "$S" && make -j2 asan >"$S/mut.log" 2>&1); then
		_verdict="NOT BUILT"
	else
		for _t in $tests; do
			if ! (cd "$S" && sh test/run.sh "$_t" >"$S/run.log" 2>&1); then
				_verdict="caught by $_t"
				break
			fi
		done
	fi
	mv "$S/$file.orig" "$S/$file"
	touch "$S/$file"
	case $_verdict in
	caught*) caught=$((caught + 1)) ;;
	SURVIVED) survived=$((survived + 1)) ;;
	*) skipped=$((skipped + 1)) ;;
	esac
	case $_verdict in
	caught*) printf 'caught     %s (%s)\n' "$name" "$_verdict" ;;
	*) printf '%-10s %s\n' "$_verdict" "$name" ;;
	esac
}

name= file= from= to= tests=
while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	'#'*) continue ;;
	'') [ -n "$name" ] && one; name= file= from= to= tests= ; continue ;;
	'name: '*) name=${line#name: } ;;
	'file: '*) file=${line#file: } ;;
	'from: '*) from=${line#from: } ;;
	'to: '*) to=${line#to: } ;;
	'tests: '*) tests=${line#tests: } ;;
	esac
done <"$list"
[ -n "$name" ] && one
printf '%d caught, %d survived, %d not applied or not built\n' "$caught" \
	"$survived" "$skipped"
[ "$survived" = 0 ] && [ "$skipped" = 0 ]
