#!/usr/bin/env bash
# `cpack -G DEB` from the build tree: crashsift_<version>_<arch>.deb with the binary, every man
# page, the completions, the units under /lib/systemd/system running /usr/bin/crashsift, the
# copyright and changelog, dependencies from dpkg-shlibdeps; lintian finds no error in it.
# (scripts/check-deb-fresh.sh installs it with apt in a fresh Debian 12 root, by hand.)
set -euo pipefail
export LC_ALL=C
crashsift=$1 work=$3
build=$(cd "$(dirname "$crashsift")/.." && pwd)
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work" && mkdir -p "$work"
for tool in cpack dpkg-deb lintian; do
  command -v "$tool" > /dev/null || fail "$tool is not installed (scripts/install-deps.sh installs it)"
done
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work" > "$work/cpack.log" 2>&1 || fail "cpack: $(tail -20 "$work/cpack.log")"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
deb="$work/crashsift_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || fail "no $deb: $(ls "$work")"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$work/contents"
for f in /usr/bin/crashsift /usr/share/man/man1/crashsift.1.gz /usr/share/man/man1/crashsift-watch.1.gz \
         /usr/share/man/man5/crashsift-json.5.gz /usr/share/bash-completion/completions/crashsift \
         /usr/share/zsh/vendor-completions/_crashsift /lib/systemd/system/crashsift-watch.service \
         /lib/systemd/system/crashsift-report@.service /usr/share/doc/crashsift/copyright \
         /usr/share/doc/crashsift/changelog.gz; do
  grep -qx "$f" "$work/contents" || fail "not in the package: $f"
done
for page in "$(dirname "$build")"/man/*.[15]; do
  n=$(basename "$page")
  grep -q "/man[15]/$n.gz$" "$work/contents" || fail "man page $n not in the package"
done
! grep -q '^/usr/local\|^/work\|^/tmp' "$work/contents" || fail "paths of the build machine in the package: $(grep '^/usr/local\|^/work\|^/tmp' "$work/contents")"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libsystemd0 libdw1 libc6; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib (dpkg-shlibdeps): $depends"
done
dpkg-deb -x "$deb" "$work/root"
grep -q '^ExecStart=/usr/bin/crashsift watch ' "$work/root/lib/systemd/system/crashsift-watch.service" ||
  fail "the packaged unit does not run /usr/bin/crashsift: $(grep ExecStart "$work/root/lib/systemd/system/crashsift-watch.service")"
"$work/root/usr/bin/crashsift" --version | grep -q "$version" || fail "the packaged binary does not say $version"
# lintian: no error (warnings and notes are shown, not failed on).
set +e
lintian --allow-root "$deb" > "$work/lintian.log" 2>&1
status=$?
set -e
[ "$status" -le 1 ] || fail "lintian failed to run (status $status): $(tail -5 "$work/lintian.log")"
! grep -q '^E: ' "$work/lintian.log" || fail "lintian errors: $(grep '^E: ' "$work/lintian.log")"
echo "deb: $(basename "$deb"), $(wc -l < "$work/contents") paths, Depends: $depends; lintian: $(grep -c '^[EW]: ' "$work/lintian.log") errors or warnings"
