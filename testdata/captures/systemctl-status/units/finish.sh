#!/bin/sh
C=/capture
sleep 6
systemctl kill --signal=SIGKILL api-killed.service
sleep 2
# manual start of a unit that already hit its start limit: systemctl's own error text
systemctl start api-restart.service > "$C/manual-start-after-limit.txt" 2>&1; echo "rc=$?" >> "$C/manual-start-after-limit.txt"
sleep 0.5
UNITS="api-exit api-segv api-segv-nocore api-killed api-selfkill api-restart api-restart-clean api-watchdog api-starttimeout api-runtimemax api-oom api-healthy api-oneshot-ok"
for u in $UNITS; do
  # stdout is a file (not a tty): what `systemctl status X > file` / `| cat` gives
  systemctl status "$u.service" > "$C/$u.status.txt" 2>&1; echo "rc=$?" > "$C/$u.status.rc"
  systemctl status --no-pager -l "$u.service" > "$C/$u.status-l.txt" 2>&1
  # a real terminal (pty from script(1)), 80 columns, colors off: the default ellipsized form
  SYSTEMD_COLORS=0 script -qec "stty cols 80 rows 50; systemctl status --no-pager $u.service" /dev/null > "$C/$u.status-tty80.txt" 2>&1
done
# colored tty form of two units (ANSI escapes as the terminal received them)
for u in api-segv api-healthy; do
  TERM=xterm-256color script -qec "stty cols 120 rows 50; systemctl status --no-pager $u.service" /dev/null > "$C/$u.status-tty120-color.txt" 2>&1
done
systemctl status --no-pager -l api-exit.service api-segv.service api-killed.service > "$C/multi.status-l.txt" 2>&1
systemctl --failed --no-pager > "$C/systemctl--failed.txt" 2>&1
systemctl list-units --all --no-pager 'api-*' > "$C/list-units.txt" 2>&1
systemctl show --no-pager -p Id,Result,ExecMainCode,ExecMainStatus,ExecMainPID,NRestarts,ActiveState,SubState $(for u in $UNITS; do printf '%s.service ' $u; done) > "$C/show-props.txt" 2>&1
systemctl --version > "$C/systemctl-version.txt"
sync
systemctl poweroff
