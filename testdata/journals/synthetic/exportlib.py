"""Tiny, deterministic writer of `journalctl -o export` records (stdlib only).

Used by make.py here and by testdata/incidents/dispatch/make.py. Field sets and their order follow
the real systemd 252 journal in shared/real/systemd-lab/journal.export (PID 1 entries, service
stdout entries, kernel entries); message texts follow shared/reference/formats.md.
Nothing here is random: every id and time is passed in or derived from a counter/hash.
"""
import hashlib
import struct

MID = {
    "process_exit": "98e322203f7a4ed290d09fe03c09fe15",
    "unit_failed": "d9b373ed55a64feb8242e02dbe79a49c",
    "unit_success": "7ad2d189f7e94e70a38c781354912448",
    "restart": "5eb03494b6584870a536b337290809b3",
    "resources": "ae8f7b866b0347b9af31fe1c80b127c0",
    "oom_kernel": "fe6faa94e7774663a0da52717891d8ef",
    "oom_oomd": "d989611b15e44c9dbf31e3c81256e4ed",
    "starting": "7d4958e842da4a758f6c1cdc7b36dcc5",
    "started": "39f53479d3a045ac8e11786248231fbf",
    "stopping": "de5b426a63be47a7b6ac3eaac82e2f6f",
    "stopped": "9d1aaa27d60140bd96365438aad20286",
    "start_failed": "be02cf6855d2428ba40df7e9d022f03d",
}

