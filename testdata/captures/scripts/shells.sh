#!/bin/bash
# Real job/termination messages of real shells (bash, zsh, dash) and GNU make for programs dying of
# signals. Interactive shells run on a pty made by script(1); input lines are typed one at a time
# with a pause so the transcript looks like a terminal session. Needs crashlab (build.sh), zsh, make.
# core_pattern must be the plain "core" so "(core dumped)" appears; cores go to $WORK and are deleted.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../shell-jobs}
BIN=${BIN:-/srv/cscap/bin}
WORK=${WORK:-/srv/cscap/sh-work}
[ -x "$BIN/crashlab" ] || "$HERE/build.sh"
rm -rf "$OUT" "$WORK"; mkdir -p "$OUT" "$WORK"
export PATH="$BIN:$PATH" TERM=xterm LC_ALL=C.UTF-8
echo "core_pattern=$(cat /proc/sys/kernel/core_pattern)" > "$OUT/env.txt"

# the session typed into each interactive shell (same for all three shells)
session() {
  cat <<'S'
cd /srv/cscap/sh-work; ulimit -c unlimited
crashlab segv
echo "rc=$?"
crashlab abort
echo "rc=$?"
crashlab ill
echo "rc=$?"
crashlab fpe
echo "rc=$?"
crashlab kill
echo "rc=$?"
crashlab double-free
echo "rc=$?"
crashlab stack-smash
echo "rc=$?"
crashlab exit 3
echo "rc=$?"
crashlab hang &
kill -9 %1
sleep 0.5
crashlab segv &
sleep 1
crashlab hang &
kill %1
sleep 0.5
ulimit -c 0
crashlab segv
echo "rc=$?"
exit
S
}
typeit() { sleep 0.8; while IFS= read -r l; do printf '%s\n' "$l"; sleep 0.7; done; sleep 1; }

run_interactive() { # name, shell command line (run by script on a pty)
  local name=$1 cmd=$2 d="$OUT/$1"; mkdir -p "$d"
  # (a) the terminal transcript: what a user sees (echoed input, prompts, program output, shell messages)
  session | typeit | script -qfec "$cmd" /dev/null > "$d/transcript.txt" 2>&1
  echo "script exit=$?" > "$d/exit.txt"
  # (b) same session, shell's stderr redirected to a file (prompts + job/termination messages land there)
  session | typeit | script -qfec "$cmd 2>$d/stderr.txt" /dev/null > "$d/tty-without-stderr.txt" 2>&1
  echo "script exit=$? (stderr-redirected run)" >> "$d/exit.txt"
  rm -f "$WORK"/core*
}
run_interactive bash-interactive "env PS1='\$ ' bash --norc --noprofile -i"
run_interactive zsh-interactive  "env PS1='%% ' zsh -f -i"
run_interactive dash-interactive "env PS1='\$ ' dash -i"

# ---- non-interactive: script files run by each shell, stderr captured -------------------------
d="$OUT/noninteractive"; mkdir -p "$d"
cat > "$WORK/deploy.sh" <<'S'
cd /srv/cscap/sh-work
ulimit -c unlimited
echo "step 1"
crashlab segv
echo "step 2 rc=$?"
crashlab abort
echo "step 3 rc=$?"
crashlab kill
echo "step 4 rc=$?"
crashlab fpe
echo "step 5 rc=$?"
crashlab hang &
kill -9 $!
wait $!
echo "step 6 rc=$?"
S
cp "$WORK/deploy.sh" "$d/deploy.sh"
for sh in bash dash zsh; do
  (cd "$WORK" && $sh ./deploy.sh > "$d/$sh-deploy.stdout.txt" 2> "$d/$sh-deploy.stderr.txt"; echo "$sh ./deploy.sh exit=$?" >> "$d/exit.txt")
  rm -f "$WORK"/core*
done
for sh in bash dash zsh; do  # -c with a compound command (no exec optimisation for the crashing command)
  (cd "$WORK" && ulimit -c unlimited && $sh -c 'crashlab segv; echo "after rc=$?"' > "$d/$sh-c.stdout.txt" 2> "$d/$sh-c.stderr.txt"; echo "$sh -c exit=$?" >> "$d/exit.txt")
  rm -f "$WORK"/core*
done

# ---- GNU make -----------------------------------------------------------------------------------
d="$OUT/make"; mkdir -p "$d"
cat > "$WORK/Makefile" <<'M'
# recipe run directly by make (no shell metacharacters): make sees the signal itself
direct:
	crashlab segv
# recipe run by /bin/sh which turns the signal into exit status 139
viashell:
	@echo "running tests"; crashlab segv || exit $$?
failing:
	crashlab exit 2
killed:
	crashlab kill
M
cp "$WORK/Makefile" "$d/Makefile"
for t in direct viashell failing killed; do
  (cd "$WORK" && ulimit -c unlimited && make $t > "$d/make-$t.stdout.txt" 2> "$d/make-$t.stderr.txt"; echo "make $t exit=$?" >> "$d/exit.txt")
  rm -f "$WORK"/core*
done
(cd "$WORK" && ulimit -c unlimited && make -k direct viashell failing > "$d/make-k.stdout.txt" 2> "$d/make-k.stderr.txt"; echo "make -k direct viashell failing exit=$?" >> "$d/exit.txt")
rm -f "$WORK"/core*
{ bash --version | head -1; zsh --version; dpkg -s dash | grep ^Version; make --version | head -1; script --version; } > "$OUT/versions.txt"
