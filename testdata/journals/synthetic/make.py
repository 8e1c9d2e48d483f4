#!/usr/bin/env python3
"""Writes the synthetic systemd 252 (Debian 12, cgroup v2) journal fixtures of this directory as
`journalctl -o export` records:

  cgroup2-oom-kill.export  kernel memcg OOM kill -> 'oom-kill' unit result (cgroup v2 only)
  oomd-kill.export         systemd-oomd kill -> 'oom-kill' unit result (cgroup v2 + oomd)
  misc-v252.export         Go panic, Rust panic, Python traceback, oneshot exit 0, SIGTERM stop,
                           an out-of-order timestamp pair

Every line uses the formats of shared/reference/formats.md; field sets mirror the real systemd 252
journal in shared/real/systemd-lab/. Deterministic: fixed ids and times, no randomness.
Run: python3 make.py && ./render.sh
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
from exportlib import Journal, CODE_V252, MID, hex128  # noqa: E402

S = 1000000
MS = 1000


def utc(y, mo, d, h, mi, s, us=0):
    import calendar
    return (calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) * S) + us


def new_journal(tag, host):
    j = Journal(machine_id=hex128("machine-" + host), hostname=host,
                seqnum_id=hex128("seqnum-" + tag))
    j.CODE = CODE_V252
    return j


PID1_CMDLINE = "/sbin/init"
PID1_CAP = "1ffffffffff"


# ------------------------------------------------------------------------------------------------
def cgroup2_oom_kill():
    j = new_journal("cgroup2-oom-kill", "api01")
    boot = hex128("boot-cgroup2-oom-kill")
    t0 = utc(2026, 3, 14, 10, 0, 0)
    j.boot(boot, t0 - 86 * 60 * S - 123456)  # booted 86 min earlier

    # --- app.service: Node API, MemoryMax=1G, main process is the OOM victim ------------------
    unit, name = "app.service", "app.service - Orders API"
    inv = hex128("inv-app-1")
    pid = 2817
    sid = hex128("stream-app-1")
    job = j.next_job()
    t = t0 + 100 * MS
    j.starting(t, unit, inv, name, job)
    j.started(t + 2 * MS, unit, inv, name, job)
    node = dict(unit=unit, inv=inv, pid=pid, comm="node", exe="/usr/bin/node",
                cmdline="/usr/bin/node /srv/orders/server.js", ident="node", stream_id=sid,
                uid="0")
    t = t0 + 412 * MS
    j.stream(t, lines=['{"level":30,"time":1773482400412,"pid":2817,"msg":"listening on :8080"}'], **node)
    t = t0 + 95 * S
    j.stream(t, lines=['{"level":30,"time":1773482495000,"pid":2817,"msg":"report export started","rows":4200000}'], **node)
    t = t0 + 131 * S + 250 * MS
    j.stream(t, lines=['{"level":40,"time":1773482531250,"pid":2817,"msg":"export buffer above 900 MB"}'], **node)

    # kernel OOM report (6.x layout, cgroup v2 memcg OOM), then the kill line
    tk = t0 + 133 * S + 801851
    cg = "/system.slice/app.service"
    kl = [
        (4, "node invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"),
        (4, "CPU: 1 UID: 0 PID: 2817 Comm: node Not tainted 6.12.57+deb12-amd64 #1  Debian 6.12.57-1~bpo12+1"),
        (4, "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014"),
        (4, "Call Trace:"),
        (4, " <TASK>"),
        (4, " dump_stack_lvl+0x5d/0x80"),
        (4, " dump_header+0x43/0x1aa"),
        (4, " oom_kill_process.cold+0xa/0xab"),
        (4, " out_of_memory+0x216/0x4f0"),
        (4, " mem_cgroup_out_of_memory+0x138/0x150"),
        (4, " try_charge_memcg+0x3d3/0x6f0"),
        (4, " __mem_cgroup_charge+0x3d/0x90"),
        (4, " do_anonymous_page+0x12f/0x5d0"),
        (4, " __handle_mm_fault+0x6f4/0xc50"),
        (4, " handle_mm_fault+0x108/0x300"),
        (4, " do_user_addr_fault+0x217/0x620"),
        (4, " exc_page_fault+0x7c/0x180"),
        (4, " asm_exc_page_fault+0x26/0x30"),
        (4, "RIP: 0033:0x7f4c1a2b9e5a"),
        (4, " </TASK>"),
        (6, "memory: usage 1048576kB, limit 1048576kB, failcnt 1842"),
        (6, "swap: usage 0kB, limit 0kB, failcnt 0"),
        (6, "Memory cgroup stats for %s:" % cg),
        (6, "anon 1063383040"),
        (6, "file 684032"),
        (6, "kernel 9801728"),
        (6, "kernel_stack 245760"),
        (6, "pagetables 2686976"),
        (6, "sock 0"),
        (6, "shmem 0"),
        (6, "file_mapped 0"),
        (6, "file_dirty 0"),
        (6, "pgfault 431880"),
        (6, "pgmajfault 12"),
        (6, "oom 1"),
        (6, "oom_kill 0"),
        (6, "Tasks state (memory values in pages):"),
        (6, "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name"),
        (6, "[   2817]     0  2817  5432100   259851   259683      168         0  2686976        0             0 node"),
        (6, "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=%s,task_memcg=%s,task=node,pid=2817,uid=0" % (cg, cg)),
        (3, "Memory cgroup out of memory: Killed process 2817 (node) total-vm:21728400kB, anon-rss:1038732kB, file-rss:672kB, shmem-rss:0kB, UID:0 pgtables:2624kB oom_score_adj:0"),
    ]
    tk = j.kernel(tk, kl, step=4)
    t = tk + 1800
    j.pid1(t, unit, inv, "%s: A process of this unit has been killed by the OOM killer." % unit,
           priority=5, code=("src/core/cgroup.c", j.CODE["oom"], "unit_check_oom"),
           mid=MID["oom_kernel"], exe_cmdline=PID1_CMDLINE, cap=PID1_CAP)
    t += 9100
    j.process_exit(t, unit, inv, "killed", 9)
    j.failed_result(t + 190, unit, inv, "oom-kill")
    j.consumed(t + 260, unit, inv, 97 * S + 412 * MS)
    # oom_reaper line (printed a little after the kill)
    j.kernel(tk + 21000, [(6, "oom_reaper: reaped process 2817 (node), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB")])

    # --- thumbnailer.service: a child (convert) is the victim; OOMPolicy=stop stops the unit, the
    # main process dies of SIGTERM (a clean death, logged only at debug level) ------------------
    unit, name = "thumbnailer.service", "thumbnailer.service - Thumbnail Worker"
    inv = hex128("inv-thumb-1")
    mpid, cpid = 3120, 3391
    sid = hex128("stream-thumb-1")
    job = j.next_job()
    t = t0 + 300 * S
    j.starting(t, unit, inv, name, job)
    j.started(t + 3 * MS, unit, inv, name, job)
    th = dict(unit=unit, inv=inv, pid=mpid, comm="thumbd", exe="/usr/local/bin/thumbd",
              cmdline="/usr/local/bin/thumbd --workers 2", ident="thumbd", stream_id=sid,
              uid="997")
    j.stream(t + 40 * MS, lines=["thumbd 2.4.1 ready, queue=images"], **th)
    j.stream(t + 61 * S, lines=["job 8812: convert /srv/media/in/8812.tiff -resize 50% /srv/media/out/8812.jpg"], **th)
    cg = "/system.slice/thumbnailer.service"
    tk = t + 64 * S + 120033
    kl = [
        (4, "convert invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0"),
        (4, "CPU: 0 UID: 997 PID: 3391 Comm: convert Not tainted 6.12.57+deb12-amd64 #1  Debian 6.12.57-1~bpo12+1"),
        (4, "Call Trace:"),
        (4, " <TASK>"),
        (4, " dump_stack_lvl+0x5d/0x80"),
        (4, " dump_header+0x43/0x1aa"),
        (4, " oom_kill_process.cold+0xa/0xab"),
        (4, " out_of_memory+0x216/0x4f0"),
        (4, " mem_cgroup_out_of_memory+0x138/0x150"),
        (4, " </TASK>"),
        (6, "memory: usage 524288kB, limit 524288kB, failcnt 311"),
        (6, "swap: usage 0kB, limit 0kB, failcnt 0"),
        (6, "Memory cgroup stats for %s:" % cg),
        (6, "anon 530821120"),
        (6, "file 2101248"),
        (6, "Tasks state (memory values in pages):"),
        (6, "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name"),
        (6, "[   3120]   997  3120    26214     3012     2410      602         0   122880        0             0 thumbd"),
        (6, "[   3391]   997  3391   171520   128740   128201      539         0  1114112        0             0 convert"),
        (6, "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=%s,task_memcg=%s,task=convert,pid=3391,uid=997" % (cg, cg)),
        (3, "Memory cgroup out of memory: Killed process 3391 (convert) total-vm:686080kB, anon-rss:512804kB, file-rss:2156kB, shmem-rss:0kB, UID:997 pgtables:1088kB oom_score_adj:0"),
    ]
    tk = j.kernel(tk, kl, step=4)
    t = tk + 1500
    j.pid1(t, unit, inv, "%s: A process of this unit has been killed by the OOM killer." % unit,
           priority=5, code=("src/core/cgroup.c", j.CODE["oom"], "unit_check_oom"),
           mid=MID["oom_kernel"], exe_cmdline=PID1_CMDLINE, cap=PID1_CAP)
    j.stream(t + 700, lines=["job 8812: convert killed by signal 9", "received SIGTERM, draining queue"], step=40, **th)
    # main process exits on SIGTERM: success -> "Main process exited ... (success)" is debug-only
    j.failed_result(t + 5200, unit, inv, "oom-kill")
    j.consumed(t + 5260, unit, inv, 41 * S + 87 * MS)
    j.kernel(tk + 18000, [(6, "oom_reaper: reaped process 3391 (convert), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB")])
    j.entries.sort(key=lambda e: e[0])
    return j


# ------------------------------------------------------------------------------------------------
def oomd_kill():
    j = new_journal("oomd-kill", "batch02")
    boot = hex128("boot-oomd-kill")
    t0 = utc(2026, 3, 15, 2, 30, 0)
    j.boot(boot, t0 - 5 * 3600 * S - 777777)
    unit, name = "worker.service", "worker.service - Batch Worker"
    oomd_inv = hex128("inv-oomd")
    inv = hex128("inv-worker-1")
    pid = 5120
    sid = hex128("stream-worker-1")
    job = j.next_job()
    t = t0 + 10 * MS
    j.starting(t, unit, inv, name, job)
    j.started(t + 2 * MS, unit, inv, name, job)
    w = dict(unit=unit, inv=inv, pid=pid, comm="python3", exe="/usr/bin/python3.11",
             cmdline="/usr/bin/python3 /opt/worker/run.py", ident="worker", stream_id=sid, uid="1001")
    j.stream(t + 350 * MS, lines=["worker: starting 3 processes, batch=nightly-2026-03-15"], **w)
    j.stream(t + 600 * S, lines=["worker: shard 1/12 merged (1.9 GiB)"], **w)
    j.stream(t + 1200 * S, lines=["worker: shard 2/12 merged (3.8 GiB)"], **w)
    # systemd-oomd decides and kills the whole cgroup
    t = t0 + 1412 * S + 503114
    j.native(t, "systemd-oomd", 311, "systemd-oomd", "/usr/lib/systemd/systemd-oomd",
             "/lib/systemd/systemd-oomd", "systemd-oomd.service", oomd_inv,
             "Killed /system.slice/worker.service due to memory pressure for /system.slice being 82.13% > 80.00% for > 20s with reclaim activity",
             priority=5, uid="996", code=("src/oom/oomd-manager.c", 428,
                                          "monitor_memory_pressure_contexts_handler"),
             cap="22")
    t += 2300
    j.pid1(t, unit, inv, "%s: systemd-oomd killed 3 process(es) in this unit." % unit, priority=5,
           code=("src/core/cgroup.c", j.CODE["oomd"], "unit_check_oomd_kill"),
           mid=MID["oom_oomd"], extra=[("N_PROCESSES", "3")], exe_cmdline=PID1_CMDLINE,
           cap=PID1_CAP)
    t += 4100
    j.process_exit(t, unit, inv, "killed", 9)
    j.failed_result(t + 150, unit, inv, "oom-kill")
    j.consumed(t + 230, unit, inv, 1302 * S + 118 * MS)
    # Restart=on-failure, RestartSec=30s
    t += 30 * S + 2100
    j.scheduled_restart(t, unit, inv, 1)
    job = j.next_job()
    j.stopped(t + 400, unit, inv, name, job, job_type="restart")
    inv2 = hex128("inv-worker-2")
    j.started(t + 9100, unit, inv2, name, job)
    w2 = dict(w, inv=inv2, pid=5377, stream_id=hex128("stream-worker-2"))
    j.stream(t + 310 * MS, lines=["worker: starting 3 processes, batch=nightly-2026-03-15 (resume at shard 3/12)"], **w2)
    return j


# ------------------------------------------------------------------------------------------------
def misc_v252():
    j = new_journal("misc-v252", "app03")
    boot = hex128("boot-misc-v252")
    t0 = utc(2026, 3, 16, 8, 0, 0)
    j.boot(boot, t0 - 2 * 86400 * S - 3 * 3600 * S - 424242)

    def lifetime(unit, name, inv, t, oneshot=False):
        job = j.next_job()
        j.starting(t, unit, inv, name, job)
        if not oneshot:
            j.started(t + 1900, unit, inv, name, job)
        return job

    # 1. Go panic -> exit 2
    unit, name, inv = "gosvc.service", "gosvc.service - Go Ingest Service", hex128("inv-go")
    t = t0 + 5 * S
    lifetime(unit, name, inv, t)
    g = dict(unit=unit, inv=inv, pid=4101, comm="gosvc", exe="/usr/local/bin/gosvc",
             cmdline="/usr/local/bin/gosvc -config /etc/gosvc.yaml", ident="gosvc",
             stream_id=hex128("stream-go"), uid="999")
    j.stream(t + 30 * MS, lines=["2026/03/16 08:00:05 gosvc v0.9.2 listening on :9090"], **g)
    tp = t + 47 * S + 203117
    j.stream(tp, lines=[
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6a1f3c]",
        "",
        "goroutine 1 [running]:",
        "main.(*Ingest).flush(0x0, {0xc0000a6000, 0x12, 0x20})",
        "\t/build/gosvc/ingest.go:88 +0x1c",
        "main.main()",
        "\t/build/gosvc/main.go:41 +0x2a5",
    ], step=11, **g)
    t = tp + 1300
    j.process_exit(t, unit, inv, "exited", 2)
    j.failed_result(t + 80, unit, inv, "exit-code")

    # 2. Rust panic -> exit 101
    unit, name, inv = "rustsvc.service", "rustsvc.service - Rust Indexer", hex128("inv-rust")
    t = t0 + 60 * S
    lifetime(unit, name, inv, t)
    r = dict(unit=unit, inv=inv, pid=1234, comm="indexer", exe="/usr/local/bin/indexer",
             cmdline="/usr/local/bin/indexer --data /var/lib/indexer", ident="indexer",
             stream_id=hex128("stream-rust"), uid="999")
    j.stream(t + 12 * MS, lines=["indexer 1.4.0: opening /var/lib/indexer"], **r)
    tp = t + 2 * S + 5511
    j.stream(tp, lines=[
        "thread 'main' (1234) panicked at src/main.rs:2:5:",
        "called `Option::unwrap()` on a `None` value",
        "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
    ], step=9, **r)
    t = tp + 900
    j.process_exit(t, unit, inv, "exited", 101)
    j.failed_result(t + 70, unit, inv, "exit-code")

    # 3. Python traceback -> exit 1
    unit, name, inv = "pysvc.service", "pysvc.service - Report Mailer", hex128("inv-py")
    t = t0 + 120 * S
    lifetime(unit, name, inv, t)
    p = dict(unit=unit, inv=inv, pid=4230, comm="python3", exe="/usr/bin/python3.11",
             cmdline="/usr/bin/python3 /opt/pysvc/main.py", ident="pysvc",
             stream_id=hex128("stream-py"), uid="999")
    tp = t + 480 * MS
    j.stream(tp, lines=[
        "Traceback (most recent call last):",
        '  File "/opt/pysvc/main.py", line 31, in <module>',
        "    main()",
        '  File "/opt/pysvc/main.py", line 26, in main',
        "    cfg = load_config(os.environ[\"PYSVC_CONFIG\"])",
        "                      ~~~~~~~~~~^^^^^^^^^^^^^^^^",
        '  File "<frozen os>", line 679, in __getitem__',
        "KeyError: 'PYSVC_CONFIG'",
    ], step=13, **p)
    t = tp + 21000
    j.process_exit(t, unit, inv, "exited", 1)
    j.failed_result(t + 75, unit, inv, "exit-code")

    # 4. oneshot exit 0: only 'Deactivated successfully.' (+ 'Finished')
    unit, name, inv = "backup.service", "backup.service - Nightly Backup", hex128("inv-backup")
    t = t0 + 180 * S
    job = lifetime(unit, name, inv, t, oneshot=True)
    b = dict(unit=unit, inv=inv, pid=4302, comm="backup.sh", exe="/usr/bin/bash",
             cmdline="/bin/bash /usr/local/sbin/backup.sh", ident="backup.sh",
             stream_id=hex128("stream-backup"))
    j.stream(t + 15 * MS, lines=["backup: 1432 files, 212 MiB -> /srv/backup/2026-03-16.tar.zst"], **b)
    t = t + 3 * S + 312004
    j.deactivated(t, unit, inv)
    j.started(t + 30, unit, inv, name, job, verb="Finished")
    j.consumed(t + 70, unit, inv, 2 * S + 871 * MS)

    # 5. SIGTERM stop of a long-running daemon: clean ('Deactivated successfully.')
    unit, name, inv = "web.service", "web.service - Web Frontend", hex128("inv-web")
    t = t0 + 200 * S
    lifetime(unit, name, inv, t)
    wb = dict(unit=unit, inv=inv, pid=4377, comm="web", exe="/usr/local/bin/web",
              cmdline="/usr/local/bin/web --port 8080", ident="web",
              stream_id=hex128("stream-web"), uid="999")
    j.stream(t + 25 * MS, lines=["web: serving on :8080"], **wb)
    t = t0 + 500 * S
    job = j.next_job()
    j.stopping(t, unit, inv, name, job)
    j.stream(t + 400, lines=["web: received SIGTERM, closing 3 connections"], **wb)
    t += 52 * MS
    j.deactivated(t, unit, inv)
    j.stopped(t + 40, unit, inv, name, job)
    j.consumed(t + 90, unit, inv, 3 * S + 742 * MS)

    # 6. out-of-order pair: the service's last line is received (realtime) after PID 1 logged the
    # exit, but PID 1's _SOURCE_REALTIME_TIMESTAMP is earlier -> displayed times go backwards.
    unit, name, inv = "queue.service", "queue.service - Queue Consumer", hex128("inv-queue")
    t = t0 + 600 * S
    lifetime(unit, name, inv, t)
    q = dict(unit=unit, inv=inv, pid=4410, comm="queue", exe="/usr/local/bin/queue",
             cmdline="/usr/local/bin/queue", ident="queue", stream_id=hex128("stream-queue"))
    t = t + 5 * S
    j.stream(t, lines=["queue: connecting to broker 10.0.0.7:5672"], **q)
    # stream line written at ...092600, PID 1's exit message at source time ...092177 but
    # stored after it (journal order != displayed time order)
    base = t0 + 605 * S + 92 * MS
    j.stream(base + 600, lines=["fatal: cannot open /etc/queue.conf: No such file or directory"], **q)
    j.pid1(base + 177, unit, inv, "%s: Main process exited, code=exited, status=3/NOTIMPLEMENTED" % unit,
           priority=5, code=("src/core/unit.c", j.CODE["process_exit"], "unit_log_process_exit"),
           mid=MID["process_exit"],
           extra=[("EXIT_CODE", "exited"), ("EXIT_STATUS", "3"), ("COMMAND", "ExecStart")])
    # pid1() adds a small delay to __REALTIME; force it after the stream line
    rt, mono, bt, f = j.entries[-1]
    j.entries[-1] = (base + 640, base + 640 - j.boots[bt], bt, f)
    j.failed_result(base + 257, unit, inv, "exit-code")
    rt, mono, bt, f = j.entries[-1]
    j.entries[-1] = (base + 700, base + 700 - j.boots[bt], bt, f)
    return j


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    for name, fn in (("cgroup2-oom-kill", cgroup2_oom_kill), ("oomd-kill", oomd_kill),
                     ("misc-v252", misc_v252)):
        j = fn()
        with open(os.path.join(out, name + ".export"), "wb") as fh:
            fh.write(j.export_bytes())


if __name__ == "__main__":
    main()
