#!/bin/sh
# ceph-up.sh — a one-node Ceph on 127.0.0.1 for cairnd's object-store tests:
# one monitor, one OSD on memstore (no disk), radosgw with the beast
# frontend, and an S3 user. Every file it makes is in DIR; stop it with
# tools/ceph-down.sh DIR.
#
#   tools/ceph-up.sh [--tls] [--mgr] DIR
#
#   --tls   also serve HTTPS (radosgw's ssl_endpoint) with an RSA
#           certificate for 127.0.0.1 and localhost, signed by a CA made
#           here (DIR/tls/ca.pem); 127.0.0.1 is a DNS name in it too, as
#           BearSSL matches names only
#   --mgr   also start a manager (radosgw does not need one)
#
# On success it prints lines for a shell to eval, and writes them to
# DIR/env as well:
#
#   CAIRN_S3_ENDPOINT=http://127.0.0.1:PORT
#   CAIRN_S3_ACCESS_KEY=... CAIRN_S3_SECRET_KEY=...
#   CAIRN_S3_TLS_ENDPOINT=https://127.0.0.1:PORT CAIRN_S3_CA=DIR/tls/ca.pem
#
# CAIRN_S3_BUDGET (seconds, default 60) bounds the whole bring-up: when it
# runs out the daemons started so far are stopped and it says which step
# was waiting. Exit 0 up, 1 not up (why on stderr), 2 usage or missing
# programs (tools/deps.sh s3 installs them).
#
# Settings, each for a pitfall of Ceph 16.2 on one small node:
#   auth ... = none with ms mon client mode = crc (radosgw loops on
#   "get_initial_auth_request returned -13" otherwise); pool size 1 on one
#   OSD; paxos propose interval 0.1 (each pool radosgw makes is a monitor
#   round: 14 s of start-up become 3); fast OSD shutdown without telling
#   the monitor (daemons hang waiting for a dead one otherwise); radosgw
#   waits 5 s and more on SIGTERM unless rgw exit timeout secs is cut to 1.
#   Daemons run in the foreground (-f), which writes no pid file: the pids
#   are recorded in DIR/pids, in the order to stop them.
LC_ALL=C
export LC_ALL

say() { printf 'ceph-up: %s\n' "$*" >&2; }

tls=0
mgr=0
while [ $# -gt 0 ]; do
	case $1 in
	--tls) tls=1 ;;
	--mgr) mgr=1 ;;
	-*) say "unknown option $1"; exit 2 ;;
	*) break ;;
	esac
	shift
done
if [ $# != 1 ]; then
	say "usage: tools/ceph-up.sh [--tls] [--mgr] DIR"
	exit 2
fi
for p in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool curl; do
	if ! command -v $p >/dev/null 2>&1; then
		say "$p is missing (tools/deps.sh s3 installs Ceph)"
		exit 2
	fi
done
[ $tls = 0 ] || command -v openssl >/dev/null 2>&1 ||
	{ say "openssl is missing (for --tls)"; exit 2; }

mkdir -p "$1" || exit 2
DIR=$(cd "$1" && pwd)
if [ -s "$DIR/pids" ]; then
	say "$DIR already holds a cluster (tools/ceph-down.sh $DIR first)"
	exit 2
fi
budget=${CAIRN_S3_BUDGET:-60}
case $budget in '' | *[!0-9]*) say "CAIRN_S3_BUDGET=$budget: not seconds"; exit 2 ;; esac
t0=$(date +%s)
deadline=$((t0 + budget))
CONF=$DIR/ceph.conf
: >"$DIR/pids"

# give_up WHY: stop what was started, say why, exit 1.
give_up() {
	say "$*"
	say "logs in $DIR/log"
	sh "$(dirname "$0")/ceph-down.sh" "$DIR" >&2
	exit 1
}

# wait_for WHAT CMD...: run CMD until it succeeds, within the budget.
wait_for() {
	_what=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			give_up "$_what: not within CAIRN_S3_BUDGET=$budget s"
		fi
		sleep 0.2
	done
}

# free_port: a TCP port in 20000..60000 nothing listens on.
free_port() {
	while :; do
		_r=$(od -An -N2 -tu2 /dev/urandom | tr -dc 0-9)
		_p=$((20000 + _r % 40001))
		ss -Htln "sport = :$_p" 2>/dev/null | grep -q . || break
	done
	echo "$_p"
}

# start NAME CMD...: run a daemon in the background, its output in the
# log, its pid recorded.
start() {
	_n=$1
	shift
	"$@" >>"$DIR/log/$_n.out" 2>&1 &
	echo "$! $_n" >>"$DIR/pids"
}

# alive NAME: the daemon NAME is still running.
alive() {
	_pid=$(sed -n "s/^\([0-9]*\) $1\$/\1/p" "$DIR/pids")
	[ -n "$_pid" ] && kill -0 "$_pid" 2>/dev/null
}

