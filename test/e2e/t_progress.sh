#!/bin/sh
# t_progress.sh — what cairn and cairnd say (issue 10, item 9): on a
# terminal the progress line shows files and bytes done, the rate and,
# against the previous snapshot, a percent and an ETA, also while a
# --checksum run only hashes; a warning gets a line of its own, never
# glued to the progress line; summaries say "1 file"; every line of
# cairnd's log (not syslog) begins with an ISO 8601 UTC time.
. "$(dirname "$0")/lib.sh"

ESC=$(printf '\033')
CR=$(printf '\r')

# on_tty OUT ARGS...: cairn ARGS... on a pseudo-terminal (script from
# util-linux); what the terminal showed into OUT.
on_tty() {
	_out=$1
	shift
	script -q -e -c "$CAIRN --server 127.0.0.1 --server-name localhost \
--port $PORT --cert $CERTS/client_cert.pem --key $CERTS/client_key.pem \
--ca $CERTS/ca_cert.pem --state $STATE $*" /dev/null </dev/null >"$_out" 2>&1
}

# lines OUT: the terminal's output as lines: carriage returns end lines,
# the clear-to-end-of-line sequences are gone.
lines() {
	tr "$CR" '\n' <"$1" | sed "s/$ESC\\[K//g"
}

if ! command -v script >/dev/null 2>&1; then
	note "no script(1) (util-linux): the progress line cannot be seen"
	finish
fi

SRC=$W/src
mkdir -p "$SRC"
head -c 40000000 /dev/urandom >"$SRC/big.bin"
printf 'one\n' >"$SRC/one.txt"
start_server || finish

run_cairn --source "$SRC"
check_rc 0 "first backup"
check_err_has "2 files, 2 sent (40000004 bytes), 0 errors" "the summary counts files in words"

on_tty "$W/tty1.out" --source "$SRC" --checksum
check_rc_tty=$?
check_eq 0 "$check_rc_tty" "a --checksum run on a terminal"
if lines "$W/tty1.out" | grep -Eq '^[0-9]+ files?, 0 sent \(0 MB\), [0-9]+ MB examined at [0-9]+ KB/s, [0-9]+%, ETA [0-9]+m[0-9]{2}s$'; then
	ok "while it only hashes, the line shows the bytes examined, a percent and an ETA"
else
	fail "while it only hashes, the line shows the bytes examined, a percent and an ETA" "$(lines "$W/tty1.out")"
fi
if lines "$W/tty1.out" | grep -Eq ' [1-9][0-9]* MB examined at [1-9][0-9]* KB/s'; then
	ok "the hashing counts as progress (not 0 MB at 0 KB/s)"
else
	fail "the hashing counts as progress (not 0 MB at 0 KB/s)" "$(lines "$W/tty1.out")"
fi
if lines "$W/tty1.out" | grep -Eq ', 100%$'; then
	ok "the last line says 100%"
else
	fail "the last line says 100%" "$(lines "$W/tty1.out")"
fi
# 99% with an ETA is a fair line (done is capped at 99 until the end);
# 100% before the end, or more than 100, is not.
_bad=$(lines "$W/tty1.out" | grep -E ' 100%, ETA| ([1-9][0-9]{3,}|[2-9][0-9]{2}|1[1-9][0-9]|10[1-9])%' | grep -v ', 100%$')
check_eq "" "$_bad" "the percent stays under 100 until the end"

# A first run has nothing to measure against: no percent.
SRC2=$W/src2
mkdir -p "$SRC2"
printf 'x\n' >"$SRC2/only.txt"
on_tty "$W/tty2.out" --source "$SRC2" --state "$W/state2.json"
if lines "$W/tty2.out" | grep -q '%'; then
	fail "a first run shows no percent" "$(lines "$W/tty2.out")"
else
	ok "a first run shows no percent"
fi
if lines "$W/tty2.out" | grep -q ': 1 file, 1 sent (2 bytes), 0 errors$'; then
	ok "the summary says 1 file, 2 bytes"
else
	fail "the summary says 1 file, 2 bytes" "$(lines "$W/tty2.out")"
fi

# A warning while the progress line is shown: more inodes with hard links
# than the client's table holds (LINKS_MAX slots, filled to a load factor) is said once, mid-walk.
mkdir -p "$SRC/a"
head -c 4200 /dev/zero | (cd "$SRC/a" && split -b 1 -a 3 - x)
cp -al "$SRC/a" "$SRC/b"
on_tty "$W/tty3.out" --source "$SRC"
if lines "$W/tty3.out" | grep -Eq '^cairn: more than [0-9]+ files with hard links'; then
	ok "the warning begins a line of its own"
else
	fail "the warning begins a line of its own" "$(od -c "$W/tty3.out" | grep -n -B2 -A2 'm   o   r   e' | head -20)"
fi
if lines "$W/tty3.out" | grep -q '.cairn: more than'; then
	fail "no warning is glued to the progress line" "$(lines "$W/tty3.out" | grep 'cairn: more than')"
else
	ok "no warning is glued to the progress line"
fi
if lines "$W/tty3.out" | grep -Eq '^[0-9]+ files, '; then
	ok "the progress line is there"
else
	fail "the progress line is there" "$(lines "$W/tty3.out")"
fi

stop_server
# Every line cairnd wrote to stderr is dated.
_undated=$(grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z cairnd: ' "$SERVER_LOG")
check_eq "" "$_undated" "every cairnd log line begins with an ISO 8601 UTC time"
check_ge "$(wc -l <"$SERVER_LOG")" 4 "cairnd logged the runs"
finish
