#!/bin/bash
# Benchmark: `crashsift memory` over a generated app.ndjson against `rg -c` of the sample event
# and a `jq` filter extracting the same fields. Prints hyperfine tables and peak RSS.
# Usage: bench/app/run.sh [SIZE...]   (default 1G; e.g. "1G 4G" to check that RSS stays flat)
# Env: CRASHSIFT=path/to/crashsift (default build-app/tools/crashsift), WORK=/tmp/crashsift-bench,
#      JQ_MAX=1100M (jq is run only up to this size: at ~30-60 MB/s it takes minutes beyond).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CRASHSIFT=${CRASHSIFT:-$ROOT/build-app/tools/crashsift}
WORK=${WORK:-/tmp/crashsift-bench}
JQ_MAX=${JQ_MAX:-1100M}
mkdir -p "$WORK"
for tool in hyperfine jq rg; do
  command -v $tool >/dev/null || { echo "installing $tool"; apt-get install -y hyperfine jq ripgrep >/dev/null; }
done
bytes() { python3 -c "import sys;s=sys.argv[1];m={'K':1<<10,'M':1<<20,'G':1<<30};print(int(float(s[:-1])*m[s[-1]]) if s[-1] in m else int(s))" "$1"; }
JQ_FILTER='select(.msg=="memory:periodic") | [.time, .rss, .heapUsed, .activeConversations] | @tsv'
for size in "${@:-1G}"; do
  f=$WORK/app-$size.ndjson
  [ -f "$f" ] || python3 "$ROOT/bench/app/gen_app_ndjson.py" "$size" "$f"
  real=$(stat -c %s "$f")
  echo "== $f ($real bytes)"
  cat "$f" > /dev/null   # page cache warm: we measure parsing, not the disk
  cmds=("$CRASHSIFT memory --app $f --format json" "rg -c '\"memory:periodic\"' $f")
  [ "$real" -le "$(bytes "$JQ_MAX")" ] && jq_ok=1 || jq_ok=0
  hyperfine --warmup 1 --runs 5 --export-markdown "$WORK/hyperfine-$size.md" "${cmds[@]}"
  if [ $jq_ok = 1 ]; then
    hyperfine --runs 1 --export-markdown "$WORK/hyperfine-jq-$size.md" "jq -r '$JQ_FILTER' $f > /dev/null"
  fi
  for c in "${cmds[@]}"; do
    /usr/bin/time -f "peak RSS %M KB, %e s wall, %U s user, %S s sys: $c" bash -c "$c > /dev/null" 2>&1 | tail -1
  done
  "$CRASHSIFT" memory --app "$f" --explain-fields | sed -n 2,3p
done
