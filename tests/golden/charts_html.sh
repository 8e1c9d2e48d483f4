#!/usr/bin/env bash
# The pictures: `report --format html`, `report --charts DIR` (Markdown links), `timeline
# --charts` and `memory --format svg`, checked as a person would look at them. The SVG and HTML
# parse back as XML; on the bundled dispatch incident every one of the 20 exits is a marker at
# the x of its own time, of its class, and the counts add up; the version bands and the idle
# line are there. A 500 000-exit crash loop is aggregated into a small chart whose marker counts
# still add up to 500 000. Log text cannot inject markup. A real Chromium renders the HTML
# headless and the pixels at the computed x of some markers carry their class colours.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
export PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"  # png_pixels.py, journal_export.py
d=$testdata/incidents/dispatch
dispatch=(--tz Asia/Tokyo -u dispatch --memory-limit 24G --app "dispatch.service=$d/app.ndjson*" "$d/journal.export")

"$crashsift" report --format html --charts "$work/charts" -o "$work/report.html" "${dispatch[@]}" 2> /dev/null
"$crashsift" report --format markdown --charts "$work/md/charts" -o "$work/md/report.md" "${dispatch[@]}" 2> /dev/null
grep -qF '![memory of dispatch.service](charts/dispatch.service.svg)' "$work/md/report.md" ||
  fail "the Markdown does not link its chart beside it: $(grep -n 'svg' "$work/md/report.md")"
[ -s "$work/md/charts/dispatch.service.svg" ] || fail "report --charts wrote no SVG"
"$crashsift" timeline --charts "$work/tl" --tz Asia/Tokyo -u dispatch --app "dispatch.service=$d/app.ndjson*" "$d/journal.export" \
  > "$work/timeline.txt" 2> /dev/null
grep -q "chart of dispatch.service: $work/tl/dispatch.service.svg" "$work/timeline.txt" || fail "timeline --charts: $(tail -2 "$work/timeline.txt")"
"$crashsift" memory --format svg "${dispatch[@]}" > "$work/memory.svg" 2> /dev/null
status=0
"$crashsift" timeline --charts --tz UTC "$d/journal.export" > /dev/null 2> "$work/swallow.err" || status=$?
[ "$status" -eq 2 ] && [ ! -e ./--tz ] || fail "--charts took the next option as its directory: status $status"

