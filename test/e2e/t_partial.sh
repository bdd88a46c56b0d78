#!/bin/sh
# t_partial.sh — restore a part of a snapshot (--include PATH): one file,
# one directory, two includes; the ancestors' modes come back, the target
# directory itself is left as it is; a hard link whose first path is
# outside the include comes back as its own file; an include the snapshot
# does not hold is named (exit 1); an absolute or malformed include is a
# usage error (exit 2); the original place (no --path) and --path.
# rsync -aHc -n -i against the source subtree is the oracle where present.
. "$(dirname "$0")/lib.sh"

need_binaries
start_server || finish

SRC=$W/src
mkdir -p "$SRC/etc/ssh" "$SRC/var/lib/app" "$SRC/home"
printf 'root:x:0:0\n' >"$SRC/etc/passwd"
printf 'key\n' >"$SRC/etc/ssh/sshd_config"
printf 'data one\n' >"$SRC/var/lib/app/one"
printf 'data two\n' >"$SRC/var/lib/app/two"
printf 'home\n' >"$SRC/home/h"
printf 'shared\n' >"$SRC/etc/first"
ln "$SRC/etc/first" "$SRC/var/lib/app/second"	# first path: etc/first
ln -s ../passwd "$SRC/etc/ssh/pw"
chmod 0750 "$SRC/var"
chmod 0711 "$SRC/var/lib"
chmod 0700 "$SRC/etc/ssh"
run_cairn --source "$SRC" --json
check_rc 0 "a backup"
ID=$(json_field "$RUN_OUT" id)

# oracle A B WHAT: rsync (if installed) finds no difference from A to B.
oracle() {
	command -v rsync >/dev/null 2>&1 || return 0
	_d=$(rsync -aHc -n -i --no-times "$1/" "$2/" 2>&1 | grep -v '^\.d')
	check_eq "$_d" "" "rsync -aHc -n -i: $3"
}

# ---- one file ---------------------------------------------------------------
T=$W/t1
mkdir -p "$T"
chmod 0755 "$T"
run_cairn --restore "$ID" --path "$T" --include etc/passwd
check_rc 0 "--include a file"
check_eq "$(cd "$T" && find . | sort | tr '\n' ' ')" ". ./etc ./etc/passwd " \
	"only the file and its directory come back"
check_eq "$(cat "$T/etc/passwd")" "root:x:0:0" "the file's content"
check_eq "$(stat -c %a "$T")" 755 "the target directory's mode is left as it was"

# ---- one directory, its ancestors' modes ------------------------------------
T=$W/t2
run_cairn --restore "$ID" --path "$T" --include var/lib/app/
check_rc 0 "--include a directory (with a trailing /)"
check_eq "$(stat -c %a "$T/var") $(stat -c %a "$T/var/lib")" "750 711" \
	"the ancestors' modes come back"
check_eq "$(ls "$T")" "var" "nothing outside the include"
check_eq "$(cat "$T/var/lib/app/one")" "data one" "a file of the directory"
oracle "$SRC/var/lib/app" "$T/var/lib/app" "the included directory"
# the hard link's first path (etc/first) is outside: fetched as its own
check_eq "$(cat "$T/var/lib/app/second" 2>/dev/null)" "shared" \
	"a hard link whose first path is outside the include is fetched"
check_eq "$(ls "$T")" "var" "and its first path is not made"

# ---- two includes ----------------------------------------------------------
T=$W/t3
run_cairn --restore "$ID" --path "$T" --include etc/ssh --include ./home
check_rc 0 "two includes"
check_eq "$(cd "$T" && find . -type f | sort | tr '\n' ' ')" \
	"./etc/ssh/sshd_config ./home/h " "the two includes' files"
check_eq "$(readlink "$T/etc/ssh/pw")" "../passwd" "a symlink in an include"
check_eq "$(stat -c %a "$T/etc/ssh")" 700 "the included directory's mode"
oracle "$SRC/etc/ssh" "$T/etc/ssh" "etc/ssh"
oracle "$SRC/home" "$T/home" "home"

# ---- an include the snapshot does not hold ----------------------------------
T=$W/t4
run_cairn --restore "$ID" --path "$T" --include etc/passwd --include etc/nothere
check_rc 1 "an include not in the snapshot: exit 1"
check_err "--include etc/nothere: not in snapshot" "it is named"
check_eq "$(cat "$T/etc/passwd")" "root:x:0:0" "the other include is restored"
run_cairn --restore "$ID" --path "$T" --include etc/passwd/x
check_rc 1 "an include below a file: exit 1"
check_err "--include etc/passwd/x: not in snapshot" "it is named"

# ---- includes refused before connecting ------------------------------------
run_cairn --restore "$ID" --path "$W/t5" --include /etc/passwd
check_rc 2 "an absolute include: exit 2"
check_err "relative to the directory backed up" "the message says how to name it"
run_cairn --restore "$ID" --path "$W/t5" --include etc/../passwd
check_rc 2 "an include with ..: exit 2"
check_eq "$(ls -d "$W/t5" 2>/dev/null)" "" "nothing was made"

# ---- the original place ----------------------------------------------------
rm -rf "$SRC/var/lib/app"
printf 'changed\n' >"$SRC/etc/passwd"
run_cairn --restore "$ID" --include var/lib/app
check_rc 0 "--include into the original place (no --path)"
check_eq "$(cat "$SRC/var/lib/app/two")" "data two" "the directory is back"
check_eq "$(cat "$SRC/etc/passwd")" "changed" "what is outside the include is left alone"

finish
