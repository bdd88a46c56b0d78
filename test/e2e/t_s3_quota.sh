#!/bin/sh
# t_s3_quota.sh — cairnd --store s3 --quota on a real radosgw
# (tools/ceph-up.sh), with real cairnd and cairn: a backup within the quota
# goes in; one that would exceed it fails with the client's quota error
# (exit 4) and commits nothing, at a file or at the commit's manifest; the
# count is one object, <client>/usage, equal to what the bucket keeps
# (content objects and manifests) after every step; an
# unchanged re-run stays a handful of requests; two cairnd on one bucket
# share the count; removing a snapshot and a backup gives the space back
# (the sweep) so that a later backup fits; a usage object with garbage in
# it, or none, is recomputed, never trusted; a cairnd killed mid-run
# leaves the count too high, never too low, until the next run of its
# backup or the next sweep counts anew.
. "$(dirname "$0")/lib.sh"
. "$TOP/test/e2e/s3lib.sh"

s3_cluster
B=t-s3-quota-$$
CAIRN_S3_BUCKET=$B
export CAIRN_S3_BUCKET
s3 mkbucket
s3_check 0 "bucket $B made"
RGW_LOG=$(dirname "$_env")/log/client.rgw.log
S3ARGS="--store s3 --s3-endpoint $CAIRN_S3_ENDPOINT --s3-bucket $B --s3-spool $W/spool --s3-lease 6 --quota 1M"

log_lines() { wc -l <"$RGW_LOG" | tr -d ' '; }
requests_since() {
	sleep 1		# radosgw writes its log lines a moment later
	REQ=$(tail -n +"$(($1 + 1))" "$RGW_LOG" | grep -c "beast: .* /$B[/?]")
	UREQ=$(tail -n +"$(($1 + 1))" "$RGW_LOG" | grep -c "beast: .* /$B/alice/usage ")
}

