#!/bin/sh
# t_resolve.sh — host names are resolved in a child process (port/posix.c:
# so that cairn links no allocator, and the wait is bounded by --timeout):
# --server localhost reaches the server, with the ASan client and with the
# static one; a name that does not resolve is one line naming it, exit 3.
. "$(dirname "$0")/lib.sh"

start_server || finish
for bin in "$CAIRN" "$TOP/build/cairn"; do
	if [ ! -x "$bin" ]; then
		fail "$bin exists" "build it: make (make test does)"
		continue
	fi
	run_raw "$bin" --server localhost --server-name localhost --port "$PORT" \
		--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
		--ca "$CERTS/ca_cert.pem" --state "$W/state.json" --list --json
	check_rc 0 "$bin --server localhost --list: exit 0 (the name resolved)"
	run_raw "$bin" --server no-such-host.invalid --port "$PORT" --timeout 10 \
		--cert "$CERTS/client_cert.pem" --key "$CERTS/client_key.pem" \
		--ca "$CERTS/ca_cert.pem" --state "$W/state.json" --list
	check_rc 3 "$bin --server no-such-host.invalid: exit 3"
	check_err "no-such-host.invalid" "the error names the host"
	check_eq "$(wc -l <"$RUN_ERR" | tr -d ' ')" 1 "the error is one line"
done
stop_server
finish
