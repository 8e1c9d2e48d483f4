#!/usr/bin/env python3
"""Scores crashsift on testdata/pastes: runs `crashsift exits --format json --tz UTC [args]` on
every case, matches the exits to truth.tsv and prints per-class and per-shape accuracy.

An exit is right when it matches a truth row (same PID when both know it, else the same subject;
the same time to the second when both know it) with the same class and, where the truth states
them, the same code, signal and oom kind. Fails (status 1) when accuracy is below --min-accuracy
or when more exits are invented (no truth row) than --max-invented.

  pastes_score.py CRASHSIFT PASTES_DIR [--min-accuracy 0.97] [--max-invented 0] [--verbose]
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys


def load_truth(path):
    rows = collections.defaultdict(list)
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for n, line in enumerate(f, start=2):
            if not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 8:
                raise SystemExit(f"truth.tsv:{n}: {len(cols)} columns")
            row = dict(zip(header, cols))
            rows[row["case"]].append(row)
    return rows


def load_shapes(readme):
    """shape -> set of case numbers, from the coverage table of the corpus README."""
    shapes = {}
    if not os.path.exists(readme):
        return shapes
    for line in open(readme, encoding="utf-8"):
        m = re.match(r"\|\s*(.+?)\s*\|\s*(\d+)\s*\|\s*([\d, ]+)\|", line)
        if m:
            name = m.group(1)
            tag = re.search(r"\(`([^`]+)`\)", name)
            shapes[tag.group(1) if tag else name] = {c.strip() for c in m.group(3).split(",") if c.strip()}
    return shapes


def run_case(crashsift, case_dir):
    args = []
    args_file = os.path.join(case_dir, "args")
    if os.path.exists(args_file):
        args = open(args_file, encoding="utf-8").read().split()
    cmd = [crashsift, "exits", "--format", "json", "--tz", "UTC", *args, os.path.join(case_dir, "input.txt")]
    env = dict(os.environ, NO_COLOR="1", LC_ALL="C")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    if p.returncode not in (0, 1, 2):
        return None, f"exit status {p.returncode}: {p.stderr.strip()[:300]}"
    try:
        doc = json.loads(p.stdout) if p.stdout.strip() else {"exits": []}
    except json.JSONDecodeError as e:
        return None, f"bad JSON: {e}"
    return doc.get("exits", []), None


def exit_time_text(x):
    t = x.get("exited_at")
    return t[:19].replace("T", " ") if t else None


def subject_names(x):
    names = {x.get("unit") or "", x.get("process") or ""}
    unit = x.get("unit") or ""
    if "." in unit:
        names.add(unit.rsplit(".", 1)[0])
    return {n for n in names if n}


def matches_identity(row, x):
    pid = row["pid"]
    if pid != "-" and x.get("pid") is not None:
        if str(x["pid"]) != pid:
            return False
    elif row["subject"] != "-" and row["subject"] not in subject_names(x):
        subj = row["subject"]
        if not any(n.startswith(subj[:15]) or subj.startswith(n[:15]) for n in subject_names(x)):
            return False
    t = row["exit_time"]
    got = exit_time_text(x)
    if t != "-" and got:
        if len(t) == 8:  # time of day only
            return got[11:19] == t
        return got == t
    return True


def right_how(row, x):
    problems = []
    if x.get("class") != row["class"]:
        problems.append(f"class {x.get('class')} != {row['class']}")
    if row["code"] != "-" and str(x.get("code")) != row["code"]:
        problems.append(f"code {x.get('code')} != {row['code']}")
    if row["signal"] != "-" and (x.get("signal") or "-") != row["signal"]:
        problems.append(f"signal {x.get('signal')} != {row['signal']}")
    if row["oom_kind"] != "-" and (x.get("oom_kind") or "-") != row["oom_kind"]:
        problems.append(f"oom_kind {x.get('oom_kind')} != {row['oom_kind']}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("crashsift")
    ap.add_argument("pastes")
    ap.add_argument("--min-accuracy", type=float, default=0.97)
    ap.add_argument("--max-invented", type=int, default=0)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--floor", help="file with min_accuracy=F and max_invented=N lines (overrides)")
    a = ap.parse_args()
    if a.floor:
        for line in open(a.floor, encoding="utf-8"):
            key, _, value = line.partition("=")
            if key.strip() == "min_accuracy":
                a.min_accuracy = float(value)
            elif key.strip() == "max_invented":
                a.max_invented = int(value)

    truth = load_truth(os.path.join(a.pastes, "truth.tsv"))
    shapes = load_shapes(os.path.join(a.pastes, "README.md"))
    cases = sorted(d for d in os.listdir(a.pastes) if os.path.isdir(os.path.join(a.pastes, d)))
    if a.only:
        cases = [c for c in cases if a.only in c]
    total = right = invented = 0
    by_class = collections.defaultdict(lambda: [0, 0])
    by_case = {}
    report = []
    for case in cases:
        exits, err = run_case(a.crashsift, os.path.join(a.pastes, case))
        rows = truth.get(case, [])
        if exits is None:
            report.append(f"{case}: ERROR {err}")
            exits = []
        used = set()
        case_right = 0
        for row in rows:
            total += 1
            by_class[row["class"]][1] += 1
            cand = [i for i, x in enumerate(exits) if i not in used and matches_identity(row, x)]
            best, best_problems = None, None
            for i in cand:
                pr = right_how(row, exits[i])
                if best is None or len(pr) < len(best_problems):
                    best, best_problems = i, pr
            if best is None:
                report.append(f"{case}: MISSED {row['subject']} pid={row['pid']} {row['exit_time']} {row['class']}")
                continue
            used.add(best)
            if best_problems:
                report.append(f"{case}: WRONG {row['subject']} pid={row['pid']}: " + "; ".join(best_problems))
            else:
                right += 1
                case_right += 1
                by_class[row["class"]][0] += 1
        extra = [x for i, x in enumerate(exits) if i not in used]
        for x in extra:
            invented += 1
            report.append(f"{case}: INVENTED {x.get('unit') or x.get('process')} pid={x.get('pid')} "
                          f"{x.get('exited_at')} {x.get('class')}")
        by_case[case] = (case_right, len(rows), len(extra))

    acc = right / total if total else 1.0
    for line in report:
        print(line)
    print()
    print("per class:")
    for cls, (r, n) in sorted(by_class.items()):
        print(f"  {cls:10s} {r:4d}/{n:<4d} {100.0 * r / n:5.1f}%")
    if shapes:
        print("per shape:")
        for shape, nums in sorted(shapes.items(), key=lambda kv: kv[0]):
            r = n = inv = 0
            for case, (cr, cn, ce) in by_case.items():
                if case.split("-", 1)[0] in nums:
                    r, n, inv = r + cr, n + cn, inv + ce
            if n or inv:
                print(f"  {shape:22s} {r:4d}/{n:<4d} {100.0 * r / n if n else 100.0:5.1f}%  invented {inv}")
    print()
    print(f"pastes: {len(cases)} cases, {total} deaths, {right} right ({100.0 * acc:.1f}%), {invented} invented; "
          f"required >= {100.0 * a.min_accuracy:.1f}% and <= {a.max_invented} invented")
    ok = acc >= a.min_accuracy and invented <= a.max_invented
    print(f"pastes: {right} passed, {total - right + invented} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
