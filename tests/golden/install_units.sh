#!/usr/bin/env bash
# `cmake --install` puts the binary, every man page, the completions and the systemd units in
# place, and the units are what systemd accepts (systemd-analyze verify, the template as an
# instance), with the binary's installed path in ExecStart.
set -euo pipefail
export LC_ALL=C
crashsift=$1 work=$3
build=$(cd "$(dirname "$crashsift")/.." && pwd)
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/root" > "$work/install.log"
for f in bin/crashsift share/man/man1/crashsift.1.gz share/man/man1/crashsift-watch.1.gz share/man/man5/crashsift-json.5.gz \
         share/bash-completion/completions/crashsift share/zsh/vendor-completions/_crashsift \
         lib/systemd/system/crashsift-watch.service "lib/systemd/system/crashsift-report@.service"; do
  [ -e "$work/root/$f" ] || fail "not installed: $f"
done
# ExecStart names the binary where this install put it (--prefix), not the configured prefix.
grep -q "^ExecStart=$work/root/bin/crashsift watch " "$work/root/lib/systemd/system/crashsift-watch.service" ||
  fail "crashsift-watch.service does not run $work/root/bin/crashsift: $(grep ExecStart "$work/root/lib/systemd/system/crashsift-watch.service")"
command -v systemd-analyze > /dev/null || fail "systemd-analyze is not installed (package systemd)"
mkdir -p "$work/units"
cp "$work/root/lib/systemd/system/crashsift-watch.service" "$work/units/crashsift-watch.service"
cp "$work/root/lib/systemd/system/crashsift-report@.service" "$work/units/crashsift-report@orders.service.service"
for unit in crashsift-watch.service crashsift-report@orders.service.service; do
  systemd-analyze verify --man=no "$work/units/$unit" > "$work/verify.log" 2>&1 ||
    fail "systemd-analyze verify $unit: $(cat "$work/verify.log")"
done
echo "install: binary, 8 man pages, completions and 2 units in place; systemd-analyze verify accepts both units"
