#!/bin/bash
# Boot REAL systemd 252 (Debian 12) as PID 1 in systemd-nspawn (host /usr bound read-only), let units
# fail in different ways, then a finisher unit INSIDE the container runs `systemctl status` in several
# forms and writes the output to a bind-mounted directory. Adapted from shared/real/scripts/systemd-nspawn-lab.sh.
# Needs root, apt packages systemd + systemd-container, crashlab built by build.sh.  ~30 s.  Leaves no cgroups.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../systemctl-status}
BIN=${BIN:-/srv/cscap/bin}
ROOT=${ROOT:-/var/lib/cscap-nsroot}
MACHINE=cscap
MID=${MID:-$(tr -d '-' </proc/sys/kernel/random/uuid)}
[ -x "$BIN/crashlab" ] || "$HERE/build.sh"

rm -rf "$ROOT"; mkdir -p "$ROOT"/{etc/systemd/system/multi-user.target.wants,usr,var/log/journal,var/lib/cores,opt/crashlab,oomcg,capture,run,tmp,root,proc,sys,dev}
ln -s usr/bin "$ROOT/bin"; ln -s usr/sbin "$ROOT/sbin"; ln -s usr/lib "$ROOT/lib"; ln -s usr/lib64 "$ROOT/lib64"
cp -L /etc/os-release "$ROOT/etc/os-release"
cp /etc/passwd /etc/group /etc/nsswitch.conf "$ROOT/etc/"
echo "$MID" > "$ROOT/etc/machine-id"; echo "$MACHINE" > "$ROOT/etc/hostname"
mkdir -p "$ROOT/etc/systemd/system.conf.d"
printf '[Manager]\nDefaultTimeoutStartSec=20s\nDefaultTimeoutStopSec=10s\n' > "$ROOT/etc/systemd/system.conf.d/10-cscap.conf"
cp "$BIN/crashlab" "$ROOT/opt/crashlab/"

U="$ROOT/etc/systemd/system"
unit() { # name, description, [Service] body
  mkdir -p "$ROOT/var/lib/cores/$1"
  printf '[Unit]\nDescription=%s\n\n[Service]\nWorkingDirectory=/var/lib/cores/%s\nLimitCORE=infinity\n%s\n' "$2" "$1" "$3" > "$U/$1.service"
  ln -s "../$1.service" "$U/multi-user.target.wants/$1.service"
}
unit api-exit      "Billing API (exits 1)"            'ExecStart=/opt/crashlab/crashlab exit 1'
unit api-segv      "Image resizer (segfaults, core)"  'ExecStart=/opt/crashlab/crashlab segv'
unit api-segv-nocore "Thumbnailer (segfaults, LimitCORE=0)" 'ExecStart=/opt/crashlab/crashlab segv
LimitCORE=0'
unit api-killed    "Queue worker (SIGKILLed by systemctl kill)" 'ExecStart=/opt/crashlab/crashlab hang'
unit api-selfkill  "Cache warmer (kill -9 from a shell)" 'ExecStart=/bin/sh -c "echo warming; sleep 1; kill -9 $$$$"'
unit api-restart   "Session broker (exit 3, Restart=always)" 'ExecStart=/opt/crashlab/crashlab exit 3
Restart=always
RestartSec=300ms'
# exits 0 every time: with Restart=always the start limit then gives Result=start-limit-hit
# (api-restart keeps Result=exit-code: systemd only records start-limit-hit when the previous result was success)
unit api-restart-clean "Poller (exit 0, Restart=always)" 'ExecStart=/bin/sh -c "echo poll done; exit 0"
Restart=always
RestartSec=300ms'
sed -i 's/^\[Unit\]/[Unit]\nStartLimitIntervalSec=60\nStartLimitBurst=3/' "$U/api-restart.service" "$U/api-restart-clean.service"
unit api-watchdog  "Metrics agent (WatchdogSec=2, never pings)" 'Type=simple
ExecStart=/opt/crashlab/crashlab hang
WatchdogSec=2'
unit api-starttimeout "Search indexer (Type=notify, never ready)" 'Type=notify
ExecStart=/opt/crashlab/crashlab hang
TimeoutStartSec=3'
unit api-runtimemax "Report job (RuntimeMaxSec=2)"    'ExecStart=/opt/crashlab/crashlab hang
RuntimeMaxSec=2'
unit api-oom       "Import job (64 MiB v1 memcg, OOM-killed)" 'ExecStart=/bin/sh -c "echo $$$$ > /oomcg/cgroup.procs && exec /opt/crashlab/crashlab oom 4"'
unit api-healthy   "Web frontend (healthy, running)"  'ExecStart=/bin/sh -c "echo listening on :8080; exec /opt/crashlab/crashlab hang"'
unit api-oneshot-ok "Nightly cleanup (oneshot, succeeds)" 'Type=oneshot
RemainAfterExit=no
ExecStart=/bin/sh -c "echo cleaned 42 files; exit 0"'

