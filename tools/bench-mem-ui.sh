#!/bin/sh
# bench-mem-ui.sh — peak memory of the web UI process, cairn --ui (issue
# 13): for each generated tree of bench-mem.sh (BENCH_MEM_FILES), a cairn
# --ui on loopback is opened the way a browser does it (the printed
# token for the session cookie, the page, /api/session for the CSRF
# value), told to back the tree up (POST /api/backup) to a bench cairnd,
# and polled (/api/job) until the job is done. Its VmHWM is read from
# /proc every 0.1 s all along, and so is that of each child it forks (the
# backup job). Writes build/bench/report.memory-ui (tools/bench.sh prints
# it); needs curl.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
R=$top/build/bench/run-mem-ui
. "$top/tools/bench-lib.sh"
MEM_FILES=${BENCH_MEM_FILES-10000 100000}
out=$top/build/bench/report.memory-ui
ui_pid=
ui_time=
ui_sampler=
bench_init
trap 'ui_stop; bench_cleanup' EXIT
bench_certs

echo "== cairn --ui peak memory (VmHWM sampled every 0.1 s; target < 2 MiB)" > "$out"
if ! command -v curl >/dev/null 2>&1; then
	echo "  skipped: curl is not installed" >> "$out"
	exit 0
fi

# ui_start CFG: cairn --ui on a loopback port under GNU time (whose %M,
# in R/mem.ui, is the larger of the UI process's peak and that of every
# child it reaped) with a sampler writing the largest VmHWM of the UI
# process into R/hwm.ui and of its live children into R/hwm.uichild; sets
# ui_port, ui_pid, token (empty if it did not start).
ui_start() {
	next_port
	ui_port=$pick
	rm -f "$R/ui-url" "$R/hwm.ui" "$R/hwm.uichild" "$R/mem.ui"
	"$TIME" -f 'maxrss %M' -o "$R/mem.ui" \
		"$CAIRN" --ui --config "$1" --listen "127.0.0.1:$ui_port" \
		</dev/null >"$R/ui.out" 2>"$R/ui.err" &
	ui_time=$!
	i=0
	while [ ! -s "$R/ui-url" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	token=$(sed -n 's/.*token=//p' "$R/ui-url" 2>/dev/null)
	ui_pid=$(pgrep -P "$ui_time" | head -n 1)
	[ -n "$ui_pid" ] || return 0
	(
		hu=0 hc=0
		while kill -0 "$ui_pid" 2>/dev/null; do
			while read -r key val _; do
				[ "$key" = VmHWM: ] && [ "$val" -gt "$hu" ] && hu=$val
			done < "/proc/$ui_pid/status" 2>/dev/null || :
			for k in $(pgrep -P "$ui_pid"); do
				while read -r key val _; do
					[ "$key" = VmHWM: ] && [ "$val" -gt "$hc" ] && hc=$val
				done < "/proc/$k/status" 2>/dev/null || :
			done
			echo "$hu" > "$R/hwm.ui"
			echo "$hc" > "$R/hwm.uichild"
			sleep 0.1
		done
	) </dev/null >/dev/null 2>&1 &
	ui_sampler=$!
}
ui_stop() {
	[ -n "$ui_pid" ] && kill "$ui_pid" 2>/dev/null
	[ -n "$ui_time" ] && wait "$ui_time" 2>/dev/null
	[ -n "$ui_sampler" ] && wait "$ui_sampler" 2>/dev/null
	ui_pid='' ui_time='' ui_sampler=''
	return 0
}

# get PATH [CURL_ARGS...]: a request with the session cookie; the body in
# R/body, the status in $code.
get() {
	p=$1
	shift
	code=$(curl -s -o "$R/body" -w '%{http_code}' --max-time 60 -b "$R/jar" \
		"$@" "http://127.0.0.1:$ui_port$p") || code=000
}
jstr() { sed -n "s/.*\"$1\": *\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p" "$R/body" | head -n 1; }

# ui_backup N: the whole exchange for one tree; sets $why when it fails.
ui_backup() {
	why=
	get "/?token=$token" -c "$R/jar"
	[ "$code" = 303 ] || { why="the token gave $code"; return 1; }
	get /
	[ "$code" = 200 ] || { why="the page gave $code"; return 1; }
	get /api/session
	csrf=$(jstr csrf)
	[ ${#csrf} = 64 ] || { why="no CSRF value from /api/session"; return 1; }
	get /api/backup -X POST -H 'Content-Type: application/json' \
		-H "X-Cairn-CSRF: $csrf" --data-binary '{"dry_run":false}'
	[ "$code" = 200 ] || { why="POST /api/backup gave $code: $(head -c 200 "$R/body")"; return 1; }
	t0=$(now)
	i=0
	while :; do
		get /api/job
		st=$(jstr state)
		[ "$st" != running ] && break
		i=$((i + 1))
		[ $i -gt 36000 ] && { why="the job still running after an hour"; return 1; }
		sleep 0.1
	done
	secs=$(elapsed "$t0" "$(now)")
	if [ "$st" != "done" ] || [ "$(jstr exit)" != 0 ]; then
		why="the job ended $st: $(head -c 300 "$R/body")"
		return 1
	fi
	[ "$(jstr files)" = "$1" ] ||
		{ why="the job counted $(jstr files) files, not $1"; return 1; }
	# the page again, after the job: serving its history
	get /api/history
	[ "$code" = 200 ] || { why="/api/history gave $code"; return 1; }
}

for n in $MEM_FILES; do
	say "ui memory: generating $n files"
	rm -rf "$R/src" "$R/store" "$R/state.json" "$R/jar"
	gentree "$R/src" "$n" 4
	store=$R/store
	mkdir -p "$store"
	start_cairnd "ui$n"
	cat > "$R/cairn.conf" <<EOF
server 127.0.0.1
port $cairnd_port
server-name localhost
cert $certs/client_cert.pem
key $certs/client_key.pem
ca $certs/ca_cert.pem
state $R/state.json
source $R/src
EOF
	say "ui memory: $n files, a backup through cairn --ui"
	ui_start "$R/cairn.conf"
	if [ ${#token} != 64 ]; then
		why="cairn --ui did not start: $(tail -n 2 "$R/ui.err" | tr '\n' ' ')"
		ok=0
	elif ui_backup "$n"; then
		ok=1
	else
		ok=0
	fi
	sleep 0.3	# one more sample after the last request
	ui_stop
	stop_cairnd
	hu=$(cat "$R/hwm.ui" 2>/dev/null || echo 0)
	hc=$(cat "$R/hwm.uichild" 2>/dev/null || echo 0)
	# GNU time's figure covers the reaped job too: when it is above the
	# UI's own, it is the job's peak, which a 0.1 s sample may miss
	ht=$(memof "$R/mem.ui")
	[ "${ht:-0}" -gt "$hu" ] && hc=$(max "$hc" "$ht")
	if [ $ok = 1 ]; then
		echo "ui process: peak $hu KiB while serving and while its backup of $n files ran (target < 2 MiB)" >> "$out"
		echo "  its backup child (the forked job): peak $hc KiB; the job took $secs s" >> "$out"
	else
		say "ui memory: $n files: $why"
		echo "ui process: $n files: FAILED ($why); peak $hu KiB so far" >> "$out"
		failed=1
	fi
done
rm -rf "$R/src" "$R/store"
exit "$failed"
