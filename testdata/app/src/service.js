// A small telemetry-writing service for crashsift's app-log tests. Runs under Node and Bun.
// It logs NDJSON to $APP_LOG (appendFileSync, like a journal sink file: each line is on disk
// before the next statement runs, so a crash cannot lose buffered lines) in one of two shapes:
//   STYLE=pino    pino-style lines: {"level":30,"time":<ms>,"pid":..,"msg":"memory:periodic",
//                 "rss":<bytes>,"heapUsed":..,"activeConversations":N} (the findings document)
//   STYLE=custom  {"event":"container.memory_usage","ts":"<ISO>","rssMB":..,"agents":N} and
//                 container.cold_start / container.unhandled_rejection (the gastown PR)
// and ends as CRASH says: throw | reject | heap-oom | grow (buffers until a cgroup OOM kill) |
// hang (runs until killed from outside) | none.
"use strict";
const fs = require("fs");
const os = require("os");
const { EventEmitter } = require("events");

const STYLE = process.env.STYLE || "pino";
const CRASH = process.env.CRASH || "none";
const LOG = process.env.APP_LOG || "app.ndjson";
const PERIOD = Number(process.env.PERIOD_MS || 100);
const RUN_MS = Number(process.env.RUN_MS || 1500);
const VERSION = process.env.APP_VERSION || "1.0.0";
const runtime = typeof Bun !== "undefined" ? `bun ${Bun.version}` : `node ${process.version}`;
const started = Date.now();

function write(obj) { fs.appendFileSync(LOG, JSON.stringify(obj) + "\n"); }
function pino(level, msg, extra) {
  write({ level, time: Date.now(), pid: process.pid, hostname: os.hostname(), msg, ...extra });
}
function custom(event, extra) {
  write({ event, ts: new Date().toISOString(), townId: "4d82f099", ...extra });
}
const mb = (b) => Math.round((b / 1048576) * 10) / 10;

// Simulated load: each active conversation holds a working set that is released at its end.
let active = 0;
const working = [];
function startConversation(ms) {
  active++;
  const set = [];
  for (let i = 0; i < 8; i++) set.push(Buffer.alloc(1 << 20, 1));
  working.push(set);
  setTimeout(() => { active--; working.splice(working.indexOf(set), 1); }, ms);
}

function sample() {
  const m = process.memoryUsage();
  if (STYLE === "pino")
    pino(30, "memory:periodic", { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal,
                                  external: m.external, activeConversations: active });
  else
    custom("container.memory_usage", { rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed),
                                       heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external),
                                       agents: active, uptimeMs: Date.now() - started });
}

function noise(i) {
  if (STYLE === "pino")
    pino(30, "request completed", { req: { method: "GET", url: `/api/conversations/${i}` },
                                    res: { statusCode: 200 }, responseTime: 3 + (i % 7) });
  else custom("agent.heartbeat", { agentId: `a-${i % 3}`, ok: true });
}

if (STYLE === "pino") pino(30, "cold_start", { version: VERSION, runtime });
else custom("container.cold_start", { version: VERSION, runtime });

if (STYLE === "custom") {
  process.on("unhandledRejection", (err) => {
    custom("container.unhandled_rejection", { level: "error", message: String(err && err.message),
                                              stack: String(err && err.stack).split("\n").slice(0, 3).join("\n"),
                                              uptimeMs: Date.now() - started, activeAgents: active });
  });
  process.on("uncaughtException", (err) => {
    custom("container.uncaught_exception", { level: "error", name: err.name, message: err.message,
                                             uptimeMs: Date.now() - started, activeAgents: active });
    process.exit(1);
  });
}

let tick = 0;
setInterval(() => {
  tick++;
  sample();
  if (tick % 2 === 0) noise(tick);
  // Idle for the first third, then conversations come and go.
  if (Date.now() - started > RUN_MS / 3 && tick % 3 === 0) startConversation(400);
}, PERIOD);

const hoard = [];
setTimeout(() => {
  switch (CRASH) {
    case "throw": {
      // Like ssh2's pooled client: 'error' emitted with no listener throws from emit().
      const client = new EventEmitter();
      client.emit("error", new Error("Timed out while waiting for handshake"));
      break;
    }
    case "reject":
      Promise.reject(new Error("saveDbSnapshot failed: database is locked"));
      break;
    case "heap-oom":
      setInterval(() => {
        for (let k = 0; k < 20000; k++) hoard.push({ k, s: "entry-" + k + "-" + "x".repeat(32) });
      }, 1);
      break;
    case "grow":
      setInterval(() => { for (let k = 0; k < 4; k++) hoard.push(Buffer.alloc(1 << 20, 1)); }, 20);
      break;
    case "none":
      setTimeout(() => process.exit(0), 50);
      break;
    default: break;  // hang: wait for an external kill
  }
}, RUN_MS);
