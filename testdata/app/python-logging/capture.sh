#!/bin/sh
# Captures testdata/app/python-logging/app.ndjson: one run of service.py (stdlib logging with a
# json.dumps Formatter, asctime + rss_kib). TZ=UTC so that the offset-less asctime is UTC
# (the golden case reads it with --app-tz UTC). Usage: testdata/app/python-logging/capture.sh
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
rm -f "$HERE/app.ndjson"
TZ=UTC APP_LOG="$HERE/app.ndjson" python3 "$HERE/service.py"
python3 --version > "$HERE/versions.txt"
uname -srm >> "$HERE/versions.txt"
wc -l "$HERE/app.ndjson"
