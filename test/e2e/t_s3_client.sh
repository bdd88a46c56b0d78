#!/bin/sh
# t_s3_client.sh — cairnd's S3 client (src/server/s3.c) against a real
# radosgw (tools/ceph-up.sh), driven by test/tools/s3probe: objects put,
# read whole and from an offset, listed in pages, deleted; a multipart
# upload; 16 writers with If-None-Match: * of which exactly one wins;
# If-Match as compare-and-swap; the same over TLS with radosgw's RSA
# certificate, a P-384 chain (openssl s_server) and CAs that must be
# refused; a connection cut mid-body (cutproxy) retried; an endpoint that
# is down given up on in words.
. "$(dirname "$0")/lib.sh"
. "$TOP/test/e2e/s3lib.sh"

s3_cluster
CAIRN_S3_BUCKET=t-s3-client-$$
export CAIRN_S3_BUCKET
md5() { md5sum "$1" | cut -d' ' -f1; }

s3 mkbucket
s3_check 0 "bucket made"

# ---- objects ----------------------------------------------------------------
printf 'hello, bucket\n' >small
s3 put a/small small
s3_check 0 "put a small object"
check_eq "$(sed -n 's/^etag \([^ ]*\) .*/\1/p' "$S3_OUT")" "$(md5 small)" \
	"its ETag is its MD5, quotes off"
s3 get a/small
s3_check 0 "get it"
check_eq "$(md5 "$S3_OUT")" "$(md5 small)" "the same bytes come back"
s3 head a/small
check_eq "$(head -n 1 "$S3_OUT")" "14 $(md5 small)" "head: size and ETag"
s3 get a/small 7
check_eq "$(cat "$S3_OUT")" "bucket" "get from byte 7"
grep -q 'status 206' "$S3_ERR"
check $? "a ranged get is 206"

# A key of awkward bytes: encoded in the path, signed, listed back whole.
odd='dir/a b+c%d~e&f=g;h(i)*'"'"'j=é'
s3 put "$odd" small
s3_check 0 "put a key with spaces, +, %, &, =, quotes and UTF-8"
s3 get "$odd"
check_eq "$(md5 "$S3_OUT")" "$(md5 small)" "get it back by that key"
s3 list dir/
check_eq "$(head -n 1 "$S3_OUT")" "$odd 14 $(md5 small)" "list gives the key as it was"

s3 get a/missing
s3_check 1 "a missing key"
grep -q 'status 404' "$S3_ERR" && grep -q 'NoSuchKey' "$S3_ERR"
check $? "is 404 NoSuchKey, in words"

# ---- listing in pages ----------------------------------------------------
for i in 1 2 3 4 5; do
	s3 put "l/$i" small
done
s3 --page 2 list l/
s3_check 0 "list 5 keys in pages of 2"
check_eq "$(cut -d' ' -f1 "$S3_OUT" | tr '\n' ' ')" "l/1 l/2 l/3 l/4 l/5 status " \
	"every key once, in order"
check_eq "$(sed -n 's/^requests //p' "$S3_ERR")" 3 "in 3 requests"
s3 --page 2 list l/ l/2
check_eq "$(cut -d' ' -f1 "$S3_OUT" | tr '\n' ' ')" "l/3 l/4 l/5 status " "start after l/2"
S3PROBE_LIST_STOP=2 s3 --page 2 list l/
s3_check 3 "a reader that stops the listing stops it"
check_eq "$(wc -l <"$S3_OUT" | tr -d ' ')" 2 "after two keys"
s3 --prefix l/ list
check_eq "$(cut -d' ' -f1 "$S3_OUT" | tr '\n' ' ')" "1 2 3 4 5 status " \
	"with --prefix the keys are relative to it"

# ---- delete -----------------------------------------------------------------
s3 delete l/5
s3_check 0 "delete"
s3 get l/5
s3_check 1 "then it is gone"
s3 delete l/5
s3_check 0 "deleting it again is 204 too"

