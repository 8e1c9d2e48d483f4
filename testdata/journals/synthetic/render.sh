#!/bin/sh
# Renders every *.export in this directory (or the directory given as $1) with the real
# journalctl: the export is turned into a native journal file by systemd-journal-remote, then
# journalctl --file prints each output form. TZ (default UTC) and LC_ALL=C fix the rendering.
# Usage: ./render.sh [DIR]        (TZ=Asia/Tokyo ./render.sh DIR for another zone)
# Needs: systemd-journal-remote (package systemd-journal-remote), journalctl (systemd).
# The .journal files are build products (not committed): tests rebuild them the same way.
set -eu
dir=${1:-$(dirname "$0")}
: "${TZ:=UTC}"
export TZ LC_ALL=C
remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=/usr/lib/systemd/systemd-journal-remote
for export in "$dir"/*.export; do
  base=${export%.export}
  rm -f "$base.journal"
  "$remote" -o "$base.journal" "$export" 2>/dev/null
  for form in json json-seq short short-iso short-iso-precise short-precise short-unix \
              short-full with-unit verbose cat; do
    journalctl --file="$base.journal" --no-pager -o "$form" > "$base.$form"
  done
done
