#!/bin/sh
# t_ui_http.sh — cairn --ui's HTTP server against a real cairnd (issue 13):
# the token and the session cookie, Host, Origin and CSRF checks, bad and
# oversized requests, slow clients timed out, many connections at once,
# paths outside the page, TLS on a non-loopback --listen; the settings
# endpoint refusing bad fields (the config file byte-identical) and
# writing good ones durably, a running --interval daemon taking them on
# SIGHUP; a backup job with its event stream, the history, a restore of
# one file byte for byte, the quick reads.
. "$(dirname "$0")/lib.sh"

HTTPRAW=$TOP/build/asan/httpraw
[ -x "$HTTPRAW" ] || { fail "httpraw built" "make asan"; finish; }
command -v curl >/dev/null 2>&1 || { fail "curl installed" "apt-get install curl"; finish; }

start_server || finish

SRC=$W/src
SRC2=$W/src2
mkdir -p "$SRC/docs" "$SRC2"
printf 'alpha\n' >"$SRC/a.txt"
printf 'bravo\n' >"$SRC/docs/b.txt"
head -c 300000 /dev/urandom >"$SRC/docs/big.bin"
printf 'two\n' >"$SRC2/two.txt"
CFG=$W/cairn.conf
cat >"$CFG" <<EOF
# the test's settings
server 127.0.0.1
port $PORT
server-name localhost
cert $CERTS/client_cert.pem
key $CERTS/client_key.pem
ca $CERTS/ca_cert.pem
state $STATE
source $SRC
EOF
JAR=$W/jar
REQ_N=0

# chk WHAT COMMAND...: ok if COMMAND succeeds.
chk() {
	_w=$1
	shift
	if "$@"; then ok "$_w"; else fail "$_w"; fi
}
UI_PID=

