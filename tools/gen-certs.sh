#!/bin/sh
# gen-certs.sh — make the CA and the server's certificate and key for cairn.
#
#   tools/gen-certs.sh <password> <server_name>
#   tools/gen-certs.sh --ui <name_or_ip> <dir>
#
# Writes into ${CERTS_DIR:-certs} (created if needed):
#   ca_cert.pem, ca_key.pem          the CA (ECDSA P-256, 10 years)
#   server_cert.pem, server_key.pem  the server (P-256, CN and subjectAltName
#                                    <server_name>, about 5 years)
# With an empty <password> the server key is unencrypted PKCS#8; otherwise it
# is encrypted PKCS#8 (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC). The password
# reaches openssl through the environment, never on its command line.
#
# An existing CA is kept (only the server certificate is made again) unless
# FORCE=1: a new CA would orphan every client certificate it signed.
#
# --ui makes the certificate of cairn --ui's web page instead (--ui-cert,
# --ui-key): ui_cert.pem and ui_key.pem in <dir>, self-signed, P-256,
# serverAuth, subjectAltName DNS (and IP) <name_or_ip>, about 2 years, the
# key unencrypted (0600). A browser asks once whether to trust it: compare
# the fingerprint it shows with the one printed here.
# Exit status: 0 done, 1 failure, 2 usage error.
set -eu
LC_ALL=C
export LC_ALL

