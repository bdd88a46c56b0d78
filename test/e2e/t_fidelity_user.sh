#!/bin/sh
# t_fidelity_user.sh — restore exactly what was backed up (issue 9), as a
# user: the tree of fidelity.sh without what needs root (no foreign
# owners, device, capability or trusted.* xattr), made, backed up and
# restored by a user who is not root. No error or warning on either run;
# the restore is owned by the user (owners "become the user's", silently,
# as rsync does), and
#
#   rsync -rlptXSc --specials --dry-run --itemize-changes SRC/ RESTORED/
#
# (no -o -g; --specials, or rsync says it skips the FIFO) prints nothing;
# so does the same with -H and -A, since the tree holds hard links and
# ACLs. The sparse file comes back sparse and is
# sent as its 24 KiB; a second run sends nothing.
#
# Run as root, the user is CAIRN_TEST_USER (default nobody), through
# setpriv, with copies of the certificates it can read; run as a user,
# that user. cairnd runs as whoever runs this script.
. "$(dirname "$0")/lib.sh"
. "$TOP/test/e2e/fidelity.sh"

RUN_BUDGET=${RUN_BUDGET:-300}
UW=$W/user		# the user's own directory
SRC=$UW/src
R=$UW/restored

need_tools || finish
mkdir -p "$UW/certs"
cp "$CERTS/client_cert.pem" "$CERTS/client_key.pem" "$CERTS/ca_cert.pem" "$UW/certs/"
if [ "$(id -u)" = 0 ]; then
	TUSER=${CAIRN_TEST_USER:-nobody}
	need_exec "running as $TUSER" setpriv "install util-linux" || finish
	if ! TUID=$(id -u "$TUSER" 2>/dev/null) || ! TGID=$(id -g "$TUSER"); then
		fail "user $TUSER exists" "set CAIRN_TEST_USER to a user that is not root"
		finish
	fi
	chown -R "$TUID:$TGID" "$UW"
	# as_user COMMAND...: COMMAND as the user, no other group.
	as_user() {
		setpriv --reuid="$TUID" --regid="$TGID" --clear-groups -- "$@"
	}
	wrap_cmd "$W/cairn-as-user" setpriv --reuid="$TUID" --regid="$TGID" \
		--clear-groups -- "$CAIRN"
	CAIRN=$W/cairn-as-user
else
	TUSER=$(id -un)
	TUID=$(id -u)
	TGID=$(id -g)
	as_user() {
		"$@"
	}
fi
note "the user: $TUSER ($TUID:$TGID)"
STATE=$UW/state.json

# user_cairn ARGS...: run_client as the user with its certificate copies.
user_cairn() {
	run_client "$UW/certs/client_cert.pem" "$UW/certs/client_key.pem" \
		"$UW/certs/ca_cert.pem" "$@"
}

if as_user sh -c '. "$1"; make_tree "$2" 0' sh "$TOP/test/e2e/fidelity.sh" "$SRC" 2>"$W/tree.err"; then
	ok "the user makes the tree ($(find "$SRC" | wc -l | tr -d ' ') entries)"
else
	fail "the user makes the tree" "$(cat "$W/tree.err")"
	finish
fi
check_lt "$(kib "$SRC/sparse.img")" 1024 "the source's sparse file is sparse"

start_server || finish

user_cairn --source "$SRC" --json
check_rc 0 "the user's backup: exit status 0"
check_json "the user's backup: one line of JSON"
check_eq "$(json_field "$RUN_OUT" errors)" 0 "the user's backup: errors = 0"
check_quiet "the user's backup: no warning"
check_lt "$(json_field "$RUN_OUT" bytes_sent)" 1048576 "the user's backup: bytes_sent well under 1 MiB"
ID=$(json_field "$RUN_OUT" id)
if [ -z "$ID" ]; then
	fail "the backup has an id: nothing to restore" "stdout: $(head -c 300 "$RUN_OUT")"
	finish
fi

user_cairn --restore "$ID" --path "$R" --json
check_rc 0 "the user's restore: exit status 0"
check_eq "$(json_field "$RUN_OUT" errors)" 0 "the user's restore: errors = 0"
check_quiet "the user's restore: no error or warning (owners it cannot set are not one)"
rsync_same "-rlptXSc --specials" "$SRC" "$R" \
	"rsync -rlptXSc --specials (no -o -g) sees no difference between the source and the restore"
rsync_same "-rlptHAXSc --specials" "$SRC" "$R" \
	"rsync -rlptHAXSc --specials: hard links and ACLs too"
others=$(find "$R" \( ! -user "$TUID" -o ! -group "$TGID" \) -exec stat -c '%u:%g %n' {} + 2>&1 | head -n 20)
if [ -d "$R" ] && [ -z "$others" ]; then
	ok "every restored entry is owned by $TUSER ($TUID:$TGID)"
else
	fail "every restored entry is owned by $TUSER ($TUID:$TGID)" "${others:-no $R}"
fi
check_lt "$(kib "$R/sparse.img")" 1024 "the restored sparse file is sparse"
check_eq "$(stat -c %a "$R/bin/tool" 2>&1)" 4755 "the setuid bit is restored on the user's own file"
check_eq "$(stat -c %a "$R" 2>&1)" 751 "the restored root: mode 0751"

user_cairn --source "$SRC" --json
check_rc 0 "unchanged re-run: exit status 0"
check_eq "$(json_field "$RUN_OUT" sent)" 0 "unchanged re-run: sent = 0"

finish
