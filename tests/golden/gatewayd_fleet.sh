#!/usr/bin/env bash
# A fleet served by real systemd-journal-gatewayd processes on loopback: the real lab journal
# under three hostnames and machine IDs, each written by systemd-journal-remote and served by
# its own gatewayd (systemd-socket-activate gives each a port). crashsift reads the three URLs
# and gets, per host, exactly the exits of the journal-remote directory of the same journals;
# with -u only the units' entries and the witness records cross the network, with the same
# exits. A URL where nothing listens and a server that accepts and never answers are reported
# as unreadable hosts (status 2) within the timeouts. --hosts FILE reads the same fleet.
# TLS with a throwaway CA: --trust/--cert/--key as systemd-journal-upload names them.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work/dir"
fail() { echo "FAIL: $*"; exit 1; }
remote=/lib/systemd/systemd-journal-remote
gatewayd=/lib/systemd/systemd-journal-gatewayd
for tool in "$remote" "$gatewayd"; do
  [ -x "$tool" ] || fail "$tool is not installed (apt-get install systemd-journal-remote)"
done
command -v systemd-socket-activate > /dev/null || fail "systemd-socket-activate is not installed (apt-get install systemd)"
command -v openssl > /dev/null || fail "openssl is not installed (apt-get install openssl)"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done; wait 2> /dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Waits until the port accepts connections.
wait_port() {
  python3 - "$1" <<'PY' || fail "nothing listens on port $1"
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}
serve() {  # PORT DIR [gatewayd TLS options...]
  local port=$1 dir=$2; shift 2
  systemd-socket-activate -l "127.0.0.1:$port" "$gatewayd" --directory="$dir" "$@" > "$work/gatewayd-$port.log" 2>&1 &
  pids+=($!)
  wait_port "$port"
}

lab=$testdata/journals/systemd-lab/journal.export
urls=()
for h in web1 web2 web3; do
  mid=$(printf '%s' "$h" | md5sum | cut -c1-32)
  sed -e "s/^_HOSTNAME=.*/_HOSTNAME=$h/" -e "s/^_MACHINE_ID=.*/_MACHINE_ID=$mid/" "$lab" > "$work/$h.export"
  "$remote" --split-mode=none --output="$work/dir/remote-$h.journal" "$work/$h.export" 2> /dev/null
  mkdir -p "$work/serve/$h" && ln "$work/dir/remote-$h.journal" "$work/serve/$h/"
  port=$(free_port)
  serve "$port" "$work/serve/$h"
  urls+=("http://127.0.0.1:$port")
done

facts='import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["type"] == "exit":
        print(o["host"], o["unit"], o["pid"], o["class"], o["cause"], o["reason"], o["exited_at"])'
"$crashsift" exits --format ndjson "$work/dir" | python3 -c "$facts" | sort > "$work/dir.txt"
[ "$(wc -l < "$work/dir.txt")" -ge 90 ] || fail "the directory gives too few exits: $(wc -l < "$work/dir.txt")"

# The three URLs: the directory's exits, host by host.
"$crashsift" exits --format ndjson "${urls[@]}" > "$work/urls.ndjson" 2> "$work/urls.err" || fail "three live hosts: status $? $(cat "$work/urls.err")"
python3 -c "$facts" < "$work/urls.ndjson" | sort > "$work/urls.txt"
diff "$work/dir.txt" "$work/urls.txt" > "$work/urls.diff" || fail "the URLs' exits differ from the directory's: $(head -20 "$work/urls.diff")"
! grep -q 'started again without an exit record' "$work/urls.err" || fail "lifetimes mixed across hosts: $(cat "$work/urls.err")"
# One host at a time reads the same exits as all at once.
"$crashsift" exits --format ndjson --max-hosts-in-flight 1 "${urls[@]}" 2> /dev/null | python3 -c "$facts" | sort > "$work/serial.txt"
diff "$work/urls.txt" "$work/serial.txt" > /dev/null || fail "--max-hosts-in-flight 1 gives other exits"
for h in web1 web2 web3; do  # and host by host, what the host's own export gives
  "$crashsift" exits --format ndjson "$work/$h.export" 2> /dev/null | python3 -c "$facts" | sort > "$work/own-$h.txt"
  grep "^$h " "$work/urls.txt" > "$work/url-$h.txt"
  diff "$work/own-$h.txt" "$work/url-$h.txt" > /dev/null || fail "$h over its URL differs from its own export"
