#!/usr/bin/env bash
# The bundled example incident (testdata/incidents/dispatch, a reconstruction of the findings
# document in shared/seeds): the report must state each fact of FACTS.md by itself, from every
# journal form, and the CI gates (--fail-on, --baseline) must work on it.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C  # the suite's zone; see tests/unit/main.cpp
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
d="$testdata/incidents/dispatch"
run() { "$crashsift" report --tz Asia/Tokyo -u dispatch --memory-limit 24G --app "dispatch.service=$d/app.ndjson*" "$@"; }
expect() {  # expect FILE TEXT...
  local file=$1; shift
  for text in "$@"; do
    grep -qF -- "$text" "$file" || { echo "report ($file) does not say: $text"; echo "----"; cat "$file"; exit 1; }
  done
}
run "$d/journal.export" > "$work/report.txt"
expect "$work/report.txt" \
  "20 exits over 9 h 9 min: 14 clean, 5 segfault, 1 self-exit" \
  "2 failure modes" \
  "5 × segfault (SIGILL): panic(main thread): Segmentation fault at address 0x0" \
  "all on Bun v1.3.13; none since Bun v1.3.14 started at 09:06 · 00:12 – 09:05" \
  "1 × exit-1: error: Timed out while waiting for handshake" \
  "on Bun v1.3.14 · 09:22" \
  "rss 116 MiB 12 s before, 4 activeConversations" \
  "exit-1 at 116 MiB after 15 min 43 s up (systemd memory peak" \
  "memory a symptom, not the trigger" \
  "segfault (SIGILL) at 352 MiB after 1 min 7 s up of a 24.0 GiB limit: not memory exhaustion" \
  "idle memory flat at 84.0 MiB" "growth follows load, not a leak" \
  "at emitError (node:events:51:13)" \
  "5 exit(s) dumped core, but no core file or systemd-coredump backtrace was found"
# The same facts from the text renderings (journalctl 252 output of the same journal).
for form in journal.short-iso-precise journal.json journal.verbose; do
  run "$d/$form" > "$work/$form.txt"
  expect "$work/$form.txt" "14 clean, 5 segfault, 1 self-exit" \
    "all on Bun v1.3.13; none since Bun v1.3.14 started at 09:06" "rss 116 MiB 12 s before, 4 activeConversations"
done
# Markdown for the incident document: headings, a table, log lines in code blocks.
run --format markdown "$d/journal.export" > "$work/report.md"
expect "$work/report.md" "## TL;DR" "## Crash loops" "| dispatch.service | 20 |" '```' "## Evidence gaps"
# JSON contract: parse it back.
run --format json "$d/journal.export" > "$work/report.json"
[ "$(jq -r .schema "$work/report.json")" = crashsift/report/1 ] || { echo "bad schema"; exit 1; }
[ "$(jq '.modes | length' "$work/report.json")" -eq 2 ] || { echo "expected 2 modes"; exit 1; }
[ "$(jq '.modes[0].count' "$work/report.json")" -eq 5 ] || { echo "first mode should have 5 exits"; exit 1; }
[ "$(jq -r '.exits[] | select(.class=="self-exit") | .samples.last.rss_bytes' "$work/report.json")" = 121634816 ] ||
  { echo "self-exit: last sample rss should be 121634816"; exit 1; }
# --redact masks the host name.
run --redact "$d/journal.export" > "$work/redacted.txt"
if grep -q dispatch-prod "$work/redacted.txt"; then echo "--redact left the host name"; exit 1; fi
# CI gates: a baseline from before 09:10 lacks the exit-1 mode: exit 1, and the mode is NEW.
run --format json --until "2026-06-28 09:10" "$d/journal.export" > "$work/baseline.json"
set +e
run --baseline "$work/baseline.json" "$d/journal.export" > "$work/gated.txt"; rc=$?
run --baseline "$work/report.json" "$d/journal.export" > /dev/null; rc_same=$?
run --fail-on segfault "$d/journal.export" > /dev/null; rc_fail=$?
set -e
[ "$rc" -eq 1 ] || { echo "--baseline with a new mode: exit $rc, expected 1"; exit 1; }
expect "$work/gated.txt" "NEW since the baseline"
[ "$rc_same" -eq 0 ] || { echo "--baseline with the same modes: exit $rc_same, expected 0"; exit 1; }
[ "$rc_fail" -eq 1 ] || { echo "--fail-on segfault: exit $rc_fail, expected 1"; exit 1; }
echo "dispatch incident: every fact stated, in every form; Markdown, JSON, --redact, --baseline, --fail-on ok"