# kept: the bytes the bucket keeps for alice (content objects and
# manifests, from a listing), in $KEPT; her usage object's count in $USED.
kept() {
	s3 list "alice/"
	KEPT=$(awk '$1 ~ /^alice\/data\// || $1 ~ /^alice\/[0-9a-f]+\/snap\// { n += $2 }
		END { print n + 0 }' "$S3_OUT")
	s3 get alice/usage
	USED=$(sed -n 's/^usage \([0-9][0-9]*\)$/\1/p' "$S3_OUT")
}

# backup DIR [ARGS]: one run of DIR as alice; ID and SNAP of the run.
backup() {
	_src=$1
	shift
	run_cairn --source "$_src" --json "$@"
	ID=$(json_field "$RUN_OUT" id)
	SNAP=$(json_field "$RUN_OUT" snapshot)
}

# nsnaps ID: the snapshots of ID in the bucket.
nsnaps() {
	s3 list "alice/$1/snap/"
	grep -c "^alice/$1/snap/" "$S3_OUT"
}

SRC=$W/src
mkdir -p "$SRC/many"
i=0
while [ $i -lt 200 ]; do
	printf 'small file %d\n' $i >"$SRC/many/f$i"
	i=$((i + 1))
done
head -c 500000 /dev/urandom >"$SRC/a.bin"

"$CAIRND" --help 2>&1 | grep -q -- '--quota'
check $? "--help names --quota"
start_server $S3ARGS || finish
PA=$PORT
grep -q "quota is not kept" "$SERVER_LOG"
check_eq $? 1 "--quota is taken with --store s3"

# ---- within, then over the quota ------------------------------------------
backup "$SRC"
check_rc 0 "a first backup within the 1 MiB quota"
S1=$SNAP
ID1=$ID
kept
check_ge "$KEPT" 500000 "the bucket keeps its content ($KEPT bytes)"
check_eq "$USED" "$KEPT" "alice/usage counts what the bucket keeps"

head -c 600000 /dev/urandom >"$SRC/b.bin"
backup "$SRC"
check_rc 4 "a backup that would exceed 1 MiB: exit 4"
check_err_has "quota" "the client says quota"
check_eq "$(nsnaps "$ID1")" 1 "no second snapshot was committed"
kept
check_eq "$USED" "$KEPT" "the refused run left the count equal to what is kept"
check_ge 1048576 "$USED" "and within the quota"

# ---- an unchanged re-run ------------------------------------------------------
rm "$SRC/b.bin"
sleep 1
L0=$(log_lines)
backup "$SRC"
requests_since "$L0"
check_rc 0 "an unchanged re-run under the quota"
if [ "$REQ" -le 18 ]; then
	ok "an unchanged re-run of 201 files makes a handful of requests ($REQ)"
else
	fail "an unchanged re-run makes at most 18 requests" "it made $REQ"
fi
check_eq "$UREQ" 2 "of which two are the usage object's (read it, charge the manifest)"
S2=$SNAP
kept
check_eq "$USED" "$KEPT" "its manifest is charged: the count is what is kept"

# ---- two cairnd on one bucket share the count ------------------------------------
start_b

SRC2=$W/src2
mkdir -p "$SRC2"
head -c 300000 /dev/urandom >"$SRC2/c.bin"
PORT=$PB
backup "$SRC2"
check_rc 0 "a second backup through the other cairnd fits (500 + 300 kB)"
ID2=$ID
SRC3=$W/src3
mkdir -p "$SRC3"
head -c 300000 /dev/urandom >"$SRC3/d.bin"
PORT=$PA
backup "$SRC3"
check_rc 4 "a third one through the first cairnd does not: the count is shared"
check_err_has "quota" "and says quota"
PORT=$PB
backup "$SRC3"
check_rc 4 "nor through the second"
kept
check_eq "$USED" "$KEPT" "two servers' runs, one count equal to what is kept"

# ---- removal gives the space back ---------------------------------------------------
PORT=$PA
run_cairn --remove "$ID1@$S1"
check_rc 0 "--remove ID@SNAPSHOT"
kept
check_eq "$USED" "$KEPT" "a removed snapshot's manifest is given back"
run_cairn --remove "$ID1"
check_rc 0 "--remove of the first backup"
kept
check_eq "$USED" "$KEPT" "its content, collected by the sweep, is given back ($USED)"
check_ge 400000 "$USED" "what is left is the second backup's"
backup "$SRC3"
check_rc 0 "now the third backup fits"
PORT=$PB
head -c 200000 /dev/urandom >"$SRC2/e.bin"
backup "$SRC2"
check_rc 0 "and a change to the second, through the other cairnd"
kept
check_eq "$USED" "$KEPT" "the count is still what is kept"

# ---- a usage object written by someone else -------------------------------------------
PORT=$PA
printf 'usage lots\n' >"$W/junk"
s3 put alice/usage "$W/junk"
s3_check 0 "garbage put in alice/usage"
head -c 1000 /dev/urandom >"$SRC3/f.bin"
backup "$SRC3"
check_rc 0 "a run with a garbage usage object goes on"
grep -q "usage" "$SERVER_LOG"
check $? "cairnd says in words that it recomputed the count"
kept
check_eq "$USED" "$KEPT" "the count recomputed from the bucket"
s3 delete alice/usage
head -c 1000 /dev/urandom >"$SRC3/g.bin"
backup "$SRC3"
check_rc 0 "a run with no usage object goes on"
kept
check_eq "$USED" "$KEPT" "the count made anew from the bucket"
printf 'usage 5000000\n' >"$W/junk"
s3 put alice/usage "$W/junk"
head -c 1000 /dev/urandom >"$SRC3/h.bin"
backup "$SRC3"
check_rc 4 "a count the bucket says is over the quota is believed until the sweep"
run_cairn --remove "$ID2"
check_rc 0 "a removal sweeps"
kept
check_eq "$USED" "$KEPT" "the sweep puts the count right"
backup "$SRC3"
check_rc 0 "and the next run fits again"
ID3=$ID
# A commit whose manifest does not fit: refused, nothing committed.
kept
printf 'usage %s\n' $((1048576 - 10)) >"$W/junk"
s3 put alice/usage "$W/junk"
N3=$(nsnaps "$ID3")
sleep 1
backup "$SRC3"
check_rc 4 "an unchanged run whose manifest would go over: exit 4"
check_err_has "quota" "it says quota"
check_eq "$(nsnaps "$ID3")" "$N3" "and commits nothing"
s3 get alice/usage
check_eq "$(cat "$S3_OUT")" "usage $((1048576 - 10))" "nor leaves anything charged"
printf 'usage %s\n' "$KEPT" >"$W/junk"
s3 put alice/usage "$W/junk"

stop_b

# ---- a cairnd killed mid-run -------------------------------------------------------
# Its spool writes slowed (the diskfault shim) so that it is caught with a
# reservation of the count in hand: the count stays too high, never too
# low, until the next run of that backup takes the dead lease over and
# counts anew (no other run holds a lease), or the next sweep does.
SRC4=$W/src4
mkdir -p "$SRC4"
i=0
while [ $i -lt 20 ]; do
	head -c 20000 /dev/urandom >"$SRC4/r$i"
	i=$((i + 1))
done
SLOW=100 start_b
PORT=$PB
bg_cairn slow --source "$SRC4"
sleep 3
for p in $(pgrep -P "$B_PID" 2>/dev/null); do kill -9 "$p"; done
kill -9 "$B_PID" 2>/dev/null
wait "$B_PID" 2>/dev/null
bg_wait slow
check_ne "$RC" 0 "the run whose cairnd was killed fails"
kept
note "after the kill: counted $USED, kept $KEPT"
check_ge "$USED" "$KEPT" "the count is not below what the bucket keeps"
PORT=$PA
sleep 7		# its lease (--s3-lease 6) runs out
backup "$SRC4"
check_rc 0 "the next run of that backup completes"
ID4=$ID
kept
check_eq "$USED" "$KEPT" "taking the dead run's lease over, it counted anew: the count is what is kept"
# The same, set right by the sweep: a count too high by what a dead run
# reserved (put there by hand) comes down at the next removal.
printf 'usage %s\n' $((KEPT + 65536)) >"$W/junk"
s3 put alice/usage "$W/junk"
run_cairn --remove "$ID4"
check_rc 0 "a removal sweeps"
kept
check_eq "$USED" "$KEPT" "and the sweep gives a dead run's reservation back"

# ---- two runs racing for the last of the quota ----------------------------------
# Two backups at once, one on each cairnd, each fitting alone and not
# both: the charges are compare-and-swaps on one count, so one goes in
# and the other is refused, whatever the order.
note "before the race: $USED bytes counted"
SRC5=$W/src5
SRC6=$W/src6
mkdir -p "$SRC5" "$SRC6"
head -c 400000 /dev/urandom >"$SRC5/x.bin"
head -c 400000 /dev/urandom >"$SRC6/y.bin"
SLOW= start_b
PORT=$PB
STATE0=$STATE
STATE=$W/state-race.json
bg_cairn race --source "$SRC6"
STATE=$STATE0
PORT=$PA
backup "$SRC5"
RC5=$RC
bg_wait race
RC6=$RC
check_eq "$(printf '%s %s\n' "$RC5" "$RC6" | tr ' ' '\n' | sort | tr '\n' ' ')" "0 4 " \
	"one of the two racing backups goes in, the other is refused (exit $RC5 and $RC6)"
kept
check_eq "$USED" "$KEPT" "the count is what is kept"
check_ge 1048576 "$USED" "within the quota"
stop_b
stop_server
finish
