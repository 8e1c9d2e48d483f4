#!/usr/bin/env bash
# Issue 15's fleet benchmark: 16 hosts, each a real systemd-journal-gatewayd on loopback serving
# a 50 MB journal (the host-scale generator's export cut at an entry, rewritten per host, written
# by systemd-journal-remote), read by `crashsift exits` all at once (--max-hosts-in-flight 16)
# and one after another (1), with and without server-side matches (-u dispatch), against curl
# fetching every host's /entries in export form (the transfer alone). One Markdown table.
#   bash bench/fleet.sh [HOSTS] [MB]      (defaults 16 50; inputs under /var/tmp/cs-bench/fleet)
set -euo pipefail
hosts=${1:-16} mb=${2:-50}
here=$(cd "$(dirname "$0")/.." && pwd)
cs=$here/build/tools/crashsift
src=/var/tmp/cs-bench/export-100M
work=/var/tmp/cs-bench/fleet
[ -x "$cs" ] || { echo "build first: cmake --build build" >&2; exit 2; }
[ -f "$src" ] || { echo "make the inputs first: python3 bench/host.py --prepare" >&2; exit 2; }
command -v hyperfine > /dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
mkdir -p "$work"
cut=$work/host-$mb.export
if [ ! -s "$cut" ]; then
  python3 - "$src" "$cut" "$mb" <<'PY'
import sys
limit = int(sys.argv[3]) << 20
with open(sys.argv[1], "rb") as i, open(sys.argv[2], "wb") as o:
    n = 0
    for line in i:
        o.write(line); n += len(line)
        if n >= limit and line == b"\n":
            break
PY
fi
for h in $(seq -w 1 "$hosts"); do
  j=$work/h$h/remote-web$h.journal
  [ -s "$j" ] && continue
  mkdir -p "$work/h$h"
  mid=$(printf 'web%s' "$h" | md5sum | cut -c1-32)
  sed -e "s/^_HOSTNAME=.*/_HOSTNAME=web$h/" -e "s/^_MACHINE_ID=.*/_MACHINE_ID=$mid/" "$cut" |
    /lib/systemd/systemd-journal-remote --split-mode=none --output="$j" - 2> /dev/null
done
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done' EXIT
urls=()
base=$((20000 + RANDOM % 20000))
for h in $(seq -w 1 "$hosts"); do
  port=$((base + 10#$h))
  systemd-socket-activate -l "127.0.0.1:$port" /lib/systemd/systemd-journal-gatewayd --directory="$work/h$h" > /dev/null 2>&1 &
  pids+=($!)
  urls+=("http://127.0.0.1:$port")
done
sleep 1
bytes() {  # the bytes the hosts sent for one crashsift run
  "$cs" exits --format json "$@" 2> /dev/null | python3 -c '
import json, re, sys
d = json.load(sys.stdin)
print(sum(int(re.search(r"(\d+) bytes", n).group(1)) for i in d["inputs"] for n in i["notes"] if "gatewayd" in n))'
}
exits() { "$cs" exits --format ndjson "$@" 2> /dev/null | grep -c '"type":"exit"'; }
echo "| run | wall (hyperfine, mean of 3) | bytes from the hosts | exits |"
echo "|---|---|---|---|"
row() {  # row NAME COMMAND-ARGS...
  local name=$1; shift
  local t
  hyperfine -N --runs 3 --warmup 1 --export-json "$work/run.json" "$*" > /dev/null 2>&1
  t=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["results"][0]; print("%.2f s ± %.2f" % (r["mean"], r["stddev"]))' "$work/run.json")
  echo "| $name | $t | ${BYTES:--} | ${EXITS:--} |"
}
BYTES=$(bytes --max-hosts-in-flight 16 "${urls[@]}") EXITS=$(exits "${urls[@]}") \
  row "crashsift exits, $hosts hosts at once" "$cs exits --format ndjson --max-hosts-in-flight 16 ${urls[*]}"
BYTES=$(bytes --max-hosts-in-flight 1 "${urls[@]}") EXITS=$(exits --max-hosts-in-flight 1 "${urls[@]}") \
  row "crashsift exits, one host after another" "$cs exits --format ndjson --max-hosts-in-flight 1 ${urls[*]}"
BYTES=$(bytes -u dispatch "${urls[@]}") EXITS=$(exits -u dispatch "${urls[@]}") \
  row "crashsift exits -u dispatch (server-side matches), at once" "$cs exits --format ndjson -u dispatch ${urls[*]}"
BYTES= EXITS= row "curl, every host's /entries, one after another" \
  "bash -c 'for u in ${urls[*]}; do curl -s -H \"Accept: application/vnd.fdo.journal\" \$u/entries > /dev/null; done'"
BYTES= EXITS= row "curl, every host's /entries, at once" \
  "bash -c 'for u in ${urls[*]}; do curl -s -H \"Accept: application/vnd.fdo.journal\" \$u/entries > /dev/null & done; wait'"
