#!/usr/bin/env bash
# crashsift-watch.service under a real systemd 252 as PID 1 (systemd-nspawn, the host's /usr
# bound read-only): services that segfault, exit 1, miss their watchdog and are OOM-killed by
# their memory cgroup; the watch restarted midway (--state); one unit with
# OnFailure=crashsift-report@%n.service. Checked from the container's journal afterwards: each
# death once among crashsift's MESSAGE_ID entries, with the right class, seconds after it; the
# OOM kill "killed" inside (no kernel lines there, said), and "oom" for `crashsift watch -D
# <the container's journal> --kernel` on the host; the report written. Needs root; a machine
# that cannot run it skips it (status 77), unless CI=true: then that is a failure.
set -euo pipefail
export LC_ALL=C TZ=UTC
crashsift=$(readlink -f "$1") testdata=$2 work=$3
build=$(cd "$(dirname "$crashsift")/.." && pwd)
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL: $*"; exit 1; }
cannot() {
  [ "${CI:-}" = true ] && fail "this machine cannot run the test, and CI=true: $*"
  echo "SKIP: $*"; exit 77
}
# Under faketime the watch's clock is not the container's: the test is about real time (the
# suite's plain run in CI has it).
[ -z "${FAKETIME:-}" ] || { echo "SKIP: runs on the real clock only (faketime is on)"; exit 77; }
[ "$(id -u)" = 0 ] || cannot "needs root"
command -v systemd-nspawn > /dev/null || cannot "systemd-nspawn is not installed (apt-get install systemd-container)"
command -v gcc > /dev/null || cannot "needs gcc"

# systemd-nspawn makes "/" a slave mount; in a chroot (a fresh CI root) "/" is no mount point
# and that fails. There: a mount namespace of our own whose root is a bind mount of "/".
if ! mountpoint -q / && [ -z "${CRASHSIFT_REROOTED:-}" ]; then
  newroot=$(mktemp -d /tmp/crashsift-reroot.XXXXXX)
  exec unshare -m --propagation unchanged bash -c '
    mount --rbind / "$1" && mount --make-rslave "$1" || exit 1
    exec chroot "$1" env CRASHSIFT_REROOTED=1 bash "${@:2}"' _ "$newroot" "$0" "$@"
fi

rm -rf "$work" && mkdir -p "$work"
ROOT=$work/root
mkdir -p "$ROOT"/{etc/systemd/system/multi-user.target.wants,usr,var/log/journal,var/lib,opt,oomcg,run,tmp,root,proc,sys,dev}
for l in bin sbin lib lib64; do ln -s "usr/$l" "$ROOT/$l"; done
cp -L /etc/os-release "$ROOT/etc/os-release"
cp /etc/passwd /etc/group /etc/nsswitch.conf "$ROOT/etc/"
grep -q '^systemd-journal:' "$ROOT/etc/group" || echo 'systemd-journal:x:101:' >> "$ROOT/etc/group"
mid=$(tr -d '-' < /proc/sys/kernel/random/uuid)
echo "$mid" > "$ROOT/etc/machine-id"; echo cswatch > "$ROOT/etc/hostname"
mkdir -p "$ROOT/etc/systemd/system.conf.d"
printf '[Manager]\nDefaultTimeoutStartSec=20s\nDefaultTimeoutStopSec=10s\n' > "$ROOT/etc/systemd/system.conf.d/10-test.conf"
gcc -O0 -g -o "$ROOT/opt/victim" "$here/nspawn/victim.c"
# crashsift as `cmake --install` puts it (units with ExecStart=/opt/crashsift/bin/crashsift).
DESTDIR=$ROOT cmake --install "$build" --prefix /opt/crashsift > "$work/install.log"
U=$ROOT/etc/systemd/system
cp "$ROOT/opt/crashsift/lib/systemd/system/"*.service "$U/"
ln -s ../crashsift-watch.service "$U/multi-user.target.wants/"
# Deaths seconds apart in a test, not ten: only the settle time differs from the shipped unit.
mkdir -p "$U/crashsift-watch.service.d"
sed -n 's/^ExecStart=\(.*\) --settle 10 /ExecStart=\1 --settle 3 /p' "$U/crashsift-watch.service" > "$work/execstart"
[ -s "$work/execstart" ] || fail "crashsift-watch.service has no --settle 10 ExecStart to shorten"
printf '[Service]\nExecStart=\n%s\n' "$(cat "$work/execstart")" > "$U/crashsift-watch.service.d/test.conf"
unit() {  # name, [Service] lines, [Unit] lines
  printf '[Unit]\nDescription=victim %s\n%s\n[Service]\nLimitCORE=0\n%s\n' "$1" "${3:-}" "$2" > "$U/$1.service"
}
unit cs-segv 'ExecStart=/opt/victim segv'
unit cs-exit 'ExecStart=/opt/victim exit 1' 'OnFailure=crashsift-report@%n.service'
unit cs-watchdog 'ExecStart=/bin/sleep infinity
WatchdogSec=1'
unit cs-oom 'ExecStart=/bin/sh -c "echo $$$$ > /oomcg/cgroup.procs && exec /opt/victim oom"'
cat > "$U/cs-schedule.service" <<'UNIT'
[Unit]
Description=the deaths, in order, and a restart of the watch among them
After=multi-user.target crashsift-watch.service
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'sleep 3; systemctl start --no-block cs-segv; sleep 2; systemctl start --no-block cs-exit; sleep 6; systemctl restart crashsift-watch; sleep 2; systemctl start --no-block cs-watchdog; sleep 3; systemctl start --no-block cs-oom; sleep 9; systemctl list-units --all --no-pager "cs-*" "crashsift*"; systemctl poweroff'
UNIT
ln -s ../cs-schedule.service "$U/multi-user.target.wants/"

