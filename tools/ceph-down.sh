#!/bin/sh
# ceph-down.sh — stop the cluster tools/ceph-up.sh started in DIR, in the
# order that does not hang: radosgw, then the manager and the OSD, then the
# monitor. Each gets SIGTERM and, after 5 s, SIGKILL. DIR is left (its logs);
# remove it yourself. Exit 0, or 2 on usage.
#
#   tools/ceph-down.sh DIR
LC_ALL=C
export LC_ALL

if [ $# != 1 ]; then
	echo "usage: tools/ceph-down.sh DIR" >&2
	exit 2
fi
DIR=$1
[ -f "$DIR/pids" ] || exit 0

# stop PATTERN: end the daemons recorded under a name matching PATTERN.
stop() {
	pids=$(awk -v re="$1" '$2 ~ re { print $1 }' "$DIR/pids")
	[ -n "$pids" ] || return 0
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	n=0
	for p in $pids; do
		while kill -0 "$p" 2>/dev/null; do
			# a child of ours (ceph-up.sh giving up) that is done
			[ "$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)" = Z ] && break
			n=$((n + 1))
			if [ $n -gt 25 ]; then
				kill -9 "$p" 2>/dev/null
				break
			fi
			sleep 0.2
		done
	done
}

stop '^rgw$'
stop '^(mgr|osd)\.'
stop '^mon\.'
: >"$DIR/pids"
exit 0
