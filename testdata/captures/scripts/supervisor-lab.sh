#!/bin/bash
# Real supervisord 4.2.5 (Debian package "supervisor", started by hand in the foreground with a private
# config; the Debian service is NOT started) supervising programs that exit 1, get SIGKILLed, segfault.
# Captures supervisord.log, `supervisorctl status`, child logs. Shuts supervisord down at the end. ~20 s.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../supervisord}
BIN=${BIN:-/srv/cscap/bin}
WORK=${WORK:-/srv/cscap/supervisor}
[ -x "$BIN/crashlab" ] || "$HERE/build.sh"
rm -rf "$OUT" "$WORK"; mkdir -p "$OUT" "$WORK"/{logs,cores}
cat > "$WORK/supervisord.conf" <<C
[unix_http_server]
file=$WORK/supervisor.sock

[supervisord]
logfile=$WORK/supervisord.log
pidfile=$WORK/supervisord.pid
childlogdir=$WORK/logs
loglevel=info
nodaemon=true

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$WORK/supervisor.sock

; exits 1 immediately -> BACKOFF, retried, then FATAL
[program:billing-api]
command=$BIN/crashlab exit 1
directory=$WORK/cores
startretries=2
autorestart=unexpected

; runs 2 s (past startsecs=1), then segfaults with a core -> "terminated by SIGSEGV (core dumped)"
[program:image-resizer]
command=/bin/sh -c 'sleep 2; exec $BIN/crashlab segv'
directory=$WORK/cores
autorestart=false

; segfaults at once, before startsecs -> BACKOFF ... FATAL
[program:thumbnailer]
command=$BIN/crashlab segv
directory=$WORK/cores
startretries=1

; long running, SIGKILLed from outside after 3 s, restarted by autorestart=true
[program:queue-worker]
command=$BIN/crashlab hang
directory=$WORK/cores
autorestart=true

; clean exit 0, expected
[program:nightly-cleanup]
command=/bin/sh -c 'echo cleaned 42 files; exit 0'
startsecs=0
autorestart=unexpected
exitcodes=0
C
cp "$WORK/supervisord.conf" "$OUT/supervisord.conf"
( ulimit -c unlimited; exec supervisord -n -c "$WORK/supervisord.conf" ) > "$WORK/supervisord.stdout" 2>&1 &
SUP=$!
CTL() { supervisorctl -c "$WORK/supervisord.conf" "$@"; }
sleep 4
QPID=$(CTL pid queue-worker)
kill -9 "$QPID"; echo "kill -9 queue-worker pid=$QPID at $(date -u +%T.%N)" > "$OUT/actions.txt"
sleep 4
CTL status > "$OUT/supervisorctl-status.txt" 2>&1; echo "rc=$?" >> "$OUT/supervisorctl-status.txt"
CTL tail billing-api stderr > "$OUT/supervisorctl-tail-billing-api-stderr.txt" 2>&1
CTL stop queue-worker > "$OUT/supervisorctl-stop.txt" 2>&1
CTL shutdown >> "$OUT/supervisorctl-stop.txt" 2>&1
wait $SUP; echo "supervisord exit=$?" >> "$OUT/actions.txt"
cp "$WORK/supervisord.log" "$OUT/supervisord.log"
mkdir -p "$OUT/childlogs"
for f in "$WORK"/logs/*; do n=$(basename "$f"); n=$(echo "$n" | sed -E 's/---supervisor-[A-Za-z0-9_]+\.log$/.log/'); [ -s "$f" ] && cp "$f" "$OUT/childlogs/$n"; done
ls -la "$WORK/logs" > "$OUT/childlogs/ls.txt"
ls "$WORK/cores" > "$OUT/cores-written.txt"
supervisord --version > "$OUT/version.txt"
pgrep -f "supervisord -n -c $WORK" && echo "WARNING: supervisord still running"
rm -rf "$WORK/cores"
