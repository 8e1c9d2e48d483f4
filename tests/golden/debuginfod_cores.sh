#!/usr/bin/env bash
# Central symbols for a fleet: a stripped program's core, attached by `exits --cores`, is
# symbolized to file:line through a real debuginfod server (Debian's `debuginfod`, on loopback,
# serving a directory that holds the program's separate debug file). A second run finds the
# debug file in DEBUGINFOD_CACHE_PATH: the server is gone by then and the frames are the same.
# Without --debuginfod no server is asked and the frames have no file:line.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
command -v debuginfod > /dev/null || fail "debuginfod is not installed (apt-get install debuginfod)"
set +e
bash "$testdata/cores/make-cores.sh" "$work/cores" stripped > "$work/make.log" 2>&1
rc=$?
set -e
[ $rc -eq 77 ] && { echo "SKIP: this machine cannot write cores"; cat "$work/make.log"; exit 77; }
[ $rc -eq 0 ] || { cat "$work/make.log"; fail "could not make a core (make-cores.sh exit $rc)"; }
d=$work/cores/stripped
# Only the server may know the debug file: move it out of every place a local lookup finds it.
mkdir -p "$work/served"
mv "$d/stripped.debug" "$work/served/"
rm -rf "$d/debugdir"
id=$(cat "$d/build-id.txt")

pid=$("$crashsift" core --format json "$d/core" | jq -r .crash.pid)
cat > "$work/journal.txt" <<EOT
2026-11-23T07:55:44.600000+0000 host systemd[1]: Started stripped.service - stripped.
2026-11-23T07:55:44.610000+0000 host stripped[$pid]: loading configuration
2026-11-23T07:55:44.712000+0000 host systemd[1]: stripped.service: Main process exited, code=dumped, status=11/SEGV
2026-11-23T07:55:44.712100+0000 host systemd[1]: stripped.service: Failed with result 'core-dump'.
EOT
mkdir -p "$work/store" && cp "$d/core" "$work/store/core"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The server runs on the real clock even when the suite runs under faketime: its scanner's
# intervals are its business, not what this test checks.
env -u LD_PRELOAD -u FAKETIME debuginfod -p "$port" -d "$work/debuginfod.sqlite" -F "$work/served" > "$work/debuginfod.log" 2>&1 &
server=$!
trap 'kill $server 2> /dev/null || true; wait 2> /dev/null || true' EXIT
export DEBUGINFOD_URLS=http://127.0.0.1:$port DEBUGINFOD_CACHE_PATH=$work/cache
# Ready once the scan has indexed the file: its debuginfo is served by build-id.
python3 - "$port" "$id" <<'PY' || fail "debuginfod never served build-id $id: $(tail -5 "$work/debuginfod.log")"
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen("http://127.0.0.1:%s/buildid/%s/debuginfo" % (sys.argv[1], sys.argv[2]), timeout=1).read(16)
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
PY
# The stripped program has no symbols of its own: names come only from the debug file.
named='.exits[0].core.signature.text == "SIGSEGV: write_config_value < apply_setting < parse_section"'
"$crashsift" exits --format json --cores "$work/store" "$work/journal.txt" > "$work/plain.json"
jq -e '.exits[0].core.source == "core-file"' "$work/plain.json" > /dev/null || fail "core not attached: $(jq -c .exits[0].core "$work/plain.json")"
! jq -e "$named" "$work/plain.json" > /dev/null || fail "names without --debuginfod: the debug file is still found locally"
[ ! -d "$work/cache" ] || fail "the server was asked without --debuginfod"
"$crashsift" exits --format json --debuginfod --cores "$work/store" "$work/journal.txt" > "$work/first.json"
jq -e "$named" "$work/first.json" > /dev/null || fail "exits --cores --debuginfod: $(jq -c .exits[0].core "$work/first.json")"
ls "$work/cache/$id/debuginfo" > /dev/null || fail "nothing cached in DEBUGINFOD_CACHE_PATH: $(ls -R "$work/cache" | head)"
# file:line, from the core subcommand's full backtrace.
at_line='.threads[0].frames | map(select(.function == "write_config_value")) | .[0] | (.file | endswith("deep_null.c")) and .line > 0'
"$crashsift" core --format json --debuginfod "$d/core" > "$work/core.json"
jq -e "$at_line" "$work/core.json" > /dev/null || fail "core --debuginfod: no file:line: $(jq -c '.threads[0].frames[0]' "$work/core.json")"
kill $server; wait $server 2> /dev/null || true
start=$(date +%s)
"$crashsift" exits --format json --debuginfod --cores "$work/store" "$work/journal.txt" > "$work/second.json"
took=$(($(date +%s) - start))
jq -e "$named" "$work/second.json" > /dev/null || fail "second run, server gone: $(jq -c .exits[0].core "$work/second.json")"
diff <(jq -c .exits[0].core "$work/first.json") <(jq -c .exits[0].core "$work/second.json") > /dev/null ||
  fail "the cached run differs: $(jq -c .exits[0].core "$work/second.json")"
"$crashsift" core --format json --debuginfod "$d/core" > "$work/core2.json"
jq -e "$at_line" "$work/core2.json" > /dev/null || fail "core --debuginfod, server gone: no file:line from the cache"
[ "$took" -le 10 ] || fail "the cached run took $took s"
echo "ok: stripped core symbolized (names, file:line) through a real debuginfod, then from the cache with the server gone (${took}s)"
