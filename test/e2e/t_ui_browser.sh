#!/bin/sh
# t_ui_browser.sh — the web page of `cairn --ui` in a real browser (issue
# 13): Debian's chromium driven by playwright-core (test/browser/ui.test.js)
# against a real cairn --ui and a real cairnd. The page is used as a person
# would: a refused settings form, the settings saved (the source through the
# directory browser, extensions as chips, an exclusion, retention, the
# post-hook with its "send a test", the schedule on and off), two
# backups watched to their end, the snapshot browser, a file's versions,
# one file and one directory restored to new paths after a dry run, a prune
# and a delete after their confirmations; screenshots of each screen at
# 1280x800 and 390x844 in $W/../ui-shots/. This side checks what is on
# disk: the restored bytes (cmp), the config file, the server's backups.
# Skipped, in words, when chromium, node or playwright-core cannot be
# installed (tools/deps.sh ui).
. "$(dirname "$0")/lib.sh"

if ! sh "$TOP/tools/deps.sh" ui >"$W/deps.log" 2>&1; then
	skip_test "tools/deps.sh ui could not install chromium, node and playwright-core: $(tail -n 1 "$W/deps.log")"
fi
for _c in /usr/bin/chromium node; do
	command -v "$_c" >/dev/null 2>&1 || skip_test "$_c is missing after tools/deps.sh ui"
done
[ -f "$TOP/test/browser/node_modules/playwright-core/package.json" ] ||
	skip_test "playwright-core is not in test/browser/node_modules"

start_server || finish

# The page shows these paths: one long name without a place to break, so
# that the phone-width checks do not depend on where the clone sits.
D=$W/averylongdirectorynamewithnohyphenorspacewhereatextcouldbreak
SRC=$D/src
mkdir -p "$SRC/docs" "$SRC/bin"
printf 'alpha\n' >"$SRC/docs/a.txt"
printf 'bravo\n' >"$SRC/docs/b.txt"
printf 'not this one\n' >"$SRC/secret.txt"
printf 'not an extension of the list\n' >"$SRC/pic.jpg"
head -c 3000000 /dev/urandom >"$SRC/big.bin"
cp "$SRC/docs/a.txt" "$W/a.v1"
CONFIG=$D/cairn.conf
# What the page does not edit: the client's certificate and state.
cat >"$CONFIG" <<EOF
# cairn's settings (t_ui_browser)
cert $CERTS/client_cert.pem
key $CERTS/client_key.pem
ca $CERTS/ca_cert.pem
state $STATE
EOF
chmod 600 "$CONFIG"

# Start cairn --ui on a free port; its URL from stderr.
UI_URL=
_try=0
while [ $_try -lt 5 ] && [ -z "$UI_URL" ]; do
	_try=$((_try + 1))
	UPORT=$(random_port)
	rm -f "$W/ui.pid" "$W/ui.rc"
	(
		"$CAIRN" --ui --listen "127.0.0.1:$UPORT" --config "$CONFIG" \
			>"$W/ui.out" 2>"$W/ui.err" </dev/null &
		echo $! >"$W/ui.pid"
		wait $!
		echo $? >"$W/ui.rc"
	) &
	_n=0
	while [ $_n -lt 100 ]; do
		UI_URL=$(sed -n 's/^.*web UI at \(http[^ ]*\).*$/\1/p' "$W/ui.err" "$W/ui.out" 2>/dev/null | head -n 1)
		[ -n "$UI_URL" ] && break
		[ -f "$W/ui.rc" ] && break
		sleep 0.1
		_n=$((_n + 1))
	done
	[ -n "$UI_URL" ] && break
	grep -Eiq 'in use' "$W/ui.err" || break
done
UI_PID=$(cat "$W/ui.pid" 2>/dev/null)
if [ -z "$UI_URL" ]; then
	fail "cairn --ui prints its URL" "$(cat "$W/ui.err" "$W/ui.out" 2>/dev/null)"
	[ -n "$UI_PID" ] && kill "$UI_PID" 2>/dev/null
	finish
