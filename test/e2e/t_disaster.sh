#!/bin/sh
# t_disaster.sh — disaster recovery (issue 10), as root: a router-like tree
# (owners, a device node, a FIFO, hard links, symlinks, an OpenWrt-style
# /overlay with upper/ and work/, xattrs) at $W/router, standing in for /,
# is backed up. Then a new machine: the tree is gone, HOME is empty (no
# client state), the certificates are copied into a fresh ~/.config/cairn
# and the commands run from an empty directory with no certificate flags.
# `cairn --list --source DIR` finds the backup, `cairn --restore ID` puts
# it back at its original path, and
#
#   rsync -aHAXSc --numeric-ids --dry-run --itemize-changes ORIG/ DIR/
#
# prints nothing. Not root: skipped with a message (as t_fidelity.sh with
# CAIRN_SKIP_ROOT=1).
. "$(dirname "$0")/lib.sh"
. "$TOP/test/e2e/fidelity.sh"

P=$W/router
ORIG=$W/router.orig

if [ "$(id -u)" != 0 ]; then
	note "not root: skipped (owners and device nodes need root)"
	ok "skipped: not root"
	finish
fi
for _t in rsync setfattr mknod mkfifo; do
	need_exec "the router tree" "$_t" "install it (sh tools/deps.sh test)" || finish
done

# router_tree DIR: an OpenWrt-like root file system in DIR.
router_tree() {
	ft mkdir -p "$1/etc/config" "$1/etc/dropbear" "$1/dev" "$1/tmp" \
		"$1/overlay/upper/etc/config" "$1/overlay/work/work" \
		"$1/usr/bin" "$1/www/cgi-bin" "$1/home/admin" || return 1
	(
		cd "$1" || exit 1
		printf 'config interface lan\n\toption proto static\n' >etc/config/network &&
			printf 'config wifi-iface\n\toption ssid cairn\n' >overlay/upper/etc/config/wireless &&
			printf 'root:x:0:0:root:/root:/bin/ash\nadmin:x:1000:1000::/home/admin:/bin/ash\n' >etc/passwd &&
			printf 'secret key bytes\n' >etc/dropbear/dropbear_ed25519_host_key &&
			ft chmod 0600 etc/dropbear/dropbear_ed25519_host_key &&
			printf '#!/bin/sh\necho busybox\n' >usr/bin/busybox &&
			ft chmod 4755 usr/bin/busybox &&
			ft ln usr/bin/busybox usr/bin/ash &&
			ft ln usr/bin/busybox usr/bin/vi &&
			ft ln -s busybox usr/bin/ls &&
			ft ln -s /tmp/resolv.conf.d/resolv.conf.auto etc/resolv.conf &&
			ft ln -s ../usr/bin/busybox www/cgi-bin/luci &&
			ft mknod dev/null c 1 3 &&
			ft mknod dev/sda b 8 0 &&
			ft mkfifo tmp/fifo &&
			ft chmod 1777 tmp &&
			ft chmod 0000 overlay/work/work &&
			printf 'hi\n' >home/admin/.profile &&
			ft chown -R 1000:1000 home/admin &&
			ft chown 1234:5678 etc/config/network &&
			ft setfattr -n user.cairn -v router etc/config/network &&
			ft setfattr -n trusted.overlay.opaque -v y overlay/upper/etc &&
			find . -depth -type d ! -name . -exec touch -d '2020-02-02 02:02:02' {} + &&
			ft touch -d '2021-01-01 01:01:01' .
	)
}

if router_tree "$P"; then ok "the router-like tree is made"; else fail "the router-like tree is made"; finish; fi
rsync -aHAXS --numeric-ids "$P/" "$ORIG/"
rsync_same "-aHAXSc --numeric-ids" "$ORIG" "$P" "the copy to compare with is exact"

start_server || finish
mkdir -p "$W/old-home"
STATE=$W/old-home/state.json
run_cairn --source "$P" --json
check_rc 0 "the router is backed up"
ID=$(json_field "$RUN_OUT" id)

# ---- the disaster, and a new machine --------------------------------------------
rm -rf "$P"
NEW=$W/new-home
mkdir -p "$NEW/.config/cairn" "$W/empty"
cp "$CERTS/client_cert.pem" "$CERTS/client_key.pem" "$CERTS/ca_cert.pem" "$NEW/.config/cairn/"

# new_cairn ARGS...: cairn on the new machine: HOME=$NEW, from an empty
# directory, no --cert, --key, --ca or --state.
new_cairn() {
	RUN_N=$((RUN_N + 1))
	RUN_OUT=$W/run$RUN_N.out
	RUN_ERR=$W/run$RUN_N.err
	LAST_CMD="HOME=$NEW cairn $*"
	(cd "$W/empty" && env -u XDG_CONFIG_HOME HOME="$NEW" "$CAIRN" \
		--server 127.0.0.1 --server-name localhost --port "$PORT" "$@" \
		>"$RUN_OUT" 2>"$RUN_ERR" </dev/null)
	RC=$?
	if grep -Eq "$SANITIZER_RE" "$RUN_ERR"; then
		fail "cairn: no sanitizer reports (run $RUN_N)"
		show_run
	fi
}

new_cairn --list --source "$P" --json
check_rc 0 "the new machine: --list --source DIR (DIR is gone)"
check_eq "$(list_snapshots "$RUN_OUT" "$ID" | wc -l | tr -d ' ')" 1 "it finds the backup and its snapshot"
new_cairn --list --json
check_rc 0 "the new machine: --list"
check_eq "$(list_ids "$RUN_OUT")" "$ID" "the one backup listed is the router's"
new_cairn --restore "$ID"
check_rc 0 "the new machine: --restore ID into the original path"
rsync_same "-aHAXSc --numeric-ids" "$ORIG" "$P" \
	"rsync -aHAXSc --numeric-ids -n -i: the restored router is the original"
if [ -d "$P/overlay/upper/etc/config" ] && [ -c "$P/dev/null" ] && [ -p "$P/tmp/fifo" ]; then
	ok "the overlay, the device node and the FIFO are back"
else
	fail "the overlay, the device node and the FIFO are back" "$(ls -laR "$P" | head -n 40)"
fi
check_eq "$(ls -A "$W/empty")" "" "nothing was written in the current directory"
stop_server
finish
