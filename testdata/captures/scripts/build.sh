#!/bin/bash
# Build crashlab (debug info, stack protector, no fortify so the canary check is what fires).
# Output binary goes to $BIN (default /srv/cscap/bin), not into testdata.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-/srv/cscap/bin}; mkdir -p "$BIN"
gcc -g -O0 -pthread -fstack-protector-strong -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=0 \
    -Wno-use-after-free -o "$BIN/crashlab" "$HERE/crashlab.c"
file "$BIN/crashlab"
