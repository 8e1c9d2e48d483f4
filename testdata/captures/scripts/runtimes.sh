#!/bin/bash
# Raw stdout/stderr + exit status of real runtime crashes: Python 3.11, Go 1.19 (Debian golang-go), Rust
# (Debian rustc 1.63 and rustup 1.95 if present), Node 20, glibc aborts from crashlab. Each case gets
# $OUT/<case>/{cmd.txt,stdout.txt,stderr.txt,exit.txt}. Sources in rt-src/ are copied to $WORK so traceback
# paths are $WORK/... . No cores are written (ulimit -c 0).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../runtimes}
BIN=${BIN:-/srv/cscap/bin}
WORK=${WORK:-/srv/cscap/rt}
PY=${PY:-/usr/bin/python3}
RUSTC_DEB=${RUSTC_DEB:-/usr/bin/rustc}
RUSTC_UP=${RUSTC_UP:-/root/.cargo/bin/rustc}
export GOCACHE=$WORK/.gocache GOPATH=$WORK/.gopath GO111MODULE=auto GOTOOLCHAIN=local
unset RUST_BACKTRACE GOTRACEBACK NODE_OPTIONS PYTHONDONTWRITEBYTECODE PYTHONUNBUFFERED
[ -x "$BIN/crashlab" ] || "$HERE/build.sh"
rm -rf "$OUT" "$WORK"; mkdir -p "$OUT" "$WORK"/{py,go,rust,node}
cp "$HERE"/rt-src/py_* "$WORK/py/"; cp "$HERE"/rt-src/node_* "$WORK/node/"; cp "$HERE"/rt-src/rs_* "$WORK/rust/"
for f in "$HERE"/rt-src/go_*.go; do n=$(basename "$f" .go); mkdir -p "$WORK/go/$n"; cp "$f" "$WORK/go/$n/main.go"; done
ulimit -c 0

desc() { local rc=$1; if [ "$rc" -gt 128 ]; then echo "shell \$?=$rc -> killed by signal $((rc-128)) (SIG$(kill -l $((rc-128))))"; else echo "shell \$?=$rc -> exit code $rc"; fi; }
# run_case NAME DIR "shell command"   (the command is run by bash -c in DIR; stdout/stderr kept apart)
run_case() {
  local name=$1 dir=$2 cmd=$3 d="$OUT/$1"; mkdir -p "$d"
  printf 'cd %s\n%s\n' "$dir" "$cmd" > "$d/cmd.txt"
  (cd "$dir" && bash -c "$cmd" > "$d/stdout.txt" 2> "$d/stderr.txt"); local rc=$?
  desc $rc > "$d/exit.txt"
  printf '%-28s %s\n' "$name" "$(cat "$d/exit.txt")"
}

# ---------------- Python ----------------
run_case python-chained-traceback "$WORK/py" "exec $PY py_chained.py"
run_case python-memoryerror       "$WORK/py" "ulimit -v 400000; exec $PY py_memoryerror.py"
run_case python-faulthandler-segv "$WORK/py" "exec $PY -X faulthandler py_segv.py"
run_case python-segv-no-faulthandler "$WORK/py" "exec $PY py_segv.py"
d="$OUT/python-sigkill"; mkdir -p "$d"
printf 'cd %s\n%s py_sleep.py &  sleep 1; kill -9 $!; wait $!\n' "$WORK/py" "$PY" > "$d/cmd.txt"
(cd "$WORK/py" && $PY py_sleep.py > "$d/stdout.txt" 2> "$d/stderr.txt" & p=$!; sleep 1; kill -9 $p; wait $p; desc $? > "$d/exit.txt")
printf '%-28s %s\n' python-sigkill "$(cat "$d/exit.txt")"

# ---------------- Go ----------------
for n in go_panic go_nilptr go_oom go_mapwrite; do (cd "$WORK/go/$n" && go build -o "$n" main.go); done
run_case go-panic             "$WORK/go/go_panic"    "exec ./go_panic"
run_case go-panic-gorun       "$WORK/go/go_panic"    "exec go run main.go"
run_case go-nilptr            "$WORK/go/go_nilptr"   "exec ./go_nilptr"
run_case go-nilptr-gorun      "$WORK/go/go_nilptr"   "exec go run main.go"
run_case go-oom               "$WORK/go/go_oom"      "ulimit -v 1000000; exec ./go_oom"
# limit too small for the runtime's own start-up reservations
run_case go-oom-at-startup    "$WORK/go/go_oom"      "ulimit -v 600000; exec ./go_oom"
run_case go-concurrent-map-writes "$WORK/go/go_mapwrite" "GOMAXPROCS=2 exec ./go_mapwrite"
run_case go-concurrent-map-writes-gorun "$WORK/go/go_mapwrite" "GOMAXPROCS=2 exec go run main.go"

# ---------------- Rust ----------------
for rc in deb up; do
  R=$RUSTC_DEB; [ $rc = up ] && R=$RUSTC_UP; [ -x "$R" ] || continue
  mkdir -p "$WORK/rust/$rc"; cp "$WORK"/rust/rs_*.rs "$WORK/rust/$rc/"
  for n in rs_panic rs_unwrap rs_alloc; do (cd "$WORK/rust/$rc" && $R -g -o $n $n.rs 2>/dev/null); done
  "$R" --version > "$WORK/rust/$rc/version.txt"
  run_case rust-$rc-panic-index      "$WORK/rust/$rc" "exec ./rs_panic"
  run_case rust-$rc-panic-index-backtrace "$WORK/rust/$rc" "RUST_BACKTRACE=1 exec ./rs_panic"
  run_case rust-$rc-unwrap-err       "$WORK/rust/$rc" "exec ./rs_unwrap"
  run_case rust-$rc-alloc-failed     "$WORK/rust/$rc" "ulimit -v 1000000; exec ./rs_alloc"
  cp "$WORK/rust/$rc/version.txt" "$OUT/rust-$rc-panic-index/rustc-version.txt"
done

# ---------------- Node ----------------
run_case node-uncaught-exception "$WORK/node" "exec node node_throw.js"
run_case node-unhandled-rejection "$WORK/node" "exec node node_reject.js"
run_case node-heap-oom          "$WORK/node" "exec node --max-old-space-size=32 node_heap.js"

# ---------------- glibc aborts (C) ----------------
mkdir -p "$WORK/c"
run_case c-double-free  "$WORK/c" "exec $BIN/crashlab double-free"
run_case c-stack-smash  "$WORK/c" "exec $BIN/crashlab stack-smash"

{ $PY --version; go version; for r in "$RUSTC_DEB" "$RUSTC_UP"; do [ -x "$r" ] && echo "$r: $($r --version)"; done
  echo "node $(node --version)"; ldd --version | head -1; } > "$OUT/versions.txt" 2>&1
