#!/usr/bin/env python3
"""Makes big journal inputs for the benchmarks by repeating the real systemd 252 lab journal
(testdata/journals/systemd-lab) with every copy shifted forward in time, so that the content
has the real mix of entries (PID 1 records, service output, multi-line crash banners).

usage: gen_journal.py FORM SIZE_MB OUT [FILLER_MB]     FORM = json | export

FILLER_MB (default 0) interleaves that many MiB of ordinary service output (a real stdout entry
of the lab journal with a changing message, every 20th one a 2 KiB payload) between copies of
the crash-heavy lab journal: 0 gives the worst case for exits per byte (~40 exits per 400 KiB),
10 a busy host that crashes a lot (~40 exits per 10 MiB).
"""
import re
import sys

form, size_mb, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
filler_mb = int(sys.argv[4]) if len(sys.argv) > 4 else 0
src = {"json": "journal.json", "export": "journal.export"}[form]
data = open(f"testdata/journals/systemd-lab/{src}", "rb").read()
# Every realtime stamp is 16 digits, so shifting keeps export length prefixes valid.
stamp = re.compile(rb'(__REALTIME_TIMESTAMP[":=]+|_SOURCE_REALTIME_TIMESTAMP[":=]+)(\d{16})')
period = 20 * 1_000_000  # the lab journal spans < 15 s
target = size_mb * 1024 * 1024
# The filler template: the first stdout entry of the lab journal (bun's "server idle" line).
if form == "json":
    template = next(l for l in data.split(b"\n") if b'"_TRANSPORT":"stdout"' in l) + b"\n"
else:
    template = next(e for e in data.split(b"\n\n") if b"_TRANSPORT=stdout" in e) + b"\n\n"
msg = re.compile(rb'("MESSAGE":"|\nMESSAGE=)([^"\n]*)')
period = max(period, (filler_mb * 1024 * 1024 // len(template) + 1) * 1000 + 20_000_000)


def filler(shift, n):
    base = stamp.sub(lambda m: m.group(1) + str(int(m.group(2)) + shift).encode(), template)
    parts = []
    for i in range(n):
        text = b"request %d served in %d ms" % (i, i % 97)
        if i % 20 == 0:
            text += b" payload=" + b"x" * 2048
        parts.append(msg.sub(lambda m: m.group(1) + text, base, count=1))
    return b"".join(parts)


written = 0
copy = 0
with open(out, "wb") as f:
    while written < target:
        shift = copy * period
        chunk = stamp.sub(lambda m: m.group(1) + str(int(m.group(2)) + shift).encode(), data)
        if form == "export" and not chunk.endswith(b"\n\n"):
            chunk += b"\n"
        f.write(chunk)
        written += len(chunk)
        if filler_mb:
            fill = filler(shift + 20_000_000, filler_mb * 1024 * 1024 // (len(template) + 120))
            f.write(fill)
            written += len(fill)
        copy += 1
print(f"{out}: {written / 2**20:.0f} MiB, {copy} copies of {src}")