prog=gen-certs.sh
say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { say "$*"; exit 1; }
usage() {
	[ $# -gt 0 ] && say "$*"
	cat >&2 <<'EOF'
usage: tools/gen-certs.sh <password> <server_name>
       tools/gen-certs.sh --ui <name_or_ip> <dir>
  <password>     encrypts the server key ("" leaves it unencrypted)
  <server_name>  the name clients use for the server (--server-name):
                 a host name or an IPv4 address
environment: CERTS_DIR (default certs), FORCE=1 to replace an existing CA
EOF
	exit 2
}

ui=0
if [ "${1:-}" = --ui ]; then
	[ $# -eq 3 ] || usage "--ui takes a name or address and a directory"
	ui=1
	pass=
	name=$2
	CERTS_DIR=$3
else
	[ $# -eq 2 ] || usage "expected 2 arguments, got $#"
	pass=$1
	name=$2
fi
[ -n "$name" ] || usage "the server name is empty"
case $name in
*[!A-Za-z0-9._:-]*) usage "server name '$name': use letters, digits, '.', '-', '_' (a host name) or an IP address" ;;
[.-]*) usage "server name '$name' must not start with '.' or '-'" ;;
esac
[ ${#name} -le 253 ] || usage "server name is longer than 253 characters"

command -v openssl >/dev/null 2>&1 || die "openssl not found: install it (Debian: apt-get install openssl)"

dir=${CERTS_DIR:-certs}
mkdir -p -- "$dir" || die "cannot create directory $dir"

# Subject alternative names: DNS for a host name, IP too for an IPv4 address.
is_ipv4() {
	case $1 in
	*[!0-9.]* | *..* | .* | *.) return 1 ;;
	esac
	old_ifs=$IFS
	IFS=.
	# shellcheck disable=SC2086
	set -- $1
	IFS=$old_ifs
	[ $# -eq 4 ] || return 1
	for o in "$@"; do
		[ ${#o} -le 3 ] && [ "$o" -le 255 ] || return 1
	done
	return 0
}
if is_ipv4 "$name"; then
	san="DNS:$name, IP:$name"
else
	case $name in
	*:*) san="IP:$name" ;;		# IPv6 literal
	*) san="DNS:$name" ;;
	esac
fi
# X.509 limits a common name to 64 characters; the SAN carries the name.
cn=$name
[ ${#cn} -le 64 ] || cn="cairn server"

# The web page's certificate: self-signed, no CA.
if [ "$ui" = 1 ]; then
	umask 077
	tmp=$(mktemp -d "$dir/.gen-certs.XXXXXX") || die "cannot create a temporary directory in $dir"
	trap 'rm -rf -- "$tmp"' EXIT
	trap 'exit 1' HUP INT TERM
	cat >"$tmp/openssl.cnf" <<EOF
[req]
distinguished_name = req_dn
prompt = no
x509_extensions = v3_ui
[req_dn]
O = cairn
CN = $cn
[v3_ui]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $san
subjectKeyIdentifier = hash
EOF
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-pkeyopt ec_param_enc:named_curve -out "$tmp/key.pem" 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; die "openssl genpkey failed"; }
	openssl pkcs8 -topk8 -nocrypt -in "$tmp/key.pem" -out "$tmp/ui_key.pem" 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; die "openssl pkcs8 failed"; }
	openssl req -x509 -new -config "$tmp/openssl.cnf" -key "$tmp/ui_key.pem" \
		-sha256 -days 825 -out "$tmp/ui_cert.pem" 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; die "openssl req failed for the web page's certificate"; }
	chmod 600 "$tmp/ui_key.pem"
	chmod 644 "$tmp/ui_cert.pem"
	mv -f "$tmp/ui_key.pem" "$dir/ui_key.pem"
	mv -f "$tmp/ui_cert.pem" "$dir/ui_cert.pem"
	printf 'wrote %s\n' "$dir/ui_cert.pem" "$dir/ui_key.pem"
	printf 'web UI name: %s (subjectAltName %s)\n' "$name" "$san"
	printf 'fingerprint (check it when the browser asks): %s\n' \
		"$(openssl x509 -in "$dir/ui_cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)"
	printf 'next: cairn --ui --listen ADDR:PORT --ui-cert %s --ui-key %s\n' \
		"$dir/ui_cert.pem" "$dir/ui_key.pem"
	exit 0
fi

ca_cert=$dir/ca_cert.pem
ca_key=$dir/ca_key.pem
new_ca=1
if [ -e "$ca_cert" ] || [ -e "$ca_key" ]; then
	if [ "${FORCE:-0}" = 1 ]; then
		say "FORCE=1: replacing the CA in $dir; client certificates it signed stop working"
	elif [ -f "$ca_cert" ] && [ -f "$ca_key" ]; then
		new_ca=0
		say "keeping the existing CA in $dir (FORCE=1 makes a new one, which orphans its client certificates); making only a new server certificate"
	else
		die "$dir has only one of ca_cert.pem and ca_key.pem; restore the other, or run with FORCE=1 to make a new CA (client certificates it signed stop working)"
	fi
fi

umask 077
tmp=$(mktemp -d "$dir/.gen-certs.XXXXXX") || die "cannot create a temporary directory in $dir"
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# A date a little in the past as notBefore, so a clock slightly behind this
# one still accepts the certificates; empty when date cannot do arithmetic.
now=$(date -u +%s)
past=$((now - 86400))
start=$(date -u -d "@$past" +%Y%m%d%H%M%SZ 2>/dev/null ||
	date -u -r "$past" +%Y%m%d%H%M%SZ 2>/dev/null || true)

# A throwaway `openssl ca` setup: database, serial and extension profiles.
: >"$tmp/index.txt"
cat >"$tmp/openssl.cnf" <<EOF
[ca]
default_ca = cairn_ca
[cairn_ca]
dir = $tmp
database = $tmp/index.txt
new_certs_dir = $tmp
serial = $tmp/serial
default_md = sha256
policy = policy_cn
unique_subject = no
copy_extensions = none
email_in_dn = no
[policy_cn]
commonName = supplied
organizationName = optional
[req]
distinguished_name = req_dn
prompt = no
[req_dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# newkey FILE: an unencrypted P-256 key in PKCS#8.
newkey() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-pkeyopt ec_param_enc:named_curve -out "$1" 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; die "openssl genpkey failed"; }
}

