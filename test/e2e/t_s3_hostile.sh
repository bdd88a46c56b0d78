#!/bin/sh
# t_s3_hostile.sh — cairnd's S3 client (src/server/s3.c, via s3probe)
# against a scripted endpoint (test/tools/s3fake.c) that answers 503
# SlowDown and 500, drops connections before answering, sends malformed
# XML, truncated bodies, heads too long, bad status lines and bad chunked
# framing: bounded retries with back-off, then a clear error; a listing
# retried after a malformed page hands each key over once; keep-alive
# reuses one connection. Needs no cluster.
. "$(dirname "$0")/lib.sh"

PROBE=$TOP/build/asan/s3probe
FAKE=$TOP/build/asan/s3fake
for b in "$PROBE" "$FAKE"; do
	[ -x "$b" ] || { fail "$b exists (make asan)"; finish; }
done
CAIRN_S3_ACCESS_KEY=AK
CAIRN_S3_SECRET_KEY=SK
CAIRN_S3_BUCKET=bkt
export CAIRN_S3_ACCESS_KEY CAIRN_S3_SECRET_KEY CAIRN_S3_BUCKET
FAKE_PID=
N=0

# fake SCRIPT: start s3fake answering from SCRIPT; sets $EP.
fake() {
	N=$((N + 1))
	FLOG=$W/fake.$N.log
	_t=0
	while [ $_t -lt 5 ]; do
		_p=$(random_port)
		"$FAKE" "$_p" "$1" >"$FLOG" 2>&1 &
		FAKE_PID=$!
		_n=0
		while [ $_n -lt 50 ] && ! grep -q listening "$FLOG" 2>/dev/null; do
			kill -0 "$FAKE_PID" 2>/dev/null || break
			sleep 0.1
			_n=$((_n + 1))
		done
		grep -q listening "$FLOG" 2>/dev/null && break
		_t=$((_t + 1))
	done
	EP=http://127.0.0.1:$_p
}

# probe ARGS...: s3probe against $EP; $OUT, $ERR, $RC. Then s3fake's end.
probe() {
	OUT=$W/probe.$N.out
	ERR=$W/probe.$N.err
	"$PROBE" --endpoint "$EP" --timeout 3000 "$@" >"$OUT" 2>"$ERR"
	RC=$?
	if grep -Eq "$SANITIZER_RE" "$ERR"; then
		fail "s3probe: no sanitizer reports ($*)" "$(head -n 30 "$ERR")"
	fi
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
}

# answer STATUS [FIELDS] [BODY]: one HTTP answer with Content-Length.
answer() {
	_b=${3:-}
	printf 'HTTP/1.1 %s\r\n%bContent-Length: %d\r\n\r\n%s' "$1" "${2:-}" \
		"$(printf '%s' "$_b" | wc -c)" "$_b"
}
sep() { printf '\n%%%%\n'; }
has() { grep -q "$2" "$1"; }

printf 'x\n' >body
SLOW='<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>'

# ---- 503 SlowDown, then 200 ---------------------------------------------
{ answer "503 Slow Down" "" "$SLOW"; sep; answer "200 OK" 'ETag: "abc"\r\n'; } >s1
fake s1
probe put k body
check_eq "$RC" 0 "503 SlowDown then 200: the PUT succeeds"
has "$OUT" 'etag abc tries 2'
check $? "on its second try, the ETag's quotes off" "$(cat "$OUT")"
check_eq "$(grep -c '^connection' "$FLOG")" 1 "on the one kept-alive connection"
check_eq "$(grep -c '^request PUT /bkt/k HTTP/1.1' "$FLOG")" 2 "the body sent again (rewound)"

# ---- 500 six times: given up on -------------------------------------------
: >s2
for i in 1 2 3 4 5; do answer "500 Internal" "" "<Error><Code>InternalError</Code></Error>" >>s2; sep >>s2; done
answer "500 Internal" "" "<Error><Code>InternalError</Code></Error>" >>s2
fake s2
probe head k
check_eq "$RC" 1 "500 six times: an answer, not a success"
has "$OUT" 'status 500'
check $? "its status is the last answer's"
has "$ERR" 'requests 6'
check $? "after 6 requests (S3_TRIES)"
has "$ERR" 'after 6 tries'
check $? "said in words" "$(cat "$ERR")"

# ---- dropped before an answer, then 200 -------------------------------------
{ printf 'CUT'; sep; answer "200 OK" 'ETag: "e1"\r\n'; } >s3
fake s3
probe put k body
check_eq "$RC" 0 "a connection dropped before the answer is retried"
check_eq "$(grep -c '^connection' "$FLOG")" 2 "on a new connection"

# ---- a listing whose first page is malformed XML --------------------------
page1='<ListBucketResult><Contents><Key>a</Key><Size>1</Size><ETag>"e"</ETag></Contents><Contents><Key>b</Key></Size>'
page2='<ListBucketResult><Contents><Key>a</Key><Size>1</Size><ETag>"e"</ETag></Contents><Contents><Key>b</Key><Size>2</Size></Contents><IsTruncated>false</IsTruncated></ListBucketResult>'
{ answer "200 OK" "" "$page1"; sep; answer "200 OK" "" "$page2"; } >s4
fake s4
probe list
check_eq "$RC" 0 "a malformed page is read again"
check_eq "$(grep -v '^status' "$OUT" | tr '\n' ' ')" "a 1 e b 2  " "each key handed over once"

