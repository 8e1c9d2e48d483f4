#!/usr/bin/env bash
# Issue 12's evidence: damaged native journals made at test time from a good journal built at
# test time (60 service deaths spread evenly through it), regular and compact. Damage modes
# (tests/golden/damage_journal.py makes them and says exactly what each one changes): cuts at
# 20 offsets inside the object area, a cut inside an object header, a cut of the padding only,
# byte flips (an entry's type, an item offset, a DATA payload, a size field, an entry array
# item, seeded-random bits), a compressed DATA object whose zstd frame is cut short (systemd
# 252: `Assertion 'output.pos >= size' failed at src/basic/compress.c:304`) and the shape that
# fires `Assertion 'last_index <= right' failed at src/libsystemd/sd-journal/journal-file.c:2688`
# in generic_array_bisect. For every file: crashsift does not die, reports the damage (but see
# KNOWN_GAPS; damage libsystemd reads silently with --verify), and recovers >= 90 % of the exits whose entries lie wholly before the first
# damaged byte (100 % for the padding-only cut), with their pids and no exit of a unit the
# journal never had. A good file beside a damaged one (as arguments and in one -D directory)
# keeps all its exits.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C  # the suite's zone; see tests/unit/main.cpp
crashsift=$1 testdata=$2 work=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -rf "$work" && mkdir -p "$work/damaged" "$work/results" "$work/dir"
remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=$(command -v systemd-journal-remote || true)
if [ -z "$remote" ]; then echo "systemd-journal-remote is not installed"; exit 77; fi
command -v python3 > /dev/null || { echo "python3 is not installed"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
dj() { python3 "$here/damage_journal.py" "$@"; }
[ -f "$testdata/journals/systemd-lab/journal.export" ] || fail "testdata not found at $testdata"

# Damage that libsystemd reads without an error (flip-item, flip-payload, flip-size, flip-random:
# it skips items that point at no DATA object, never checks a payload against its hash, takes an
# entry's size as it is) is found by --verify, so those files are read with it; every other
# damage must be reported without it. KNOWN_GAPS lists damage kinds allowed to go unreported
# (printed as KNOWN GAP); it is empty: every damage is reported.
KNOWN_GAPS=${CRASHSIFT_DAMAGE_KNOWN_GAPS-""}
silent_kinds="flip-item flip-payload flip-size flip-random"

# Good journals: 60 deaths (regular and compact) and, for the good-beside-damaged checks,
# 20 deaths of other units in another boot.
dj export --prefix cl --exits 60 --seed 1 > "$work/cl.export"
dj export --prefix ok --exits 20 --seed 2 --boot 0123456789abcdef0123456789abcdef > "$work/ok.export"
SYSTEMD_JOURNAL_COMPACT=0 "$remote" -o "$work/regular.journal" "$work/cl.export" 2>/dev/null
SYSTEMD_JOURNAL_COMPACT=1 "$remote" -o "$work/compact.journal" "$work/cl.export" 2>/dev/null
"$remote" -o "$work/dir/ok.journal" "$work/ok.export" 2>/dev/null

run() {  # run NAME FILE...: crashsift exits --format json → results/NAME.{json,err,rc}
  local name=$1 rc
  shift
  set +e
  timeout 120 "$crashsift" exits --format json "$@" > "$work/results/$name.json" 2> "$work/results/$name.err"
  rc=$?
  set -e
  echo "$rc" > "$work/results/$name.rc"
  [ "$rc" -ne 124 ] || fail "$name: crashsift still running after 120 s"
  [ "$rc" -lt 128 ] || fail "$name: crashsift died (status $rc): $(tail -3 "$work/results/$name.err")"
}

# The good files are read whole, without damage, every exit with its pid: through the index
# (the default) and entry by entry.
for good in regular compact; do
  run "$good" "$work/$good.journal"
  dj keeps "$work/results/$good" --good "$work/$good.journal" || fail "$good journal: exits missing"
  run "$good.scan" --native-read scan "$work/$good.journal"
  dj keeps "$work/results/$good.scan" --good "$work/$good.journal" || fail "$good journal (scan): exits missing"
  run "$good.verify" --verify "$work/$good.journal"  # --verify finds nothing wrong in a good file
  for name in "$good" "$good.scan" "$good.verify"; do
    python3 -c 'import json, sys; i = json.load(sys.stdin)["inputs"][0]
sys.exit(i["damage_count"] != 0 or i["salvaged_entries"] != 0 or i["error"] is not None)' \
      < "$work/results/$name.json" || fail "good $good journal reported damaged ($name): $(head -3 "$work/results/$name.err")"
  done
done
compact_flag=$(python3 -c 'import struct, sys; print(struct.unpack_from("<I", open(sys.argv[1], "rb").read(), 12)[0] & 16)' \
               "$work/compact.journal")
[ "$compact_flag" -ne 0 ] || echo "note: this systemd-journal-remote writes no compact journal; both sets are regular"

# The damaged files, each read alone, entry by entry: reading through the index sees only the
# entries it reads, so a whole file's damage is the scan's to report (crashsift-exits(1),
# --native-read). The index read of every damaged file must not die or hang either.
dj damage "$work/regular.journal" "$work/damaged" regular --cuts 20
dj damage "$work/compact.journal" "$work/damaged" compact --cuts 20
files=0
for f in "$work"/damaged/*.journal; do
  kind=${f##*/}; kind=${kind#*.}; kind=${kind%.journal}
  case " $silent_kinds " in
    *" $kind "*) run "$(basename "$f")" --verify "$f" ;;
    *) run "$(basename "$f")" --native-read scan "$f" ;;
  esac
  run "index.$(basename "$f")" "$f"
  files=$((files + 1))
