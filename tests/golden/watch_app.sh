#!/usr/bin/env bash
# `crashsift watch --app UNIT=FILE`: the app log is followed as it grows, and each exit is
# written with the memory samples before it, as `exits --app` gives them after the fact. The
# journal stream and the app log are both written while the watch runs; the log is rotated
# (renamed, a new file) between the two deaths.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"  # journal_export.py
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
from journal_export import entry, pid1
def death(t, pid):
    s = pid1(t - 300000000, "api.service", "Started api.service.")
    s += entry(t - 200000, [("_PID", str(pid)), ("SYSLOG_IDENTIFIER", "api"), ("_TRANSPORT", "stdout"),
                            ("_SYSTEMD_UNIT", "api.service"), ("MESSAGE", "serving")])
    s += pid1(t, "api.service", "api.service: Main process exited, code=killed, status=9/KILL")
    return s + pid1(t + 100, "api.service", "api.service: Failed with result 'signal'.")
def samples(t, pid, start_mb, step_mb):
    # one sample every 30 s for the 5 minutes before the death, rss growing
    lines = []
    for i in range(10):
        ms = (t - 300000000 + i * 30000000) // 1000
        lines.append(json.dumps({"time": ms, "level": 30, "msg": "memory:periodic", "pid": pid,
                                 "rss": (start_mb + i * step_mb) << 20, "heapUsed": 100 << 20}))
    return "\n".join(lines) + "\n"
t1 = 1790000000000000
t2 = t1 + 600000000
open(work + "/j1.export", "w").write(death(t1, 101))
open(work + "/j2.export", "w").write(death(t2, 202) + entry(t2 + 10000000, [("_PID", "5"), ("SYSLOG_IDENTIFIER", "cron"), ("MESSAGE", "tick")]))
open(work + "/a1.ndjson", "w").write(samples(t1, 101, 500, 100))
open(work + "/a2.ndjson", "w").write(samples(t2, 202, 200, 10))
PY
mkfifo "$work/journal.fifo"
: > "$work/app.ndjson"
"$crashsift" watch --settle 1 --format ndjson --app "api.service=$work/app.ndjson" "$work/journal.fifo" \
  > "$work/out" 2> "$work/err" &
watcher=$!
exec 3<> "$work/journal.fifo"
exits() { grep -c '"type":"exit"' "$work/out" || true; }
cat "$work/a1.ndjson" >> "$work/app.ndjson"   # the app writes its samples ...
cat "$work/j1.export" >&3                     # ... then dies
for _ in $(seq 1 100); do [ "$(exits)" -ge 1 ] && break; sleep 0.2; done
mv "$work/app.ndjson" "$work/app.ndjson.1"    # logrotate: rename, a new file
cat "$work/a2.ndjson" > "$work/app.ndjson"
cat "$work/j2.export" >&3
for _ in $(seq 1 100); do [ "$(exits)" -ge 2 ] && break; sleep 0.2; done
exec 3>&-
wait "$watcher" || fail "watch: status $?: $(cat "$work/err")"
python3 - "$work/out" <<'PY' || fail "the samples: $(cat "$work/out")"
import json, sys
exits = [o for o in map(json.loads, open(sys.argv[1])) if o["type"] == "exit"]
assert [x["pid"] for x in exits] == [101, 202], [(x["unit"], x["pid"]) for x in exits]
a, b = exits
assert a["samples"] and b["samples"], (a["samples"], b["samples"])
ma = 500 + 9 * 100
mb = 200 + 9 * 10
assert a["samples"]["peak_rss_bytes"] == ma << 20, a["samples"]
assert b["samples"]["peak_rss_bytes"] == mb << 20, b["samples"]     # the rotated-in file, not the old one
assert a["samples_source"] == "UNIT= prefix", a["samples_source"]
assert a["samples"]["last"]["source"].endswith("app.ndjson:10"), a["samples"]["last"]
PY
echo "watch --app: samples joined live from a growing log and across its rotation (peak rss 1400 MiB, then 290 MiB)"