fi
ok "cairn --ui prints its URL ($UI_URL)"
check_eq "$(cat "$(dirname "$STATE")/ui-url" 2>/dev/null)" "$UI_URL" "the URL is also in ui-url beside the state"

# stop_ui: SIGTERM cairn --ui; whether it stopped and said nothing bad.
stop_ui() {
	kill "$UI_PID" 2>/dev/null
	_n=0
	while [ ! -f "$W/ui.rc" ] && [ $_n -lt 50 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	[ -f "$W/ui.rc" ]
	check $? "cairn --ui stops on SIGTERM"
	[ -f "$W/ui.rc" ] || kill -9 "$UI_PID" 2>/dev/null
	if grep -Eq "$SANITIZER_RE" "$W/ui.err"; then
		fail "cairn --ui: no sanitizer reports" "$(head -n 60 "$W/ui.err")"
	else
		ok "cairn --ui: no sanitizer reports"
	fi
}

SHOTS=$TEST_ROOT/ui-shots
rm -rf "$SHOTS"
R1=$W/restore-file
R2=$W/restore-dir
HOOK=$W/hook.env
UI_URL=$UI_URL HOOK=$HOOK CAIRND_PORT=$PORT SRC=$SRC R1=$R1 R2=$R2 CONFIG=$CONFIG SHOTS=$SHOTS \
	${TIMEOUT:+$TIMEOUT 300} node "$TOP/test/browser/ui.test.js" >"$W/browser.out" 2>"$W/browser.err"
BRC=$?
while IFS= read -r _l; do
	case $_l in
	"ok "*) ok "browser: ${_l#ok }" ;;
	"not ok "*) fail "browser: ${_l#not ok }" ;;
	esac
done <"$W/browser.out"
[ "$BRC" = 124 ] && fail "the browser run ends within 300 s"
grep -qx done "$W/browser.out"
check $? "the browser run goes through to its end (exit $BRC)" "$(tail -n 5 "$W/browser.err")"
stop_ui

# ---- on disk ---------------------------------------------------------------

cmp "$W/a.v1" "$R1/docs/a.txt"
check $? "the file restored from the first snapshot is its first version, byte for byte"
check_eq "$(cd "$R1" && find . | sort | tr '\n' ' ')" ". ./docs ./docs/a.txt " \
	"the file's restore brought only it and its directory"
for _f in a.txt b.txt; do
	cmp "$SRC/docs/$_f" "$R2/docs/$_f"
	check $? "the directory restored holds docs/$_f byte for byte"
done
check_eq "$(cd "$R2" && find . | sort | tr '\n' ' ')" ". ./docs ./docs/a.txt ./docs/b.txt " \
	"the directory's restore brought only docs"
grep -qx CAIRN_HOOK_TEST=1 "$HOOK"
check $? "the page's 'send a test' ran the failure command with CAIRN_HOOK_TEST=1" "$(cat "$HOOK" 2>&1 | head -n 5)"
grep -qx "source $SRC" "$CONFIG"
check $? "the config file names the source the page picked"
grep -qx "port $PORT" "$CONFIG" && grep -qx "exclude secret.txt" "$CONFIG" &&
	grep -Eq "^keep-last 1$" "$CONFIG" && grep -q "^cert $CERTS/client_cert.pem$" "$CONFIG"
check $? "the config file has the port, exclusion and retention, and keeps its cert line" "$(cat "$CONFIG")"
check_eq "$(stat -c %a "$CONFIG")" 600 "the config file is 0600"
grep -qx '.txt' "$CONFIG.extensions" && grep -qx '.bin' "$CONFIG.extensions" &&
	! grep -q tmp "$CONFIG.extensions"
check $? "the extensions list beside the config has the chips the page kept" "$(cat "$CONFIG.extensions" 2>&1)"
run_cairn --list --json
check_rc 0 "--list after the page's delete"
check_eq "$(list_ids "$RUN_OUT" | grep -c .)" 0 "the server holds no backup after the page deleted it"
finish