SIGNALS = {1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE",
           9: "KILL", 10: "USR1", 11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM"}
EXIT_NAMES = {0: "SUCCESS", 1: "FAILURE", 2: "INVALIDARGUMENT", 3: "NOTIMPLEMENTED",
              4: "NOPERMISSION", 5: "NOTINSTALLED", 6: "NOTCONFIGURED", 7: "NOTRUNNING",
              203: "EXEC", 255: "EXCEPTION"}


def hex128(seed):
    """Deterministic 128-bit id (32 hex) from a seed string, shaped like the random v4 UUIDs
    that sd_id128_randomize() makes (version nibble 4, variant 10xx)."""
    h = hashlib.sha256(seed.encode()).hexdigest()[:32]
    return h[:12] + "4" + h[13:16] + "89ab"[int(h[16], 16) % 4] + h[17:]


def format_timespan(usec, accuracy=1000):
    """systemd format_timespan() (src/basic/time-util.c), transcribed."""
    table = [("y", 31557600000000), ("month", 2629800000000), ("w", 604800000000),
             ("d", 86400000000), ("h", 3600000000), ("min", 60000000), ("s", 1000000),
             ("ms", 1000), ("us", 1)]
    if usec <= 0:
        return "0"
    if accuracy <= 0:
        accuracy = 1
    parts = []
    t = usec
    something = False
    for suffix, mul in table:
        if t <= 0:
            break
        if t < accuracy and something:
            break
        if t < mul:
            continue
        a, b = t // mul, t % mul
        done = False
        if t < 60000000 and b > 0:
            j = 0
            cc = mul
            while cc > 1:
                j += 1
                cc //= 10
            cc = accuracy
            while cc > 1:
                b //= 10
                j -= 1
                cc //= 10
            if j > 0:
                parts.append("%d.%0*d%s" % (a, j, b, suffix))
                t = 0
                done = True
        if not done:
            parts.append("%d%s" % (a, suffix))
            t = b
        something = True
    return " ".join(parts)


def format_bytes(n):
    """systemd FORMAT_BYTES(): IEC, one (truncated) decimal, no 'i'; below 1K plain 'B'."""
    table = [("E", 1 << 60), ("P", 1 << 50), ("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20),
             ("K", 1 << 10)]
    for i, (suf, fac) in enumerate(table):
        if n >= fac:
            if i != len(table) - 1:
                dec = (n // table[i + 1][1] * 10 // 1024) % 10
            else:
                dec = (n * 10 // fac) % 10
            return "%d.%d%s" % (n // fac, dec, suf)
    return "%dB" % n


def _needs_binary(v):
    return any((c < 32 and c != 9) or c == 127 for c in v) or not _is_utf8(v)


def _is_utf8(v):
    try:
        v.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


class Journal:
    """Collects entries of one or more boots and serializes them as export records."""

    def __init__(self, machine_id, hostname, seqnum_id, v254_seqnum=False):
        self.machine_id = machine_id
        self.hostname = hostname
        self.seqnum_id = seqnum_id
        self.v254_seqnum = v254_seqnum  # journalctl >= v254 prints __SEQNUM/__SEQNUM_ID
        self.entries = []  # (rt, mono, boot, fields)
        self.boots = {}
        self.job_id = 1000
        self._jitter = 0

    def boot(self, boot_id, boot_realtime_us):
        """Register a boot: realtime (µs) at which CLOCK_MONOTONIC was 0."""
        self.boots[boot_id] = boot_realtime_us
        self.cur_boot = boot_id

    def next_job(self):
        self.job_id += 1
        return self.job_id

    def delay(self, lo, hi):
        """Deterministic pseudo-jitter in [lo, hi] µs."""
        self._jitter = (self._jitter * 1103515245 + 12345) & 0x7FFFFFFF
        return lo + self._jitter % (hi - lo + 1)

    def _common_tail(self):
        return [("_MACHINE_ID", self.machine_id), ("_HOSTNAME", self.hostname),
                ("_RUNTIME_SCOPE", "system")]

    def add(self, rt, fields, mono=None, boot=None):
        boot = boot or self.cur_boot
        if mono is None:
            mono = rt - self.boots[boot]
        self.entries.append((rt, mono, boot, fields))

    # ---- PID 1 -------------------------------------------------------------------------------
    def pid1(self, t, unit, inv, msg, priority=6, code=("src/core/unit.c", 0, ""), mid=None,
             extra=(), exe_cmdline="/sbin/init", cap="1ffffffffff"):
        """A message of the system manager logged at source time t (µs, realtime)."""
        f = [("SYSLOG_FACILITY", "3"), ("PRIORITY", str(priority)), ("_UID", "0"), ("_GID", "0")]
        f += self._common_tail()
        f += [("TID", "1"), ("SYSLOG_IDENTIFIER", "systemd"), ("_TRANSPORT", "journal"),
              ("_PID", "1"), ("_COMM", "systemd"), ("_EXE", "/usr/lib/systemd/systemd"),
              ("_CMDLINE", exe_cmdline), ("_CAP_EFFECTIVE", cap),
              ("_SYSTEMD_CGROUP", "/init.scope"), ("_SYSTEMD_UNIT", "init.scope"),
              ("_SYSTEMD_SLICE", "-.slice")]
        if inv is not None:
            f.append(("INVOCATION_ID", inv))
        if unit is not None:
            f.append(("UNIT", unit))
        f += [("CODE_FILE", code[0]), ("CODE_LINE", str(code[1])), ("CODE_FUNC", code[2])]
        if mid:
            f.append(("MESSAGE_ID", mid))
        f.append(("MESSAGE", msg))
        f += list(extra)
        f.append(("_SOURCE_REALTIME_TIMESTAMP", str(t)))
        self.add(t + self.delay(20, 90), f)
        return t

    # ---- other native-protocol senders (systemd-oomd, ...) --------------------------------------
    def native(self, t, ident, pid, comm, exe, cmdline, unit, inv, msg, priority=5, uid="0",
               code=None, extra=(), cap="0", facility="3", slice_="system.slice"):
        f = [("SYSLOG_FACILITY", facility), ("PRIORITY", str(priority)), ("_UID", uid),
             ("_GID", uid), ("_SYSTEMD_SLICE", slice_)]
        f += self._common_tail()
        f += [("_TRANSPORT", "journal"), ("TID", str(pid))]
        if code:
            f += [("CODE_FILE", code[0]), ("CODE_LINE", str(code[1])), ("CODE_FUNC", code[2])]
        f += [("SYSLOG_IDENTIFIER", ident), ("MESSAGE", msg)]
        f += list(extra)
        f += [("_PID", str(pid)), ("_COMM", comm), ("_EXE", exe), ("_CMDLINE", cmdline),
              ("_CAP_EFFECTIVE", cap), ("_SYSTEMD_CGROUP", "/%s/%s" % (slice_, unit)),
              ("_SYSTEMD_UNIT", unit), ("_SYSTEMD_INVOCATION_ID", inv),
              ("_SOURCE_REALTIME_TIMESTAMP", str(t))]
        self.add(t + self.delay(20, 90), f)

    # ---- service stdout/stderr (journald stream transport) ---------------------------------------
    def stream(self, t, unit, inv, pid, comm, exe, cmdline, ident, stream_id, lines,
               step=0, uid="0", cap="0", slice_="system.slice", priority=6):
        """One entry per line; empty lines dropped; trailing whitespace dropped (as journald
        252 did in the real lab journal: Bun's 'Features: jsc ' arrives as 'Features: jsc').
        Returns the time after the last line."""
        for line in lines:
            line = line.rstrip(" ")
            if line == "":
                continue
            f = [("SYSLOG_FACILITY", "3"), ("PRIORITY", str(priority)), ("_UID", uid),
                 ("_GID", uid), ("_SYSTEMD_SLICE", slice_)]
            f += self._common_tail()
            f += [("_CAP_EFFECTIVE", cap), ("_TRANSPORT", "stdout"), ("_STREAM_ID", stream_id),
                  ("SYSLOG_IDENTIFIER", ident), ("MESSAGE", line), ("_PID", str(pid)),
                  ("_COMM", comm), ("_EXE", exe), ("_CMDLINE", cmdline),
                  ("_SYSTEMD_CGROUP", "/%s/%s" % (slice_, unit)), ("_SYSTEMD_UNIT", unit),
                  ("_SYSTEMD_INVOCATION_ID", inv)]
            self.add(t, f)
            t += step
        return t

    # ---- kernel ------------------------------------------------------------------------------
    def kernel(self, t, lines, priority=6, step=3):
        """Kernel printk records: _SOURCE_MONOTONIC_TIMESTAMP = printk time; journald reads
        them a little later."""
        boot_rt = self.boots[self.cur_boot]
        d = self.delay(150, 400)  # journald reads /dev/kmsg in order: one lag for the batch
        for line in lines:
            if isinstance(line, tuple):
                prio, line = line
            else:
                prio = priority
            mono_src = t - boot_rt
            f = [("_SOURCE_MONOTONIC_TIMESTAMP", str(mono_src)), ("_TRANSPORT", "kernel"),
                 ("PRIORITY", str(prio)), ("SYSLOG_FACILITY", "0"),
                 ("SYSLOG_IDENTIFIER", "kernel"), ("MESSAGE", line)]
            f += self._common_tail()
            self.add(t + d, f)
            t += step
        return t

    # ---- common PID 1 sequences --------------------------------------------------------------
    def starting(self, t, unit, inv, name, job):
        return self.pid1(t, unit, inv, "Starting %s..." % name,
                         code=("src/core/job.c", self.CODE["job_start"], "job_emit_start_message"),
                         mid=MID["starting"], extra=[("JOB_ID", str(job)), ("JOB_TYPE", "start")])

    def started(self, t, unit, inv, name, job, verb="Started"):
        return self.pid1(t, unit, inv, "%s %s." % (verb, name),
                         code=("src/core/job.c", self.CODE["job_done"], "job_emit_done_message"),
                         mid=MID["started"],
                         extra=[("JOB_ID", str(job)), ("JOB_TYPE", "start"), ("JOB_RESULT", "done")])

    def stopping(self, t, unit, inv, name, job):
        return self.pid1(t, unit, inv, "Stopping %s..." % name,
                         code=("src/core/job.c", self.CODE["job_start"], "job_emit_start_message"),
                         mid=MID["stopping"], extra=[("JOB_ID", str(job)), ("JOB_TYPE", "stop")])

    def stopped(self, t, unit, inv, name, job, job_type="stop"):
        return self.pid1(t, unit, inv, "Stopped %s." % name,
                         code=("src/core/job.c", self.CODE["job_done"], "job_emit_done_message"),
                         mid=MID["stopped"],
                         extra=[("JOB_ID", str(job)), ("JOB_TYPE", job_type), ("JOB_RESULT", "done")])

    def process_exit(self, t, unit, inv, code, status, command="ExecStart", kind="Main process"):
        if code == "exited":
            name = EXIT_NAMES.get(status, "n/a")
            prio = 5
        else:
            name = SIGNALS.get(status, str(status))
            prio = 4
        return self.pid1(t, unit, inv, "%s: %s exited, code=%s, status=%d/%s" %
                         (unit, kind, code, status, name), priority=prio,
                         code=("src/core/unit.c", self.CODE["process_exit"], "unit_log_process_exit"),
                         mid=MID["process_exit"],
                         extra=[("EXIT_CODE", code), ("EXIT_STATUS", str(status)),
                                ("COMMAND", command)])

    def failed_result(self, t, unit, inv, result):
        return self.pid1(t, unit, inv, "%s: Failed with result '%s'." % (unit, result), priority=4,
                         code=("src/core/unit.c", self.CODE["failure"], "unit_log_failure"),
                         mid=MID["unit_failed"], extra=[("UNIT_RESULT", result)])

    def deactivated(self, t, unit, inv):
        return self.pid1(t, unit, inv, "%s: Deactivated successfully." % unit,
                         code=("src/core/unit.c", self.CODE["success"], "unit_log_success"),
                         mid=MID["unit_success"])

    def scheduled_restart(self, t, unit, inv, n):
        return self.pid1(t, unit, inv,
                         "%s: Scheduled restart job, restart counter is at %d." % (unit, n),
                         code=("src/core/service.c", self.CODE["restart"], "service_enter_restart"),
                         mid=MID["restart"], extra=[("N_RESTARTS", str(n))])

    def consumed(self, t, unit, inv, cpu_usec, mem_peak=None, swap_peak=None):
        """v243-v254: 'Consumed X CPU time.'; v255: '..., X memory peak, X memory swap peak.'"""
        text = "consumed %s CPU time" % format_timespan(cpu_usec, 1000)
        extra = [("CPU_USAGE_NSEC", str(cpu_usec * 1000))]
        if mem_peak is not None:
            text += ", %s memory peak, %s memory swap peak" % (format_bytes(mem_peak),
                                                               format_bytes(swap_peak or 0))
            extra += [("MEMORY_PEAK", str(mem_peak)), ("MEMORY_SWAP_PEAK", str(swap_peak or 0))]
        text = text[0].upper() + text[1:]
        prio = 6
        if cpu_usec > 600 * 1000000:
            prio = 5
        return self.pid1(t, unit, inv, "%s: %s." % (unit, text), priority=prio,
                         code=("src/core/unit.c", self.CODE["resources"], "unit_log_resources"),
                         mid=MID["resources"], extra=extra)

    # ---- serialization -----------------------------------------------------------------------
    def export_bytes(self):
        out = bytearray()
        seq = 0
        # journald stores entries in arrival order, i.e. by __REALTIME_TIMESTAMP (stable sort:
        # entries that arrive in the same microsecond keep their order)
        for rt, mono, boot, fields in sorted(self.entries, key=lambda e: e[0]):
            seq += 1
            body = b"".join((k + "=").encode() + (v if isinstance(v, bytes) else v.encode())
                            for k, v in fields)
            xh = hashlib.sha256(body).hexdigest()[:16].lstrip("0") or "0"
            out += ("__CURSOR=s=%s;i=%x;b=%s;m=%x;t=%x;x=%s\n" %
                    (self.seqnum_id, seq, boot, mono, rt, xh)).encode()
            out += b"__REALTIME_TIMESTAMP=%d\n" % rt
            out += b"__MONOTONIC_TIMESTAMP=%d\n" % mono
            if self.v254_seqnum:
                out += b"__SEQNUM=%d\n" % seq
                out += ("__SEQNUM_ID=%s\n" % self.seqnum_id).encode()
            out += ("_BOOT_ID=%s\n" % boot).encode()
            for k, v in fields:
                if isinstance(v, str):
                    v = v.encode()
                if _needs_binary(v):
                    out += k.encode() + b"\n" + struct.pack("<Q", len(v)) + v + b"\n"
                else:
                    out += k.encode() + b"=" + v + b"\n"
            out += b"\n"
        return bytes(out)


# CODE_LINE values of Debian's systemd 252.39 as seen in shared/real/systemd-lab/journal.export
# (job.c, unit.c, service.c); lines not seen there are marked approximate in the README.
CODE_V252 = {
    "job_start": 580, "job_done": 767, "process_exit": 5671, "failure": 5629, "success": 5618,
    "restart": 2373, "resources": 2293, "oom": 3271, "oomd": 3214,
}
