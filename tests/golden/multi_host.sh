#!/usr/bin/env bash
# Many hosts in one input: the real lab journal written under three hostnames and machine IDs
# (same boot ID, same PIDs: the worst case) into a journal-remote directory, as
# `systemd-journal-remote --split-mode=none --output=DIR/remote-HOST.journal` writes it. Each
# host gets exactly the exits (unit, PID, class, cause, reason) the journal gives alone: lifetimes,
# PIDs and joins are per host. Read as the directory and as its interleaved export; --host
# selects; text shows a HOST column only when there is more than one host.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work/dir"
fail() { echo "FAIL: $*"; exit 1; }
remote=/lib/systemd/systemd-journal-remote
[ -x "$remote" ] || remote=$(command -v systemd-journal-remote || true)
[ -n "$remote" ] || fail "systemd-journal-remote is not installed (apt-get install systemd-journal-remote)"
lab=$testdata/journals/systemd-lab/journal.export
for h in web1 web2 web3; do
  mid=$(printf '%s' "$h" | md5sum | cut -c1-32)
  sed -e "s/^_HOSTNAME=.*/_HOSTNAME=$h/" -e "s/^_MACHINE_ID=.*/_MACHINE_ID=$mid/" "$lab" > "$work/$h.export"
  "$remote" --split-mode=none --output="$work/dir/remote-$h.journal" "$work/$h.export" 2> /dev/null
done
journalctl -D "$work/dir" --no-pager -o export > "$work/fleet.export"
facts='import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["type"] == "exit":
        print(o["host"], o["unit"], o["pid"], o["class"], o["cause"], o["reason"])'
"$crashsift" exits --format ndjson "$lab" | python3 -c "$facts" | sed 's/^[^ ]* //' | sort > "$work/alone.txt"
[ "$(wc -l < "$work/alone.txt")" -ge 30 ] || fail "the lab journal alone gives too few exits: $(wc -l < "$work/alone.txt")"
for input in "$work/dir" "$work/fleet.export"; do
  "$crashsift" exits --format ndjson "$input" 2> "$work/err" | python3 -c "$facts" > "$work/all.txt"
  ! grep -q 'started again without an exit record' "$work/err" || fail "$input: lifetimes mixed across hosts: $(cat "$work/err")"
  for h in web1 web2 web3; do
    grep "^$h " "$work/all.txt" | sed 's/^[^ ]* //' | sort > "$work/$h.txt"
    diff "$work/alone.txt" "$work/$h.txt" > "$work/$h.diff" || fail "$input: $h's exits differ from the journal's own: $(head -20 "$work/$h.diff")"
  done
  [ "$(grep -vc '^web[123] ' "$work/all.txt" || true)" -eq 0 ] || fail "$input: exits without their host: $(grep -v '^web[123] ' "$work/all.txt" | head)"
done
"$crashsift" exits --utc "$work/dir" > "$work/text.out" 2> /dev/null
head -1 "$work/text.out" | grep -q '  HOST  ' || fail "no HOST column for three hosts: $(head -2 "$work/text.out")"
"$crashsift" exits --utc --host web2 "$work/dir" > "$work/one.out" 2> /dev/null
! head -1 "$work/one.out" | grep -q 'HOST' || fail "a HOST column for one host"
[ "$(($(wc -l < "$work/one.out") - 2))" -eq "$(wc -l < "$work/alone.txt")" ] || fail "--host web2: $(tail -1 "$work/one.out")"
n=$("$crashsift" exits --format ndjson --host 'web[13]' "$work/dir" 2> /dev/null | grep -c '"type":"exit"')
[ "$n" -eq $((2 * $(wc -l < "$work/alone.txt"))) ] || fail "--host 'web[13]': $n exits"
# A host renamed mid-boot (DHCP, cloud-init: journald writes the new _HOSTNAME from then on)
# is still one host: its machine ID holds its lifetimes and processes together.
total=$(grep -c '^_HOSTNAME=' "$lab")
awk -v half=$((total / 2)) '/^_HOSTNAME=/ { if (++n <= half) { print "_HOSTNAME=localhost"; next } } { print }' \
  "$work/web1.export" > "$work/renamed.export"
"$crashsift" exits --format ndjson "$work/renamed.export" 2> "$work/renamed.err" | python3 -c "$facts" | sed 's/^[^ ]* //' | sort > "$work/renamed.txt"
diff "$work/alone.txt" "$work/renamed.txt" > "$work/renamed.diff" || fail "a host renamed mid-boot: $(head -20 "$work/renamed.diff")"

# report: each failure mode with the hosts it hit, crash loops per host.
"$crashsift" report --format json "$work/dir" > "$work/report.json" 2> /dev/null
python3 - "$work/report.json" <<'PY' || fail "the fleet view of report: $(head -c 2000 "$work/report.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["modes"], r
for m in r["modes"]:
    hosts = {h["host"]: h["count"] for h in m["hosts"]}
    assert sorted(hosts) == ["web1", "web2", "web3"], (m["title"], hosts)
    assert len(set(hosts.values())) == 1 and sum(hosts.values()) == m["count"], (m["title"], hosts)
loops = sorted((l["host"], l["unit"]) for l in r["loops"])
units = sorted({u for _, u in loops})
assert units and loops == sorted((h, u) for h in ("web1", "web2", "web3") for u in units), loops
PY
"$crashsift" report --utc "$work/dir" 2> /dev/null | grep -q 'on 3 hosts since' || fail "report text does not say the hosts"
echo "multi-host: 3 hosts x $(wc -l < "$work/alone.txt") exits, each host's exactly its journal's own, from the directory and its interleaved export, and across a rename mid-boot; --host selects; HOST column only for several hosts; report modes list their hosts, crash loops per host"
