#!/bin/bash
# Captures real app telemetry runs for crashsift's tests: the service in src/service.js under
# Node (Debian) and Bun (npm @oven/bun-linux-x64@1.4.5, pinned), ending in an uncaught error,
# an unhandled rejection, a V8 heap OOM and (as root, cgroup v1) a kernel memory-cgroup OOM kill.
# Each case folder gets app.ndjson, stdout.txt, stderr.txt and exit.txt (+ dmesg.txt for the
# cgroup OOM). Usage: testdata/app/capture.sh [OUT_DIR]   (default: testdata/app/captures)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/captures}
SVC=$HERE/src/service.js
SCRATCH=${SCRATCH:-/tmp/crashsift-bunpkg}
BUN=${BUN:-$SCRATCH/node_modules/@oven/bun-linux-x64/bin/bun}
if [ ! -x "$BUN" ]; then
  mkdir -p "$SCRATCH" && (cd "$SCRATCH" && npm install --no-audit --no-fund @oven/bun-linux-x64@1.4.5 >/dev/null 2>&1)
fi

# run CASE RUNTIME [ENV=VAL...] -- appends one run of the service to CASE/app.ndjson
run() {
  local case=$1 rt=$2; shift 2
  local dir=$OUT/$case; mkdir -p "$dir"
  local cmd
  case $rt in
    node) cmd=(node "$SVC") ;;
    node-heap32) cmd=(node --max-old-space-size=32 "$SVC") ;;
    bun) cmd=("$BUN" "$SVC") ;;
  esac
  env APP_LOG="$dir/app.ndjson" "$@" "${cmd[@]}" >>"$dir/stdout.txt" 2>>"$dir/stderr.txt" &
  local pid=$!
  if [ -n "${KILL_AFTER:-}" ]; then sleep "$KILL_AFTER"; kill -KILL $pid; fi
  wait $pid; local rc=$?
  echo "$rt pid=$pid wait-status=$rc$([ $rc -gt 128 ] && echo " (signal $(kill -l $((rc-128))))")" >>"$dir/exit.txt"
}

fresh() { rm -rf "$OUT/$1"; mkdir -p "$OUT/$1"; }

fresh node-pino-throw;   run node-pino-throw node STYLE=pino CRASH=throw RUN_MS=1500
fresh node-pino-reject;  run node-pino-reject node STYLE=pino CRASH=reject RUN_MS=1500
fresh node-heap-oom;     run node-heap-oom node-heap32 STYLE=pino CRASH=heap-oom RUN_MS=1000
# Two lifetimes in one log, like a systemd restart loop: an uncaught exception (the handler logs
# it and exits 1), then an unhandled rejection that the handler only logs, then an external
# SIGKILL that leaves no record at all (the PR's case).
fresh node-custom-restarts
run node-custom-restarts node STYLE=custom CRASH=throw RUN_MS=1200 APP_VERSION=2.4.0
sleep 0.3
KILL_AFTER=2 run node-custom-restarts node STYLE=custom CRASH=reject RUN_MS=1200 APP_VERSION=2.4.1
fresh bun-pino-throw;    run bun-pino-throw bun STYLE=pino CRASH=throw RUN_MS=1500
fresh bun-custom-reject; KILL_AFTER=2 run bun-custom-reject bun STYLE=custom CRASH=reject RUN_MS=1200

# Kernel OOM kill in a 96 MiB cgroup-v1 memory child cgroup (needs root and cgroup v1).
MEMROOT=/sys/fs/cgroup/memory
if [ "$(id -u)" = 0 ] && [ -d $MEMROOT ]; then
  fresh node-cgroup-oom
  SELF=$(awk -F: '$2=="memory"{print $3}' /proc/self/cgroup)
  CG="$MEMROOT${SELF%/}/crashsift-app-oom-$$"
  mkdir "$CG" && trap 'rmdir "$CG" 2>/dev/null' EXIT
  echo $((96 << 20)) > "$CG/memory.limit_in_bytes"
  [ -e "$CG/memory.memsw.limit_in_bytes" ] && echo $((96 << 20)) > "$CG/memory.memsw.limit_in_bytes" 2>/dev/null
  MARK="crashsift-app-oom-$$-$(date +%s%N)"; echo "$MARK" > /dev/kmsg
  dir=$OUT/node-cgroup-oom
  APP_LOG=$dir/app.ndjson STYLE=custom CRASH=grow RUN_MS=1000 \
    sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$CG" node "$SVC" >"$dir/stdout.txt" 2>"$dir/stderr.txt" &
  pid=$!; wait $pid; rc=$?
  echo "node pid=$pid wait-status=$rc$([ $rc -gt 128 ] && echo " (signal $(kill -l $((rc-128))))") memory.limit=$((96 << 20)) failcnt=$(cat $CG/memory.failcnt)" >"$dir/exit.txt"
  sleep 0.2; dmesg | sed -n "/$MARK/,\$p" | grep -v "$MARK" > "$dir/dmesg.txt"
fi
node --version > "$OUT/versions.txt"; "$BUN" --version | sed 's/^/bun /' >> "$OUT/versions.txt"
du -sh "$OUT"/* | sed "s|$OUT/||"
