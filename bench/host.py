#!/usr/bin/env python3
"""Host-scale benchmark (issue 13): crashsift over the shared generators' inputs against cat, rg,
jq and journalctl on the same files, in one run, page cache warm. Prints one Markdown table.

usage: bench/host.py [--dir DIR] [--runs N] [--crashsift BIN] [--skip-jq] [--sizes 100M,1G,4G] [--prepare]

Inputs (made once in DIR with ../shared/bench, see that README):
  journal.export       gen_journal.py --size 1G            (~1.2 M entries, ~52 000 exits)
  jr/remote.journal    systemd-journal-remote of it         (native)
  journal.json         journalctl --directory=jr -o json
  app.ndjson           gen_app.py --size 1G
  crashloop.export     gen_crashloop.py 500000              (500 000 exits of one service)
  export-<size>        the first SIZE bytes of journal.export cut at an entry (linearity)
Wall time: the fastest of N hyperfine runs (the VM's neighbours make the mean noisy).
Memory: peak RSS (/usr/bin/time); for native input the peak RssAnon of crashsift and its
reader child, sampled from /proc every 10 ms (libsystemd's mapped journal is page cache).
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("--dir", default="/var/tmp/cs-bench")
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--crashsift", default=os.path.abspath("build/tools/crashsift"))
ap.add_argument("--skip-jq", action="store_true")
ap.add_argument("--sizes", default="100M,1G,4G")
ap.add_argument("--shared", default=os.path.abspath("../shared/bench"))
ap.add_argument("--prepare", action="store_true", help="only make the inputs (minutes), time nothing")
args = ap.parse_args()
D, CS = args.dir, args.crashsift


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, **kw)


def ensure_inputs():
    os.makedirs(D, exist_ok=True)
    g = args.shared
    if not os.path.exists(f"{D}/journal.export"):
        sh(f"python3 {g}/gen_journal.py --size 1G --out {D}/journal.export")
    if not os.path.exists(f"{D}/jr/remote.journal"):
        os.makedirs(f"{D}/jr", exist_ok=True)
        sh(f"/usr/lib/systemd/systemd-journal-remote --split-mode=none --output={D}/jr/remote.journal {D}/journal.export")
    if not os.path.exists(f"{D}/journal.json"):
        sh(f"journalctl --directory={D}/jr -o json > {D}/journal.json")
    if not os.path.exists(f"{D}/app.ndjson"):
        sh(f"python3 {g}/gen_app.py --size 1G --out {D}/app.ndjson")
    if not os.path.exists(f"{D}/crashloop.export"):
        sh(f"python3 {g}/gen_crashloop.py 500000 {D}/crashloop.export")


def sized_export(size):
    """journal.export cut (or repeated, times shifted by the generator's own span) to SIZE."""
    mult = {"M": 1 << 20, "G": 1 << 30}[size[-1]]
    want = int(float(size[:-1]) * mult)
    out = f"{D}/export-{size}"
    if os.path.exists(out):
        return out
    src = f"{D}/journal.export"
    have = os.path.getsize(src)
    if want <= have:
        with open(src, "rb") as f:
            data = f.read(want)
        cut = data.rfind(b"\n\n")
        with open(out, "wb") as f:
            f.write(data[: cut + 2])
    else:
        # More than one generated journal: generate again from a later start (new seed).
        parts = []
        n = (want + have - 1) // have
        for i in range(n):
            p = f"{D}/journal-part{i}.export"
            if i == 0:
                p = src
            elif not os.path.exists(p):
                sh(f"python3 {args.shared}/gen_journal.py --size {have} --seed {i + 1} "
                   f"--start {1777593600 + i * 60 * 86400} --out {p}")  # after the previous part (49 days)
            parts.append(p)
        sh("cat " + " ".join(parts) + f" > {out}")
    return out


def fastest(cmds, runs):
    """Fastest wall time (s) of each command: hyperfine, no shell, output to /dev/null."""
    with tempfile.NamedTemporaryFile(suffix=".json") as t:
        sh("hyperfine -N --style none --warmup 1 --runs %d --export-json %s %s > /dev/null" %
           (runs, t.name, " ".join(shlex.quote(c) for c in cmds)))
        res = json.load(open(t.name))["results"]
    return [min(r["times"]) for r in res]


def peak_rss_mb(cmd):
    r = subprocess.run(f"/usr/bin/time -f '%M' {cmd} > /dev/null", shell=True, stderr=subprocess.PIPE, text=True)
    return int(r.stderr.strip().splitlines()[-1]) / 1024


def peak_anon_mb(cmd):
    """Peak RssAnon over the process and its children (libsystemd's mmap is file-backed)."""
    p = subprocess.Popen(cmd + " > /dev/null", shell=True)
    peak = 0
    while p.poll() is None:
        total = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                st = open(f"/proc/{pid}/status").read()
            except OSError:
                continue
            if "crashsift" not in st.split("\n", 1)[0]:
                continue
            for line in st.splitlines():
                if line.startswith("RssAnon:"):
                    total += int(line.split()[1])
        peak = max(peak, total)
        time.sleep(0.01)
    return peak / 1024


def size_of(path):
    if isinstance(path, list):
        return sum(size_of(p) for p in path)
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path))
    return os.path.getsize(path)


