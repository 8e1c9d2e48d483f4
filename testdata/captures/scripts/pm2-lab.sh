#!/bin/bash
# Real pm2 (npm pm2@7.0.4, installed in $PKG, PM2_HOME private) running node apps that throw, get SIGKILLed,
# run out of V8 heap, exit 0, plus a native program that segfaults. Captures pm2.log (daemon log),
# `pm2 logs --nostream`, `pm2 ls`, `pm2 jlist`, per-app log files. Ends with `pm2 kill`. ~25 s.
set -u
# minimal environment: `pm2 jlist` / describe dump the apps' whole environment
[ -z "${CSCAP_CLEAN_ENV:-}" ] && exec env -i CSCAP_CLEAN_ENV=1 HOME=/root PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 ${OUT:+OUT=$OUT} "$0" "$@"
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../pm2}
BIN=${BIN:-/srv/cscap/bin}
PKG=${PKG:-/srv/cscap/pm2pkg}
export PM2_HOME=${PM2_HOME:-/srv/cscap/pm2home}
APPS=/srv/cscap/pm2-apps
[ -x "$BIN/crashlab" ] || "$HERE/build.sh"
[ -x "$PKG/node_modules/.bin/pm2" ] || { mkdir -p "$PKG"; (cd "$PKG" && echo '{"name":"cscap-pm2","private":true}' > package.json && npm install --no-audit --no-fund pm2@7.0.4); }
PM2="$PKG/node_modules/.bin/pm2"
rm -rf "$OUT" "$PM2_HOME" "$APPS"; mkdir -p "$OUT" "$APPS"; cp "$HERE"/pm2-apps/*.js "$APPS/"
cat > "$APPS/ecosystem.config.js" <<C
module.exports = { apps: [
  { name: 'checkout-api', script: '$APPS/checkout-api.js', max_restarts: 3, min_uptime: 5000, restart_delay: 200 },
  { name: 'queue-worker', script: '$APPS/queue-worker.js' },
  { name: 'heap-hog', script: '$APPS/heap-hog.js', node_args: '--max-old-space-size=32', autorestart: false },
  { name: 'reporter', script: '$APPS/reporter.js', autorestart: false },
  { name: 'resizer', script: '$BIN/crashlab', args: 'segv', interpreter: 'none', autorestart: false, cwd: '$APPS' },
]};
C
cp "$APPS/ecosystem.config.js" "$OUT/ecosystem.config.js"
cleanup() { "$PM2" kill > "$OUT/pm2-kill.txt" 2>&1; }
trap cleanup EXIT
"$PM2" start "$APPS/ecosystem.config.js" > "$OUT/pm2-start.txt" 2>&1
sleep 5
QPID=$("$PM2" pid queue-worker)
kill -9 "$QPID"; echo "kill -9 queue-worker pid=$QPID at $(date -u +%FT%T.%N)" > "$OUT/actions.txt"
sleep 5
"$PM2" ls > "$OUT/pm2-ls.txt" 2>&1
"$PM2" jlist > "$OUT/pm2-jlist.json" 2>/dev/null
"$PM2" logs --nostream --lines 40 > "$OUT/pm2-logs-nostream.txt" 2>&1
"$PM2" logs --nostream --raw --lines 40 > "$OUT/pm2-logs-nostream-raw.txt" 2>&1
"$PM2" ls --no-color > "$OUT/pm2-ls-nocolor.txt" 2>&1
"$PM2" logs --nostream --no-color --lines 40 > "$OUT/pm2-logs-nostream-nocolor.txt" 2>&1
"$PM2" describe checkout-api > "$OUT/pm2-describe-checkout-api.txt" 2>&1
cleanup; trap - EXIT
sleep 1
cp "$PM2_HOME/pm2.log" "$OUT/pm2.log"
mkdir -p "$OUT/app-logs"; cp "$PM2_HOME"/logs/*.log "$OUT/app-logs/"
{ echo "pm2 $("$PM2" --version 2>/dev/null | tail -1)"; echo "node $(node --version)"; } > "$OUT/version.txt"
"$PM2" kill >/dev/null 2>&1   # --version above may have started a daemon again
sleep 1; pgrep -af "PM2 v.*$PM2_HOME" && echo "WARNING: pm2 daemon still running"
true
