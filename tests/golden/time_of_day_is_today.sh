#!/usr/bin/env bash
# The clock-dependent rules, checked against today as this test computes it (so the test holds
# on any date, in any zone, under faketime):
#  - a --since/--until time of day means today in the output zone (like journalctl);
#  - "today" and "-Nh" are relative to now;
#  - yearless `short` lines on stdin (no mtime, no --year) take the current year;
#  - a file's modification time dates yearless lines (a log ends before its mtime);
#  - CRASHSIFT_NOW pins "now" for all of the above.
# Called by CTest: bash time_of_day_is_today.sh CRASHSIFT_BINARY TESTDATA_DIR WORKDIR
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C  # the suite's zone; see tests/unit/main.cpp
cs=$1 work=$3
rm -rf "$work" && mkdir -p "$work"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Two exits today (local time 01:00:05 and 23:00:05), one yesterday at 12:00:05.
journal_for() {  # DAY (YYYY-MM-DD) PREVDAY
  local off; off=$(date -d "$1 12:00" +%z)
  cat <<EOT
$2T12:00:00$off host systemd[1]: Started a.service - A.
$2T12:00:05$off host systemd[1]: a.service: Main process exited, code=exited, status=3/NOTIMPLEMENTED
$1T01:00:00$(date -d "$1 01:00" +%z) host systemd[1]: Started a.service - A.
$1T01:00:05$(date -d "$1 01:00" +%z) host systemd[1]: a.service: Main process exited, code=exited, status=1/FAILURE
$1T23:00:00$(date -d "$1 23:00" +%z) host systemd[1]: Started a.service - A.
$1T23:00:05$(date -d "$1 23:00" +%z) host systemd[1]: a.service: Main process exited, code=exited, status=2/INVALIDARGUMENT
EOT
}
run_today() {
  today=$(date +%F)
  journal_for "$today" "$(date -d "$today -1 day" +%F)" > "$work/today.txt"
  "$cs" exits --format ndjson --since 00:30 --until 02:00 "$work/today.txt" > "$work/tod.ndjson"
  "$cs" exits --format ndjson --since today "$work/today.txt" > "$work/since-today.ndjson"
  [ "$(date +%F)" = "$today" ]  # the day did not turn while we ran
}
run_today || run_today
codes=$(jq -r 'select(.type=="exit") | .code' "$work/tod.ndjson" | paste -sd, -)
[ "$codes" = "1" ] || fail "--since 00:30 --until 02:00 (today $today, TZ=$TZ) gave codes '$codes', expected 1"
codes=$(jq -r 'select(.type=="exit") | .code' "$work/since-today.ndjson" | paste -sd, -)
[ "$codes" = "1,2" ] || fail "--since today (today $today, TZ=$TZ) gave codes '$codes', expected 1,2"

# Yearless short lines on stdin take the current year (the year before and after the run are
# both accepted: under faketime at 31 December 23:59:59 the year turns while the test runs).
year_before=$(date -u +%Y)  # the run below reads in UTC (--utc)
printf '%s\n' "Jan 02 03:04:05 host systemd[1]: b.service: Main process exited, code=exited, status=4/NOPERMISSION" |
  "$cs" exits --format ndjson --utc - > "$work/stdin.ndjson" 2> "$work/stdin.err" || true
year_after=$(date -u +%Y)
got=$(jq -r 'select(.type=="exit") | .exited_at' "$work/stdin.ndjson")
year=${got:0:4}
[ "$year" = "$year_before" ] || [ "$year" = "$year_after" ] ||
  fail "yearless stdin line dated '$got', expected year $year_before"
jq -e --arg y "$year" 'select(.type=="summary") | .inputs[0].notes | any(contains("assumed " + $y + " from the current date"))' \
  "$work/stdin.ndjson" > /dev/null || fail "no note that the year came from the current date"

# A file's mtime dates yearless lines: a line in a later month than the mtime is from the year before.
printf '%s\n' "Dec 30 03:04:05 host systemd[1]: c.service: Main process exited, code=exited, status=5/NOTINSTALLED" > "$work/yearless.txt"
touch -d '2031-03-01 12:00:00Z' "$work/yearless.txt"
# (NO_FAKE_STAT: under faketime, libfaketime would shift the mtime we just set by its offset.)
got=$(NO_FAKE_STAT=1 "$cs" exits --format ndjson --utc "$work/yearless.txt" 2>/dev/null | jq -r 'select(.type=="exit") | .exited_at')
[ "$got" = "2030-12-30T03:04:05.000000Z" ] || fail "mtime 2031-03-01 dated 'Dec 30' as '$got', expected 2030-12-30"

# CRASHSIFT_NOW pins now: "today" and a time of day are that day's, whatever the clock says.
TZ=UTC journal_for 2030-06-01 2030-05-31 > "$work/pinned.txt"
codes=$(CRASHSIFT_NOW=2030-06-01T12:00:00Z "$cs" exits --format ndjson --utc --since 00:30 --until 02:00 "$work/pinned.txt" |
  jq -r 'select(.type=="exit") | .code' | paste -sd, -)
[ "$codes" = "1" ] || fail "CRASHSIFT_NOW: --since 00:30 --until 02:00 gave '$codes', expected 1"
codes=$(CRASHSIFT_NOW=2030-06-01T12:00:00Z "$cs" exits --format ndjson --utc --since -13h "$work/pinned.txt" |
  jq -r 'select(.type=="exit") | .code' | paste -sd, -)
[ "$codes" = "1,2" ] || fail "CRASHSIFT_NOW: --since -13h gave '$codes', expected 1,2"

[ $fails -eq 0 ] && echo "time rules ok (today $today, TZ=$TZ)"
exit $((fails > 0))
