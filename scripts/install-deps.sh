#!/usr/bin/env bash
# Installs everything crashsift needs to build and test on Debian 12 (run as root).
# The one place that lists the packages; README.md and .ci/run call it.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  # build
  build-essential cmake pkg-config
  libcli11-dev libsimdjson-dev libsystemd-dev zlib1g-dev libzstd-dev liblzma-dev liblz4-dev
  libdw-dev libelf-dev libunwind-dev doctest-dev libcurl4-openssl-dev
  # run: zone data for --tz; test: native journals, real cores, compressors, comparison tools
  # libc6-dbg: glibc symbols for the core-dump tests (start_thread, raise, ... as eu-stack names them)
  tzdata systemd-journal-remote elfutils gdb zstd xz-utils lz4 gzip jq nodejs python3 libc6-dbg
  # CI: the suite at other dates (.ci/run); the Debian package's checks (tests/golden/deb_package.sh)
  faketime lintian
  # tests/golden/charts_html.sh: a real browser renders the HTML report
  chromium
  # tests/golden/gatewayd_fleet.sh: a throwaway CA; tests/golden/debuginfod_cores.sh: a real debuginfod server
  openssl debuginfod
  # tests/golden/nspawn_watch.sh: crashsift-watch.service under a real systemd in a container
  systemd systemd-container
)
if ! dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null | grep -qv 'install ok installed' &&
   [ "$(dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null | wc -l)" -eq "${#packages[@]}" ]; then
  exit 0  # everything already installed
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
