#!/usr/bin/env bash
# Benchmark: crashsift exits over 1 GiB of `journalctl -o json` and `-o export`, against what a
# user would otherwise run (rg counting exit lines; jq selecting the same records), same run.
# Reports time (hyperfine, medians) and peak RSS (/usr/bin/time -v). Run from the repo root
# after building: bash bench/run_journal.sh [SIZE_MB] (default 1024).
set -euo pipefail
size=${1:-1024}
filler=${FILLER_MB:-10}   # MiB of ordinary service output between copies of the crash-heavy lab journal (0 = worst case)
bin=${CRASHSIFT:-./build/tools/crashsift}
dir=${BENCH_DIR:-/var/tmp/crashsift-bench}
mkdir -p "$dir"
for form in json export; do
  [ -s "$dir/lab-$size-$filler.$form" ] || python3 bench/gen_journal.py "$form" "$size" "$dir/lab-$size-$filler.$form" "$filler"
done
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine ripgrep jq >/dev/null
for form in json export; do
  f="$dir/lab-$size-$filler.$form"
  echo "== $form ($(du -h "$f" | cut -f1))"
  cat "$f" > /dev/null  # warm the page cache for every contender alike
  hyperfine --warmup 1 --runs 5 -N --export-json "$dir/$form.hyperfine.json" \
    "$bin exits --format json -o /dev/null $f" \
    "rg -c 'Main process exited' $f"
  if [ "$form" = json ]; then
    hyperfine --runs 1 --export-json "$dir/$form.jq.json" \
      "jq -c 'select(.MESSAGE_ID==\"98e322203f7a4ed290d09fe03c09fe15\") | [.UNIT,.EXIT_CODE,.EXIT_STATUS]' $f > /dev/null"
  fi
  /usr/bin/time -v "$bin" exits --format json "$f" 2>&1 >/dev/null | grep -E 'Maximum resident|Elapsed'
done

# Native .journal: the export above written by systemd-journal-remote (one file, rotated at its
# size limit), read by crashsift (libsystemd in an isolated child, events batched over a pipe)
# and by journalctl itself.
remote=/lib/systemd/systemd-journal-remote
if [ -x "$remote" ]; then
  j="$dir/lab-$size-$filler.journal"
  [ -s "$j" ] || "$remote" -o "$j" "$dir/lab-$size-$filler.export" 2>/dev/null
  echo "== native journal ($(du -h "$j" | cut -f1), $(journalctl --file "$j" -q -o export | grep -c '^__CURSOR=') entries)"
  cat "$j" > /dev/null
  hyperfine --warmup 1 --runs 5 -N --export-json "$dir/native.hyperfine.json" \
    "$bin exits --format json -o /dev/null $j" \
    "journalctl --file $j -o export" \
    "journalctl --file $j -q MESSAGE_ID=98e322203f7a4ed290d09fe03c09fe15"
  /usr/bin/time -v "$bin" exits --format json "$j" 2>&1 >/dev/null | grep -E 'Maximum resident|Elapsed'
fi
