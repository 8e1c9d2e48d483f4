#!/bin/bash
# End-to-end: build the crasher programs, make real cores, run `crashsift core --format json` on
# each and assert the facts (signal, crashing thread first, function names in order, file:line),
# then compare function names frame by frame with `eu-stack -i -s --core` where it is installed.
# Also a real Node core when node exists. Called by CTest:
#   bash core_backtraces.sh CRASHSIFT_BINARY TESTDATA_DIR WORKDIR
# Exits 77 (CTest: skipped) when this machine cannot make cores.
set -u
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C  # the suite's zone; see tests/unit/main.cpp
cs=${1:?crashsift binary}
case $cs in /*) ;; */*) cs=$(cd "$(dirname "$cs")" && pwd)/$(basename "$cs") ;; esac
testdata=${2:?testdata dir}
work=${3:?work dir}
rm -rf "$work"
mkdir -p "$work"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
bash "$testdata/cores/make-cores.sh" "$work/cores" deep_null inline_crash threads assert_abort terminate overflow nofp nounwind stripped compressed node
rc=$?
[ $rc -eq 77 ] && { echo "SKIP: this machine cannot write cores"; exit 77; }
[ $rc -ne 0 ] && fail "make-cores.sh exited $rc"
C=$work/cores

# json CASE [ARGS...]: runs crashsift on CASE/core, leaves CASE.json, checks exit status 0.
json() {
  local c=$1; shift
  "$cs" core --format json "$C/$c/core" "$@" >"$work/$c.json" 2>"$work/$c.err"
  local st=$?
  [ $st -eq 0 ] || fail "$c: exit status $st: $(cat "$work/$c.err")"
}
# names CASE: the crashing thread's function names, inlined ones first, one per line.
names() { jq -r '.threads[0].frames[] | (.inlined[].function, .function) // "??"' "$work/$1.json"; }
# expect_top CASE NAME...: the first frames of the crashing thread are NAME... in order.
expect_top() {
  local c=$1; shift
  local want got
  want=$(printf '%s\n' "$@")
  got=$(names "$c" | head -n $#)
  [ "$got" = "$want" ] && ok "$c: top frames $*" || fail "$c: top frames are [$(echo $got)], want [$*]"
}
# expect CASE JQ-EXPR: the expression is true on CASE.json.
expect() {
  if [ "$(jq -r "$2" "$work/$1.json")" = true ]; then ok "$1: $2"; else fail "$1: $2 is false"; fi
}

for c in deep_null inline_crash threads assert_abort terminate overflow nofp nounwind stripped; do json $c; done

expect deep_null '.schema == "crashsift/core/1" and .complete'
expect deep_null '.crash.signal == 11 and .crash.signal_name == "SIGSEGV" and .crash.si_code_name == "SEGV_MAPERR"'
expect deep_null '.crash.fault_address == "0x0000000000000000" and (.crash.fault_hint | startswith("null page"))'
expect deep_null '.threads[0].crashing and .threads[0].tid == .crash.crashing_tid'
expect deep_null '.threads[0].frames[0] | (.file | endswith("deep_null.c")) and .line == 8 and .trust == "context"'
expect deep_null '.threads[0].frames[1].trust == "cfi"'
expect deep_null '.signature.text == "SIGSEGV: write_config_value < apply_setting < parse_section"'
expect_top deep_null write_config_value apply_setting parse_section parse_config load_plugin main

expect_top inline_crash store_flag update_state main
expect inline_crash '.threads[0].frames[0] | .function == "update_state" and .inlined[0].function == "store_flag" and .inlined[0].line == 7'

expect threads '(.threads | length) == 17 and .threads[0].crashing and ([.threads[] | select(.crashing)] | length) == 1'
expect threads '.threads[0].tid != .crash.pid'
expect_top threads poison_cache worker_step worker_main start_thread

expect assert_abort '.crash.signal_name == "SIGABRT" and .crash.si_code_name == "SI_TKILL"'
expect assert_abort '.signature.text == "SIGABRT: check_invariant < drain_queue < main"'
expect terminate '.signature.text == "SIGABRT: app::Parser::parse < app::run < main"'
expect terminate '[.threads[0].frames[].function] | index("app::Parser::parse()") != null'

expect overflow '.crash.signal_name == "SIGSEGV" and (.crash.fault_hint | startswith("near the stack pointer"))'
expect overflow '.threads[0].truncated and (.threads[0].frames | length) == 256'
expect overflow '[.warnings[].code] | index("frame-limit") != null'
expect overflow '.signature.text == "SIGSEGV: descend < descend < descend"'

expect_top nofp checksum_block verify_blocks main
expect nofp '[.threads[0].frames[0:3][] | .trust] == ["context", "cfi", "cfi"]'

# No unwind tables and no symbols (like Bun's npm build): frame pointers, module+offset, a warning.
expect nounwind '.threads[0].frames[0] | .function == null and .module == "nounwind" and .module_offset != null'
expect nounwind '(.threads[0].frames | length) >= 6 and .threads[0].frames[1].trust == "frame-pointer"'
expect nounwind '[.warnings[].code] | (index("no-symbols") != null and index("frame-pointer-unwind") != null)'
expect nounwind '.signature.symbolized == false and (.signature.text | test("^SIGSEGV: nounwind\\+0x[0-9a-f]+ < nounwind\\+0x[0-9a-f]+ < nounwind\\+0x[0-9a-f]+$"))'

expect_top stripped write_config_value apply_setting parse_section
expect stripped '.modules[] | select(.name | endswith("/stripped")) | .debuginfo == "separate" and .symbols == "debuginfo"'

# --debug-dir with a build-id tree, once the debuglink neighbour is gone.
mv "$C/stripped/stripped.debug" "$C/stripped/stripped.debug.away"
json stripped
expect stripped '[.warnings[].code] | index("no-symbols") != null'
json stripped --debug-dir "$C/stripped/debugdir"
expect_top stripped write_config_value apply_setting parse_section
expect stripped '.modules[] | select(.name | endswith("/stripped")) | .debuginfo_found_by == "debug-dir"'
mv "$C/stripped/stripped.debug.away" "$C/stripped/stripped.debug"

# --exe when the recorded path is gone (a core from elsewhere), --sysroot by build-id.
mkdir -p "$work/moved/root/opt"
cp "$C/deep_null/core" "$work/moved/core"
cp "$C/deep_null/deep_null" "$work/moved/root/opt/deep_null.renamed"
mv "$C/deep_null/deep_null" "$C/deep_null/deep_null.gone"
"$cs" core --format json "$work/moved/core" >"$work/moved.json" 2>/dev/null
expect moved '[.warnings[].code] | index("module-missing") != null'
expect moved '.threads[0].frames[0].function == null and .threads[0].frames[0].module_offset != null'
"$cs" core --format json "$work/moved/core" --exe "$work/moved/root/opt/deep_null.renamed" >"$work/moved.json"
expect moved '.threads[0].frames[0].function == "write_config_value"'
expect moved '.modules[] | select(.name | contains("deep_null")) | .found_by == "exe-option"'
mkdir -p "$work/sysroot$(dirname "$C/deep_null/deep_null")"
cp "$C/deep_null/deep_null.gone" "$work/sysroot$C/deep_null/deep_null"
"$cs" core --format json "$work/moved/core" --sysroot "$work/sysroot" >"$work/moved.json"
expect moved '.threads[0].frames[0].function == "write_config_value"'
expect moved '.modules[] | select(.name | contains("deep_null")) | .found_by == "sysroot"'
# Wrong build-id at the recorded path: said so, frames still listed.
cp "$C/inline_crash/inline_crash" "$C/deep_null/deep_null"
"$cs" core --format json "$C/deep_null/core" >"$work/wrongid.json" 2>/dev/null
expect wrongid '[.warnings[].code] | index("module-build-id-mismatch") != null'
mv "$C/deep_null/deep_null.gone" "$C/deep_null/deep_null"

# Compressed cores as systemd-coredump stores them.
for z in "$C"/compressed/core.*; do
  n=$(basename "$z")
  "$cs" core --format json "$z" >"$work/$n.json" || fail "$n: exit status $?"
  expect "$n" '.compression != null and .crash.time_source == "file-name" and .signature.text == "SIGSEGV: write_config_value < apply_setting < parse_section"'
done

# Bad inputs: exit status 2 with a message, never a crash (status >= 128) or a hang.
head -c 3000 "$C/deep_null/core" >"$work/truncated.core"
head -c 65536 /dev/urandom >"$work/random.core"
head -c 65536 /dev/zero >"$work/zeros.core"
for f in truncated random zeros; do
  timeout 60 "$cs" core "$work/$f.core" >"$work/$f.out" 2>"$work/$f.err"
  st=$?
  [ $st -eq 2 ] && [ -s "$work/$f.err" ] && ok "bad core $f: status 2, message: $(head -1 "$work/$f.err")" ||
    fail "bad core $f: status $st"
done
timeout 60 "$cs" core "$C/deep_null/deep_null" >/dev/null 2>"$work/notcore.err"
[ $? -eq 2 ] && grep -q "not a core dump" "$work/notcore.err" && ok "non-core ELF refused" || fail "non-core ELF"
"$cs" core "$C/deep_null/core" --fail-on segv >/dev/null
[ $? -eq 1 ] && ok "--fail-on segv matches" || fail "--fail-on segv"
"$cs" core "$C/deep_null/core" --fail-on abrt >/dev/null
[ $? -eq 0 ] && ok "--fail-on abrt does not match" || fail "--fail-on abrt"
"$cs" core "$C/deep_null/core" --format yaml >/dev/null 2>&1
[ $? -eq 2 ] && ok "bad --format is a usage error" || fail "bad --format"

# debuginfod: never contacted without --debuginfod; with it, a server that accepts and never
# answers costs a bounded wait (one request), then no more requests are made.
if command -v python3 >/dev/null; then
  python3 - "$work/dbgd.count" >"$work/dbgd.port" <<'PY' &
import socket, sys, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
n = 0
while True:
    c, _ = s.accept(); n += 1
    open(sys.argv[1], "w").write(str(n))
    threading.Thread(target=lambda c=c: time.sleep(300), daemon=True).start()
PY
  server=$!
  for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$work/dbgd.port" ] && break; sleep 0.2; done
  url=http://127.0.0.1:$(cat "$work/dbgd.port")
  DEBUGINFOD_URLS=$url "$cs" core --format json "$C/nounwind/core" >"$work/dbgd-off.json"
  [ ! -s "$work/dbgd.count" ] && ok "no debuginfod request without --debuginfod" || fail "debuginfod contacted without --debuginfod"
  start=$(date +%s)
  DEBUGINFOD_URLS=$url timeout 60 "$cs" core --format json --debuginfod --timeout 12 "$C/nounwind/core" >"$work/dbgd-on.json"
  st=$? took=$(( $(date +%s) - start ))
  [ $st -eq 0 ] && [ $took -le 8 ] && ok "hung debuginfod server: done in ${took}s" || fail "hung debuginfod server: status $st after ${took}s"
  expect dbgd-on '[.warnings[].code] | index("debuginfod") != null'
  expect dbgd-on '(.threads[0].frames | length) >= 6'
  kill $server 2>/dev/null
  wait $server 2>/dev/null
else
  echo "SKIP: python3 missing: no debuginfod check"
fi

# Text output shape.
"$cs" core "$C/inline_crash/core" >"$work/inline.txt"
grep -q '^Crash: SIGSEGV (11) SEGV_MAPERR at 0x0000000000000000' "$work/inline.txt" && ok "text header" || fail "text header"
grep -qE '^#0  0x[0-9a-f]{16} inline_crash\+0x[0-9a-f]+ store_flag .*inline_crash.c:7:[0-9]+ \[inlined\]$' "$work/inline.txt" &&
  ok "text inline line" || fail "text inline line"
grep -q '^Modules:' "$work/inline.txt" && ok "text modules" || fail "text modules"

# Frame by frame against eu-stack (function names, every thread).
compare_eu_stack() {
  local c=$1
  (cd "$C/$c" && eu-stack -i -s --core core 2>/dev/null) |
    awk '/^TID /{tid=substr($2,1,length($2)-1); n=0; next}
         /^#/{name=""; for(i=3;i<=NF;i++) name=name (i>3?" ":"") $i; if(name=="") name="??"; print tid "\t" n++ "\t" name}' |
    sort >"$work/$c.eu.txt"
  jq -r '.threads[] | .tid as $t | [.frames[] | ((.inlined[] | .function // "??"), (.function // "??"))] | to_entries[] | "\($t)\t\(.key)\t\(.value)"' \
    "$work/$c.json" | sort >"$work/$c.cs.txt"
  if diff -q "$work/$c.eu.txt" "$work/$c.cs.txt" >/dev/null; then
    ok "$c: $(wc -l <"$work/$c.cs.txt") frames match eu-stack"
  else
    fail "$c: differs from eu-stack:"; diff "$work/$c.eu.txt" "$work/$c.cs.txt" | head -20
  fi
}
if command -v eu-stack >/dev/null; then
  for c in deep_null inline_crash threads assert_abort terminate overflow nofp nounwind stripped; do
    json $c
    compare_eu_stack $c
  done
else
  echo "SKIP: eu-stack not installed: no frame-by-frame comparison"
fi

# A real Node core.
if [ -s "$C/node/core" ]; then
  json node
  expect node '.crash.signal_name == "SIGABRT" and (.crash.cmdline | startswith("node"))'
  # Node builds with a symbol table (nodejs.org, NodeSource) name node::Abort; Debian's nodejs
  # keeps its code in a stripped libnode, so there only the eu-stack comparison applies.
  node_exe=$(readlink -f "$(command -v node)")
  if readelf -S "$node_exe" 2>/dev/null | grep -q '\.symtab'; then
    expect node '[.threads[0].frames[].function] | index("node::Abort(v8::FunctionCallbackInfo<v8::Value> const&)") != null'
    expect node '.signature.text | startswith("SIGABRT: node::Abort < ")'
  else
    echo "SKIP: $node_exe has no symbol table: node::Abort not checked by name"
  fi
  command -v eu-stack >/dev/null && compare_eu_stack node
else
  echo "SKIP: node not installed (or no core): no Node core checked"
fi

echo "core_backtraces: $fails failure(s)"
[ $fails -eq 0 ]
