#!/usr/bin/env python3
"""Bundled example incident (issue 5): a reconstruction of the Dispatch crash loop of 2026-06-28
described in shared/seeds/crash-investigation-findings.txt.

Writes, deterministically (fixed ids, times, pids; stdlib only):
  journal.export   `journalctl -o export` records in the formats of systemd 255 (Ubuntu 24.04
                   style host, StatusUnitFormat=combined, zone Asia/Tokyo): dispatch.service, a
                   compiled Bun binary (SYSLOG_IDENTIFIER dispatch-server), Restart=always,
                   RestartSec=5s; 20 exits on 2026-06-28 JST (5 Bun 1.3.13 segfaults, 1 exit-1 on
                   Bun 1.3.14, 14 clean stops/self-restarts); plus two unrelated oneshot units
  app.ndjson.1     rotated app telemetry (07:44:30 .. 09:10:30 JST)
  app.ndjson       current app telemetry (09:10:30 .. 09:52:40 JST)
  unit.conf        the unit's settings as `systemctl cat`/`show` would give them
                   (MemoryMax=24G, MemoryHigh=20G)
FACTS.md (hand-written) lists what a report must state.
Run: python3 make.py && TZ=Asia/Tokyo ../../journals/synthetic/render.sh .
"""
import calendar
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "..", "journals", "synthetic"))
from exportlib import Journal, MID, hex128  # noqa: E402

S = 1000000
MS = 1000
JST = 9 * 3600 * S

UNIT = "dispatch.service"
NAME = "dispatch.service - Dispatch"
EXE = "/opt/dispatch/bin/dispatch-server"
IDENT = "dispatch-server"
UID = "998"
PORT = 24991

# CODE_LINE values: systemd 255 source positions are approximate (see README provenance).
CODE_V255 = {"job_start": 596, "job_done": 783, "process_exit": 5918, "failure": 5876,
             "success": 5867, "restart": 2652, "resources": 2464}


def jst(mo, d, h, mi, s, ms=0):
    """Microseconds since the epoch of a JST wall-clock time in 2026."""
    return (calendar.timegm((2026, mo, d, h, mi, s, 0, 0, 0)) * S) + ms * MS - JST


def iso_jst(us):
    """App log time: ISO 8601 with milliseconds and +09:00."""
    sec, rem = divmod(us + JST, S)
    st = time.gmtime(sec)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03d+09:00" % (st.tm_year, st.tm_mon, st.tm_mday,
                                                          st.tm_hour, st.tm_min, st.tm_sec,
                                                          rem // MS)


MiB = 1 << 20
GiB = 1 << 30

