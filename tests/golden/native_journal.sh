#!/usr/bin/env bash
# Native journals built AT TEST TIME from the committed export text with the real
# systemd-journal-remote, read through sd-journal as a file, with --file, as a directory (-D),
# and compressed; the exits must equal those read from the export itself.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C  # the suite's zone; see tests/unit/main.cpp
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work/dir"
remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=$(command -v systemd-journal-remote || true)
if [ -z "$remote" ]; then echo "systemd-journal-remote is not installed (apt-get install systemd-journal-remote)"; exit 1; fi
export="$testdata/journals/systemd-lab/journal.export"
"$remote" -o "$work/dir/lab.journal" "$export" 2>/dev/null
key() { "$crashsift" exits --format ndjson "$@" | grep '"type":"exit"' |
        sed -E 's/.*"unit":"([^"]*)","pid":([^,]*),.*"exited_at":"([^"]*)".*"class":"([^"]*)".*"code":([^,]*),"signal":([^,]*),.*/\1 \2 \3 \4 \5 \6/'; }
key "$export" > "$work/want.txt"
[ "$(wc -l < "$work/want.txt")" -eq 40 ] || { echo "expected 40 exits from the export"; exit 1; }
key "$work/dir/lab.journal" > "$work/file.txt"
key --file "$work/dir/lab.journal" > "$work/opt-file.txt"
key -D "$work/dir" > "$work/dir.txt"
zstd -q -c "$work/dir/lab.journal" > "$work/lab.journal.zst"
key "$work/lab.journal.zst" > "$work/zst.txt"
for got in file opt-file dir zst; do
  diff -u "$work/want.txt" "$work/$got.txt" || { echo "native journal ($got) differs from the export"; exit 1; }
done
# Exact unit names are pushed down into sd-journal matches: same answer, fewer entries read.
"$crashsift" exits --format json -u cl-restart "$work/dir/lab.journal" > "$work/matched.json"
grep -q '"entries":' "$work/matched.json"
n=$(grep -o '"class":"self-exit"' "$work/matched.json" | wc -l)
[ "$n" -eq 4 ] || { echo "cl-restart: expected 4 self-exits through matches, got $n"; exit 1; }
entries=$(grep -o '"entries":[0-9]*' "$work/matched.json" | head -1 | cut -d: -f2)
[ "$entries" -lt 436 ] || { echo "matches did not narrow the read ($entries entries)"; exit 1; }
# A truncated journal file (a crash while writing) is read as far as it goes, never a crash.
head -c 300000 "$work/dir/lab.journal" > "$work/truncated.journal"
set +e
"$crashsift" exits "$work/truncated.journal" > /dev/null 2> "$work/truncated.err"
rc=$?
set -e
[ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] || { echo "truncated journal: exit status $rc"; cat "$work/truncated.err"; exit 1; }
echo "native journal: file, --file, -D, zstd and matches all agree with the export (40 exits)"
