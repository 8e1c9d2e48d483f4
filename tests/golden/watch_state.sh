#!/usr/bin/env bash
# `crashsift watch -D DIR --state FILE` across restarts: a watch killed (SIGKILL) while it still
# held deaths loses none of them, one stopped by SIGTERM repeats none, and a journal file added
# while no watch ran is read from where the last one stopped; every death written exactly once.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work/dir"
fail() { echo "FAIL: $*"; exit 1; }
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"  # journal_export.py
remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=$(command -v systemd-journal-remote || true)
[ -n "$remote" ] || fail "systemd-journal-remote is not installed (apt-get install systemd-journal-remote)"
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
from journal_export import entry, pid1
def death(t, unit, pid):
    s = pid1(t - 900000, unit, "Started %s." % unit)
    s += entry(t - 500000, [("_PID", str(pid)), ("SYSLOG_IDENTIFIER", "app"), ("_TRANSPORT", "stdout"), ("_SYSTEMD_UNIT", unit),
                            ("MESSAGE", "fatal: out of cheese")])
    s += pid1(t, unit, "%s: Main process exited, code=exited, status=1/FAILURE" % unit)
    return s + pid1(t + 100, unit, "%s: Failed with result 'exit-code'." % unit)
t0 = 1790000000000000
open(work + "/one.export", "w").write(death(t0, "a.service", 101) + death(t0 + 20000000, "b.service", 202))
open(work + "/two.export", "w").write(death(t0 + 40000000, "c.service", 303))
open(work + "/three.export", "w").write(death(t0 + 60000000, "d.service", 404))
PY
"$remote" -o "$work/dir/one.journal" "$work/one.export" 2>/dev/null
exits() { grep -c '"type":"exit"' "$@" || true; }
wait_for() {  # file, pattern: up to 20 s
  for _ in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done
  return 1
}

# 1. A watch that holds its deaths (settle 10 min) is killed before it writes any.
"$crashsift" watch -D "$work/dir" --since 2026-09-21T00:00:00Z --settle 600 --format ndjson --state "$work/state" \
  > "$work/1.out" 2> "$work/1.err" &
pid=$!
wait_for "$work/state" time_usec || { kill -9 $pid; fail "no state saved while the journal was quiet: $(cat "$work/1.err")"; }
kill -9 $pid; wait $pid 2>/dev/null || true
[ "$(exits "$work/1.out")" -eq 0 ] || fail "the first watch wrote deaths it should still hold"
python3 - "$work/state" <<'PY' || fail "the saved state: $(cat "$work/state")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["schema"] == "crashsift/watch-state/1", s
assert s["position"]["time_usec"] == 1790000020000100, s   # b.service's last line
assert s["position"]["cursor"].startswith("s="), s          # the journal's own cursor
assert s["written"] == [], s
PY

# 2. Restarted (another settle, no --since): both held deaths are written, once.
"$crashsift" watch -D "$work/dir" --settle 1 --format ndjson --state "$work/state" > "$work/2.out" 2> "$work/2.err" &
pid=$!
for _ in $(seq 1 100); do [ "$(exits "$work/2.out")" -ge 2 ] && break; sleep 0.2; done
kill -TERM $pid; wait $pid || fail "second watch: status $?: $(cat "$work/2.err")"
[ "$(exits "$work/2.out")" -eq 2 ] || fail "after SIGKILL: $(exits "$work/2.out") deaths written, not 2: $(cat "$work/2.out" "$work/2.err")"
grep -q '"unit":"a.service"' "$work/2.out" && grep -q '"unit":"b.service"' "$work/2.out" || fail "a or b missing after the restart"
grep -q 'resumed from the saved cursor' "$work/2.err" || grep -q 'resumed from the saved cursor' "$work/2.out" ||
  fail "the restart did not seek by the cursor: $(cat "$work/2.err")"

# 3. A file written while no watch ran; the third watch writes only what is new.
"$remote" -o "$work/dir/two.journal" "$work/two.export" 2>/dev/null
"$crashsift" watch -D "$work/dir" --settle 1 --format ndjson --state "$work/state" > "$work/3.out" 2> "$work/3.err" &
pid=$!
for _ in $(seq 1 100); do [ "$(exits "$work/3.out")" -ge 1 ] && break; sleep 0.2; done
sleep 2  # a repeat of a or b would come within the settle window
kill -TERM $pid; wait $pid || fail "third watch: status $?: $(cat "$work/3.err")"
[ "$(exits "$work/3.out")" -eq 1 ] || fail "third watch: $(exits "$work/3.out") deaths, not 1: $(cat "$work/3.out")"
grep -q '"unit":"c.service"' "$work/3.out" || fail "c.service, written while no watch ran, is missing"
grep -q 'exits written before this start (--state) were not written again' "$work/3.err" ||
  fail "the replayed deaths were not recognised: $(cat "$work/3.err")"

# 4. The file holding the saved cursor is vacuumed while no watch runs: the restart goes on by
# the saved time, and writes the new death only.
rm "$work/dir/two.journal"
"$remote" -o "$work/dir/three.journal" "$work/three.export" 2>/dev/null
"$crashsift" watch -D "$work/dir" --settle 1 --format ndjson --state "$work/state" > "$work/4.out" 2> "$work/4.err" &
pid=$!
for _ in $(seq 1 100); do [ "$(exits "$work/4.out")" -ge 1 ] && break; sleep 0.2; done
sleep 2
kill -TERM $pid; wait $pid || fail "fourth watch: status $?: $(cat "$work/4.err")"
[ "$(exits "$work/4.out")" -eq 1 ] && grep -q '"unit":"d.service"' "$work/4.out" ||
  fail "after the vacuum: $(cat "$work/4.out")"
grep -q 'the saved cursor is no longer in the journal: resumed by time' "$work/4.out" ||
  fail "the vacuumed cursor is not said: $(cat "$work/4.out" "$work/4.err")"

# 5. A state that is not ours is refused (status 2), not overwritten.
echo '{"hello": 1}' > "$work/foreign"
set +e
"$crashsift" watch -D "$work/dir" --state "$work/foreign" > /dev/null 2> "$work/5.err"
status=$?
set -e
[ "$status" -eq 2 ] || fail "a foreign state file: status $status"
grep -q 'not a crashsift watch state' "$work/5.err" || fail "a foreign state file: $(cat "$work/5.err")"
[ "$(cat "$work/foreign")" = '{"hello": 1}' ] || fail "a foreign state file was overwritten"
echo "watch --state: SIGKILL with 2 deaths held then restart: 2 written; restart after SIGTERM with a new file: 1 written, the replay not repeated; cursor vacuumed: resumed by time, 1 written; foreign state refused"
