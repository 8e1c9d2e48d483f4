#!/bin/bash
# Real systemd-journald (ordinary process) + real systemd-coredump (extracted from the Debian .deb, NOT
# installed) on the host; crashes crashlab while kernel.core_pattern points at systemd-coredump, restores
# core_pattern, then runs the real coredumpctl (list/info), deletes one stored core and runs it again
# ("missing" core). Adapted from shared/real/scripts/coredump-journald-lab.sh.
# WARNING: kernel.core_pattern is global; it is changed only for the ~1 s the crashes take.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../coredumpctl}
BIN=${BIN:-/srv/cscap/bin}
DEB=${DEB:-/srv/cscap/debs}
WORK=${WORK:-/srv/cscap/coredump-work}
[ -x "$BIN/crashlab" ] || "$HERE/build.sh"
if [ ! -x "$DEB/x/lib/systemd/systemd-coredump" ]; then
  mkdir -p "$DEB" && (cd "$DEB" && apt-get download systemd-coredump >/dev/null 2>&1) && dpkg-deb -x "$DEB"/systemd-coredump_*.deb "$DEB/x"
fi
COREDUMP=$DEB/x/lib/systemd/systemd-coredump
COREDUMPCTL=$DEB/x/usr/bin/coredumpctl
for p in /run/systemd/journal /run/systemd/coredump /run/log/journal; do [ -e $p ] && { echo "$p exists: refusing"; exit 1; }; done
[ "$(cat /proc/sys/kernel/core_pattern)" = core ] || { echo "core_pattern is not 'core' (someone else is using it?): refusing"; exit 1; }
rm -rf "$OUT" "$WORK"; mkdir -p "$OUT" "$WORK"/{var-log-journal,coredump-store,run-log,crash}
OLD_PATTERN=$(cat /proc/sys/kernel/core_pattern); OLD_PIPE_LIMIT=$(cat /proc/sys/kernel/core_pipe_limit)
JPID=; SPID=
restore() { echo "$OLD_PATTERN" > /proc/sys/kernel/core_pattern; echo "$OLD_PIPE_LIMIT" > /proc/sys/kernel/core_pipe_limit; }
cleanup() {
  restore
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null; [ -n "$JPID" ] && kill "$JPID" 2>/dev/null
  sleep 0.5; rm -rf /run/systemd/journal /run/systemd/coredump /run/log/journal
}
trap cleanup EXIT
unshare --mount --propagation private sh -c '
  mount --bind "$1/var-log-journal" /var/log/journal
  mount --bind "$1/coredump-store" /var/lib/systemd/coredump
  mount --bind "$1/run-log" /run/log
  exec /lib/systemd/systemd-journald' sh "$WORK" 2>"$WORK/journald-stderr.txt" &
JPID=$!
for i in $(seq 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
unshare --mount --propagation private sh -c '
  mount --bind "$1/var-log-journal" /var/log/journal
  mount --bind "$1/coredump-store" /var/lib/systemd/coredump
  exec systemd-socket-activate --seqpacket --accept -l /run/systemd/coredump "$2"' sh "$WORK" "$COREDUMP" 2>"$WORK/socket-activate-stderr.txt" &
SPID=$!
for i in $(seq 50); do [ -S /run/systemd/coredump ] && break; sleep 0.1; done

cd "$WORK/crash"
# ---- window in which core_pattern is changed --------------------------------------------------
echo 16 > /proc/sys/kernel/core_pipe_limit
echo "|$COREDUMP %P %u %g %s %t 9223372036854775808 %h %d" > /proc/sys/kernel/core_pattern
ulimit -c unlimited
for m in segv abort mt-segv fpe; do
  systemd-cat -t crashlab-$m "$BIN/crashlab" $m; echo "crashlab $m rc=$?" >> "$OUT/exit.txt"
done
restore
# -----------------------------------------------------------------------------------------------
for i in $(seq 100); do pgrep -f "^$COREDUMP" >/dev/null || break; sleep 0.2; done
sleep 1
# journald not started by PID 1 never gets the "flush" request, so it keeps the journal in /run/log/journal
J=$WORK/run-log/journal; ls "$WORK"/var-log-journal/*/*.journal >/dev/null 2>&1 && J=$WORK/var-log-journal
journalctl -D "$J" --no-pager -o short-iso-precise MESSAGE_ID=fc2e22bc6ee647b6b90729ab34a250b1 > "$OUT/journal-coredump.short-iso-precise.txt"
journalctl -D "$J" --no-pager -o short-iso-precise _TRANSPORT=stdout > "$OUT/journal-stdout.short-iso-precise.txt"
ctl() { # run coredumpctl in a mount ns where /var/lib/systemd/coredump is the capture store
  unshare --mount --propagation private sh -c 'mount --bind "$1/coredump-store" /var/lib/systemd/coredump; shift; exec "$@"' sh "$WORK" "$COREDUMPCTL" -D "$J" --no-pager "$@"
}
ctl list > "$OUT/coredumpctl-list.txt" 2>&1
ctl info > "$OUT/coredumpctl-info.txt" 2>&1          # no match: newest entry only
ctl info crashlab > "$OUT/coredumpctl-info-all.txt" 2>&1   # COMM match: every entry, oldest first
PID_ABORT=$(awk '$8=="SIGABRT"{print $5}' "$OUT/coredumpctl-list.txt" | head -1)
ctl info "$PID_ABORT" > "$OUT/coredumpctl-info-abort.txt" 2>&1
ctl list --json=pretty > "$OUT/coredumpctl-list.json" 2>&1
# delete the stored core of the SEGV crash -> coredumpctl shows it as missing
PID_SEGV=$(awk '$8=="SIGSEGV"{print $5}' "$OUT/coredumpctl-list.txt" | head -1)
ls -la "$WORK/coredump-store" > "$OUT/coredump-store.before-delete.ls"
rm -f "$WORK"/coredump-store/core.crashlab.*."$PID_SEGV".*
ctl list > "$OUT/coredumpctl-list-missing.txt" 2>&1
ctl info "$PID_SEGV" > "$OUT/coredumpctl-info-missing.txt" 2>&1
ctl debug "$PID_SEGV" > "$OUT/coredumpctl-debug-missing.txt" 2>&1 </dev/null; echo "rc=$?" >> "$OUT/coredumpctl-debug-missing.txt"
echo "segv pid=$PID_SEGV abort pid=$PID_ABORT" >> "$OUT/exit.txt"
cat "$OUT/exit.txt"; cat "$OUT/coredumpctl-list.txt"