python3 - "$work" <<'PY' || fail "the dispatch charts"
import json, re, subprocess, sys, xml.etree.ElementTree as ET
from datetime import datetime
work = sys.argv[1]
NS = "{http://www.w3.org/2000/svg}"
def when(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
def check(svg, where):
    a = svg.attrib
    x0, w, t0, t1 = float(a["data-plot-x"]), float(a["data-plot-w"]), when(a["data-from"]), when(a["data-to"])
    markers = [g for g in svg.iter(NS + "g") if "data-marker" in g.attrib]
    counts = {}
    for g in markers:
        n = int(g.attrib["data-count"])
        counts[g.attrib["data-class"]] = counts.get(g.attrib["data-class"], 0) + n
        if n == 1:  # one exit: drawn at the x of its own time
            t = when(g.attrib["data-first"])
            want = x0 + (t - t0) / (t1 - t0) * w
            line = g.find(NS + "line")
            assert abs(float(line.attrib["x1"]) - want) < 0.6, (where, g.attrib, want)
        assert g.find(NS + "title").text, (where, "marker without a label")
    assert counts == {"clean": 14, "segfault": 5, "self-exit": 1}, (where, counts)
    assert sum(counts.values()) == int(a["data-exits"]) == 20, (where, a["data-exits"])
    bands = {g.attrib["data-version"] for g in svg.iter(NS + "g") if "data-band" in g.attrib}
    assert bands == {"Bun v1.3.13", "Bun v1.3.14"}, (where, bands)
    texts = [t.text for t in svg.iter(NS + "text")]
    assert "idle 84.0 MiB" in texts, (where, [t for t in texts if t and "idle" in t])
    assert any(s.attrib.get("data-series") == "rss" for s in svg.iter(NS + "g")), where
    return markers
html = ET.parse(work + "/report.html").getroot()
svgs = list(html.iter(NS + "svg"))
assert len(svgs) == 2, len(svgs)
markers = check(svgs[0], "html")
# The second chart is the close-up of the app log's span (the journal reaches back 8 hours more):
# only the exits inside it, their counts adding up, the idle line and both versions.
close = svgs[1]
t0, t1 = when(close.attrib["data-from"]), when(close.attrib["data-to"])
inside = [g for g in close.iter(NS + "g") if "data-marker" in g.attrib]
assert all(t0 <= when(g.attrib["data-first"]) <= t1 for g in inside), "a marker outside the close-up"
assert sum(int(g.attrib["data-count"]) for g in inside) == int(close.attrib["data-exits"]) == 8, close.attrib["data-exits"]
assert "idle 84.0 MiB" in [t.text for t in close.iter(NS + "text")]
assert {g.attrib["data-version"] for g in close.iter(NS + "g") if "data-band" in g.attrib} == {"Bun v1.3.13", "Bun v1.3.14"}
for path in (work + "/charts/dispatch.service.svg", work + "/md/charts/dispatch.service.svg", work + "/memory.svg",
             work + "/tl/dispatch.service.svg"):
    check(ET.parse(path).getroot(), path)
import os
assert os.path.getsize(work + "/charts/dispatch.service.svg") < 200_000
# The facts of the report are in the HTML (TL;DR, the failure modes, the evidence and the version).
text = "".join(html.itertext())
for needed in ("5 × segfault (SIGILL): panic(main thread): Segmentation fault at address 0x0", "Bun v1.3.14", "Evidence gaps",
               "Crash loops", "idle memory flat at 84.0 MiB"):
    assert needed in text, needed
# Where the segfault at 00:12:35 and the self-exit are drawn, for the browser check below.
picks = {}
for g in markers:
    if g.attrib["data-count"] == "1" and g.attrib["data-class"] in ("segfault", "self-exit"):
        picks.setdefault(g.attrib["data-class"], float(g.find(NS + "line").attrib["x1"]))
json.dump({"picks": picks, "plot_x": float(svgs[0].attrib["data-plot-x"]), "plot_w": float(svgs[0].attrib["data-plot-w"]),
           "plot_h": float(svgs[0].attrib["data-plot-h"])}, open(work + "/picks.json", "w"))
PY

# A crash loop of 500 000 exits (the short form keeps the input small): aggregated, counts exact.
python3 - "$work/loop.txt" <<'PY'
import sys
from datetime import datetime, timezone
out = open(sys.argv[1], "w")
t = 1790000000
for i in range(500000):
    stamp = datetime.fromtimestamp(t + i * 7, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000000+0000")
    out.write("%s host systemd[1]: loop.service: Main process exited, code=exited, status=1/FAILURE\n" % stamp)
PY
"$crashsift" report --format html -o "$work/loop.html" --tz UTC "$work/loop.txt" 2> /dev/null
python3 - "$work/loop.html" <<'PY' || fail "the 500 000-exit crash loop chart"
import os, sys, xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
svg = next(ET.parse(sys.argv[1]).getroot().iter(NS + "svg"))
markers = [g for g in svg.iter(NS + "g") if "data-marker" in g.attrib]
total = sum(int(g.attrib["data-count"]) for g in markers)
assert total == 500000 == int(svg.attrib["data-exits"]), total
assert 50 < len(markers) <= 300, len(markers)
assert all(" × self-exit, " in g.find(NS + "title").text for g in markers), markers[0].find(NS + "title").text
assert os.path.getsize(sys.argv[1]) < 200_000, os.path.getsize(sys.argv[1])
PY

# Log text is attacker-controlled: a crash message with markup stays text.
python3 - "$work/evil.export" <<'PY'
import sys
from journal_export import entry, pid1
t = 1790000000000000
s = pid1(t - 900000, "evil.service", "Started evil.service.")
for msg in ['<script>alert("owned")</script> & <img src=x onerror=alert(1)>', "bad bytes \xff\xfe end"]:
    s += entry(t - 500000, [("_PID", "66"), ("SYSLOG_IDENTIFIER", "evil"), ("_TRANSPORT", "stdout"),
                            ("_SYSTEMD_UNIT", "evil.service"), ("MESSAGE", msg)])
s += pid1(t, "evil.service", "evil.service: Main process exited, code=killed, status=11/SEGV")
s += pid1(t + 100, "evil.service", "evil.service: Failed with result 'signal'.")
open(sys.argv[1], "w", encoding="utf-8", errors="surrogateescape").write(s)
PY
"$crashsift" report --format html -o "$work/evil.html" "$work/evil.export" 2> /dev/null
python3 - "$work/evil.html" <<'PY' || fail "markup from a log reached the HTML: $(grep -o '.\{40\}owned.\{40\}' "$work/evil.html" | head -3)"
import sys, xml.etree.ElementTree as ET
raw = open(sys.argv[1], encoding="utf-8").read()
root = ET.fromstring(raw)
assert "<script" not in raw.lower() and "<img" not in raw.lower()
assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in raw, "the message is not shown as text"
assert not any(el.tag.endswith(("script", "img", "iframe")) for el in root.iter())
assert not any(k.lower().startswith("on") for el in root.iter() for k in el.attrib)
PY

# --redact masks hosts in the HTML and the chart files and keeps both well-formed.
"$crashsift" report --redact --format html -o "$work/red.html" --charts "$work/red" "$testdata/journals/systemd-lab/journal.export" 2> /dev/null
python3 - "$work/red.html" "$work/red" <<'PY' || fail "report --redact --format html --charts"
import glob, sys, xml.etree.ElementTree as ET
files = [sys.argv[1]] + glob.glob(sys.argv[2] + "/*.svg")
assert len(files) > 10, files
for f in files:
    ET.parse(f)
    raw = open(f, encoding="utf-8").read()
    assert "crashlab" not in raw, f
assert "&lt;host&gt;" in open(sys.argv[1], encoding="utf-8").read()
PY

# A real browser: the rendered pixels at the computed x of the markers carry their class colours.
command -v chromium > /dev/null || fail "chromium is not installed (apt-get install chromium)"
env -u LD_PRELOAD -u FAKETIME HOME="$work" chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --force-device-scale-factor=1 --window-size=1000,1800 --screenshot="$work/report.png" "file://$work/report.html" \
  > "$work/chromium.log" 2>&1 || fail "chromium failed: $(tail -5 "$work/chromium.log")"
python3 - "$work/report.png" "$work/picks.json" <<'PY' || fail "the rendered report"
import json, sys
from png_pixels import read_png, pixel
png = read_png(sys.argv[1])
picks = json.load(open(sys.argv[2]))
width, height = png[0], png[1]
frame = (0x11, 0x22, 0x33)
# The first chart's plot frame: its top-left corner is the first frame pixel on the page; its top
# row and its left edge give its width and height (the second chart lies lower on the page).
top, left = next((y, x) for y in range(height) for x in range(width) if pixel(png, x, y) == frame)
right = max(x for x in range(width) if pixel(png, x, top) == frame)  # markers cross the top edge
bottom = top
while bottom + 1 < height and pixel(png, left, bottom + 1) == frame:  # nothing crosses the left edge
    bottom += 1
assert right - left > 500 and bottom - top > 100, "the plot frame was not drawn: an error page? %s" % ((left, top, right, bottom),)
scale = (right - left) / picks["plot_w"]
assert abs(scale - 1) < 0.02, scale
colours = {"segfault": (0xd6, 0x27, 0x28), "self-exit": (0xe6, 0x7e, 0x00)}
assert set(picks["picks"]) == set(colours), picks
for cls, x in picks["picks"].items():
    px = round(left + (x - picks["plot_x"]) * scale - 0.5)
    y = top + int((bottom - top) * 0.3)
    found = [pixel(png, px + dx, y) for dx in (-1, 0, 1)]
    ok = any(all(abs(a - b) <= 24 for a, b in zip(c, colours[cls])) for c in found)
    assert ok, (cls, px, y, found, colours[cls])
print("browser: frame at (%d,%d)-(%d,%d), markers coloured" % (left, top, right, bottom))
PY
echo "ok: dispatch chart (20 markers at their times, bands, idle line) in HTML, SVG, Markdown links, timeline and memory; 500000-exit loop aggregated; markup escaped; Chromium pixels"
