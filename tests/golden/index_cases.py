#!/usr/bin/env python3
"""Writes a journal export (to stdout) holding the evidence that reading native journals by
index could miss: output lines without an invocation ID (a process that died before journald
read its cgroup), a runtime's dump stored after PID 1's exit record, a process named only by a
kernel OOM line, a coredump record, PID 1's lines through the kernel, old systemd wordings, a
spawn failure logged by the forked child, a long-lived process with more output than the tail
read, and timer units that print nothing. Deterministic; the message texts are systemd's and
the runtimes' own (formats.md), names and numbers invented."""
import random
import sys

rng = random.Random(13)
BOOT = '5c1f0e2d3b4a69788796a5b4c3d2e1f0'
REALTIME0 = 1790000000000000
MONO0 = 5000000000
out = []
t = 0


def entry(fields, step=(2000, 40000)):
    global t
    t += rng.randint(*step)
    out.append('__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n_HOSTNAME=idxhost\n'
               % (REALTIME0 + t, MONO0 + t, BOOT))
    for k, v in fields:
        out.append('%s=%s\n' % (k, v))
    out.append('\n')


def inv():
    return '%032x' % rng.getrandbits(128)


def pid1(unit, invocation, message, message_id=None, extra=()):
    f = [('_PID', '1'), ('_COMM', 'systemd'), ('SYSLOG_IDENTIFIER', 'systemd'), ('_TRANSPORT', 'journal'),
         ('PRIORITY', '6'), ('UNIT', unit), ('MESSAGE', message)]
    if invocation:
        f.append(('INVOCATION_ID', invocation))
    if message_id:
        f.append(('MESSAGE_ID', message_id))
    f.extend(extra)
    entry(f)


def output(unit, invocation, pid, ident, message, comm=None):
    f = [('_PID', str(pid)), ('_COMM', comm or ident), ('SYSLOG_IDENTIFIER', ident), ('_TRANSPORT', 'stdout'),
         ('_SYSTEMD_UNIT', unit), ('MESSAGE', message)]
    if invocation:
        f.append(('_SYSTEMD_INVOCATION_ID', invocation))
    entry(f)


def kernel(message):
    entry([('_TRANSPORT', 'kernel'), ('SYSLOG_IDENTIFIER', 'kernel'), ('PRIORITY', '3'), ('MESSAGE', message)])


EXIT = '98e322203f7a4ed290d09fe03c09fe15'
FAILED = 'd9b373ed55a64feb8242e02dbe79a49c'
SUCCESS = '7ad2d189f7e94e70a38c781354912448'
STARTING = '7d4958e842da4a758f6c1cdc7b36dcc5'
STARTED = '39f53479d3a045ac8e11786248231fbf'
COREDUMP = 'fc2e22bc6ee647b6b90729ab34a250b1'
SPAWN = '641257651c1b4ec9a8624d7a40a9e1e7'


def start(unit, invocation, desc):
    pid1(unit, invocation, 'Starting %s - %s...' % (unit, desc), STARTING)
    pid1(unit, invocation, 'Started %s - %s.' % (unit, desc), STARTED)


def timer_run(unit):
    i = inv()
    start(unit, i, 'daily job')
    pid1(unit, i, '%s: Deactivated successfully.' % unit, SUCCESS)


# A Node service up for a while: a version banner first, then more output than the tail read,
# then a heap OOM whose dump journald stores after PID 1's exit record, and its core.
api = inv()
start('api.service', api, 'orders API')
output('api.service', api, 3101, 'api', 'api listening on :8080 (Node.js v20.11.1)', 'node')
for n in range(600):
    output('api.service', api, 3101, 'api', '{"level":30,"msg":"request completed","n":%d}' % n, 'node')
    if n % 100 == 0:
        timer_run('logrotate.service')
pid1('api.service', api, 'api.service: Main process exited, code=dumped, status=6/ABRT', EXIT,
     [('EXIT_CODE', 'dumped'), ('EXIT_STATUS', '6')])
for line in ['<--- Last few GCs --->', '',
             'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
             ' 1: 0xb7a940 node::Abort() [/usr/bin/node]', ' 2: 0xa8e823  [/usr/bin/node]']:
    if line:
        output('api.service', api, 3101, 'api', line, 'node')
pid1('api.service', api, "api.service: Failed with result 'core-dump'.", FAILED, [('UNIT_RESULT', 'core-dump')])
entry([('_PID', '3190'), ('_COMM', 'systemd-coredum'), ('SYSLOG_IDENTIFIER', 'systemd-coredump'),
       ('_TRANSPORT', 'journal'), ('MESSAGE_ID', COREDUMP), ('COREDUMP_PID', '3101'), ('COREDUMP_SIGNAL', '6'),
       ('COREDUMP_UNIT', 'api.service'), ('COREDUMP_COMM', 'node'), ('COREDUMP_EXE', '/usr/bin/node'),
       ('COREDUMP_TIMESTAMP', str(REALTIME0 + t - 30000)),
       ('MESSAGE', 'Process 3101 (node) of user 998 dumped core.')])

