#!/bin/sh
# make-seeds.sh — seeds that hold (throwaway) key material, made at fuzz
# time so that none is ever committed.
#
#   sh test/fuzz/make-seeds.sh build/fuzz/corpus
#
# Adds to DIR/pkcs8/: encrypted PKCS#8 keys as openssl writes them (DER,
# pass phrase "pw", 1-5 PBKDF2 iterations; AES-256/128-CBC with
# HMAC-SHA256, and one with HMAC-SHA1, which cairn refuses); to DIR/pem/:
# "CA file NUL certificate file NUL key file" inputs for fuzz_pem with a
# fresh P-256 CA, a certificate it signed, and its key in each form cairn
# reads (PKCS#8, SEC1 "EC PRIVATE KEY", encrypted PKCS#8). Keys are made
# once; an existing seed is kept. Without openssl it says so and makes
# nothing (the committed seeds remain). Exit status 0 unless a write fails.
set -eu
LC_ALL=C
export LC_ALL

out=${1:?usage: make-seeds.sh DIR}
mkdir -p "$out/pkcs8" "$out/pem"
if [ -f "$out/.keys-made" ]; then
	exit 0
fi
if ! command -v openssl >/dev/null 2>&1; then
	echo "make-seeds.sh: openssl not found: no key seeds (apt-get install openssl)" >&2
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cairn-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
q() { "$@" 2>>"$tmp/log" || { cat "$tmp/log" >&2; exit 1; }; }

q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ca.key"
q openssl req -x509 -new -key "$tmp/ca.key" -subj /CN=fuzz-ca -days 2 -out "$tmp/ca.pem"
q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/k.pem"
q openssl req -new -key "$tmp/k.pem" -subj /CN=router1 -out "$tmp/k.csr"
q openssl x509 -req -in "$tmp/k.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
	-set_serial 1 -days 2 -out "$tmp/cert.pem"

# pkcs8: DER EncryptedPrivateKeyInfo.
p8() {	# name, cipher, prf, iterations
	q openssl pkcs8 -topk8 -in "$tmp/k.pem" -v2 "$2" -v2prf "$3" -iter "$4" \
		-outform DER -passout pass:pw -out "$out/pkcs8/$1.der"
}
p8 openssl-aes256-sha256-iter1 aes-256-cbc hmacWithSHA256 1
p8 openssl-aes128-sha256-iter5 aes-128-cbc hmacWithSHA256 5
p8 openssl-aes256-sha1-iter1 aes-256-cbc hmacWithSHA1 1

# pem: CA, NUL, certificate chain, NUL, key.
q openssl pkcs8 -topk8 -in "$tmp/k.pem" -nocrypt -out "$tmp/plain.pem"
q openssl ec -in "$tmp/k.pem" -out "$tmp/sec1.pem"
q openssl pkcs8 -topk8 -in "$tmp/k.pem" -v2 aes-256-cbc -v2prf hmacWithSHA256 \
	-iter 1 -passout pass:pw -out "$tmp/enc.pem"
pem() {	# name, key file
	{ cat "$tmp/ca.pem"; printf '\0'; cat "$tmp/cert.pem" "$tmp/ca.pem"
	  printf '\0'; cat "$2"; } >"$out/pem/$1"
}
pem openssl-pkcs8 "$tmp/plain.pem"
pem openssl-sec1 "$tmp/sec1.pem"
pem openssl-encrypted "$tmp/enc.pem"
# One file holding everything (no NUL: CA, certificate and key files alike).
cat "$tmp/cert.pem" "$tmp/plain.pem" >"$out/pem/openssl-one-file"
touch "$out/.keys-made"
