#!/bin/sh
# t_cipher.sh — the cipher follows the CPU (DESIGN.md, "Transport"): with
# hardware AES and GHASH both sides put AES-128-GCM first and the server
# follows the client's order; a server without them (the release cairnd
# under qemu with a CPU model lacking AES-NI, as a router's CPU lacks it)
# enforces ChaCha20-Poly1305, whatever the client prefers, and still
# serves a client that offers AES-GCM alone. A cairn without them offers
# ChaCha20-Poly1305 alone (constant-time AES is not in the client).
# Judged by openssl s_client and by the suite cairnd logs for a backup.
. "$(dirname "$0")/lib.sh"

AES=ECDHE-ECDSA-AES128-GCM-SHA256
CHACHA=ECDHE-ECDSA-CHACHA20-POLY1305
SRC=$W/src
mkdir -p "$SRC"
printf 'data\n' >"$SRC/a.txt"

suite_of() {	# suite_of CIPHERLIST: the suite openssl got, in $GOT
	RUN_N=$((RUN_N + 1))
	RUN_OUT=$W/run$RUN_N.out
	timeout 60 openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 \
		-cert "$CERTS/client_cert.pem" -key "$CERTS/client_key.pem" \
		-CAfile "$CERTS/ca_cert.pem" -servername localhost \
		-cipher "$1" </dev/null >"$RUN_OUT" 2>&1
	GOT=$(sed -n 's/.*Cipher is \([A-Z0-9-]*\).*/\1/p' "$RUN_OUT" | head -n 1)
}

backup_suite() {	# the suite cairnd logged for a cairn backup, in $GOT
	run_cairn --source "$SRC"
	check_rc 0 "$1: cairn backs up"
	GOT=$(sed -n 's/.*begins snapshot .* (\([A-Z0-9-]*\))$/\1/p' "$SERVER_LOG" | tail -n 1)
}

if grep -qw aes /proc/cpuinfo && grep -qw pclmulqdq /proc/cpuinfo; then
	start_server || finish
	suite_of "$CHACHA:$AES"
	check_eq "$GOT" "$CHACHA" "AES-NI server: a client preferring ChaCha20 gets it"
	suite_of "$AES:$CHACHA"
	check_eq "$GOT" "$AES" "AES-NI server: a client preferring AES-GCM gets it"
	backup_suite "AES-NI on both sides"
	check_eq "$GOT" "$AES" "AES-NI on both sides: cairn and cairnd use AES-128-GCM"
	stop_server
else
	note "this CPU has no AES-NI and PCLMUL: the hardware leg is not run"
fi

QEMU=$(command -v qemu-x86_64-static || command -v qemu-x86_64)
RELEASE=$TOP/build/cairnd
if [ "$(uname -m)" = x86_64 ] && [ -n "$QEMU" ] && [ -x "$RELEASE" ]; then
	# A CPU model without AES-NI or PCLMUL, as on a router.
	cat >"$W/cairnd-noaes" <<EOS
#!/bin/sh
exec "$QEMU" -cpu qemu64 "$RELEASE" "\$@"
EOS
	chmod +x "$W/cairnd-noaes"
	CAIRND=$W/cairnd-noaes
	start_server || finish
	suite_of "$AES:$CHACHA"
	check_eq "$GOT" "$CHACHA" "a server without AES hardware enforces ChaCha20 on a client preferring AES-GCM"
	suite_of "$AES"
	check_eq "$GOT" "$AES" "a server without AES hardware serves a client offering AES-GCM alone"
	backup_suite "server without AES hardware"
	check_eq "$GOT" "$CHACHA" "and cairn, preferring AES-GCM on this CPU, gets ChaCha20 from it"
	stop_server
fi
RELEASE_C=$TOP/build/cairn
if [ "$(uname -m)" = x86_64 ] && [ -n "$QEMU" ] && [ -x "$RELEASE_C" ] &&
	grep -qw aes /proc/cpuinfo && grep -qw pclmulqdq /proc/cpuinfo; then
	# The client on a router's CPU, the server with AES-NI: the client
	# offers ChaCha20 alone, and the server takes it.
	cat >"$W/cairn-noaes" <<EOS
#!/bin/sh
exec "$QEMU" -cpu qemu64 "$RELEASE_C" "\$@"
EOS
	chmod +x "$W/cairn-noaes"
	CAIRND=$TOP/build/asan/cairnd
	[ -x "$CAIRND" ] || CAIRND=$RELEASE
	start_server || finish
	CAIRN=$W/cairn-noaes
	backup_suite "client without AES hardware"
	check_eq "$GOT" "$CHACHA" "a cairn without AES hardware uses ChaCha20 with an AES-NI server"
	stop_server
	# A server that takes AES-GCM alone: such a cairn has no suite for it.
	PORT=$(random_port)
	# (s_server quits at the end of its input: give it none for a while.)
	sleep 10 2>/dev/null | openssl s_server -accept "127.0.0.1:$PORT" -tls1_2 \
		-naccept 1 -cipher "$AES" -cert "$CERTS/server_cert.pem" \
		-key "$CERTS/server_key.pem" -CAfile "$CERTS/ca_cert.pem" \
		-Verify 1 >/dev/null 2>"$W/s_server.err" &
	SPID=$!
	sleep 1
	run_cairn --server 127.0.0.1 --port "$PORT" --server-name localhost \
		--source "$SRC"
	check_rc 3 "a cairn without AES hardware does not connect to an AES-GCM-only server"
	check_eq "$(grep -c 'no shared cipher' "$W/s_server.err")" 1 \
		"openssl s_server finds no shared cipher: that cairn offers no AES"
	kill "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
else
	note "no qemu-x86_64 or no release build/cairnd: the router leg is not run"
fi
finish
