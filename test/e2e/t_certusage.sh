#!/bin/sh
# t_certusage.sh — client certificates signed by the right CA but not made
# for clients are refused, in words, with exit 4: one for servers only
# (extended key usage serverAuth, no clientAuth), the server's own
# certificate, and a CA certificate (basicConstraints CA:TRUE). One
# without the extended key usage extension is still a client's.
# The odd certificates are made here with openssl and the test CA.
# cairn itself catches the first three before connecting (exit 2, naming
# the file); the server's refusal of them is checked with evilclient,
# which does not look at its own certificate.
. "$(dirname "$0")/lib.sh"

need_binaries
if ! command -v openssl >/dev/null 2>&1; then
	note "openssl not found: skipped"
	finish
fi

# odd_cert NAME CN EXTENSIONS...: NAME_key.pem and NAME_cert.pem in $W,
# signed by the test CA, with the extension lines given.
odd_cert() {
	_name=$1 _cn=$2
	shift 2
	: >"$W/$_name.ext"
	for _l in "$@"; do
		printf '%s\n' "$_l" >>"$W/$_name.ext"
	done
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-pkeyopt ec_param_enc:named_curve -out "$W/${_name}_key.pem" 2>>"$W/openssl.log" &&
		openssl req -new -key "$W/${_name}_key.pem" -subj "/O=cairn/CN=$_cn" \
			-out "$W/$_name.csr" 2>>"$W/openssl.log" &&
		openssl x509 -req -in "$W/$_name.csr" -CA "$CERTS/ca_cert.pem" \
			-CAkey "$CERTS/ca_key.pem" -set_serial "0x$(openssl rand -hex 8)" \
			-days 2 -sha256 -extfile "$W/$_name.ext" \
			-out "$W/${_name}_cert.pem" >>"$W/openssl.log" 2>&1
}

if odd_cert srvonly srvonly "basicConstraints = CA:FALSE" \
	"keyUsage = critical, digitalSignature" "extendedKeyUsage = serverAuth" &&
	odd_cert isca isca "basicConstraints = critical, CA:TRUE" \
		"keyUsage = critical, digitalSignature, keyCertSign" \
		"extendedKeyUsage = clientAuth" &&
	odd_cert noeku noeku "basicConstraints = CA:FALSE" \
		"keyUsage = critical, digitalSignature"; then
	ok "odd certificates made with openssl"
else
	fail "odd certificates made with openssl" "$(cat "$W/openssl.log")"
	finish
fi

start_server || finish
SRC=$W/src
mkdir -p "$SRC"
printf 'data\n' >"$SRC/a.txt"

# refused NAME CERT KEY REGEX WHAT: a backup with CERT/KEY exits 2 before
# connecting, says REGEX naming CERT, and leaves nothing in the store; the
# server, shown it by evilclient, refuses it and logs why.
refused() {
	_before=$(cd "$D" && find . | sort)
	STATE=$W/state_$1.json
	run_client "$2" "$3" "$CERTS/ca_cert.pem" --source "$SRC"
	check_rc 2 "$5: cairn refuses it before connecting (exit 2)"
	check_err "$4" "$5: the message says why"
	check_err_has "$2" "$5: the message names the file"
	check_eq "$(cd "$D" && find . | sort)" "$_before" "$5: nothing stored"
	run_raw "$TOP/build/asan/evilclient" 127.0.0.1 "$PORT" localhost "$2" "$3" \
		"$CERTS/ca_cert.pem" dotdot
	check_rc 2 "$5: the server refuses it in the handshake (evilclient)"
}

refused srvonly "$W/srvonly_cert.pem" "$W/srvonly_key.pem" 'not for client authentication.*clientAuth' \
	"a certificate for servers only (EKU serverAuth)"
refused server "$CERTS/server_cert.pem" "$CERTS/server_key.pem" 'not for client authentication.*clientAuth' \
	"the server's own certificate as a client's"
refused isca "$W/isca_cert.pem" "$W/isca_key.pem" "is a CA's" \
	"a CA certificate (CA:TRUE) signed as a client's"
if grep -q 'not for clients' "$SERVER_LOG" && grep -q 'is a CA certificate' "$SERVER_LOG"; then
	ok "the server's log names the reasons"
else
	fail "the server's log names the reasons" "$(tail -n 10 "$SERVER_LOG")"
fi

# Still clients: no extended key usage at all, and the usual ones.
STATE=$W/state_noeku.json
run_client "$W/noeku_cert.pem" "$W/noeku_key.pem" "$CERTS/ca_cert.pem" --source "$SRC"
check_rc 0 "a client certificate without the EKU extension is accepted"
STATE=$W/state.json
run_cairn --source "$SRC"
check_rc 0 "alice (EKU clientAuth) backs up"
stop_server
finish