done

# -u: the server filters; same exits, far fewer bytes. Every unit with a failure is checked.
units=$(grep -v ' clean ' "$work/dir.txt" | awk '{print $2}' | sort -u)
for u in $units; do
  grep " $u " "$work/dir.txt" > "$work/u-dir.txt" || true
  "$crashsift" exits --format ndjson -u "$u" "${urls[@]}" 2> /dev/null | python3 -c "$facts" | sort > "$work/u-urls.txt"
  diff "$work/u-dir.txt" "$work/u-urls.txt" > "$work/u.diff" || fail "-u $u over the URLs: $(head -20 "$work/u.diff")"
done
"$crashsift" exits --format json -u cl-restart "${urls[0]}" > "$work/u.json" 2> /dev/null
python3 - "$work/u.json" "$(stat -c %s "$work/web1.export")" <<'PY' || fail "server-side matches: $(head -c 1500 "$work/u.json")"
import json, re, sys
inp = json.load(open(sys.argv[1]))["inputs"][0]
note = [n for n in inp["notes"] if "gatewayd" in n][0]
got = int(re.search(r"(\d+) bytes", note).group(1))
assert "4 filtered requests" in note, note
assert 0 < got < int(sys.argv[2]) // 5, (got, sys.argv[2])
PY

# A port where nothing listens and a server that accepts and never answers: both reported,
# the run ends within the timeouts, the live hosts' exits are all there, status 2.
dead=$(free_port)
silent=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)' "$silent" &
pids+=($!)
wait_port "$silent"
start=$(date +%s)
status=0
"$crashsift" exits --format json --connect-timeout 2 --read-timeout 2 "${urls[@]}" "http://127.0.0.1:$dead" \
  "http://127.0.0.1:$silent" > "$work/down.json" 2> "$work/down.err" || status=$?
took=$(($(date +%s) - start))
[ "$status" -eq 2 ] || fail "unreadable hosts: status $status, expected 2 ($(cat "$work/down.err"))"
[ "$took" -le 20 ] || fail "unreadable hosts held the run for $took s"
python3 - "$work/down.json" "$dead" "$silent" "$(wc -l < "$work/dir.txt")" <<'PY' || fail "unreadable hosts: $(head -c 3000 "$work/down.json")"
import json, sys
d = json.load(open(sys.argv[1]))
by_path = {i["path"]: i for i in d["inputs"]}
dead = by_path["http://127.0.0.1:" + sys.argv[2]]
silent = by_path["http://127.0.0.1:" + sys.argv[3]]
assert dead["error"] and "onnect" in dead["error"], dead
assert silent["error"] and "sent nothing" in silent["error"], silent
assert len(d["exits"]) == int(sys.argv[4]), len(d["exits"])
PY
grep -q "127.0.0.1:$dead" "$work/down.err" || fail "the dead host is not named on stderr: $(cat "$work/down.err")"
# report too: status 2, and the missing host among the evidence gaps.
status=0
"$crashsift" report --connect-timeout 2 "${urls[0]}" "http://127.0.0.1:$dead" > "$work/down-report.txt" 2> /dev/null || status=$?
[ "$status" -eq 2 ] || fail "report with a host down: status $status, expected 2"
grep -q "http://127.0.0.1:$dead could not be read" "$work/down-report.txt" || fail "report does not name the host that was down: $(tail -5 "$work/down-report.txt")"

# --hosts FILE: names and URLs, comments; the same exits.
{ echo "# the fleet"; echo "web1=${urls[0]}"; echo; echo "${urls[1]}"; echo " web3 = ${urls[2]}"; } > "$work/fleet.txt"
"$crashsift" exits --format ndjson --hosts "$work/fleet.txt" 2> /dev/null | python3 -c "$facts" | sort > "$work/file.txt"
diff "$work/dir.txt" "$work/file.txt" > /dev/null || fail "--hosts FILE gives other exits than the URLs"
echo "http//oops" > "$work/bad-hosts.txt"
status=0
"$crashsift" exits --hosts "$work/bad-hosts.txt" > /dev/null 2> "$work/bad.err" || status=$?
[ "$status" -eq 2 ] && grep -q 'bad-hosts.txt:1' "$work/bad.err" || fail "a bad hosts file: status $status $(cat "$work/bad.err")"

