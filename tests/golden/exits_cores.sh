#!/usr/bin/env bash
# `exits --cores DIR`: a core made at test time is attached to the exit it belongs to (matched by
# PID, read from the core's own notes), with its crash signature and top frames; the same core
# compressed the way systemd-coredump stores it is found too; a core of another PID is not
# attached, and the exit says the core is missing.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C  # the suite's zone; see tests/unit/main.cpp
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
set +e
bash "$testdata/cores/make-cores.sh" "$work/cores" deep_null > "$work/make.log" 2>&1
rc=$?
set -e
[ $rc -eq 77 ] && { echo "SKIP: this machine cannot write cores"; cat "$work/make.log"; exit 77; }
[ $rc -eq 0 ] || { echo "could not make a core (make-cores.sh exit $rc)"; cat "$work/make.log"; exit 1; }
core="$work/cores/deep_null/core"
pid=$("$crashsift" core --format json "$core" | jq -r .crash.pid)
[ -n "$pid" ] && [ "$pid" != null ] || { echo "no pid in the core"; exit 1; }
# A journal excerpt (journalctl -u form) in which that process is the unit's main process.
journal() {  # journal PID
  cat <<EOT
2026-11-23T07:55:44.600000+0000 host systemd[1]: Started deep-null.service - deep null.
2026-11-23T07:55:44.610000+0000 host deep_null[$1]: loading configuration
2026-11-23T07:55:44.712000+0000 host systemd[1]: deep-null.service: Main process exited, code=dumped, status=11/SEGV
2026-11-23T07:55:44.712100+0000 host systemd[1]: deep-null.service: Failed with result 'core-dump'.
EOT
}
journal "$pid" > "$work/journal.txt"
mkdir -p "$work/store" && cp "$core" "$work/store/core"
"$crashsift" exits --format json --cores "$work/store" "$work/journal.txt" > "$work/out.json"
jq -e '.exits[0].core.source == "core-file" and .exits[0].core.matched_by == "pid"' "$work/out.json" > /dev/null ||
  { echo "core not attached by pid"; jq .exits[0].core "$work/out.json"; exit 1; }
jq -e '.exits[0].core.signature.text == "SIGSEGV: write_config_value < apply_setting < parse_section"' "$work/out.json" > /dev/null ||
  { echo "unexpected signature"; jq .exits[0].core "$work/out.json"; exit 1; }
jq -e '.exits[0].core.top_frames[0] | startswith("write_config_value")' "$work/out.json" > /dev/null ||
  { echo "unexpected top frame"; exit 1; }
# Stored as systemd-coredump does (zstd, name with comm/uid/boot/pid/time): found and decompressed.
rm -f "$work/store/core"
zstd -q -c "$core" > "$work/store/core.deep_null.0.0123456789abcdef0123456789abcdef.$pid.1795420544712000.zst"
"$crashsift" exits --format json --cores "$work/store" "$work/journal.txt" > "$work/zst.json"
jq -e '.exits[0].core.signature.text | startswith("SIGSEGV: write_config_value")' "$work/zst.json" > /dev/null ||
  { echo "compressed core not attached"; jq .exits[0].core "$work/zst.json"; exit 1; }
# Text output shows the signature on the exit line.
"$crashsift" exits --utc --cores "$work/store" "$work/journal.txt" | grep -q "SIGSEGV: write_config_value" ||
  { echo "text output lacks the signature"; exit 1; }
# Same command name and time but another PID is a match (a container's PID namespace differs
# from the host's), said as such; another PID two hours later is not, and the exit says so.
journal $((pid + 100000)) > "$work/ns.txt"
"$crashsift" exits --format json --cores "$work/store" "$work/ns.txt" > "$work/ns.json"
jq -e '.exits[0].core.matched_by == "command name and time"' "$work/ns.json" > /dev/null ||
  { echo "other PID namespace: core not matched by name and time"; jq .exits[0].core "$work/ns.json"; exit 1; }
journal $((pid + 100000)) | sed 's/T07:55:44/T09:55:44/' > "$work/other.txt"
"$crashsift" exits --format json --cores "$work/store" "$work/other.txt" > "$work/other.json"
jq -e '.exits[0].core == null' "$work/other.json" > /dev/null || { echo "a core of another pid was attached"; exit 1; }
jq -e '.exits[0].missing | any(contains("no core dump"))' "$work/other.json" > /dev/null || { echo "missing core not said"; exit 1; }
# watch --cores: the core joins the exit as it is written, while the stream goes on.
{ journal "$pid"; echo "2026-11-23T07:56:04.000000+0000 host cron[77]: tick"; } > "$work/stream.txt"
"$crashsift" watch --settle 1 --format ndjson --cores "$work/store" - < "$work/stream.txt" > "$work/watch.out"
jq -se 'map(select(.type == "exit")) | length == 1 and (.[0].core.signature.text | startswith("SIGSEGV: write_config_value"))' "$work/watch.out" > /dev/null ||
  { echo "watch --cores: the core is not attached"; cat "$work/watch.out"; exit 1; }
echo "exits --cores: plain and systemd-coredump-compressed cores attached by PID with signature and frames; watch --cores too"
