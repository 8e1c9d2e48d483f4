#!/usr/bin/env bash
# Reading native journals through their field index (the default) gives exactly the exits, and
# every exit's evidence, that reading every entry gives (issue 13): on every journal in the test
# data made native at test time with the real systemd-journal-remote, on the real lab journal
# file, and on tests/golden/index_cases.py (the evidence an index could miss: lines without an
# invocation ID, a dump stored after the exit record, PID 1 through the kernel, old wordings, a
# spawn failure, a PID named only by a kernel line, more output than the tail read); with and
# without -u.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C  # the suite's zone; see tests/unit/main.cpp
crashsift=$1 testdata=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=$(command -v systemd-journal-remote || true)
if [ -z "$remote" ]; then echo "systemd-journal-remote is not installed (apt-get install systemd-journal-remote)"; exit 1; fi
fail() { echo "FAIL: $*"; exit 1; }

journals=()
n=0
for export in "$testdata"/journals/*/*.export "$testdata"/incidents/*/journal.export; do
  n=$((n + 1))
  "$remote" -o "$work/j$n.journal" "$export" 2>/dev/null || fail "journal-remote refused $export"
  journals+=("$work/j$n.journal:$export")
done
xz -dc "$testdata/journals/systemd-lab/system.journal.xz" > "$work/lab-system.journal"
journals+=("$work/lab-system.journal:systemd-lab/system.journal.xz")
python3 "$here/index_cases.py" > "$work/cases.export"
"$remote" -o "$work/cases.journal" "$work/cases.export" 2>/dev/null
journals+=("$work/cases.journal:index_cases.py")

exits() { "$crashsift" exits --format ndjson "$@" 2> /dev/null | grep '"type":"exit"' || true; }
entries() { "$crashsift" exits --format json "$@" | python3 -c 'import json, sys; print(json.load(sys.stdin)["inputs"][0]["entries"])'; }
total=0
for pair in "${journals[@]}"; do
  file=${pair%%:*} name=${pair#*:}
  exits --native-read scan "$file" > "$work/scan.ndjson"
  exits "$file" > "$work/index.ndjson"
  diff -u "$work/scan.ndjson" "$work/index.ndjson" > "$work/diff.txt" ||
    { head -c 4000 "$work/diff.txt"; fail "$name: the index read's exits differ from the scan's"; }
  count=$(wc -l < "$work/scan.ndjson")
  total=$((total + count))
  # The same with -u for every unit that died of something else than a clean exit.
  units=$(python3 -c 'import json, sys
print(" ".join(sorted({x["unit"] for x in map(json.loads, sys.stdin) if x["class"] != "clean" and x["unit"]})))' \
          < "$work/scan.ndjson")
  for unit in $units; do
    exits --native-read scan -u "$unit" "$file" > "$work/scan-u.ndjson"
    exits -u "$unit" "$file" > "$work/index-u.ndjson"
    diff -u "$work/scan-u.ndjson" "$work/index-u.ndjson" > "$work/diff.txt" ||
      { head -c 4000 "$work/diff.txt"; fail "$name -u $unit: the index read's exits differ from the scan's"; }
  done
done

# The generated journal has every kind of death, and the index read really is one: it reads
# fewer entries than the file holds.
grep -q '"unit":"api.service","pid":3101.*"runtime":"Node.js v20.11.1"' "$work/index.ndjson" ||
  fail "index_cases: the api's runtime (its first output line, 600 lines before its death) is not found"
for want in '"unit":"worker.service".*"pid":3302.*"class":"oom"' '"unit":"legacy.service".*"class":"self-exit"' \
            '"unit":"old.service".*"pid":3505.*"class":"self-exit"' '"unit":"noexec.service".*"code":203' \
            '"pid":3404,.*"class":"segfault"' '"unit":"loop.service".*"pid":3705.*"reason":"panic: runtime error'; do
  grep -q "$want" "$work/index.ndjson" || fail "index_cases: no exit matching $want"
done
grep -q '"unit":"brief.service".*"class":"self-exit"' "$work/index.ndjson" || fail "index_cases: no exit of brief.service"

# A damaged field name in a line the index walk reads twice (a first and a last line of the
# short brief.service run) is counted once, as reading every entry counts it.
python3 - "$work/cases.journal" "$work/flipped.journal" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
needle = b'MESSAGE=brief: the line whose name is damaged'
at = data.find(needle)
assert at > 0 and data.find(needle, at + 1) < 0, 'the DATA object is not stored once, uncompressed'
data[at] ^= 0x20  # "mESSAGE": a name journald never writes
open(sys.argv[2], 'wb').write(data)
PY
skipped_fields() {
  "$crashsift" exits --format json "$@" 2> /dev/null | python3 -c 'import json, re, sys
print(sum(int(m.group(1)) for d in json.load(sys.stdin)["inputs"][0]["damage"]
          for m in [re.search(r"skipped (\d+) field", d["what"])] if m))'
}
scan_skipped=$(skipped_fields --native-read scan "$work/flipped.journal")
index_skipped=$(skipped_fields "$work/flipped.journal")
[ "$scan_skipped" = 1 ] && [ "$index_skipped" = 1 ] ||
  fail "a damaged field name read twice by the index walk: the scan counts $scan_skipped, the index $index_skipped (want 1 each)"

all=$(entries --native-read scan "$work/cases.journal")
read=$(entries "$work/cases.journal")
[ "$read" -lt "$all" ] || fail "index_cases: the index read $read of $all entries (not narrowed)"
echo "native journals read by index: the same $total exits and evidence as reading every entry, on ${#journals[@]} journals (with -u per failed unit); index_cases read $read of $all entries"