# ---- the 21 lifetimes of dispatch.service ---------------------------------------------------------
# (start JST, end JST or None, how it ended, Bun version, pid, systemd memory peak, CPU µs)
#   segv   : Bun 1.3.13 crash banner, code=dumped status=4/ILL, result core-dump, auto restart
#   exit1  : uncaught ssh2 error, code=exited status=1/FAILURE, result exit-code, auto restart
#   exit0  : the app exits 0 after an admin-API restart request; Restart=always restarts it
#   oprst  : `systemctl restart dispatch` (SIGTERM, handler exits 0): clean
#   opstop : `systemctl stop dispatch` (clean); the operator then swaps the binary and starts it
L = [
    (jst(6, 27, 21, 42, 5, 318), jst(6, 28, 0, 12, 31, 604), "segv", "1.3.13", 41207, int(6.25 * GiB), 3723456000),
    (jst(6, 28, 0, 12, 36, 702), jst(6, 28, 0, 45, 18, 233), "segv", "1.3.13", 58811, int(3.45 * GiB), 1204871000),
    (jst(6, 28, 0, 45, 23, 331), jst(6, 28, 0, 57, 49, 871), "segv", "1.3.13", 60342, int(1.15 * GiB), 402114000),
    (jst(6, 28, 0, 57, 54, 969), jst(6, 28, 1, 31, 40, 115), "oprst", "1.3.13", 61028, 412 * MiB + 7 * 1024 * 37, 95233000),
    (jst(6, 28, 1, 31, 40, 402), jst(6, 28, 2, 4, 12, 557), "exit0", "1.3.13", 63119, 301 * MiB + 512 * 1024, 61870000),
    (jst(6, 28, 2, 4, 17, 655), jst(6, 28, 2, 38, 55, 18), "oprst", "1.3.13", 63874, 288 * MiB + 300 * 1024, 58412000),
    (jst(6, 28, 2, 38, 55, 301), jst(6, 28, 3, 12, 20, 446), "exit0", "1.3.13", 64990, 97 * MiB + 800 * 1024, 14207000),
    (jst(6, 28, 3, 12, 25, 544), jst(6, 28, 4, 45, 9, 730), "oprst", "1.3.13", 66213, 96 * MiB + 100 * 1024, 33158000),
    (jst(6, 28, 4, 45, 10, 12), jst(6, 28, 5, 33, 18, 204), "exit0", "1.3.13", 67521, 95 * MiB + 900 * 1024, 18044000),
    (jst(6, 28, 5, 33, 23, 302), jst(6, 28, 6, 20, 31, 655), "exit0", "1.3.13", 68933, 131 * MiB + 200 * 1024, 21977000),
    (jst(6, 28, 6, 20, 36, 753), jst(6, 28, 7, 2, 47, 91), "oprst", "1.3.13", 70455, 623 * MiB + 100 * 1024, 88310000),
    (jst(6, 28, 7, 2, 47, 377), jst(6, 28, 7, 40, 3, 512), "exit0", "1.3.13", 71802, 540 * MiB + 400 * 1024, 79121000),
    (jst(6, 28, 7, 40, 8, 610), jst(6, 28, 7, 58, 26, 284), "oprst", "1.3.13", 72650, 98 * MiB + 600 * 1024, 7902000),
    (jst(6, 28, 7, 58, 26, 571), jst(6, 28, 8, 21, 14, 839), "exit0", "1.3.13", 73904, 97 * MiB + 300 * 1024, 9115000),
    (jst(6, 28, 8, 21, 19, 937), jst(6, 28, 8, 33, 50, 176), "oprst", "1.3.13", 74877, 702 * MiB + 500 * 1024, 64350000),
    (jst(6, 28, 8, 33, 50, 460), jst(6, 28, 8, 50, 33, 391), "segv", "1.3.13", 75626, int(1.95 * GiB), 398112000),
    (jst(6, 28, 8, 50, 38, 489), jst(6, 28, 9, 4, 5, 120), "oprst", "1.3.13", 76014, 101 * MiB + 200 * 1024, 12044000),
    (jst(6, 28, 9, 4, 7, 406), jst(6, 28, 9, 5, 12, 583), "segv", "1.3.13", 76101, 370 * MiB, 41218000),
    (jst(6, 28, 9, 5, 17, 681), jst(6, 28, 9, 5, 58, 207), "opstop", "1.3.13", 76188, 99 * MiB + 100 * 1024, 1912000),
    (jst(6, 28, 9, 6, 21, 93), jst(6, 28, 9, 22, 4, 318), "exit1", "1.3.14", 76342, int(2.75 * GiB), 581532000),
    (jst(6, 28, 9, 22, 9, 416), None, None, "1.3.14", 77890, None, None),
]
JOURNAL_END = jst(6, 28, 9, 52, 40, 0)
ROTATE_AT = jst(6, 28, 9, 10, 30, 0)
TELEMETRY_FROM = jst(6, 28, 7, 44, 30, 0)

BUN_SHA = {"1.3.13": "bf2e2cec", "1.3.14": "0d9b296a"}


def exit_time(idx):
    """Time of the PID 1 line that ends lifetime idx (exit line, or Deactivated for clean ones)."""
    start, end, kind, ver, pid, peak, cpu = L[idx]
    if kind == "segv":
        return end + DUMP_MS.get(idx, 612) * MS  # the core goes to the pipe first
    return end


DUMP_MS = {0: 4210, 1: 2307}


def compute_starts():
    """Start ('Started' line) of each lifetime: RestartSec=5s after an automatic restart, right
    after the stop for `systemctl restart`, explicit after `systemctl stop` + `start`."""
    starts = [L[0][0]]
    for idx in range(1, len(L)):
        pstart, pend, pkind = L[idx - 1][0], L[idx - 1][1], L[idx - 1][2]
        if pkind in ("segv", "exit1"):
            sched = exit_time(idx - 1) + 5 * S + 1021
        elif pkind == "exit0":
            sched = pend + 5 * S + 1 * MS + 900
        elif pkind == "oprst":
            starts.append(pend + 287 * MS + 2 * MS + 411)
            continue
        else:
            starts.append(L[idx][0])
            continue
        starts.append(sched + 420 + 2 * MS + 411)
    return starts