# ceph_cmd ARGS...: the ceph command on this cluster, bounded.
ceph_cmd() {
	ceph -c "$CONF" --connect-timeout 5 "$@"
}

mkdir -p "$DIR/log" "$DIR/run" "$DIR/mon.a" "$DIR/osd.0" || exit 2
mon_port=$(free_port)
rgw_port=$(free_port)
fsid=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || uuidgen)

frontend="beast endpoint=127.0.0.1:$rgw_port"
if [ $tls = 1 ]; then
	tls_port=$(free_port)
	[ "$tls_port" != "$rgw_port" ] || tls_port=$(free_port)
	T=$DIR/tls
	mkdir -p "$T"
	(
		cd "$T" &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=cairn test S3 CA" \
			-keyout ca.key -out ca.pem &&
		openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
			-keyout server.key -out server.csr &&
		printf 'subjectAltName=IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' >ext.cnf &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-days 30 -extfile ext.cnf -out server.pem
	) >"$DIR/log/openssl.out" 2>&1 || { say "openssl failed: $DIR/log/openssl.out"; exit 1; }
	frontend="$frontend ssl_endpoint=127.0.0.1:$tls_port ssl_certificate=$T/server.pem ssl_private_key=$T/server.key"
fi

cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
ms mon client mode = crc
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
pid file =
keyring = $DIR/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
paxos propose interval = 0.1
mon data = $DIR/mon.\$id
osd data = $DIR/osd.\$id
osd objectstore = memstore
memstore device bytes = 1073741824
osd fast shutdown = true
osd fast shutdown notify mon = false
osd mon shutdown timeout = 1
mgr data = $DIR/mgr.\$id
[client.rgw]
rgw frontends = $frontend
rgw init timeout = $budget
rgw exit timeout secs = 1
rgw data = $DIR/rgw
rgw enable usage log = false
EOF

# The monitor: a map with one member, its store made, then running.
monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" \
	"$DIR/monmap" >"$DIR/log/monmaptool.out" 2>&1 ||
	give_up "monmaptool failed: $DIR/log/monmaptool.out"
ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" >"$DIR/log/mkfs-mon.out" 2>&1 ||
	give_up "ceph-mon --mkfs failed: $DIR/log/mkfs-mon.out"
start mon.a ceph-mon -f -c "$CONF" -i a
wait_for "the monitor (port $mon_port)" ceph_cmd mon stat
alive mon.a || give_up "the monitor stopped: $DIR/log/mon.a.log"

if [ $mgr = 1 ]; then
	mkdir -p "$DIR/mgr.x"
	start mgr.x ceph-mgr -f -c "$CONF" -i x
fi

# The OSD: its id from the monitor, its memstore made, then running.
uuid=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || uuidgen)
id=$(ceph_cmd osd new "$uuid" 2>"$DIR/log/osd-new.out") ||
	give_up "ceph osd new failed: $DIR/log/osd-new.out"
[ "$id" = 0 ] || give_up "ceph osd new gave id '$id', not 0"
ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$uuid" >"$DIR/log/mkfs-osd.out" 2>&1 ||
	give_up "ceph-osd --mkfs failed: $DIR/log/mkfs-osd.out"
start osd.0 ceph-osd -f -c "$CONF" -i 0
osd_up() { ceph_cmd osd stat | grep -q ' 1 up'; }
wait_for "the OSD coming up" osd_up

# The gateway, then its user.
start rgw radosgw -f -c "$CONF" -n client.rgw
rgw_up() { alive rgw && curl -s -o /dev/null "http://127.0.0.1:$rgw_port/"; }
wait_for "radosgw answering on port $rgw_port" rgw_up
if [ $tls = 1 ]; then
	tls_up() { curl -s -o /dev/null --cacert "$T/ca.pem" "https://127.0.0.1:$tls_port/"; }
	wait_for "radosgw answering HTTPS on port $tls_port" tls_up
fi
ak=$(od -An -N10 -tx1 /dev/urandom | tr -dc 0-9a-f | tr a-f A-F)
sk=$(od -An -N20 -tx1 /dev/urandom | tr -dc 0-9a-f)
radosgw-admin -c "$CONF" -n client.rgw user create --uid=cairn --display-name=cairn \
	--access-key="CAIRN$ak" --secret-key="$sk" >"$DIR/log/user.out" 2>&1 ||
	give_up "radosgw-admin user create failed: $DIR/log/user.out"

{
	echo "CAIRN_S3_ENDPOINT=http://127.0.0.1:$rgw_port"
	echo "CAIRN_S3_ACCESS_KEY=CAIRN$ak"
	echo "CAIRN_S3_SECRET_KEY=$sk"
	if [ $tls = 1 ]; then
		echo "CAIRN_S3_TLS_ENDPOINT=https://127.0.0.1:$tls_port"
		echo "CAIRN_S3_CA=$T/ca.pem"
	fi
} >"$DIR/env"
cat "$DIR/env"
say "up in $(($(date +%s) - t0)) s ($DIR)"
