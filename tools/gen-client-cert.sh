#!/bin/sh
# gen-client-cert.sh — make a client certificate and key signed by cairn's CA.
#
#   tools/gen-client-cert.sh <client_name>
#
# Uses ca_cert.pem and ca_key.pem in ${CERTS_DIR:-certs} (made by
# tools/gen-certs.sh) and writes there ${OUT:-client}_cert.pem and
# ${OUT:-client}_key.pem: ECDSA P-256, CN=<client_name> (the client's
# identity on the server), clientAuth, about 5 years, the key unencrypted
# PKCS#8 with mode 0600. An existing pair with the same name is replaced.
# Exit status: 0 done, 1 failure, 2 usage error.
set -eu
LC_ALL=C
export LC_ALL

prog=gen-client-cert.sh
say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { say "$*"; exit 1; }
usage() {
	[ $# -gt 0 ] && say "$*"
	cat >&2 <<'EOF'
usage: tools/gen-client-cert.sh <client_name>
  <client_name>  the client's name on the server (certificate CN): 1 to 64
                 letters, digits, '.', '_', '-', not starting with '.' or '-'
environment: CERTS_DIR (default certs), OUT (file prefix, default client)
EOF
	exit 2
}

# safe_name NAME: letters, digits, . _ -, 1..64 chars, no leading . or -
safe_name() {
	case $1 in
	'' | [.-]* | *[!A-Za-z0-9._-]*) return 1 ;;
	esac
	[ ${#1} -le 64 ]
}

[ $# -eq 1 ] || usage "expected 1 argument, got $#"
name=$1
safe_name "$name" || usage "client name '$name' is not a safe name"
out=${OUT:-client}
safe_name "$out" || usage "OUT='$out' is not a safe file prefix (letters, digits, '.', '_', '-')"

command -v openssl >/dev/null 2>&1 || die "openssl not found: install it (Debian: apt-get install openssl)"

dir=${CERTS_DIR:-certs}
ca_cert=$dir/ca_cert.pem
ca_key=$dir/ca_key.pem
[ -f "$ca_cert" ] && [ -f "$ca_key" ] ||
	die "no CA in $dir (need ca_cert.pem and ca_key.pem): run tools/gen-certs.sh <password> <server_name> first"

cert=$dir/${out}_cert.pem
key=$dir/${out}_key.pem
replacing=0
{ [ -e "$cert" ] || [ -e "$key" ]; } && replacing=1

umask 077
tmp=$(mktemp -d "$dir/.gen-client.XXXXXX") || die "cannot create a temporary directory in $dir"
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

now=$(date -u +%s)
past=$((now - 86400))
start=$(date -u -d "@$past" +%Y%m%d%H%M%SZ 2>/dev/null ||
	date -u -r "$past" +%Y%m%d%H%M%SZ 2>/dev/null || true)

: >"$tmp/index.txt"
printf '%s%s\n' 01 "$(openssl rand -hex 15)" >"$tmp/serial"
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
[v3_client]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-pkeyopt ec_param_enc:named_curve -out "$tmp/key.pem" 2>"$tmp/err" ||
	{ cat "$tmp/err" >&2; die "openssl genpkey failed"; }
openssl req -new -config "$tmp/openssl.cnf" -key "$tmp/key.pem" \
	-subj "/O=cairn/CN=$name" -out "$tmp/req.csr" 2>"$tmp/err" ||
	{ cat "$tmp/err" >&2; die "openssl req failed"; }
set -- -batch -notext -preserveDN -config "$tmp/openssl.cnf" \
	-cert "$ca_cert" -keyfile "$ca_key" -in "$tmp/req.csr" \
	-out "$tmp/cert.pem" -days 1826 -extensions v3_client
[ -n "$start" ] && set -- "$@" -startdate "$start"
openssl ca "$@" >"$tmp/err" 2>&1 ||
	{ cat "$tmp/err" >&2; die "openssl ca failed to sign the client certificate (is $ca_key the key of $ca_cert?)"; }
openssl verify -CAfile "$ca_cert" "$tmp/cert.pem" >"$tmp/err" 2>&1 ||
	{ cat "$tmp/err" >&2; die "the new client certificate does not verify against $ca_cert"; }

chmod 600 "$tmp/key.pem"
chmod 644 "$tmp/cert.pem"
mv -f "$tmp/key.pem" "$key"
mv -f "$tmp/cert.pem" "$cert"
[ "$replacing" = 1 ] && say "replaced the previous $cert and $key"
printf 'wrote %s\n' "$cert" "$key"
printf 'client name: %s\n' "$name"
