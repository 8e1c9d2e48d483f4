#!/usr/bin/env bash
# A journal directory of rotated files (issue 13): with -j above 1 the readers of the next files
# start before their turn and what they send waits in memory; the merged result must be exactly
# the one-reader-at-a-time result (-j1), by index, with -u and with the full scan, and the full
# scan must hold the exits the export itself gives. The files are made AT TEST TIME with the real
# systemd-journal-remote from the committed exports, cut at entry boundaries.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C  # the suite's zone; see tests/unit/main.cpp
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=$(command -v systemd-journal-remote || true)
if [ -z "$remote" ]; then echo "systemd-journal-remote is not installed (apt-get install systemd-journal-remote)"; exit 1; fi
fail() { echo "FAIL: $*"; exit 1; }

# Cuts an export into N parts of about equal size at entry boundaries. Binary fields (a name
# line, a little-endian u64 size, the bytes, a newline) may hold blank lines: they are skipped
# whole, never cut.
split_export() {
  python3 - "$1" "$2" "$3" <<'EOF'
import struct, sys
src, parts, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = open(src, "rb").read()
entries, start, i = [], 0, 0
while i < len(data):
    end = data.index(b"\n", i)
    line = data[i:end]
    if not line:  # the blank line that ends an entry
        entries.append(data[start:end + 1])
        start = i = end + 1
    elif b"=" in line:
        i = end + 1
    else:
        size = struct.unpack("<Q", data[end + 1:end + 9])[0]
        i = end + 9 + size + 1
if start < len(data):
    entries.append(data[start:])
per = max(1, -(-len(entries) // parts))
for n in range(parts):
    chunk = entries[n * per:(n + 1) * per]
    if chunk:
        open(f"{prefix}{n + 1}.export", "wb").write(b"".join(chunk))
EOF
}

check_dir() {  # name export parts unit
  local name=$1 export=$2 parts=$3 unit=$4
  local dir="$work/$name"
  mkdir -p "$dir"
  split_export "$export" "$parts" "$work/$name-part"
  local made=0
  for part in "$work/$name"-part*.export; do
    made=$((made + 1))
    "$remote" -o "$dir/part$made.journal" "$part" 2>/dev/null || fail "journal-remote refused $part"
  done
  [ "$made" -eq "$parts" ] || fail "$name: $made files made, $parts wanted"
  # Every way of reading, at -j1 and at -j2, -j3 and -j(N+2) (more files ahead than there are).
  read_all() {  # jobs -> $work/$name-{index,scan,unit}-j$jobs.ndjson
    "$crashsift" exits -j$1 --format ndjson "$dir" > "$work/$name-index-j$1.ndjson" 2> /dev/null
    "$crashsift" exits -j$1 --native-read scan --format ndjson "$dir" > "$work/$name-scan-j$1.ndjson" 2> /dev/null
    "$crashsift" exits -j$1 -u "$unit" --format ndjson "$dir" > "$work/$name-unit-j$1.ndjson" 2> /dev/null
  }
  read_all 1
  grep -q '"type":"exit"' "$work/$name-index-j1.ndjson" || fail "$name: no exits read from the directory"
  grep -q "\"unit\":\"$unit\"" "$work/$name-unit-j1.ndjson" || fail "$name -u $unit: no exit of the unit"
  for jobs in 2 3 $((parts + 2)); do
    read_all $jobs
    for way in index scan unit; do
      cmp -s "$work/$name-$way-j1.ndjson" "$work/$name-$way-j$jobs.ndjson" ||
        { diff -u "$work/$name-$way-j1.ndjson" "$work/$name-$way-j$jobs.ndjson" | head -40
          fail "$name ($way): -j$jobs differs from -j1"; }
    done
  done
  # Reading every entry gives the export's own exits (unit, pid, time, class, code, signal).
  # (The index read of each file walks back only within that file: a process whose output is
  # in the file before its exit record's loses that context. Cut this finely, these small
  # journals show it; the bench journal's natural rotations do not: there both reads agree.)
  key() { grep '"type":"exit"' "$1" |
          sed -E 's/.*"unit":"([^"]*)","pid":([^,]*),.*"exited_at":"([^"]*)".*"class":"([^"]*)".*"code":([^,]*),"signal":([^,]*),.*/\1 \2 \3 \4 \5 \6/'; }
  "$crashsift" exits --format ndjson "$export" > "$work/$name-export.ndjson" 2> /dev/null
  key "$work/$name-export.ndjson" > "$work/$name-want.txt"
  key "$work/$name-scan-j2.ndjson" > "$work/$name-got.txt"
  diff -u "$work/$name-want.txt" "$work/$name-got.txt" || fail "$name: the directory's exits differ from the export's"
  echo "$name: $parts rotated files, $(wc -l < "$work/$name-want.txt") exits; index, scan and -u $unit each identical at -j1, -j2, -j3, -j$((parts + 2))"
}

check_dir lab "$testdata/journals/systemd-lab/journal.export" 4 cl-restart.service
check_dir dispatch "$testdata/incidents/dispatch/journal.export" 6 dispatch.service
