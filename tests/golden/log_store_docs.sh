#!/usr/bin/env bash
# docs/log-stores.md cannot drift from the contract: every column of its ClickHouse table is a
# field of the exit object (crashsift-json(5)) whose type holds every value crashsift writes for
# it over the test data (journals, cores, pastes, app samples), the queries name only those
# columns, and the CRASHSIFT_* journal fields its shipper configurations use are ones `watch
# --format journal` writes.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
root=$(cd "$testdata/.." && pwd)
d=$testdata/incidents/dispatch
{
  "$crashsift" exits --format ndjson "$testdata/journals/systemd-lab/journal.export"
  for f in "$testdata"/journals/coredump/* "$testdata"/pastes/*/input*; do
    [ -f "$f" ] && "$crashsift" exits --format ndjson "$f" || true
  done
  "$crashsift" exits --format ndjson --app "$d/app.ndjson" "$d/journal.export"
} 2> /dev/null > "$work/exits.ndjson"
python3 - "$root/docs/log-stores.md" "$work/exits.ndjson" "$root/lib/crashsift/report/exit_fields.cpp" <<'PY'
import json, re, sys
doc = open(sys.argv[1]).read()
exits = [o for o in map(json.loads, open(sys.argv[2])) if o["type"] == "exit"]
assert len(exits) > 100, len(exits)
kinds = {k: set() for k in exits[0]}
for o in exits:
    for k, v in o.items():
        kinds.setdefault(k, set()).add(type(v).__name__)
for k in ("core", "samples", "runtime", "host"):  # the data must exercise the nested and nullable fields
    assert len(kinds[k]) == 2, (k, kinds[k])

blocks = re.findall(r"```sql\n(.*?)```", doc, re.S)
ddl = next(b for b in blocks if "CREATE TABLE" in b)
columns = dict(re.findall(r"^\s+([a-z_]+)\s+(.+?),?$", ddl.split("(", 1)[1].split("\n)")[0], re.M))
assert len(columns) >= 25, columns
iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
def fits(ctype, v):
    nullable = "Nullable(" in ctype
    if v is None:
        return nullable
    base = re.sub(r"LowCardinality\(|Nullable\(|\)", "", ctype).strip()
    if base == "String":
        return isinstance(v, (str, dict))  # objects are read as JSON text
    if base.startswith("DateTime64"):
        return isinstance(v, str) and iso.match(v) is not None
    if base.startswith("Int") or base.startswith("UInt"):
        bits = int(re.sub(r"\D", "", base))
        lo = 0 if base.startswith("U") else -(1 << (bits - 1))
        hi = (1 << bits) - 1 if base.startswith("U") else (1 << (bits - 1)) - 1
        return isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi
    if base == "Float64":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if base == "Bool":
        return isinstance(v, bool)
    if base == "Array(String":
        return isinstance(v, list) and all(isinstance(x, str) for x in v)
    raise AssertionError("type the test does not know: " + ctype)
for name, ctype in columns.items():
    assert name in kinds, "column %s is no field of the exit object" % name
    for o in exits:
        assert fits(ctype, o[name]), "column %s %s cannot hold %r (exit %s)" % (name, ctype, o[name], o["id"])

keywords = set("""select from where and or not group by order having desc asc as is null final
    settings format insert into create table engine replacingmergetree""".split())
for q in blocks:
    if "CREATE TABLE" in q:
        continue
    q = re.sub(r"'[^']*'", "''", q)
    aliases = set(re.findall(r"\bAS\s+([a-z_]+)", q, re.I))
    for word in re.findall(r"\b([a-z_][a-z_0-9]*)\b(?!\s*\()", q):
        if word.lower() in keywords or word in aliases or word == "crashsift_exits":
            continue
        assert word in columns, "a query names %r, which is no column of the table" % word

written = set(re.findall(r'"(CRASHSIFT_[A-Z_]+)"', open(sys.argv[3]).read())) | {"CRASHSIFT_JSON", "CRASHSIFT_UPDATE"}
used = set(f.upper() for f in re.findall(r"\b(crashsift_[a-z_]+)\b", doc, re.I) if f.lower() != "crashsift_exits")
assert used, "no CRASHSIFT_ field named in the shipper configurations"
unknown = used - written
assert not unknown, "fields watch never writes: %s" % sorted(unknown)
assert "e185eadd9f82467391d74239bfd8769a" in doc
print("ok: %d columns against %d exits, %d queries, %d journal fields" % (len(columns), len(exits), len(blocks) - 1, len(used)))
PY
