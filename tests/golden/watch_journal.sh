#!/usr/bin/env bash
# `crashsift watch --format journal`: each exit reaches journald as one native-protocol datagram
# with our MESSAGE_ID and CRASHSIFT_* fields. journald's socket path is fixed
# (/run/systemd/journal/socket), so the test runs in a private mount namespace with a tmpfs
# there and a small receiver bound to it, the real sd_journal_sendv on the sending side.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"  # journal_export.py
# Where to put the receiver: a private /run in a mount namespace of our own; or, where that
# cannot be made (a chroot) and no journald listens, the real path itself.
if unshare -m true 2>/dev/null; then
  private_run() { unshare -m --propagation private bash -c 'mount -t tmpfs tmpfs /run && exec bash "$@"' _ "$@"; }
elif [ ! -e /run/systemd/journal/socket ] && [ -w /run ]; then
  private_run() { bash "$@"; }
  trap 'rm -f /run/systemd/journal/socket' EXIT
else
  echo "SKIP: no private mount namespace here (unshare -m needs root) and a journald is listening"; exit 77
fi
crashsift=$(readlink -f "$crashsift")
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
from journal_export import entry, pid1
t = 1790000000000000
s = pid1(t - 900000, "a.service", "Started a.service.")
s += entry(t - 500000, [("_PID", "101"), ("SYSLOG_IDENTIFIER", "app"), ("_TRANSPORT", "stdout"), ("_SYSTEMD_UNIT", "a.service"),
                        ("MESSAGE", "fatal: cannot open /etc/app.conf: No such file or directory")])
s += pid1(t, "a.service", "a.service: Main process exited, code=killed, status=11/SEGV")
s += pid1(t + 100, "a.service", "a.service: Failed with result 'signal'.")
s += pid1(t + 60000000, "b.service", "b.service: Deactivated successfully.")
open(work + "/in.export", "w").write(s)
PY
cat > "$work/receiver.py" <<'PY'
# journald's native protocol: KEY=value\n, or KEY\n<64-bit LE length><value>\n for values with
# a newline. One datagram per entry; writes each as JSON on a line.
import json, os, socket, struct, sys
path, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(120)  # a lost datagram fails the test instead of hanging it
open(out + ".ready", "w").close()
with open(out, "w") as f:
    for _ in range(count):
        data = s.recv(1 << 20)
        fields, i = {}, 0
        while i < len(data):
            nl = data.index(b"\n", i)
            line = data[i:nl]
            if b"=" in line:
                k, v = line.split(b"=", 1); i = nl + 1
            else:
                k = line; n = struct.unpack("<Q", data[nl + 1:nl + 9])[0]
                v = data[nl + 9:nl + 9 + n]; i = nl + 9 + n + 1
            fields[k.decode()] = v.decode()
        f.write(json.dumps(fields) + "\n"); f.flush()
PY
cat > "$work/inside.sh" <<'SH'
set -euo pipefail
work=$1 crashsift=$2
mkdir -p /run/systemd/journal
python3 "$work/receiver.py" /run/systemd/journal/socket "$work/entries" 2 & receiver=$!
# A loaded machine (the sanitizer run, -j2) can take seconds to start python: wait for the
# socket, because crashsift sending before it exists takes the no-journald path.
for _ in $(seq 1200); do [ -e "$work/entries.ready" ] && break; sleep 0.1; done
[ -e "$work/entries.ready" ] || { echo "the receiver did not start" > "$work/err"; exit 1; }
"$crashsift" watch --settle 1 --format journal - < "$work/in.export" > "$work/out" 2> "$work/err"
wait "$receiver"
rm -f /run/systemd/journal/socket
SH
private_run "$work/inside.sh" "$work" "$crashsift" || fail "watch --format journal: $(cat "$work/err" 2>/dev/null)"
python3 - "$work/entries" <<'PY' || fail "the journal entries: $(cat "$work/entries")"
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
assert len(e) == 2, e
a, b = e
for x in e:
    assert x["MESSAGE_ID"] == "e185eadd9f82467391d74239bfd8769a", x
    assert x["SYSLOG_IDENTIFIER"] == "crashsift", x
    j = json.loads(x["CRASHSIFT_JSON"])
    assert j["schema"] == "crashsift/exit/1" and j["id"] == x["CRASHSIFT_EXIT_ID"], (j, x)
    assert j["unit"] == x["CRASHSIFT_UNIT"] and j["class"] == x["CRASHSIFT_CLASS"], (j, x)
assert a["CRASHSIFT_UNIT"] == "a.service" and a["CRASHSIFT_CLASS"] == "segfault" and a["PRIORITY"] == "4", a
assert a["CRASHSIFT_PID"] == "101" and a["CRASHSIFT_SIGNAL"] == "SEGV", a
assert a["CRASHSIFT_BOOT_ID"] == "5c1f0e2d3b4a69788796a5b4c3d2e1f0" and a["CRASHSIFT_HOST"] == "h1", a
assert a["MESSAGE"].startswith("a.service: segfault (SIGSEGV)"), a["MESSAGE"]
assert "cannot open /etc/app.conf" in a["MESSAGE"] and "cannot open /etc/app.conf" in a["CRASHSIFT_REASON"], a
assert b["CRASHSIFT_CLASS"] == "clean" and b["PRIORITY"] == "6" and "CRASHSIFT_CODE" not in b or b["CRASHSIFT_CODE"] == "0", b
PY
grep -q '2 exits written to the journal' "$work/err" || fail "the count of entries sent: $(cat "$work/err")"
! grep -q 'a.service' "$work/out" || fail "an exit sent to the journal was also written to stdout: $(cat "$work/out")"
grep -q '^2 exits: 1 clean, 1 segfault$' "$work/out" || fail "the summary: $(cat "$work/out")"

# No journald: said once, and every exit still reaches standard output.
cat > "$work/nojournal.sh" <<'SH'
set -euo pipefail
"$2" watch --settle 1 --format journal - < "$1/in.export" > "$1/fallback.out" 2> "$1/fallback.err"
SH
private_run "$work/nojournal.sh" "$work" "$crashsift" || fail "without journald: $(cat "$work/fallback.err")"
[ "$(grep -c 'no journald socket' "$work/fallback.err")" -eq 1 ] || fail "the refusal is not said once: $(cat "$work/fallback.err")"
grep -q 'a.service .*segfault' "$work/fallback.out" && grep -q 'b.service .*clean' "$work/fallback.out" ||
  fail "exits were lost when the journal refused them: $(cat "$work/fallback.out")"
echo "watch --format journal: 2 entries with MESSAGE_ID and CRASHSIFT_* fields; without journald the rows reach stdout"
