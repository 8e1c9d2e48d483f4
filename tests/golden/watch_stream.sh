#!/usr/bin/env bash
# `crashsift watch` on a real pipe: deaths written while the stream is quiet (before the rest of
# the stream is sent), every death once, the summary at the end, --fail-on's status.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C  # the suite's zone; see tests/unit/main.cpp
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
export HOOKS="$work/hooks"
fail() { echo "FAIL: $*"; exit 1; }
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"  # journal_export.py
# Three deaths ten minutes apart (the times of a past day: the stream is timed by its own entries).
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
from journal_export import entry, pid1
def death(t, unit, pid, segv):
    s = pid1(t - 900000, unit, "Started %s." % unit)
    s += entry(t - 500000, [("_PID", str(pid)), ("SYSLOG_IDENTIFIER", "app"), ("_TRANSPORT", "stdout"), ("_SYSTEMD_UNIT", unit),
                            ("MESSAGE", "fatal: cannot open /etc/app.conf: No such file or directory")])
    if segv:
        s += pid1(t, unit, "%s: Main process exited, code=killed, status=11/SEGV" % unit)
        s += pid1(t + 100, unit, "%s: Failed with result 'signal'." % unit)
    else:
        s += pid1(t, unit, "%s: Main process exited, code=exited, status=1/FAILURE" % unit)
        s += pid1(t + 100, unit, "%s: Failed with result 'exit-code'." % unit)
    return s
t0 = 1790000000000000
open(work + "/part1.export", "w").write(death(t0, "a.service", 101, False) + death(t0 + 600000000, "b.service", 202, True))
open(work + "/part2.export", "w").write(death(t0 + 1200000000, "c.service", 303, False))
# A stream that begins inside a lifetime: a unit's result line with no exit record before it
# (an exit whose main process a text-form rule must still decide) must not hold back the rest.
open(work + "/midway.export", "w").write(pid1(t0 - 1500000, "z.service", "z.service: Failed with result 'exit-code'.")
                                         + death(t0, "a.service", 101, False))
open(work + "/loop.export", "w").write("".join(death(t0 + i * 60000000, "l.service", 400 + i, False) for i in range(3)))
PY
# The output and a marker the writer appends when it sends the rest of the stream go to one
# file (appends, in the order they happen): no clock is compared, so faketime does not matter.
set +e
{ cat "$work/part1.export"; sleep 4; echo SENT-PART-2 >> "$work/out"; cat "$work/part2.export"; } |
  "$crashsift" watch --settle 1 --format ndjson --fail-on segfault - 2> "$work/err" |
  while IFS= read -r line; do printf '%s\n' "$line" >> "$work/out"; done
status=${PIPESTATUS[1]}
set -e
[ "$status" -eq 1 ] || fail "status $status, want 1 (--fail-on segfault matched b.service): $(cat "$work/err")"
[ "$(grep -c '"type":"exit"' "$work/out")" -eq 3 ] || { cat "$work/out"; fail "want 3 exits, each once"; }
[ "$(grep -c '"type":"summary"' "$work/out")" -eq 1 ] || fail "want one summary at the end"
marker=$(grep -n '^SENT-PART-2$' "$work/out" | cut -d: -f1)
for unit in a.service b.service; do
  at=$(grep -n "\"unit\":\"$unit\"" "$work/out" | cut -d: -f1)
  [ -n "$marker" ] && [ "$at" -lt "$marker" ] ||
    fail "$unit was written after the rest of the stream was sent (line $at, marker $marker): not while the stream was quiet"
done
c_at=$(grep -n '"unit":"c.service"' "$work/out" | cut -d: -f1)
[ "$c_at" -gt "$marker" ] || fail "c.service written before it was sent?"
grep -q '"unit":"b.service".*"class":"segfault"' "$work/out" || fail "b.service: not a segfault"
grep -q '"unit":"c.service".*"reason":"fatal: cannot open /etc/app.conf' "$work/out" || fail "c.service: crash message missing"
! grep -q 'out of time order' "$work/err" || fail "a stream in time order was flagged out of order: $(cat "$work/err")"
{ cat "$work/midway.export"; sleep 4; echo SENT-REST >> "$work/midway.out"; } |
  "$crashsift" watch --settle 1 --format ndjson - 2> "$work/midway.err" |
  while IFS= read -r line; do printf '%s\n' "$line" >> "$work/midway.out"; done
a_at=$(grep -n '"unit":"a.service"' "$work/midway.out" | cut -d: -f1)
marker=$(grep -n '^SENT-REST$' "$work/midway.out" | cut -d: -f1)
[ -n "$a_at" ] && [ -n "$marker" ] && [ "$a_at" -lt "$marker" ] ||
  fail "a stream begun inside a lifetime held its next death back until its end: $(cat "$work/midway.out")"