STARTS = None


def bun_report_url(version, pid):
    h = hex128("bunreport-%s-%d" % (version, pid))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    tail = "".join(alphabet[int(h[i:i + 2], 16) % 64] for i in range(0, 32, 2))
    return " https://bun.report/%s/la1%sAggggC%s%sA2AA" % (version, BUN_SHA[version][:7], tail,
                                                            tail[::-1][:12])


def fmt_mb(n):
    """Bun's memory figures (1.3.x banner): decimal MB/GB with two decimals."""
    if n >= 1000 ** 3:
        return "%.2fGB" % (n / 1000 ** 3)
    return "%.2fMB" % (n / 1000 ** 2)


def bun_banner(version, pid, elapsed_ms, user_ms, sys_ms, rss, peak):
    return [
        "============================================================",
        "Bun v%s (%s) Linux x64" % (version, BUN_SHA[version]),
        "Linux Kernel v6.8.0 | glibc v2.39",
        "CPU: sse42 popcnt avx avx2",
        'Args: "%s"' % EXE,
        "Features: Bun.stdin(2) fetch(1532) jsc spawn(212) standalone_executable ",
        'Builtins: "bun:main" "node:buffer" "node:child_process" "node:crypto" "node:events" "node:fs" "node:net" "node:os" "node:path" "node:stream" "node:zlib" ',
        "Elapsed: %dms | User: %dms | Sys: %dms" % (elapsed_ms, user_ms, sys_ms),
        "RSS: %s | Peak: %s | Commit: %s | Faults: %d | Machine: 67.35GB" % (
            fmt_mb(rss), fmt_mb(peak), fmt_mb(rss + 41 * 1000 ** 2), 17 + pid % 40),
        "",
        "panic(main thread): Segmentation fault at address 0x0",
        "oh no: Bun has crashed. This indicates a bug in Bun, not your code.",
        "",
        "To send a redacted crash report to Bun's team,",
        "please file a GitHub issue using the link below:",
        "",
        bun_report_url(version, pid),
        "",
    ]


# ---- memory profile of the telemetry window (rss bytes, activeConversations) -------------------
IDLE_RSS = 84 * MiB  # 88080384


def idle(k):
    """Idle sample: flat at 84 MiB, a page or two of jitter, no growth."""
    return IDLE_RSS + ((k * 7) % 3 - 1) * 4096, 0


