#!/bin/sh
# t_exclude.sh — --exclude, --exclude-from, --exclude-caches against a real
# cairnd: anchored patterns, directories only, "**", a name at any depth,
# a file of patterns with comments and a bad line, cache directories with
# a valid and an invalid tag, the interplay with --extensions, "exclude"
# lines in a --config file, and a hard link whose first name is left out.
# Checked by the --json figures and by the stored tree under --dir.
. "$(dirname "$0")/lib.sh"

start_server || finish

SRC=$W/src
mkdir -p "$SRC/sub" "$SRC/build" "$SRC/dir2/logs" "$SRC/deep/x" \
	"$SRC/foo/x" "$SRC/foo/y/z" "$SRC/cache/d" "$SRC/badcache" \
	"$SRC/a/b" "$SRC/ab"
for f in a.o keep.c sub/b.o sub/keep.txt build/x.txt logs dir2/logs/l.txt \
	top.tmp deep/x/top.tmp foo/bar foo/x/bar foo/y/z/bar foo/keep \
	cache/data cache/d/more badcache/data a/b/c ab/c notes.txt; do
	printf '%s\n' "$f" >"$SRC/$f"
done
printf 'Signature: 8a477f597d28d172789f06886806bc55\n# a cache\n' \
	>"$SRC/cache/CACHEDIR.TAG"
printf 'Signature: 00000000000000000000000000000000\n' \
	>"$SRC/badcache/CACHEDIR.TAG"
printf 'linked\n' >"$SRC/hl1.o"
ln "$SRC/hl1.o" "$SRC/hl2"

# backup WHAT ARGS...: a run with --json, exit 0; sets ID SNAP FILES S.
backup() {
	_what=$1
	shift
	run_cairn --source "$SRC" --json "$@"
	check_rc 0 "$_what: exit status 0"
	ID=$(json_field "$RUN_OUT" id)
	SNAP=$(json_field "$RUN_OUT" snapshot)
	FILES=$(json_field "$RUN_OUT" files)
	S=$D/alice/$ID/$SNAP
	note "$_what: id=$ID snapshot=$SNAP files=$FILES"
}

# stored WHAT PATH... / absent WHAT PATH...: in the last snapshot or not.
stored() {
	_what=$1
	shift
	for _p do
		if [ -e "$S/$_p" ]; then ok "$_what: $_p stored"
		else fail "$_what: $_p stored" "not in $S"; fi
	done
}
absent() {
	_what=$1
	shift
	for _p do
		if [ -e "$S/$_p" ]; then fail "$_what: $_p left out" "it is in $S"
		else ok "$_what: $_p left out"; fi
	done
}

# ---- patterns on the command line ----------------------------------------
backup "patterns" --exclude '*.o' --exclude 'logs/' --exclude '/top.tmp' \
	--exclude '/foo/**/bar' --exclude 'b/c' --exclude-caches
absent "patterns" a.o sub/b.o hl1.o dir2/logs top.tmp foo/bar foo/x/bar \
	foo/y/z/bar a/b/c cache
stored "patterns" keep.c sub/keep.txt logs deep/x/top.tmp foo/keep ab/c \
	badcache/data badcache/CACHEDIR.TAG build/x.txt dir2 foo/x foo/y/z a/b
# keep.c sub/keep.txt build/x.txt logs deep/x/top.tmp foo/keep badcache/data
# badcache/CACHEDIR.TAG ab/c notes.txt hl2
check_eq "$FILES" 11 "patterns: --json counts only the files kept"
if [ -f "$S/hl2" ] && [ ! -L "$S/hl2" ] && [ "$(cat "$S/hl2")" = linked ]; then
	ok "a hard link whose first name is excluded is stored as a file"
else
	fail "a hard link whose first name is excluded is stored as a file" \
		"$(ls -la "$S" 2>&1 | head -n 30)"
fi

# ---- the same source without exclusions: everything comes back ------------
backup "no exclusions"
stored "no exclusions" a.o top.tmp foo/bar cache/CACHEDIR.TAG cache/d/more \
	dir2/logs/l.txt a/b/c
check_eq "$FILES" 23 "no exclusions: every file counted (hard links too)"

# ---- --exclude-from, with comments and blank lines; --extensions -------------
printf '# build products\n\n  build/  \n*.tmp\n#*.txt\n/sub/keep.txt\n' \
	>"$W/excl"
printf 'txt\n' >"$W/ext"
backup "exclude-from" --exclude-from "$W/excl" --extensions "$W/ext"
absent "exclude-from" build sub/keep.txt top.tmp deep/x/top.tmp keep.c
stored "exclude-from" notes.txt dir2/logs/l.txt sub
check_eq "$FILES" 2 "exclude-from: exclusions win over --extensions"

# ---- bad patterns: exit 2, one line naming them ----------------------------
printf '*.o\n# fine\n[unclosed\n' >"$W/badexcl"
run_cairn --source "$SRC" --exclude-from "$W/badexcl"
check_rc 2 "a bad line in --exclude-from: exit 2"
check_err_has "$W/badexcl:3" "the message names the file and the line"
check_eq "$(wc -l <"$RUN_ERR" | tr -d ' ')" 1 "one line of message"
run_cairn --source "$SRC" --exclude 'ok' --exclude 'x\'
check_rc 2 "a bad --exclude: exit 2"
check_err_has '"x\"' "the message quotes the pattern"
check_eq "$(wc -l <"$RUN_ERR" | tr -d ' ')" 1 "one line of message"
awk 'BEGIN { s = ""; while (length(s) < 5000) s = s "a"; print s }' \
	>"$W/longexcl"
run_cairn --source "$SRC" --exclude-from "$W/longexcl"
check_rc 2 "a line too long in --exclude-from: exit 2"
check_err_has "$W/longexcl:1" "the message names the file and the line"
run_cairn --source "$SRC" --exclude-from "$W/no-such-file"
check_rc 2 "a missing --exclude-from file: exit 2"
awk 'BEGIN { for (i = 0; i < 1100; i++) print "p" i }' >"$W/manyexcl"
run_cairn --source "$SRC" --exclude-from "$W/manyexcl"
check_rc 2 "more than 1024 patterns: exit 2"
check_err "too many exclusions" "the message says there are too many"

# ---- exclude lines in a --config file -------------------------------------
printf 'exclude *.tmp\nexclude /foo/\nexclude-caches\n' >"$W/cairn.conf"
backup "config" --config "$W/cairn.conf"
absent "config" top.tmp deep/x/top.tmp foo cache
stored "config" a.o badcache/data

finish
