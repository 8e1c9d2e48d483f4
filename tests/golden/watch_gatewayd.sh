#!/usr/bin/env bash
# `crashsift watch http://HOST:19531`: a host's journal followed through a real
# systemd-journal-gatewayd (?follow) while real systemd-journal-remote writes it from a FIFO.
# The watch starts from now (an exit already in the journal is not written), writes a new exit
# within its settle time, survives a gatewayd restart (asked again from the last whole entry:
# the next exit once, nothing twice), and restarted with --state writes the exit that came while
# it was down, and no earlier one again. An unreachable host is status 2 at once.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work/dir"
fail() { echo "FAIL: $*"; exit 1; }
# The journal's entries are stamped with the real time (the watch's clock goes on from them).
[ -z "${FAKETIME:-}" ] || { echo "SKIP: runs on the real clock only (faketime is on)"; exit 77; }
remote=/lib/systemd/systemd-journal-remote
gatewayd=/lib/systemd/systemd-journal-gatewayd
[ -x "$remote" ] && [ -x "$gatewayd" ] || fail "systemd-journal-remote is not installed"
command -v systemd-socket-activate > /dev/null || fail "systemd-socket-activate is not installed (apt-get install systemd)"
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"  # journal_export.py

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done; wait 2> /dev/null || true; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
wait_port() {
  python3 - "$port" <<'PY' || fail "gatewayd does not listen on $port"
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close(); sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}
start_gatewayd() {
  systemd-socket-activate -l "127.0.0.1:$port" "$gatewayd" --directory="$work/dir" >> "$work/gatewayd.log" 2>&1 &
  gw=$!
  pids+=($gw)
  wait_port
}
# One crash of unit $1 (exit status $2) now, as PID 1 and the service write it.
crash() {
  python3 - "$1" "$2" <<'PY'
import sys, time
from journal_export import entry, pid1
unit, status = sys.argv[1], sys.argv[2]
t = int(time.time() * 1e6)
sys.stdout.write(pid1(t - 3000, unit, "Started %s." % unit))
sys.stdout.write(entry(t - 2000, [("_PID", "4%s" % status), ("SYSLOG_IDENTIFIER", "app"), ("_TRANSPORT", "stdout"),
                                  ("_SYSTEMD_UNIT", unit), ("MESSAGE", "fatal: %s gave up" % unit)]))
sys.stdout.write(pid1(t, unit, "%s: Main process exited, code=exited, status=%s/n" % (unit, status)))
sys.stdout.write(pid1(t + 100, unit, "%s: Failed with result 'exit-code'." % unit))
PY
}
mkfifo "$work/feed"
"$remote" --split-mode=none --output="$work/dir/remote-h1.journal" "$work/feed" 2> "$work/remote.log" &
pids+=($!)
exec 3> "$work/feed"  # held open: journal-remote reads it until the test ends
crash old.service 11 >&3
start_gatewayd
served() {  # served N: gatewayd serves the journal's first N entries (journal-remote wrote them)
  for _ in $(seq 100); do
    n=$("$crashsift" exits --format json "http://127.0.0.1:$port" 2> /dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["inputs"][0]["entries"])' || true)
    [ "$n" = "$1" ] && return 0
    sleep 0.1
  done
  fail "the journal never held $1 entries (it holds ${n:-none})"
}
served 4
seen() {  # seen FILE UNIT: wait until the watch wrote UNIT's exit
  for _ in $(seq 100); do grep -q "\"unit\":\"$2\"" "$1" && return 0; sleep 0.1; done
  fail "the watch did not write $2's exit: $(cat "$1" "$1.err" 2> /dev/null | head -c 2000)"
}

"$crashsift" watch --settle 1 --format ndjson --state "$work/state.json" "http://127.0.0.1:$port" > "$work/w1" 2> "$work/w1.err" &
watch=$!
pids+=($watch)
sleep 1.5
crash first.service 12 >&3
seen "$work/w1" first.service
# gatewayd restarts: the watch asks again from its last entry.
kill "$gw"; wait "$gw" 2> /dev/null || true
start_gatewayd
crash second.service 13 >&3
served 12
seen "$work/w1" second.service
kill -TERM "$watch"; wait "$watch" 2> /dev/null || true
grep -q 'connection to 127.0.0.1:'"$port"' lost' "$work/w1" "$work/w1.err" || fail "the reconnect is not noted: $(cat "$work/w1.err"; tail -1 "$work/w1")"
# Down: an exit comes meanwhile; restarted with --state it is written, nothing earlier again.
crash third.service 14 >&3
served 16
"$crashsift" watch --settle 1 --format ndjson --state "$work/state.json" "http://127.0.0.1:$port" > "$work/w2" 2> "$work/w2.err" &
watch=$!
pids+=($watch)
seen "$work/w2" third.service
sleep 2
kill -TERM "$watch"; wait "$watch" 2> /dev/null || true
python3 - "$work/w1" "$work/w2" <<'PY' || fail "exits written: $(cat "$work/w1" "$work/w2" | grep '"type":"exit"' | cut -c1-160)"
import json, sys
def units(path):
    return [json.loads(l)["unit"] for l in open(path) if '"type":"exit"' in l]
w1, w2 = units(sys.argv[1]), units(sys.argv[2])
assert w1 == ["first.service", "second.service"], w1
# The restart re-reads a span before its saved position (3 x settle + 60 s, as -D does): an exit
# there that no watch wrote (old.service died before the first one started) is written now.
assert [u for u in w2 if u != "old.service"] == ["third.service"], w2
PY
# A quiet host (nothing new while it was followed) is no error.
"$crashsift" watch --format ndjson "http://127.0.0.1:$port" > "$work/quiet.out" 2> "$work/quiet.err" &
watch=$!
sleep 1.5
kill -TERM "$watch"
status=0
wait "$watch" || status=$?
[ "$status" -eq 0 ] && grep -q '"type":"summary"' "$work/quiet.out" || fail "a quiet host: status $status $(cat "$work/quiet.err")"
status=0
"$crashsift" watch --connect-timeout 2 "http://127.0.0.1:1" > /dev/null 2> "$work/down.err" || status=$?
[ "$status" -eq 2 ] || fail "an unreachable host: status $status $(cat "$work/down.err")"
exec 3>&-
echo "ok: watch over gatewayd from now, through a gatewayd restart, resumed with --state; unreachable host status 2"