def gbps(path, secs):
    return size_of(path) / secs / 1e9


rows = []


def row(name, path, cs_cmd, anchors, mem="rss"):
    """anchors: [(label, cmd)], timed in the same hyperfine run as crashsift."""
    times = fastest([cs_cmd] + [c for _, c in anchors], args.runs)
    mb = peak_anon_mb(cs_cmd) if mem == "anon" else peak_rss_mb(cs_cmd)
    size = size_of(path) if path and (isinstance(path, list) or os.path.exists(path)) else None
    anchor_txt = "; ".join(f"{l} {t:.2f} s ({t / times[0]:.2f}×)" for (l, _), t in zip(anchors, times[1:]))
    rows.append((name, f"{times[0]:.2f} s", f"{gbps(path, times[0]):.2f} GB/s" if size else "-",
                 f"{mb:.0f} MB" + (" anon" if mem == "anon" else ""), anchor_txt))
    print(" | ".join(rows[-1]), file=sys.stderr)


def main():
    ensure_inputs()
    if args.prepare:
        for size in args.sizes.split(","):
            sized_export(size)
        return
    ex, js, jr, app, cl = (f"{D}/journal.export", f"{D}/journal.json", f"{D}/jr", f"{D}/app.ndjson",
                           f"{D}/crashloop.export")
    sh(f"cat {ex} {js} {app} {cl} {jr}/*.journal > /dev/null")  # page cache warm for everyone
    out = "-o /dev/null"
    row("journal json", js, f"{CS} exits --format json {out} {js}",
        [("cat", f"cat {js}"), ("rg -c", f"rg -c 'Main process exited' {js}")])
    if not args.skip_jq:
        t = fastest([f"jq -c 'select(.MESSAGE_ID==\"98e322203f7a4ed290d09fe03c09fe15\") | [.UNIT,.EXIT_STATUS]' {js}"], 1)[0]
        rows.append(("jq select of the exit records (json)", f"{t:.2f} s", f"{gbps(js, t):.2f} GB/s", "-", "anchor"))
    row("journal json, -j1", js, f"{CS} exits -j1 --format json {out} {js}", [])
    row("journal export", ex, f"{CS} exits --format json {out} {ex}",
        [("cat", f"cat {ex}"), ("rg -c", f"rg -c 'Main process exited' {ex}")])
    row("journal export, -j1", ex, f"{CS} exits -j1 --format json {out} {ex}", [])
    parts = [f"{D}/journal-part{i}.export" for i in (1, 2, 3)]
    if all(os.path.exists(p) for p in parts):
        row("three exports of 1 GiB as three inputs", parts, f"{CS} exits --format json {out} {' '.join(parts)}",
            [("cat", f"cat {' '.join(parts)}")])
    row("native journal dir", jr, f"{CS} exits --format json {out} -D {jr}",
        [("journalctl -o export", f"journalctl --directory={jr} -o export"),
         ("journalctl MESSAGE_ID=exit", f"journalctl --directory={jr} -q MESSAGE_ID=98e322203f7a4ed290d09fe03c09fe15")],
        mem="anon")
    row("native journal dir, --native-read scan", jr, f"{CS} exits --format json {out} --native-read scan -D {jr}",
        [("journalctl -o export", f"journalctl --directory={jr} -o export")], mem="anon")
    row("native, -u dispatch", jr, f"{CS} exits --format json {out} -u dispatch -D {jr}",
        [("journalctl -u dispatch.service -o cat", f"journalctl --directory={jr} -u dispatch.service -o cat")],
        mem="anon")
    row("app.ndjson, memory --app", app, f"{CS} memory --format json --app {app}",
        [("rg -c", f"rg -c memory {app}")])
    row("app.ndjson, memory --app -j1", app, f"{CS} memory -j1 --format json --app {app}", [])
    if not args.skip_jq:
        t = fastest([f"jq -c 'select(.rss != null) | [.time, .rss]' {app}"], 1)[0]
        rows.append(("jq select of the samples (app.ndjson)", f"{t:.2f} s", f"{gbps(app, t):.2f} GB/s", "-", "anchor"))
    row("crash loop export, 500 000 exits", cl, f"{CS} exits --format json {out} {cl}",
        [("rg -c", f"rg -c 'Main process exited' {cl}")])
    row("report, journal export", ex, f"{CS} report --format json {out} {ex}", [])
    row("report, native journal dir", jr, f"{CS} report --format json {out} -D {jr}", [], mem="anon")
    for size in args.sizes.split(","):
        p = sized_export(size)
        row(f"export {size}", p, f"{CS} exits --format json {out} {p}", [("rg -c", f"rg -c 'Main process exited' {p}")])
    print("| input | crashsift (fastest of %d) | throughput | memory | anchors, same run (their time / ours) |" % args.runs)
    print("|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


main()