# ---- multipart ----------------------------------------------------------------
head -c 12000000 /dev/urandom >big
s3 mpu big big 5242880
s3_check 0 "a 12 MB multipart upload in 5 MiB parts"
grep -q '^parts 3 ' "$S3_OUT"
check $? "three parts"
s3 head big
case $(cat "$S3_OUT") in
"12000000 "*-3*) ok "head: its size and a 3-part ETag" ;;
*) fail "head: its size and a 3-part ETag" "$(cat "$S3_OUT")" ;;
esac
s3 get big
check_eq "$(md5 "$S3_OUT")" "$(md5 big)" "the whole object comes back"

# ---- conditional writes -----------------------------------------------------
s3 race lock 16
s3_check 0 "16 writers with If-None-Match: *"
check_eq "$(head -n 1 "$S3_OUT")" "won 1 lost 15 other 0" "exactly one wins, 15 get 412"
s3 putif lock small
s3_check 1 "If-None-Match: * on an existing key"
grep -q 'status 412' "$S3_OUT"
check $? "is 412"
s3 head lock
e1=$(head -n 1 "$S3_OUT" | cut -d' ' -f2)
printf 'second\n' >second
s3 cas lock "$e1" second
s3_check 0 "If-Match with the current ETag replaces it"
s3 cas lock "$e1" small
s3_check 1 "If-Match with the old ETag"
grep -q 'status 412' "$S3_OUT"
check $? "is 412: compare-and-swap"
s3 get lock
check_eq "$(cat "$S3_OUT")" second "the winner's bytes stay"

# ---- TLS ----------------------------------------------------------------------
T_=--endpoint
s3 $T_ "$CAIRN_S3_TLS_ENDPOINT" --ca "$CAIRN_S3_CA" put tls/x big
s3_check 0 "put over TLS (radosgw's RSA certificate)"
s3 $T_ "$CAIRN_S3_TLS_ENDPOINT" --ca "$CAIRN_S3_CA" get tls/x
check_eq "$(md5 "$S3_OUT")" "$(md5 big)" "get over TLS"
check_eq "$(sed -n 's/^requests //p' "$S3_ERR")" 1 "one request each"
s3 $T_ "https://localhost:${CAIRN_S3_TLS_ENDPOINT##*:}" --ca "$CAIRN_S3_CA" head tls/x
s3_check 0 "the endpoint by its name, localhost"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other CA" \
	-keyout other.key -out other.pem >/dev/null 2>&1
s3 $T_ "$CAIRN_S3_TLS_ENDPOINT" --ca other.pem head tls/x
s3_check 2 "a CA that did not sign radosgw's certificate"
grep -q 'not signed by a CA of --s3-ca' "$S3_ERR"
check $? "is refused in words" "$(cat "$S3_ERR")"
grep -q 'requests 0' "$S3_ERR"
check $? "without retrying and without a request sent"
s3 $T_ "$CAIRN_S3_TLS_ENDPOINT" --ca small head tls/x
s3_check 2 "a CA file with no certificate"
grep -q 'no certificate' "$S3_ERR"
check $? "says so"
s3 $T_ "$CAIRN_S3_TLS_ENDPOINT" head tls/x
s3_check 2 "https without a CA file is refused"

# A P-384 chain: a P-384 CA signing a P-384 server key with SHA-384,
# served by openssl s_server (its -www page answers a GET).
openssl ecparam -name secp384r1 -genkey -noout -out p384ca.key 2>/dev/null
openssl req -x509 -new -key p384ca.key -sha384 -days 2 -subj "/CN=P-384 CA" \
	-out p384ca.pem 2>/dev/null