# ---- pages, the second chunked ------------------------------------------------
p1='<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>k1</Key><Size>1</Size></Contents><NextContinuationToken>t/1 +=</NextContinuationToken></ListBucketResult>'
{
	answer "200 OK" "" "$p1"; sep
	printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
	printf '1a\r\n<ListBucketResult><Content\r\n'
	printf '2b\r\ns><Key>k2</Key><Size>2</Size></Contents></L\r\n'
	printf '11\r\nistBucketResult>\n\r\n0\r\n\r\n'
} >s5
fake s5
probe --page 1 list
check_eq "$RC" 0 "two pages, the second chunked"
check_eq "$(grep -v '^status' "$OUT" | tr '\n' ' ')" "k1 1  k2 2  " "both keys"
has "$FLOG" 'continuation-token=t%2F1%20%2B%3D&list-type=2&max-keys=1&prefix= '
check $? "the token sent encoded, the query sorted" "$(cat "$FLOG")"
check_eq "$(grep -c '^connection' "$FLOG")" 1 "on one connection"

# A kept connection the endpoint closed without saying so (its idle
# timeout): replaced at once, not counted among the tries, so that five
# 500s after it still leave a try for the answer.
{
	printf 'CLOSE\n'; answer "200 OK" "" "$p1"; sep
	for i in 1 2 3 4 5; do answer "500 Internal" "" "<Error><Code>InternalError</Code></Error>"; sep; done
	answer "200 OK" "" '<ListBucketResult><Contents><Key>k2</Key><Size>2</Size></Contents></ListBucketResult>'
} >s5b
fake s5b
probe --page 1 list
check_eq "$RC" 0 "a kept connection found closed, then five 500s"
check_eq "$(grep -v '^status' "$OUT" | tr '\n' ' ')" "k1 1  k2 2  " "both pages"
has "$ERR" 'requests 8'
check $? "8 requests: the closed connection's one not counted as a try" "$(cat "$ERR")"
check_eq "$(grep -c '^connection' "$FLOG")" 2 "on a second connection"

# A truncated page that gives no token would loop for ever: refused.
{ answer "200 OK" "" '<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>'; } >s6
fake s6
probe list
check_eq "$RC" 2 "a truncated page without a token"
has "$ERR" 'without a new continuation token'
check $? "is refused in words"

# ---- bad framing and heads -------------------------------------------------------
: >s7
for i in 1 2 3 4 5 6; do
	printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n' >>s7
	[ $i = 6 ] || sep >>s7
done
fake s7
probe list
check_eq "$RC" 2 "a chunk size that is not hex, every time"
has "$ERR" 'requests 6'
check $? "is retried, then given up on" "$(cat "$ERR")"

: >s8
for i in 1 2 3 4 5 6; do
	{ printf 'HTTP/1.1 200 OK\r\n'; head -c 9000 /dev/zero | tr '\0' 'a'
	  printf ': x\r\n\r\n'; } >>s8
	[ $i = 6 ] || sep >>s8
done
fake s8
probe head k
check_eq "$RC" 2 "an answer head over 8 KiB"
has "$ERR" 'malformed answer'
check $? "is a malformed answer, in words" "$(cat "$ERR")"

{ printf 'HTTP/1.1 99x OK\r\n\r\n'; sep; answer "204 No Content"; } >s9
fake s9
probe delete k
check_eq "$RC" 0 "a bad status line, then a good answer"

# ---- GET bodies ------------------------------------------------------------------
{ printf 'CLOSE\nHTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b'; } >s10
fake s10
probe get k
check_eq "$RC" 2 "a GET body cut short"
has "$ERR" 'cut short'
check $? "says so"
check_eq "$(cat "$OUT")" "only ten b" "the bytes that came were handed over"

{ printf 'CLOSE\nHTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end'; } >s11
fake s11
probe get k
check_eq "$RC" 0 "a body that runs to the close"
check_eq "$(cat "$OUT")" "to the end" "read whole"

# ---- error replies ------------------------------------------------------------------
big=$(head -c 70000 /dev/zero | tr '\0' 'x')
{ answer "403 Forbidden" "" "<Error><Code>AccessDenied</Code><Message>$big</Message></Error>"; } >s12
fake s12
probe head k
check_eq "$RC" 1 "an error reply over 64 KiB"
has "$OUT" 'status 403'
check $? "still gives its status"

{ answer "404 Not Found" "" "<Error><Code>NoSuchKey</Code><Message>gone &amp; away</Message></Error>"; } >s13
fake s13
probe get k
check_eq "$RC" 1 "404"
has "$ERR" 'GET k: 404 NoSuchKey: gone & away'
check $? "code and message in words" "$(cat "$ERR")"

{ answer "200 OK" "" '<Error><Code>InternalError</Code></Error>'; sep
  answer "200 OK" "" '<InitiateMultipartUploadResult><UploadId>u-1</UploadId></InitiateMultipartUploadResult>'; sep
  answer "200 OK" 'ETag: "p1"\r\n'; sep
  answer "200 OK" "" '<Error><Code>InternalError</Code><Message>try again</Message></Error>'; sep
  answer "200 OK" "" '<CompleteMultipartUploadResult><ETag>"m-1"</ETag></CompleteMultipartUploadResult>'; } >s14
fake s14
probe mpu k body 1000
check_eq "$RC" 0 "an error inside a 200 is retried (begin and complete)"
has "$OUT" 'parts 1 etag m-1'
check $? "the upload completes with its ETag" "$(cat "$OUT")"
has "$FLOG" 'request POST /bkt/k?uploads= HTTP/1.1'
check $? "begin is POST ?uploads= (the '=' after an empty parameter)"
has "$FLOG" 'request PUT /bkt/k?partNumber=1&uploadId=u-1 HTTP/1.1'
check $? "the part is PUT ?partNumber=1&uploadId="

finish
