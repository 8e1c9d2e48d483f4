#!/usr/bin/env bash
# The same journal through standard input and every supported compression, several inputs
# merged (duplicates listed once), a 20 MB single line, and the documented exit statuses.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C  # the suite's zone; see tests/unit/main.cpp
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
lab="$testdata/journals/systemd-lab"
count() { grep -o '"exits":[0-9]*' | tail -1 | cut -d: -f2; }
want=$("$crashsift" exits --format json "$lab/journal.export" | count)
[ "$want" -eq 40 ] || { echo "export: $want exits, expected 40"; exit 1; }
got=$(cat "$lab/journal.export" | "$crashsift" exits --format json - | count)
[ "$got" -eq "$want" ] || { echo "stdin: $got exits"; exit 1; }
gzip -c "$lab/journal.json" > "$work/j.json.gz"
xz -c "$lab/journal.short-iso-precise.txt" > "$work/j.txt.xz"
lz4 -q -c "$lab/journal.export" > "$work/j.export.lz4"
zstd -q -c "$lab/journal.verbose.txt" > "$work/j.verbose"   # no suffix: detected by content
for f in j.json.gz j.txt.xz j.export.lz4 j.verbose; do
  got=$("$crashsift" exits --format json "$work/$f" | count)
  [ "$got" -eq "$want" ] || { echo "$f: $got exits, expected $want"; exit 1; }
done
got=$("$crashsift" exits --format json "$lab/journal.export" "$work/j.json.gz" "$lab/journal.verbose.txt" | count)
[ "$got" -eq "$want" ] || { echo "merged forms of one journal: $got exits, expected $want (duplicates?)"; exit 1; }
# A 20 MB line is skipped and reported without being buffered; everything else is still read.
{ head -c 200000 "$lab/journal.json"; printf '{"MESSAGE":"'; head -c 20000000 /dev/zero | tr '\0' x; printf '"}\n';
  tail -c 200000 "$lab/journal.json" | tail -n +2; } > "$work/huge-line.json"
"$crashsift" exits --format json --max-line 1M "$work/huge-line.json" > "$work/huge.out" 2> "$work/huge.err"
grep -q "longer than --max-line" "$work/huge.err" || { echo "huge line not reported"; cat "$work/huge.err"; exit 1; }
# (the huge value continues the line cut by head: one skipped line)
grep -q '"skipped":1' "$work/huge.out" || { echo "expected 1 skipped line"; exit 1; }
n=$(count < "$work/huge.out")
[ "$n" -gt 10 ] || { echo "the lines around the huge one were not read ($n exits)"; exit 1; }
# Exit statuses: 0 ok, 1 --fail-on matched, 2 usage error or nothing usable.
set +e
"$crashsift" exits --fail-on segfault "$lab/journal.export" > /dev/null; [ $? -eq 1 ] || { echo "--fail-on: expected 1"; exit 1; }
"$crashsift" exits --fail-on watchdog -u cl-exit "$lab/journal.export" > /dev/null; [ $? -eq 0 ] || { echo "no match: expected 0"; exit 1; }
head -c 1000 /dev/urandom > "$work/random.bin"
"$crashsift" exits "$work/random.bin" > /dev/null 2>&1; [ $? -eq 2 ] || { echo "garbage: expected 2"; exit 1; }
"$crashsift" exits --since "not a time" "$lab/journal.export" > /dev/null 2>&1; [ $? -eq 2 ] || { echo "bad --since: expected 2"; exit 1; }
"$crashsift" exits --fail-on crash "$lab/journal.export" > /dev/null 2>&1; [ $? -eq 2 ] || { echo "bad class: expected 2"; exit 1; }
"$crashsift" exits "$lab/journal.export" | head -1 > /dev/null; [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "closed pipe: expected 0"; exit 1; }
set -e
echo "stdin, gzip/xz/lz4/zstd, merged forms, a 20 MB line and exit statuses: all as documented"
