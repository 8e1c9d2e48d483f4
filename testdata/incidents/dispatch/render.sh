#!/bin/sh
# Renders journal.export with the real journalctl in the host zone of the incident (Asia/Tokyo).
# journal.journal is a build product (not committed): tests rebuild it with systemd-journal-remote.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
TZ=Asia/Tokyo exec "$here/../../journals/synthetic/render.sh" "$here"
