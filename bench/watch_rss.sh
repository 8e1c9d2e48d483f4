#!/usr/bin/env bash
# By hand: `crashsift watch` memory over a long stream. N crash-loop exits (gen_crashloop.py) go
# through stdin at full speed, each one written (ndjson, and a hook per exit when --exec is
# given as $2); RSS is sampled from /proc every 0.2 s: the first sample after the first 10% of the
# exits and the last one. Flat memory means the two are the same order of size.
#   bench/watch_rss.sh [N=100000] [HOOK]
set -euo pipefail
n=${1:-100000}
hook=${2:-}
here=$(cd "$(dirname "$0")/.." && pwd)
crashsift=${CRASHSIFT:-$here/build/tools/crashsift}
dir=${BENCH_DIR:-/var/tmp/cs-bench}
mkdir -p "$dir"
input="$dir/crashloop-$n.export"
[ -f "$input" ] || python3 "$here/../shared/bench/gen_crashloop.py" "$n" "$input"
out=$(mktemp)
args=(watch --settle 1 --format ndjson)
[ -n "$hook" ] && args+=(--exec "$hook" --exec-queue 1000000)
"$crashsift" "${args[@]}" - < "$input" > "$out" 2> "$out.err" &
pid=$!
samples=()
while kill -0 $pid 2> /dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status 2> /dev/null || true)
  written=$(grep -c '"type":"exit"' "$out" 2> /dev/null || true)
  [ -n "$rss" ] && samples+=("$written $rss")
  sleep 0.2
done
wait $pid
total=$(grep -c '"type":"exit"' "$out")
first=$(printf '%s\n' "${samples[@]}" | awk -v n="$total" '$1 >= n / 10 {print; exit}')
last=${samples[-1]}
peak=$(printf '%s\n' "${samples[@]}" | awk '$2 > m {m = $2} END {print m}')
echo "exits written: $total of $n"
echo "RSS after ${first% *} exits: ${first#* } kB; after ${last% *} exits: ${last#* } kB; peak sampled: $peak kB"
rm -f "$out" "$out.err"
