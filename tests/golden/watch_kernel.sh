#!/usr/bin/env bash
# `crashsift watch --kernel-from PATH`: the kernel's records (the /dev/kmsg record lines a
# container's journal lacks) followed beside the journal stream, on their own thread, and joined
# to the death they explain: a SIGKILL with the memory cgroup's OOM kill line is "oom", with the
# kmsg record as evidence. Both inputs are FIFOs written while the watch runs.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"  # journal_export.py
boot_time=1789990000   # the kernel's records are µs since this (--kernel-boot-time)
python3 - "$work" "$boot_time" <<'PY'
import sys
work, boot = sys.argv[1], int(sys.argv[2])
import journal_export
def entry(t, fields):  # the boot the kernel's records count from
    return journal_export.entry(t, fields, boot * 1000000)
def pid1(t, unit, msg):
    return journal_export.pid1(t, unit, msg, boot * 1000000)
t = 1790000000000000
s = pid1(t - 5000000, "b.service", "Started b.service.")
s += entry(t - 3000000, [("_PID", "202"), ("SYSLOG_IDENTIFIER", "worker"), ("_TRANSPORT", "stdout"), ("_SYSTEMD_UNIT", "b.service"),
                         ("MESSAGE", "loading 2000000 records")])
s += pid1(t, "b.service", "b.service: Main process exited, code=killed, status=9/KILL")
s += pid1(t + 100, "b.service", "b.service: Failed with result 'signal'.")
open(work + "/journal.export", "w").write(s)
usec = t - 100000 - boot * 1000000
k = "4,5120,%d,-;worker invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n" % (usec - 2000)
k += " SUBSYSTEM=memory\n"
k += "3,5170,%d,-;Memory cgroup out of memory: Killed process 202 (worker) total-vm:2210000kB, anon-rss:1990000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4000kB oom_score_adj:0\n" % usec
open(work + "/kmsg.txt", "w").write(k)
PY
mkfifo "$work/journal.fifo" "$work/kmsg.fifo"
"$crashsift" watch --settle 2 --format ndjson --kernel-from "$work/kmsg.fifo" --kernel-boot-time "$(date -u -d "@$boot_time" +%Y-%m-%dT%H:%M:%SZ)" \
  "$work/journal.fifo" > "$work/out" 2> "$work/err" &
watcher=$!
# Read-write opens never block, even if the watch died before opening its ends.
exec 3<> "$work/journal.fifo" 4<> "$work/kmsg.fifo"
cat "$work/kmsg.txt" >&4
cat "$work/journal.export" >&3
for _ in $(seq 1 100); do grep -q '"type":"exit"' "$work/out" && break; sleep 0.2; done
exec 3>&- 4>&-
wait "$watcher" || fail "watch: status $?: $(cat "$work/err")"
python3 - "$work/out" <<'PY' || fail "the exit: $(cat "$work/out")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
exits = [o for o in lines if o["type"] == "exit"]
assert len(exits) == 1, lines
# On a slow machine the record may come after the settle window: then an update says it.
final = {}
for o in lines:
    if o["type"] in ("exit", "exit-update"): final[o["id"]] = o
x = final[exits[0]["id"]]
assert x["unit"] == "b.service" and x["class"] == "oom" and x["oom_kind"] == "cgroup", x
ev = [e for e in x["evidence"] if e["role"] == "kernel-oom-kill"]
assert ev and ev[0]["source"].endswith("kmsg.fifo:5170"), x["evidence"]
assert not any("no kernel log" in m for m in x["missing"]), x["missing"]
summary = lines[-1]
assert summary["type"] == "summary", summary
k = [i for i in summary["inputs"] if i["path"].endswith("kmsg.fifo")]
assert k and k[0]["entries"] == 2 and k[0]["format"] == "kmsg", summary["inputs"]
PY
# Asked for the kernel's lines and unable to read them: said at once, status 2.
set +e
"$crashsift" watch --kernel-from "$work/no-such-kmsg" - < /dev/null > /dev/null 2> "$work/missing.err"
status=$?
set -e
[ "$status" -eq 2 ] && grep -q 'cannot read .*no-such-kmsg' "$work/missing.err" || fail "an unreadable --kernel source: status $status: $(cat "$work/missing.err")"
echo "watch --kernel-from: the memory cgroup's OOM kill record joined the SIGKILL (oom/cgroup, evidence kmsg.fifo:5170); an unreadable source is status 2"
