#!/bin/bash
# Builds the crasher programs in src/ and makes one core per program, each in its own directory
# (core_pattern is "core" in the cwd on these machines, so parallel crashers would overwrite each
# other's cores otherwise).
#
#   make-cores.sh OUTDIR [CASE...]
#
# Default cases: deep_null inline_crash threads assert_abort terminate overflow nofp nounwind
# stripped compressed. Extra cases on request: threads128 (benchmark), node (a real Node core from
# `node -e 'process.abort()'`, skipped with a message when node is missing).
# Result: OUTDIR/<case>/{<binary>, core}, plus OUTDIR/compressed/core.<comm>.0.<boot>.<pid>.<usec>.{zst,lz4,xz}.
# Exit status 77 when this machine cannot write cores to the working directory.
set -u
out=${1:?usage: make-cores.sh OUTDIR [CASE...]}
shift
src=$(cd "$(dirname "$0")/src" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null || echo '?')
case "$pattern" in
  core|core.*|./core*) ;;
  *) echo "make-cores: kernel.core_pattern is '$pattern', not 'core': cannot make cores here" >&2; exit 77 ;;
esac
ulimit -c unlimited 2>/dev/null || { echo "make-cores: ulimit -c unlimited refused" >&2; exit 77; }

cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(deep_null inline_crash threads assert_abort terminate overflow nofp nounwind stripped compressed)
CFLAGS_DBG="-g -O0 -fno-omit-frame-pointer"

# crash DIR CMD...: runs CMD in DIR (expecting it to die by a signal) and leaves DIR/core.
crash() {
  local dir=$1; shift
  rm -f "$dir"/core "$dir"/core.[0-9]*
  { (cd "$dir" && ulimit -c unlimited && exec "$@") >"$dir/stdout.txt" 2>"$dir/stderr.txt"; } 2>/dev/null
  local rc=$?
  echo "$rc" >"$dir/exit.txt"
  # core_uses_pid=1 names it core.PID: normalise to core.
  local f; for f in "$dir"/core.[0-9]*; do [ -e "$f" ] && mv "$f" "$dir/core"; done
  if [ ! -s "$dir/core" ]; then
    echo "make-cores: no core in $dir (exit status $rc)" >&2
    return 1
  fi
}

build_c() {  # build_c CASE OUTBIN FLAGS...
  local c=$1 bin=$2; shift 2
  gcc "$@" -o "$bin" "$src/$c.c" -pthread || { echo "make-cores: build of $c failed" >&2; return 1; }
}

make_case() {
  local c=$1 d="$out/$1"
  mkdir -p "$d"
  case "$c" in
    deep_null|assert_abort|overflow)
      build_c "$c" "$d/$c" $CFLAGS_DBG && crash "$d" "./$c" ;;
    inline_crash)
      build_c "$c" "$d/$c" -g -O2 && crash "$d" "./$c" ;;
    nofp)
      build_c "$c" "$d/$c" -g -O2 -fomit-frame-pointer && crash "$d" "./$c" ;;
    nounwind)
      # Like Bun's npm build: no unwind tables, no symbols, frame pointers only.
      build_c deep_null "$d/nounwind" -O0 -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
        -fno-unwind-tables && strip --strip-all --remove-section=.eh_frame --remove-section=.eh_frame_hdr "$d/nounwind" &&
      crash "$d" ./nounwind ;;
    threads)
      build_c threads "$d/threads" $CFLAGS_DBG && crash "$d" ./threads 16 ;;
    threads128)
      build_c threads "$d/threads" $CFLAGS_DBG && crash "$d" ./threads 128 ;;
    terminate)
      g++ $CFLAGS_DBG -Wno-terminate -o "$d/terminate" "$src/terminate.cpp" && crash "$d" ./terminate ;;
    stripped)
      # Same program as deep_null, stripped, with its DWARF in a separate file found three ways:
      # next to the binary via .gnu_debuglink, and in debugdir/.build-id/xx/yyyy.debug for
      # --debug-dir (a copy without the debuglink neighbour lives in bare/).
      build_c deep_null "$d/stripped" $CFLAGS_DBG || return 1
      objcopy --only-keep-debug "$d/stripped" "$d/stripped.debug" &&
      strip --strip-all "$d/stripped" &&
      objcopy --add-gnu-debuglink="$d/stripped.debug" "$d/stripped" || return 1
      local id; id=$(readelf -n "$d/stripped" | sed -n 's/.*Build ID: *//p')
      mkdir -p "$d/debugdir/.build-id/${id:0:2}"
      cp "$d/stripped.debug" "$d/debugdir/.build-id/${id:0:2}/${id:2}.debug"
      echo "$id" >"$d/build-id.txt"
      crash "$d" ./stripped ;;
    compressed)
      # A deep_null core as systemd-coredump stores it, in all three compressions.
      [ -s "$out/deep_null/core" ] || make_case deep_null || return 1
      local pid boot usec name
      pid=$(eu-readelf -n "$out/deep_null/core" 2>/dev/null | sed -n 's/^ *pid: *\([0-9]*\).*/\1/p' | head -1)
      boot=00b0aee00c7a4d01be43a3e4e798d19c usec=1795420544000000
      name="core.deep_null.0.$boot.${pid:-1}.$usec"
      cp "$out/deep_null/deep_null" "$d/"
      zstd -q -f -o "$d/$name.zst" "$out/deep_null/core" &&
      lz4 -q -f "$out/deep_null/core" "$d/$name.lz4" &&
      xz -q -k -c "$out/deep_null/core" >"$d/$name.xz" ;;
    node)
      command -v node >/dev/null || { echo "make-cores: node not installed: node case skipped" >&2; return 0; }
      crash "$d" node -e 'process.abort()' ;;
    *) echo "make-cores: unknown case $c" >&2; return 1 ;;
  esac
}

status=0
for c in "${cases[@]}"; do make_case "$c" || status=1; done
exit $status
