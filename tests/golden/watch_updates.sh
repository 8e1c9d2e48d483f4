#!/usr/bin/env bash
# `crashsift watch`: evidence that comes after an exit's settle window updates that exit (same
# id, "type":"exit-update") instead of making a second death: a core written 30 s after the
# crash, and a kernel OOM line that reached the stream late and turns "killed" into "oom". The
# exits command on the same input, after the fact, agrees with the updated verdicts.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"  # journal_export.py
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
from journal_export import entry, pid1
def ticks(t, n):
    return "".join(entry(t + i * 1000000, [("_PID", "555"), ("SYSLOG_IDENTIFIER", "cron"), ("_TRANSPORT", "syslog"),
                                            ("MESSAGE", "tick %d" % i)]) for i in range(1, n))
t = 1790000000000000
# a.service dumps core; the next instance starts at once (PID 102); the core of PID 101 takes 30 s.
s = pid1(t - 900000, "a.service", "Started a.service.")
s += pid1(t, "a.service", "a.service: Main process exited, code=dumped, status=11/SEGV")
s += pid1(t + 100, "a.service", "a.service: Failed with result 'core-dump'.")
s += pid1(t + 200000, "a.service", "Started a.service.")
s += ticks(t, 30)
s += entry(t + 30000000, [("_PID", "777"), ("SYSLOG_IDENTIFIER", "systemd-coredump"), ("_TRANSPORT", "journal"),
    ("MESSAGE_ID", "fc2e22bc6ee647b6b90729ab34a250b1"), ("COREDUMP_PID", "101"), ("COREDUMP_SIGNAL", "11"),
    ("COREDUMP_COMM", "app"), ("COREDUMP_UNIT", "a.service"), ("COREDUMP_TIMESTAMP", str(t - 200000)),
    ("COREDUMP_FILENAME", "/var/lib/systemd/coredump/core.app.0.b.101.1790000000000000.zst"),
    ("MESSAGE", "Process 101 (app) of user 0 dumped core.")])
# b.service is SIGKILLed; the kernel's OOM kill line for its PID reaches the stream 20 s late.
u = t + 60000000
s += pid1(u - 5000000, "b.service", "Started b.service.")
s += pid1(u, "b.service", "b.service: Main process exited, code=killed, status=9/KILL")
s += pid1(u + 100, "b.service", "b.service: Failed with result 'signal'.")
s += ticks(u, 20)
s += entry(u - 100000, [("_TRANSPORT", "kernel"), ("SYSLOG_IDENTIFIER", "kernel"),
    ("MESSAGE", "Memory cgroup out of memory: Killed process 202 (worker) total-vm:2210000kB, anon-rss:1990000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4000kB oom_score_adj:0")])
s += ticks(u + 20000000, 10)
open(work + "/late.export", "w").write(s)
PY
HOOKS="$work/hooks" "$crashsift" watch --settle 2 --format ndjson --exec 'printf "%s %s %s\n" "$CRASHSIFT_UNIT" "$CRASHSIFT_CLASS" "${CRASHSIFT_UPDATE:-0}" >> "$HOOKS"' \
  - < "$work/late.export" > "$work/out" 2> "$work/err" || fail "watch: $(cat "$work/err")"

python3 - "$work/out" <<'PY' || fail "the updates: $(cat "$work/out")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
kinds = [(o["type"], o.get("unit"), o.get("class")) for o in lines]
exits = [o for o in lines if o["type"] == "exit"]
updates = [o for o in lines if o["type"] == "exit-update"]
assert [o["unit"] for o in exits] == ["a.service", "b.service"], kinds   # no death made of the late records
a0, b0 = exits
a1 = next(o for o in updates if o["unit"] == "a.service")
assert a1["id"] == a0["id"] and a1["schema"] == "crashsift/exit/1", (a0, a1)
assert "coredump" not in [e["role"] for e in a0["evidence"]], a0
assert "coredump" in [e["role"] for e in a1["evidence"]], a1
assert not any("core dump record" in m for m in a1["missing"]), a1["missing"]
assert b0["class"] == "killed", b0
b1 = next(o for o in updates if o["unit"] == "b.service")
assert b1["id"] == b0["id"] and b1["class"] == "oom", b1
assert lines[-1]["type"] == "summary", kinds
PY
"$crashsift" exits --format ndjson "$work/late.export" > "$work/after.out"
python3 - "$work/out" "$work/after.out" <<'PY' || fail "watch's updated verdicts differ from the exits command's"
import json, sys
live = {}
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["type"] in ("exit", "exit-update"): live[o["id"]] = (o["class"], o["cause"])
after = {o["id"]: (o["class"], o["cause"]) for o in map(json.loads, open(sys.argv[2])) if o["type"] == "exit"}
assert live == after, (live, after)
PY
grep -qx 'a.service segfault 1' "$work/hooks" && grep -qx 'b.service oom 1' "$work/hooks" && grep -qx 'b.service killed 0' "$work/hooks" ||
  fail "the hooks of the updates: $(cat "$work/hooks")"
echo "watch: a core written 30 s late and a late OOM line update their exits (same id; killed -> oom), no extra death; the verdicts match exits after the fact; hooks ran with CRASHSIFT_UPDATE=1"
