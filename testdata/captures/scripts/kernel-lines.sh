#!/bin/bash
# Kernel log lines for real crashes on this machine: unhandled SIGSEGV ("segfault at"), ud2 / idiv 0
# ("traps: ... trap invalid opcode / divide error"), int3 from node --abort-on-uncaught-exception, and a
# memory-cgroup (v1) OOM kill (adapted from shared/real/scripts/memcg-oom.sh). Captures dmesg, dmesg -T,
# dmesg -x from a marker written to /dev/kmsg; pids.txt maps each run to its pid and wait status.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../kernel-dmesg}
BIN=${BIN:-/srv/cscap/bin}
WORK=${WORK:-/srv/cscap/kernel-work}
[ -x "$BIN/crashlab" ] || "$HERE/build.sh"
rm -rf "$OUT" "$WORK"; mkdir -p "$OUT" "$WORK"
cd "$WORK"; ulimit -c 0
SELF=$(awk -F: '$2=="memory"{print $3}' /proc/self/cgroup)
CG="/sys/fs/cgroup/memory${SELF%/}/cscap-oom-$$"
trap 'rmdir "$CG" 2>/dev/null' EXIT
MARK="cscap-kernel-marker-$$-$(date +%s%N)"; echo "$MARK" > /dev/kmsg
run() { # label, command...
  "${@:2}" > "$WORK/$1.out" 2> "$WORK/$1.err" & local p=$!; wait $p; local rc=$?
  printf '%-22s pid=%-7s wait-status=%s%s\n' "$1" "$p" "$rc" "$([ $rc -gt 128 ] && echo " (SIG$(kill -l $((rc-128))))")" >> "$OUT/pids.txt"
  sleep 0.2
}
run crashlab-segv     "$BIN/crashlab" segv
run crashlab-mt-segv  "$BIN/crashlab" mt-segv
run crashlab-ill      "$BIN/crashlab" ill
run crashlab-fpe      "$BIN/crashlab" fpe
run crashlab-abort    "$BIN/crashlab" abort          # SIGABRT via raise(): the kernel logs nothing
run crashlab-stack-smash "$BIN/crashlab" stack-smash  # glibc abort: nothing
run python3-segv      /usr/bin/python3 -c 'import ctypes; ctypes.string_at(0)'
run node-abort-on-uncaught node --abort-on-uncaught-exception -e 'null.x'
# memcg v1 OOM kill, 64 MiB
mkdir "$CG"; echo $((64<<20)) > "$CG/memory.limit_in_bytes"; echo $((64<<20)) > "$CG/memory.memsw.limit_in_bytes" 2>/dev/null
sh -c 'echo $$ > "$1/cgroup.procs"; exec "$2" oom 4' sh "$CG" "$BIN/crashlab" > "$WORK/oom.out" 2> "$WORK/oom.err" & p=$!
wait $p; rc=$?
printf '%-22s pid=%-7s wait-status=%s (SIG%s)  memory.oom_control: %s\n' crashlab-memcg-oom "$p" "$rc" "$(kill -l $((rc-128)))" "$(tr '\n' ' ' < "$CG/memory.oom_control")" >> "$OUT/pids.txt"
sleep 0.3
dmesg    | sed -n "/$MARK/,\$p" > "$OUT/dmesg.txt"
dmesg -T | sed -n "/$MARK/,\$p" > "$OUT/dmesg-T.txt"
dmesg -x | sed -n "/$MARK/,\$p" > "$OUT/dmesg-x.txt"
for f in "$WORK"/*.err; do [ -s "$f" ] && { echo "== $(basename "$f")"; cat "$f"; }; done > "$OUT/stderr-of-runs.txt"
{ uname -r; dmesg --version; echo "kernel.show_unhandled_signals=$(cat /proc/sys/kernel/show_unhandled_signals 2>/dev/null)"; } > "$OUT/versions.txt"
cat "$OUT/pids.txt"