# sign CSR OUT DAYS EXTENSIONS [ca options...]: issue a certificate.
sign() {
	csr=$1 out=$2 days=$3 ext=$4
	shift 4
	# a random positive 128-bit serial
	printf '%s%s\n' 01 "$(openssl rand -hex 15)" >"$tmp/serial"
	set -- "$@" -batch -notext -preserveDN -config "$tmp/openssl.cnf" -in "$csr" \
		-out "$out" -days "$days" -extensions "$ext"
	[ -n "$start" ] && set -- "$@" -startdate "$start"
	openssl ca "$@" >"$tmp/err" 2>&1 ||
		{ cat "$tmp/err" >&2; die "openssl ca failed to sign $ext certificate"; }
}

if [ "$new_ca" = 1 ]; then
	newkey "$tmp/ca_key.pem"
	ca_cn="cairn CA $(date -u +%Y-%m-%d) $(openssl rand -hex 4)"
	openssl req -new -config "$tmp/openssl.cnf" -key "$tmp/ca_key.pem" \
		-subj "/O=cairn/CN=$ca_cn" -out "$tmp/ca.csr" 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; die "openssl req failed for the CA"; }
	sign "$tmp/ca.csr" "$tmp/ca_cert.pem" 3650 v3_ca \
		-selfsign -keyfile "$tmp/ca_key.pem"
	use_ca_cert=$tmp/ca_cert.pem
	use_ca_key=$tmp/ca_key.pem
else
	use_ca_cert=$ca_cert
	use_ca_key=$ca_key
fi

newkey "$tmp/server_plain.pem"
openssl req -new -config "$tmp/openssl.cnf" -key "$tmp/server_plain.pem" \
	-subj "/O=cairn/CN=$cn" -out "$tmp/server.csr" 2>"$tmp/err" ||
	{ cat "$tmp/err" >&2; die "openssl req failed for the server"; }
sign "$tmp/server.csr" "$tmp/server_cert.pem" 1826 v3_server \
	-cert "$use_ca_cert" -keyfile "$use_ca_key"

if [ -n "$pass" ]; then
	CAIRN_GEN_PASS=$pass openssl pkcs8 -topk8 -v2 aes-256-cbc \
		-v2prf hmacWithSHA256 -in "$tmp/server_plain.pem" \
		-out "$tmp/server_key.pem" -passout env:CAIRN_GEN_PASS 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; die "openssl pkcs8 failed to encrypt the server key"; }
else
	openssl pkcs8 -topk8 -nocrypt -in "$tmp/server_plain.pem" \
		-out "$tmp/server_key.pem" 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; die "openssl pkcs8 failed"; }
fi

openssl verify -CAfile "$use_ca_cert" "$tmp/server_cert.pem" >"$tmp/err" 2>&1 ||
	{ cat "$tmp/err" >&2; die "the new server certificate does not verify against the CA"; }

# Move into place: keys stay 0600, certificates are public.
chmod 600 "$tmp"/*_key.pem
chmod 644 "$tmp"/*_cert.pem
if [ "$new_ca" = 1 ]; then
	mv -f "$tmp/ca_key.pem" "$ca_key"
	mv -f "$tmp/ca_cert.pem" "$ca_cert"
	printf 'wrote %s\n' "$ca_cert" "$ca_key"
fi
mv -f "$tmp/server_key.pem" "$dir/server_key.pem"
mv -f "$tmp/server_cert.pem" "$dir/server_cert.pem"
printf 'wrote %s\n' "$dir/server_cert.pem" "$dir/server_key.pem"
if [ -n "$pass" ]; then
	printf 'server key encrypted (PKCS#8, PBES2 AES-256-CBC); give cairnd --key-pass-file or CAIRN_KEY_PASS\n'
else
	printf 'server key unencrypted (PKCS#8)\n'
fi
printf 'server name: %s (subjectAltName %s)\n' "$name" "$san"
printf 'server fingerprint (for cairn --server-fingerprint): %s\n' \
	"$(openssl x509 -in "$dir/server_cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)"
printf 'next: tools/gen-client-cert.sh <client_name>\n'