# cgroups: nspawn in a private name=systemd/unified subtree (hybrid hierarchy), and a 64 MiB
# memory cgroup for cs-oom (v1 memory controller, or v2's memory.max).
ORIG_SD=$(awk -F: '$2=="name=systemd"{print $3}' /proc/self/cgroup)
ORIG_U=$(awk -F: '$1=="0"{print $3}' /proc/self/cgroup)
SDCG=/sys/fs/cgroup/systemd/crashsift-nspawn-$$
UCG=/sys/fs/cgroup/unified/crashsift-nspawn-$$
if [ -d /sys/fs/cgroup/memory ]; then
  MEMSELF=$(awk -F: '$2=="memory"{print $3}' /proc/self/cgroup)
  MEMCG=/sys/fs/cgroup/memory${MEMSELF%/}/crashsift-oom-$$
  limit_file=memory.limit_in_bytes
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  MEMCG=/sys/fs/cgroup$(awk -F: '$1=="0"{print $3}' /proc/self/cgroup | sed 's|/$||')/crashsift-oom-$$
  limit_file=memory.max
else
  cannot "no memory cgroup controller"
fi
cleanup() {
  [ -n "${host_watch:-}" ] && kill "$host_watch" 2>/dev/null || true
  echo $$ > "/sys/fs/cgroup/systemd${ORIG_SD}/cgroup.procs" 2>/dev/null || true
  echo $$ > "/sys/fs/cgroup/unified${ORIG_U}/cgroup.procs" 2>/dev/null || true
  for g in "$SDCG" "$UCG"; do [ -d "$g" ] && find "$g" -depth -type d -exec rmdir {} \; 2>/dev/null; done
  rmdir "$MEMCG" 2>/dev/null || true
  rm -rf "/run/systemd/nspawn/propagate/cswatch" 2>/dev/null || true
}
trap cleanup EXIT
mkdir "$MEMCG" || cannot "cannot make a memory cgroup"
echo $((64 << 20)) > "$MEMCG/$limit_file"
[ -f "$MEMCG/memory.memsw.limit_in_bytes" ] && echo $((64 << 20)) > "$MEMCG/memory.memsw.limit_in_bytes" 2>/dev/null || true
if [ -d /sys/fs/cgroup/systemd ]; then
  mkdir "$SDCG" && echo $$ > "$SDCG/cgroup.procs"
  [ -d /sys/fs/cgroup/unified ] && mkdir "$UCG" && echo $$ > "$UCG/cgroup.procs"
fi

# The host side: the container's journal directory followed with the kernel's log beside it.
"$crashsift" watch -D "$ROOT/var/log/journal" --kernel --settle 3 --format ndjson > "$work/host.out" 2> "$work/host.err" &
host_watch=$!
sleep 1
kill -0 "$host_watch" 2>/dev/null || cannot "the host-side watch cannot start: $(cat "$work/host.err")"

SECONDS=0
set +e
timeout 150 systemd-nspawn --quiet --register=no --keep-unit --link-journal=no --console=pipe \
  -D "$ROOT" -M cswatch --bind-ro=/usr --bind="$MEMCG":/oomcg -b systemd.log_color=0 \
  < /dev/null > "$work/console.txt" 2>&1
