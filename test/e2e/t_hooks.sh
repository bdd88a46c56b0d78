#!/bin/sh
# t_hooks.sh — --pre-hook and --post-hook against a real cairnd: a failing
# pre-hook stops the run (exit 1, nothing committed) and the post-hook is
# still told; the post-hook's environment after a success, after a pre-hook
# failure and with the server down (CAIRN_STATUS=3); a failing post-hook
# does not change the status; the hook's output is ours; hooks see only
# descriptors 0-2.
. "$(dirname "$0")/lib.sh"

start_server || finish

SRC=$W/src
mkdir -p "$SRC/d"
printf 'one\n' >"$SRC/one.txt"
printf 'two\n' >"$SRC/d/two.txt"
POST='env | grep "^CAIRN_" | sort >"$HOOK_OUT"'
export HOOK_OUT

# envvar FILE NAME: the value of NAME in an env listing.
envvar() {
	sed -n "s/^$2=//p" "$1"
}

# ---- a failing pre-hook ---------------------------------------------------
HOOK_OUT=$W/env.pre
run_cairn --source "$SRC" --pre-hook 'echo from-the-hook; exit 3' \
	--post-hook "$POST"
check_rc 1 "a failing pre-hook: exit 1"
check_err_has "pre-hook failed (exit 3): nothing backed up" \
	"the message quotes its status"
if grep -q from-the-hook "$RUN_OUT"; then ok "the hook's output is ours"
else fail "the hook's output is ours" "$(cat "$RUN_OUT")"; fi
if [ -d "$D/alice" ] && [ -n "$(ls "$D/alice" 2>/dev/null)" ]; then
	fail "nothing committed" "$(find "$D/alice" | head)"
else
	ok "nothing committed"
fi
check_eq "$(envvar "$HOOK_OUT" CAIRN_STATUS)" 1 \
	"the post-hook runs after a failed pre-hook, CAIRN_STATUS=1"
check_eq "$(envvar "$HOOK_OUT" CAIRN_SNAPSHOT)" "" "... CAIRN_SNAPSHOT empty"

# ---- a successful run ------------------------------------------------------
HOOK_OUT=$W/env.ok
run_cairn --source "$SRC" --json --pre-hook "ls /proc/self/fd >$W/fds" \
	--post-hook "$POST"
check_rc 0 "a run with hooks: exit 0"
check_json "--json stays one line of JSON"
ID=$(json_field "$RUN_OUT" id)
SNAP=$(json_field "$RUN_OUT" snapshot)
check_eq "$(envvar "$HOOK_OUT" CAIRN_STATUS)" 0 "CAIRN_STATUS=0"
check_eq "$(envvar "$HOOK_OUT" CAIRN_SNAPSHOT)" "$SNAP" "CAIRN_SNAPSHOT names the snapshot"
check_eq "$(envvar "$HOOK_OUT" CAIRN_FILES)" 2 "CAIRN_FILES=2"
check_eq "$(envvar "$HOOK_OUT" CAIRN_ERRORS)" 0 "CAIRN_ERRORS=0"
check_eq "$(envvar "$HOOK_OUT" CAIRN_ID)" "$ID" "CAIRN_ID names the backup"
check_eq "$(envvar "$HOOK_OUT" CAIRN_SOURCE)" "$SRC" "CAIRN_SOURCE is the source"
# ls holds 0-2 and the directory it lists.
check_eq "$(tr '\n' ' ' <"$W/fds")" "0 1 2 3 " "the hook inherits descriptors 0-2 only"
if [ -d "$D/alice/$ID/$SNAP" ]; then ok "the snapshot is committed"
else fail "the snapshot is committed" "no $D/alice/$ID/$SNAP"; fi

# ---- a failing post-hook ---------------------------------------------------
run_cairn --source "$SRC" --post-hook 'exit 5'
check_rc 0 "a failing post-hook does not change the status"
check_err_has "post-hook failed (exit 5)" "it is said in one line"

# ---- --interval: the hooks run around every run -----------------------------
# 0.0003 hours is about 1.1 s; each post-hook appends its run's status.
: >"$W/runs"
(
	exec "$CAIRN" --server 127.0.0.1 --server-name localhost --port "$PORT" \
		--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
		--ca "$CERTS/ca_cert.pem" --state "$STATE" --source "$SRC" \
		--interval 0.0003 --quiet --pre-hook "echo pre >>$W/runs" \
		--post-hook "echo \"post \$CAIRN_STATUS\" >>$W/runs" \
		2>"$W/interval.err"
) &
IPID=$!
n=0
while [ $n -lt 150 ] && [ "$(grep -c '^post' "$W/runs")" -lt 3 ]; do
	sleep 0.2
	n=$((n + 1))
done
kill -TERM $IPID
wait $IPID
check_ge "$(grep -c '^post 0$' "$W/runs")" 3 "--interval: a post-hook after each run, with CAIRN_STATUS=0"
check_eq "$(sed -n '1p;2p' "$W/runs" | tr '\n' ' ')" "pre post 0 " \
	"--interval: each run's pre-hook comes before its post-hook"

# ---- the server down -------------------------------------------------------
stop_server
HOOK_OUT=$W/env.down
run_cairn --source "$SRC" --post-hook "$POST"
check_rc 3 "the server down: exit 3"
check_eq "$(envvar "$HOOK_OUT" CAIRN_STATUS)" 3 "the post-hook sees CAIRN_STATUS=3"
check_eq "$(envvar "$HOOK_OUT" CAIRN_SNAPSHOT)" "" "... and no snapshot"

# ---- a bad pattern is a usage error before any hook ------------------------
rm -f "$W/ran"
run_cairn --source "$SRC" --exclude '[' --pre-hook ": >$W/ran"
check_rc 2 "a bad --exclude with hooks: exit 2"
if [ -e "$W/ran" ]; then fail "no hook runs on a usage error"
else ok "no hook runs on a usage error"; fi

finish
