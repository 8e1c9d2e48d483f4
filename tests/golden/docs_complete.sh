#!/usr/bin/env bash
# Documentation cannot drift from the CLI: every long option of every subcommand is described
# in that subcommand's man page, every subcommand has a page, and the committed bash/zsh
# completions equal what `crashsift generate` prints today.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C  # the suite's zone; see tests/unit/main.cpp
crashsift=$1 testdata=$2
root=$(cd "$testdata/.." && pwd)
fail=0
"$crashsift" generate bash > /tmp/crashsift-completion.$$
if ! diff -q /tmp/crashsift-completion.$$ "$root/completions/crashsift.bash" > /dev/null; then
  echo "completions/crashsift.bash is stale: run 'crashsift generate bash > completions/crashsift.bash'"; fail=1
fi
"$crashsift" generate zsh > /tmp/crashsift-completion.$$
if ! diff -q /tmp/crashsift-completion.$$ "$root/completions/_crashsift" > /dev/null; then
  echo "completions/_crashsift is stale: run 'crashsift generate zsh > completions/_crashsift'"; fail=1
fi
rm -f /tmp/crashsift-completion.$$
checked=0
while read -r cmd opts; do
  page="$root/man/crashsift-$cmd.1"
  if [ ! -f "$page" ]; then echo "no man page for '$cmd' ($page)"; fail=1; continue; fi
  for opt in $opts; do
    [[ $opt == --* ]] || continue
    [ "$opt" = --help ] && continue
    # roff escapes dashes: --since is written \-\-since
    esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
    if ! grep -q -- "$esc" "$page"; then echo "man/crashsift-$cmd.1 does not describe $opt"; fail=1; fi
    checked=$((checked + 1))
  done
done < <(sed -n 's/^    \([a-z]*\)) opts="\(.*\)";;$/\1 \2/p' "$root/completions/crashsift.bash")
[ "$checked" -gt 20 ] || { echo "only $checked options checked: the completion format changed?"; fail=1; }
[ "$fail" -eq 0 ] && echo "docs: $checked options documented, completions current"
exit "$fail"
