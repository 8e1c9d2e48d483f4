#!/usr/bin/env bash
# Real captures (testdata/captures, written by real systemd 252, systemd-coredump, the kernel, bash/zsh/dash,
# GNU make, supervisord, pm2 and the Python/Go/Rust/Node/glibc runtimes): `crashsift exits` must find exactly
# the deaths each capture shows (testdata/captures/truth.tsv, derived from testdata/captures/README.md and
# the captures themselves), with the right class, exit code, signal and OOM kind, and none in the negative
# captures (a running unit's systemctl status, state listings, a program's own stdout).
#
# truth.tsv: file (relative to testdata/captures; "a+b" = both given as inputs), subject (unit, or process
# name; "*" = any), pid (a number, "-" = the capture shows none, "*" = not checked), class ("none" = the file
# must give no exit; "?class" = optional: an ambiguous witness such as an app's own "fatal:" line, accepted
# when found with that class, not required), code / signal / oom_kind ("-" = must be null, "*" = not
# checked), label (unique per file; names the death in messages and in known_wrong).
# Deaths are matched by PID where the truth gives one, else in order by subject. Every exit crashsift finds
# that no truth row claims is an invented exit.
#
# known_wrong: deaths crashsift gets wrong today (reported as KNOWN WRONG, not counted as failures). A listed
# case that passes is reported as FIXED so the entry can be removed.
set -euo pipefail
export TZ="${CRASHSIFT_TEST_TZ:-UTC}" LC_ALL=C NO_COLOR=1  # the suite's zone; see tests/unit/main.cpp
crashsift=$1 testdata=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
caps="$testdata/captures"
truth="$caps/truth.tsv"
[ -f "$truth" ] || { echo "missing $truth"; exit 1; }

# "file|label" (a truth row) or "file|+subject:pid" (an exit no truth row claims).
known_wrong=(
  # coredumpctl list --json=pretty is not read
  "coredumpctl/coredumpctl-list.json|pid 6565" "coredumpctl/coredumpctl-list.json|pid 6574"
  "coredumpctl/coredumpctl-list.json|pid 6578" "coredumpctl/coredumpctl-list.json|pid 6586"
  # make: "make: *** [Makefile:8: failing] Error 2" and "make: *** [...] Killed" (after another failure) not read
  "shell-jobs/make/make-failing.stderr.txt|failing Error 2"
  "shell-jobs/make/make-k.stderr.txt|failing Error 2" "shell-jobs/make/make-k.stderr.txt|killed"
  # Go "fatal error: failed to reserve page summary memory" (address-space limit at start-up) is not an OOM
  "runtimes/go-oom-at-startup/stderr.txt|go-oom-at-startup"
)

# Extra arguments for some inputs. All captures were made on 2026-12-06 (UTC): yearless lines get
# --year 2026, never today's year. host-dmesg.txt's marker line carries the wall clock (epoch ns) of its
# [seconds] stamp 174.445955, which places the kernel lines in time (boot = 1796526256.302434695 - 174.445955).
args_for() {
  case "$1" in
    *host-dmesg.txt*) echo "--kernel-boot-time 1796526081.856" ;;
  esac
}

is_known() { local k; for k in "${known_wrong[@]}"; do [ "$k" = "$1" ] && return 0; done; return 1; }

checked=0 right=0 failures=0 known=0 fixed=0
report() {  # report KEY MESSAGE ; a wrong death
  if is_known "$1"; then echo "KNOWN WRONG: $2"; known=$((known + 1)); else echo "FAIL: $2"; failures=$((failures + 1)); fi
}