def profile(idx, k, n, start):
    """rss and activeConversations of sample k (0-based) of lifetime idx (0-based) with n samples."""
    if idx in (12, 13, 16, 18, 20):  # idle lifetimes in the telemetry window
        if idx == 16 and k >= 12:  # 08:56..09:04: a little activity before the restart
            return 96 * MiB + k * 310 * 1024, 1
        return idle(k)
    if idx == 14:  # 08:21..08:33: moderate load
        ramp = min(k, 12)
        return 96 * MiB + ramp * 46 * MiB + (k % 3) * 2 * MiB, 2 + (k % 2)
    if idx == 15:  # 08:33..08:50: load rising into GB, segfault at 1.8 GB
        return 110 * MiB + k * (1720 * MiB // max(1, n - 1)), min(6, 2 + k // 8)
    if idx == 17:  # 09:04..09:05: fast rise, segfault at ~370 MB after 1 min
        return [212 * MiB + 300 * 1024, 351 * MiB + 700 * 1024][k], 3
    if idx == 19:  # 09:06..09:22 on Bun 1.3.14: up to 2.6 GB, back to 116 MB at the end
        table = [91, 140, 260, 420, 610, 820, 1050, 1290, 1510, 1720, 1900, 2080, 2230, 2360,
                 2460, 2530, 2585, 2540, 2310, 1980, 1610, 1240, 900, 640, 420, 300, 220, 170,
                 140, 131, 116]
        ac = [1, 2, 3, 4, 5, 5, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 6, 6, 5, 5, 5, 4, 4, 4, 4, 4,
              4, 4, 4, 4]
        v = table[k] * MiB
        if k == 30:
            v = 121634816  # 116 MiB exactly, the last sample before the 09:22:04 exit
        return v, ac[k]
    if idx == 11:  # 07:02..07:40 (only its tail is in the retained telemetry)
        return 180 * MiB - k * MiB, 1
    return idle(k)


def heap(rss, ac, k):
    used = int(rss * 0.38) + (k % 5) * 65536
    total = int(rss * 0.46) + (1 << 20)
    if ac == 0:
        used, total = 31 * MiB + 212 * 1024 + (k % 3) * 4096, 38 * MiB
    external = 4 * MiB + 300 * 1024 + ac * 2 * MiB
    return used, total, external


def build():
    global STARTS
    STARTS = compute_starts()
    j = Journal(machine_id=hex128("machine-dispatch-prod"), hostname="dispatch-prod",
                seqnum_id=hex128("seqnum-dispatch"), v254_seqnum=True)
    j.CODE = CODE_V255
    boot = hex128("boot-dispatch-2026-06-20")
    j.boot(boot, jst(6, 20, 4, 11, 37, 250) + 12345)
    app = []  # (time µs, dict) — app.ndjson lines

    def app_event(t, d):
        app.append((t, d))

    def svc(idx):
        start, end, kind, ver, pid, peak, cpu = L[idx]
        return dict(unit=UNIT, inv=hex128("dispatch-inv-%d" % idx), pid=pid,
                    comm="dispatch-server", exe=EXE, cmdline=EXE, ident=IDENT,
                    stream_id=hex128("dispatch-stream-%d" % idx), uid=UID)

    def boot_lines(idx, t_started):
        start, end, kind, ver, pid, peak, cpu = L[idx]
        s = svc(idx)
        j.stream(t_started + 183 * MS, lines=[
            "dispatch-server starting (Bun v%s, pid %d)" % (ver, pid),
        ], **s)
        j.stream(t_started + 611 * MS, lines=["listening on http://127.0.0.1:%d" % PORT], **s)
        tb = t_started + 540 * MS
        app_event(tb, {"level": "info", "msg": "boot", "version": ver, "pid": pid, "port": PORT})
        swept = {1: 3, 2: 2, 3: 2, 15: 2, 16: 6, 18: 3, 20: 4}.get(idx, 0)
        app_event(tb + 35 * MS, {"level": "info", "msg": "conversation-store:boot-sweep",
                                 "swept": swept, "pid": pid})
        if swept:
            app_event(tb + 61 * MS, {"level": "info", "msg": "reconcile.repair",
                                     "conversations": swept, "orphanedToolCalls": swept + 1,
                                     "pid": pid})
        app_event(tb + 72 * MS, {"level": "info", "msg": "http:listen", "port": PORT, "pid": pid})

    def start_job(t, idx, job=None):
        inv = hex128("dispatch-inv-%d" % idx)
        if job is None:
            job = j.next_job()
        j.starting(t, UNIT, inv, NAME, job)
        t_started = t + 2 * MS + 411
        j.started(t_started, UNIT, inv, NAME, job)
        boot_lines(idx, t_started)
        return t_started

    # noise: unrelated units
    def oneshot(t, unit, name, pid, ident, exe, cmdline, line):
        inv = hex128("inv-" + unit + str(t))
        job = j.next_job()
        j.starting(t, unit, inv, "%s - %s" % (unit, name), job)
        j.stream(t + 21 * MS, unit, inv, pid, ident[:15], exe, cmdline, ident,
                 hex128("stream-" + unit + str(t)), [line])
        j.deactivated(t + 212 * MS, unit, inv)
        j.started(t + 212 * MS + 40, unit, inv, "%s - %s" % (unit, name), job, verb="Finished")

    oneshot(jst(6, 28, 0, 0, 3, 11), "logrotate.service", "Rotate log files", 57120, "logrotate",
            "/usr/sbin/logrotate", "/usr/sbin/logrotate /etc/logrotate.conf",
            "error: skipping \"/var/log/dispatch/app.ndjson\" because parent directory has insecure permissions (It's world writable or writable by group which is not \"root\") Set \"su\" directive in config file to tell logrotate which user/group should be used for rotation.")
    oneshot(jst(6, 28, 9, 37, 12, 402), "systemd-tmpfiles-clean.service",
            "Cleanup of Temporary Directories", 78211, "systemd-tmpfiles",
            "/usr/bin/systemd-tmpfiles", "systemd-tmpfiles --clean",
            "Detected unsafe path transition / -> /tmp/.X11-unix during canonicalization of /tmp/.X11-unix.")

    # ---- dispatch.service lifetimes -------------------------------------------------------------
    n_restarts = 0
    pending = None  # how the next start happens
    start_job(STARTS[0] - 2 * MS - 411, 0)
    for idx, (_, end, kind, ver, pid, peak, cpu) in enumerate(L):
        start = STARTS[idx]
        inv = hex128("dispatch-inv-%d" % idx)
        s = svc(idx)
        if idx > 0:
            if pending[0] == "auto":
                # RestartSec=5s elapsed: restart job (Scheduled -> Stopped -> Starting -> Started)
                t = pending[1]
                prev_inv = hex128("dispatch-inv-%d" % (idx - 1))
                n_restarts += 1
                j.scheduled_restart(t, UNIT, prev_inv, n_restarts)
                job = j.next_job()
                j.stopped(t + 310, UNIT, prev_inv, NAME, job, job_type="restart")
                start_job(t + 420, idx, job)
            elif pending[0] == "manual-restart":
                start_job(pending[1], idx, pending[2])
            elif pending[0] == "manual-start":
                n_restarts = 0
                start_job(pending[1], idx)
        if end is None:
            break
        # ---- the end of this lifetime
        if kind == "segv":
            up_ms = (end - start) // MS
            banner = bun_banner(ver, pid, up_ms, int(cpu / MS * 0.91), int(cpu / MS * 0.09),
                                int(peak * 0.962), int(peak * 0.987))
            tb = end - 3 * MS
            j.stream(tb, lines=banner, step=7, **s)
            tx = exit_time(idx)
            j.process_exit(tx, UNIT, inv, "dumped", 4)
            j.failed_result(tx + 96, UNIT, inv, "core-dump")
            j.consumed(tx + 171, UNIT, inv, cpu, peak, 0)
            pending = ("auto", tx + 5 * S + 1021)
        elif kind == "exit1":
            tb = end - 4 * MS
            j.stream(tb, lines=[
                "error: Timed out while waiting for handshake",
                "      at emitError (node:events:51:13)",
                "      at <anonymous> (/$bunfs/root/dispatch-server:16:75617)",
                "",
                "Bun v%s (Linux x64)" % ver,
            ], step=61, **s)
            tx = end
            j.process_exit(tx, UNIT, inv, "exited", 1)
            j.failed_result(tx + 88, UNIT, inv, "exit-code")
            j.consumed(tx + 160, UNIT, inv, cpu, peak, 0)
            pending = ("auto", tx + 5 * S + 1007)
        elif kind == "exit0":
            j.stream(end - 9 * MS, lines=["restart requested via admin API, exiting"], **s)
            app_event(end - 12 * MS, {"level": "info", "msg": "admin:restart",
                                      "requestedBy": "ops@dispatch", "pid": pid})
            j.deactivated(end + 1 * MS + 207, UNIT, inv)
            j.consumed(end + 1 * MS + 266, UNIT, inv, cpu, peak, 0)
            pending = ("auto", end + 5 * S + 1 * MS + 900)
        elif kind in ("oprst", "opstop"):
            t = end - 281 * MS  # operator command
            job = j.next_job()
            j.pid1(t, UNIT, inv, "Stopping %s..." % NAME,
                   code=("src/core/job.c", CODE_V255["job_start"], "job_emit_start_message"),
                   mid=MID["stopping"], extra=[("JOB_ID", str(job)), ("JOB_TYPE", "stop")])
            j.stream(t + 2 * MS + 310, lines=["received SIGTERM, shutting down"], **s)
            app_event(t + 2 * MS, {"level": "info", "msg": "shutdown", "signal": "SIGTERM",
                                   "pid": pid})
            j.deactivated(end, UNIT, inv)
            j.stopped(end + 52, UNIT, inv, NAME, job,
                      job_type="restart" if kind == "oprst" else "stop")
            j.consumed(end + 118, UNIT, inv, cpu, peak, 0)
            if kind == "oprst":
                n_restarts = 0
                pending = ("manual-restart", end + 287 * MS, job)
            else:
                pending = ("manual-start", STARTS[idx + 1] - 2 * MS - 411)

    # ---- app telemetry: memory:periodic every 30 s per lifetime + assorted events ---------------
    for idx, (_, end, kind, ver, pid, peak, cpu) in enumerate(L):
        start = STARTS[idx]
        stop = end if end is not None else JOURNAL_END + 1
        first = ((start + S - 1) // S) * S + 30 * S  # whole seconds, 30 s after start
        ts = list(range(first, stop, 30 * S))
        for k, t in enumerate(ts):
            rss, ac = profile(idx, k, len(ts), start)
            used, total, ext = heap(rss, ac, k)
            app_event(t, {"level": "info", "msg": "memory:periodic", "rss": rss,
                          "heapUsed": used, "heapTotal": total, "external": ext,
                          "activeConversations": ac, "pid": pid})
            if ac >= 2 and k % 4 == 1:
                app_event(t + 4 * S + 211 * MS, {"level": "info", "msg": "turn:end",
                                                 "conversationId": "c_%s" % hex128("c%d%d" % (idx, k))[:12],
                                                 "steps": 3 + k % 9, "durationMs": 41000 + 1733 * k,
                                                 "pid": pid})
            if ac >= 5 and k % 6 == 3:
                app_event(t + 9 * S + 87 * MS, {"level": "info", "msg": "memory:gc",
                                                "rssBefore": rss, "rssAfter": int(rss * 0.93),
                                                "pid": pid})
            if ac >= 3 and k % 10 == 7:
                app_event(t + 13 * S + 402 * MS, {"level": "warn", "msg": "provider:retry",
                                                  "provider": "anthropic", "attempt": 2,
                                                  "status": 529, "pid": pid})
    # ssh pool activity in the 1.3.14 lifetime (the connection that later drops)
    pid20 = L[19][4]
    app_event(jst(6, 28, 9, 7, 40, 118), {"level": "info", "msg": "ssh:connect",
                                          "computer": "build-box", "state": "ready",
                                          "pid": pid20})
    app_event(jst(6, 28, 9, 19, 2, 771), {"level": "info", "msg": "ssh:connect",
                                          "computer": "gpu-runner", "state": "ready",
                                          "pid": pid20})
    app_event(jst(6, 28, 9, 21, 57, 306), {"level": "info", "msg": "turn:step",
                                           "conversationId": "c_4f1e0a9b2c7d", "tool": "ssh.exec",
                                           "computer": "build-box", "pid": pid20})
    app.sort(key=lambda e: e[0])
    return j, app


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    j, app = build()
    with open(os.path.join(out, "journal.export"), "wb") as fh:
        fh.write(j.export_bytes())
    lines_old, lines_new = [], []
    for t, d in app:
        if t < TELEMETRY_FROM or t > JOURNAL_END:
            continue
        rec = {"time": iso_jst(t)}
        rec.update(d)
        line = json.dumps(rec, separators=(",", ":"))
        (lines_old if t < ROTATE_AT else lines_new).append(line)
    with open(os.path.join(out, "app.ndjson.1"), "w") as fh:
        fh.write("\n".join(lines_old) + "\n")
    with open(os.path.join(out, "app.ndjson"), "w") as fh:
        fh.write("\n".join(lines_new) + "\n")
    with open(os.path.join(out, "unit.conf"), "w") as fh:
        fh.write(UNIT_CONF)


UNIT_CONF = """\
# /etc/systemd/system/dispatch.service (+ drop-in from `systemctl set-property`), as printed by
# `systemctl cat dispatch`. Synthetic: written by make.py for the bundled example incident.
# `systemctl show dispatch -p MemoryMax -p MemoryHigh` on that host printed:
#   MemoryMax=25769803776
#   MemoryHigh=21474836480
[Unit]
Description=Dispatch
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=dispatch
Group=dispatch
ExecStart=/opt/dispatch/bin/dispatch-server
Environment=DISPATCH_JOURNAL=/var/log/dispatch/app.ndjson
Environment=PORT=24991
SyslogIdentifier=dispatch-server
Restart=always
RestartSec=5s

[Install]
WantedBy=multi-user.target

# /etc/systemd/system.control/dispatch.service.d/50-MemoryMax.conf
[Service]
MemoryMax=24G

# /etc/systemd/system.control/dispatch.service.d/50-MemoryHigh.conf
[Service]
MemoryHigh=20G
"""

if __name__ == "__main__":
    main()