# --exec: one hook run per exit with its JSON and facts; a failing hook is said and counted, and
# its output never reaches the exits on stdout.
mkdir -p "$work/hooks"
{ cat "$work/part1.export"; cat "$work/part2.export"; } |
  "$crashsift" watch --settle 1 --format ndjson \
    --exec 'cat > "$HOOKS/$CRASHSIFT_EXIT_ID.json"; echo "hook $CRASHSIFT_UNIT $CRASHSIFT_CLASS"; [ "$CRASHSIFT_CLASS" != segfault ]' \
    - > "$work/hooked.out" 2> "$work/hooked.err" || fail "watch --exec: status $?: $(cat "$work/hooked.err")"
[ "$(ls "$work/hooks" | wc -l)" -eq 3 ] || fail "want one hook run per exit: $(ls "$work/hooks")"
for f in "$work"/hooks/*.json; do
  id=$(basename "$f" .json)
  grep -q "\"id\":\"$id\"" "$f" || fail "hook for $id did not get its exit's JSON"
  grep -qF "$(cat "$f")" "$work/hooked.out" || fail "hook input for $id is not the exit written on stdout"
done
! grep -q '^hook ' "$work/hooked.out" || fail "a hook's output reached the exits on stdout"
grep -q '^hook b.service segfault' "$work/hooked.err" || fail "the hook's output is not on stderr"
grep -q 'hook for b.service [0-9a-f]*: exit status 1' "$work/hooked.err" || fail "the failing hook is not said"
grep -q 'hooks: 3 run, 1 failed, 0 timed out, 0 dropped' "$work/hooked.err" || fail "hook counts: $(cat "$work/hooked.err")"
# A unit failing again within ten minutes: said under its row (text).
"$crashsift" watch --settle 1 - < "$work/loop.export" > "$work/loop.out" 2> "$work/loop.err"
grep -q '^    2nd failure of l.service in 10 min, all self-exit/exit-code$' "$work/loop.out" || fail "no crash-loop line: $(cat "$work/loop.out")"
grep -q '^    3rd failure of l.service in 10 min' "$work/loop.out" || fail "no 3rd-failure line: $(cat "$work/loop.out")"

# SIGTERM (systemctl stop) ends the stream, not the process: the death still within its settle
# window is written, then the counts.
mkfifo "$work/fifo"
"$crashsift" watch --settle 600 --format ndjson "$work/fifo" > "$work/stopped.out" 2> "$work/stopped.err" &
watcher=$!
exec 3> "$work/fifo"
cat "$work/part1.export" >&3
sleep 3  # time to read it, even under a sanitizer
kill -TERM "$watcher"
set +e
wait "$watcher"
status=$?
set -e
exec 3>&-
[ "$status" -eq 0 ] || fail "watch stopped by SIGTERM: status $status: $(cat "$work/stopped.err")"
[ "$(grep -c '"type":"exit"' "$work/stopped.out")" -eq 2 ] || fail "SIGTERM: the held deaths were not written: $(cat "$work/stopped.out")"
grep -q '"type":"summary"' "$work/stopped.out" || fail "SIGTERM: no summary"
# -D: a journal directory followed as it is written; a new file (rotation, another writer) too.
remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=$(command -v systemd-journal-remote || true)
[ -n "$remote" ] || fail "systemd-journal-remote is not installed (apt-get install systemd-journal-remote)"
mkdir -p "$work/dir"
"$remote" -o "$work/dir/one.journal" "$work/part1.export" 2>/dev/null
"$crashsift" watch -D "$work/dir" --since 2026-09-21T00:00:00Z --settle 1 --format ndjson > "$work/followed.out" 2> "$work/followed.err" &
watcher=$!
for i in $(seq 1 100); do [ "$(grep -c '"type":"exit"' "$work/followed.out")" -ge 2 ] && break; sleep 0.2; done
[ "$(grep -c '"type":"exit"' "$work/followed.out")" -eq 2 ] || { kill "$watcher"; fail "-D: the two deaths already in the journal were not written: $(cat "$work/followed.err")"; }
"$remote" -o "$work/dir/two.journal" "$work/part2.export" 2>/dev/null
for i in $(seq 1 100); do [ "$(grep -c '"type":"exit"' "$work/followed.out")" -ge 3 ] && break; sleep 0.2; done
kill -TERM "$watcher"
wait "$watcher" || fail "-D: status $? after SIGTERM: $(cat "$work/followed.err")"
[ "$(grep -c '"type":"exit"' "$work/followed.out")" -eq 3 ] || fail "-D: the death in the new file was not followed: $(cat "$work/followed.out")"
grep -q '"unit":"c.service".*"class":"self-exit"' "$work/followed.out" || fail "-D: c.service"
echo "watch: 2 deaths written while the stream was quiet, 3 in all once each, --fail-on status 1; --exec ran 3 hooks with their exits' JSON, 1 failure said; SIGTERM wrote the held deaths; -D followed a new journal file"