mapfile -t files < <(tail -n +2 "$truth" | cut -f1 | awk '!seen[$0]++')
n=0
for file in "${files[@]}"; do
  n=$((n + 1))
  inputs=()
  IFS='+' read -r -a parts <<< "$file"
  for p in "${parts[@]}"; do
    [ -f "$caps/$p" ] || { echo "FAIL: $p: capture file missing"; failures=$((failures + 1)); continue 2; }
    inputs+=("$caps/$p")
  done
  out="$work/$n.json"
  set +e
  # shellcheck disable=SC2046
  "$crashsift" exits --format json --tz UTC --year 2026 -q $(args_for "$file") "${inputs[@]}" > "$out" 2> "$work/$n.err"
  rc=$?
  set -e
  if [ $rc -ne 0 ] && [ $rc -ne 2 ] || ! jq -e .exits "$out" > /dev/null 2>&1; then
    echo "FAIL: $file: crashsift exit status $rc"; head -3 "$work/$n.err"; failures=$((failures + 1)); continue
  fi
  # One line per exit: unit, process, pid, class, code, signal, oom_kind ("-" for null).
  jq -r '.exits[] | [(.unit // "-"), (.process // "-"), (.pid // "-"), .class, (.code // "-"),
                     (.signal // "-"), (.oom_kind // "-")] | map(tostring | if . == "" then "-" else . end) | @tsv' \
    "$out" > "$work/$n.exits"
  awk -F'\t' -v file="$file" '$1 == file' "$truth" > "$work/$n.truth"
  # Match truth rows to exits; print one result line per truth row and per unclaimed exit:
  #   ok|wrong|missed|optional-missed <TAB> label <TAB> expected <TAB> actual ; invented <TAB> key <TAB> actual
  awk -F'\t' -v OFS='\t' '
    function subj_ok(s, i) { return s == "*" || s == "-" || s == eu[i] || s ".service" == eu[i] || s == ep[i] }
    function desc(c, code, sig, oom, pid) { return "class=" c " code=" code " signal=" sig " oom=" oom " pid=" pid }
    function field_ok(want, got) { return want == "*" || want == got }
    FILENAME == ARGV[1] { ne++; eu[ne] = $1; ep[ne] = $2; epid[ne] = $3; ec[ne] = $4; ecode[ne] = $5; esig[ne] = $6; eoom[ne] = $7; next }
    { nt++; ts[nt] = $2; tp[nt] = $3; tc[nt] = $4; tcode[nt] = $5; tsig[nt] = $6; toom[nt] = $7; tl[nt] = $8 }
    END {
      # pass 1: rows with a pid (by pid); pass 2: required rows without, to an exit that agrees on every
      # field (in order); pass 3: the rest of them, to the next exit of that subject; pass 4: optional rows
      for (t = 1; t <= nt; t++) if (tp[t] ~ /^[0-9]+$/ && substr(tc[t], 1, 1) != "?") claimed_pid[tp[t]] = 1
      for (pass = 1; pass <= 4; pass++) for (t = 1; t <= nt; t++) {
        if (tc[t] == "none" || done[t]) continue
        opt = substr(tc[t], 1, 1) == "?"; cls = opt ? substr(tc[t], 2) : tc[t]
        if ((pass == 1) != (tp[t] ~ /^[0-9]+$/ && !opt)) continue
        if ((pass == 4) != opt) continue
        m = 0
        for (i = 1; i <= ne && !m; i++) {
          if (used[i]) continue
          if (pass == 1) { if (epid[i] == tp[t]) m = i; continue }
          if (!subj_ok(ts[t], i) || claimed_pid[epid[i]]) continue
          if (pass != 3 && ec[i] != cls) continue
          if (pass == 2 && !(field_ok(tcode[t], ecode[i]) && field_ok(tsig[t], esig[i]) && field_ok(toom[t], eoom[i]) && field_ok(tp[t], epid[i]))) continue
          m = i
        }
        if (pass == 2 && !m) continue
        done[t] = 1
        want = desc(cls, tcode[t], tsig[t], toom[t], tp[t])
        if (!m) { print (opt ? "optional-missed" : "missed"), tl[t], want, "no exit"; continue }
        used[m] = 1
        got = desc(ec[m], ecode[m], esig[m], eoom[m], epid[m])
        good = ec[m] == cls && field_ok(tcode[t], ecode[m]) && field_ok(tsig[t], esig[m]) && field_ok(toom[t], eoom[m]) &&
               field_ok(tp[t], epid[m]) && subj_ok(ts[t], m)
        print (good ? (opt ? "optional-ok" : "ok") : "wrong"), tl[t], want, got " unit=" eu[m] " process=" ep[m]
      }
      for (i = 1; i <= ne; i++) if (!used[i])
        print "invented", "+" (eu[i] != "-" ? eu[i] : ep[i]) ":" epid[i], "-", desc(ec[i], ecode[i], esig[i], eoom[i], epid[i]) " unit=" eu[i] " process=" ep[i]
    }' "$work/$n.exits" "$work/$n.truth" > "$work/$n.result"
  while IFS=$'\t' read -r verdict label want got; do
    key="$file|$label"
    case "$verdict" in
      ok) checked=$((checked + 1)); right=$((right + 1))
          if is_known "$key"; then echo "FIXED (remove from known_wrong): $key"; fixed=$((fixed + 1)); fi ;;
      optional-ok|optional-missed) ;;
      wrong) checked=$((checked + 1)); report "$key" "$file: $label: expected $want, got $got" ;;
      missed) checked=$((checked + 1)); report "$key" "$file: $label: expected $want, crashsift found no such exit" ;;
      invented) report "$key" "$file: invented exit $got" ;;
    esac
  done < "$work/$n.result"
  if grep -q $'\tnone\t' "$work/$n.truth"; then
    checked=$((checked + 1))
    if [ -s "$work/$n.exits" ]; then
      : # each exit found was already reported as invented above
    else
      right=$((right + 1))
      is_known "$file|$(cut -f8 "$work/$n.truth" | head -1)" && { echo "FIXED (remove from known_wrong): $file"; fixed=$((fixed + 1)); }
    fi
  fi
done

echo "real captures: ${#files[@]} files, $checked deaths/negatives checked, $right right, $known known wrong, $failures failures, $fixed fixed"
[ "$failures" -eq 0 ] || exit 1
exit 0
