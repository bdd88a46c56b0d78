#!/bin/sh
# t_names.sh — file names are arbitrary bytes except '/' and NUL: spaces,
# newlines, quotes, backslashes, a leading dash, printf conversions,
# non-UTF-8 bytes, a 240-byte name, UTF-8; in nested directories too.
# Every file must arrive byte-identical, and a re-run sends nothing.
. "$(dirname "$0")/lib.sh"

start_server || finish

SRC=$W/src
mkdir -p "$SRC"

n_space='with space.txt'
n_lead=' leading space'
n_nl=$(printf 'new\nline')
n_trail=$(printf 'trailing newline\nx')
n_trail=${n_trail%x}
n_dq='double"quote'
n_sq="single'quote"
n_bs='back\slash'
n_dash='-x'
n_dash2='--help'
n_bad=$(printf 'bad\377\376bytes')
n_long=$(printf '%0240d' 0 | tr 0 L)
n_utf=$(printf 'h\303\251llo')
n_pct='100%s%n%d%%'
n_glob='star*?[x]'
n_tab=$(printf 'tab\there')
n_shell='$HOME`id`$(id);|&<>'
n_cr=$(printf 'carriage\rreturn')
n_json='{"a":1}\u0000'
# nested directories with odd names (not clashing with the files above)
n_longdir=$(printf '%0200d' 0 | tr 0 D)

# fill DIR: one file per odd name in DIR (distinct contents).
fill() {
	for n in "$n_space" "$n_lead" "$n_nl" "$n_trail" "$n_dq" "$n_sq" \
		"$n_bs" "$n_dash" "$n_dash2" "$n_bad" "$n_long" "$n_utf" "$n_pct" \
		"$n_glob" "$n_tab" "$n_shell" "$n_cr" "$n_json"; do
		printf 'file %s in %s\n' "$n" "$1" >"$1/$n" ||
			fail "test setup: create a file named '$n'"
	done
}

fill "$SRC"
for d in "sub dir" "$n_nl dir/$n_utf" "-d/$n_bad dir/$n_dq dir" "$n_longdir/$n_sq dir"; do
	mkdir -p "$SRC/$d" && fill "$SRC/$d"
done
ln -s "$n_nl" "$SRC/link to $n_dq"
ln -s "../$n_bad" "$SRC/sub dir/link$n_utf"
N=$(count_files "$SRC")
note "$N files with odd names"

run_cairn --source "$SRC" --json
check_rc 0 "backup of odd names: exit status 0"
check_json "backup of odd names: one line of JSON"
ID=$(json_field "$RUN_OUT" id)
SNAP=$(json_field "$RUN_OUT" snapshot)
check_eq "$(json_field "$RUN_OUT" files)" "$N" "files = $N"
check_eq "$(json_field "$RUN_OUT" errors)" 0 "errors = 0"
S=$D/alice/$ID/$SNAP
if [ -n "$ID" ] && [ -n "$SNAP" ] && [ -d "$S" ]; then
	ok "snapshot directory exists"
	# name LABEL NAME: the file NAME (in the top directory and in the
	# nested ones) arrived byte-identical.
	name() {
		_bad=
		for d in "" "sub dir/" "$n_nl dir/$n_utf/" "-d/$n_bad dir/$n_dq dir/" "$n_longdir/$n_sq dir/"; do
			cmp -s "$SRC/$d$2" "$S/$d$2" 2>/dev/null || _bad="$_bad [$d$2]"
		done
		if [ -z "$_bad" ]; then
			ok "name with $1 arrives byte-identical"
		else
			fail "name with $1 arrives byte-identical" "missing or different:$_bad"
		fi
	}
	name "a space" "$n_space"
	name "a leading space" "$n_lead"
	name "a newline" "$n_nl"
	name "a trailing newline" "$n_trail"
	name "a double quote" "$n_dq"
	name "a single quote" "$n_sq"
	name "a backslash" "$n_bs"
	name "a leading dash (-x)" "$n_dash"
	name "a leading dash (--help)" "$n_dash2"
	name "non-UTF-8 bytes" "$n_bad"
	name "240 bytes" "$n_long"
	name "UTF-8" "$n_utf"
	name "printf conversions" "$n_pct"
	name "glob characters" "$n_glob"
	name "a tab" "$n_tab"
	name "shell metacharacters" "$n_shell"
	name "a carriage return" "$n_cr"
	name "JSON syntax" "$n_json"
	check_tree "$SRC" "$S" "the snapshot equals the source tree (names, types, links, contents)"
else
	fail "snapshot directory D/alice/<id>/<snapshot> exists" "id='$ID' snapshot='$SNAP'" \
		"store: $(cd "$D" && find . | head -n 20 | tr '\n' ' ')"
fi

run_cairn --source "$SRC" --json
check_rc 0 "re-run: exit status 0"
check_eq "$(json_field "$RUN_OUT" sent)" 0 "re-run: sent = 0"
check_eq "$(json_field "$RUN_OUT" files)" "$N" "re-run: files = $N"
S2=$D/alice/$ID/$(json_field "$RUN_OUT" snapshot)
if [ -d "$S2" ]; then
	check_tree "$SRC" "$S2" "re-run: the new snapshot equals the source tree"
else
	fail "re-run: a snapshot directory" "$S2"
fi

finish
