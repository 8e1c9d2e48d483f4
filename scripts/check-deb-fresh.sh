#!/usr/bin/env bash
# By hand (root): the Debian package installs with apt on a fresh Debian 12 and works there.
# Builds crashsift_<version>_<arch>.deb from a build tree (cpack), then in a pristine Debian 12
# root (../shared/tools/fresh-debian.sh) installs it with `apt-get install ./crashsift_*.deb`
# (apt pulls the libraries its Depends name), and runs crashsift --version, man -w
# crashsift-watch and crashsift on an incident from the repository. Prints the figures.
#   scripts/check-deb-fresh.sh [BUILD_DIR]      (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
fresh=${FRESH_DEBIAN:-$here/../shared/tools/fresh-debian.sh}
[ -x "$fresh" ] || { echo "no $fresh (set FRESH_DEBIAN)"; exit 2; }
out=$(mktemp -d /var/tmp/crashsift-deb.XXXXXX)
trap 'rm -rf "$out"' EXIT
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$out" > "$out/cpack.log" 2>&1 || { cat "$out/cpack.log"; exit 1; }
rm -rf "$out/_CPack_Packages"
deb=$(basename "$(ls "$out"/crashsift_*.deb)")
echo "package: $deb, $(du -k "$out/$deb" | cut -f1) KiB"
# In the root: /root/shared holds the package, /root/project a clean clone of HEAD.
"$fresh" "$here" "set -e
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  start=\$(date +%s.%N)
  apt-get install -y -qq --no-install-recommends /root/shared/$deb man-db > /tmp/apt.log
  echo \"apt-get install took \$(awk \"BEGIN{print \$(date +%s.%N) - \$start}\") s\"
  grep -c '^Setting up' /tmp/apt.log | sed 's/^/packages set up: /'
  crashsift --version
  man -w crashsift-watch
  ls /lib/systemd/system/crashsift-watch.service /lib/systemd/system/crashsift-report@.service
  crashsift exits --quiet --color never testdata/incidents/dispatch/journal.export | tail -1
  echo CRASHSIFT-DEB-FRESH-OK" "$out" 1200
