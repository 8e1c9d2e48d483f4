#!/usr/bin/env python3
"""Generates a large pino-style app.ndjson for benchmarking `crashsift memory`.

~5% of lines are `memory:periodic` samples (rss, heapUsed, activeConversations), the rest are
assorted request/db/tool events, about 1% of them with multi-KB payloads, plus rare errors
and a restart (cold_start) every ~1M lines. Deterministic for a given seed.

Usage: gen_app_ndjson.py SIZE OUT [--seed N]     SIZE like 1G, 4G, 200M
"""
import argparse
import random
import sys


def parse_size(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(s[:-1]) * mult[s[-1].upper()]) if s[-1].upper() in mult else int(s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("size")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    target = parse_size(a.size)
    rnd = random.Random(a.seed)
    payloads = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789 ") for _ in range(n))
                for n in (2048, 4096, 8192)]
    urls = ["/api/conversations/%d/messages" % i for i in range(50)]
    t = 1782606000000
    pid = 4100
    written = 0
    lines = 0
    active = 0
    rss = 88_000_000
    out = open(a.out, "w", buffering=1 << 22)
    buf = []
    while written < target:
        lines += 1
        t += rnd.randint(1, 20)
        r = rnd.random()
        if lines % 1_000_000 == 0:
            pid += 1
            rss = 88_000_000
            s = '{"level":30,"time":%d,"pid":%d,"hostname":"web-1","msg":"cold_start","version":"1.3.14"}' % (t, pid)
        elif r < 0.05:
            active = max(0, min(8, active + rnd.choice((-1, 0, 0, 1))))
            rss = 88_000_000 + active * 150_000_000 + rnd.randint(0, 4_000_000)
            s = ('{"level":30,"time":%d,"pid":%d,"hostname":"web-1","msg":"memory:periodic","rss":%d,'
                 '"heapUsed":%d,"heapTotal":%d,"external":%d,"activeConversations":%d}'
                 % (t, pid, rss, rss // 3, rss // 2, 2_000_000, active))
        elif r < 0.051:
            s = ('{"level":50,"time":%d,"pid":%d,"hostname":"web-1","msg":"request failed",'
                 '"err":{"type":"Error","message":"upstream timeout","stack":"Error: upstream timeout\\n    at x (a.js:1:1)"}}'
                 % (t, pid))
        elif r < 0.061:
            s = ('{"level":30,"time":%d,"pid":%d,"hostname":"web-1","msg":"tool result","tool":"read_file",'
                 '"bytes":%d,"content":"%s"}' % (t, pid, 4096, rnd.choice(payloads)))
        elif r < 0.45:
            s = ('{"level":30,"time":%d,"pid":%d,"hostname":"web-1","reqId":"req-%x","req":{"method":"GET",'
                 '"url":"%s","remoteAddress":"10.0.0.%d","remotePort":%d},"res":{"statusCode":200},'
                 '"responseTime":%d,"msg":"request completed"}'
                 % (t, pid, lines, rnd.choice(urls), rnd.randint(1, 254), rnd.randint(1024, 65535), rnd.randint(1, 900)))
        elif r < 0.75:
            s = ('{"level":20,"time":%d,"pid":%d,"hostname":"web-1","msg":"db query","sql":"SELECT * FROM messages '
                 'WHERE conversation_id = ? ORDER BY seq LIMIT 200","durationMs":%d,"rows":%d}'
                 % (t, pid, rnd.randint(0, 40), rnd.randint(0, 200)))
        else:
            s = ('{"level":30,"time":%d,"pid":%d,"hostname":"web-1","msg":"provider stream chunk","conversationId":"c-%d",'
                 '"model":"m-large","tokens":%d,"latencyMs":%d}'
                 % (t, pid, rnd.randint(1, 500), rnd.randint(1, 64), rnd.randint(5, 300)))
        buf.append(s)
        written += len(s) + 1
        if len(buf) >= 20000:
            out.write("\n".join(buf) + "\n")
            buf.clear()
    if buf:
        out.write("\n".join(buf) + "\n")
    out.close()
    print("wrote %s: %d bytes, %d lines" % (a.out, written, lines), file=sys.stderr)


if __name__ == "__main__":
    main()
