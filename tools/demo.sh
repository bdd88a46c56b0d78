#!/bin/sh
# demo.sh — cairn end to end on this machine, in build/demo: throwaway
# certificates, a server on loopback, a backup of a sample tree, a re-run
# that sends nothing, a change that sends one file, and a look at the
# stored snapshots. Run by `make demo` after the build.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
demo=$top/build/demo
CAIRN=${CAIRN:-$top/build/cairn}
CAIRND=${CAIRND:-$top/build/cairnd}

say() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

rm -rf "$demo"
mkdir -p "$demo"
certs=$demo/certs

say "throwaway certificates (tools/gen-certs.sh, tools/gen-client-cert.sh)"
CERTS_DIR=$certs sh tools/gen-certs.sh "" localhost >"$demo/certs.log" 2>&1
CERTS_DIR=$certs sh tools/gen-client-cert.sh demo-client >>"$demo/certs.log" 2>&1
ls "$certs"

say "a sample tree to back up"
src=$demo/source
mkdir -p "$src/docs/notes" "$src/photos" "$src/empty"
printf 'meeting at noon\n' > "$src/docs/notes/monday.txt"
printf 'buy milk\n' > "$src/docs/notes/todo.txt"
printf 'a report\n' > "$src/docs/report.md"
head -c 2000000 /dev/urandom > "$src/photos/cat.jpg"
head -c 500000 /dev/urandom > "$src/photos/dog.jpg"
printf 'not wanted\n' > "$src/docs/scratch.tmp"
ln -s notes/monday.txt "$src/docs/latest"
printf 'txt\n.jpg\nmd\n# not .tmp files\n' > "$demo/extensions"
(cd "$demo" && find source | sort)

say "start cairnd on loopback"
port=$(( 20000 + $$ % 20000 ))
"$CAIRND" --host 127.0.0.1 --port "$port" --dir "$demo/store" \
	--cert "$certs/server_cert.pem" --key "$certs/server_key.pem" \
	--ca "$certs/ca_cert.pem" 2>"$demo/cairnd.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || :' EXIT INT TERM
i=0
until grep -q listening "$demo/cairnd.log" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 $pid 2>/dev/null; then
		cat "$demo/cairnd.log"
		echo "demo: cairnd did not start" >&2
		exit 1
	fi
	sleep 0.1
done
cat "$demo/cairnd.log"

client() {
	run "$CAIRN" --server 127.0.0.1 --server-name localhost --port "$port" \
		--cert "$certs/client_cert.pem" --key "$certs/client_key.pem" \
		--ca "$certs/ca_cert.pem" --state "$demo/state.json" "$@"
}
backup() {
	client --source "$src" --extensions "$demo/extensions" --json
}

say "first backup: every wanted file is sent"
backup
say "second backup, nothing changed: nothing is sent"
backup
say "change one file, back up again: one file is sent"
printf 'and eggs\n' >> "$src/docs/notes/todo.txt"
backup

say "the server's store: one plain directory tree per snapshot"
(cd "$demo/store" && find . -path '*/.*' -prune -o -print | sort)
newest=$(cd "$demo/store/demo-client" && ls -d */2* | sort | tail -n 1)
say "unchanged files are hard links shared by the snapshots (link counts)"
(cd "$demo/store/demo-client" && for s in */2*; do
	stat -c '%h links  %n' "$s/photos/cat.jpg"; done)
say "the newest snapshot matches the source (except the filtered .tmp file)"
run diff -r --exclude=scratch.tmp "$src" "$demo/store/demo-client/$newest" &&
	echo "identical"
say "the client lists its backup and restores the newest snapshot"
client --list
id=$(ls "$demo/store/demo-client")
client --restore "$id" --path "$demo/restored"
run diff -r --exclude=scratch.tmp "$src" "$demo/restored" && echo "identical"
say "done: the demo lives in build/demo"