done
set +e
dj score "$work/damaged/regular.manifest" "$work/damaged/compact.manifest" --results "$work/results" \
  --known-gaps "$KNOWN_GAPS" > "$work/score.txt"
rc=$?
set -e
cat "$work/score.txt"
[ "$rc" -eq 0 ] || fail "damaged journals: see the lines above"

# The two assertion shapes are what they claim: journalctl 252 aborts on them with systemd's
# own assertion. (Not checked with another systemd: a later one may have fixed these.)
asserts="journalctl is not systemd 252: the assertions were not checked"
if command -v journalctl > /dev/null && journalctl --version | head -1 | grep -q '^systemd 252 '; then
  for layout in regular compact; do
    for pair in "zstd-short:Assertion 'output.pos >= size' failed at src/basic/compress.c:304" \
                "bisect:Assertion 'last_index <= right' failed at src/libsystemd/sd-journal/journal-file.c:2688"; do
      f="$work/damaged/$layout.${pair%%:*}.journal"
      set +e
      { journalctl --file "$f" --no-pager -o export > /dev/null 2> "$work/journalctl.err"; } 2> /dev/null
      rc=$?
      set -e
      [ "$rc" -eq 134 ] && grep -qF "${pair#*:}" "$work/journalctl.err" ||
        fail "journalctl 252 on $(basename "$f"): status $rc, want the abort '${pair#*:}': $(tail -1 "$work/journalctl.err")"
    done
  done
  asserts="journalctl 252 aborts on zstd-short (compress.c:304) and bisect (journal-file.c:2688)"
fi

# A good file beside a damaged one keeps all its exits, and the damaged one its share: given
# as two arguments, and as one -D directory.
for bad in compact.zstd-short compact.bisect regular.bisect regular.cut-10; do
  manifest="$work/damaged/${bad%%.*}.manifest"
  run "ok+$bad" --native-read scan "$work/dir/ok.journal" "$work/damaged/$bad.journal"
  dj keeps "$work/results/ok+$bad" --good "$work/dir/ok.journal" --damaged "$manifest:$bad.journal" ||
    fail "good file beside $bad.journal"
done
cp "$work/damaged/compact.bisect.journal" "$work/dir/bisect.journal"
run dir --native-read scan -D "$work/dir"
dj keeps "$work/results/dir" --good "$work/dir/ok.journal" --damaged "$work/damaged/compact.manifest:compact.bisect.journal" ||
  fail "-D with a good and a damaged file"
grep -q 'bisect.journal' "$work/results/dir.err" || fail "-D: the damaged file is not named on stderr"

summary=$(sed -n 's/^SUMMARY //p' "$work/score.txt")
echo "damaged journals: $files files (regular, compact), none aborts (scan or index); exits wholly before the damage recovered: $summary; $asserts; a good file beside a damaged one (arguments, -D) keeps its 20 exits"