# finisher: runs after multi-user.target (i.e. after api-starttimeout's start job has timed out)
cat > "$ROOT/opt/crashlab/finish.sh" <<'SH'
#!/bin/sh
C=/capture
sleep 6
systemctl kill --signal=SIGKILL api-killed.service
sleep 2
# manual start of a unit that already hit its start limit: systemctl's own error text
systemctl start api-restart.service > "$C/manual-start-after-limit.txt" 2>&1; echo "rc=$?" >> "$C/manual-start-after-limit.txt"
sleep 0.5
UNITS="api-exit api-segv api-segv-nocore api-killed api-selfkill api-restart api-restart-clean api-watchdog api-starttimeout api-runtimemax api-oom api-healthy api-oneshot-ok"
for u in $UNITS; do
  # stdout is a file (not a tty): what `systemctl status X > file` / `| cat` gives
  systemctl status "$u.service" > "$C/$u.status.txt" 2>&1; echo "rc=$?" > "$C/$u.status.rc"
  systemctl status --no-pager -l "$u.service" > "$C/$u.status-l.txt" 2>&1
  # a real terminal (pty from script(1)), 80 columns, colors off: the default ellipsized form
  SYSTEMD_COLORS=0 script -qec "stty cols 80 rows 50; systemctl status --no-pager $u.service" /dev/null > "$C/$u.status-tty80.txt" 2>&1
done
# colored tty form of two units (ANSI escapes as the terminal received them)
for u in api-segv api-healthy; do
  TERM=xterm-256color script -qec "stty cols 120 rows 50; systemctl status --no-pager $u.service" /dev/null > "$C/$u.status-tty120-color.txt" 2>&1
done
systemctl status --no-pager -l api-exit.service api-segv.service api-killed.service > "$C/multi.status-l.txt" 2>&1
systemctl --failed --no-pager > "$C/systemctl--failed.txt" 2>&1
systemctl list-units --all --no-pager 'api-*' > "$C/list-units.txt" 2>&1
systemctl show --no-pager -p Id,Result,ExecMainCode,ExecMainStatus,ExecMainPID,NRestarts,ActiveState,SubState $(for u in $UNITS; do printf '%s.service ' $u; done) > "$C/show-props.txt" 2>&1
systemctl --version > "$C/systemctl-version.txt"
sync
systemctl poweroff
SH
chmod +x "$ROOT/opt/crashlab/finish.sh"
cat > "$U/cl-finish.service" <<'UNIT'
[Unit]
Description=capture finisher
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/opt/crashlab/finish.sh
UNIT
ln -s ../cl-finish.service "$U/multi-user.target.wants/cl-finish.service"

ORIG_SD=$(awk -F: '$2=="name=systemd"{print $3}' /proc/self/cgroup)
ORIG_U=$(awk -F: '$1=="0"{print $3}' /proc/self/cgroup)
SDCG=/sys/fs/cgroup/systemd/cscap-lab-$$
UCG=/sys/fs/cgroup/unified/cscap-lab-$$
MEMSELF=$(awk -F: '$2=="memory"{print $3}' /proc/self/cgroup)
MEMC=/sys/fs/cgroup/memory${MEMSELF%/}/cscap-oom-$$
cleanup() {
  echo $$ > "/sys/fs/cgroup/systemd${ORIG_SD}/cgroup.procs" 2>/dev/null || true
  echo $$ > "/sys/fs/cgroup/unified${ORIG_U}/cgroup.procs" 2>/dev/null || true
  for g in "$SDCG" "$UCG"; do [ -d "$g" ] && find "$g" -depth -type d -exec rmdir {} \; 2>/dev/null; done; true
  rmdir "$MEMC" 2>/dev/null || true
  rm -rf "/run/systemd/nspawn/propagate/$MACHINE" 2>/dev/null || true
}
trap cleanup EXIT
mkdir "$SDCG" "$MEMC"; [ -d /sys/fs/cgroup/unified ] && mkdir "$UCG"
echo $((64<<20)) > "$MEMC/memory.limit_in_bytes"; echo $((64<<20)) > "$MEMC/memory.memsw.limit_in_bytes" 2>/dev/null || true
echo $$ > "$SDCG/cgroup.procs"; [ -d "$UCG" ] && echo $$ > "$UCG/cgroup.procs"

rm -rf "$OUT"; mkdir -p "$OUT"
MARK="cscap-nspawn-marker-$$-$(date +%s%N)"; echo "$MARK" > /dev/kmsg
SECONDS=0; rc=0
timeout 180 systemd-nspawn --quiet --register=no --keep-unit --link-journal=no --console=pipe \
   -D "$ROOT" -M "$MACHINE" --bind-ro=/usr --bind="$MEMC":/oomcg --bind="$OUT":/capture \
   -b systemd.log_color=0 </dev/null >"$OUT/nspawn-console.txt" 2>&1 || rc=$?
echo "nspawn exit=$rc; boot+run+poweroff took ${SECONDS}s" >> "$OUT/nspawn-console.txt"
sleep 0.2; dmesg | sed -n "/$MARK/,\$p" > "$OUT/host-dmesg.txt"
J="$ROOT/var/log/journal"
journalctl -D "$J" --no-pager -o short-iso-precise > "$OUT/journal.short-iso-precise.txt"
echo "machine-id=$MID" > "$OUT/machine-id.txt"
cp "$ROOT"/etc/systemd/system/*.service "$ROOT/opt/crashlab/finish.sh" "$OUT/" 2>/dev/null || true
mkdir -p "$OUT/units"; mv "$OUT"/*.service "$OUT/units/"; mv "$OUT/finish.sh" "$OUT/units/"
find "$ROOT/var/lib/cores" -name 'core*' -printf '%p %s\n' > "$OUT/cores-written.txt"
tail -1 "$OUT/nspawn-console.txt"
