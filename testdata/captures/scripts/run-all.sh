#!/bin/bash
# Rerun every capture (root). ~4 min, mostly shells.sh typing its sessions. coredump-lab.sh changes
# kernel.core_pattern for ~1 s (restored on exit); it refuses to run if core_pattern is not "core".
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
"$HERE/build.sh"
command -v systemd-nspawn >/dev/null || apt-get install -y systemd-container
"$HERE/nspawn-status-lab.sh"
"$HERE/coredump-lab.sh"
"$HERE/shells.sh"
"$HERE/supervisor-lab.sh"
"$HERE/pm2-lab.sh"
"$HERE/runtimes.sh"
"$HERE/kernel-lines.sh"
