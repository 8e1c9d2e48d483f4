"""Journal entries as `journalctl -o export` writes them, for the golden tests that feed
crashsift a synthetic stream: one boot of host h1, PID 1's lines with the fields systemd gives
them. Imported by the tests/golden/*.sh scripts (their PYTHONPATH names this folder)."""

BOOT_ID = "5c1f0e2d3b4a69788796a5b4c3d2e1f0"
BOOT_TIME = 1789000000000000  # the boot's realtime, in µs: __MONOTONIC_TIMESTAMP counts from it


def entry(t, fields, boot_time=BOOT_TIME):
    """One entry at realtime t (µs) with the given (name, value) fields."""
    s = "__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n_HOSTNAME=h1\n" % (t, t - boot_time, BOOT_ID)
    return s + "".join("%s=%s\n" % kv for kv in fields) + "\n"


def pid1(t, unit, msg, boot_time=BOOT_TIME):
    """A line of the service manager about unit."""
    return entry(t, [("_PID", "1"), ("SYSLOG_IDENTIFIER", "systemd"), ("_TRANSPORT", "journal"), ("UNIT", unit),
                     ("MESSAGE", msg)], boot_time)
