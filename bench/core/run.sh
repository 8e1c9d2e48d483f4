#!/bin/bash
# Benchmark: crashsift core vs eu-stack -i -s vs gdb 'thread apply all bt' on the same cores
# (1, 16 and 128 threads, and a Node core), with hyperfine; medians in a table at the end.
#   bench/core/run.sh [CRASHSIFT_BINARY] [WORKDIR]
# Cores are made fresh with testdata/cores/make-cores.sh. Also runs ucd_probe.c, the
# libunwind-coredump measurement behind the back-end choice (lib/crashsift/symbolize/README.md).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cs=${1:-$root/build/tools/crashsift}
work=${2:-/tmp/crashsift-bench-core}
runs=${RUNS:-20}
for tool in hyperfine eu-stack gdb jq; do command -v $tool >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }; done
[ -x "$cs" ] || { echo "bench: no crashsift binary at $cs" >&2; exit 1; }
rm -rf "$work"; mkdir -p "$work"
bash "$root/testdata/cores/make-cores.sh" "$work/cores" deep_null threads threads128 node
declare -A exe=([deep_null]=deep_null/deep_null [threads]=threads/threads [threads128]=threads128/threads [node]=/usr/bin/node)
declare -A label=([deep_null]="1 thread" [threads]="17 threads" [threads128]="129 threads" [node]="node abort (7 threads)")
printf '| core | crashsift (ms) | eu-stack -i -s (ms) | gdb bt (ms) | crashsift/eu-stack | gdb/crashsift |\n|---|---|---|---|---|---|\n' >"$work/table.md"
for c in deep_null threads threads128 node; do
  [ -s "$work/cores/$c/core" ] || { echo "bench: no $c core, skipped" >&2; continue; }
  e=${exe[$c]}; [[ $e == /* ]] || e=$work/cores/$e
  core=$work/cores/$c/core
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/$c.json" \
    -n crashsift "$cs core --format json $core" \
    -n eu-stack "eu-stack -i -s --core $core -e $e" \
    -n gdb "gdb -nx -batch -ex 'thread apply all bt' $e $core" >"$work/$c.hyperfine.txt" 2>&1 || true
  med() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000' "$work/$c.json"; }
  a=$(med crashsift) b=$(med eu-stack) g=$(med gdb)
  printf '| %s | %.1f | %.1f | %.1f | %.2f | %.1fx |\n' "${label[$c]}" "$a" "$b" "$g" \
    "$(echo "$a / $b" | bc -l)" "$(echo "$g / $a" | bc -l)" >>"$work/table.md"
done
cat "$work/table.md"
if cc -O2 -o "$work/ucd_probe" "$here/ucd_probe.c" -lunwind-coredump -lunwind-generic -lunwind -lelf 2>/dev/null; then
  echo; echo "libunwind-coredump 1.6.2 (frames found; names via unw_get_proc_name):"
  for c in deep_null threads node; do
    printf '  %-10s plain: %s | with NT_FILE backing files: %s\n' "$c" \
      "$("$work/ucd_probe" "$work/cores/$c/core" -q | tail -1)" \
      "$("$work/ucd_probe" "$work/cores/$c/core" -q --backing 2>&1 | tr '\n' ' ' | sed 's/thread [0-9]*: [0-9]* frames //g')"
  done
  echo "  eu-stack/crashsift frames for comparison:"
  for c in deep_null threads node; do
    printf '  %-10s %s frames\n' "$c" "$("$cs" core --format json "$work/cores/$c/core" | jq '[.threads[].frames[] | 1 + (.inlined | length)] | add')"
  done
fi