# start_ui ARGS...: cairn --ui on a free port; sets UI_PORT, UI_PID, TOKEN.
start_ui() {
	UI_PORT=$(random_port)
	rm -f "$W/ui-url"
	"$CAIRN" --ui --config "$CFG" --listen "127.0.0.1:$UI_PORT" "$@" \
		>"$W/ui.out" 2>"$W/ui.err" </dev/null &
	UI_PID=$!
	_n=0
	while [ ! -s "$W/ui-url" ] && [ $_n -lt 100 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	TOKEN=$(sed -n 's/.*token=//p' "$W/ui-url" 2>/dev/null)
	check_eq "${#TOKEN}" 64 "cairn --ui writes ui-url with a 64-hex token"
	chk "ui-url is 0600" [ "$(stat -c %a "$W/ui-url")" = 600 ]
	chk "the URL is printed once" grep -q "web UI at http://127.0.0.1:$UI_PORT/?token=$TOKEN" "$W/ui.err"
}

stop_ui() {
	[ -n "$UI_PID" ] && kill "$UI_PID" 2>/dev/null && wait "$UI_PID" 2>/dev/null
	UI_PID=
	if grep -Eq "$SANITIZER_RE" "$W/ui.err"; then
		fail "cairn --ui: no sanitizer reports" "$(head -n 60 "$W/ui.err")"
	fi
}

# req METHOD PATH [CURL_ARGS...]: sets CODE and BODY (a file).
req() {
	_m=$1 _p=$2
	shift 2
	REQ_N=$((REQ_N + 1))
	BODY=$W/req$REQ_N.body
	CODE=$(curl -s -o "$BODY" -D "$W/req$REQ_N.head" -w '%{http_code}' \
		--max-time 60 -X "$_m" -b "$JAR" "$@" "http://127.0.0.1:$UI_PORT$_p")
}

# post PATH JSON [CURL_ARGS...]: a POST with the session's CSRF value.
post() {
	_p=$1 _d=$2
	shift 2
	req POST "$_p" -H 'Content-Type: application/json' \
		-H "X-Cairn-CSRF: $CSRF" --data-binary "$_d" "$@"
}

# field FILE KEY: json_field, into a file of its own for nesting.
sub() {
	json_field "$1" "$2" >"$1.$2"
	echo "$1.$2"
}

# wait_job: poll /api/job until the job is no longer running.
wait_job() {
	_n=0
	while [ $_n -lt 600 ]; do
		req GET /api/job
		[ "$(json_field "$BODY" state)" != running ] && return 0
		sleep 0.2
		_n=$((_n + 1))
	done
	fail "the job ends within 120 s" "$(cat "$BODY")"
	return 1
}

# raw TEXT [PAUSE_MS]: send TEXT (printf format) as it is; sets RAW.
raw() {
	REQ_N=$((REQ_N + 1))
	RAW=$W/raw$REQ_N
	# shellcheck disable=SC2059
	printf "$1" | "$HTTPRAW" "$UI_PORT" ${2:-} >"$RAW" 2>&1
}

start_ui
H="Host: 127.0.0.1:$UI_PORT"

# ---- the token, the cookie, Host ----------------------------------------
req GET /
check_eq "$CODE" 401 "GET / without token or cookie: 401"
chk "... saying to open the printed URL" grep -q 'Open the URL' "$BODY"
req GET /api/job
check_eq "$CODE" 401 "an API call without a session: 401"
req GET "/?token=0000000000000000000000000000000000000000000000000000000000000000"
check_eq "$CODE" 403 "a wrong token: 403"
req GET "/?token=short"
check_eq "$CODE" 403 "a malformed token: 403"
req GET "/?token=$TOKEN" -c "$JAR"
check_eq "$CODE" 303 "the right token: 303 to /"
chk "... with an HttpOnly, SameSite=Strict session cookie" \
	grep -qi '^Set-Cookie: cairn_session=[0-9a-f]\{64\}; HttpOnly; SameSite=Strict; Path=/' "$W/req$REQ_N.head"
chk "... no CORS header" sh -c "! grep -qi '^Access-Control' '$W/req$REQ_N.head'"
req GET /api/session
check_eq "$CODE" 200 "GET /api/session with the cookie: 200"
CSRF=$(json_field "$BODY" csrf)
check_eq "${#CSRF}" 64 "... gives a 64-hex CSRF value"
for h in Content-Security-Policy X-Content-Type-Options Cache-Control Referrer-Policy; do
	chk "... with $h" grep -qi "^$h:" "$W/req$REQ_N.head"
done
chk "... CSP default-src 'self'; frame-ancestors 'none'" \
	grep -q "default-src 'self'; frame-ancestors 'none'" "$W/req$REQ_N.head"
req GET /api/session -H "Host: evil.example:$UI_PORT"
check_eq "$CODE" 403 "a wrong Host (DNS rebinding): 403"
req GET /api/session -H "Host: 127.0.0.1:1"
check_eq "$CODE" 403 "the right address with another port: 403"
COOKIE="Cookie: cairn_session=$(awk '$6 == "cairn_session" { print $7 }' "$JAR")"
req GET /api/session -H "Host: localhost:$UI_PORT" -H "$COOKIE"
check_eq "$CODE" 200 "Host localhost:PORT: 200"
req GET /
check_eq "$CODE" 200 "GET / with the cookie: the page"
chk "... gzip-encoded" grep -qi '^Content-Encoding: gzip' "$W/req$REQ_N.head"
req GET /app.nothere
check_eq "$CODE" 404 "a file that is not in the page: 404"

# ---- POSTs: CSRF, Content-Type, Origin ----------------------------------
req POST /api/backup -H 'Content-Type: application/json' --data '{}'
check_eq "$CODE" 403 "a POST without X-Cairn-CSRF: 403"
req POST /api/backup -H 'Content-Type: application/json' -H "X-Cairn-CSRF: $(printf '%064d' 0)" --data '{}'
check_eq "$CODE" 403 "a POST with a wrong X-Cairn-CSRF: 403"
req POST /api/backup -H "X-Cairn-CSRF: $CSRF" -H 'Content-Type: text/plain' --data '{}'
check_eq "$CODE" 403 "a POST that is not application/json: 403"
post /api/backup '{"dry_run":true}' -H 'Origin: http://evil.example'
check_eq "$CODE" 403 "a cross-origin POST (Origin mismatch): 403"
req GET /api/job
check_eq "$(json_field "$BODY" job)" 0 "... and no job was started by any of them"

# ---- bad requests ---------------------------------------------------------
long=$(head -c 5000 /dev/zero | tr '\0' a)
raw "GET /$long HTTP/1.1\r\n$H\r\n\r\n"
chk "an oversized request line: 414" grep -q '^HTTP/1.1 414' "$RAW"
big=$(head -c 1000 /dev/zero | tr '\0' b)
raw "GET / HTTP/1.1\r\n$H\r\nX-1: $big\r\nX-2: $big\r\nX-3: $big\r\nX-4: $big\r\nX-5: $big\r\nX-6: $big\r\nX-7: $big\r\nX-8: $big\r\nX-9: $big\r\n\r\n"
chk "oversized headers: 431" grep -q '^HTTP/1.1 431' "$RAW"
raw "POST /api/settings HTTP/1.1\r\n$H\r\n$COOKIE\r\nContent-Type: application/json\r\nX-Cairn-CSRF: $CSRF\r\nContent-Length: 70000\r\n\r\n"
chk "a body over 64 KiB: 413" grep -q '^HTTP/1.1 413' "$RAW"
raw "GET / HTTP/1.1\r\n$H\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
chk "Content-Length with Transfer-Encoding: 400" grep -q '^HTTP/1.1 400' "$RAW"
raw "GET / HTTP/2.0\r\n$H\r\n\r\n"
chk "HTTP/2.0 on the wire: 505" grep -q '^HTTP/1.1 505' "$RAW"
raw "GET /../etc/passwd HTTP/1.1\r\n$H\r\n$COOKIE\r\n\r\n"
chk "GET /../etc/passwd: refused" grep -Eq '^HTTP/1.1 (400|404)' "$RAW"
chk "... and nothing of it served" sh -c "! grep -q 'root:' '$RAW'"
raw "GET /%%2e%%2e/etc/passwd HTTP/1.1\r\n$H\r\n$COOKIE\r\n\r\n"
chk "GET /%%2e%%2e/etc/passwd: 404" grep -q '^HTTP/1.1 404' "$RAW"
raw "GET http://127.0.0.1:$UI_PORT/ HTTP/1.1\r\n$H\r\n$COOKIE\r\n\r\n"
chk "an absolute-form target: 400" grep -q '^HTTP/1.1 400' "$RAW"
raw "GET /api/job HTTP/1.1\r\n$H\r\n$COOKIE\r\n\r\nGET /api/session HTTP/1.1\r\n$H\r\n$COOKIE\r\nConnection: close\r\n\r\n"
check_eq "$(grep -c '^HTTP/1.1 200' "$RAW")" 2 "two pipelined requests on one connection: both answered"

# Many connections at once: the server keeps answering.
"$HTTPRAW" "$UI_PORT" hold 60 4000 >"$W/hold.out" 2>&1 &
HOLD=$!
sleep 1
req GET /api/job
check_eq "$CODE" 200 "60 idle connections held open: a request is still answered"
wait "$HOLD"
chk "... and the idle ones were closed to make room" [ "$(cat "$W/hold.out")" -gt 30 ]
req GET /api/session
check_eq "$CODE" 200 "... and after them too"

# A slow head and a slow body, both timed out (408), in the background
# while the rest goes on.
REQ_N=$((REQ_N + 1))
printf "GET /api/job HTTP/1.1\r\n$H\r\n" | "$HTTPRAW" "$UI_PORT" 12000 >"$W/slow_head" 2>&1 &
SLOW1=$!
printf "POST /api/schedule HTTP/1.1\r\n$H\r\n$COOKIE\r\nContent-Type: application/json\r\nX-Cairn-CSRF: $CSRF\r\nContent-Length: 100\r\n\r\n{" |
	"$HTTPRAW" "$UI_PORT" 12000 >"$W/slow_body" 2>&1 &
SLOW2=$!

# ---- settings -------------------------------------------------------------
req GET /api/settings
check_eq "$CODE" 200 "GET /api/settings: 200"
check_eq "$(json_field "$BODY" source)" "$SRC" "... the source from the config file"
check_eq "$(json_field "$BODY" port)" "$PORT" "... the port"
check_eq "$(json_field "$BODY" config)" "$CFG" "... the config file's path"
cp "$CFG" "$W/cfg.before"
printf 'not a dir\n' >"$W/afile"
# bad BODY FIELD WHAT: refused with a word on FIELD, the file unchanged.
bad() {
	post /api/settings "$1"
	check_eq "$CODE" 400 "settings with $3: 400"
	chk "... naming the field $2" grep -q "\"fields\":{.*\"$2\":\"" "$BODY"
	chk "... the config file byte-identical" cmp -s "$CFG" "$W/cfg.before"
}
G='"server":"127.0.0.1","port":'$PORT
bad "{$G}" source "no source"
bad "{$G,\"source\":\"$W/nonexistent\"}" source "a source that does not exist"
bad "{$G,\"source\":\"$W/afile\"}" source "a source that is a file"
bad "{$G,\"source\":\"relative/dir\"}" source "a relative source"
bad "{\"server\":\"127.0.0.1\",\"port\":0,\"source\":\"$SRC\"}" port "port 0"
bad "{\"server\":\"127.0.0.1\",\"port\":70000,\"source\":\"$SRC\"}" port "port 70000"
bad "{$G,\"source\":\"$SRC\",\"extensions\":[\"a/b\"]}" extensions "an extension with a '/'"
bad "{$G,\"source\":\"$SRC\",\"exclude\":[\"[abc\"]}" exclude "an exclusion that does not parse"
bad "{$G,\"source\":\"$SRC\",\"interval\":\"soon\"}" interval "an interval that is not hours"
bad "{$G,\"source\":\"$SRC\",\"post_hook\":\"a\\nb\"}" post_hook "a line break in the post-hook"
post /api/settings 'not json'
check_eq "$CODE" 400 "a settings body that is not JSON: 400"
chk "... the config file byte-identical" cmp -s "$CFG" "$W/cfg.before"
if [ "$(id -u)" != 0 ]; then
	mkdir -p "$W/locked"
	chmod 000 "$W/locked"
	bad "{$G,\"source\":\"$W/locked\"}" source "an unreadable source"
	chmod 700 "$W/locked"
fi

# ---- a backup through the API, watched on the event stream -------------
curl -s -N --max-time 120 -b "$JAR" "http://127.0.0.1:$UI_PORT/api/events" >"$W/events" 2>/dev/null &
EVENTS=$!
sleep 0.5
post /api/backup '{"dry_run":false}'
check_eq "$CODE" 200 "POST /api/backup: 200"
JOB=$(json_field "$BODY" job)
check_eq "$JOB" 1 "... job 1"
post /api/backup '{"dry_run":false}'
check_ne "$CODE" 200 "a second backup while one runs: refused"
wait_job
check_eq "$(json_field "$BODY" state)" done "the backup job ends done"
check_eq "$(json_field "$BODY" exit)" 0 "... exit 0"
R=$(sub "$BODY" result)
check_eq "$(json_field "$R" files)" 3 "... its result counts 3 files"
check_eq "$(json_field "$R" errors)" 0 "... and no errors"
ID=$(json_field "$R" id)
chk "... and names the backup" [ -n "$ID" ]
_n=0
while ! grep -q '^event: done' "$W/events" && [ $_n -lt 100 ]; do
	sleep 0.1
	_n=$((_n + 1))
done
chk "the event stream sent progress" grep -q '^event: progress' "$W/events"
chk "... and done, while held open" grep -q '^event: done' "$W/events"
chk "... with the job's JSON" grep -q '^data: {"job":1,"kind":"backup","state":"done"' "$W/events"
chk "the stream is still open" kill -0 "$EVENTS"
req GET /api/session
check_eq "$CODE" 200 "... and the server answers others meanwhile"

post /api/backup '{"dry_run":false}'
wait_job
check_eq "$(json_field "$BODY" state)" done "a second backup ends done"
req GET /api/history
check_eq "$CODE" 200 "GET /api/history: 200"
check_eq "$(grep -o '"kind":"backup"' "$BODY" | wc -l)" 2 "... two runs"
chk "... each ok, with its figures" grep -q '"result":"ok","files":3' "$BODY"
chk "... and the last success" grep -q '"last_success":"20' "$BODY"

# ---- quick reads -----------------------------------------------------------
req GET /api/backups
check_eq "$CODE" 200 "GET /api/backups: 200"
chk "... lists the backup" grep -q "\"id\":\"$ID\"" "$BODY"
req GET "/api/ls?target=$ID&path=docs"
check_eq "$CODE" 200 "GET /api/ls of docs: 200"
chk "... lists b.txt" grep -q 'docs/b.txt' "$BODY"
req GET "/api/find?pattern=b.txt"
check_eq "$CODE" 200 "GET /api/find: 200"
chk "... finds it" grep -q 'b.txt' "$BODY"
req GET "/api/ls?target=nosuchbackup"
chk "an unknown backup: 4xx" [ "$CODE" -ge 400 ] && [ "$CODE" -lt 500 ]
chk "... in words" grep -q '"error":"' "$BODY"
req GET "/api/ls?target=$ID&path=--help"
check_eq "$CODE" 400 "a value that reads as an option: 400"
req GET "/api/fs?path=$SRC"
check_eq "$CODE" 200 "GET /api/fs: 200"
chk "... directories first" grep -q '"entries":\[{"name":"docs","dir":true}' "$BODY"

# ---- restore one file ---------------------------------------------------
post /api/restore "{\"target\":\"$ID\",\"include\":[\"docs/big.bin\"],\"path\":\"$W/restored\",\"dry_run\":false}"
check_eq "$CODE" 200 "POST /api/restore of one file: 200"
wait_job
check_eq "$(json_field "$BODY" state)" done "the restore ends done"
chk "... the file byte for byte" cmp "$SRC/docs/big.bin" "$W/restored/docs/big.bin"
chk "... and nothing else" [ ! -e "$W/restored/a.txt" ]

# ---- remove, prune, the post-hook's test --------------------------------
post /api/remove "{\"target\":\"$ID\",\"dry_run\":true}"
check_eq "$CODE" 200 "POST /api/remove, a dry run: 200"
wait_job
check_eq "$(json_field "$BODY" state)" done "... ends done"
run_cairn --list --json
chk "... and the backup is still there" grep -q "\"id\":\"$ID\"" "$RUN_OUT"
post /api/prune "{\"target\":\"$ID\",\"keep\":{\"last\":1},\"dry_run\":false}"
check_eq "$CODE" 200 "POST /api/prune keeping the last: 200"
wait_job
check_eq "$(json_field "$BODY" state)" done "... ends done"
run_cairn --list "$ID" --json
check_eq "$(grep -o '"name":' "$RUN_OUT" | wc -l)" 1 "... one snapshot left"
post /api/prune "{\"target\":\"$ID\",\"keep\":{}}"
check_eq "$CODE" 400 "a prune without a policy: 400"
post /api/test-hook '{}'
check_eq "$CODE" 400 "the post-hook's test without a hook: 400"
req GET /api/history
chk "the history names the prune" grep -q '"kind":"prune","result":"ok"' "$BODY"

# ---- a good settings POST, and a daemon told ---------------------------

wait "$SLOW1" "$SLOW2" 2>/dev/null
chk "a slow head: 408" grep -q '^HTTP/1.1 408' "$W/slow_head"
chk "a slow body: 408" grep -q '^HTTP/1.1 408' "$W/slow_body"
printf 'pidfile %s\ninterval 0.001\n' "$W/daemon.pid" >>"$CFG"
run_raw "$CAIRN" --config "$CFG" --daemon --syslog
check_rc 0 "cairn --interval --daemon starts"
_n=0
while [ ! -s "$W/daemon.pid" ] && [ $_n -lt 100 ]; do
	sleep 0.1
	_n=$((_n + 1))
done
DPID=$(cat "$W/daemon.pid" 2>/dev/null)
chk "... and writes its pidfile" [ -n "$DPID" ]
post /api/settings "{$G,\"server_name\":\"localhost\",\"source\":\"$SRC2\",\"extensions\":[\"txt\",\".md\"],\"exclude\":[\"*.tmp\",\"/cache/\"],\"interval\":\"0.001\",\"keep\":{\"last\":5,\"daily\":7},\"post_hook\":\"\"}"
check_eq "$CODE" 200 "a good settings POST: 200"
check_eq "$(json_field "$BODY" reloaded)" true "... the daemon was sent SIGHUP"
check_eq "$(stat -c %a "$CFG")" 600 "the config file is 0600"
chk "... holds the new source" grep -qx "source $SRC2" "$CFG"
chk "... keeps the lines the page does not edit" grep -qx "cert $CERTS/client_cert.pem" "$CFG"
chk "... keeps the comment" grep -qx "# the test's settings" "$CFG"
chk "... and the pidfile" grep -qx "pidfile $W/daemon.pid" "$CFG"
chk "... names the extensions file" grep -qx "extensions cairn.conf.extensions" "$CFG"
chk "the extensions file lists them" grep -qx '.md' "$W/cairn.conf.extensions"
req GET /api/settings
check_eq "$(json_field "$BODY" source)" "$SRC2" "GET /api/settings reads the new source"
chk "... the extensions" grep -q '"extensions":\["txt",".md"\]' "$BODY"
chk "... the exclusions" grep -q '"exclude":\["\*.tmp","/cache/"\]' "$BODY"
chk "... the policy" grep -q '"keep":{"last":5,"hourly":0,"daily":7' "$BODY"
_n=0
found=
while [ $_n -lt 120 ] && [ -z "$found" ]; do
	run_cairn --list --json
	grep -q "\"source\":\"$SRC2\"" "$RUN_OUT" && found=1
	[ -z "$found" ] && sleep 0.5
	_n=$((_n + 1))
done
chk "the running daemon backs up the new source after SIGHUP" [ -n "$found" ]
cp "$CFG" "$W/cfg.good"
printf 'no-such-setting 1\n' >>"$CFG"
[ -n "$DPID" ] && kill -HUP "$DPID"
sleep 1
chk "a config that no longer reads, then SIGHUP: the daemon goes on" kill -0 "$DPID"
cp "$W/cfg.good" "$CFG"
[ -n "$DPID" ] && kill "$DPID" 2>/dev/null
_n=0
while [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null && [ $_n -lt 100 ]; do
	sleep 0.1
	_n=$((_n + 1))
done

# The post-hook's test, printing more than is kept: cut at 256 KiB.
post /api/settings "{$G,\"source\":\"$SRC2\",\"post_hook\":\"head -c 400000 /dev/zero | tr '\\\\000' a; echo; echo hook-ran \$CAIRN_HOOK_TEST\"}"
check_eq "$CODE" 200 "a post-hook set from the page"
post /api/test-hook '{}'
check_eq "$CODE" 200 "POST /api/test-hook: 200"
wait_job
check_eq "$(json_field "$BODY" state)" done "... the hook ran"
check_eq "$(json_field "$BODY" kind)" test-hook "... as the job test-hook"
chk "... its output cut short, with a note" grep -q 'cut short here: more than 256 KiB' "$BODY"
check_eq "$(stat -c %s "$W/ui-job.out")" 262145 "... and its file cut on disk"
post /api/settings "{$G,\"source\":\"$SRC2\",\"post_hook\":\"echo hook-ran \$CAIRN_HOOK_TEST\"}"
post /api/test-hook '{}'
wait_job
chk "... a short one shows its words and CAIRN_HOOK_TEST=1" grep -q '"lines":\["hook-ran 1"\]' "$BODY"

kill "$EVENTS" 2>/dev/null
wait "$EVENTS" 2>/dev/null
stop_ui

# ---- a config file that does not exist yet -------------------------------
CFG_SAVE=$CFG
CFG=$W/new/cairn.conf
start_ui --state "$STATE"
req GET "/?token=$TOKEN" -c "$JAR"
req GET /api/session
CSRF=$(json_field "$BODY" csrf)
req GET /api/settings
check_eq "$CODE" 200 "--config naming a file not there yet: the settings read as defaults"
check_eq "$(json_field "$BODY" source)" "" "... with no source"
post /api/settings "{$G,\"source\":\"$SRC\"}"
check_eq "$CODE" 200 "... and a save makes its directory and file"
chk "... 0600" [ "$(stat -c %a "$CFG" 2>/dev/null)" = 600 ]
stop_ui
CFG=$CFG_SAVE

# ---- TLS on a non-loopback address --------------------------------------
TP=$(random_port)
run_raw "$CAIRN" --ui --config "$CFG" --listen "0.0.0.0:$TP"
check_rc 2 "a non-loopback --listen without --ui-cert: exit 2"
chk "... saying why" grep -q 'not a loopback address.*--ui-cert' "$RUN_ERR"
run_raw sh "$TOP/tools/gen-certs.sh" --ui 127.0.0.1 "$W/uicert"
check_rc 0 "tools/gen-certs.sh --ui 127.0.0.1 DIR"
rm -f "$W/ui-url"
"$CAIRN" --ui --config "$CFG" --listen "0.0.0.0:$TP" --ui-cert "$W/uicert/ui_cert.pem" \
	--ui-key "$W/uicert/ui_key.pem" >"$W/ui.out" 2>"$W/ui.err" </dev/null &
UI_PID=$!
_n=0
while [ ! -s "$W/ui-url" ] && [ $_n -lt 100 ]; do
	sleep 0.1
	_n=$((_n + 1))
done
chk "... warns that it listens beyond this machine" grep -q 'warning: the web UI listens on 0.0.0.0' "$W/ui.err"
chk "... prints an https URL" grep -q "https://0.0.0.0:$TP/?token=" "$W/ui.err"
if command -v openssl >/dev/null 2>&1; then
	echo | $TIMEOUT 20 openssl s_client -connect "127.0.0.1:$TP" -CAfile "$W/uicert/ui_cert.pem" \
		>"$W/s_client.out" 2>&1
	chk "openssl s_client handshakes" grep -q 'Cipher is ECDHE-ECDSA' "$W/s_client.out"
	chk "... the UI's certificate, not the client's" grep -q 'subject=O *= *cairn, CN *= *127.0.0.1' "$W/s_client.out"
	chk "... which verifies" grep -q 'Verify return code: 0' "$W/s_client.out"
fi
TOKEN=$(sed -n 's/.*token=//p' "$W/ui-url")
CODE=$(curl -s -o /dev/null -D "$W/tls.head" -w '%{http_code}' --cacert "$W/uicert/ui_cert.pem" \
	"https://127.0.0.1:$TP/?token=$TOKEN")
check_eq "$CODE" 303 "the token over TLS: 303"
printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n' "$TP" | "$HTTPRAW" "$TP" >"$W/plain_on_tls" 2>&1
chk "plain HTTP on the TLS port: no answer in clear" sh -c "! grep -q 'HTTP/1.1' '$W/plain_on_tls'"
CODE=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$W/uicert/ui_cert.pem" "https://127.0.0.1:$TP/api/job")
check_eq "$CODE" 401 "... and TLS is still served after it"
chk "... the cookie is Secure" grep -qi '^Set-Cookie: .*; Secure' "$W/tls.head"
stop_ui

finish