status=$?
set -e
booted=$SECONDS
sleep 4  # the host watch's settle window for the last deaths
kill -TERM "$host_watch"; wait "$host_watch" || true
host_watch=
J=$ROOT/var/log/journal
if [ "$status" -ne 0 ] && ! ls "$J"/*/system.journal > /dev/null 2>&1; then
  cannot "systemd-nspawn could not boot a container here (status $status): $(tail -5 "$work/console.txt")"
fi
[ "$status" -eq 0 ] || fail "the container did not power off cleanly (status $status): $(tail -20 "$work/console.txt")"
journalctl -D "$J" --no-pager -o export > "$work/container.export"
journalctl -D "$J" --no-pager -o json MESSAGE_ID=e185eadd9f82467391d74239bfd8769a > "$work/classified.json"
journalctl -D "$J" --no-pager -o short-precise _SYSTEMD_UNIT=crashsift-watch.service > "$work/watch.log" || true
python3 - "$work" <<'PY' || fail "$(cat "$work/watch.log" | tail -30)"
import json, statistics, sys
work = sys.argv[1]
entries = [json.loads(l) for l in open(work + "/classified.json")]
assert entries, "no entry with crashsift's MESSAGE_ID in the container's journal"
by_unit = {}
for e in entries:
    by_unit.setdefault(e.get("CRASHSIFT_UNIT", ""), []).append(e)
def one(unit):
    got = [e for e in by_unit.get(unit, []) if e.get("CRASHSIFT_UPDATE") != "1"]
    assert len(got) == 1, "%s: %d entries, not 1: %s" % (unit, len(got), [e["MESSAGE"] for e in got])
    return got[0]
expect = {"cs-segv.service": "segfault", "cs-exit.service": "self-exit", "cs-watchdog.service": "watchdog",
          "cs-oom.service": "killed"}
delays = []
for unit, cls in expect.items():
    e = one(unit)
    assert e["CRASHSIFT_CLASS"] == cls, "%s: %s, not %s: %s" % (unit, e["CRASHSIFT_CLASS"], cls, e["MESSAGE"])
    x = json.loads(e["CRASHSIFT_JSON"])
    assert x["id"] == e["CRASHSIFT_EXIT_ID"], x
    if unit == "cs-oom.service":
        assert any("kernel" in m for m in x["missing"]), ("the missing kernel evidence is not said", x["missing"])
    from datetime import datetime
    died = datetime.strptime(e["CRASHSIFT_EXITED_AT"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
    delays.append(int(e["__REALTIME_TIMESTAMP"]) / 1e6 - died)
ids = [e["CRASHSIFT_EXIT_ID"] for e in entries if e.get("CRASHSIFT_UPDATE") != "1"]
assert len(ids) == len(set(ids)), "an exit written twice (across the watch's restart?): %s" % ids
assert max(delays) < 10, "deaths written too late: %s" % delays
open(work + "/delays", "w").write("median %.1f s, max %.1f s over %d deaths\n" % (statistics.median(delays), max(delays), len(delays)))
PY
grep -q -- '--state /var/lib/crashsift/watch/state.json: read up to' "$work/watch.log" ||
  fail "the watch was not restarted midway from its state: $(tail -20 "$work/watch.log")"
# The host side: the same OOM kill, with the kernel's line from /dev/kmsg, is "oom".
python3 - "$work/host.out" <<'PY' || fail "host side: $(cat "$work/host.err"; grep cs-oom "$work/host.out")"
import json, sys
final = {}
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["type"] in ("exit", "exit-update"): final[o["id"]] = o
oom = [o for o in final.values() if o["unit"] == "cs-oom.service"]
assert len(oom) == 1, [(o["unit"], o["class"]) for o in final.values()]
assert oom[0]["class"] == "oom", (oom[0]["class"], oom[0]["evidence"], oom[0]["missing"])
assert any(e["source"].startswith("/dev/kmsg") for e in oom[0]["evidence"]), oom[0]["evidence"]
PY
ls "$ROOT"/var/lib/private/crashsift/reports/cs-exit.service-*.md > "$work/reports" 2>/dev/null ||
  fail "OnFailure=crashsift-report@ left no report: $(journalctl -D "$J" --no-pager -u 'crashsift-report@*' | tail -20)"
grep -q 'self-exit' "$(head -1 "$work/reports")" || fail "the report does not say self-exit"
echo "nspawn: 4 deaths under systemd 252 classified once each by crashsift-watch.service across its restart ($(cat "$work/delays")); cs-oom killed inside, oom on the host with --kernel; OnFailure report written; boot to poweroff ${booted}s"