openssl ecparam -name secp384r1 -genkey -noout -out p384.key 2>/dev/null
openssl req -new -key p384.key -subj "/CN=127.0.0.1" -out p384.csr 2>/dev/null
printf 'subjectAltName=DNS:127.0.0.1\n' >p384.ext
openssl x509 -req -in p384.csr -CA p384ca.pem -CAkey p384ca.key -CAcreateserial \
	-sha384 -days 2 -extfile p384.ext -out p384.pem 2>/dev/null
sport=$(random_port)
openssl s_server -quiet -accept "$sport" -cert p384.pem -key p384.key -www \
	</dev/null >s_server.out 2>&1 &
spid=$!
n=0
while [ $n -lt 50 ] && ! grep -q ":$sport " /proc/net/tcp6 /proc/net/tcp 2>/dev/null &&
	! ss -Htln "sport = :$sport" 2>/dev/null | grep -q .; do
	sleep 0.1
	n=$((n + 1))
done
s3 $T_ "https://127.0.0.1:$sport" --ca p384ca.pem get x
grep -q '^status ' "$S3_ERR"
check $? "a P-384 chain verifies (an answer came)" "$(cat "$S3_ERR")"
s3 $T_ "https://127.0.0.1:$sport" --ca "$CAIRN_S3_CA" get x
s3_check 2 "the P-384 server with the RSA CA is refused"
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null

# ---- faults -----------------------------------------------------------------
# The link cut after 300 000 bytes of a 12 MB PUT: the client retries on a
# new connection (cutproxy relays the second one whole).
rport=${CAIRN_S3_ENDPOINT##*:}
pport=$(random_port)
"$TOP/build/asan/cutproxy" "$pport" "$rport" 300000 2 >proxy.out 2>&1 &
ppid=$!
n=0
until grep -q listening proxy.out || [ $n -gt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
s3 $T_ "http://127.0.0.1:$pport" put cut/big big
s3_check 0 "a PUT whose connection is cut mid-body is retried"
grep -q 'tries 2' "$S3_OUT"
check $? "on a second try" "$(cat "$S3_OUT")"
wait "$ppid"
check_eq $? 0 "cutproxy did cut the first connection"
s3 get cut/big
check_eq "$(md5 "$S3_OUT")" "$(md5 big)" "and the object is whole"

dead=$(random_port)
s3 $T_ "http://127.0.0.1:$dead" --timeout 2000 head x
s3_check 2 "an endpoint that is down"
grep -q 'cannot connect to 127.0.0.1' "$S3_ERR" && grep -q 'after 6 tries' "$S3_ERR"
check $? "is given up on after 6 tries, in words" "$(cat "$S3_ERR")"

s3 $T_ "$CAIRN_S3_ENDPOINT" --bucket no-such-bucket-$$ list
s3_check 1 "a bucket that does not exist"
grep -q 'NoSuchBucket' "$S3_ERR"
check $? "is NoSuchBucket in words"
CAIRN_S3_SECRET_KEY=wrong s3 head a/small
s3_check 1 "a wrong secret"
check_eq "$(cat "$S3_OUT")" "status 403" "is 403"

# ---- valgrind: no byte sent or branched on uninitialised ----------------------
VG=$TOP/build/debug/s3probe
if command -v valgrind >/dev/null 2>&1 && [ -x "$VG" ]; then
	for c in "put vg/a small" "get vg/a" "head vg/a" "--page 2 list l/" \
		"mpu vg/big big 5242880" "delete vg/a" \
		"--endpoint $CAIRN_S3_TLS_ENDPOINT --ca $CAIRN_S3_CA get vg/big"; do
		# shellcheck disable=SC2086
		valgrind -q --error-exitcode=99 "$VG" $c >vg.out 2>vg.err
		rc=$?
		if [ $rc = 0 ]; then
			ok "valgrind: s3probe $c"
		else
			fail "valgrind: s3probe $c" "exit $rc" "$(grep -v '^requests' vg.err | head -n 20)"
		fi
	done
else
	note "no valgrind or no $VG (make debug): not run under valgrind"
fi

finish
