#!/bin/sh
# t_quota_hard.sh — --quota cannot be outrun (issue 12, items 1-3): runs of
# one client at the same time share one reservation; an interrupted run's
# files count until they are gone; entries and symlink targets count too.
. "$(dirname "$0")/lib.sh"

K=1024
# stored KIB: what alice's directory holds, in KiB (regular files).
stored() {
	du -sk "$D/alice" 2>/dev/null | cut -f1
}

# ---- four runs at once, 900 KiB each, under 1 MiB -----------------------------
start_server --quota 1M || finish
for i in 1 2 3 4; do
	mkdir -p "$W/par$i"
	head -c $((900 * K)) /dev/urandom >"$W/par$i/f.bin"
done
for i in 1 2 3 4; do
	STATE=$W/par$i.state
	bg_cairn par$i --source "$W/par$i" --bwlimit 400 --json
done
ok_runs=0
for i in 1 2 3 4; do
	bg_wait par$i
	[ "$RC" = 0 ] && ok_runs=$((ok_runs + 1))
	if [ "$RC" != 0 ] && [ "$RC" != 4 ]; then
		fail "run $i ends with 0 or 4 (over quota)" "exit status $RC"
		show_run
	fi
done
if [ $ok_runs -le 1 ]; then
	ok "of four parallel 900 KiB runs under 1 MiB, at most one commits ($ok_runs)"
else
	fail "of four parallel 900 KiB runs under 1 MiB, at most one commits" "$ok_runs did"
fi
check_ge 1024 "$(stored)" "the client's store stays within 1 MiB (KiB used)"
stop_server

# ---- an interrupted run's files count --------------------------------------------
D=$W/store2
start_server --quota 1M || finish
mkdir -p "$W/cut"
head -c $((900 * K)) /dev/urandom >"$W/cut/a.bin"
head -c $((60 * K)) /dev/urandom >"$W/cut/b.bin"
STATE=$W/cut.state
bg_cairn cut --source "$W/cut" --bwlimit 300 --json
_n=0
until [ -n "$(find "$D/alice" -path '*/.partial/a.bin' 2>/dev/null)" ] || [ $_n -ge 200 ]; do
	sleep 0.05
	_n=$((_n + 1))
done
kill -9 "$BG_PID" 2>/dev/null
bg_wait cut
check_ne "$RC" 0 "the first run is cut before its commit"
mkdir -p "$W/next"
head -c $((900 * K)) /dev/urandom >"$W/next/c.bin"
STATE=$W/next.state
run_cairn --source "$W/next" --json
check_rc 4 "another 900 KiB backup while the cut run's 900 KiB stay: over quota, exit 4"
check_err_has "quota" "the message says quota"
STATE=$W/cut.state
run_cairn --source "$W/cut" --json
check_rc 0 "the cut backup itself resumes and commits within the quota"
check_eq "$(json_field "$RUN_OUT" sent)" 1 "it sends only what it had not sent"
stop_server

# ---- entries and symlink targets count -------------------------------------------
D=$W/store3
start_server --quota 1M || finish
mkdir -p "$W/links"
_t=$(head -c 3000 /dev/zero | tr '\0' 't')
i=0
while [ $i -lt 400 ]; do
	ln -s "$_t$i" "$W/links/l$i"
	i=$((i + 1))
done
STATE=$W/links.state
run_cairn --source "$W/links" --json
check_rc 4 "400 symlinks with 3000-byte targets under 1 MiB: over quota, exit 4"
check_err_has "quota" "the message says quota"
check_eq "$(snapshots_of "$D/alice/"* | wc -l | tr -d ' ')" 0 "no snapshot is made"
stop_server
finish