# A worker whose lines carry no invocation ID, killed by the kernel's OOM killer.
worker = inv()
start('worker.service', worker, 'queue worker')
for n in range(40):
    output('worker.service', None, 3302, 'worker', 'job %d done' % n, 'python3')
kernel('python3 invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0')
kernel('oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,'
       'oom_memcg=/system.slice/worker.service,task_memcg=/system.slice/worker.service,task=python3,pid=3302,uid=0')
kernel('Memory cgroup out of memory: Killed process 3302 (python3) total-vm:2150000kB, anon-rss:1990000kB, '
       'file-rss:1200kB, shmem-rss:0kB, UID:0 pgtables:4100kB oom_score_adj:0')
pid1('worker.service', worker, 'worker.service: A process of this unit has been killed by the OOM killer.')
pid1('worker.service', worker, 'worker.service: Main process exited, code=killed, status=9/KILL', EXIT,
     [('EXIT_CODE', 'killed'), ('EXIT_STATUS', '9')])
pid1('worker.service', worker, "worker.service: Failed with result 'oom-kill'.", FAILED, [('UNIT_RESULT', 'oom-kill')])

# A process outside any unit, named only by its kernel fault line.
for n in range(5):
    entry([('_PID', '3404'), ('_COMM', 'imgconv'), ('SYSLOG_IDENTIFIER', 'imgconv'), ('_TRANSPORT', 'syslog'),
           ('MESSAGE', 'converting batch %d' % n)])
kernel('imgconv[3404]: segfault at 8 ip 000055d0c2a1b2c3 sp 00007ffd4e5f6a70 error 4 in imgconv[55d0c2a00000+40000]')

# PID 1's lines through the kernel (a container or early boot), and the v219 wording.
kernel('systemd[1]: legacy.service: Main process exited, code=exited, status=1/FAILURE')
kernel('systemd[1]: legacy.service: Failed with result \'exit-code\'.')
pid1('old.service', None, 'Starting old daemon...')
pid1('old.service', None, 'Started old daemon.')
output('old.service', None, 3505, 'oldd', 'fatal: bad config line 3', 'oldd')
pid1('old.service', None, 'old.service: main process exited, code=exited, status=2/INVALIDARGUMENT')
pid1('old.service', None, 'Unit old.service entered failed state.')

# The forked child that cannot exec logs under its own name, outside the unit's cgroup.
noexec = inv()
start('noexec.service', noexec, 'missing binary')
entry([('_PID', '3606'), ('_COMM', '(ot-exist)'), ('SYSLOG_IDENTIFIER', '(ot-exist)'), ('_TRANSPORT', 'journal'),
       ('UNIT', 'noexec.service'), ('INVOCATION_ID', noexec), ('MESSAGE_ID', SPAWN),
       ('MESSAGE', 'noexec.service: Failed to locate executable /opt/x/does-not-exist: No such file or directory')])
pid1('noexec.service', noexec, 'noexec.service: Main process exited, code=exited, status=203/EXEC', EXIT,
     [('EXIT_CODE', 'exited'), ('EXIT_STATUS', '203')])
pid1('noexec.service', noexec, "noexec.service: Failed with result 'exit-code'.", FAILED, [('UNIT_RESULT', 'exit-code')])

# A crash loop that restarts faster than journald reads cgroups: lines by unit only.
for k in range(6):
    loop = inv()
    start('loop.service', loop, 'crash loop')
    output('loop.service', None, 3700 + k, 'loop', 'loop pid=%d starting' % (3700 + k), 'loop')
    output('loop.service', None, 3700 + k, 'loop', 'panic: runtime error: index out of range [3] with length 3', 'loop')
    pid1('loop.service', loop, 'loop.service: Main process exited, code=exited, status=2/INVALIDARGUMENT', EXIT,
         [('EXIT_CODE', 'exited'), ('EXIT_STATUS', '2')])
    pid1('loop.service', loop, "loop.service: Failed with result 'exit-code'.", FAILED, [('UNIT_RESULT', 'exit-code')])
    timer_run('fstrim.service')

# A short run: each of its lines is both a first and a last line of its invocation, read twice
# by the index walk. native_index_exact.sh damages one line's MESSAGE name ("mESSAGE"): it must
# be counted once, as reading every entry counts it.
brief = inv()
start('brief.service', brief, 'short job')
output('brief.service', brief, 3808, 'brief', 'brief: the line whose name is damaged', 'brief')
output('brief.service', brief, 3808, 'brief', 'brief: cannot reach the queue', 'brief')
pid1('brief.service', brief, 'brief.service: Main process exited, code=exited, status=1/FAILURE', EXIT,
     [('EXIT_CODE', 'exited'), ('EXIT_STATUS', '1')])
pid1('brief.service', brief, "brief.service: Failed with result 'exit-code'.", FAILED, [('UNIT_RESULT', 'exit-code')])

sys.stdout.write(''.join(out))
