#!/bin/sh
# t_s3_options.sh — cairnd's object-store options (--store s3, --s3-*):
# what is missing or contradicts is refused in words with exit 2, before
# anything listens; a credentials file others may read is refused; the
# SMALL build (CAIRN_S3=0) recognises the options and refuses them. Needs
# no cluster.
. "$(dirname "$0")/lib.sh"

S3ARGS="--store s3 --s3-endpoint http://127.0.0.1:9 --s3-bucket bkt"

# cairnd_err WANT_TEXT WHAT ARGS...: cairnd exits 2 saying WANT_TEXT.
cairnd_err() {
	_want=$1 _what=$2
	shift 2
	run_raw "$CAIRND" "$@"
	check_rc 2 "$_what: exit 2"
	check_err_has "$_want" "$_what: in words"
}

cairnd_err "--store wants dir or s3, not ceph" "--store ceph" --store ceph
cairnd_err "the --s3-* options go with --store s3" "--s3-bucket alone" --s3-bucket b
cairnd_err "needs --s3-endpoint and --s3-bucket" "--store s3 alone" --store s3
env -u CAIRN_S3_ACCESS_KEY -u CAIRN_S3_SECRET_KEY true 2>/dev/null && ENVU="env -u CAIRN_S3_ACCESS_KEY -u CAIRN_S3_SECRET_KEY"
# shellcheck disable=SC2086
run_raw ${ENVU:-env} "$CAIRND" $S3ARGS
check_rc 2 "no credentials: exit 2"
check_err_has "needs --s3-credentials FILE or CAIRN_S3_ACCESS_KEY and CAIRN_S3_SECRET_KEY" \
	"no credentials: in words"

printf '# cairn\nAKEY:SECRET\n' >cred
chmod 644 cred
# shellcheck disable=SC2086
cairnd_err "may be read by others (mode 644): it holds a secret key, chmod 600 it" \
	"a credentials file others may read" $S3ARGS --s3-credentials cred
chmod 640 cred
# shellcheck disable=SC2086
cairnd_err "chmod 600" "a credentials file its group may read" $S3ARGS --s3-credentials cred
chmod 600 cred
# shellcheck disable=SC2086
run_raw "$CAIRND" $S3ARGS --s3-credentials cred
if grep -q 'credentials' "$RUN_ERR"; then
	fail "a mode 0600 credentials file is taken" "$(cat "$RUN_ERR")"
else
	ok "a mode 0600 credentials file is taken"
fi
printf 'no colon here\n' >cred2
chmod 600 cred2
# shellcheck disable=SC2086
cairnd_err "holds no ACCESS_KEY:SECRET_KEY line" "a credentials file without one" \
	$S3ARGS --s3-credentials cred2
# shellcheck disable=SC2086
cairnd_err "cannot open $W/none" "a credentials file that is not there" \
	$S3ARGS --s3-credentials "$W/none"
cairnd_err "unknown option --s3-bukket (did you mean --s3-bucket?)" "a typo" --s3-bukket b

small=$TOP/build/small/cairnd
if [ -x "$small" ]; then
	# shellcheck disable=SC2086
	run_raw "$small" $S3ARGS --s3-credentials cred
	check_rc 2 "SMALL build: --store s3 exits 2"
	check_err_has "built without the S3 object store (CAIRN_S3=0)" "SMALL build: in words"
	run_raw "$small" --s3-prefix p
	check_rc 2 "SMALL build: an --s3-* option alone exits 2"
	check_err_has "built without the S3 object store" "SMALL build: in words too"
else
	note "no $small (make SMALL=1): its refusal not checked"
fi
finish