# report over the fleet: the failure modes name the three hosts.
"$crashsift" report --format json "${urls[@]}" > "$work/report.json" 2> /dev/null
python3 - "$work/report.json" <<'PY' || fail "report over URLs: $(head -c 1500 "$work/report.json")"
import json, sys
r = json.load(open(sys.argv[1]))
hosts = {h["host"] for m in r["modes"] for h in m["hosts"]}
assert hosts == {"web1", "web2", "web3"}, hosts
PY

# TLS: a throwaway CA signs the server's certificate (for 127.0.0.1) and a client's.
tls=$work/tls && mkdir -p "$tls"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 2 -subj "/CN=crashsift test CA" 2> /dev/null
for who in server client; do
  openssl req -newkey rsa:2048 -nodes -keyout "$tls/$who.key" -out "$tls/$who.csr" -subj "/CN=127.0.0.1" 2> /dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' > "$tls/$who.ext"
  openssl x509 -req -in "$tls/$who.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
    -extfile "$tls/$who.ext" -out "$tls/$who.pem" 2> /dev/null
done
# Debian's gatewayd 252 is built without --trust (client certificates): it serves TLS with its
# own certificate; a client certificate is checked by a small Python TLS server that requires
# one and serves the same host's export.
port=$(free_port)
serve "$port" "$work/serve/web2" --cert="$tls/server.pem" --key="$tls/server.key"
grep '^web2 ' "$work/dir.txt" > "$work/web2.txt"
"$crashsift" exits --format ndjson --trust "$tls/ca.pem" "https://127.0.0.1:$port" 2> "$work/tls.err" |
  python3 -c "$facts" | sort > "$work/tls.txt" || true
diff "$work/web2.txt" "$work/tls.txt" > /dev/null || fail "https with --trust: $(cat "$work/tls.err"; head -3 "$work/tls.txt")"
status=0
"$crashsift" exits --connect-timeout 2 --read-timeout 2 "https://127.0.0.1:$port" > /dev/null 2> "$work/untrusted.err" || status=$?
[ "$status" -eq 2 ] && grep -qi 'certificate' "$work/untrusted.err" || fail "an untrusted server certificate: status $status $(cat "$work/untrusted.err")"
mtls=$(free_port)
python3 - "$mtls" "$tls" "$work/web2.export" <<'PY' &
import http.server, ssl, sys
port, tls, body = int(sys.argv[1]), sys.argv[2], open(sys.argv[3], "rb").read()
class Entries(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.fdo.journal")
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", port), Entries)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(tls + "/server.pem", tls + "/server.key")
ctx.load_verify_locations(tls + "/ca.pem")
ctx.verify_mode = ssl.CERT_REQUIRED
server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.serve_forever()
PY
pids+=($!)
wait_port "$mtls"
"$crashsift" exits --format ndjson --trust "$tls/ca.pem" --cert "$tls/client.pem" --key "$tls/client.key" \
  "https://127.0.0.1:$mtls" 2> "$work/mtls.err" | python3 -c "$facts" | sort > "$work/mtls.txt" || true
diff "$work/web2.txt" "$work/mtls.txt" > /dev/null || fail "https with --cert/--key: $(cat "$work/mtls.err"; head -3 "$work/mtls.txt")"
status=0
"$crashsift" exits --trust "$tls/ca.pem" --connect-timeout 2 --read-timeout 2 "https://127.0.0.1:$mtls" > /dev/null 2> "$work/nocert.err" || status=$?
[ "$status" -eq 2 ] || fail "a server that requires a client certificate, none given: status $status $(cat "$work/nocert.err")"
echo "ok: 3 gatewayd hosts, -u over server matches, 2 unreadable hosts in ${took}s, --hosts, report, TLS (--trust, --cert/--key)"
