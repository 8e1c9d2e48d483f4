#!/usr/bin/env bash
# The small promises about native journals that are not damage as such (issue 12):
# a valid journal with no entries is read fine (status 0, a note); a compressed journal is
# decompressed to a temporary file that is never visible in TMPDIR (but for the moment
# libsystemd opens it), even while the run is going on or after it is killed, and libsystemd
# reads it; a cut file is salvaged with each entry marked; a good file
# given beside an unreadable one keeps all its exits.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C  # the suite's zone; see tests/unit/main.cpp
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work/tmp" "$work/dir"
remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=$(command -v systemd-journal-remote || true)
if [ -z "$remote" ]; then echo "systemd-journal-remote is not installed"; exit 77; fi
fail() { echo "FAIL: $*"; exit 1; }
exit_count() { python3 -c 'import json, sys; print(json.load(sys.stdin)["counts"]["exits"])'; }
field() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2-; }

# 1. An empty, valid journal: status 0 and the note, in text and JSON.
: > "$work/empty.export"
"$remote" -o "$work/empty.journal" "$work/empty.export" 2>/dev/null
set +e
"$crashsift" exits --format json "$work/empty.journal" > "$work/empty.json" 2> "$work/empty.err"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "empty journal: status $rc, want 0: $(cat "$work/empty.err")"
grep -q 'no entries: the journal is valid and empty' "$work/empty.json" || fail "empty journal: no note"
[ "$(field error < "$work/empty.json")" = null ] || fail "empty journal reported as an error"

# 2. The spilled copy of a compressed journal is never visible, not even while it is read.
export_file="$testdata/journals/systemd-lab/journal.export"
"$remote" -o "$work/dir/lab.journal" "$export_file" 2>/dev/null
zstd -q -c "$work/dir/lab.journal" > "$work/lab.journal.zst"
mkfifo "$work/feed"
TMPDIR="$work/tmp" "$crashsift" exits --input-format journal - < "$work/feed" > /dev/null 2>&1 &
pid=$!
exec 3> "$work/feed"
head -c 100000 "$work/dir/lab.journal" >&3   # part of it: the run is now spilling, waiting for more
sleep 0.5
left=$(ls -A "$work/tmp")
kill -9 "$pid" 2>/dev/null || true
exec 3>&-
wait "$pid" 2>/dev/null || true
[ -z "$left" ] || fail "temporary file visible while reading: $left"
[ -z "$(ls -A "$work/tmp")" ] || fail "temporary file left after kill -9: $(ls -A "$work/tmp")"
TMPDIR="$work/tmp" "$crashsift" exits --format json "$work/lab.journal.zst" > "$work/zst.json"
[ -z "$(ls -A "$work/tmp")" ] || fail "temporary file left after a normal run"
# ... and libsystemd reads it (it refuses a file without a name: the copy gets one only while
# libsystemd opens it), so a good compressed journal is neither damaged nor salvaged.
python3 -c 'import json, sys; i = json.load(sys.stdin)["inputs"][0]
sys.exit(i["damage_count"] != 0 or i["salvaged_entries"] != 0)' < "$work/zst.json" ||
  fail "a good compressed journal was not read by libsystemd: $(grep -o '"damage":\[[^]]*' "$work/zst.json" | head -c 300)"

# 3. A journal cut inside its object area: libsystemd refuses it; the salvage reader recovers
# the entries before the cut, and the evidence taken from them says so.
size=$(stat -c %s "$work/dir/lab.journal")
# The end of the last object (tail_object_offset plus its size), and where the entries' objects
# begin: after the hash tables, which journal-remote sizes for a full file (megabytes of zeros).
read -r used first <<EOF2
$(python3 -c "
import struct, sys
d = open(sys.argv[1], 'rb').read()
tail = struct.unpack_from('<Q', d, 0x88)[0]
data_ht, data_ht_size, field_ht, field_ht_size = struct.unpack_from('<QQQQ', d, 0x68)
print(tail + ((struct.unpack_from('<Q', d, tail + 8)[0] + 7) & ~7), max(data_ht + data_ht_size, field_ht + field_ht_size))" "$work/dir/lab.journal")
EOF2
cut=$((first + (used - first) * 2 / 3))
head -c "$cut" "$work/dir/lab.journal" > "$work/cut.journal"
set +e
"$crashsift" exits --format json "$work/cut.journal" > "$work/cut.json" 2> "$work/cut.err"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "cut journal: status $rc: $(cat "$work/cut.err")"
salvaged=$(field salvaged_entries < "$work/cut.json")
[ "$salvaged" -gt 0 ] || fail "cut journal: nothing salvaged"
[ "$(field damage_count < "$work/cut.json")" -ge 1 ] || fail "cut journal: damage not reported"
grep -q '"salvaged":true' "$work/cut.json" || fail "cut journal: no evidence marked salvaged"
grep -q 'damaged' "$work/cut.err" || fail "cut journal: no warning on stderr"
exits=$(exit_count < "$work/cut.json")
[ "$exits" -gt 10 ] || fail "cut journal at 2/3: only $exits exits recovered"

# 3b. --unit selects salvaged entries as libsystemd's matches do: fewer entries read, and
# still that unit's exits.
read -r unit_entries units <<EOF2
$("$crashsift" exits --format json -u cl-segv-restart.service "$work/cut.journal" 2>/dev/null |
  python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["inputs"][0]["salvaged_entries"], " ".join(sorted({x["unit"] for x in d["exits"]})))')
EOF2
[ "$units" = cl-segv-restart.service ] || fail "cut journal with --unit: exits of '$units'"
[ "$unit_entries" -gt 0 ] && [ "$unit_entries" -lt "$salvaged" ] ||
  fail "cut journal with --unit: $unit_entries of $salvaged entries salvaged, the unit match not applied"

# 4. The padding after the last object cut away: every exit is still there.
head -c "$used" "$work/dir/lab.journal" > "$work/padding-cut.journal"
[ "$used" -lt "$size" ] || fail "the test journal has no padding to cut"
n=$("$crashsift" exits --format json "$work/padding-cut.journal" | exit_count)
[ "$n" -eq 40 ] || fail "padding-only cut: $n of 40 exits"

# 5. A good file beside an unreadable one (and in one directory): the good file's exits stay.
head -c 4096 /dev/urandom > "$work/dir/junk.journal"
printf 'LPKSHHRH' | dd of="$work/dir/junk.journal" conv=notrunc 2>/dev/null
set +e
n=$("$crashsift" exits --format json -D "$work/dir" 2> "$work/dir.err" | exit_count)
set -e
[ "$n" -eq 40 ] || fail "-D with one bad file: $n of 40 exits"
grep -q 'junk.journal' "$work/dir.err" || fail "-D: the bad file is not named"
echo "native journal basics: empty journal status 0, spill never visible, cut file salvaged ($salvaged entries, $exits exits), padding cut 40/40, bad file in -D isolated"
