#!/usr/bin/env python3
"""A tiny service that logs JSON lines with the standard `logging` module only (no pip
packages): a logging.Formatter subclass turns each record into json.dumps(...). Every line has
Python's default `asctime` ("2024-03-05 10:11:12,345": comma millis, local time, no offset) and
periodic records carry `rss_kib`, the VmRSS line of /proc/self/status (kB = KiB).

It starts, grows a cache while it works (RSS rises), logs a handled error with a traceback and
stops. Usage: APP_LOG=app.ndjson python3 service.py   (see capture.sh)"""
import json
import logging
import os
import time


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])  # "VmRSS:     9876 kB"
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object per record; extra={"fields": {...}} adds fields at the top level."""

    def format(self, record):
        out = {
            "asctime": self.formatTime(record),  # default datefmt: "%Y-%m-%d %H:%M:%S,mmm"
            "levelname": record.levelname,
            "name": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        out.update(getattr(record, "fields", {}))
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(out)


def main():
    handler = logging.FileHandler(os.environ.get("APP_LOG", "app.ndjson"))
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("worker")
    log.addHandler(handler)
    log.setLevel(logging.INFO)

    log.info("service started", extra={"fields": {"version": "1.0.3"}})
    cache = []
    for tick in range(30):
        jobs = tick % 4
        for _ in range(jobs):
            cache.append(bytearray(1 << 20))  # 1 MiB per job, kept: the cache grows with load
        log.info("memory", extra={"fields": {"rss_kib": rss_kib(), "active_jobs": jobs,
                                             "cache_entries": len(cache)}})
        time.sleep(0.1)
    try:
        {}["missing"]
    except KeyError:
        log.exception("job failed")
    log.info("memory", extra={"fields": {"rss_kib": rss_kib(), "active_jobs": 0,
                                         "cache_entries": len(cache)}})
    log.info("shutting down")


if __name__ == "__main__":
    main()
